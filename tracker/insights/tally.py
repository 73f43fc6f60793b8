"""The summary's counts, made in the database: a few rows back, whatever the journal's size.

tally_journal() runs three grouped queries over the nights, cramps and warning signs of a period
(frames.py reads the same tables as DataFrames; summary.tally_frames counts the same from those).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    bindparam,
    case,
    func,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.elements import Label

from tracker.insights.frames import (
    CRAMPS,
    NIGHTS,
    in_period,
    period_params,
    pregnancy_window,
    red_flag_rows,
)
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
