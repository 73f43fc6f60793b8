"""The appointment summary as a PDF: one page for up to 8 weeks, two at most for longer.

Every number comes from tracker.insights.summary.summarise (the PDF computes none of its own),
habits and relief from tracker.insights.adherence, charts from tracker.insights.charts (rendered
by vl-convert). Text she typed is printed literally in the shipped DejaVu Sans: characters the
font lacks become "?" (emoji it lacks are dropped); long text is shortened with a marker so the
page budget holds. What goes in is gathered by report_data, drawn by report_sections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from tracker.care.language import _, current, speaking
from tracker.exchange.report_data import QUESTIONS_MAX_CHARS, ReportData, gather
from tracker.exchange.report_pdf import new_pdf
from tracker.exchange.report_sections import render
from tracker.insights import chart_words, charts
from tracker.insights.frames import Source

CHART_WIDTH_PX, CHART_HEIGHT_PX = 390, 130


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
            title=_("Severity of each cramp (0-10)"), height=charts.HEIGHT, description=pain_only
        )
        specs.append(severity)
    fit = {"type": "fit-x", "contains": "padding"}
    return [{**_sized(s, width, height), "autosize": fit, "background": "white"} for s in specs]


def chart_locale() -> str | None:
    """The d3 locale of the language being spoken, for the charts' numbers and month names
    (es -> es-ES: 1,5 and "ene"); None (vl-convert's English) for a language d3 lacks."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(current(), "")
    parts = likely.split("_")  # es_Latn_ES
    name = f"{parts[0]}-{parts[-1]}" if len(parts) > 1 else ""
    return name if name in D3_LOCALES else None


# The d3-format and d3-time-format locales vl-convert knows that a catalog may ask for.
D3_LOCALES = frozenset({"ca-ES", "de-DE", "en-GB", "en-US", "es-ES", "es-MX", "fr-FR", "it-IT"})


def render_charts(specs: list[dict], pool: ThreadPoolExecutor) -> list[Future[bytes]]:
    """PNG images of the specs at twice their pixel size, rendered in the pool's threads, with
    numbers and dates in the language being spoken."""
    import vl_convert  # a second or two to start on first use, so only when a PDF is made

    where = chart_locale()  # read here: the pool's threads do not share this one's language
    said = {"format_locale": where, "time_format_locale": where} if where else {}
    return [pool.submit(vl_convert.vegalite_to_png, spec, scale=2, **said) for spec in specs]


def appointment_pdf(
    source: Source,
    *,
    start: dt.date,
    end: dt.date,
    questions: str | Callable[[], str] = "",
    paper: str = "A4",
    language: str | None = None,
) -> bytes:
    """The appointment summary of the nights from start to end, as PDF bytes.

    questions may be a function: it is called last, after the slow parts, so that the Summary
    page prints a question she typed just before pressing the button.
    language: the PDF's language (the clinician's may differ from hers); by default the
    language being spoken (English outside the app, unless a caller says otherwise).
    """
    if language is not None:
        with speaking(language):
            return appointment_pdf(source, start=start, end=end, questions=questions, paper=paper)
    if start > end:
        raise ValueError("the period ends before it starts")
    if isinstance(questions, str):
        _check_questions(questions)
    data = gather(source, start, end)
    specs = chart_specs(data)
    data = replace(data, chart_text=tuple(spec.get("description", "") for spec in specs))
    with ThreadPoolExecutor(max_workers=2) as pool:
        charts_png = render_charts(specs, pool)
        pdf = new_pdf(paper)  # fonts load while the charts render
        images = [future.result() for future in charts_png]
    typed = _check_questions(questions() if callable(questions) else questions)
    return render(replace(data, questions=typed), images, paper, pdf)[0]


def _check_questions(questions: str) -> str:
    """Her questions, refused when longer than the Summary's box allows (QUESTIONS_MAX_CHARS):
    laying out megabytes of text would take the server's CPU for seconds, for a page that
    prints a dozen lines of it."""
    if len(questions) > QUESTIONS_MAX_CHARS:
        raise ValueError(
            f"the questions are {len(questions):,} characters long; at most "
            f"{QUESTIONS_MAX_CHARS:,} fit"
        )
    return questions
