"""What the appointment summary holds, gathered once: its period and paper, the headline
numbers, the summary, habits, relief and red flags, ready for the PDF's sections to draw.

Every number comes from tracker.insights.summary.summarise (the PDF computes none of its own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.exchange.report_pdf import PAPER_SIZES
from tracker.insights.adherence import (
    Adherence,
    ReliefTally,
    adherence,
    load_details,
    relief_ranking,
)
from tracker.insights.experiments import Result
from tracker.insights.frames import Source, connection, load_journal
from tracker.insights.stats import _day
from tracker.insights.summary import Summary, summarise
from tracker.insights.trends import headline
from tracker.journal.models import Profile

PAPERS = tuple(PAPER_SIZES)  # A4 (the default) or US Letter
ONE_PAGE_DAYS = 8 * 7
DEFAULT_DAYS = 28
# Her questions for the appointment: about a dozen short ones fit on the page. The Summary's
# box stops her typing there; a longer text (from a client that ignores the box) is refused.
QUESTIONS_MAX_CHARS = 1500


def day_text(day: dt.date) -> str:
    """A date as the summary prints it, the same way the comparisons do, in the language being
    spoken: 14 Jan 2026, 14 ene 2026."""
    return _day(day)


def nights(n: int) -> str:
    """A count of nights as it is said: "1 night", "2 nights" (1 noche, 2 noches)."""
    return ngettext("{count} night", "{count} nights", n).format(count=n)


def default_period(profile: Profile, last_night: dt.date) -> tuple[dt.date, dt.date]:
    """Since her last appointment (the night of that day on), else the last 4 weeks."""
    appointment = profile.last_appointment
    if appointment is not None and appointment <= last_night:
        return appointment, last_night
    return last_night - dt.timedelta(days=DEFAULT_DAYS - 1), last_night


def page_budget(start: dt.date, end: dt.date) -> int:
    """Pages allowed: 1 for up to 8 weeks, 2 for longer."""
    return 1 if (end - start).days + 1 <= ONE_PAGE_DAYS else 2


@dataclass(frozen=True)
class Number:
    """One headline number as the page and the PDF both show it."""

    label: str
    value: str
    detail: str


def headline_numbers(summary: Summary, start: dt.date, end: dt.date) -> list[Number]:
    """The summary's headline numbers, formatted as on the Trends page (from summarise only)."""
    week, share, severity, logged = headline(summary, None, start, end)  # in this order
    s = summary
    median = s.median_duration_min
    typical = "–" if median is None else _("{minutes} min").format(minutes=language.decimal(median))
    if s.longest_duration_min is None:
        duration = _("duration not noted")
    else:
        longest = language.decimal(s.longest_duration_min)
        duration = _("median; longest {minutes} min").format(minutes=longest)
    return [
        Number(
            week.label,
            week.value,
            ngettext("{count} cramp in total", "{count} cramps in total", s.cramps).format(
                count=s.cramps
            ),
        ),
        Number(
            share.label,
            share.value,
            ngettext(
                "{with_cramps} of {count} logged night",
                "{with_cramps} of {count} logged nights",
                s.nights_logged,
            ).format(with_cramps=s.nights_with_cramps, count=s.nights_logged),
        ),
        Number(severity.label, severity.value, _("0 no pain, 10 worst")),
        Number(_("Typical cramp"), typical, duration),
        Number(
            _("Woken by a cramp"),
            nights(s.woke_nights),
            ngettext("of {count} logged", "of {count} logged", s.nights_logged).format(
                count=s.nights_logged
            ),
        ),
        Number(logged.label, logged.value, _("unlogged nights are unknown")),
    ]


# --- What goes into the report ----------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """Everything the PDF shows, read in one transaction."""

    start: dt.date
    end: dt.date
    profile: Profile
    summary: Summary
    nights: pd.DataFrame
    cramps: pd.DataFrame
    habits: Adherence
    relief: list[ReliefTally]
    notes: dict[dt.date, str]
    questions: str
    chart_text: tuple[str, ...] = ()  # each chart's one-line text alternative, in order
    experiments: tuple[
        Result, ...
    ] = ()  # her personal experiments, to print (tracker.insights.experiments)


def gather(source: Source, start: dt.date, end: dt.date, questions: str = "") -> ReportData:
    """Read the period's summary, frames and text fields."""
    with connection(source) as conn:
        summary = summarise(session_or_engine=conn, start=start, end=end)
        journal = load_journal(conn, start, end)
        details = load_details(conn, start, end)
    notes = {n: str(t) for n, t in zip(details["night"], details["notes"], strict=True) if t}
    return ReportData(
        start=start,
        end=end,
        profile=journal.profile,
        summary=summary,
        nights=journal.nights,
        cramps=journal.cramps,
        habits=adherence(journal.nights, details),
        experiments=summary.experiments,
        relief=relief_ranking(journal.cramps),
        notes=notes,
        questions=questions,
    )
