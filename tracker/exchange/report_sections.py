"""The sections of the summary PDF, drawn in order, and the loop that keeps the page budget.

Red flags come first. Every number is from tracker.insights.summary (through report_data.py); her
own text goes through Writer.typed, which shortens it to the current Budget. render() draws with
the most generous budget first and shortens step by step until the page limit holds.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace

from fpdf import FPDF

from tracker.care.language import N_, _, ngettext
from tracker.care.pregnancy import dating
from tracker.care.safety import red_flag_label
from tracker.exchange.report_data import (
    ReportData,
    day_text,
    headline_numbers,
    page_budget,
)
from tracker.exchange.report_pdf import (
    BANNER,
    BLUE,
    CALM,
    CALM_FILL,
    CUT_TO_FIT,
    INK,
    MUTED,
    RED,
    RED_FILL,
    TILE_FILL,
    WHITE,
    Para,
    Writer,
    new_pdf,
    png_size,
    printable,
)
from tracker.insights.adherence import habit_sentences, relief_sentences, side_effect_sentences
from tracker.insights.experiments import Result, describe_result
from tracker.insights.stats import fixed
from tracker.insights.wording import CLINICIAN_CAVEATS, SHE, describe, figures, topic
from tracker.journal.models import Profile
from tracker.journal.plans import MAX_BLOCK, MIN_BLOCK


@dataclass(frozen=True)
class Budget:
    """How much of her text fits: lines per note and for the questions, nights listed."""

    note_lines: int
    question_lines: int
    flag_nights: int
    side_effects: int
    chart_scale: float = 1.0
    compact: bool = False  # figures inline, charts' words only in the images' alt text
    text: float = 1.0  # the body text's size (8.5 pt and under), scaled: a longer language's


BUDGETS = (
    Budget(4, 14, 12, 3),
    Budget(3, 12, 8, 2),
    Budget(2, 10, 6, 1),
    Budget(1, 8, 4, 1, 0.85),
    Budget(1, 6, 4, 0, 0.75),
    Budget(1, 6, 4, 0, 0.75, compact=True),
    # Spanish runs about 20% longer: a line of her note on a night with a warning sign is
    # worth more to a clinician than a point of type size.
    Budget(1, 6, 4, 0, 0.65, compact=True, text=0.92),
    Budget(1, 5, 3, 0, 0.6, compact=True, text=0.85),
    Budget(0, 5, 3, 0, 0.7, compact=True),
    Budget(0, 4, 2, 0, 0.7, compact=True),
    Budget(0, 4, 2, 0, 0.6, compact=True, text=0.85),
)
BODY_PT = 8.5  # the largest body text; headings are larger and keep their size


# Marked here (N_), said in the PDF's language where they are drawn (_()).
SELF_REPORTED = N_("SELF-REPORTED BY THE PATIENT  ·  her own morning diary, not a clinical record")
NO_FLAGS = (
    N_("No warning signs were noted in this period"),
    N_(
        "She is asked each morning about swelling, redness, warmth or tenderness in one leg, "
        "pain that does not ease, breathlessness and other signs."
    ),
)
FLAG_ADVICE = N_(
    "For these signs the app tells her to contact her doctor, midwife or maternity unit "
    "straight away."
)
AS_WORDED = N_(
    'Nights in this report\'s period only, except where marked "whole diary". Ratios: cramps '
    "a night with the habit divided by without it."
)
CALM_BOX = (CALM_FILL, CALM)
NOTE = N_("Her note: ")
NOTES_LEFT_OUT = N_("Her notes on these nights did not fit: they are in the CSV/JSON export.")


class Sheet(Writer):
    """A Writer that knows the report's data and how much of her text it may print."""

    def __init__(self, pdf: FPDF, data: ReportData, budget: Budget):
        super().__init__(pdf)
        self.data, self.budget = data, budget

    def scaled(self, paras: list[Para]) -> list[Para]:
        """The paragraphs with their body text at this budget's size (headings as they are)."""
        if self.budget.text == 1.0:
            return paras
        small = self.budget.text
        return [replace(p, size=p.size * small) if p.size <= BODY_PT else p for p in paras]

    def height(self, paras: list[Para], width: float) -> float:
        return super().height(self.scaled(paras), width)

    def write(self, paras: list[Para], x: float, width: float) -> None:
        super().write(self.scaled(paras), x, width)

    def fitting(self, para: Para, width: float, lines: int) -> Para:
        """The paragraph in a smaller type where needed (at most 2.5 pt smaller) to fit in
        so many lines: a tile's words run longer in some languages ("15 noches")."""
        smallest = para.size - 2.5
        while para.size > smallest:
            self._style(para)
            if len(self._lines(para.text, width)) <= lines:
                break
            para = replace(para, size=para.size - 0.5)
        return para


def _banner(w: Sheet) -> None:
    pdf = w.pdf
    pdf.set_fill_color(*BANNER)
    pdf.rect(pdf.l_margin, pdf.get_y(), pdf.epw, 7.5, style="F")
    pdf.set_y(pdf.get_y() + 1.6)
    w.write([Para(_(SELF_REPORTED), 9.5, True, WHITE, after=0)], pdf.l_margin + 3, pdf.epw - 6)
    pdf.set_y(pdf.get_y() + 3.5)


def _period(d: ReportData) -> list[Para]:
    s, p = d.summary, d.profile
    days = (d.end - d.start).days + 1
    period = [
        ngettext(
            "Nights {start} to {end} ({days} night, {logged} logged)",
            "Nights {start} to {end} ({days} nights, {logged} logged)",
            days,
        ).format(start=day_text(d.start), end=day_text(d.end), days=days, logged=s.nights_logged)
    ]
    if p.last_appointment == d.start:
        period.append(_("since the last appointment"))
    pregnancy = [
        _("Due date {day}").format(day=day_text(p.due_date))
        if p.due_date
        else _("Due date not given")
    ]
    if s.gestational_weeks:
        first, last = s.gestational_weeks
        pregnancy.append(
            _("week {week} of pregnancy").format(week=first)
            if first == last
            else _("weeks {first} to {last} of pregnancy").format(first=first, last=last)
        )
    if p.birth_date:
        pregnancy.append(_("birth date {day}").format(day=day_text(p.birth_date)))
    lines = [" · ".join(period), " · ".join(pregnancy)]
    return [Para(line, 9, color=INK, after=0.4) for line in lines]


def _title(w: Sheet) -> None:
    pdf, d = w.pdf, w.data
    paras = [Para(_("Night-time leg cramps in pregnancy: diary summary"), 15, True, after=1.2)]
    if d.profile.name:
        name = w.typed(d.profile.name, pdf.epw, 1, 9, prefix=_("Name: "))
        paras.append(Para(name, 9, after=0.4))
    w.write([*paras, *_period(d)], pdf.l_margin, pdf.epw)
    pdf.set_y(pdf.get_y() + 2)


def _week(night: dt.date, profile: Profile) -> str:
    """' (week 31+4)', ' (postpartum 1+2)', or nothing when the due date is not known."""
    when = dating(night, profile.due_date, profile.birth_date)
    if when.postpartum_days is not None:
        weeks, days = divmod(when.postpartum_days, 7)
        return " (" + _("postpartum {weeks}+{days}").format(weeks=weeks, days=days) + ")"
    if when.days is None:
        return ""
    weeks, days = divmod(when.days, 7)
    return " (" + _("week {weeks}+{days}").format(weeks=weeks, days=days) + ")"


def _red_flags(w: Sheet) -> None:
    d, width = w.data, w.pdf.epw - 5
    flagged = d.summary.red_flag_nights
    if not flagged:
        title, asked = (_(text) for text in NO_FLAGS)
        w.box([Para(title, 9.5, True, after=0.5), Para(asked, 8, color=MUTED, after=0)], *CALM_BOX)
        return
    noted = ngettext(
        "Warning signs noted on {count} night (newest first)",
        "Warning signs noted on {count} nights (newest first)",
        len(flagged),
    ).format(count=len(flagged))
    paras = [Para(noted, 10.5, True, RED, after=1)]
    left_out = False  # a note there was no room for
    for red in flagged[: w.budget.flag_nights]:
        signs = "; ".join(red_flag_label(code) for code in red.flags)
        when = day_text(red.night) + _week(red.night, d.profile)
        paras.append(Para(f"{when}: {signs}", 8.5, True, after=0.3))
        note = w.typed(d.notes.get(red.night), width - 4, w.budget.note_lines, 8, prefix=_(NOTE))
        if note:
            paras.append(Para(note, 8, indent=4, after=0.8))
        left_out |= bool(d.notes.get(red.night)) and not note
    if (hidden := len(flagged) - w.budget.flag_nights) > 0:
        more = ngettext(
            "… and {count} more night with warning signs: see the CSV/JSON export.",
            "… and {count} more nights with warning signs: see the CSV/JSON export.",
            hidden,
        ).format(count=hidden)
        paras.append(Para(more, 8, True, RED))
    advice = " ".join([_(FLAG_ADVICE), *([_(NOTES_LEFT_OUT)] if left_out else [])])
    paras.append(Para(advice, 7.5, color=MUTED, after=0))
    w.box(paras, RED_FILL, RED)


def _numbers(w: Sheet) -> None:
    pdf, d = w.pdf, w.data
    numbers = headline_numbers(d.summary, d.start, d.end)
    gap, h = 2.0, 18.5
    tile = (pdf.epw - gap * (len(numbers) - 1)) / len(numbers)
    w.room_for(h)
    y = pdf.get_y()
    pdf.set_fill_color(*TILE_FILL)
    for i, n in enumerate(numbers):
        x = pdf.l_margin + i * (tile + gap)
        pdf.rect(x, y, tile, h, style="F")
        parts = [
            (1.3, w.fitting(Para(n.label, 6.8, True, MUTED), tile - 3, 2)),
            (7.9, w.fitting(Para(n.value, 12.5, True), tile - 3, 1)),
            (13.0, w.fitting(Para(n.detail, 6.3, color=MUTED), tile - 3, 2)),
        ]
        for offset, para in parts:  # fixed rows, so the values line up across the tiles
            pdf.set_y(y + offset)
            w.write([para], x + 1.8, tile - 3)
    pdf.set_y(y + h + 3)


def _charts(w: Sheet, images: list[bytes]) -> None:
    if not images:
        return
    pdf, gap = w.pdf, 6.0
    half = (pdf.epw - gap) / 2
    width = half * w.budget.chart_scale  # smaller only when the text would not fit otherwise
    sizes = [png_size(png) for png in images]
    words = list(w.data.chart_text) + [""] * (len(images) - len(w.data.chart_text))
    captions = [
        [Para(text, 6.5, color=MUTED, after=0)] if text and not w.budget.compact else []
        for text in words
    ]
    h = max(width * ph / pw for pw, ph in sizes)
    below = max(w.height(c, width) for c in captions) if any(captions) else 0.0
    w.room_for(h + below)
    y = pdf.get_y()
    for i, (png, (pw, ph)) in enumerate(zip(images, sizes, strict=True)):
        x = pdf.l_margin + i * (half + gap) + (half - width) / 2
        pdf.image(io.BytesIO(png), x=x, y=y, w=width, h=width * ph / pw, alt_text=words[i] or None)
        pdf.set_y(y + h + 0.5)
        w.write(captions[i], x, width)  # the chart in words, as on Trends
    pdf.set_y(y + h + below + 3)


def _habits_and_relief(w: Sheet) -> None:
    pdf, gap = w.pdf, 6.0
    width = (pdf.epw - gap) / 2
    d, b = w.data, w.budget
    started = d.summary.before_and_after("magnesium").first_night
    habits = habit_sentences(d.habits, d.summary.water_unit, started)
    side_effects = side_effect_sentences(d.habits)
    if hidden := len(side_effects[b.side_effects :]):
        more = ngettext(
            "… and side effects on {count} more night (see the export)",
            "… and side effects on {count} more nights (see the export)",
            hidden,
        ).format(count=hidden)
        side_effects = [*side_effects[: b.side_effects], more]
    left = [Para(_("Habits (the day before each night)"), 9.5, True, BLUE, after=1)]
    left += [Para(w.typed(t, width - 3, 3), bullet="•") for t in habits]
    left += [Para(w.typed(t, width - 3, 1, 8), 8, bullet="•") for t in side_effects]
    relief = relief_sentences(d.relief) or [_("No ways of easing a cramp were noted.")]
    right = [Para(_("What eased a cramp (most often worked first)"), 9.5, True, BLUE, after=1)]
    right += [Para(t, bullet=f"{i}." if d.relief else "") for i, t in enumerate(relief, 1)]
    h = max(w.height(left, width), w.height(right, width))
    w.room_for(h)
    y = pdf.get_y()
    for i, paras in enumerate((left, right)):
        pdf.set_y(y)
        w.write(paras, pdf.l_margin + i * (width + gap), width)
    pdf.set_y(y + h + 2)


def _comparison_paras(item, s, compact: bool = False) -> list[Para]:  # noqa: ANN001
    """A comparison in the third person, its figures on a muted line under it (or inline)."""
    said = " ".join(describe(item, s.water_unit, SHE))
    text = f"{topic(item)}. {said}"  # a before/after's topic says "(whole diary)"
    numbers = None if item in s.before_after else figures(item)
    if compact and numbers:
        return [Para(f"{text} {numbers}", 8, bullet="•")]
    paras = [Para(text, 8, bullet="•", after=0.3)]
    if numbers:
        paras.append(Para(numbers, 7, color=MUTED, indent=3, after=0.8))
    return paras


def _comparisons(w: Sheet) -> None:
    s = w.data.summary
    w.heading(_("Habits compared in her own diary"))
    paras = [Para(_(AS_WORDED), 7.5, color=MUTED, after=1)]
    for item in (*s.comparisons, *s.before_after):
        paras += _comparison_paras(item, s, w.budget.compact)
    paras.append(Para(" ".join(CLINICIAN_CAVEATS), 7.5, color=MUTED, after=0))
    w.room_for(w.height(paras[:2], w.pdf.epw))
    w.write(paras, w.pdf.l_margin, w.pdf.epw)
    w.pdf.set_y(w.pdf.get_y() + 3)


def _experiment_figures(r: Result) -> str:
    """The experiment's schedule and figures: clauses, each a whole message."""
    said = _(
        "Schedule {start} to {end}, {blocks} blocks of {least}-{most} nights in pairs "
        "(one on, one off, order randomised)"
    ).format(
        start=day_text(r.blocks[0].start),
        end=day_text(r.blocks[-1].end),
        blocks=len(r.blocks),
        least=MIN_BLOCK,
        most=MAX_BLOCK,
    )
    if r.stopped_early:
        said += "; " + _("stopped early after the night of {day}").format(
            day=day_text(r.plan.stopped)
        )
    if r.ratio.enough_data and r.ratio.estimate is not None:
        said += ". " + _("Rate ratio on/off {ratio} ({interval})").format(
            ratio=fixed(r.ratio.estimate, 2), interval=_ci_text(r.ratio.low, r.ratio.high)
        )
    if r.adjusted.fitted:
        said += "; " + _("allowing for time {ratio}").format(ratio=fixed(r.adjusted.rate_ratio, 2))
    if r.p_value is not None:
        said += "; " + ngettext(
            "randomisation test p = {p} over {count} possible schedule",
            "randomisation test p = {p} over {count} possible schedules",
            r.schedules,
        ).format(p=fixed(r.p_value, 3), count=r.schedules)
    return said + "."


def _ci_text(low: float | None, high: float | None) -> str:
    if high is None:
        return _("95% CI {low} to no upper limit").format(low=fixed(low, 2))
    return _("95% CI {low} to {high}").format(low=fixed(low, 2), high=fixed(high, 2))


def _experiments(w: Sheet) -> None:
    if not w.data.experiments:
        return
    w.heading(_("Her personal experiment (the whole experiment, not only this period)"))
    paras = []
    for r in w.data.experiments:
        title = w.typed(r.plan.habit, w.pdf.epw / 2, 1, 8, prefix=_("Habit tried: "))
        paras.append(Para(f"{title}. " + " ".join(describe_result(r, SHE)), 8, after=0.3))
        paras.append(Para(_experiment_figures(r), 7, color=MUTED, after=1))
    w.write(paras, w.pdf.l_margin, w.pdf.epw)
    w.pdf.set_y(w.pdf.get_y() + 2)


def _questions(w: Sheet) -> None:
    if not printable(w.data.questions)[0]:
        return
    width = w.pdf.epw - 5
    text = w.typed(w.data.questions, width, w.budget.question_lines, 9, _(CUT_TO_FIT))
    title = Para(_("Her questions for this appointment"), 10, True, BLUE, after=1)
    w.box([title, Para(text, 9, after=0)], TILE_FILL, BLUE)


def draw(w: Sheet, images: list[bytes]) -> None:
    """The whole summary: who and when, red flags first, numbers, charts, habits, questions."""
    w.pdf.add_page()
    _banner(w)
    _title(w)
    _red_flags(w)
    _numbers(w)
    _charts(w, images)
    _habits_and_relief(w)
    _comparisons(w)
    _experiments(w)
    _questions(w)


def render(
    data: ReportData, images: list[bytes], paper: str = "A4", pdf: FPDF | None = None
) -> tuple[bytes, int]:
    """The PDF bytes and its page count, text shortened step by step until the budget holds.

    pdf: an empty document from new_pdf(paper) to draw on first (its fonts take a while to
    load, so appointment_pdf loads them while the charts render).
    """
    budget = page_budget(data.start, data.end)
    footer = _("Cramp Journal · self-reported by the patient · made {day}").format(
        day=day_text(dt.date.today())
    )
    levels = list(BUDGETS)
    while True:
        pdf = pdf if pdf is not None else new_pdf(paper)
        pdf.footer_text = footer
        draw(Sheet(pdf, data, levels.pop(0)), images)
        if pdf.pages_count <= budget or not levels:
            return bytes(pdf.output()), pdf.pages_count
        if pdf.pages_count > budget + 1:
            levels = levels[-2:]  # far too long: straight to the shortest text
        pdf = None
