"""The summary's counts for a period, from its nights as frames.load_nights reads them.

The night side (nights, cramps, the habits, before/after, the weeks of pregnancy, warning signs)
is counted from the per-night rows the summary reads anyway for its trend-adjusted models (their
cramps counted per night in the database), in numpy: counting them again in SQL doubled the
database's work. The cramp side (each recorded duration, the severities) is one grouped query:
a few rows back, whatever the journal's size. summary.tally_frames counts the same from frames.

A period's before/after looks at her whole journal up to the period's end: habit_starts counts
what it needs (the first night with each habit, the nights and cramps before it and in all) in
one grouped query, so a short period never reads every night of a long journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.selectable import ScalarSelect

from tracker.insights.frames import CRAMPS, NIGHTS, in_period, period_params, pregnancy_window
from tracker.insights.stats import Side
from tracker.journal.models import Profile

FACTOR_COLUMNS = {"stretching": "stretch_min", "magnesium": "magnesium_mg"}


@dataclass(frozen=True)
class FactorTally:
    """A habit kept in minutes or mg: nights with it (> 0), without it (0), and before it."""

    with_: Side
    without: Side
    first_night: dt.date | None  # the first night with it in the period
    baseline: Side  # the nights before first_night (all of them when there is none)


@dataclass(frozen=True)
class HabitStarts:
    """The nights before/after looks at: all of them, and for each habit (FACTOR_COLUMNS) its
    first night with it (> 0) and the nights before that (all of them when there is none)."""

    everything: Side
    first_nights: dict[str, dt.date | None]
    baselines: dict[str, Side]


@dataclass(frozen=True)
class CrampCounts:
    """The cramp side of a tally: each recorded duration with its cramps, and the severities."""

    durations: tuple[tuple[float, ...], tuple[int, ...]]
    severity_sum: int
    severity_count: int


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
def _cramp_counts_statement(has_start: bool, has_end: bool) -> Select:
    """Cramps per recorded duration, with their severity totals."""
    c = CRAMPS.c
    statement = select(
        c.duration_min,
        func.count().label("cramps"),
        func.sum(c.severity).label("severity_sum"),
        func.count(c.severity).label("severity_count"),
    ).group_by(c.duration_min)
    if not (has_start or has_end):  # the whole journal: no join needed
        return statement.select_from(CRAMPS).where(c.account_id == bindparam("account"))
    joined = statement.select_from(CRAMPS.join(NIGHTS, c.night_id == NIGHTS.c.id))
    return in_period(joined, has_start, has_end)


def cramp_counts(
    conn: Connection, start: dt.date | None = None, end: dt.date | None = None
) -> CrampCounts:
    """Count the period's cramps by duration, and their severities, inside the database."""
    statement = _cramp_counts_statement(start is not None, end is not None)
    rows = conn.execute(statement, period_params(start, end)).all()
    timed = [row for row in rows if row.duration_min is not None]
    return CrampCounts(  # PostgreSQL's sums are Decimal: plain numbers here
        durations=(
            tuple(float(row.duration_min) for row in timed),
            tuple(int(row.cramps) for row in timed),
        ),
        severity_sum=int(sum(row.severity_sum or 0 for row in rows)),
        severity_count=int(sum(row.severity_count for row in rows)),
    )


def _day(stamp: np.datetime64) -> dt.date:
    return pd.Timestamp(stamp).date()


def _numbers(nights: pd.DataFrame, column: str) -> np.ndarray:
    """A nullable column as float64, missing as NaN (which no comparison selects)."""
    return nights[column].to_numpy("float64", na_value=np.nan)


def amount_counts(nights: pd.DataFrame, column: str) -> tuple[tuple, tuple, tuple]:
    """(amounts, nights, cramps) for each recorded amount of a habit column, smallest first."""
    values = _numbers(nights, column)
    recorded = ~np.isnan(values)
    amounts, which = np.unique(values[recorded], return_inverse=True)
    cramps = nights["cramps"].to_numpy("int64")[recorded]
    return (
        tuple(float(a) for a in amounts),
        tuple(int(n) for n in np.bincount(which, minlength=len(amounts))),
        tuple(int(k) for k in np.bincount(which, weights=cramps, minlength=len(amounts))),
    )


def _factor(night: np.ndarray, k: np.ndarray, values: np.ndarray) -> FactorTally:
    with_, without = values > 0, values == 0
    first = night[with_].min() if with_.any() else None
    before = night < first if first is not None else np.ones(len(night), bool)
    return FactorTally(
        with_=Side(int(with_.sum()), int(k[with_].sum())),
        without=Side(int(without.sum()), int(k[without].sum())),
        first_night=_day(first) if first is not None else None,
        baseline=Side(int(before.sum()), int(k[before].sum())),
    )


def tally_nights(nights: pd.DataFrame, profile: Profile, cramps: CrampCounts) -> Tally:
    """The period's tally from its nights (a frame of frames.load_nights) and its cramp counts."""
    night = nights["night"].to_numpy("datetime64[ns]")
    k = nights["cramps"].to_numpy("int64")
    window = pregnancy_window(profile.due_date, profile.birth_date)
    if window:
        low, high = (np.datetime64(pd.Timestamp(day)) for day in window)
        pregnant = night[(night >= low) & (night <= high)]
    else:
        pregnant = night[:0]
    flags: Sequence = nights["flags"].to_numpy(object)
    flagged = np.flatnonzero([len(codes) > 0 for codes in flags])
    newest_first = flagged[np.argsort(night[flagged], kind="stable")[::-1]]
    return Tally(
        first_night=_day(night.min()) if len(night) else None,
        last_night=_day(night.max()) if len(night) else None,
        nights=len(night),
        nights_with_cramps=int((k > 0).sum()),
        cramps=int(k.sum()),
        woke_nights=int(nights["woke"].to_numpy(bool).sum()),
        severity_sum=cramps.severity_sum,
        severity_count=cramps.severity_count,
        durations=cramps.durations,
        water=amount_counts(nights, "water_ml"),
        pregnant=(_day(pregnant.min()), _day(pregnant.max())) if len(pregnant) else None,
        factors={
            name: _factor(night, k, _numbers(nights, column))
            for name, column in FACTOR_COLUMNS.items()
        },
        red_flags=tuple((_day(night[i]), flags[i]) for i in newest_first),
    )


def starts_of(tally: Tally) -> HabitStarts:
    """The habit starts of a tally's nights (the same numbers habit_starts counts in SQL)."""
    return HabitStarts(
        everything=Side(tally.nights, tally.cramps),
        first_nights={name: f.first_night for name, f in tally.factors.items()},
        baselines={name: f.baseline for name, f in tally.factors.items()},
    )


def _count(source, *where: ColumnElement[bool]) -> ScalarSelect:  # noqa: ANN001
    return select(func.count()).select_from(source).where(*where).scalar_subquery()


@cache
def _habit_starts_statement(has_end: bool) -> Select:
    """The first night with each habit up to :end, and the nights and cramps before it and in
    all; each a range of the index on the night or a count from the cramps' index, so the
    query reads about as many index entries as there are nights before a start."""
    n = NIGHTS.c
    cramps = CRAMPS.join(NIGHTS, CRAMPS.c.night_id == n.id)
    end, account = bindparam("end", type_=Date), bindparam("account")
    hers, her_cramps = n.account_id == account, CRAMPS.c.account_id == account
    first_select = {
        name: select(n.night)
        .where(hers, n[col] > 0, *([n.night <= end] if has_end else []))
        .order_by(n.night)  # walks the index from her first night: stops at the first with it
        .limit(1)
        .scalar_subquery()
        .label(name)
        for name, col in FACTOR_COLUMNS.items()
    }
    firsts = select(*first_select.values()).subquery("firsts")  # one row (NULL: never)
    # Up to :end: all of them but those after it (counting a whole table is quick).
    columns = [
        *(firsts.c[name] for name in FACTOR_COLUMNS),
        (_count(NIGHTS, hers) - (_count(NIGHTS, hers, n.night > end) if has_end else 0)).label(
            "nights"
        ),
        (
            _count(CRAMPS, her_cramps) - (_count(cramps, hers, n.night > end) if has_end else 0)
        ).label("cramps"),
    ]
    for name in FACTOR_COLUMNS:  # the first night is on or before :end: no need to say so
        before = n.night < firsts.c[name]
        columns.append(_count(NIGHTS, hers, before).label(f"{name}_nights"))
        columns.append(_count(cramps, hers, before).label(f"{name}_cramps"))
    return select(*columns).select_from(firsts)


def _as_day(value: object) -> dt.date | None:
    """A night from the database (a date, or SQLite's ISO text where a type was lost)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def habit_starts(conn: Connection, end: dt.date | None = None) -> HabitStarts:
    """The habit starts of every night up to end (default: the whole journal), in SQL."""
    statement = _habit_starts_statement(end is not None)
    row = conn.execute(statement, period_params(None, end)).one()._mapping
    everything = Side(int(row["nights"]), int(row["cramps"]))
    firsts = {name: _as_day(row[name]) for name in FACTOR_COLUMNS}
    return HabitStarts(
        everything=everything,
        first_nights=firsts,
        baselines={  # with no first night, every night comes before it
            name: everything
            if firsts[name] is None
            else Side(int(row[f"{name}_nights"]), int(row[f"{name}_cramps"]))
            for name in FACTOR_COLUMNS
        },
    )
