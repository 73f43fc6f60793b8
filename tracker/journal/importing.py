"""Many nights at once (a diary CSV import, a backup restore): sort them against the journal,
then write them all in one transaction, or none.

The nights a file holds are read from the journal in a few queries (IMPORT_CHUNK dates each),
not one lookup per night, compared and let go chunk by chunk. They are written with bulk
inserts (one statement for many rows, IMPORT_CHUNK nights with their cramps and flags at a
time), not as ORM objects kept in the session, so an import of any size holds only one chunk
of rows besides the file's entries. PostgreSQL's planner statistics are refreshed afterwards
(ANALYZE), as an import can multiply the table's size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from tracker.care.language import _
from tracker.journal.accounts import mine
from tracker.journal.entries import CrampEntry, NightEntry, ValidationFailed, validate_night
from tracker.journal.models import Cramp, Night, RedFlag, utcnow
from tracker.journal.store import new_night_version

IMPORT_CHUNK = 500  # nights per query: well under SQLite's and PostgreSQL's parameter limits
TABLES = ("night", "cramp", "redflag")
HABITS = tuple(
    n for n in NightEntry.__dataclass_fields__ if n not in ("night", "cramps", "red_flags")
)
CRAMP_FIELDS = tuple(CrampEntry.__dataclass_fields__)  # in the order CrampEntry takes them
NIGHTS, CRAMPS, FLAGS = Night.__table__, Cramp.__table__, RedFlag.__table__


class ImportConflict(RuntimeError):
    """Nights already in the journal say something else; nothing was written."""

    def __init__(self, nights: list[dt.date]):
        self.nights = nights
        said = _("night {night}: already in the journal with different data")
        lines = [said.format(night=n) for n in nights]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Sorted:
    """Nights to import, sorted against what the journal already holds."""

    added: list[NightEntry]
    updated: list[NightEntry]
    unchanged: list[NightEntry]
    conflicts: list[NightEntry]


def _chunks(items: list, size: int = IMPORT_CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def stored_entries(*, session: Session, nights: list[dt.date]) -> Iterator[tuple[int, NightEntry]]:
    """The journal's rows for these nights as (id, entry), read a chunk at a time with plain
    queries (no ORM objects to keep or let go), each night locked until the commit
    (PostgreSQL: no other writer changes them meanwhile)."""
    conn = session.connection()
    for chunk in _chunks(nights):
        found = conn.execute(
            select(NIGHTS.c.id, NIGHTS.c.night, *(NIGHTS.c[name] for name in HABITS))
            .where(mine(NIGHTS.c.account_id), NIGHTS.c.night.in_(chunk))
            .with_for_update()
        ).all()
        if not found:
            continue
        ids = [row.id for row in found]
        cramps: dict[int, list[CrampEntry]] = defaultdict(list)
        for night_id, *values in conn.execute(
            select(CRAMPS.c.night_id, *(CRAMPS.c[name] for name in CRAMP_FIELDS))
            .where(CRAMPS.c.night_id.in_(ids))
            .order_by(CRAMPS.c.night_id, CRAMPS.c.position)
        ):
            cramps[night_id].append(CrampEntry(*values))
        flags: dict[int, list[str]] = defaultdict(list)
        for night_id, code in conn.execute(
            select(FLAGS.c.night_id, FLAGS.c.code).where(FLAGS.c.night_id.in_(ids))
        ):
            flags[night_id].append(code)
        for row in found:  # the same shape as store.entry_of gives
            habits = {name: row._mapping[name] for name in HABITS}
            red_flags = sorted(flags[row.id])
            yield (
                row.id,
                NightEntry(row.night, **habits, cramps=cramps[row.id], red_flags=red_flags),
            )


def sort_for_import(
    *, session: Session, entries: list[NightEntry], replace: bool = False
) -> tuple[Sorted, dict[dt.date, int]]:
    """New nights, identical ones, and different ones (updated with replace, else conflicts),
    with the ids of the stored rows they were compared with."""
    stored: dict[dt.date, int] = {}
    different: set[dt.date] = set()
    by_night = {e.night: e for e in entries}
    for night_id, existing in stored_entries(session=session, nights=list(by_night)):
        stored[existing.night] = night_id
        if existing != by_night[existing.night]:
            different.add(existing.night)
    result = Sorted([], [], [], [])
    for entry in entries:
        if entry.night not in stored:
            result.added.append(entry)
        elif entry.night not in different:
            result.unchanged.append(entry)
        else:
            (result.updated if replace else result.conflicts).append(entry)
    return result, {night: stored[night] for night in different}


def _refuse_conflicts(conflicts: list[dt.date]) -> None:
    if conflicts:
        raise ImportConflict(conflicts)


def _children(entries: list[NightEntry], ids: Mapping[dt.date, int]) -> tuple[list, list]:
    """The cramp and red flag rows of these nights, for a bulk insert."""
    cramps = [
        {"night_id": ids[e.night], "position": i, **vars(c)}
        for e in entries
        for i, c in enumerate(e.cramps)
    ]
    flags = [{"night_id": ids[e.night], "code": code} for e in entries for code in e.red_flags]
    return cramps, flags


def _insert_children(
    conn: Connection, entries: list[NightEntry], ids: Mapping[dt.date, int]
) -> None:
    cramps, flags = _children(entries, ids)
    if cramps:
        conn.execute(insert(CRAMPS), cramps)
    if flags:
        conn.execute(insert(FLAGS), flags)


def _add(
    conn: Connection,
    entries: list[NightEntry],
    stamps: Mapping[dt.date, Mapping[str, dt.datetime]],
    now: dt.datetime,
    version: int,
) -> None:
    """Insert new nights with their cramps and flags, a chunk at a time, all at one version
    (store.new_night_version: above any version a deleted night of the date had; each is a
    different date, so sharing it is fine)."""
    for chunk in _chunks(entries):
        rows: list[dict[str, Any]] = [
            {
                "night": e.night,
                **{name: getattr(e, name) for name in HABITS},
                "version": version,
                "created_at": now,
                "updated_at": now,
                **stamps.get(e.night, {}),
            }
            for e in chunk
        ]
        inserted = conn.execute(insert(NIGHTS).returning(NIGHTS.c.id, NIGHTS.c.night), rows)
        _insert_children(conn, chunk, {night: night_id for night_id, night in inserted})


def _replace(
    conn: Connection, entries: list[NightEntry], ids: Mapping[dt.date, int], now: dt.datetime
) -> None:
    """Overwrite stored nights (a new version each), replacing their cramps and flags."""
    statement = (
        update(NIGHTS)
        .where(mine(NIGHTS.c.account_id), NIGHTS.c.id == bindparam("night_id"))
        .values(version=NIGHTS.c.version + 1, updated_at=now)
    )
    for chunk in _chunks(entries):
        chunk_ids = [ids[e.night] for e in chunk]
        rows = [
            {"night_id": ids[e.night], **{name: getattr(e, name) for name in HABITS}} for e in chunk
        ]
        conn.execute(statement, rows)
        conn.execute(
            delete(CRAMPS).where(mine(CRAMPS.c.account_id), CRAMPS.c.night_id.in_(chunk_ids))
        )
        conn.execute(delete(FLAGS).where(mine(FLAGS.c.account_id), FLAGS.c.night_id.in_(chunk_ids)))
        _insert_children(conn, chunk, ids)


def _forget_journal_rows(session: Session) -> None:
    """Expire nights, cramps and flags the session loaded before the import: the bulk writes
    went past the ORM, so what it holds of them may be out of date."""
    for row in list(session.identity_map.values()):
        if isinstance(row, Night | Cramp | RedFlag):
            session.expire(row)


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
            raise ValueError(_("the same night appears twice in one import"))
        normalised = [e.normalised() for e in entries]
        result, stored = sort_for_import(session=session, entries=normalised, replace=replace)
        refuse([e.night for e in result.conflicts])
        for entry in result.added + result.updated:
            errors = validate_night(entry)
            if errors:
                raise ValidationFailed(errors)
        conn, now = session.connection(), utcnow()
        if result.added:
            _add(conn, result.added, stamps or {}, now, new_night_version(session))
        _replace(conn, result.updated, stored, now)
        _forget_journal_rows(session)
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
