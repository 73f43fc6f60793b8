"""`cramp-journal backup`: a consistent copy of a SQLite journal that another process is writing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import days_ago
from tracker.cli import main
from tracker.journal.config import PROJECT_ROOT, sqlite_path
from tracker.journal.db import make_engine
from tracker.journal.schema import ensure_schema
from tracker.journal.store import list_nights

WRITER = """
import sys
from sqlalchemy.engine import Engine
from sqlmodel import Session
from tests.factories import days_ago, make_entry
from tracker.journal.db import make_engine
from tracker.journal.store import save_night

engine = make_engine(sys.argv[1])
for day in range(1, 3000):
    with Session(engine) as session:
        entry = make_entry(days_ago(day), cramps=3, notes="x" * 500, red_flags=["fever"])
        save_night(session=session, entry=entry)
    print(day, flush=True)  # only after the commit: this night is confirmed
"""


def _confirmed(writer: subprocess.Popen, at_least: int) -> int:
    """Read the writer's output until it has confirmed at least this many nights."""
    deadline = time.monotonic() + 120
    count = 0
    while count < at_least:
        line = writer.stdout.readline()
        assert line, f"the writer stopped: {writer.stderr.read()}"
        assert time.monotonic() < deadline, "the writer is too slow"
        count = int(line)
    return count


def test_a_backup_while_another_process_saves_is_a_consistent_journal(
    tmp_path: Path, sqlite_url: str, sqlite_engine: Engine
) -> None:
    target = tmp_path / "copy.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, sqlite_url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        before = _confirmed(writer, at_least=15)
        assert main(["--db", sqlite_url, "backup", str(target)]) == 0
        assert _confirmed(writer, at_least=before + 1) > before  # it kept saving throughout
    finally:
        writer.terminate()
        writer.wait(timeout=60)
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copy.close()
    assert target.stat().st_mode & 0o777 == 0o600
    journal = make_engine(f"sqlite:///{target}")
    try:
        assert ensure_schema(journal) is None  # opens as a current journal, nothing to upgrade
        with Session(journal) as session:
            nights = list_nights(session=session)
        saved = len(nights)
        assert saved >= before
        assert [n.night for n in nights] == sorted(days_ago(d) for d in range(1, saved + 1))
        assert all(len(n.cramps) == 3 and len(n.red_flags) == 1 for n in nights)  # no half nights
    finally:
        journal.dispose()


def test_backup_refuses_to_overwrite_or_copy_onto_the_journal(
    tmp_path: Path, sqlite_url: str, sqlite_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "copy.db"
    target.write_text("precious")
    assert main(["--db", sqlite_url, "backup", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "precious"
    assert main(["--db", sqlite_url, "backup", str(target), "--force"]) == 0
    assert "(0 nights)" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "backup", str(sqlite_path(sqlite_url)), "--force"]) == 1
    assert "is the journal itself" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.postgres
def test_backup_points_postgresql_to_export_or_pg_dump(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", postgres_url, "backup", str(tmp_path / "copy.db")]) == 1
    err = capsys.readouterr().err
    assert "cramp-journal export FILE.json" in err and "pg_dump" in err
    assert not (tmp_path / "copy.db").exists()


def test_help_lists_backup_erase_and_reminder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"    {name} " in out for name in ("backup", "erase", "reminder", "export"))
    assert "FILE.fhir.json" in out and ".json backup" in out
