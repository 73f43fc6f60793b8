"""The journal read for analysis: DataFrames for charts, and the summary's counts.

Plain SQL through SQLAlchemy core (no ORM objects). The DataFrames hold one row per night or
per cramp, aggregated per night in the database; the summary's counts (tally_journal) are
made inside the database and come back as a handful of rows, whatever the journal's size.
Statements are built once per shape and take the period as bound parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    case,
    func,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select
from sqlmodel import Session

from tracker.care.pregnancy import LAST_PREGNANT_DAY, TERM_DAYS
from tracker.journal.models import Cramp, Night, Profile, RedFlag

NIGHTS, CRAMPS, FLAGS, PROFILES = (
    Night.__table__,
    Cramp.__table__,
    RedFlag.__table__,
    Profile.__table__,
)
HABITS = ("water_ml", "stretch_min", "active_min", "magnesium_mg", "soreness")
CRAMP_FIELDS = (
    "night",
    "position",
    "time",
    "duration_min",
    "severity",
    "leg",
    "muscle",
    "woke",
    "relief",
    "relieved",
)
NIGHT_COLUMNS = (
    "id",
    "night",
    *HABITS,
    "cramps",
    "woke",
    "worst_severity",
    "longest_duration_min",
    "flags",
    "gestational_days",
    "plan_kept",
)
_CRAMP_KINDS = {
    "position": "Int64",
    "severity": "Int64",
    "duration_min": "Float64",
    "woke": "boolean",
    "relieved": "boolean",
}
Source = Engine | Connection | Session


@dataclass(frozen=True)
class Journal:
    """Nights, cramps and the profile, as read in one transaction."""

    nights: pd.DataFrame
    cramps: pd.DataFrame
    profile: Profile


@contextmanager
def connection(source: Source) -> Iterator[Connection]:
    """A connection from an engine, a session or a connection (one transaction for reads)."""
    if isinstance(source, Connection):
        yield source
    elif isinstance(source, Session):
        yield source.connection()
    else:
        with source.connect() as conn:
            yield conn


def in_period(statement: Select, has_start: bool, has_end: bool) -> Select:
    """Limit a statement on `night` to :start and/or :end (inclusive), as bound parameters."""
    if has_start:
        statement = statement.where(NIGHTS.c.night >= bindparam("start", type_=Date))
    if has_end:
        statement = statement.where(NIGHTS.c.night <= bindparam("end", type_=Date))
    return statement


def period_params(start: dt.date | None, end: dt.date | None, **more: object) -> dict:
    """The bound parameters for a statement built by in_period (None values left out)."""
    return {k: v for k, v in {"start": start, "end": end, **more}.items() if v is not None}


_PROFILE = select(PROFILES).where(PROFILES.c.id == 1)


def load_profile(conn: Connection) -> Profile:
    """The profile row (a blank one when none is saved)."""
    row = conn.execute(_PROFILE).mappings().first()
    return Profile(**row) if row else Profile(id=1)


def pregnancy_window(
    due_date: dt.date | None, birth_date: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """First and last night that tracker.care.pregnancy.dating counts as pregnant (None: none)."""
    if due_date is None:
        return None
    first = due_date - dt.timedelta(days=TERM_DAYS)
    if birth_date is None:
        last = first + dt.timedelta(days=LAST_PREGNANT_DAY)
    else:
        last = birth_date - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def gestational_days(
    nights: pd.Series, due_date: dt.date | None, birth_date: dt.date | None = None
) -> pd.Series:
    """pregnancy.dating(...).days for a column of nights, vectorised (missing if none)."""
    window = pregnancy_window(due_date, birth_date)
    if window is None or nights.empty:
        return pd.Series(pd.NA, index=nights.index, dtype="Int64")
    days = TERM_DAYS - (pd.Timestamp(due_date) - nights).dt.days
    pregnant = nights.between(pd.Timestamp(window[0]), pd.Timestamp(window[1]))
    return days.astype("Int64").where(pregnant, pd.NA)


def _columns(conn: Connection, statement: Select, params: dict) -> dict[str, tuple]:
    """Run a query and return its result column by column."""
    result = conn.execute(statement, params)
    names = list(result.keys())
    rows = result.all()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return dict(zip(names, values, strict=True))


def _dates(values: Sequence) -> np.ndarray:
    """Night dates (ISO text from SQLite, dates from PostgreSQL) as datetime64."""
    if values and isinstance(values[0], str):
        return pd.to_datetime(pd.Index(values), format="%Y-%m-%d").to_numpy("datetime64[ns]")
    return pd.to_datetime(pd.Index(list(values), dtype=object)).to_numpy("datetime64[ns]")


def _numbers(values: Sequence, dtype: str) -> pd.Series:
    """A nullable numeric column (None stays missing: not recorded is not zero)."""
    return pd.Series(pd.array(np.array(values, dtype="float64"), dtype=dtype))


@cache
def _nights_statement(has_start: bool, has_end: bool) -> Select:
    c, n = CRAMPS.c, NIGHTS.c
    statement = (
        select(
            n.id,
            type_coerce(n.night, String).label("night"),  # raw ISO text: parsed vectorised
            *(n[name] for name in HABITS),
            n.plan_kept,
            func.count(c.id).label("cramps"),
            type_coerce(func.max(case((c.woke, 1), else_=0)), Integer).label("woke"),
            func.max(c.severity).label("worst_severity"),
            func.max(c.duration_min).label("longest_duration_min"),
        )
        .select_from(NIGHTS.outerjoin(CRAMPS, c.night_id == n.id))
        .group_by(n.id)
    )
    return in_period(statement, has_start, has_end)


@cache
def _flags_statement(has_start: bool, has_end: bool) -> Select:
    statement = (
        select(FLAGS.c.night_id, NIGHTS.c.night, FLAGS.c.code)
        .select_from(FLAGS.join(NIGHTS, FLAGS.c.night_id == NIGHTS.c.id))
        .order_by(NIGHTS.c.night.desc(), FLAGS.c.code)
    )
    return in_period(statement, has_start, has_end)


def red_flag_rows(
    conn: Connection, start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[int, dt.date, tuple[str, ...]]]:
    """(night id, night, codes) for each night with a warning sign, newest first."""
    statement = _flags_statement(start is not None, end is not None)
    flagged: dict[int, tuple[dt.date, list[str]]] = {}
    for night_id, night, code in conn.execute(statement, period_params(start, end)):
        flagged.setdefault(night_id, (night, []))[1].append(code)  # rare: a short loop
    return [(night_id, night, tuple(codes)) for night_id, (night, codes) in flagged.items()]


def _flag_column(ids: np.ndarray, flags: dict[int, tuple[str, ...]]) -> np.ndarray:
    """Each night's warning-sign codes as a tuple (empty for most nights)."""
    column = np.empty(len(ids), dtype=object)
    column.fill(())
    for position in np.flatnonzero(np.isin(ids, list(flags))):
        column[position] = flags[int(ids[position])]
    return column


def load_nights(
    conn: Connection,
    start: dt.date | None = None,
    end: dt.date | None = None,
    profile: Profile | None = None,
) -> pd.DataFrame:
    """One row per logged night in the period, oldest first, with its cramps aggregated."""
    statement = _nights_statement(start is not None, end is not None)
    cols = _columns(conn, statement, period_params(start, end))
    frame = pd.DataFrame(
        {
            "id": np.asarray(cols["id"], dtype="int64"),
            "night": _dates(cols["night"]),
            **{name: _numbers(cols[name], "Int64") for name in HABITS},
            "cramps": np.asarray(cols["cramps"], dtype="int64"),
            "woke": np.asarray(cols["woke"], dtype="int64") > 0,
            "worst_severity": _numbers(cols["worst_severity"], "Int64"),
            "longest_duration_min": _numbers(cols["longest_duration_min"], "Float64"),
        }
    )
    flags = {night_id: codes for night_id, _, codes in red_flag_rows(conn, start, end)}
    frame["flags"] = _flag_column(frame["id"].to_numpy(), flags)
    due, birth = (profile.due_date, profile.birth_date) if profile else (None, None)
    frame["gestational_days"] = gestational_days(frame["night"], due, birth)
    # Whether she kept her experiment's plan (a habit she named); missing: she did not say.
    frame["plan_kept"] = pd.array(
        [None if v is None else bool(v) for v in cols["plan_kept"]], dtype="boolean"
    )
    return frame.sort_values("night", ignore_index=True)


@cache
def _cramps_statement(columns: tuple[str, ...], has_start: bool, has_end: bool) -> Select:
    selected = [CRAMPS.c.night_id, *(CRAMPS.c[name] for name in columns if name != "night")]
    if "night" in columns:
        selected.append(type_coerce(NIGHTS.c.night, String).label("night"))
    joined = CRAMPS.join(NIGHTS, CRAMPS.c.night_id == NIGHTS.c.id)
    return in_period(select(*selected).select_from(joined), has_start, has_end)


def load_cramps(
    conn: Connection,
    start: dt.date | None = None,
    end: dt.date | None = None,
    columns: Sequence[str] = CRAMP_FIELDS,
) -> pd.DataFrame:
    """One row per cramp of the nights in the period: night_id plus the columns asked for."""
    statement = _cramps_statement(tuple(columns), start is not None, end is not None)
    cols = _columns(conn, statement, period_params(start, end))
    frame = pd.DataFrame({"night_id": np.asarray(cols["night_id"], dtype="int64")})
    for name in columns:
        values = cols[name]
        if name == "night":
            frame[name] = _dates(values)
        elif name in _CRAMP_KINDS:
            frame[name] = _numbers(values, _CRAMP_KINDS[name])
        else:
            frame[name] = pd.Series(list(values), dtype=object if name == "time" else None)
    return frame


def load_journal(
    source: Source,
    start: dt.date | None = None,
    end: dt.date | None = None,
    cramp_columns: Sequence[str] = CRAMP_FIELDS,
) -> Journal:
    """Nights, cramps and profile for the period (default: everything), in one transaction."""
    with connection(source) as conn:
        profile = load_profile(conn)
        nights = load_nights(conn, start, end, profile)
        cramps = load_cramps(conn, start, end, cramp_columns)
    return Journal(nights=nights, cramps=cramps, profile=profile)
