"""Small data-access functions: read and write nights, cramps, red flags and the profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from tracker.care import language
from tracker.care.language import _
from tracker.care.phones import MAX_CARE, MAX_EMERGENCY, phone_problem
from tracker.journal.accounts import mine
from tracker.journal.db import ATTEMPTS, is_transient, pause_before_retry
from tracker.journal.entries import CrampEntry, NightEntry, ValidationFailed, validate_night
from tracker.journal.models import (
    WATER_UNITS,
    Cramp,
    JournalVersion,
    Night,
    Profile,
    RedFlag,
    utcnow,
)

NEW = 0  # expected_version for a night she saw as not yet logged
SAVED_NIGHT = "cramp_journal.saved_night"  # Session.info key: the SavedNight of its last save


def journal_stamp(source: Engine | Connection | Session, *, lock: bool = False) -> tuple:
    """(token, version) of the journal: one row that every write to it changes (migration
    0006's triggers), whichever program wrote, so views cached under it stay right until it
    changes. lock: hold the row until the transaction ends (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already does)."""
    table = JournalVersion.__table__
    statement = select_columns(table.c.token, table.c.version).where(mine(table.c.account_id))
    if lock:
        statement = statement.with_for_update()
    if isinstance(source, Engine):
        with source.connect() as conn:
            row = conn.execute(statement).first()
    else:
        run = source.connection().execute if isinstance(source, Session) else source.execute
        row = run(statement).first()
    return tuple(row) if row else ("", -1)


def new_night_version(session: Session) -> int:
    """The version a night gets when it is logged (again): one above the journal's counter,
    read (and, on PostgreSQL, locked) in the writing transaction.

    Versions of one night must never repeat, or a tab that saw an earlier night of that date
    would save over the night logged after it was deleted. Every write bumps the counter at
    least once (migration 0006's triggers: per row on SQLite, per statement on PostgreSQL)
    and an edit adds one to the night's version, so a night's version never exceeds the
    counter: a night logged again starts above every version its deleted self ever had. Nights
    logged in one bulk import share a version, which is fine: each is a different date.

    The one edge: the counter started at 0 in migration 0006, so a night edited more often
    before it than the journal has been written to since may stand above the counter.
    delete_night raises the counter to the deleted night's version first, which closes that
    too; only erasing the whole journal skips that step, and a tab from before the erase
    holds a journal that no longer exists (the new night would have to reach that same old
    number for a stale save to pass)."""
    return max(journal_stamp(session, lock=True)[1], 0) + 1


def _counter_at_least(session: Session, version: int) -> None:
    """Raise the journal's counter to at least this version (see new_night_version)."""
    table = JournalVersion.__table__
    session.connection().execute(
        table.update()
        .where(mine(table.c.account_id), table.c.version < version)
        .values(version=version)
    )


@dataclass(frozen=True)
class SavedNight:
    """What one committed save_night changed: this night only, from stamp `before` to `after`
    (read in its transaction, which no other writer could change in between)."""

    night: dt.date
    before: tuple
    after: tuple


class StaleNight(RuntimeError):
    """The night changed since it was opened; the save was refused and nothing written."""

    def __init__(self, night: dt.date):
        super().__init__(
            _(
                "The night of {day} was changed elsewhere (another tab or device) after you "
                "opened it. Nothing was saved. Reload it to see the newer version, then make "
                "your change again."
            ).format(day=language.date(night, _("dd MMM yyyy")))
        )
        self.night = night


class StaleProfile(RuntimeError):
    """The settings changed since they were opened; the save was refused and nothing written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Your settings were changed elsewhere (another tab or device) after you opened "
                "them. Nothing was saved. Reload them to see the newer version, then make your "
                "change again."
            )
        )


def stored_profile(*, session: Session, lock: bool = False) -> Profile | None:
    """Her saved profile, if she has saved one (lock: until the transaction ends)."""
    statement = select(Profile).where(mine(Profile.account_id))
    return session.exec(statement.with_for_update() if lock else statement).first()


def get_profile(*, session: Session) -> Profile:
    """The profile (an unsaved blank one if she has not set anything yet)."""
    return stored_profile(session=session) or Profile(version=0)


def has_nights(*, session: Session) -> bool:
    """True once any night is logged."""
    return session.exec(select(Night.id).where(mine(Night.account_id)).limit(1)).first() is not None


def validate_profile(profile: Profile, today: dt.date | None = None) -> dict[str, str]:
    """What is wrong with these settings (empty when fine)."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    if profile.due_date and not (
        today - dt.timedelta(days=3 * 365) <= profile.due_date <= today + dt.timedelta(days=300)
    ):
        errors["due_date"] = _("must be within the next 43 weeks (or a past pregnancy)")
    if profile.birth_date and profile.birth_date > today:
        errors["birth_date"] = _("can't be in the future")
    if profile.water_unit not in WATER_UNITS:
        errors["water_unit"] = _("must be one of {units}").format(units=", ".join(WATER_UNITS))
    if profile.name and len(profile.name) > 200:
        errors["name"] = _("is too long: at most {count} characters").format(count=200)
    elif profile.name and any(ord(ch) < 32 or ord(ch) == 127 for ch in profile.name):
        errors["name"] = _("contains an invisible control character; remove it")
    for name, longest in (("emergency_number", MAX_EMERGENCY), ("care_phone", MAX_CARE)):
        if problem := phone_problem(getattr(profile, name), longest):
            errors[name] = problem
    return errors


PROFILE_FIELDS = (
    "name",
    "due_date",
    "birth_date",
    "water_unit",
    "last_appointment",
    "emergency_number",
    "care_phone",
)


def stage_profile(
    *, session: Session, profile: Profile, expected_version: int | None = None
) -> Profile:
    """Validate the profile and stage it in the open transaction (no commit); raises
    ValidationFailed, or StaleProfile when expected_version (the version her form was based on)
    is no longer the stored one."""
    errors = validate_profile(profile)
    if errors:
        raise ValidationFailed(errors)
    stored = stored_profile(session=session, lock=True)
    if expected_version is not None and (stored.version if stored else 0) != expected_version:
        session.rollback()
        raise StaleProfile()
    stored = stored or Profile(version=0)
    for name in PROFILE_FIELDS:
        setattr(stored, name, getattr(profile, name))
    for name in ("name", "emergency_number", "care_phone"):
        setattr(stored, name, (getattr(stored, name) or "").strip() or None)
    stored.version = (stored.version or 0) + 1
    session.add(stored)
    return stored


def save_profile(
    *, session: Session, profile: Profile, expected_version: int | None = None
) -> Profile:
    """Validate, store and commit the profile (see stage_profile)."""
    stored = stage_profile(session=session, profile=profile, expected_version=expected_version)
    session.commit()
    return stored


def save_language(
    *, session: Session, language: str | None, expected_version: int | None = None
) -> Profile:
    """Store and commit the language she chose in Settings (None: as her browser), leaving her
    other settings as they are; raises StaleProfile, nothing written, when expected_version is
    no longer the stored one."""
    stored = stored_profile(session=session, lock=True)
    if expected_version is not None and (stored.version if stored else 0) != expected_version:
        session.rollback()
        raise StaleProfile()
    stored = stored or Profile(version=0)
    stored.language = language
    stored.version = (stored.version or 0) + 1
    session.add(stored)
    session.commit()
    return stored


def get_night(*, session: Session, night: dt.date, for_update: bool = False) -> Night | None:
    """The night that began on this evening, with its cramps and red flags.

    for_update locks the row until the transaction ends (PostgreSQL; SQLite's writes are
    already serialised by BEGIN IMMEDIATE), so a version check cannot race another writer.
    """
    statement = (
        select(Night)
        .where(mine(Night.account_id), Night.night == night)
        .options(selectinload(Night.cramps), selectinload(Night.red_flags))
    )
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def list_nights(
    *, session: Session, start: dt.date | None = None, end: dt.date | None = None
) -> list[Night]:
    """Logged nights between start and end (inclusive), oldest first."""
    statement = (
        select(Night)
        .where(mine(Night.account_id))
        .options(selectinload(Night.cramps), selectinload(Night.red_flags))
    )
    if start:
        statement = statement.where(Night.night >= start)
    if end:
        statement = statement.where(Night.night <= end)
    return list(session.exec(statement.order_by(Night.night)).all())


def iter_nights(*, session: Session, chunk: int = 1000) -> Iterator[Night]:
    """Every logged night, oldest first, read `chunk` nights at a time within the session's one
    transaction, each chunk dropped from the session once the next is read, so an export of
    any size holds only one chunk of rows (the session should serve only this)."""
    after: dt.date | None = None
    while True:
        statement = (
            select(Night)
            .where(mine(Night.account_id))
            .options(selectinload(Night.cramps), selectinload(Night.red_flags))
            .order_by(Night.night)
            .limit(chunk)
        )
        if after is not None:
            statement = statement.where(Night.night > after)
        rows = list(session.exec(statement).all())
        if not rows:
            return
        yield from rows
        after = rows[-1].night
        session.expunge_all()


def count_nights(*, session: Session) -> int:
    """How many nights are logged."""
    return session.exec(select(func.count()).select_from(Night).where(mine(Night.account_id))).one()


def night_before_with_habits(*, session: Session, night: dt.date) -> Night | None:
    """The latest night before this one that recorded any of yesterday's habits."""
    statement = (
        select(Night)
        .where(mine(Night.account_id), Night.night < night)
        .where(
            (Night.water_ml.is_not(None))
            | (Night.stretch_min.is_not(None))
            | (Night.active_min.is_not(None))
        )
        .order_by(Night.night.desc())
        .limit(1)
    )
    return session.exec(statement).first()


def entry_of(night: Night) -> NightEntry:
    """What is stored for a night, in the shape a form or a CSV row uses."""
    fields = {
        name: getattr(night, name)
        for name in NightEntry.__dataclass_fields__
        if name not in ("cramps", "red_flags")
    }
    cramps = [
        CrampEntry(**{name: getattr(c, name) for name in CrampEntry.__dataclass_fields__})
        for c in sorted(night.cramps, key=lambda c: c.position)
    ]
    return NightEntry(**fields, cramps=cramps, red_flags=sorted(f.code for f in night.red_flags))


def put_night(session: Session, entry: NightEntry, night: Night | None) -> Night:
    """Put a checked entry into night (a new row when None), replacing its cramps and flags."""
    if night is None:
        night = Night(night=entry.night, version=new_night_version(session))
    else:
        night.version += 1
        night.updated_at = utcnow()
    for name in NightEntry.__dataclass_fields__:
        if name not in ("night", "cramps", "red_flags"):
            setattr(night, name, getattr(entry, name))
    if night.id is not None and (night.cramps or night.red_flags):
        # The old rows go first: SQLAlchemy's unit of work inserts new children before it
        # deletes orphans, so an unchanged warning sign would hit the unique (night, code) key.
        night.cramps = []
        night.red_flags = []
        session.flush()
    night.cramps = [Cramp(position=i, **vars(c)) for i, c in enumerate(entry.cramps)]
    night.red_flags = [RedFlag(code=code) for code in entry.red_flags]
    session.add(night)
    return night


def stage_night(
    *, session: Session, entry: NightEntry, expected_version: int | None = None
) -> Night:
    """Validate and stage a night in the open transaction (no commit).

    expected_version is the version she saw (NEW when she saw none); a different stored
    version raises StaleNight unless the stored night already says exactly the same.
    None skips that check (an explicit overwrite).
    """
    entry = entry.normalised()
    errors = validate_night(entry)
    if errors:
        raise ValidationFailed(errors)
    existing = get_night(session=session, night=entry.night, for_update=True)
    stored_version = existing.version if existing else NEW
    if existing is not None and entry_of(existing) == entry:
        return existing  # a repeated save (double click, rerun): nothing to write
    if expected_version is not None and expected_version != stored_version:
        raise StaleNight(entry.night)
    return put_night(session, entry, existing)


def save_night(
    *, session: Session, entry: NightEntry, expected_version: int | None = None
) -> Night:
    """Validate, store and commit one night; see stage_night for the version check.

    A save that failed only because another writer was in the way (SQLite still locked after
    the busy timeout, a PostgreSQL deadlock or serialization failure) is tried again, up to
    ATTEMPTS times in all; every failed try is rolled back, so nothing is half written.
    """
    attempt = 1
    while True:
        try:
            return _save_once(session, entry, expected_version)
        except DBAPIError as exc:
            if attempt >= ATTEMPTS or not is_transient(exc):
                raise
        pause_before_retry(attempt)
        attempt += 1


def _save_once(session: Session, entry: NightEntry, expected_version: int | None) -> Night:
    """One try of save_night: commit, or roll back and raise."""
    creating = False
    try:
        before = journal_stamp(session, lock=True)  # the first statement: the lock is ours
        night = stage_night(session=session, entry=entry, expected_version=expected_version)
        creating = night.id is None
        session.flush()
        saved = SavedNight(night.night, before, journal_stamp(session))
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        if not creating:
            raise  # an edit of a stored night broke a constraint: a bug, never "changed elsewhere"
        # Another writer created the same night between our read and our insert.
        exists = get_night(session=session, night=entry.night) is not None
        session.rollback()
        if not exists:
            raise
        raise StaleNight(entry.night) from exc
    except BaseException:
        session.rollback()
        raise
    session.info[SAVED_NIGHT] = saved  # read by the app to update what it keeps of the journal
    return night


def delete_night(*, session: Session, night: dt.date, expected_version: int | None = None) -> bool:
    """Delete a night with its cramps and flags; False when it was not there.

    The journal's counter is raised to the night's version first, so the night logged again
    on this date starts above every version this one had (see new_night_version)."""
    try:
        journal_stamp(session, lock=True)  # the first lock, as in _save_once: no deadlock
        existing = get_night(session=session, night=night, for_update=True)
        if existing is None:
            session.rollback()
            return False
        if expected_version is not None and existing.version != expected_version:
            raise StaleNight(night)
        _counter_at_least(session, existing.version)
        session.delete(existing)
        session.commit()
    except BaseException:
        session.rollback()  # let go of the locks now, not when the session closes
        raise
    return True
