"""What the Trends page shows above its charts: the period's bounds and the headline numbers."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from tests.readability import sentences, too_hard
from tracker.care.pregnancy import TERM_DAYS
from tracker.insights.stats import (
    MIN_NIGHTS_FOR_RATE,
    NOT_FITTED,
    Adjusted,
    BeforeAfter,
    Comparison,
    Side,
    compare,
)
from tracker.insights.summary import Summary
from tracker.insights.trends import PERIODS, TOO_FEW, before_words, headline, period_bounds
from tracker.insights.wording import about, adjustment_changes, describe, explain, range_sentence
from tracker.journal.models import Profile

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
    week, share, severity = (metrics[k] for k in list(metrics)[:3])
    assert (week.value, week.delta) == ("14.0", "7 more cramps a week than the 4 weeks before")
    assert (share.value, share.delta) == ("75%", "35 more in 100 nights than the 4 weeks before")
    assert (severity.value, severity.delta) == ("6.2 / 10", "1.2 higher than the 4 weeks before")
    assert {(m.arrow, m.color) for m in (week, share, severity)} == {("up", "red")}
    assert (metrics["Nights logged"].value, metrics["Nights logged"].delta) == ("20 of 28", None)
    assert metrics["Nights with cramps"].help.startswith("15 of 20 logged nights")
    assert all(m.help for m in metrics.values())


def test_fewer_cramps_than_before_is_a_fall_in_green_never_red() -> None:
    now = summary(nights=14, with_cramps=2, cramps=2, severity=3.0)
    before = summary(nights=14, with_cramps=7, cramps=14, severity=5.5)
    metrics = by_label(headline(now, before, START, END))
    assert metrics["Cramps per week"].delta == "6 fewer cramps a week than the 4 weeks before"
    assert metrics["Nights with cramps"].delta == "36 fewer in 100 nights than the 4 weeks before"
    assert metrics["Average severity"].delta == "2.5 lower than the 4 weeks before"
    assert {(m.arrow, m.color) for m in metrics.values() if m.delta} == {("down", "green")}


def test_no_change_says_about_the_same_without_an_arrow_or_colour() -> None:
    """Not "+0 in 100 nights" in red: a change that rounds to nothing is "about the same"."""
    now = summary(nights=28, with_cramps=14, cramps=28, severity=5.0)
    before = summary(nights=400, with_cramps=199, cramps=400, severity=5.04)  # 49.75%
    for m in headline(now, before, START, END)[:3]:
        assert m.delta == "About the same as the 4 weeks before", m
        assert (m.arrow, m.color) == ("off", "off")


def test_one_fewer_is_said_in_the_singular() -> None:
    now = summary(nights=14, with_cramps=6, cramps=12, severity=4.0)  # 6 a week
    before = summary(nights=14, with_cramps=7, cramps=14, severity=4.0)  # 7 a week
    week = by_label(headline(now, before, START, END))["Cramps per week"]
    assert week.delta == "1 fewer cramp a week than the 4 weeks before"


@pytest.mark.parametrize(
    ("days", "words"),
    [(7, "the week before"), (14, "the 2 weeks before"), (84, "the 12 weeks before"),
     (10, "the 10 nights before"), (1, "the night before")],
)  # fmt: skip
def test_the_badge_names_the_period_it_compares_with(days: int, words: str) -> None:
    assert before_words(END - dt.timedelta(days=days - 1), END) == words


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
    assert metrics["Cramps per week"].delta == "4 fewer cramps a week than the 4 weeks before"
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


@pytest.mark.parametrize("nights", [1, 2, MIN_NIGHTS_FOR_RATE - 1])
def test_below_the_minimum_a_week_is_too_few_nights_to_tell_not_projected(nights: int) -> None:
    """From a night or two, "7.0 cramps a week" looked certain: a count is shown instead."""
    assert MIN_NIGHTS_FOR_RATE > 3  # three nights looked certain too (issue 21)
    now = summary(nights=nights, with_cramps=1, cramps=1, severity=6.0)
    before = summary(nights=28, with_cramps=20, cramps=30, severity=5.0)
    assert now.cramps_per_week is None  # the one summary gives no weekly rate either
    metrics = by_label(headline(now, before, START, END))
    week = metrics["Cramps per week"]
    assert (week.value, week.delta, week.arrow, week.color) == ("–", TOO_FEW, "off", "off")
    assert TOO_FEW == "Too few nights to tell"
    assert f"at least {MIN_NIGHTS_FOR_RATE} logged nights" in week.help
    assert metrics["Nights with cramps"].value == f"1 of {nights}"  # a count, not "100%"
    assert [metrics[k].delta for k in ("Nights with cramps", "Average severity")] == [None, None]
    assert metrics["Average severity"].value == "6.0 / 10"  # what she logged, not a projection


def test_at_the_minimum_the_week_is_given_and_a_thin_period_before_is_not_compared() -> None:
    now = summary(nights=MIN_NIGHTS_FOR_RATE, with_cramps=4, cramps=4, severity=6.0)
    assert by_label(headline(now, None, START, END))["Cramps per week"].value == "7.0"
    thin = summary(nights=MIN_NIGHTS_FOR_RATE - 1, with_cramps=0, cramps=0, severity=None)
    metrics = headline(now, thin, START, END)
    assert [m.delta for m in metrics] == [None, None, None, None]
    assert "No change is given" in metrics[0].help


def test_nights_logged_count_from_her_first_night_when_the_period_starts_before() -> None:
    now = summary(nights=3, with_cramps=1, cramps=1, severity=2.0)
    started = END - dt.timedelta(days=2)
    logged = by_label(headline(now, None, START, END, first_logged=started))["Nights logged"]
    assert logged.value == "3 of 3"
    earlier = by_label(headline(now, None, START, END, first_logged=START - dt.timedelta(days=9)))
    assert earlier["Nights logged"].value == "3 of 28"


def test_everything_logged_has_no_day_count() -> None:
    now = summary(nights=3, with_cramps=1, cramps=1, severity=2.0)
    logged = by_label(headline(now, None, None, END))["Nights logged"]
    assert logged.value == "3"


def test_the_journal_stamp_changes_with_every_save_delete_and_setting(sqlite_engine) -> None:
    from sqlmodel import Session

    from tests.factories import days_ago, make_entry, make_profile
    from tracker.journal.store import NEW, delete_night, journal_stamp, save_night, save_profile

    seen = [journal_stamp(sqlite_engine)]
    with Session(sqlite_engine) as s:
        logged = save_night(session=s, entry=make_entry(days_ago(2)), expected_version=NEW).version
    seen.append(journal_stamp(sqlite_engine))
    with Session(sqlite_engine) as s:
        changed = make_entry(days_ago(2), notes="changed")
        save_night(session=s, entry=changed, expected_version=logged)
    seen.append(journal_stamp(sqlite_engine))
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=make_profile())
    seen.append(journal_stamp(sqlite_engine))
    with Session(sqlite_engine) as s:
        delete_night(session=s, night=days_ago(2))
    seen.append(journal_stamp(sqlite_engine))
    assert len(set(seen)) == len(seen)
    assert journal_stamp(sqlite_engine) == seen[-1]  # and stays put while nothing changes


# ---------------------------------------------------------------- plain words, grade 8


SIDES = [Side(0, 0), Side(2, 1), Side(3, 0), Side(5, 2), Side(14, 8), Side(9, 13), Side(40, 90)]
ADJUSTED = [
    None,
    Adjusted(0.42, 0.21, 0.85, 30, "week of pregnancy"),
    Adjusted(1.05, 0.6, 1.8, 30, "date"),
    Adjusted(3.1, 1.4, 6.9, 30, "week of pregnancy"),
    *(Adjusted(None, None, None, 30, "date", reason) for reason in NOT_FITTED),
]


def every_generated_sentence() -> list[str]:
    """What describe and explain can say on Trends, over every branch, plus the headlines."""
    said: list[str] = []
    for factor in ("stretching", "magnesium", "water", "activity"):
        for a, b in itertools.product(SIDES, SIDES):
            for adjusted in ADJUSTED:
                c = Comparison(factor, a, b, compare(a, b), 1750.0, adjusted)
                said += describe(c, "litres") + explain(c, "glasses (250 ml)")
        none = Comparison(factor, Side(0, 0), Side(0, 0), compare(Side(0, 0), Side(0, 0)))
        said += describe(none) + explain(none)
    for first in (None, dt.date(2026, 3, 2)):
        for a, b in itertools.product(SIDES, SIDES):
            item = BeforeAfter("magnesium", first, a, b, compare(b, a))
            said += describe(item) + explain(item)
    now = summary(nights=20, with_cramps=15, cramps=40, severity=6.25)
    said += [m.help for m in headline(now, now, START, END)]
    return said


def test_every_generated_sentence_reads_at_grade_8_or_lower() -> None:
    said = every_generated_sentence()
    assert len(sentences(said)) > 1000  # the grid reaches every branch, many times over
    assert too_hard(said) == []


def test_the_grade_check_can_fail() -> None:
    hard = "Notwithstanding considerable heterogeneity, the multiplicative association persisted."
    assert too_hard([hard]) and not too_hard(["That is about half as many."])


@pytest.mark.parametrize(
    ("ratio", "words"),
    [
        (0.5, "about half as many"),
        (0.52, "about half as many"),
        (0.26, "about a quarter as many"),
        (0.97, "about the same number"),
        (1.3, "about a quarter more"),
        (2.1, "about twice as many"),
        (3.2, "about three times as many"),
        (0.05, "less than a tenth as many"),
        (25, "more than ten times as many"),
    ],
)
def test_ratios_are_said_as_a_person_says_them(ratio: float, words: str) -> None:
    assert about(ratio) == words


def test_a_wide_range_is_too_few_nights_to_tell() -> None:
    assert range_sentence(0.5, 5.2) == (
        "The likely range runs from half as many to five times as many: too few nights to tell."
    )
    assert range_sentence(0.3, 0.7).endswith("so fewer either way.")
    assert range_sentence(0.7, 1.6).endswith("so there may be no real difference.")
    assert range_sentence(0.0, None) == "There is no clear upper limit: too few nights to tell."


def test_adjustment_that_changes_the_picture_is_said_in_words() -> None:
    with_, without = Side(40, 60), Side(40, 30)  # 2.0 times, clearly more
    same = Comparison("magnesium", with_, without, compare(with_, without),
                      adjusted=Adjusted(1.9, 1.2, 3.0, 80, "week of pregnancy"))  # fmt: skip
    changed = replace(same, adjusted=Adjusted(0.9, 0.5, 1.6, 80, "week of pregnancy"))
    assert "Allowing for the weeks passing gives much the same answer." in describe(same)
    assert not adjustment_changes(same) and adjustment_changes(changed)
    said = describe(changed)
    assert "Allowing for the weeks passing changes the picture: about the same number." in said
    assert "Then the difference is no longer clear." in said
    failed = replace(same, adjusted=Adjusted(None, None, None, 80, "date", "did_not_settle"))
    assert "We could not allow for the weeks passing here: the model did not settle on an " \
        "answer." in describe(failed)  # fmt: skip


def test_the_journal_stamp_changes_whichever_program_writes_any_table(engine, tmp_path) -> None:
    """Migration 0006's triggers: plans, raw SQL from another program and deletes all count."""
    import datetime as dt

    from sqlalchemy import text

    from tracker.journal.db import make_engine
    from tracker.journal.plan_store import save_plan
    from tracker.journal.plans import Plan
    from tracker.journal.schema import ensure_schema
    from tracker.journal.store import journal_stamp

    seen = [journal_stamp(engine)]
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=dt.date(2026, 1, 1), seed=1, blocks=4))
    seen.append(journal_stamp(engine))
    with engine.begin() as conn:  # as the command line or another tool would
        conn.execute(text("UPDATE experiment SET stopped = start"))
    seen.append(journal_stamp(engine))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM experiment"))
    seen.append(journal_stamp(engine))
    assert len(set(seen)) == len(seen)
    assert [version for _, version in seen] == sorted(version for _, version in seen)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    ensure_schema(other)
    assert journal_stamp(other)[0] != seen[0][0]  # two journals never share a stamp
    other.dispose()


def test_every_view_from_one_read_of_the_journal_matches_reading_each_period(
    sqlite_engine,
) -> None:
    """view_of (frames of the whole journal, read once) gives what separate reads gave: the
    summaries of summarise() and charts drawn from the period's own frames."""
    from dataclasses import replace

    from sqlmodel import Session

    from tracker.insights import charts
    from tracker.insights.frames import load_journal
    from tracker.insights.summary import summarise
    from tracker.insights.trends import PLAIN_NUMBERS, charts_of, drawn_from, overall_of, view_of
    from tracker.journal.demo import fill_demo
    from tracker.journal.plan_store import save_plan
    from tracker.journal.plans import Plan

    def unfitted(summary):  # noqa: ANN001, ANN202
        return replace(summary, comparisons=tuple(replace(c, adjusted=None)
                                                  for c in summary.comparisons))  # fmt: skip

    with Session(sqlite_engine) as s:
        fill_demo(session=s, seed=7)
    last = dt.date.today() - dt.timedelta(days=1)
    with sqlite_engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=last - dt.timedelta(days=30), seed=2))
    journal = load_journal(sqlite_engine)
    # Trends shows no experiment (the Experiments page does): the views evaluate none.
    whole = summarise(session_or_engine=sqlite_engine)
    assert whole.experiments
    assert overall_of(journal) == unfitted(replace(whole, experiments=()))
    for start, before in ((last - dt.timedelta(days=27), True), (None, False)):
        view = view_of(journal, start, last, before)
        expected = summarise(session_or_engine=sqlite_engine, start=start, end=last)
        assert view.summary == replace(expected, experiments=())
        assert any(c.adjusted is not None for c in view.summary.comparisons)
        if before:  # only its counts are shown: the same summary, without the models
            days = (last - start).days + 1
            expected = summarise(
                session_or_engine=sqlite_engine,
                start=start - dt.timedelta(days=days),
                end=start - dt.timedelta(days=1),
            )
            assert view.before == unfitted(replace(expected, experiments=()))
            assert all(c.adjusted is None for c in view.before.comparisons)
        own = load_journal(sqlite_engine, start, last)
        calendar = charts.calendar(own.nights, drawn_from(journal, start, last), last)
        expected = calendar.configure(numberFormat=PLAIN_NUMBERS).configure_mark(aria=False)
        expected = expected.to_dict()
        assert charts_of(journal, start, last, "date", "Calendar") == (expected,)
