"""Big imports: a bounded number of SQL statements (bulk inserts, not a query per night), the
same rows and versions as night-by-night saves, replace and all-or-nothing on each database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import count_rows, days_ago, make_entry
from tracker.exchange.backup_json import export_json, import_json
from tracker.exchange.backup_read import read_json
from tracker.exchange.diary_csv import export_diary, import_diary
from tracker.exchange.diary_read import read_diary
from tracker.journal.entries import NightEntry, ValidationFailed
from tracker.journal.importing import IMPORT_CHUNK, ImportConflict, import_nights
from tracker.journal.store import (
    StaleNight,
    delete_night,
    entry_of,
    get_night,
    list_nights,
    save_night,
)

NIGHTS = 3 * IMPORT_CHUNK + 7  # more than three chunks


def many_nights(n: int = NIGHTS, notes: str = "Woke twice") -> list[NightEntry]:
    """n nights ending a week ago, 0-3 cramps each, a warning sign on every 50th."""
    return [
        make_entry(
            days_ago(7 + i), cramps=i % 4, notes=notes, red_flags=["tenderness"] * (i % 50 == 0)
        ).normalised()
        for i in range(n)
    ]


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs."""
    statements: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def journal_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version FROM journal_version")).scalar_one()


def test_an_import_sends_a_few_statements_per_chunk_not_one_per_night(engine: Engine) -> None:
    nights = many_nights()
    with counted(engine) as statements, Session(engine) as session:
        result = import_nights(session=session, entries=nights)
    assert len(result.added) == NIGHTS
    chunks = -(-NIGHTS // IMPORT_CHUNK)
    # per chunk: a lookup, then nights, cramps, flags inserted (SQLite and PostgreSQL may split
    # a bulk insert into a few pages); begin, commit and ANALYZE besides
    assert len(statements) <= 10 * chunks + 10, statements[:20]
    assert len(statements) < NIGHTS / 20
    with Session(engine) as session:
        stored = {night.night: entry_of(night) for night in list_nights(session=session)}
    assert stored == {entry.night: entry for entry in nights}
    assert count_rows(engine, "cramp") == sum(len(e.cramps) for e in nights)
    assert count_rows(engine, "redflag") == sum(len(e.red_flags) for e in nights)


def test_imported_nights_are_new_versions_and_bump_the_journal_version(engine: Engine) -> None:
    before = journal_version(engine)
    with Session(engine) as session:
        import_nights(session=session, entries=many_nights(40))
    assert journal_version(engine) > before
    with Session(engine) as session:
        nights = list_nights(session=session)
        # all share one new version, above the journal's before (a deleted night's too)
        assert {night.version for night in nights} == {before + 1}
        night = get_night(session=session, night=days_ago(7))
        assert night is not None and night.version == before + 1
        assert night.created_at is not None and night.updated_at is not None
        # a save after an import works on the imported row like any other
        save_night(session=session, entry=make_entry(days_ago(7), notes="later"))
        assert get_night(session=session, night=days_ago(7)).version == before + 2


def test_a_night_deleted_and_imported_again_never_meets_a_version_it_had(engine: Engine) -> None:
    """Edited, deleted, imported again in a bulk insert: its new version is above every one the
    deleted night had, so a tab that saw the deleted night cannot save over the imported one."""
    nights = many_nights(IMPORT_CHUNK + 3)
    night = nights[1].night
    with Session(engine) as session:
        import_nights(session=session, entries=nights)
    seen = [version_of(engine, night)]
    for notes in ("one", "two", "three"):
        with Session(engine) as session:
            entry = make_entry(night, notes=notes)
            seen.append(save_night(session=session, entry=entry, expected_version=seen[-1]).version)
    with Session(engine) as session:
        assert delete_night(session=session, night=night, expected_version=seen[-1])
        import_nights(session=session, entries=nights)
    assert version_of(engine, night) > max(seen)
    for old in seen:
        with Session(engine) as session, pytest.raises(StaleNight):
            save_night(
                session=session, entry=make_entry(night, notes="old tab"), expected_version=old
            )
    with Session(engine) as session:
        assert entry_of(get_night(session=session, night=night)) == nights[1]


def version_of(engine: Engine, night: dt.date) -> int:
    with Session(engine) as session:
        return get_night(session=session, night=night).version


def test_importing_the_same_nights_again_writes_nothing(engine: Engine) -> None:
    nights = many_nights(IMPORT_CHUNK + 3)
    with Session(engine) as session:
        import_nights(session=session, entries=nights)
    before = journal_version(engine)
    with counted(engine) as statements, Session(engine) as session:
        result = import_nights(session=session, entries=nights)
    assert len(result.unchanged) == len(nights) and not result.added and not result.updated
    assert journal_version(engine) == before
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_replace_overwrites_changed_nights_with_a_new_version(engine: Engine) -> None:
    first = many_nights(IMPORT_CHUNK + 3)
    with Session(engine) as session:
        import_nights(session=session, entries=first)
        stored_before = get_night(session=session, night=first[1].night)
        stamp, seen = stored_before.updated_at, stored_before.version
    changed = many_nights(IMPORT_CHUNK + 3, notes="Slept well")
    changed[1] = make_entry(first[1].night, cramps=5, red_flags=["fever"]).normalised()
    new = make_entry(days_ago(2), cramps=2).normalised()
    with Session(engine) as session, pytest.raises(ImportConflict):
        import_nights(session=session, entries=[*changed, new])
    before = journal_version(engine)
    with Session(engine) as session:
        assert get_night(session=session, night=days_ago(2)) is None  # all or nothing
        result = import_nights(session=session, entries=[*changed, new], replace=True)
    assert (len(result.added), len(result.updated)) == (1, len(changed))
    with Session(engine) as session:
        stored = {night.night: night for night in list_nights(session=session)}
        assert {d: entry_of(n) for d, n in stored.items()} == {e.night: e for e in [*changed, new]}
        assert stored[first[1].night].version == seen + 1
        assert stored[first[1].night].updated_at >= stamp
        added = stored[new.night].version
    assert before < added <= journal_version(engine)
    assert count_rows(engine, "cramp") == sum(len(e.cramps) for e in [*changed, new])
    assert count_rows(engine, "redflag") == sum(len(e.red_flags) for e in [*changed, new])


def test_a_bad_night_in_the_last_chunk_writes_nothing(engine: Engine) -> None:
    nights = many_nights()
    nights[-1] = make_entry(nights[-1].night, soreness=11).normalised()
    before = journal_version(engine)
    with Session(engine) as session, pytest.raises(ValidationFailed, match="soreness"):
        import_nights(session=session, entries=nights)
    assert count_rows(engine, "night") == 0 and count_rows(engine, "cramp") == 0
    assert journal_version(engine) == before


def test_a_failure_after_the_bulk_inserts_rolls_them_back(engine: Engine) -> None:
    def fail() -> None:
        raise RuntimeError("settings could not be staged")

    with Session(engine) as session, pytest.raises(RuntimeError):
        import_nights(session=session, entries=many_nights(), also=fail)
    assert count_rows(engine, "night") == 0 and count_rows(engine, "cramp") == 0


def test_csv_and_backup_round_trips_through_the_bulk_import(engine: Engine) -> None:
    nights = many_nights(IMPORT_CHUNK + 3)
    with Session(engine) as session:
        import_nights(session=session, entries=nights)
        csv_text = export_diary(list_nights(session=session))
    backup_text = export_json(engine)
    with Session(engine) as session:
        session.execute(text("DELETE FROM night"))
        session.commit()
    with Session(engine) as session:
        assert import_diary(session=session, entries=read_diary(csv_text)).added == len(nights)
    with Session(engine) as session:
        assert export_diary(list_nights(session=session)) == csv_text
        session.execute(text("DELETE FROM night"))
        session.commit()
    with Session(engine) as session:
        restored = import_json(session=session, backup=read_json(backup_text))
    assert restored.added == len(nights)
    original = read_json(backup_text)
    with Session(engine) as session:
        for night in list_nights(session=session):
            stamps = original.stamps[night.night]
            assert _utc(night.created_at) == stamps["created_at"]
            assert _utc(night.updated_at) == stamps["updated_at"]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
