"""The appointment summary as a PDF: one page for up to 8 weeks, two at most for longer.

Every number comes from tracker.insights.summary.summarise (the PDF computes none of its own),
habits and relief from tracker.insights.adherence, charts from tracker.insights.charts (rendered
by vl-convert). Text
she typed is printed literally in the shipped DejaVu Sans: characters the font lacks become
"?" (emoji it lacks are dropped); long text is shortened with a marker so the page budget holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import pandas as pd

from tracker.exchange.report_pdf import PAPER_SIZES, new_pdf
from tracker.insights import chart_words, charts
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
CHART_WIDTH_PX, CHART_HEIGHT_PX = 390, 130


def day_text(day: dt.date) -> str:
    """A date as the summary prints it, the same way the comparisons do: 14 Jan 2026."""
    return _day(day)


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
    trend = {m.label: m.value for m in headline(summary, None, start, end)}
    s = summary
    typical = "–" if s.median_duration_min is None else f"{s.median_duration_min:g} min"
    longest = "" if s.longest_duration_min is None else f"; longest {s.longest_duration_min:g} min"
    return [
        Number("Cramps per week", trend["Cramps per week"], f"{s.cramps} cramps in total"),
        Number(
            "Nights with cramps",
            trend["Nights with cramps"],
            f"{s.nights_with_cramps} of {s.nights_logged} logged nights",
        ),
        Number("Average severity", trend["Average severity"], "0 no pain, 10 worst"),
        Number("Typical cramp", typical, f"median{longest}" if longest else "duration not noted"),
        Number("Woken by a cramp", f"{s.woke_nights} nights", f"of {s.nights_logged} logged"),
        Number("Nights logged", trend["Nights logged"], "unlogged nights are unknown"),
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


# --- Charts -----------------------------------------------------------------------------------


def _sized(spec: object, width: int, height: int) -> object:
    """The spec in fixed pixels: "container" widths and the charts' standard height replaced.

    vl-convert has no page to fill, and the PDF wants flatter charts than the screen.
    """
    if isinstance(spec, list):
        return [_sized(v, width, height) for v in spec]
    if not isinstance(spec, dict):
        return spec
    sized = {k: _sized(v, width, height) for k, v in spec.items()}
    if sized.get("width") == "container":
        sized["width"] = width
    if sized.get("height") == charts.HEIGHT:
        sized["height"] = height
    if sized.get("y2") == {"value": charts.HEIGHT}:  # unlogged nights drawn full height
        sized["y2"] = {"value": height}
    return sized


def chart_specs(
    data: ReportData, width: int = CHART_WIDTH_PX, height: int = CHART_HEIGHT_PX
) -> list[dict]:
    """Vega-Lite specs: cramps per week by week of pregnancy (else per night), and severity."""
    nights, cramps = data.nights, data.cramps
    if nights.empty:
        return []
    by = "week" if nights["gestational_days"].notna().any() else "date"
    first = (
        charts.cramps_per_week(nights)
        if by == "week"
        else charts.cramps_per_night(nights, "date", data.start, data.end)
    )
    specs = [first.to_dict(validate=False)]
    if cramps["severity"].notna().any():
        both = charts.severity_and_duration(cramps, nights, by).to_dict(validate=False)
        severity = {**{k: v for k, v in both.items() if k != "vconcat"}, **both["vconcat"][0]}
        pain_only = chart_words.severity_and_duration(cramps.assign(duration_min=None))
        severity.update(
            title="Severity of each cramp (0-10)", height=charts.HEIGHT, description=pain_only
        )
        specs.append(severity)
    fit = {"type": "fit-x", "contains": "padding"}
    return [{**_sized(s, width, height), "autosize": fit, "background": "white"} for s in specs]


def render_charts(specs: list[dict], pool: ThreadPoolExecutor) -> list[Future[bytes]]:
    """PNG images of the specs at twice their pixel size, rendered in the pool's threads."""
    import vl_convert  # a second or two to start on first use, so only when a PDF is made

    return [pool.submit(vl_convert.vegalite_to_png, spec, scale=2) for spec in specs]


def appointment_pdf(
    source: Source,
    *,
    start: dt.date,
    end: dt.date,
    questions: str | Callable[[], str] = "",
    paper: str = "A4",
) -> bytes:
    """The appointment summary of the nights from start to end, as PDF bytes.

    questions may be a function: it is called last, after the slow parts, so that the Summary
    page prints a question she typed just before pressing the button.
    """
    if start > end:
        raise ValueError("the period ends before it starts")
    from tracker.exchange.report_sections import render  # it imports this module

    data = gather(source, start, end)
    specs = chart_specs(data)
    data = replace(data, chart_text=tuple(spec.get("description", "") for spec in specs))
    with ThreadPoolExecutor(max_workers=2) as pool:
        charts_png = render_charts(specs, pool)
        pdf = new_pdf(paper)  # fonts load while the charts render
        images = [future.result() for future in charts_png]
    typed = questions() if callable(questions) else questions
    return render(replace(data, questions=typed), images, paper, pdf)[0]
