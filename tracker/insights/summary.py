"""The one summary of the journal: what the Trends page, the PDF and the CLI all show.

summarise() reads the period's nights (frames.load_nights, cramps counted per night in the
database), its cramps' durations and severities (tally.cramp_counts) and, for a period's
before/after over her whole journal, the habits' starts (tally.habit_starts), and builds a Summary;
compute_summary() builds the same Summary from already loaded DataFrames. Both count with
tally.tally_nights and go through build_summary(), the single place where the numbers and
comparisons are worked out, including each comparison's rate ratio adjusted for the weeks passing
(adjusted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.care.pregnancy import gestational_days
from tracker.care.safety import PAST_SIGNS_ADVICE, red_flag_label
from tracker.insights.adjusted import adjusted_for
from tracker.insights.experiments import Result, describe_result, evaluate
from tracker.insights.frames import Source, connection, load_nights, load_profile
from tracker.insights.stats import (
    MIN_NIGHTS_FOR_RATE,
    BeforeAfter,
    Comparison,
    Side,
    compare,
    fixed,
    median_of_counts,
)
from tracker.insights.tally import (
    FACTOR_COLUMNS,
    CrampCounts,
    HabitStarts,
    Tally,
    amount_counts,
    cramp_counts,
    habit_starts,
    starts_of,
    tally_nights,
)
from tracker.insights.wording import CAVEATS, describe
from tracker.journal.models import Profile
from tracker.journal.plan_store import load_plans
from tracker.journal.plans import Plan, last_night, problems, schedule

COMPARED = ("stretching", "magnesium", "water", "activity")
# Where each habit is kept in a night's row; water and activity split at her own median.
HABIT_COLUMNS = {**FACTOR_COLUMNS, "water": "water_ml", "activity": "active_min"}
SPLIT_AT_MEDIAN = ("water", "activity")
BEFORE_AFTER = ("magnesium", "stretching")


@dataclass(frozen=True)
class RedFlagNight:
    """A night on which she ticked warning signs."""

    night: dt.date
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """The journal's numbers for a period. None means "cannot be given", never zero."""

    first_night: dt.date | None
    last_night: dt.date | None
    nights_logged: int
    nights_with_cramps: int
    cramps: int
    woke_nights: int
    mean_severity: float | None
    median_duration_min: float | None
    longest_duration_min: float | None
    gestational_weeks: tuple[int, int] | None
    red_flag_nights: tuple[RedFlagNight, ...]  # newest first
    comparisons: tuple[Comparison, ...]
    before_after: tuple[BeforeAfter, ...]
    water_unit: str = "ml"  # how she reads water amounts (JSON stays in ml)
    experiments: tuple[Result, ...] = ()  # her experiments that overlap the period

    @property
    def cramps_per_night(self) -> float | None:
        """Cramps over logged nights (nights without cramps count; unlogged ones do not)."""
        return self.cramps / self.nights_logged if self.nights_logged else None

    @property
    def cramps_per_week(self) -> float | None:
        """Cramps per night times seven; None below MIN_NIGHTS_FOR_RATE logged nights (a week's
        figure from a night or two would be a guess, not a count)."""
        rate = self.cramps_per_night
        return None if rate is None or self.nights_logged < MIN_NIGHTS_FOR_RATE else rate * 7

    def comparison(self, factor: str) -> Comparison:
        """The with/without comparison for one factor."""
        return next(c for c in self.comparisons if c.factor == factor)

    def before_and_after(self, factor: str) -> BeforeAfter:
        """The before/after view for one factor."""
        return next(b for b in self.before_after if b.factor == factor)

    def to_json_dict(self) -> dict:
        """Plain JSON values (dates as ISO text, null for unknown; no NaN or infinity)."""
        return {
            "from": _iso(self.first_night),
            "to": _iso(self.last_night),
            "nights_logged": self.nights_logged,
            "nights_with_cramps": self.nights_with_cramps,
            "cramps": self.cramps,
            "woke_nights": self.woke_nights,
            "cramps_per_night": self.cramps_per_night,
            "cramps_per_week": self.cramps_per_week,
            "mean_severity": self.mean_severity,
            "median_duration_min": self.median_duration_min,
            "longest_duration_min": self.longest_duration_min,
            "gestational_weeks": list(self.gestational_weeks) if self.gestational_weeks else None,
            "red_flag_nights": [
                {"night": r.night.isoformat(), "flags": list(r.flags)} for r in self.red_flag_nights
            ],
            "comparisons": [c.to_json_dict() for c in self.comparisons],
            "before_after": [b.to_json_dict() for b in self.before_after],
            "experiments": [r.to_json_dict() for r in self.experiments],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _median_comparison(factor: str, counts: tuple[tuple, tuple, tuple]) -> Comparison:
    """Nights at or above her own median amount (of recorded nights) against below it."""
    amounts, nights, cramps = counts
    threshold = median_of_counts(amounts, nights)
    above = [threshold is not None and amount >= threshold for amount in amounts]
    with_ = Side(
        sum(n for n, a in zip(nights, above, strict=True) if a),
        sum(k for k, a in zip(cramps, above, strict=True) if a),
    )
    without = Side(sum(nights) - with_.nights, sum(cramps) - with_.cramps)
    return Comparison(factor, with_, without, compare(with_, without), threshold)


def habit_split(nights: pd.DataFrame, c: Comparison) -> tuple[np.ndarray, np.ndarray]:
    """(recorded, with the habit) for each night, as the comparison splits them (bool arrays)."""
    values = nights[HABIT_COLUMNS[c.factor]].to_numpy("float64", na_value=np.nan)
    recorded = ~np.isnan(values)
    if c.factor in SPLIT_AT_MEDIAN:
        exposed = values >= c.threshold if c.threshold is not None else np.zeros_like(recorded)
    else:
        exposed = values > 0  # missing (NaN) is never > 0
    return recorded, exposed


def _with_adjusted(c: Comparison, nights: pd.DataFrame) -> Comparison:
    recorded, exposed = habit_split(nights, c)
    return replace(c, adjusted=adjusted_for(nights, exposed=exposed, recorded=recorded))


def _before_after(name: str, starts: HabitStarts) -> BeforeAfter:
    everything, baseline = starts.everything, starts.baselines[name]
    after = Side(everything.nights - baseline.nights, everything.cramps - baseline.cramps)
    return BeforeAfter(name, starts.first_nights[name], baseline, after, compare(after, baseline))


def before_afters(starts: HabitStarts) -> tuple[BeforeAfter, ...]:
    """The before/after views of the nights counted in starts (tally.starts_of or habit_starts)."""
    return tuple(_before_after(name, starts) for name in BEFORE_AFTER)


def _weeks(tally: Tally, due_date: dt.date | None) -> tuple[int, int] | None:
    if tally.pregnant is None or due_date is None:
        return None
    first, last = (gestational_days(night, due_date) for night in tally.pregnant)
    return first // 7, last // 7


def build_summary(
    tally: Tally, profile: Profile, nights: pd.DataFrame, adjusted: bool = True
) -> Summary:
    """Turn a period's counts and its nights (frames.load_nights) into the summary; without
    adjusted, the comparisons carry no trend-adjusted model (for views that show none)."""
    comparisons = {
        name: Comparison(name, f.with_, f.without, compare(f.with_, f.without))
        for name, f in tally.factors.items()
    }
    comparisons["water"] = _median_comparison("water", tally.water)
    comparisons["activity"] = _median_comparison("activity", amount_counts(nights, "active_min"))
    durations, counts = tally.durations
    return Summary(
        first_night=tally.first_night,
        last_night=tally.last_night,
        nights_logged=tally.nights,
        nights_with_cramps=tally.nights_with_cramps,
        cramps=tally.cramps,
        woke_nights=tally.woke_nights,
        mean_severity=(tally.severity_sum / tally.severity_count if tally.severity_count else None),
        median_duration_min=median_of_counts(durations, counts),
        longest_duration_min=float(max(durations)) if durations else None,
        gestational_weeks=_weeks(tally, profile.due_date),
        red_flag_nights=tuple(RedFlagNight(night, codes) for night, codes in tally.red_flags),
        comparisons=tuple(
            _with_adjusted(comparisons[name], nights) if adjusted else comparisons[name]
            for name in COMPARED
        ),
        before_after=before_afters(starts_of(tally)),
        water_unit=profile.water_unit or "ml",
    )


def overlapping(plans: Sequence[Plan], start: dt.date | None, end: dt.date | None) -> list[Plan]:
    """The experiments to report for the period: those that ran during it (saved correctly)."""
    kept = []
    for plan in plans:
        if problems(plan):
            continue  # never saved that way by the app; not one to report
        blocks = schedule(plan)
        ran_until = last_night(plan, blocks)  # its last block's end, or the night she stopped it
        if not ((end is not None and blocks[0].start > end) or (start and ran_until < start)):
            kept.append(plan)
    return kept


def experiment_results(
    plans: Sequence[Plan],
    nights: pd.DataFrame,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> tuple[Result, ...]:
    """Each experiment overlapping the period, judged on its nights up to the period's end."""
    results = []
    for plan in overlapping(plans, start, end):
        upto = nights if end is None else nights[nights["night"] <= pd.Timestamp(end)]
        until = today if end is None else min(today, end + dt.timedelta(days=1))
        results.append(evaluate(plan, upto, today=until))
    return tuple(results)


def summarise(
    *, session_or_engine: Source, start: dt.date | None = None, end: dt.date | None = None
) -> Summary:
    """The summary of the nights from start to end (inclusive; default: everything)."""
    with connection(session_or_engine) as conn:
        profile = load_profile(conn)
        plans = overlapping([plan for _, plan in load_plans(conn)], start, end)
        # The nights read once: the period's, and those of the experiments that ran in it.
        first = None if start is None else min([start, *(plan.start for plan in plans)])
        read = load_nights(conn, first, end, profile)
        nights = read if start is None else _from(read, start)
        tally = tally_nights(nights, profile, cramp_counts(conn, start, end))
        summary = build_summary(tally, profile, nights)
        if start is not None:  # before/after splits her whole journal, not just this period:
            starts = habit_starts(conn, end)  # counted in SQL, not read night by night
            summary = replace(summary, before_after=before_afters(starts))
        if plans:
            tried = _from(read, min(plan.start for plan in plans))
            results = experiment_results(plans, tried, start, end, dt.date.today())
            summary = replace(summary, experiments=results)
    return summary


def _from(nights: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """The nights from start on, as load_nights(conn, start, ...) would read them."""
    return nights[nights["night"] >= pd.Timestamp(start)].reset_index(drop=True)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length that ends the day before start."""
    if end < start:
        raise ValueError("the period ends before it starts")
    length = end - start
    before = start - dt.timedelta(days=1)
    return before - length, before


def nights_in_period(
    nights: pd.DataFrame, start: dt.date | None, end: dt.date | None
) -> pd.DataFrame:
    if start is not None:
        nights = nights[nights["night"] >= pd.Timestamp(start)]
    if end is not None:
        nights = nights[nights["night"] <= pd.Timestamp(end)]
    return nights


def tally_frames(
    nights: pd.DataFrame,
    cramps: pd.DataFrame,
    profile: Profile,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Tally:
    """The same counts as summarise makes, from frames loaded by frames.load_journal."""
    nights = nights_in_period(nights, start, end)
    cramps = cramps[cramps["night_id"].isin(nights["id"])]
    durations = cramps["duration_min"].dropna().value_counts()
    severity = cramps["severity"].dropna()
    counts = CrampCounts(
        durations=(tuple(float(d) for d in durations.index), tuple(int(n) for n in durations)),
        severity_sum=int(severity.sum()),
        severity_count=len(severity),
    )
    return tally_nights(nights, profile, counts)


def compute_summary(
    nights_df: pd.DataFrame,
    cramps_df: pd.DataFrame,
    profile: Profile,
    start: dt.date | None = None,
    end: dt.date | None = None,
    plans: Sequence[Plan] = (),
    adjusted: bool = True,
) -> Summary:
    """The summary from frames of frames.load_journal covering at least the period.

    As in summarise, before/after uses every night in the frames up to end, and experiments
    (plans from tracker.journal.plan_store) their own nights. adjusted=False leaves out the
    trend-adjusted models (see build_summary).
    """
    kept = nights_in_period(nights_df, start, end)
    summary = build_summary(tally_frames(kept, cramps_df, profile), profile, kept, adjusted)
    if start is not None:
        whole = before_afters(starts_of(tally_frames(nights_df, cramps_df, profile, None, end)))
        summary = replace(summary, before_after=whole)
    if plans:
        results = experiment_results(plans, nights_df, start, end, dt.date.today())
        summary = replace(summary, experiments=results)
    return summary


# --- `cramp-journal summary [--from DATE] [--to DATE] [--json]` ------------------------------


def _minutes(value: float) -> str:
    minutes = language.decimal(value)
    return ngettext("{n} minute", "{n} minutes", 1 if value == 1 else 2).format(n=minutes)


def summary_text(summary: Summary) -> str:
    """The summary as plain text lines for a terminal (in the language being spoken)."""
    s = summary
    if not s.nights_logged:
        return _("No nights are logged in this period.")
    weeks = s.gestational_weeks
    nights = {"first": s.first_night, "last": s.last_night}
    per_night = fixed(s.cramps_per_night, 1)
    lines = [
        _("Nights {first} to {last} (weeks {first_week} to {last_week} of pregnancy)").format(
            **nights, first_week=weeks[0], last_week=weeks[1]
        )
        if weeks
        else _("Nights {first} to {last}").format(**nights),
        _("Nights logged: {n}").format(n=s.nights_logged),
        _("Nights with cramps: {n}").format(n=s.nights_with_cramps),
        _("Cramps: {n} ({per_night} a night, {per_week} a week)").format(
            n=s.cramps, per_night=per_night, per_week=fixed(s.cramps_per_week, 1)
        )
        if s.cramps_per_week is not None
        else _(
            "Cramps: {n} ({per_night} a night, too few nights to tell a weekly rate, which "
            "needs at least {least})"
        ).format(n=s.cramps, per_night=per_night, least=MIN_NIGHTS_FOR_RATE),
        _("Nights a cramp woke you: {n}").format(n=s.woke_nights),
    ]
    if s.mean_severity is not None:
        lines.append(
            _("Average severity: {severity} out of 10").format(severity=fixed(s.mean_severity, 1))
        )
    if s.median_duration_min is not None:
        lines.append(
            _("Typical cramp: {typical} (median); longest {longest}").format(
                typical=_minutes(s.median_duration_min), longest=_minutes(s.longest_duration_min)
            )
        )
    for red in s.red_flag_nights:
        signs = "; ".join(red_flag_label(code) for code in red.flags)
        lines.append(
            _("Warning signs noted on {night}: {signs}").format(night=red.night, signs=signs)
        )
    if s.red_flag_nights:
        lines.append(_(PAST_SIGNS_ADVICE))
    caveats: list[str] = []  # said once, after all the comparisons
    lines.append("")
    for item in (*s.comparisons, *s.before_after):
        for sentence in describe(item, s.water_unit):
            if sentence not in CAVEATS:
                lines.append(sentence)
            elif sentence not in caveats:
                caveats.append(sentence)
    for result in s.experiments:
        lines += [
            "",
            _("Experiment: {habit}").format(habit=result.plan.habit),
            *describe_result(result),
        ]
    return "\n".join([*lines, "", *caveats])
