"""The journal read for analysis: DataFrames for charts, and the summary's counts.

Plain SQL through SQLAlchemy core (no ORM objects). The DataFrames hold one row per night or
per cramp, aggregated per night in the database; the summary's counts (tally_journal) are
made inside the database and come back as a handful of rows, whatever the journal's size.
Statements are built once per shape and take the period as bound parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

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
    true,
    type_coerce,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.elements import Label
from sqlmodel import Session

from tracker.care.pregnancy import LAST_PREGNANT_DAY, TERM_DAYS
from tracker.insights.stats import Side
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


# The summary's counts, made in the database: a few rows back, whatever the journal's size.

FACTOR_COLUMNS = {"stretching": "stretch_min", "magnesium": "magnesium_mg"}


@dataclass(frozen=True)
class FactorTally:
    """A habit kept in minutes or mg: nights with it (> 0), without it (0), and before it."""

    with_: Side
    without: Side
    first_night: dt.date | None  # the first night with it in the period
    baseline: Side  # the nights before first_night (all of them when there is none)


@dataclass(frozen=True)
class Tally:
    """Everything the summary counts for one period."""

    first_night: dt.date | None
    last_night: dt.date | None
    nights: int
    nights_with_cramps: int
    cramps: int
    woke_nights: int
    severity_sum: int
    severity_count: int
    durations: tuple[tuple[float, ...], tuple[int, ...]]  # each recorded duration, its cramps
    water: tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...]]  # amount, nights, cramps
    pregnant: tuple[dt.date, dt.date] | None  # first and last night of the period in pregnancy
    factors: dict[str, FactorTally]
    red_flags: tuple[tuple[dt.date, tuple[str, ...]], ...]  # newest night first


@cache
def _night_tally_statement(has_start: bool, has_end: bool, grouped: bool = False) -> Select:
    """Nights and cramps per recorded water amount, split by habit, before/after and window.

    Each night's cramps are counted by a correlated count (SQLite: from the index alone), or
    with grouped=True (PostgreSQL, whose planner ran the correlated count as one index scan per
    night) by one grouped count of the cramp table joined to the nights.
    """
    n = NIGHTS.c
    if grouped:
        counts = (
            select(CRAMPS.c.night_id, func.count().label("k"))
            .group_by(CRAMPS.c.night_id)
            .subquery("counts")
        )
        per_night = func.coalesce(counts.c.k, 0)
        source = NIGHTS.outerjoin(counts, counts.c.night_id == n.id)
    else:
        per_night = (
            select(func.count())
            .select_from(CRAMPS)
            .where(CRAMPS.c.night_id == n.id)
            .correlate(NIGHTS)
            .scalar_subquery()  # counted from the index alone
        )
        source = NIGHTS
    p = in_period(
        select(
            n.night, n.water_ml, *(n[c] for c in FACTOR_COLUMNS.values()), per_night.label("k")
        ).select_from(source),
        has_start,
        has_end,
    )
    # OFFSET 0 keeps the subquery from being folded into the outer query, which would
    # re-run the per-night count for every use of k (SQLite and PostgreSQL alike).
    p = p.offset(0).subquery("p")

    def nights_if(condition: ColumnElement[bool], label: str) -> Label:
        return func.sum(case((condition, 1), else_=0)).label(label + "_nights")

    def cramps_if(condition: ColumnElement[bool], label: str) -> Label:
        return func.sum(case((condition, p.c.k), else_=0)).label(label + "_cramps")

    firsts = in_period(
        select(
            *(
                func.min(case((n[col] > 0, n.night))).label(name)
                for name, col in FACTOR_COLUMNS.items()
            )
        ),
        has_start,
        has_end,
    ).subquery("firsts")  # one row: the first night with each habit
    pregnant = p.c.night.between(
        bindparam("pregnant_from", type_=Date), bindparam("pregnant_to", type_=Date)
    )
    columns = [
        p.c.water_ml,
        func.count().label("nights"),
        func.sum(p.c.k).label("cramps"),
        nights_if(p.c.k > 0, "with_cramps"),
        func.min(p.c.night).label("first"),
        func.max(p.c.night).label("last"),
        func.min(case((pregnant, p.c.night))).label("pregnant_first"),
        func.max(case((pregnant, p.c.night))).label("pregnant_last"),
    ]
    for name, col in FACTOR_COLUMNS.items():
        before = p.c.night < firsts.c[name]
        columns += [
            nights_if(p.c[col] > 0, f"{name}_with"),
            cramps_if(p.c[col] > 0, f"{name}_with"),
            nights_if(p.c[col] == 0, f"{name}_without"),
            cramps_if(p.c[col] == 0, f"{name}_without"),
            nights_if(before, f"{name}_before"),
            cramps_if(before, f"{name}_before"),
            func.min(firsts.c[name]).label(f"{name}_first"),
        ]
    return select(*columns).select_from(p.join(firsts, true())).group_by(p.c.water_ml)


@cache
def _cramp_tally_statement(has_start: bool, has_end: bool) -> Select:
    """Cramps per recorded duration, with severity totals and the nights a cramp woke her."""
    c = CRAMPS.c

    def of_period(statement: Select) -> Select:
        if not (has_start or has_end):
            return statement.select_from(CRAMPS)  # the whole journal: no join needed
        joined = statement.select_from(CRAMPS.join(NIGHTS, c.night_id == NIGHTS.c.id))
        return in_period(joined, has_start, has_end)

    woke = of_period(select(func.count(c.night_id.distinct())).where(c.woke.is_(True)))
    return of_period(
        select(
            c.duration_min,
            func.count().label("cramps"),
            func.sum(c.severity).label("severity_sum"),
            func.count(c.severity).label("severity_count"),
            woke.correlate(None).scalar_subquery().label("woke_nights"),
        )
    ).group_by(c.duration_min)


class _Rows:
    """Totals over the grouped rows of a tally query."""

    def __init__(self, rows: Sequence):
        self.rows = [row._mapping for row in rows]

    def sum(self, key: str) -> int:
        return int(sum(row[key] or 0 for row in self.rows))

    def side(self, label: str) -> Side:
        return Side(self.sum(label + "_nights"), self.sum(label + "_cramps"))

    def pick(self, key: str, choose: Callable[[list], object]) -> Any:
        found = [row[key] for row in self.rows if row[key] is not None]
        return choose(found) if found else None

    def counts(self, value: str, *counts: str) -> tuple[tuple, ...]:
        """(values, counts...) over rows where value was recorded; PostgreSQL's Decimal sums
        become plain numbers."""
        kept = [row for row in self.rows if row[value] is not None]
        values = tuple(float(row[value]) for row in kept)
        return values, *(tuple(int(row[key]) for row in kept) for key in counts)


def tally_journal(
    conn: Connection, profile: Profile, start: dt.date | None = None, end: dt.date | None = None
) -> Tally:
    """Count what the summary needs for the period, inside the database."""
    shape = (start is not None, end is not None)
    window = pregnancy_window(profile.due_date, profile.birth_date) or (dt.date.max, dt.date.min)
    params = period_params(start, end, pregnant_from=window[0], pregnant_to=window[1])
    grouped = conn.dialect.name == "postgresql"
    nights = _Rows(conn.execute(_night_tally_statement(*shape, grouped), params).all())
    cramps = _Rows(conn.execute(_cramp_tally_statement(*shape), period_params(start, end)).all())
    factors = {}
    for name in FACTOR_COLUMNS:
        first = nights.pick(f"{name}_first", min)
        everything = Side(nights.sum("nights"), nights.sum("cramps"))
        factors[name] = FactorTally(
            with_=nights.side(f"{name}_with"),
            without=nights.side(f"{name}_without"),
            first_night=first,
            baseline=nights.side(f"{name}_before") if first else everything,
        )
    pregnant = nights.pick("pregnant_first", min), nights.pick("pregnant_last", max)
    return Tally(
        first_night=nights.pick("first", min),
        last_night=nights.pick("last", max),
        nights=nights.sum("nights"),
        cramps=nights.sum("cramps"),
        nights_with_cramps=nights.sum("with_cramps_nights"),
        woke_nights=int(cramps.pick("woke_nights", max) or 0),
        severity_sum=cramps.sum("severity_sum"),
        severity_count=cramps.sum("severity_count"),
        durations=cramps.counts("duration_min", "cramps"),
        water=nights.counts("water_ml", "nights", "cramps"),
        pregnant=pregnant if pregnant[0] else None,
        factors=factors,
        red_flags=tuple((night, codes) for _, night, codes in red_flag_rows(conn, start, end)),
    )
