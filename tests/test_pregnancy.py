"""Pregnancy dating: weeks+days from the due date, trimesters, and after the birth."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.care.pregnancy import date_for_week, dating, gestational_days

DUE = dt.date(2026, 6, 15)


def on_day(weeks: int, days: int) -> dt.date:
    """The date on which she is weeks+days pregnant with the due date DUE."""
    return DUE - dt.timedelta(days=280 - (weeks * 7 + days))


def test_31_plus_4_from_the_due_date() -> None:
    night = DUE - dt.timedelta(days=280 - 221)  # 221 days = 31 weeks 4 days
    dated = dating(night, DUE)
    assert (dated.days, dated.week, dated.label) == (221, 31, "31+4")
    assert dated.long_label == "week 31+4, trimester 3"


def test_the_due_date_itself_is_40_plus_0() -> None:
    assert gestational_days(DUE, DUE) == 280
    assert dating(DUE, DUE).label == "40+0"


@pytest.mark.parametrize(
    ("weeks", "days", "trimester"),
    [(0, 0, 1), (13, 6, 1), (14, 0, 2), (27, 6, 2), (28, 0, 3), (41, 2, 3)],
)
def test_trimester_borders(weeks: int, days: int, trimester: int) -> None:
    dated = dating(on_day(weeks, days), DUE)
    assert dated.label == f"{weeks}+{days}"
    assert dated.trimester == trimester


def test_after_the_birth_she_is_postpartum() -> None:
    birth = DUE - dt.timedelta(days=9)
    assert dating(birth - dt.timedelta(days=1), DUE, birth).label == "38+4"
    on_the_day = dating(birth, DUE, birth)
    assert (on_the_day.days, on_the_day.postpartum_days, on_the_day.label) == (
        None,
        0,
        "postpartum 0+0",
    )
    later = dating(birth + dt.timedelta(days=10), DUE, birth)
    assert (later.week, later.trimester, later.label) == (None, None, "postpartum 1+3")
    assert later.long_label == "1 week 3 days after birth"


def test_a_birth_date_without_a_due_date_still_dates_postpartum() -> None:
    birth = dt.date(2026, 6, 1)
    assert dating(birth + dt.timedelta(days=43), None, birth).label == "postpartum 6+1"


def test_without_a_due_date_nothing_is_guessed() -> None:
    dated = dating(DUE, None)
    assert (dated.days, dated.week, dated.trimester, dated.label) == (None, None, None, "")


def test_dates_outside_a_pregnancy_are_not_dated() -> None:
    assert dating(on_day(0, 0) - dt.timedelta(days=1), DUE).days is None
    assert dating(on_day(42, 6), DUE).label == "42+6"
    assert dating(on_day(43, 0), DUE).days is None


@given(st.integers(0, 42))
def test_date_for_week_starts_that_week(week: int) -> None:
    assert dating(date_for_week(week, DUE), DUE).label == f"{week}+0"


@given(st.integers(0, 42 * 7 + 6))
def test_label_and_trimester_agree_with_the_day_count(days: int) -> None:
    dated = dating(DUE - dt.timedelta(days=280 - days), DUE)
    assert dated.label == f"{days // 7}+{days % 7}"
    assert dated.trimester == (1 if days <= 13 * 7 + 6 else 2 if days <= 27 * 7 + 6 else 3)
