"""Small builders for test data: a valid night or cramp unless a test says otherwise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Profile


def days_ago(days: int) -> dt.date:
    """The date this many days before today (validation refuses future nights)."""
    return dt.date.today() - dt.timedelta(days=days)


def make_cramp(**overrides: object) -> CrampEntry:
    """A typical calf cramp at 02:40; any field can be overridden."""
    fields: dict[str, object] = {
        "time": dt.time(2, 40),
        "duration_min": 2.0,
        "severity": 6,
        "leg": "left",
        "muscle": "calf",
        "woke": True,
        "relief": "flex_foot",
        "relieved": True,
    }
    return CrampEntry(**{**fields, **overrides})


def make_entry(
    night: dt.date | None = None, cramps: int | list[CrampEntry] = 1, **overrides: object
) -> NightEntry:
    """A valid night (last night by default) with `cramps` typical cramps or the given list."""
    if isinstance(cramps, int):
        cramps = [
            make_cramp(time=dt.time(1 + i % 5, (10 * i) % 60), severity=min(10, 4 + i))
            for i in range(cramps)
        ]
    fields: dict[str, object] = {
        "night": night or days_ago(1),
        "water_ml": 1500,
        "stretch_min": 5,
        "active_min": 30,
        "soreness": 2,
        "notes": "Woke twice",
    }
    return NightEntry(**{**fields, **overrides}, cramps=cramps)


def make_profile(**overrides: object) -> Profile:
    """A profile due in about ten weeks."""
    fields: dict[str, object] = {
        "name": "Sam",
        "due_date": dt.date.today() + dt.timedelta(weeks=10),
        "water_unit": "ml",
    }
    return Profile(id=1, **{**fields, **overrides})


def count_rows(engine: Engine, table: str) -> int:
    """How many rows a table has, counted with plain SQL."""
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def journal_with_due_date(url: str, days: int = 70) -> str:
    """A journal at url with its tables, a due date `days` from today and nothing logged."""
    from sqlmodel import Session

    from tracker.journal.db import make_engine
    from tracker.journal.schema import ensure_schema
    from tracker.journal.store import get_profile, save_profile

    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        profile = get_profile(session=s)
        profile.due_date = dt.date.today() + dt.timedelta(days=days)
        save_profile(session=s, profile=profile)
    engine.dispose()
    return url
