"""The journal read for analysis: DataFrames for the charts and the summary.

Plain SQL through SQLAlchemy core (no ORM objects). The DataFrames hold one row per night or
per cramp, aggregated per night in the database (tally.py counts the summary from the nights).
Statements are built once per shape and take the period as bound parameters. The DataFrames'
rows are read as the driver gives them and converted a column at a time (SQLAlchemy's per-row
result processing cost five times the query on a long journal); a column that SQLAlchemy would
convert (SQLite's ISO text for a time) goes through that same type's own result processor.
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
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.engine.cursor import CursorFetchStrategy
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from tracker.care.pregnancy import LAST_PREGNANT_DAY, TERM_DAYS
from tracker.journal.accounts import current_journal
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
    """Limit a statement on `night` to the journal being read (:account, a second line behind
    row-level security) and to :start and/or :end (inclusive), as bound parameters."""
    statement = statement.where(NIGHTS.c.account_id == bindparam("account"))
    if has_start:
        statement = statement.where(NIGHTS.c.night >= bindparam("start", type_=Date))
    if has_end:
        statement = statement.where(NIGHTS.c.night <= bindparam("end", type_=Date))
    return statement


def period_params(start: dt.date | None, end: dt.date | None, **more: object) -> dict:
    """The bound parameters for a statement built by in_period (None dates left out; no
    journal at all, None, matches no row)."""
    given = {k: v for k, v in {"start": start, "end": end, **more}.items() if v is not None}
    return {"account": current_journal(), **given}


_PROFILE = select(PROFILES).where(PROFILES.c.account_id == bindparam("account"))


def load_profile(conn: Connection) -> Profile:
    """Her profile row (a blank one when none is saved)."""
    row = conn.execute(_PROFILE, {"account": current_journal()}).mappings().first()
    return Profile(**row) if row else Profile()


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
    days = _gestational_days(nights.to_numpy("datetime64[ns]"), due_date, birth_date)
    return pd.Series(days, index=nights.index)


def _gestational_days(
    nights: np.ndarray, due_date: dt.date | None, birth_date: dt.date | None
) -> pd.arrays.IntegerArray:
    """gestational_days on an array of datetime64[ns] nights."""
    window = pregnancy_window(due_date, birth_date)
    if window is None:
        return pd.arrays.IntegerArray(np.zeros(len(nights), "int64"), np.ones(len(nights), bool))
    low, high = (np.datetime64(day, "ns") for day in window)
    days = TERM_DAYS - (np.datetime64(due_date, "ns") - nights) // np.timedelta64(1, "D")
    return pd.arrays.IntegerArray(days.astype("int64"), ~((nights >= low) & (nights <= high)))


def _columns(conn: Connection, statement: Select, params: dict) -> dict[str, tuple]:
    """Run a query and return its result column by column, each value as the driver gave it
    (see _processed for the types SQLAlchemy would convert)."""
    result = conn.execute(statement, params)
    try:
        names = list(result.keys())
        if type(result.cursor_strategy) is CursorFetchStrategy:
            rows = result.cursor.fetchall()  # the driver's tuples, without a Row for each
        else:  # pragma: no cover (a buffered or server-side result: SQLAlchemy's own rows)
            rows = result.all()
    finally:
        result.close()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return dict(zip(names, values, strict=True))


def _processed(values: Sequence, column: ColumnElement, dialect: Dialect) -> list:
    """Driver values as SQLAlchemy would return them for this column (e.g. SQLite's ISO text
    of a time as datetime.time), each distinct value converted once."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    if process is None:
        return list(values)
    converted = {value: process(value) for value in set(values)}
    return [converted[value] for value in values]


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _dates(values: Sequence) -> np.ndarray:
    """Night dates (ISO text from SQLite, dates from PostgreSQL) as datetime64[ns]."""
    if values and isinstance(values[0], dt.date):  # numpy reads date objects slowly: ordinals
        ordinals = np.fromiter((day.toordinal() for day in values), "int64", len(values))
        return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[ns]")
    return np.array(values, dtype="datetime64[D]").astype("datetime64[ns]")  # ISO text


def _numbers(values: Sequence, dtype: str) -> pd.api.extensions.ExtensionArray:
    """A nullable column of whole numbers ("Int64"), numbers ("Float64") or yes/no ("boolean")
    from the driver's values (None stays missing: not recorded is not zero)."""
    floats = np.array(values, dtype="float64")
    missing = np.isnan(floats)
    if dtype == "Float64":
        return pd.arrays.FloatingArray(floats, missing)
    if dtype == "boolean":
        return pd.arrays.BooleanArray((floats != 0) & ~missing, missing)
    return pd.arrays.IntegerArray(np.where(missing, 0, floats).astype("int64"), missing)


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
        # From a start: grouped along the index on the night, so SQLite reads only the
        # period's nights (grouped by id alone it scanned the whole table in id order).
        .group_by(*([n.night] if has_start else []), n.id)
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
    ids, night = np.asarray(cols["id"], dtype="int64"), _dates(cols["night"])
    flags = {night_id: codes for night_id, _, codes in red_flag_rows(conn, start, end)}
    due, birth = (profile.due_date, profile.birth_date) if profile else (None, None)
    columns = {
        "id": ids,
        "night": night,
        **{name: _numbers(cols[name], "Int64") for name in HABITS},
        "cramps": np.asarray(cols["cramps"], dtype="int64"),
        "woke": np.asarray(cols["woke"], dtype="int64") > 0,
        "worst_severity": _numbers(cols["worst_severity"], "Int64"),
        "longest_duration_min": _numbers(cols["longest_duration_min"], "Float64"),
        "flags": _flag_column(ids, flags),
        "gestational_days": _gestational_days(night, due, birth),
        # Whether she kept her experiment's plan (a habit she named); missing: not said.
        "plan_kept": _numbers(cols["plan_kept"], "boolean"),
    }
    if not (np.diff(night) >= np.timedelta64(0)).all():  # oldest first (each night is unique)
        order = np.argsort(night, kind="stable")
        columns = {name: values[order] for name, values in columns.items()}
    return pd.DataFrame(columns)


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
    built: dict[str, object] = {"night_id": np.asarray(cols["night_id"], dtype="int64")}
    for name in columns:
        values = cols[name]
        if name == "night":
            built[name] = _dates(values)
        elif name in _CRAMP_KINDS:
            built[name] = _numbers(values, _CRAMP_KINDS[name])
        else:
            values = _processed(values, CRAMPS.c[name], conn.dialect)
            built[name] = pd.Series(values, dtype=object if name == "time" else None)
    return pd.DataFrame(built)


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


def with_night_read_again(journal: Journal, conn: Connection, night: dt.date) -> Journal:
    """The frames of the whole journal with one night (its row and its cramps) read again from
    conn, the rest kept: what load_journal would read, when nothing else has changed since."""
    fresh = load_nights(conn, night, night, journal.profile)
    columns = [name for name in journal.cramps.columns if name != "night_id"]
    fresh_cramps = load_cramps(conn, night, night, columns)
    nights, cramps = journal.nights, journal.cramps
    was = nights["night"].to_numpy() == np.datetime64(night, "ns")
    gone = nights["id"].to_numpy()[was]
    kept = nights[~was]
    at = int(np.searchsorted(kept["night"].to_numpy(), np.datetime64(night, "ns")))
    nights = _joined([kept.iloc[:at], fresh, kept.iloc[at:]])  # oldest first, as read
    if len(gone) or len(fresh_cramps):
        cramps = _joined([cramps[~np.isin(cramps["night_id"].to_numpy(), gone)], fresh_cramps])
    return Journal(nights=nights, cramps=cramps, profile=journal.profile)


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after the other, renumbered (empty ones left out: pandas would guess
    their columns' types)."""
    full = [part for part in parts if len(part)]
    if not full:
        return parts[0].iloc[:0].reset_index(drop=True)
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0].reset_index(drop=True)
