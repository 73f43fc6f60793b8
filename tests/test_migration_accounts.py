"""Migration 0007 (accounts) brings a personal journal of the demo's size along, on SQLite and
PostgreSQL: every night, cramp, warning sign, setting, experiment and the journal version kept,
field by field, now all account 1's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from tests.factories import count_rows
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.plan_store import save_plan
from tracker.journal.plans import Plan
from tracker.journal.schema import current_revision, ensure_schema, head_revision, upgrade
from tracker.journal.store import journal_stamp, list_nights, save_night

TABLES = ("profile", "night", "cramp", "redflag", "experiment", "journal_version")


def rows(engine: Engine, table: str, columns: list[str]) -> list[tuple]:
    """The rows, as typed values (dates, booleans) whatever the database."""
    typed = SQLModel.metadata.tables[table]
    statement = select(*(typed.c[c] for c in columns)).order_by(typed.c.id)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(statement)]


def columns_before_accounts(engine: Engine, table: str) -> list[str]:
    with engine.connect() as conn:
        names = conn.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys()
    return [name for name in names if name not in LATER_COLUMNS]


LATER_COLUMNS = ("account_id", "language")  # added by 0007 and 0009: not in a 0006 journal


def a_demo_journal(folder: Path) -> Engine:
    """The demo pregnancy with an experiment, at the current schema, in a file of its own."""
    source = make_engine(f"sqlite:///{folder / 'demo.db'}")
    ensure_schema(source)
    with Session(source) as session:
        fill_demo(session=session, today=dt.date(2026, 12, 1))
    with source.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=dt.date(2026, 11, 1), seed=7, blocks=4))
    return source


def test_a_personal_journal_of_the_demos_size_keeps_every_row(
    journal_url: str, tmp_path: Path
) -> None:
    source = a_demo_journal(tmp_path)
    old = make_engine(journal_url)
    try:
        upgrade(old, "0006")
        with old.begin() as conn:
            conn.execute(text("DELETE FROM journal_version"))
        copied: dict[str, list[tuple]] = {}
        for table in TABLES:
            columns = columns_before_accounts(source, table)
            copied[table] = rows(source, table, columns)
            with old.begin() as conn:
                conn.execute(
                    SQLModel.metadata.tables[table].insert(),
                    [dict(zip(columns, row, strict=True)) for row in copied[table]],
                )
        assert count_rows(old, "night") > 70 and count_rows(old, "cramp") > 50
        ensure_schema(old)
        assert current_revision(old) == head_revision(old)
        for table in TABLES:
            columns = columns_before_accounts(source, table)
            assert rows(old, table, columns) == copied[table], table
            assert rows(old, table, ["account_id"]) == [(1,)] * len(copied[table]), table
        # The upgraded journal works as before: a save bumps its version.
        before = journal_stamp(old)
        with Session(old) as session:
            night = list_nights(session=session)[-1]
            from tracker.journal.store import entry_of

            entry = entry_of(night)
            save_night(
                session=session,
                entry=type(entry)(**{**vars(entry), "notes": "after the upgrade"}),
                expected_version=night.version,
            )
        assert journal_stamp(old)[1] == before[1] + 1
    finally:
        old.dispose()
        source.dispose()
