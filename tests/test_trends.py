"""What the Trends page shows above its charts: the period's bounds and the headline numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from tracker.models import Profile
from tracker.pregnancy import TERM_DAYS
from tracker.summary import Summary
from tracker.trends import PERIODS, headline, period_bounds

LAST = dt.date(2026, 5, 31)
DUE = dt.date(2026, 8, 1)
CONCEPTION = DUE - dt.timedelta(days=TERM_DAYS)  # 2025-10-25
NO_DUE = Profile(id=1)
WITH_DUE = Profile(id=1, due_date=DUE)


# ------------------------------------------------------------------ period_bounds


@pytest.mark.parametrize(
    ("choice", "days"), [("Last 2 weeks", 14), ("Last 4 weeks", 28), ("Last 12 weeks", 84)]
)
def test_last_weeks_end_last_night_and_hold_that_many_nights(choice: str, days: int) -> None:
    start, end = period_bounds(choice, LAST, WITH_DUE, first_logged=dt.date(2020, 1, 1))
    assert end == LAST
    assert (end - start).days + 1 == days == PERIODS[choice]


def test_custom_range_in_order_reversed_or_a_single_date() -> None:
    a, b = dt.date(2026, 3, 1), dt.date(2026, 3, 20)
    assert period_bounds("Custom", LAST, NO_DUE, (a, b)) == (a, b)
    assert period_bounds("Custom", LAST, NO_DUE, (b, a)) == (a, b)  # picked backwards
    assert period_bounds("Custom", LAST, NO_DUE, (a,)) == (a, a)  # second date not picked yet
    assert period_bounds("Custom", LAST, NO_DUE, (a, a)) == (a, a)


def test_custom_with_nothing_picked_falls_back_to_the_whole_pregnancy() -> None:
    first = dt.date(2026, 1, 10)
    whole = period_bounds("Whole pregnancy", LAST, WITH_DUE, first_logged=first)
    assert period_bounds("Custom", LAST, WITH_DUE, (), first) == whole
    assert period_bounds("Custom", LAST, WITH_DUE, None, first) == whole


def test_whole_pregnancy_starts_at_the_later_of_conception_and_the_first_night() -> None:
    logged_early = dt.date(2025, 9, 1)  # a diary kept from before this pregnancy
    assert period_bounds("Whole pregnancy", LAST, WITH_DUE, None, logged_early) == (
        CONCEPTION,
        LAST,
    )
    logged_late = dt.date(2026, 2, 14)
    assert period_bounds("Whole pregnancy", LAST, WITH_DUE, None, logged_late) == (
        logged_late,
        LAST,
    )


def test_whole_pregnancy_without_a_due_date_is_everything_logged() -> None:
    first = dt.date(2024, 6, 1)
    assert period_bounds("Whole pregnancy", LAST, NO_DUE, None, first) == (first, LAST)
    assert period_bounds("Whole pregnancy", LAST, NO_DUE, None, None) == (None, LAST)
    assert period_bounds("Whole pregnancy", LAST, WITH_DUE, None, None) == (None, LAST)


# ------------------------------------------------------------------ headline


def summary(nights: int, with_cramps: int, cramps: int, severity: float | None) -> Summary:
    """A summary with just the numbers the headline reads."""
    return Summary(
        first_night=None,
        last_night=None,
        nights_logged=nights,
        nights_with_cramps=with_cramps,
        cramps=cramps,
        woke_nights=0,
        mean_severity=severity,
        median_duration_min=None,
        longest_duration_min=None,
        gestational_weeks=None,
        red_flag_nights=(),
        comparisons=(),
        before_after=(),
    )


def by_label(metrics) -> dict:  # noqa: ANN001
    return {m.label: m for m in metrics}


START, END = dt.date(2026, 5, 4), LAST  # 28 nights


def test_headline_values_and_changes_against_the_period_before() -> None:
    now = summary(nights=20, with_cramps=15, cramps=40, severity=6.25)  # 14.0 a week, 75%
    before = summary(nights=25, with_cramps=10, cramps=25, severity=5.0)  # 7.0 a week, 40%
    metrics = by_label(headline(now, before, START, END))
    assert list(metrics) == [
        "Cramps per week",
        "Nights with cramps",
        "Average severity",
        "Nights logged",
    ]
    assert (metrics["Cramps per week"].value, metrics["Cramps per week"].delta) == ("14.0", "+7.0")
    assert (metrics["Nights with cramps"].value, metrics["Nights with cramps"].delta) == (
        "75%",
        "+35 points",
    )
    assert (metrics["Average severity"].value, metrics["Average severity"].delta) == (
        "6.2 / 10",
        "+1.2",
    )
    assert (metrics["Nights logged"].value, metrics["Nights logged"].delta) == ("20 of 28", None)
    assert metrics["Nights with cramps"].help == "15 of 20 logged nights"
    assert all(m.help for m in metrics.values())


def test_fewer_cramps_than_before_is_a_negative_change() -> None:
    now = summary(nights=14, with_cramps=2, cramps=2, severity=3.0)
    before = summary(nights=14, with_cramps=7, cramps=14, severity=5.5)
    metrics = by_label(headline(now, before, START, END))
    assert metrics["Cramps per week"].delta == "-6.0"
    assert metrics["Nights with cramps"].delta == "-36 points"
    assert metrics["Average severity"].delta == "-2.5"


@pytest.mark.parametrize(
    "before", [None, summary(nights=0, with_cramps=0, cramps=0, severity=None)]
)
def test_no_changes_without_a_period_before(before: Summary | None) -> None:
    now = summary(nights=10, with_cramps=5, cramps=6, severity=4.0)
    metrics = headline(now, before, START, END)
    assert [m.delta for m in metrics] == [None, None, None, None]
    assert [m.value for m in metrics] == ["4.2", "50%", "4.0 / 10", "10 of 28"]


def test_nights_without_cramps_have_no_severity_and_no_severity_change() -> None:
    now = summary(nights=7, with_cramps=0, cramps=0, severity=None)
    before = summary(nights=7, with_cramps=3, cramps=4, severity=5.0)
    metrics = by_label(headline(now, before, START, END))
    assert metrics["Cramps per week"].value == "0.0"
    assert metrics["Cramps per week"].delta == "-4.0"
    assert metrics["Nights with cramps"].value == "0%"
    assert (metrics["Average severity"].value, metrics["Average severity"].delta) == ("–", None)
    # and the other way round: no severity before, so no change to show
    metrics = by_label(headline(before, replace(now, nights_logged=7), START, END))
    assert metrics["Average severity"].delta is None


def test_empty_period_shows_dashes_not_zeros() -> None:
    empty = summary(nights=0, with_cramps=0, cramps=0, severity=None)
    before = summary(nights=7, with_cramps=3, cramps=4, severity=5.0)
    metrics = headline(empty, before, START, END)
    assert [m.value for m in metrics] == ["–", "–", "–", "0 of 28"]
    assert [m.delta for m in metrics] == [None, None, None, None]


def test_everything_logged_has_no_day_count() -> None:
    now = summary(nights=3, with_cramps=1, cramps=1, severity=2.0)
    logged = by_label(headline(now, None, None, END))["Nights logged"]
    assert logged.value == "3"


def test_the_journal_stamp_changes_with_every_save_delete_and_setting(sqlite_engine) -> None:
    from sqlmodel import Session

    from tests.factories import days_ago, make_entry, make_profile
    from tracker.journal import NEW, delete_night, save_night, save_profile
    from tracker.trends import journal_stamp

    seen = [journal_stamp(sqlite_engine)]
    with Session(sqlite_engine) as s:
        save_night(session=s, entry=make_entry(days_ago(2)), expected_version=NEW)
    seen.append(journal_stamp(sqlite_engine))
    with Session(sqlite_engine) as s:
        save_night(session=s, entry=make_entry(days_ago(2), notes="changed"), expected_version=1)
    seen.append(journal_stamp(sqlite_engine))
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=make_profile())
    seen.append(journal_stamp(sqlite_engine))
    with Session(sqlite_engine) as s:
        delete_night(session=s, night=days_ago(2))
    seen.append(journal_stamp(sqlite_engine))
    assert len(set(seen)) == len(seen)
    assert journal_stamp(sqlite_engine) == seen[-1]  # and stays put while nothing changes
