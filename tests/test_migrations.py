"""Schema upgrades: old journals upgrade without loss, after a backup; newer ones are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from tests.factories import count_rows
from tracker.journal.config import sqlite_path
from tracker.journal.db import make_engine
from tracker.journal.schema import (
    JournalTooNew,
    alembic_config,
    current_revision,
    ensure_schema,
    head_revision,
    upgrade,
)
from tracker.journal.store import get_night, get_profile

NIGHT = dt.date(2025, 3, 1)
TABLES = ("night", "cramp", "redflag")


def first_revision_journal(url: str) -> Engine:
    """A journal as Cramp Journal's first schema (0001) left it, filled with plain SQL."""
    engine = make_engine(url)
    upgrade(engine, "0001")
    stamp = (
        "'2025-03-02 07:00:00+00'"
        if engine.dialect.name == "postgresql"
        else ("'2025-03-02 07:00:00.000000'")
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO profile (id, name, due_date, birth_date, water_unit) "
                "VALUES (1, 'Sam', '2025-05-20', NULL, 'litres')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO night (id, night, water_ml, stretch_min, active_min, magnesium_mg, "
                "magnesium_form, magnesium_clinician_agreed, side_effects, soreness, notes, "
                "version, created_at, updated_at) VALUES (7, '2025-03-01', 1750, NULL, 20, 300, "
                f"'citrate', TRUE, NULL, 3, 'woke at 3', 2, {stamp}, {stamp})"
            )
        )
        conn.execute(
            text(
                "INSERT INTO cramp (night_id, position, time, duration_min, severity, leg, muscle, "
                "woke, relief, relieved) VALUES "
                "(7, 0, '02:40:00', 1.5, 7, 'left', 'calf', TRUE, 'flex_foot', TRUE), "
                "(7, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
            )
        )
        conn.execute(text("INSERT INTO redflag (night_id, code) VALUES (7, 'tenderness')"))
    return engine


def assert_first_revision_data(engine: Engine) -> None:
    """Everything first_revision_journal wrote is still there, NULLs included."""
    with Session(engine) as session:
        profile = get_profile(session=session)
        assert (profile.name, profile.due_date, profile.water_unit) == (
            "Sam",
            dt.date(2025, 5, 20),
            "litres",
        )
        night = get_night(session=session, night=NIGHT)
        assert night is not None
        assert (night.id, night.water_ml, night.stretch_min, night.version) == (7, 1750, None, 2)
        assert (night.magnesium_clinician_agreed, night.notes) == (True, "woke at 3")
        assert night.created_at == dt.datetime(2025, 3, 2, 7, tzinfo=dt.UTC)
        first, second = night.cramps
        assert (first.time, first.duration_min, first.severity) == (dt.time(2, 40), 1.5, 7)
        assert (second.time, second.severity, second.woke) == (None, None, None)
        assert [flag.code for flag in night.red_flags] == ["tenderness"]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backups_of(url: str) -> list[Path]:
    return sorted((sqlite_path(url).parent / "backups").glob("*.db"))


def test_an_old_journal_is_upgraded_without_losing_anything(journal_url: str) -> None:
    engine = first_revision_journal(journal_url)
    try:
        assert current_revision(engine) == "0001"
        ensure_schema(engine)
        assert current_revision(engine) == head_revision(engine)
        assert_first_revision_data(engine)
        with Session(engine) as session:
            assert get_profile(session=session).last_appointment is None
        assert [count_rows(engine, t) for t in TABLES] == [1, 2, 1]
    finally:
        engine.dispose()


def test_an_upgrade_first_backs_up_the_live_journal(sqlite_url: str) -> None:
    engine = first_revision_journal(sqlite_url)
    try:
        path = sqlite_path(sqlite_url)
        # The rows are still only in the write-ahead log: a plain file copy would miss them.
        assert path.with_name(path.name + "-wal").stat().st_size > 0
        backup = ensure_schema(engine)
    finally:
        engine.dispose()
    assert backup is not None
    assert backup.parent == path.parent / "backups"
    assert backups_of(sqlite_url) == [backup]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    copy = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        counts = [copy.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES]
        assert counts == [1, 2, 1]
        assert copy.execute("SELECT notes FROM night").fetchone() == ("woke at 3",)
        columns = {row[1] for row in copy.execute("PRAGMA table_info(profile)")}
        assert "last_appointment" not in columns
    finally:
        copy.close()


def test_a_journal_from_a_newer_version_is_refused_untouched(journal_url: str) -> None:
    engine = make_engine(journal_url)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    path = sqlite_path(journal_url)
    before = file_digest(path) if path else None
    engine = make_engine(journal_url)
    try:
        with pytest.raises(JournalTooNew, match="newer version"):
            ensure_schema(engine)
        assert current_revision(engine) == "9999_from_the_future"
    finally:
        engine.dispose()
    if path:
        assert file_digest(path) == before
        assert backups_of(journal_url) == []


def test_an_up_to_date_journal_is_left_alone(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        assert ensure_schema(engine) is None  # a brand-new journal has nothing to back up
        engine.dispose()
        before = file_digest(sqlite_path(sqlite_url))
        assert ensure_schema(engine) is None
        engine.dispose()
        assert file_digest(sqlite_path(sqlite_url)) == before
        assert backups_of(sqlite_url) == []
    finally:
        engine.dispose()


def test_only_the_last_five_backups_are_kept(sqlite_url: str) -> None:
    path = sqlite_path(sqlite_url)
    taken = []
    for _ in range(7):
        for part in path.parent.glob(path.name + "*"):
            part.unlink()
        engine = first_revision_journal(sqlite_url)
        try:
            taken.append(ensure_schema(engine))
        finally:
            engine.dispose()
    assert backups_of(sqlite_url) == sorted(taken[-5:])


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def columns_of(engine: Engine, table: str) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_0005_adds_plan_kept_and_stopped_and_goes_back_without_losing_cramps(
    journal_url: str,
) -> None:
    engine = first_revision_journal(journal_url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO experiment (habit, start, seed, blocks, clinician_agreed, "
                    "created_at) VALUES ('legs up', '2025-03-01', 5, 4, FALSE, "
                    "'2025-03-01 08:00:00+00')"
                )
            )
        upgrade(engine, "0005")
        with engine.begin() as conn:  # old rows: not said, not stopped
            assert conn.execute(text("SELECT plan_kept FROM night")).all() == [(None,)]
            assert conn.execute(text("SELECT stopped FROM experiment")).all() == [(None,)]
            conn.execute(text("UPDATE night SET plan_kept = TRUE"))
            conn.execute(text("UPDATE experiment SET stopped = '2025-03-04'"))
        downgrade(engine, "0004")
        assert "plan_kept" not in columns_of(engine, "night")
        assert "stopped" not in columns_of(engine, "experiment")
        # Cramps and warning signs survive the way back (no cascade from a copied table).
        assert [count_rows(engine, t) for t in (*TABLES, "experiment")] == [1, 2, 1, 1]
        ensure_schema(engine)
        assert_first_revision_data(engine)
        with Session(engine) as session:
            assert get_night(session=session, night=NIGHT).plan_kept is None
    finally:
        engine.dispose()


def test_the_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
