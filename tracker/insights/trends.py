"""What the Trends page shows above its charts: the period and the headline numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.care import language
from tracker.care.language import N_, _, ngettext
from tracker.care.pregnancy import TERM_DAYS
from tracker.insights.frames import Journal
from tracker.insights.stats import MIN_NIGHTS_FOR_RATE, fixed, plain
from tracker.insights.summary import Summary
from tracker.journal.models import Profile

# The choices' values are codes (kept in her session, read by the build ahead); she reads
# each in her language: _(choice).
PERIODS = {
    N_("Last 2 weeks"): 14,
    N_("Last 4 weeks"): 28,
    N_("Last 12 weeks"): 84,
    N_("Whole pregnancy"): None,
    N_("Custom"): None,
}
DEFAULT_PERIOD = "Last 4 weeks"
SHOW_BY = (N_("date"), N_("week of pregnancy"))  # the first is the default


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


TOO_FEW = N_("Too few nights to tell")


@dataclass(frozen=True)
class Metric:
    """One headline number, with its change against the period before said in words.

    arrow and color are st.metric's delta_arrow and delta_color: down and green for fewer
    cramps (a fall is good news, never red), up and red for more, no arrow and grey for no
    change or no change to give.
    """

    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    arrow: str = "off"
    color: str = "off"


def before_words(start: dt.date, end: dt.date) -> str:
    """The period just before, as the change badges name it: "the 4 weeks before"."""
    days = (end - start).days + 1
    if days == 7:  # noqa: PLR2004
        return _("the week before")
    if days % 7 == 0:
        weeks = days // 7  # 2 or more: the singular is never said, but kept for other languages
        return ngettext("the {n} week before", "the {n} weeks before", weeks).format(n=weeks)
    if days == 1:
        return _("the night before")
    return ngettext("the {n} night before", "the {n} nights before", days).format(n=days)


# A change against the period before, in words: (fewer, more), each a whole sentence with the
# change's size {n} and that period {before}.
_WEEK_CHANGES = {
    "one": (N_("{n} fewer cramp a week than {before}"), N_("{n} more cramp a week than {before}")),
    "many": (
        N_("{n} fewer cramps a week than {before}"),
        N_("{n} more cramps a week than {before}"),
    ),
}
_SHARE_CHANGES = (
    N_("{n} fewer in 100 nights than {before}"),
    N_("{n} more in 100 nights than {before}"),
)
_SEVERITY_CHANGES = (N_("{n} lower than {before}"), N_("{n} higher than {before}"))


def _badge(diff: float | None, shown: str, said: tuple[str, str], than: str) -> dict:
    """A change as Metric fields: "1.5 fewer cramps a week than the 4 weeks before", with its
    arrow and colour; shown is the size of the change as the badge rounds it ({n} in said's
    fewer and more); a change that rounds to nothing is "About the same as ..."."""
    if diff is None:
        return {}
    if shown in ("0", fixed(0, 1)):
        return {"delta": _("About the same as {before}").format(before=than)}
    fewer, more = said
    if diff < 0:
        return {"delta": _(fewer).format(n=shown, before=than), "arrow": "down", "color": "green"}
    return {"delta": _(more).format(n=shown, before=than), "arrow": "up", "color": "red"}


def _percent(share: float) -> str:
    """45% (45 % in Spanish)."""
    from babel.numbers import format_percent

    return format_percent(share, locale=language.current())


def headline(
    summary: Summary,
    before: Summary | None,
    start: dt.date | None,
    end: dt.date,
    first_logged: dt.date | None = None,
) -> list[Metric]:
    """The numbers at the top of Trends, each compared in words with the period just before;
    nights logged are counted from her first night (first_logged) when the period starts
    before it, as the charts are drawn.

    Below MIN_NIGHTS_FOR_RATE logged nights a weekly rate is "too few nights to tell" and the
    share of nights with cramps a count ("2 of 3"); a change needs that many on both sides.
    """
    s, n = summary, summary.nights_logged
    enough = n >= MIN_NIGHTS_FOR_RATE
    than = before_words(start, end) if start is not None else ""
    prior = before if before is not None and enough and start is not None else None
    if prior is not None and prior.nights_logged < MIN_NIGHTS_FOR_RATE:
        prior = None
    share = s.nights_with_cramps / n if n else None
    no_change = ""
    if before is not None and prior is None and n and start is not None:
        no_change = " " + _(
            "No change is given: it needs at least {least} logged nights here and in {before}."
        ).format(least=MIN_NIGHTS_FOR_RATE, before=than)

    def diff(now: float | None, then: float | None) -> float | None:
        return None if prior is None or now is None or then is None else now - then

    week = diff(s.cramps_per_week, prior and prior.cramps_per_week)
    shown = plain(abs(week or 0))
    week_badge = _badge(week, shown, _WEEK_CHANGES["one" if shown == "1" else "many"], than)
    share_now = diff(share, prior and prior.nights_with_cramps / prior.nights_logged)
    share_badge = _badge(share_now, f"{abs(share_now or 0) * 100:.0f}", _SHARE_CHANGES, than)
    severity = diff(s.mean_severity, prior and prior.mean_severity)
    severity_badge = _badge(severity, plain(abs(severity or 0)), _SEVERITY_CHANGES, than)
    of = _("{count} of {total}")
    if n and not enough:  # a count, not a rate: a week from a few nights would be a guess
        week_value, week_badge = "–", {"delta": _(TOO_FEW)}
        share_value = of.format(count=s.nights_with_cramps, total=n)
        week_help = ngettext(
            "A weekly figure needs at least {least} logged nights; this period has {nights}, "
            "with {cramps} cramp.",
            "A weekly figure needs at least {least} logged nights; this period has {nights}, "
            "with {cramps} cramps.",
            s.cramps,
        ).format(
            least=MIN_NIGHTS_FOR_RATE,
            nights=ngettext("{n} night", "{n} nights", n).format(n=n),
            cramps=s.cramps,
        )
    else:
        week_value = "–" if s.cramps_per_week is None else fixed(s.cramps_per_week, 1)
        share_value = "–" if share is None else _percent(share)
        week_help = _("Cramps per logged night, times 7.")
    counted_from = max(start, first_logged) if start and first_logged else start
    days = (end - counted_from).days + 1 if counted_from else None
    severity_value = _("{severity} / 10").format(severity=fixed(s.mean_severity or 0, 1))
    return [
        Metric(_("Cramps per week"), week_value, help=week_help + no_change, **week_badge),
        Metric(
            _("Nights with cramps"),
            share_value,
            help=_("{count} of {total} logged nights.").format(count=s.nights_with_cramps, total=n)
            + no_change,
            **share_badge,
        ),
        Metric(
            _("Average severity"),
            "–" if s.mean_severity is None else severity_value,
            help=_("0 = no pain, 10 = worst imaginable.") + no_change,
            **severity_badge,
        ),
        Metric(
            _("Nights logged"),
            of.format(count=n, total=days) if days else f"{n}",
            help=_("Nights not logged are unknown, not counted as zero."),
        ),
    ]


@dataclass(frozen=True)
class TrendsView:
    """The numbers Trends shows for one period (the charts are drawn a group at a time)."""

    summary: Summary
    before: Summary | None


# The charts, a tab each: only the open one is built and drawn (seven charts at once were a
# long scroll on a phone, and most of the page's time). The first is what Trends opens on.
# Groups are codes, each said as _(group).
CHART_GROUPS = (N_("Over time"), N_("Calendar"), N_("Severity"), N_("Time and place"), N_("Habits"))
EMPTY_GROUP = {  # said as _(EMPTY_GROUP[group])
    "Calendar": N_(
        "The calendar has a square for each night: pick a period of a year or less to see it."
    ),
    "Severity": N_("No cramps in this period."),
    "Time and place": N_("No cramps in this period."),
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


PLAIN_NUMBERS = ".5~r"  # d3-format: up to 5 significant digits, no thousands comma


def drawn_from(journal: Journal, start: dt.date | None, end: dt.date) -> dt.date:
    """Where the time charts start: the period's first day, or her first night if later."""
    logged = journal.nights["night"]
    first = logged.min().date() if len(logged) else end
    return first if start is None else min(max(start, first), end)


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
    # Drawn from her first night on, not from before she began: three nights of a new journal
    # are not squeezed at the right edge of four weeks of grey "not logged".
    first = drawn_from(journal, start, end)
    bucket = charts.bucket_for((end - first).days + 1) if axis == "date" else None
    drawn = []
    if group == "Over time":
        drawn.append(charts.cramps_per_night(nights, axis, first, end, bucket))
        if journal.profile.due_date is not None and nights["gestational_days"].notna().any():
            # A week with too few nights for a rate is only outlined (as in the PDF).
            drawn.append(charts.cramps_per_week(nights))
    elif group == "Calendar":
        if bucket is None:  # a square a night: past a year, too many to tell apart
            drawn.append(charts.calendar(nights, first, end))
    elif group == "Habits":
        drawn.append(charts.habits(nights, axis, first, end, bucket))
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
    # Numbers are written as the form takes them: 2000 ml, not "2,000" (which it refuses).
    # Month and day names, and the decimal mark, in her language (Vega's own are English).
    said = {"locale": locale} if (locale := charts.vega_locale()) else {}
    return tuple(
        chart.configure(numberFormat=PLAIN_NUMBERS, **said)
        .configure_mark(aria=False)
        .to_dict(validate=False)
        for chart in drawn
    )
