"""Before/after for a period counted in SQL (tally.habit_starts) against the frame path."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from tracker.insights.frames import load_journal, load_nights, load_profile
from tracker.insights.summary import compute_summary, summarise
from tracker.insights.tally import CrampCounts, HabitStarts, habit_starts, starts_of, tally_nights
from tracker.journal.demo import fill_demo
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Profile
from tracker.journal.plan_store import load_plans, save_plan
from tracker.journal.plans import Plan
from tracker.journal.store import save_night, save_profile

TODAY = dt.date.today()
DAY0 = TODAY - dt.timedelta(days=60)
NO_CRAMPS = CrampCounts(((), ()), 0, 0)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def night(n: int, cramps: int = 0, **habits: int | None) -> NightEntry:
    entries = [CrampEntry(severity=n % 11, duration_min=1.0) for _ in range(cramps)]
    return NightEntry(night=day(n), cramps=entries, **habits)


# Logged out of order (the ids do not follow the nights), with gaps, habits not recorded on
# some nights, magnesium started late and stretching never done (only recorded as 0).
SHUFFLED = (
    night(30, 2, stretch_min=0, magnesium_mg=300),
    night(3, 1, stretch_min=0, magnesium_mg=0),
    night(0, 3),
    night(12, 0, magnesium_mg=0),
    night(31, 1, stretch_min=0, magnesium_mg=300),
    night(7, 4, stretch_min=None, magnesium_mg=0),
    night(45, 0, magnesium_mg=0),
    night(20, 2, stretch_min=0),
)
# The same habits started on one night: one split for both.
TOGETHER = tuple(
    night(n, n % 3, stretch_min=10 * (n >= 9), magnesium_mg=300 * (n >= 9)) for n in range(20)
)


def seed(engine: Engine, entries: tuple[NightEntry, ...]) -> None:
    with Session(engine) as session:
        for entry in entries:
            save_night(session=session, entry=entry)
        save_profile(session=session, profile=Profile(id=1, due_date=day(90)))


def seed_demo(engine: Engine) -> None:
    with Session(engine) as session:
        fill_demo(session=session, seed=5)
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=TODAY - dt.timedelta(days=40), seed=1))


def frame_starts(conn: Connection, end: dt.date | None) -> HabitStarts:
    """The starts as before: every night up to end read into a frame and counted in numpy."""
    profile = load_profile(conn)
    return starts_of(tally_nights(load_nights(conn, None, end, profile), profile, NO_CRAMPS))


def check(engine: Engine, days: list[int | None]) -> None:
    journal = load_journal(engine)
    with engine.connect() as conn:
        plans = [plan for _, plan in load_plans(conn)]
    nights = sorted(journal.nights["night"].dt.date)
    first, last = (nights[0], nights[-1]) if nights else (DAY0, DAY0)
    ends = [None, first - dt.timedelta(days=1), first, last, TODAY]
    ends += [day(n) for n in days if n is not None]
    for end in ends:
        with engine.connect() as conn:
            assert habit_starts(conn, end) == frame_starts(conn, end), end
        for start in {first, last, day(10), end or last}:
            if end is not None and start > end:
                continue
            summary = summarise(session_or_engine=engine, start=start, end=end)
            expected = compute_summary(
                journal.nights, journal.cramps, journal.profile, start, end, plans
            )
            assert summary == expected, (start, end)


@pytest.mark.parametrize("entries", [SHUFFLED, TOGETHER, ()], ids=["shuffled", "together", "empty"])
def test_habit_starts_match_the_frames(engine: Engine, entries: tuple[NightEntry, ...]) -> None:
    seed(engine, entries)
    check(engine, [2, 8, 9, 29, 30, 31, 44])


def test_habit_starts_match_the_frames_on_the_demo_journal(engine: Engine) -> None:
    seed_demo(engine)
    check(engine, [])


def test_a_habit_never_taken_leaves_every_night_before_it(engine: Engine) -> None:
    seed(engine, SHUFFLED)
    with engine.connect() as conn:
        starts = habit_starts(conn, day(29))
    assert starts.first_nights == {"stretching": None, "magnesium": None}
    assert starts.baselines["stretching"] == starts.everything == starts.baselines["magnesium"]
    assert (starts.everything.nights, starts.everything.cramps) == (5, 10)
    with engine.connect() as conn:
        later = habit_starts(conn)
    assert later.first_nights["magnesium"] == day(30)
    assert (later.baselines["magnesium"].nights, later.baselines["magnesium"].cramps) == (5, 10)
