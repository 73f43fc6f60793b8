"""Many nights at once (a diary CSV import, a backup restore): sort them against the journal,
then write them all in one transaction, or none.

The nights a file holds are read from the journal in a few queries (IMPORT_CHUNK dates each),
not one lookup per night, and written without a query in between, so the ORM inserts them in
batches. PostgreSQL's planner statistics are refreshed afterwards (ANALYZE), as an import can
multiply the table's size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from tracker.journal.entries import NightEntry, ValidationFailed, validate_night
from tracker.journal.models import Night
from tracker.journal.store import entry_of, put_night

IMPORT_CHUNK = 500  # dates per lookup: well under SQLite's and PostgreSQL's parameter limits
TABLES = ("night", "cramp", "redflag")


class ImportConflict(RuntimeError):
    """Nights already in the journal say something else; nothing was written."""

    def __init__(self, nights: list[dt.date]):
        self.nights = nights
        lines = [f"night {n}: already in the journal with different data" for n in nights]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Sorted:
    """Nights to import, sorted against what the journal already holds."""

    added: list[NightEntry]
    updated: list[NightEntry]
    unchanged: list[NightEntry]
    conflicts: list[NightEntry]


def stored_nights(*, session: Session, nights: list[dt.date]) -> dict[dt.date, Night]:
    """The journal's rows for these nights (with cramps and flags), in a few queries."""
    found: dict[dt.date, Night] = {}
    for i in range(0, len(nights), IMPORT_CHUNK):
        statement = (
            select(Night)
            .where(Night.night.in_(nights[i : i + IMPORT_CHUNK]))
            .options(selectinload(Night.cramps), selectinload(Night.red_flags))
            .with_for_update()  # PostgreSQL: no other writer changes them until the commit
        )
        found.update((row.night, row) for row in session.exec(statement))
    return found


def sort_for_import(
    *, session: Session, entries: list[NightEntry], replace: bool = False
) -> tuple[Sorted, dict[dt.date, Night]]:
    """New nights, identical ones, and different ones (updated with replace, else conflicts),
    with the stored rows they were compared with."""
    stored = stored_nights(session=session, nights=[e.night for e in entries])
    result = Sorted([], [], [], [])
    for entry in entries:
        existing = stored.get(entry.night)
        if existing is None:
            result.added.append(entry)
        elif entry_of(existing) == entry:
            result.unchanged.append(entry)
        else:
            (result.updated if replace else result.conflicts).append(entry)
    return result, stored


def _refuse_conflicts(conflicts: list[dt.date]) -> None:
    if conflicts:
        raise ImportConflict(conflicts)


def import_nights(
    *,
    session: Session,
    entries: list[NightEntry],
    replace: bool = False,
    stamps: Mapping[dt.date, Mapping[str, dt.datetime]] | None = None,
    refuse: Callable[[list[dt.date]], None] = _refuse_conflicts,
    also: Callable[[], None] | None = None,
) -> Sorted:
    """Check every night, then write them all and commit, or roll back and write nothing.

    refuse(conflicting nights) raises to stop the import (by default ImportConflict when there
    are any); a backup adds its settings to that check. stamps gives new nights the logged and
    changed times of the file. also() stages more in the same transaction (a backup's settings
    and experiments) just before the commit.
    """
    try:
        if len({e.night for e in entries}) != len(entries):
            raise ValueError("the same night appears twice in one import")
        normalised = [e.normalised() for e in entries]
        result, stored = sort_for_import(session=session, entries=normalised, replace=replace)
        refuse([e.night for e in result.conflicts])
        for entry in result.added + result.updated:
            errors = validate_night(entry)
            if errors:
                raise ValidationFailed(errors)
        with session.no_autoflush:
            for entry in result.added:
                night = put_night(session, entry, None)
                for key, value in (stamps or {}).get(entry.night, {}).items():
                    setattr(night, key, value)
            for entry in result.updated:
                put_night(session, entry, stored[entry.night])
        if also is not None:
            also()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if result.added or result.updated:
        refresh_statistics(session)
    return result


def refresh_statistics(session: Session) -> None:
    """ANALYZE the journal's tables on PostgreSQL (its planner would otherwise still think
    they are empty after a first import); SQLite plans without statistics here."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        session.exec(text(f"ANALYZE {table}"))  # our own constant table names
    session.commit()
