"""Data access on SQLite and PostgreSQL: one night per date, versions, NULLs, deletes, races."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import count_rows, days_ago, make_cramp, make_entry, make_profile
from tracker.journal.db import make_engine
from tracker.journal.entries import CrampEntry, NightEntry, ValidationFailed
from tracker.journal.schema import ensure_schema
from tracker.journal.store import (
    NEW,
    StaleNight,
    StaleProfile,
    delete_night,
    entry_of,
    get_night,
    get_profile,
    has_nights,
    list_nights,
    night_before_with_habits,
    save_night,
    save_profile,
    stage_night,
)


def save(engine: Engine, entry: NightEntry, expected_version: int | None = None) -> int:
    """Save in a fresh session and return the stored version."""
    with Session(engine) as session:
        return save_night(session=session, entry=entry, expected_version=expected_version).version


def load(engine: Engine, night: dt.date) -> NightEntry | None:
    """What a fresh session reads back for a night."""
    with Session(engine) as session:
        stored = get_night(session=session, night=night)
        return entry_of(stored) if stored else None


def version_of(engine: Engine, night: dt.date) -> int | None:
    with Session(engine) as session:
        stored = get_night(session=session, night=night)
        return stored.version if stored else None


def test_a_saved_night_reads_back_exactly(engine: Engine) -> None:
    entry = make_entry(
        cramps=2,
        red_flags=["tenderness", "fever"],
        magnesium_mg=300,
        magnesium_form="citrate",
        magnesium_clinician_agreed=True,
    )
    assert save(engine, entry, expected_version=NEW) > NEW
    assert load(engine, entry.night) == entry.normalised()
    assert count_rows(engine, "cramp") == 2
    assert count_rows(engine, "redflag") == 2


def test_saving_a_date_again_updates_its_one_night_and_replaces_cramps(engine: Engine) -> None:
    night = days_ago(2)
    seen = save(engine, make_entry(night, cramps=3, red_flags=["fever"]), expected_version=NEW)
    changed = make_entry(night, cramps=[make_cramp(severity=9, leg="right")], water_ml=2000)
    assert save(engine, changed, expected_version=seen) == seen + 1
    assert count_rows(engine, "night") == 1
    assert count_rows(engine, "cramp") == 1
    assert count_rows(engine, "redflag") == 0
    assert load(engine, night) == changed


def test_a_night_keeping_its_warning_sign_can_be_edited_again(engine: Engine) -> None:
    night = days_ago(2)
    first = make_entry(night, cramps=2, red_flags=["one_leg_swelling", "fever"])
    seen = save(engine, first, expected_version=NEW)
    edited = make_entry(night, cramps=2, red_flags=["one_leg_swelling"], notes="Calf warm too")
    assert save(engine, edited, expected_version=seen) == seen + 1
    again = make_entry(night, cramps=1, red_flags=["one_leg_swelling", "tenderness"])
    assert save(engine, again, expected_version=seen + 1) == seen + 2
    assert load(engine, night) == again.normalised()
    assert count_rows(engine, "redflag") == 2


def test_a_broken_constraint_on_an_edit_is_raised_not_called_stale(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    from tracker.journal import store
    from tracker.journal.models import RedFlag

    night = days_ago(2)
    seen = save(engine, make_entry(night, red_flags=["fever"]), expected_version=NEW)
    real_put = store.put_night

    def put_twice(session, entry, stored):  # a bug: the same sign staged twice
        result = real_put(session, entry, stored)
        result.red_flags.append(RedFlag(code="fever"))
        return result

    monkeypatch.setattr(store, "put_night", put_twice)
    with pytest.raises(IntegrityError):
        save(engine, make_entry(night, red_flags=["fever"], notes="x"), expected_version=seen)
    assert version_of(engine, night) == seen


def test_not_recorded_stays_null_not_zero(engine: Engine) -> None:
    night = days_ago(1)
    save(engine, NightEntry(night=night, cramps=[CrampEntry()]), expected_version=NEW)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT water_ml, stretch_min, active_min, magnesium_mg, soreness, notes, "
                "magnesium_clinician_agreed FROM night"
            )
        ).one()
        cramp = conn.execute(
            text(
                "SELECT time, duration_min, severity, leg, muscle, woke, relief, relieved "
                "FROM cramp"
            )
        ).one()
    assert all(value is None for value in stored)
    assert all(value is None for value in cramp)
    assert load(engine, night) == NightEntry(night=night, cramps=[CrampEntry()])


def test_zero_is_stored_as_zero(engine: Engine) -> None:
    entry = make_entry(cramps=[make_cramp(severity=0)], water_ml=0, soreness=0)
    save(engine, entry, expected_version=NEW)
    assert load(engine, entry.night) == entry


def test_saving_the_same_night_twice_writes_nothing_new(engine: Engine) -> None:
    entry = make_entry(cramps=2, red_flags=["fever"])
    first = save(engine, entry, expected_version=NEW)
    with Session(engine) as session:
        first_update = get_night(session=session, night=entry.night).updated_at
    # The second click still carries the version she saw before the first save.
    assert save(engine, entry, expected_version=NEW) == first
    with Session(engine) as session:
        assert get_night(session=session, night=entry.night).updated_at == first_update
    assert [count_rows(engine, t) for t in ("night", "cramp", "redflag")] == [1, 2, 1]


def test_a_stale_save_is_refused_and_the_newer_night_kept(engine: Engine) -> None:
    night = days_ago(3)
    seen = save(engine, make_entry(night, cramps=1), expected_version=NEW)
    newer = make_entry(night, cramps=2, notes="from the phone")
    now = save(engine, newer, expected_version=seen)
    with pytest.raises(StaleNight) as refused:
        save(engine, make_entry(night, cramps=4, notes="from the laptop"), expected_version=seen)
    assert refused.value.night == night
    assert "Nothing was saved" in str(refused.value)
    assert version_of(engine, night) == now
    assert load(engine, night) == newer
    assert count_rows(engine, "cramp") == 2


def test_a_new_night_over_an_existing_one_is_stale(engine: Engine) -> None:
    night = days_ago(1)
    save(engine, make_entry(night, cramps=1), expected_version=NEW)
    with pytest.raises(StaleNight):
        save(engine, make_entry(night, cramps=0), expected_version=NEW)
    assert count_rows(engine, "cramp") == 1


def test_an_explicit_overwrite_skips_the_version_check(engine: Engine) -> None:
    night = days_ago(1)
    seen = save(engine, make_entry(night, cramps=1), expected_version=NEW)
    assert save(engine, make_entry(night, cramps=0), expected_version=None) == seen + 1
    assert count_rows(engine, "cramp") == 0


def test_deleting_a_night_removes_its_cramps_and_red_flags(engine: Engine) -> None:
    keep, drop = days_ago(2), days_ago(1)
    save(engine, make_entry(keep, cramps=1, red_flags=["fever"]))
    seen = save(engine, make_entry(drop, cramps=3, red_flags=["tenderness", "fever"]))
    with Session(engine) as session:
        assert delete_night(session=session, night=drop, expected_version=seen) is True
        assert delete_night(session=session, night=drop) is False
    assert [count_rows(engine, t) for t in ("night", "cramp", "redflag")] == [1, 1, 1]
    assert load(engine, keep) is not None


def test_the_database_itself_cascades_deletes(engine: Engine) -> None:
    save(engine, make_entry(cramps=2, red_flags=["fever"]))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM night"))
    assert [count_rows(engine, t) for t in ("cramp", "redflag")] == [0, 0]


def test_deleting_a_changed_night_is_refused(engine: Engine) -> None:
    night = days_ago(1)
    seen = save(engine, make_entry(night, cramps=1))
    now = save(engine, make_entry(night, cramps=2), expected_version=seen)
    with Session(engine) as session, pytest.raises(StaleNight):
        delete_night(session=session, night=night, expected_version=seen)
    assert version_of(engine, night) == now


def test_a_tab_from_before_a_delete_cannot_save_over_the_night_logged_again(
    engine: Engine,
) -> None:
    """Tab A opened the night; it was deleted and logged again elsewhere; tab A's save (with
    the version it saw) is refused, and the night logged again is kept as it is."""
    night = days_ago(1)
    seen_in_a = save(engine, make_entry(night, cramps=1, notes="first"), expected_version=NEW)
    with Session(engine) as session:
        assert delete_night(session=session, night=night, expected_version=seen_in_a) is True
    again = make_entry(night, cramps=2, red_flags=["fever"], notes="logged again")
    logged = save(engine, again, expected_version=NEW)
    with pytest.raises(StaleNight):
        save(engine, make_entry(night, cramps=4, notes="tab A"), expected_version=seen_in_a)
    with Session(engine) as session, pytest.raises(StaleNight):
        delete_night(session=session, night=night, expected_version=seen_in_a)
    assert logged > seen_in_a
    assert version_of(engine, night) == logged
    assert load(engine, night) == again.normalised()
    assert [count_rows(engine, t) for t in ("night", "cramp", "redflag")] == [1, 2, 1]


def test_an_edited_night_logged_again_never_meets_a_version_it_had(engine: Engine) -> None:
    """Edited a few times, deleted, logged again and edited: the new night's versions are all
    above the old one's, so no tab that saw the old night can match one."""
    night = days_ago(1)
    old = [save(engine, make_entry(night, cramps=1), expected_version=NEW)]
    for cramps in (2, 3, 4):
        old.append(save(engine, make_entry(night, cramps=cramps), expected_version=old[-1]))
    with Session(engine) as session:
        assert delete_night(session=session, night=night, expected_version=old[-1]) is True
    new = [save(engine, make_entry(night, cramps=1), expected_version=NEW)]
    for cramps in (2, 3, 4, 5):
        new.append(save(engine, make_entry(night, cramps=cramps), expected_version=new[-1]))
    assert min(new) > max(old), (old, new)


def test_list_nights_is_inclusive_and_oldest_first(engine: Engine) -> None:
    nights = [days_ago(n) for n in (1, 5, 3, 2, 4)]
    for night in nights:
        save(engine, make_entry(night, cramps=1))
    with Session(engine) as session:
        assert [n.night for n in list_nights(session=session)] == sorted(nights)
        between = list_nights(session=session, start=days_ago(4), end=days_ago(2))
        assert [n.night for n in between] == [days_ago(4), days_ago(3), days_ago(2)]
        assert [len(n.cramps) for n in between] == [1, 1, 1]
        assert list_nights(session=session, start=dt.date.today()) == []


def test_validation_errors_leave_the_journal_unchanged(engine: Engine) -> None:
    night = days_ago(1)
    seen = save(engine, make_entry(night, cramps=1))
    bad = make_entry(night, cramps=[make_cramp(severity=11)], water_ml=-5)
    with pytest.raises(ValidationFailed) as failed:
        save(engine, bad, expected_version=seen)
    assert set(failed.value.errors) == {"cramps.0.severity", "water_ml"}
    with pytest.raises(ValidationFailed) as future:
        save(engine, make_entry(dt.date.today() + dt.timedelta(days=1)), expected_version=NEW)
    assert set(future.value.errors) == {"night"}
    assert version_of(engine, night) == seen
    assert load(engine, night) == make_entry(night, cramps=1)
    assert count_rows(engine, "night") == 1


def test_a_staged_night_is_not_saved_until_commit(engine: Engine) -> None:
    entry = make_entry(cramps=1)
    with Session(engine) as session:
        stage_night(session=session, entry=entry, expected_version=NEW)
        session.rollback()
    assert count_rows(engine, "night") == 0


def test_profile_is_blank_until_saved_then_stored(engine: Engine) -> None:
    with Session(engine) as session:
        blank = get_profile(session=session)
        assert (blank.id, blank.due_date, blank.water_unit) == (None, None, "ml")
    assert count_rows(engine, "profile") == 0
    wanted = make_profile(name="  Sam  ", water_unit="fl oz", last_appointment=days_ago(7))
    with Session(engine) as session:
        save_profile(session=session, profile=wanted)
    with Session(engine) as session:
        stored = get_profile(session=session)
        assert (stored.account_id, stored.name, stored.water_unit) == (1, "Sam", "fl oz")
        assert (stored.due_date, stored.last_appointment) == (wanted.due_date, days_ago(7))
    with Session(engine) as session:
        save_profile(session=session, profile=make_profile(name="   "))
    with Session(engine) as session:
        assert get_profile(session=session).name is None
    assert count_rows(engine, "profile") == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"water_unit": "pints"}, "water_unit"),
        ({"due_date": dt.date.today() + dt.timedelta(days=400)}, "due_date"),
        ({"birth_date": dt.date.today() + dt.timedelta(days=1)}, "birth_date"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Sa\x00m"}, "name"),
        ({"name": "Sam\tB"}, "name"),
        ({"name": "Sam\x7f"}, "name"),
        ({"emergency_number": "call 911"}, "emergency_number"),
        ({"emergency_number": "1" * 21}, "emergency_number"),
        ({"care_phone": "1"}, "care_phone"),
        ({"care_phone": "tel:+44"}, "care_phone"),
    ],
)
def test_an_invalid_profile_is_refused_and_nothing_stored(
    engine: Engine, overrides: dict, field: str
) -> None:
    with Session(engine) as session:
        save_profile(session=session, profile=make_profile(name="Before"))
    with Session(engine) as session, pytest.raises(ValidationFailed) as failed:
        save_profile(session=session, profile=make_profile(**overrides))
    assert set(failed.value.errors) == {field}
    with Session(engine) as session:
        assert get_profile(session=session).name == "Before"


def test_a_profile_save_based_on_an_old_version_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        assert (
            save_profile(session=session, profile=make_profile(), expected_version=0).version == 1
        )
    with Session(engine) as session, pytest.raises(StaleProfile, match="changed elsewhere"):
        save_profile(session=session, profile=make_profile(name="Old tab"), expected_version=0)
    with Session(engine) as session:
        stored = get_profile(session=session)
        assert (stored.name, stored.version) == ("Sam", 1)
        saved = save_profile(session=session, profile=make_profile(name="New"), expected_version=1)
        assert saved.version == 2
    with Session(engine) as session:  # no expected version: an explicit overwrite
        assert save_profile(session=session, profile=make_profile(name="CLI")).version == 3
        assert get_profile(session=session).name == "CLI"


def test_a_first_profile_save_from_a_stale_blank_form_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        save_profile(session=session, profile=make_profile(name="Other tab"))
    with Session(engine) as session, pytest.raises(StaleProfile):
        save_profile(session=session, profile=make_profile(), expected_version=0)
    with Session(engine) as session:
        assert get_profile(session=session).name == "Other tab"


def test_phone_numbers_are_stored_trimmed_and_empty_as_none(engine: Engine) -> None:
    with Session(engine) as session:
        save_profile(
            session=session, profile=make_profile(emergency_number=" 999 ", care_phone="  ")
        )
    with Session(engine) as session:
        stored = get_profile(session=session)
        assert (stored.emergency_number, stored.care_phone) == ("999", None)


def test_has_nights_once_any_night_is_logged(engine: Engine) -> None:
    with Session(engine) as session:
        assert not has_nights(session=session)
    save(engine, NightEntry(night=days_ago(3)))  # a zero night counts
    with Session(engine) as session:
        assert has_nights(session=session)


def test_the_night_before_with_habits_is_the_latest_earlier_one_that_has_any(
    engine: Engine,
) -> None:
    none = {"water_ml": None, "stretch_min": None, "active_min": None}
    save(engine, make_entry(days_ago(6), **{**none, "active_min": 20}))
    save(engine, make_entry(days_ago(5), water_ml=1500))
    save(engine, make_entry(days_ago(4), **none, magnesium_mg=300))  # magnesium is no habit
    save(engine, make_entry(days_ago(2), water_ml=2500))  # after the night asked about
    with Session(engine) as session:
        found = night_before_with_habits(session=session, night=days_ago(3))
        assert (found.night, found.water_ml) == (days_ago(5), 1500)
        assert night_before_with_habits(session=session, night=days_ago(6)) is None
        assert night_before_with_habits(session=session, night=days_ago(1)).night == days_ago(2)
        only_active = night_before_with_habits(session=session, night=days_ago(5))
        assert (only_active.night, only_active.active_min) == (days_ago(6), 20)


def race(engine: Engine, entries: list[NightEntry], expected_version: int) -> list[Exception]:
    """Save two entries from two sessions at once; the errors each raised (None if saved).

    Each session waits, just before writing, until the other has read the night too,
    unless the database makes it wait (a lock): then it goes ahead after a moment.
    """
    both_read = threading.Barrier(2)

    def wait_for_the_other(*_: object) -> None:
        # A broken barrier means the other session is held back by a lock: also serialised.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=1.5)

    def save_one(entry: NightEntry) -> Exception | None:
        with Session(engine) as session:
            event.listen(session, "before_flush", wait_for_the_other)
            try:
                save_night(session=session, entry=entry, expected_version=expected_version)
            except Exception as refused:  # noqa: BLE001 - reported to the test
                return refused
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(save_one, entries))


def test_two_sessions_creating_the_same_night_keep_one(engine: Engine) -> None:
    night = days_ago(1)
    entries = [make_entry(night, cramps=1, notes="tab A"), make_entry(night, cramps=2, notes="B")]
    outcomes = race(engine, entries, expected_version=NEW)
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 1
    # Saves are serialised from their first statement (SQLite's BEGIN IMMEDIATE, PostgreSQL's
    # lock on the journal's version row): the loser reads the winner's night and is refused.
    assert isinstance(refused[0], StaleNight)
    assert refused[0].__cause__ is None
    winner = entries[outcomes.index(None)]
    assert count_rows(engine, "night") == 1
    assert load(engine, night) == winner
    assert count_rows(engine, "cramp") == len(winner.cramps)


def test_two_sessions_changing_the_same_night_do_not_lose_an_update(engine: Engine) -> None:
    night = days_ago(1)
    seen = save(engine, make_entry(night, cramps=1), expected_version=NEW)
    entries = [make_entry(night, cramps=2, notes="tab A"), make_entry(night, cramps=3, notes="B")]
    outcomes = race(engine, entries, expected_version=seen)
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 1, "both saves went through: one silently overwrote the other"
    assert isinstance(refused[0], StaleNight)
    winner = entries[outcomes.index(None)]
    assert version_of(engine, night) == seen + 1
    assert load(engine, night) == winner
    assert count_rows(engine, "cramp") == len(winner.cramps)


# --- SQLite durability and privacy ------------------------------------------------------------


def test_sqlite_connections_are_durable(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 30_000,
    }


def test_sqlite_transactions_take_the_write_lock_up_front(
    sqlite_engine: Engine, sqlite_url: str
) -> None:
    other = sqlite3.connect(sqlite_url.split("///", 1)[1], timeout=0, isolation_level=None)
    try:
        with Session(sqlite_engine) as session:
            get_night(session=session, night=days_ago(1))  # only a read
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the session has ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_new_journal_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private" / "journal.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        ensure_schema(engine)
        save(engine, make_entry(cramps=1))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        wal = path.with_name(path.name + "-wal")
        assert wal.exists()
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        engine.dispose()


def test_a_loosened_journal_file_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    make_engine(f"sqlite:///{path}").dispose()
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
