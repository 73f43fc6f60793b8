"""The whole journal as one JSON file: a backup she can read, keep, and restore exactly.

The format is documented in docs/json-format.md. Export, import into an empty journal, and
export again gives the same bytes (apart from `exported_at`). A file is checked completely
before anything is written; importing it is all or nothing, with the same conflict rules as
the diary CSV.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.journal.accounts import mine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.importing import ImportConflict, import_nights
from tracker.journal.models import Experiment, Night, Profile
from tracker.journal.plans import Plan, plan_problems
from tracker.journal.store import (
    PROFILE_FIELDS,
    entry_of,
    iter_nights,
    stage_profile,
    stored_profile,
)

FORMAT, VERSION = "cramp-journal", 1
PROFILE_KEYS = PROFILE_FIELDS  # every setting she can change
EXPERIMENT_KEYS = (
    "habit",
    "start",
    "seed",
    "blocks",
    "target",
    "clinician_agreed",
    "stopped",
    "created_at",
)
HABIT_KEYS = tuple(
    n for n in NightEntry.__dataclass_fields__ if n not in ("night", "cramps", "red_flags")
)
CRAMP_KEYS = tuple(CrampEntry.__dataclass_fields__)
STAMP_KEYS = ("created_at", "updated_at")
NIGHT_KEYS = ("night", *HABIT_KEYS, "cramps", "red_flags", *STAMP_KEYS)
TOP_KEYS = ("format", "version", "exported_at", "profile", "nights", "experiments")
# What each key holds; a new NightEntry field must be added here (and to the docs).
KINDS = {
    **dict.fromkeys(("water_ml", "stretch_min", "active_min", "magnesium_mg", "soreness",
                     "severity", "seed", "blocks"), "whole number"),
    **dict.fromkeys(("duration_min", "target"), "number"),
    **dict.fromkeys(("magnesium_clinician_agreed", "woke", "relieved", "clinician_agreed",
                     "plan_kept"), "true or false"),
    **dict.fromkeys(("magnesium_form", "side_effects", "notes", "leg", "muscle", "relief", "name",
                     "water_unit", "emergency_number", "care_phone", "habit"), "text"),
    **dict.fromkeys(("start", "stopped"), "date"),
    "time": "time",
    **dict.fromkeys(("night", "due_date", "birth_date", "last_appointment"), "date"),
    **dict.fromkeys((*STAMP_KEYS, "exported_at"), "timestamp"),
}  # fmt: skip
PROFILE_ACTIONS = ("not in the file", "restored", "unchanged", "replaced")


class JsonProblem(NamedTuple):
    """One thing wrong with a file: where (e.g. nights[3] (night 2025-01-04)), field, why."""

    where: str
    field: str | None
    message: str

    def __str__(self) -> str:
        return ", ".join(filter(None, [self.where, self.field])) + ": " + self.message


class JsonError(ValueError):
    """The file cannot be imported; `problems` lists every one found."""

    def __init__(self, problems: list[JsonProblem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class BackupConflict(ImportConflict):
    """Nights (or the settings) already in the journal say something else; nothing written."""

    def __init__(self, nights: list[dt.date], profile: bool):
        super().__init__(nights)
        self.profile = profile
        lines = ["settings: already in the journal with different values"] if profile else []
        self.args = ("\n".join([*lines, *([str(self)] if nights else [])]),)


@dataclass(frozen=True)
class Backup:
    """What a backup file holds: the settings (None if absent), nights, and when each was logged."""

    profile: Profile | None
    nights: list[NightEntry]
    stamps: dict[dt.date, dict[str, dt.datetime]] = field(default_factory=dict)
    experiments: list[dict[str, Any]] = field(default_factory=list)  # EXPERIMENT_KEYS each


@dataclass(frozen=True)
class RestoreResult:
    """Nights added, overwritten and already identical; what happened to the settings."""

    added: int
    updated: int
    unchanged: int
    profile: str  # one of PROFILE_ACTIONS


# --- Writing ----------------------------------------------------------------------------------


def _timestamp(value: dt.datetime, timespec: str = "microseconds") -> str:
    return value.astimezone(dt.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def _time(value: dt.time) -> str:
    exact = value.second or value.microsecond
    return value.isoformat(timespec="auto" if exact else "minutes")


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _time(value)
    return value


def _night_document(night: Night) -> dict[str, Any]:
    entry = entry_of(night).normalised()
    document = {key: _value(getattr(entry, key)) for key in ("night", *HABIT_KEYS)}
    document["cramps"] = [{k: _value(getattr(c, k)) for k in CRAMP_KEYS} for c in entry.cramps]
    document["red_flags"] = entry.red_flags
    return document | {key: _value(getattr(night, key)) for key in STAMP_KEYS}


def _document(session: Session, now: dt.datetime, nights: Any) -> dict[str, Any]:
    """The document; its nights are a placeholder when _text_of writes them one by one."""
    profile = stored_profile(session=session)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _timestamp(now, "seconds"),
        "profile": {k: _value(getattr(profile, k)) for k in PROFILE_KEYS} if profile else None,
        "nights": nights,
    } | _experiments_document(session)


def _text_of(session: Session, now: dt.datetime) -> str:
    """The backup's text, exactly as dumps() of the whole document would write it, built a
    night at a time from store.iter_nights so a long journal is never all in memory as rows."""
    here = secrets.token_hex(16)  # where the nights go: no text she typed can be this
    head = dumps(_document(session, now, here))
    pieces = [  # "\n" only between JSON lines (never inside a string: there it is escaped)
        "    " + dumps(_night_document(n)).rstrip("\n").replace("\n", "\n    ")
        for n in iter_nights(session=session)
    ]
    nights = "[\n" + ",\n".join(pieces) + "\n  ]" if pieces else "[]"
    return head.replace(json.dumps(here), nights, 1)


def _experiments_document(session: Session) -> dict[str, Any]:
    """Her experiment plans, oldest first (no key at all when she has none). A stored plan that
    cannot run is left out, as everywhere else: the file would not restore with it."""
    rows = session.exec(
        select(Experiment).where(mine(Experiment.account_id)).order_by(Experiment.id)
    ).all()
    plans = [{k: _value(getattr(row, k)) for k in EXPERIMENT_KEYS} for row in rows if _runs(row)]
    return {"experiments": plans} if plans else {}


def _runs(row: Experiment) -> bool:
    fields = ("habit", "start", "seed", "blocks", "target", "clinician_agreed", "stopped")
    return not plan_problems(Plan(**{k: getattr(row, k) for k in fields}))


def export_json(source: Engine | Session, *, now: dt.datetime | None = None) -> str:
    """The whole journal as backup JSON text, read in one consistent snapshot."""
    now = now or dt.datetime.now(dt.UTC)
    if isinstance(source, Session):
        return _text_of(source, now)
    if source.dialect.name == "postgresql":  # one snapshot for the nights, cramps and flags
        source = source.execution_options(isolation_level="REPEATABLE READ")
    with Session(source) as session:
        return _text_of(session, now)


def dumps(document: dict[str, Any]) -> str:
    """The text of a backup document: UTF-8 friendly, indented, one trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- Importing --------------------------------------------------------------------------------


def _stage_experiments(session: Session, plans: list[dict[str, Any]]) -> None:
    """Add the file's plans that the journal does not have yet (so importing twice is a no-op)."""
    key = ("habit", "start", "seed", "blocks", "target", "clinician_agreed")
    have = {
        tuple(getattr(row, k) for k in key)
        for row in session.exec(select(Experiment).where(mine(Experiment.account_id)))
    }
    for values in plans:
        if tuple(values[k] for k in key) not in have:
            session.add(Experiment(**values))


def _same_profile(a: Profile, b: Profile) -> bool:
    return all(getattr(a, k) == getattr(b, k) for k in PROFILE_KEYS)


def _profile_action(session: Session, profile: Profile | None, replace: bool) -> str | None:
    """What to do with the file's settings; None when they conflict (and not replace)."""
    if profile is None:
        return "not in the file"
    stored = stored_profile(session=session)
    if stored is None or _same_profile(stored, Profile()):
        return "restored"
    if _same_profile(stored, profile):
        return "unchanged"
    return "replaced" if replace else None


def import_json(*, session: Session, backup: Backup, replace: bool = False) -> RestoreResult:
    """Write the backup in one transaction, or nothing (BackupConflict unless replace).

    New nights keep the file's logged/changed timestamps; replaced nights get a new version.
    """
    try:
        action = _profile_action(session, backup.profile, replace)
    except BaseException:
        session.rollback()
        raise

    def refuse(conflicts: list[dt.date]) -> None:
        if conflicts or action is None:
            raise BackupConflict(conflicts, profile=action is None)

    def settings_and_experiments() -> None:
        _stage_experiments(session, backup.experiments)
        if action in ("restored", "replaced"):
            stage_profile(session=session, profile=backup.profile)

    result = import_nights(
        session=session,
        entries=backup.nights,
        replace=replace,
        stamps=backup.stamps,
        refuse=refuse,
        also=settings_and_experiments,
    )
    return RestoreResult(len(result.added), len(result.updated), len(result.unchanged), action)
