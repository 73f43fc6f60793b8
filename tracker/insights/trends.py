"""What the Trends page shows above its charts: the period and the headline numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.care.pregnancy import TERM_DAYS
from tracker.insights.frames import Journal
from tracker.insights.summary import Summary
from tracker.journal.models import Profile

PERIODS = {
    "Last 2 weeks": 14,
    "Last 4 weeks": 28,
    "Last 12 weeks": 84,
    "Whole pregnancy": None,
    "Custom": None,
}
DEFAULT_PERIOD = "Last 4 weeks"
SHOW_BY = ("date", "week of pregnancy")  # the first is the default


def period_bounds(
    choice: str,
    last_night: dt.date,
    profile: Profile,
    custom: tuple[dt.date, ...] | None = None,
    first_logged: dt.date | None = None,
) -> tuple[dt.date | None, dt.date]:
    """First and last night of the chosen period (first is None for "everything")."""
    days = PERIODS.get(choice)
    if days:
        return last_night - dt.timedelta(days=days - 1), last_night
    if choice == "Custom" and custom:
        first = custom[0]
        last = custom[1] if len(custom) > 1 else custom[0]
        return min(first, last), max(first, last)
    if profile.due_date is not None and first_logged is not None:
        conception = profile.due_date - dt.timedelta(days=TERM_DAYS)
        return max(conception, first_logged), last_night
    return first_logged, last_night


@dataclass(frozen=True)
class Period:
    """What Trends shows for her choices: the nights, the axis, and whether to compare."""

    start: dt.date | None
    end: dt.date
    axis: str  # "date" or "week"
    compare_before: bool


def period_of(  # noqa: PLR0913
    choice: str,
    by: str,
    custom: tuple[dt.date, ...] | None,
    profile: Profile,
    first_logged: dt.date | None,
    last_night: dt.date,
) -> Period:
    """The period and axis of Trends' controls (Period, Show by), as the page and the view
    built ahead after a save both read them."""
    start, end = period_bounds(choice, last_night, profile, custom, first_logged)
    has_weeks = profile.due_date is not None
    axis = "week" if by == "week of pregnancy" and has_weeks else "date"
    return Period(start, end, axis, compare_before=choice != "Whole pregnancy")


@dataclass(frozen=True)
class Metric:
    """One headline number, with its change against the previous period."""

    label: str
    value: str
    delta: str | None = None
    help: str | None = None


def _change(now: float | None, before: float | None, fmt: str) -> str | None:
    if now is None or before is None:
        return None
    return format(now - before, "+" + fmt)


def headline(
    summary: Summary, before: Summary | None, start: dt.date | None, end: dt.date
) -> list[Metric]:
    """The numbers at the top of Trends, each compared with the period just before."""
    prior = before if before is not None and before.nights_logged else None
    days = (end - start).days + 1 if start else None
    share = summary.nights_with_cramps / summary.nights_logged if summary.nights_logged else None
    prior_share = prior.nights_with_cramps / prior.nights_logged if prior else None
    logged = f"{summary.nights_logged}" + (f" of {days}" if days else "")
    per_week = summary.cramps_per_week
    return [
        Metric(
            "Cramps per week",
            "–" if per_week is None else f"{per_week:.1f}",
            _change(per_week, prior.cramps_per_week if prior else None, ".1f"),
            "Cramps per logged night, times 7. The change is against the same number of "
            "days just before.",
        ),
        Metric(
            "Nights with cramps",
            "–" if share is None else f"{share:.0%}",
            None
            if prior_share is None or share is None
            else f"{(share - prior_share) * 100:+.0f} in 100 nights",  # not "-1 points"
            f"{summary.nights_with_cramps} of {summary.nights_logged} logged nights",
        ),
        Metric(
            "Average severity",
            "–" if summary.mean_severity is None else f"{summary.mean_severity:.1f} / 10",
            _change(summary.mean_severity, prior.mean_severity if prior else None, ".1f"),
            "0 = no pain, 10 = worst imaginable",
        ),
        Metric(
            "Nights logged", logged, None, "Nights not logged are unknown, not counted as zero."
        ),
    ]


@dataclass(frozen=True)
class TrendsView:
    """The numbers Trends shows for one period (the charts are drawn a group at a time)."""

    summary: Summary
    before: Summary | None


# The charts, a tab each: only the open one is built and drawn (seven charts at once were a
# long scroll on a phone, and most of the page's time). The first is what Trends opens on.
CHART_GROUPS = ("Over time", "Calendar", "Severity", "Time and place", "Habits")
EMPTY_GROUP = {
    "Calendar": "The calendar has a square for each night: pick a period of a year or less "
    "to see it.",
    "Severity": "No cramps in this period.",
    "Time and place": "No cramps in this period.",
}


def overall_of(journal: Journal) -> Summary:
    """The whole journal's counts and before/after, from frames already loaded: all Trends
    shows of it, so no trend-adjusted models are fitted and no experiment is evaluated."""
    from tracker.insights.summary import compute_summary

    return compute_summary(journal.nights, journal.cramps, journal.profile, adjusted=False)


def view_of(
    journal: Journal,
    start: dt.date | None,
    end: dt.date,
    compare_before: bool,
) -> TrendsView:
    """Summaries of the period (and the one before it), from frames of the whole journal: no
    query, so every view of one journal version shares one read of it. Experiments are not
    evaluated: Trends shows none (the Experiments page does)."""
    from tracker.insights.summary import compute_summary

    profile = journal.profile
    summary = compute_summary(journal.nights, journal.cramps, profile, start, end)
    before = None
    if compare_before and start is not None:
        length = (end - start).days + 1
        # Only its counts are shown (the changes in the headline): no models to fit.
        before = compute_summary(journal.nights, journal.cramps, profile,
                                 start - dt.timedelta(days=length),
                                 start - dt.timedelta(days=1), adjusted=False)  # fmt: skip
    return TrendsView(summary, before)


def charts_of(
    journal: Journal, start: dt.date | None, end: dt.date, axis: str, group: str
) -> tuple[dict, ...]:
    """The Vega-Lite specs of one chart group (CHART_GROUPS) for the period; () when the group
    has nothing to draw (EMPTY_GROUP says why)."""
    from tracker.insights import charts
    from tracker.insights.summary import nights_in_period

    if group not in CHART_GROUPS:
        raise ValueError(f"no chart group {group!r}")
    nights = nights_in_period(journal.nights, start, end).reset_index(drop=True)
    first = start or (nights["night"].min().date() if len(nights) else end)
    bucket = charts.bucket_for((end - first).days + 1) if axis == "date" else None
    drawn = []
    if group == "Over time":
        drawn.append(charts.cramps_per_night(nights, axis, start, end, bucket))
        if journal.profile.due_date is not None and nights["gestational_days"].notna().any():
            drawn.append(charts.cramps_per_week(nights))
    elif group == "Calendar":
        if bucket is None:  # a square a night: past a year, too many to tell apart
            drawn.append(charts.calendar(nights, start, end))
    elif group == "Habits":
        drawn.append(charts.habits(nights, axis, start, end, bucket))
    else:
        cramps = journal.cramps[journal.cramps["night_id"].isin(nights["id"])]
        cramps = cramps.reset_index(drop=True)
        if cramps.empty:
            pass
        elif group == "Severity":
            drawn.append(charts.severity_and_duration(cramps, nights, axis))
        else:
            if cramps["time"].notna().any():  # no times noted: no empty clock chart
                drawn.append(charts.time_of_night(cramps))
            drawn.append(charts.where(cramps))
    # Each chart is described in words (its description, and the line under it on the page);
    # its hundreds of marks are not announced one by one to a screen reader. The charts are
    # checked against the Vega-Lite schema in tests/test_charts.py, not again on every view.
    return tuple(chart.configure_mark(aria=False).to_dict(validate=False) for chart in drawn)
