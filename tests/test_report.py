"""The appointment PDF read back with poppler: numbers from summarise, red flags, questions,
charts, the page budget, and her text printed literally whatever she typed."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import Session

from tests.factories import days_ago, make_cramp, make_entry, make_profile
from tracker.cli import main
from tracker.exchange.report import appointment_pdf
from tracker.exchange.report_data import (
    QUESTIONS_MAX_CHARS,
    day_text,
    default_period,
    headline_numbers,
    page_budget,
)
from tracker.exchange.report_pdf import SHORTENED, Writer, new_pdf, printable
from tracker.insights.adherence import adherence, habit_sentences, load_details, relief_ranking
from tracker.insights.frames import load_journal
from tracker.insights.summary import summarise
from tracker.insights.trends import headline
from tracker.journal.demo import fill_demo
from tracker.journal.models import Profile
from tracker.journal.store import save_night, save_profile

LAST_NIGHT = days_ago(1)
QUESTIONS = "Is it safe to keep taking magnesium citrate?\nCould the swelling be a clot?"
HOSTILE = (
    '<b>bold</b> =HYPERLINK("http://evil.example","click") **not markdown** '
    "café — naïve 😀👍🏽❤️ مرحبا بالعالم 中文字 "
)


def require_poppler() -> None:
    """Skip without pdftotext/pdfinfo/pdfimages on a laptop; fail in CI."""
    missing = [t for t in ("pdftotext", "pdfinfo", "pdfimages") if not shutil.which(t)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"poppler-utils missing in CI: {missing}", pytrace=False)
        pytest.skip(f"poppler-utils not installed: {missing}")


def poppler(tool: str, path: Path, *args: str) -> str:
    return subprocess.run(
        [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else []),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def read_pdf(data: bytes, tmp_path: Path) -> tuple[str, int, int]:
    """The PDF's text (pdftotext -layout), page count (pdfinfo) and image count (pdfimages)."""
    require_poppler()
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    text = poppler("pdftotext", path, "-layout")
    pages = int(next(line for line in poppler("pdfinfo", path).splitlines() if "Pages:" in line)
                .split()[-1])  # fmt: skip
    images = len(poppler("pdfimages", path, "-list").splitlines()) - 2  # two header lines
    return text, pages, images


def weeks_back(weeks: int) -> dt.date:
    return LAST_NIGHT - dt.timedelta(days=7 * weeks - 1)


@pytest.fixture
def demo(sqlite_engine):
    with Session(sqlite_engine) as session:
        fill_demo(session=session)
    return sqlite_engine


# ------------------------------------------------------------------ what the PDF says


def test_four_weeks_hold_the_summary_numbers_red_flags_and_questions(engine, tmp_path) -> None:
    with Session(engine) as session:
        fill_demo(session=session)
    start = weeks_back(4)
    summary = summarise(session_or_engine=engine, start=start, end=LAST_NIGHT)
    text, pages, images = read_pdf(
        appointment_pdf(engine, start=start, end=LAST_NIGHT, questions=QUESTIONS), tmp_path
    )
    assert (pages, images >= 2) == (1, True)
    assert "SELF-REPORTED BY THE PATIENT" in text
    for number in headline_numbers(summary, start, LAST_NIGHT):
        assert number.value in text, number.label
    assert f"{summary.cramps_per_week:.1f}" in text
    assert summary.red_flag_nights, "the demo's warning-sign nights fall in the last 4 weeks"
    for red in summary.red_flag_nights:
        assert day_text(red.night) in text
    assert text.index("Warning signs noted") < text.index("Cramps per week")  # red flags first
    for line in QUESTIONS.splitlines():
        assert line in text
    weeks = summary.gestational_weeks
    assert f"weeks {weeks[0]} to {weeks[1]} of pregnancy" in text
    assert f"{day_text(start)} to {day_text(LAST_NIGHT)}" in text


@pytest.mark.parametrize(("weeks", "most_pages"), [(8, 1), (12, 2)])
def test_page_budget_holds_for_the_demo(demo, tmp_path, weeks, most_pages) -> None:
    data = appointment_pdf(demo, start=weeks_back(weeks), end=LAST_NIGHT, questions=QUESTIONS)
    _, pages, images = read_pdf(data, tmp_path)
    assert pages <= most_pages
    assert images >= 2


def test_twenty_weeks_with_long_text_everywhere_stay_within_two_pages(demo, tmp_path) -> None:
    with Session(demo) as session:  # an older stretch of the same pregnancy before the demo
        fill_demo(session=session, today=LAST_NIGHT - dt.timedelta(weeks=8), force=True)
        fill_demo(session=session, force=True)
    flagged = [days_ago(d) for d in (3, 10, 17, 24, 31, 60, 90, 120)]
    save_flagged(demo, flagged, "x" * 2000 + " " + HOSTILE * 50)
    most = "y " * (QUESTIONS_MAX_CHARS // 2)  # the most the Summary's box takes
    data = appointment_pdf(demo, start=weeks_back(20), end=LAST_NIGHT, questions=most)
    text, pages, _ = read_pdf(data, tmp_path)
    assert pages <= 2
    assert SHORTENED.strip() in " ".join(text.split())
    for night in flagged[:3]:
        assert day_text(night) in text


def save_flagged(engine, nights: list[dt.date], notes: str) -> None:
    with Session(engine) as session:
        for night in nights:
            entry = make_entry(night, cramps=2, red_flags=["one_leg_swelling"], notes=notes)
            save_night(session=session, entry=entry)


@pytest.mark.parametrize(
    "notes",
    [HOSTILE, "a" * 10_000, ("word " * 2000).strip(), "line\n" * 400, "😀" * 3000],
    ids=["markup-formula-scripts-emoji", "10000-chars", "2000-words", "400-lines", "emoji-only"],
)
def test_her_text_never_breaks_the_page(demo, tmp_path, notes) -> None:
    save_flagged(demo, [days_ago(2), days_ago(5)], notes)
    with Session(demo) as session:
        save_profile(session=session, profile=make_profile(name=HOSTILE, due_date=None))
    questions = notes[:QUESTIONS_MAX_CHARS]  # the most the Summary's box takes
    data = appointment_pdf(demo, start=weeks_back(4), end=LAST_NIGHT, questions=questions)
    text, pages, _ = read_pdf(data, tmp_path)
    assert pages == 1
    assert day_text(days_ago(2)) in text and day_text(days_ago(5)) in text
    if notes == HOSTILE:  # printed literally, never as markup or a formula
        for literal in ("<b>bold</b>", '=HYPERLINK("http://evil.example","click")', "café — naïve"):
            assert literal in text
        assert "**not markdown**" in text
        assert "???" in text  # the CJK characters the font lacks
        assert "? marks characters this font lacks" in text


def test_an_empty_period_still_makes_a_page(sqlite_engine, tmp_path) -> None:
    text, pages, images = read_pdf(
        appointment_pdf(sqlite_engine, start=weeks_back(4), end=LAST_NIGHT), tmp_path
    )
    assert (pages, images) == (1, 0)
    assert "No warning signs were noted" in text
    assert "0 of 28" in text


def test_letter_paper(demo, tmp_path) -> None:
    data = appointment_pdf(demo, start=weeks_back(4), end=LAST_NIGHT, paper="Letter")
    read_pdf(data, tmp_path)
    assert "612 x 792 pts" in poppler("pdfinfo", tmp_path / "summary.pdf")


def test_a_period_that_ends_before_it_starts_is_refused(sqlite_engine) -> None:
    with pytest.raises(ValueError, match="ends before"):
        appointment_pdf(sqlite_engine, start=LAST_NIGHT, end=weeks_back(2))


# ------------------------------------------------------------------ the pieces


def test_headline_numbers_are_the_trends_pages_numbers(demo) -> None:
    start = weeks_back(4)
    summary = summarise(session_or_engine=demo, start=start, end=LAST_NIGHT)
    ours = {n.label: n.value for n in headline_numbers(summary, start, LAST_NIGHT)}
    for metric in headline(summary, None, start, LAST_NIGHT):
        assert ours[metric.label] == metric.value
    assert ours["Woken by a cramp"] == f"{summary.woke_nights} nights"
    assert ours["Typical cramp"] == f"{summary.median_duration_min:g} min"


def test_default_period_is_since_the_last_appointment_else_four_weeks() -> None:
    appointment = days_ago(40)
    assert default_period(Profile(last_appointment=appointment), LAST_NIGHT) == (
        appointment,
        LAST_NIGHT,
    )
    assert default_period(Profile(), LAST_NIGHT) == (weeks_back(4), LAST_NIGHT)
    today = Profile(last_appointment=dt.date.today())  # nothing logged since: last 4 weeks
    assert default_period(today, LAST_NIGHT)[0] == weeks_back(4)
    assert (page_budget(weeks_back(8), LAST_NIGHT), page_budget(weeks_back(9), LAST_NIGHT)) == (
        1,
        2,
    )


def test_printable_keeps_what_the_font_has_and_degrades_the_rest() -> None:
    assert printable("café — naïve, Ωμέγα, Привет") == ("café — naïve, Ωμέγα, Привет", False)
    assert printable("good 👍🏽 night\u200d\u2066") == ("good night", False)
    assert printable("日本 ok") == ("?? ok", True)
    assert printable("tab\there\r\n\n\n\nnext\x07") == ("tab here\nnext", False)


def test_typed_text_is_cut_to_its_lines_with_the_marker() -> None:
    pdf = new_pdf()
    pdf.add_page()
    writer = Writer(pdf)
    short = writer.typed("Called the midwife.", 100, 2)
    assert (short, writer.shortened) == ("Called the midwife.", False)
    cut = writer.typed("word " * 3000, 100, 3)
    assert cut.endswith(SHORTENED.strip()) and writer.shortened
    assert len(pdf.multi_cell(100, 4, cut, dry_run=True, output="LINES", align="L")) == 3
    named = writer.typed("N" * 500, 100, 1, prefix="Name: ")
    assert named.startswith("Name: NNN") and named.endswith(SHORTENED.strip())
    assert len(pdf.multi_cell(100, 4, named, dry_run=True, output="LINES", align="L")) == 1
    assert writer.typed("x" * 20_000, 60, 0) == ""  # no room at all: left out, still noted


def test_relief_is_ranked_by_how_often_it_worked() -> None:
    cramps = pd.DataFrame(
        {
            "relief": ["stretch", "flex_foot", "flex_foot", "massage", "stretch", "none", None],
            "relieved": pd.array([False, True, True, True, None, True, True], dtype="boolean"),
        }
    )
    ranked = relief_ranking(cramps)
    assert [(r.relief, r.tried, r.worked, r.did_not) for r in ranked] == [
        ("flex_foot", 2, 2, 0),
        ("massage", 1, 1, 0),
        ("stretch", 2, 0, 1),
    ]
    assert ranked[0].label == "Pulled foot and toes towards my head"


def test_adherence_counts_recorded_nights_only(sqlite_engine) -> None:
    nights = [
        make_entry(days_ago(4), stretch_min=10, magnesium_mg=300, magnesium_form="citrate",
                   magnesium_clinician_agreed=False),
        make_entry(days_ago(3), stretch_min=0, water_ml=None, magnesium_mg=300,
                   magnesium_form=" Citrate  ", magnesium_clinician_agreed=True,
                   side_effects="Loose stools"),
        make_entry(days_ago(2), stretch_min=None, magnesium_mg=0),
        make_entry(days_ago(1), stretch_min=20, magnesium_mg=None, cramps=[make_cramp()]),
    ]  # fmt: skip
    with Session(sqlite_engine) as session:
        for entry in nights:
            save_night(session=session, entry=entry)
    journal = load_journal(sqlite_engine)
    a = adherence(journal.nights, load_details(sqlite_engine))
    assert (a.nights, a.stretching.recorded, a.stretching.done, a.stretching.median) == (
        4,
        3,
        2,
        15.0,
    )
    assert (a.water.recorded, a.water.median) == (3, 1500.0)
    m = a.magnesium
    assert (m.taken, m.recorded, m.doses_mg, m.clinician_agreed) == (2, 3, (300,), True)
    assert m.forms == ("citrate", "Citrate")  # as she typed them, spaces tidied
    assert a.side_effects == ((days_ago(3), "Loose stools"),)
    said = habit_sentences(a, "litres", days_ago(4))
    assert said[0] == "Calf stretching: on 2 of 3 nights recorded, typically 15 min"
    assert said[2] == "Water: recorded on 3 nights, typically 1.5 litres"
    assert "agreed with a clinician: yes" in said[3]


# ------------------------------------------------------------------ the command line


def test_cli_exports_the_same_pdf_for_a_period(demo, sqlite_url, tmp_path) -> None:
    start = weeks_back(3)
    path = tmp_path / "out" / "summary.pdf"
    path.parent.mkdir()
    code = main(["--db", sqlite_url, "export", str(path), "--from", str(start),
                 "--to", str(LAST_NIGHT)])  # fmt: skip
    assert code == 0
    assert path.stat().st_mode & 0o777 == 0o600
    text, pages, _ = read_pdf(path.read_bytes(), tmp_path)
    summary = summarise(session_or_engine=demo, start=start, end=LAST_NIGHT)
    for number in headline_numbers(summary, start, LAST_NIGHT):
        assert number.value in text
    assert pages == 1


def test_cli_pdf_defaults_to_since_the_last_appointment(demo, sqlite_url, tmp_path) -> None:
    appointment = days_ago(20)
    with Session(demo) as session:
        profile = session.get(Profile, 1)
        profile.last_appointment = appointment
        save_profile(session=session, profile=profile)
    path = tmp_path / "summary.pdf"
    assert main(["--db", sqlite_url, "export", str(path)]) == 0
    text, _, _ = read_pdf(path.read_bytes(), tmp_path)
    assert f"Nights {day_text(appointment)} to {day_text(LAST_NIGHT)}" in text
    assert "since the last appointment" in text


def test_cli_refuses_dates_for_other_formats_and_pdf_imports(sqlite_url, tmp_path, capsys) -> None:
    assert (
        main(["--db", sqlite_url, "export", str(tmp_path / "d.csv"), "--from", "2025-01-01"]) == 2
    )
    assert "only apply to a .pdf" in capsys.readouterr().err
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert main(["--db", sqlite_url, "import", str(pdf)]) == 1
    assert "cannot be imported" in capsys.readouterr().err


def test_comparisons_speak_of_her_with_adjusted_figures_and_the_period_said(demo, tmp_path) -> None:
    start = weeks_back(4)
    summary = summarise(session_or_engine=demo, start=start, end=LAST_NIGHT)
    text, pages, _ = read_pdf(appointment_pdf(demo, start=start, end=LAST_NIGHT), tmp_path)
    flat = " ".join(text.split())
    assert pages == 1
    assert "On the " in flat and " nights after stretching she had " in flat
    assert "you had" not in flat and "after you" not in flat
    for c in summary.comparisons:  # the period's own nights, exact and adjusted side by side
        assert f"On the {c.with_.nights} nights" in flat
        r, a = c.ratio, c.adjusted
        assert f"Rate ratio {r.estimate:.2f} (95% CI {r.low:.2f} to {r.high:.2f}, exact)" in flat
        assert f"allowing for week of pregnancy {a.rate_ratio:.2f} (95% CI {a.low:.2f} to " \
            f"{a.high:.2f}, Poisson model)" in flat  # fmt: skip
    # Before/after reaches back over the whole diary, and says so.
    magnesium = summary.before_and_after("magnesium")
    assert magnesium.after.nights > summary.nights_logged  # the premise: beyond the period
    assert (
        f"Before and after starting magnesium (whole diary). On the {magnesium.after.nights} "
        "nights since she started magnesium" in flat
    )
    assert flat.count("(whole diary)") == len(summary.before_after)


def test_each_chart_has_its_text_alternative_under_it(demo, tmp_path) -> None:
    from tracker.exchange.report import chart_specs
    from tracker.exchange.report_data import gather

    start = weeks_back(4)
    specs = chart_specs(gather(demo, start, LAST_NIGHT))
    _, _, images = read_pdf(appointment_pdf(demo, start=start, end=LAST_NIGHT), tmp_path)
    # Without -layout the two columns come out one after the other, as they are read.
    flat = " ".join(poppler("pdftotext", tmp_path / "summary.pdf").split())
    assert images == len(specs) == 2
    for spec in specs:
        assert spec["description"] and spec["description"] in flat
    assert "They lasted" not in specs[1]["description"]  # the severity chart alone


def test_an_experiment_is_printed_in_her_words_with_its_figures(demo, tmp_path) -> None:
    from dataclasses import replace

    from tracker.exchange.report_data import gather
    from tracker.exchange.report_sections import render
    from tracker.insights.experiments import evaluate
    from tracker.journal.plans import Plan

    start = weeks_back(8)
    data = gather(demo, start, LAST_NIGHT)
    plan = Plan(habit="stretching", start=start, seed=4)
    result = evaluate(plan, data.nights, today=LAST_NIGHT)
    assert result.on.nights >= 3 and result.off.nights >= 3  # the premise: enough nights
    pdf, pages = render(replace(data, experiments=(result,)), [])
    text, _, _ = read_pdf(pdf, tmp_path)
    flat = " ".join(text.split())
    assert pages == 1 and "Her personal experiment" in flat and "Habit tried: stretching" in flat
    assert f"In her experiment: {result.on.nights} nights on and {result.off.nights} nights off" \
        in flat  # fmt: skip
    assert f"randomisation test p = {result.p_value:.3f} over {result.schedules}" in flat
    assert f"Rate ratio on/off {result.ratio.estimate:.2f}" in flat
    assert "prove" not in flat.lower() and "cure" not in flat.lower()
    stop = start + dt.timedelta(days=20)  # stopped early: said in words and in the figures
    early = evaluate(replace(plan, stopped=stop), data.nights, today=LAST_NIGHT)
    pdf, _ = render(replace(data, experiments=(early,)), [])
    flat = " ".join(read_pdf(pdf, tmp_path)[0].split())
    assert f"Stopped early after 21 of {early.planned_nights} nights." in flat
    assert f"stopped early after the night of {stop.day} {stop:%b %Y}" in flat


# ------------------------------------------------------------------ read on paper (issue 21)


def x_encodings(spec: dict) -> list[dict]:
    """Every x encoding of a chart spec that draws an axis, in its layers too."""
    found = [layer["encoding"]["x"] for layer in spec.get("layer", [])]
    found += [spec["encoding"]["x"]] if "encoding" in spec else []
    return [x for x in found if "title" in x]


@pytest.fixture
def few_nights(sqlite_engine):
    """Three nights from 28+6 to 29+1, the last with a cramp: the week axis crosses a week."""
    due = dt.date.today() + dt.timedelta(weeks=11, days=-2)  # last night is 29+1
    with Session(sqlite_engine) as session:
        save_profile(session=session, profile=make_profile(due_date=due))
        for back in (3, 2, 1):
            save_night(session=session, entry=make_entry(days_ago(back), cramps=back % 2))
    return sqlite_engine


@pytest.mark.parametrize(
    ("journal", "weeks"), [("few_nights", [28, 29, 30]), ("demo", None)], ids=["3-nights", "demo"]
)
def test_the_week_axes_are_ticked_at_whole_weeks_only(journal, weeks, request) -> None:
    from tracker.exchange.report import chart_specs
    from tracker.exchange.report_data import gather

    data = gather(request.getfixturevalue(journal), weeks_back(4), LAST_NIGHT)
    specs = chart_specs(data)
    assert len(specs) == 2  # cramps per week, and severity
    pregnant = data.nights["gestational_days"].dropna() / 7
    expected = weeks or list(range(int(pregnant.min()), int(pregnant.max()) + 2))
    for spec in specs:
        (x,) = x_encodings(spec)
        assert x["title"] == "Week of pregnancy"
        # A tick at each half week printed "28 29 29 30 30": whole weeks, each once.
        assert x["axis"]["values"] == expected, spec["title"]
        assert x["axis"]["format"] == "d"
        assert x["scale"]["domain"] == [expected[0], expected[-1]] and not x["scale"]["nice"]


def test_a_long_pregnancy_has_fewer_week_ticks_still_whole_weeks() -> None:
    from tracker.insights.charts import week_ticks

    assert week_ticks(28.1, 30) == [28, 29, 30]
    assert week_ticks(32, 32.4) == [32, 33]  # one week still spans its own width
    long = week_ticks(4, 42)
    assert len(long) <= 13 and long[0] == 4 and long[-1] >= 42
    assert len(set(long)) == len(long) and all(isinstance(t, int) for t in long)


def test_every_count_of_one_is_said_in_the_singular(sqlite_engine, tmp_path) -> None:
    with Session(sqlite_engine) as session:
        save_profile(session=session, profile=make_profile())
        entry = make_entry(LAST_NIGHT, cramps=[make_cramp()], red_flags=["tenderness"],
                           magnesium_mg=300, side_effects="Loose stools")  # fmt: skip
        save_night(session=session, entry=entry)
    for start in (weeks_back(4), LAST_NIGHT):  # four weeks, and one night
        data = appointment_pdf(sqlite_engine, start=start, end=LAST_NIGHT)
        read_pdf(data, tmp_path)  # then in reading order: a column's lines run on
        flat = " ".join(poppler("pdftotext", tmp_path / "summary.pdf").split())
        plural_of_one = re.findall(
            r"(?<![\d.,])1 (?:[a-z]+ )?(?:nights|cramps|times|weeks)\b", flat
        )
        assert plural_of_one == [], plural_of_one
        assert "1 of 1 times" not in flat and "6 to 6 out of 10" not in flat
        for said in (
            "Warning signs noted on 1 night",
            "1 cramp in total",
            "1 of 1 logged night",
            "tried once, it worked",
            "Pain of 1 cramp: 6 out of 10",
        ):
            assert said in flat, said  # fmt: skip
    assert f"Nights {day_text(LAST_NIGHT)} to {day_text(LAST_NIGHT)} (1 night, 1 logged)" in flat


def grey(hex_colour: str, opacity: float = 1.0) -> float:
    """The relative luminance (0 black, 1 white) of a colour drawn at this opacity on white
    paper, as a black-and-white printer sees it (WCAG's formula)."""
    channels = []
    for i in (1, 3, 5):
        c = (opacity * int(hex_colour[i : i + 2], 16) + (1 - opacity) * 255) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def test_the_severity_dots_stay_dark_in_greyscale_print(demo) -> None:
    from tracker.exchange.report import chart_specs
    from tracker.exchange.report_data import gather

    severity = chart_specs(gather(demo, weeks_back(4), LAST_NIGHT))[1]
    mark = severity["mark"]
    assert mark["type"] == "circle"
    fill = grey(mark["color"], mark.get("fillOpacity", mark.get("opacity", 1)))
    outline = grey(mark.get("stroke", mark["color"]), mark.get("strokeOpacity", 1))
    # Contrast with white paper: 4.5:1 for the fill (text-grade), 7:1 for the outline. The
    # pale pink they replace printed at 1.9:1.
    assert 1.05 / (fill + 0.05) >= 4.5
    assert 1.05 / (outline + 0.05) >= 7.0
    assert mark.get("strokeWidth", 0) >= 1


@pytest.mark.parametrize("late", [False, True], ids=["text", "read-last"])
def test_questions_longer_than_the_box_never_reach_the_page(sqlite_engine, late, monkeypatch):
    from tracker.exchange import report

    huge = "Is this safe? " * 400_000  # 5.6 MB, as a client that ignores the box could send
    drawn = []
    real_render = report.render
    monkeypatch.setattr(report, "render", lambda *a: drawn.append(a) or real_render(*a))
    with pytest.raises(ValueError, match="at most 1,500 fit"):
        appointment_pdf(sqlite_engine, start=weeks_back(1), end=LAST_NIGHT,
                        questions=(lambda: huge) if late else huge)  # fmt: skip
    assert drawn == []  # refused before any of it was laid out
    fits = "q" * QUESTIONS_MAX_CHARS
    appointment_pdf(sqlite_engine, start=weeks_back(1), end=LAST_NIGHT, questions=fits)
    assert len(drawn) == 1


@pytest.mark.parametrize("journal", ["few_nights", "demo"])
def test_weeks_with_too_few_nights_are_outlined_not_filled(journal, request) -> None:
    from tracker.exchange.report import chart_specs
    from tracker.exchange.report_data import gather
    from tracker.insights.stats import MIN_NIGHTS_FOR_RATE

    engine = request.getfixturevalue(journal)
    spec = chart_specs(gather(engine, weeks_back(4), LAST_NIGHT))[0]
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    fill = bars["encoding"]["fillOpacity"]
    assert fill["condition"]["test"] == "datum.few"
    rows = spec["datasets"][bars["data"]["name"]]
    assert all(r["few"] == (r["nights"] < MIN_NIGHTS_FOR_RATE) for r in rows)
    opacity = {  # each week's fill as Vega-Lite draws it: the condition's value, else the value
        int(r["week"]): fill["condition"]["value"] if r["few"] else fill["value"] for r in rows
    }
    mark, said = bars["mark"], spec["description"]
    assert mark["stroke"] == mark["color"] and mark["strokeWidth"] >= 1  # an outline shows
    if journal == "few_nights":  # 1 night in week 28, 2 in week 29
        assert opacity == {28: 0, 29: 0}  # outlines only: not as certain as a full week
        assert said.endswith(
            "Weeks with fewer than 4 nights logged are outlined: too few nights to tell."
        )
    else:
        assert 1 in opacity.values()  # a week with its nights logged is filled
        assert ("outlined" in said) == (0 in opacity.values())


def test_without_a_due_date_the_severity_axis_has_a_tick_under_each_night(few_nights) -> None:
    from tracker.exchange.report import chart_specs
    from tracker.exchange.report_data import gather

    with Session(few_nights) as session:
        save_profile(session=session, profile=make_profile(due_date=None))
    severity = chart_specs(gather(few_nights, weeks_back(4), LAST_NIGHT))[1]
    (x,) = x_encodings(severity)
    # Cramps on the first and the last of the three nights: each centred on its own tick,
    # one tick a day (not "04 Dec 04 Dec 05 Dec 05 Dec 06 Dec"), none on the chart's edge.
    first, last = days_ago(3), LAST_NIGHT
    assert x["axis"] == {"format": "%d %b", "tickCount": {"interval": "day", "step": 1}}
    assert x["scale"]["domain"] == [f"{first - dt.timedelta(days=1)}T12:00:00", f"{last}T12:00:00"]
