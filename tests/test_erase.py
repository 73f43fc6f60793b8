"""Erase everything: no row left, and on SQLite no byte of her text left in the files."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import count_rows, days_ago, make_cramp, make_entry, make_profile
from tracker.cli import main
from tracker.journal.config import sqlite_path
from tracker.journal.db import make_engine
from tracker.journal.erase import EraseIncomplete, erase_journal, erase_warning
from tracker.journal.schema import backup_sqlite, current_revision, ensure_schema, head_revision
from tracker.journal.store import list_nights, save_night, save_profile

CANARY = "Canary-q7Xv-erase-me"
TABLES = ("profile", "night", "cramp", "redflag")


def fill(engine: Engine, nights: int = 40) -> None:
    """Nights whose notes, side effects and magnesium form hold the canary, and her name."""
    with Session(engine) as session:
        for day in range(1, nights + 1):
            entry = make_entry(
                days_ago(day),
                cramps=[make_cramp(), make_cramp(severity=3)],
                notes=f"{CANARY} night {day} " + "long note " * (300 if day == 7 else 3),
                side_effects=f"{CANARY} side effects",
                magnesium_form=CANARY,
                red_flags=["tenderness"],
            )
            save_night(session=session, entry=entry)
        save_profile(session=session, profile=make_profile(name=CANARY))


def journal_bytes(path: Path) -> dict[str, bytes]:
    """The raw bytes of the journal file and its -wal and -shm, those that exist."""
    parts = {suffix: path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")}
    return {suffix: part.read_bytes() for suffix, part in parts.items() if part.exists()}


def holding(path: Path, needle: str) -> list[str]:
    return [suffix or "db" for suffix, data in journal_bytes(path).items()
            if needle.encode() in data]  # fmt: skip


def test_no_trace_remains_in_the_file_its_log_or_the_backups(
    sqlite_engine: Engine, sqlite_url: str
) -> None:
    path = sqlite_path(sqlite_url)
    fill(sqlite_engine)
    backups = path.parent / "backups"
    automatic = backup_sqlite(path, backups / "journal-before-0002-20260101-000000-000000.db")
    someone_else = backup_sqlite(path, backups / "other-before-0002-20260101-000000-000000.db")
    her_copy = backup_sqlite(path, path.parent / "my-copy.db")
    assert holding(path, CANARY)  # the test can see the text before erasing
    app = make_engine(sqlite_url)  # the app in another window: a pool with open connections
    with Session(app) as session:
        assert len(list_nights(session=session)) == 40
    idle = app.connect()
    try:
        erased = erase_journal(sqlite_engine)
        assert holding(path, CANARY) == []
        assert holding(path, "long note") == [] and holding(path, "Woke twice") == []
        assert (erased.nights, erased.backups) == (40, [automatic])
        assert not automatic.exists() and someone_else.exists() and her_copy.exists()
        assert [count_rows(sqlite_engine, t) for t in TABLES] == [0, 0, 0, 0]
        with Session(app) as session:  # the other window's pool still works, on an empty journal
            assert list_nights(session=session) == []
        assert current_revision(app) == head_revision(app)
    finally:
        idle.close()
        app.dispose()


def test_a_reader_holding_old_data_is_reported_and_erasing_again_finishes(
    sqlite_url: str,
) -> None:
    path = sqlite_path(sqlite_url)
    engine = make_engine(sqlite_url)
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout = 200"))
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        ensure_schema(engine)
        fill(engine, nights=3)
        reader.execute("BEGIN")  # another program, in the middle of reading the old nights
        assert reader.execute("SELECT COUNT(*) FROM night").fetchone() == (3,)
        with pytest.raises(EraseIncomplete, match="another program is reading it"):
            erase_journal(engine)
        assert count_rows(engine, "night") == 0  # the rows are gone already
        reader.execute("COMMIT")
        assert erase_journal(engine).nights == 0
        assert holding(path, CANARY) == []
    finally:
        reader.close()
        engine.dispose()


def test_erase_deletes_every_row_on_each_database(engine: Engine) -> None:
    fill(engine, nights=5)
    other = make_engine(engine.url.render_as_string(hide_password=False))
    with other.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM night")).scalar_one() == 5
    try:
        assert erase_journal(engine).nights == 5
        assert [count_rows(engine, t) for t in TABLES] == [0, 0, 0, 0]
        assert current_revision(engine) == head_revision(engine)
        with Session(engine) as session:  # the journal is usable again at once
            save_night(session=session, entry=make_entry(days_ago(1)))
        assert count_rows(other, "night") == 1
    finally:
        other.dispose()


def test_the_warning_says_what_is_deleted_and_what_is_kept(
    sqlite_engine: Engine, sqlite_url: str
) -> None:
    path = sqlite_path(sqlite_url)
    backup_sqlite(path, path.parent / "backups" / "journal-before-0002-1.db")
    warning = erase_warning(sqlite_engine)
    assert f"the journal file {path}" in warning
    assert f"The 1 automatic backup of it in {path.parent / 'backups'} is deleted too" in warning
    assert "cannot be undone" in warning and "cramp-journal export journal.json" in warning


@pytest.mark.postgres
def test_on_a_server_the_warning_leaves_its_copies_to_the_admin(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        assert "up to its administrator" in erase_warning(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(("answer", "code"), [("no\n", 1), ("", 1), ("Erase\n", 0)])
def test_the_cli_asks_first(
    answer: str,
    code: int,
    sqlite_engine: Engine,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fill(sqlite_engine, nights=3)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    assert main(["--db", sqlite_url, "erase"]) == code
    out, err = capsys.readouterr()
    assert "automatic backups" in out and 'Type "erase" to delete everything' in out
    if code:
        assert "nothing was deleted" in err
        assert count_rows(sqlite_engine, "night") == 3
    else:
        assert "Erased 3 nights, the settings. The journal is empty." in out
        assert count_rows(sqlite_engine, "night") == 0


def test_the_cli_erases_without_asking_with_yes(
    sqlite_engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(sqlite_engine, nights=2)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["--db", sqlite_url, "erase", "--yes"]) == 0
    assert count_rows(sqlite_engine, "profile") == 0
