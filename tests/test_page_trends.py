"""The Trends page through AppTest: the first visit, the sample pregnancy's numbers, insights
and charts, choosing the period and the axis, warning signs, and careful wording."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pyarrow as pa
import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.readability import sentences, too_hard
from tracker.care.safety import red_flag_label
from tracker.insights.summary import summarise
from tracker.insights.trends import CHART_GROUPS, EMPTY_GROUP
from tracker.insights.wording import CAVEATS, describe, explain, topic
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema
from tracker.journal.store import get_profile, save_profile

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
FORBIDDEN = ("you have", "diagnos", "nothing to worry", "safe dose", "caused")
# The sample has a due date and cramps: per night, per week, calendar, severity and duration,
# time of night, where, habits.
ALL_CHARTS = 7


@pytest.fixture
def engine():
    """The journal the app opens (DATABASE_URL, set by the isolated_journal fixture)."""
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def demo(engine):
    """The sample pregnancy: twelve weeks ending last night, two nights with warning signs."""
    with Session(engine) as session:
        fill_demo(session=session)
    return engine


def open_trends() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    return at


def choose(at: AppTest, key: str, value) -> AppTest:  # noqa: ANN001
    at.button_group(key=key).set_value(value).run()
    assert not at.exception
    return at


def charts(at: AppTest) -> list[tuple[dict, list[int]]]:
    """Each chart's Vega-Lite spec and the row count of each of its datasets."""
    found = []
    for chart in at.get("vega_lite_chart"):
        rows = [pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.proto.datasets]
        found.append((json.loads(chart.proto.spec), rows))
    return found


def every_chart(at: AppTest) -> list[tuple[dict, list[int]]]:
    """The charts of every tab, opened in turn (only the open tab's charts are drawn)."""
    found = []
    for group in CHART_GROUPS:
        at.session_state["tr_charts"] = group
        at.run()
        assert not at.exception
        found += charts(at)
    return found


def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def page_text(at: AppTest) -> str:
    """Everything the page says: each element's fields, and each chart's spec without data."""
    said = []

    def walk(node) -> None:  # noqa: ANN001
        for child in getattr(node, "children", {}).values():
            walk(child)
        if getattr(node, "type", None) == "vega_lite_chart":
            said.append(node.proto.spec)
        elif hasattr(node, "proto") and node.proto is not None:
            said.append(str(node.proto))

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(said).lower()


def assert_careful_wording(at: AppTest) -> None:
    text = page_text(at)
    assert text, "the page said nothing"
    for phrase in FORBIDDEN:
        assert phrase not in text, f"the page says {phrase!r}"


def period(days: int) -> tuple[dt.date, dt.date]:
    return LAST_NIGHT - dt.timedelta(days=days - 1), LAST_NIGHT


# ------------------------------------------------------------------ first visit


def test_empty_journal_shows_a_friendly_start(engine) -> None:
    at = open_trends()
    assert any("Nothing to show yet" in text for text in texts(at, "info"))
    assert at.get("vega_lite_chart") == [] and len(at.metric) == 0
    assert [b.label for b in at.button] == ["Log last night"]
    assert_careful_wording(at)
    at.button[0].click().run()
    assert not at.exception
    assert at.date_input(key="ln_night").value == LAST_NIGHT  # now on Last night


# ------------------------------------------------------------------ the sample pregnancy


def test_every_chart_has_content(demo) -> None:
    at = open_trends()
    found = every_chart(at)
    assert len(found) == ALL_CHARTS
    for spec, rows in found:
        assert rows and sum(rows) > 0, f"a chart without data: {spec.get('title')}"
        assert "title" in spec or all("title" in part for part in spec.get("vconcat", []))
    titles = " ".join(json.dumps(spec.get("title", "")) for spec, _ in found)
    assert "Cramps per night" in titles and "Every night" in titles
    assert_careful_wording(at)


def test_trends_opens_on_its_first_chart_tab_and_draws_only_the_open_one(demo) -> None:
    at = open_trends()
    assert at.session_state["tr_charts"] == CHART_GROUPS[0]
    titles = [json.dumps(spec.get("title", "")) for spec, _ in charts(at)]
    assert len(titles) == 2  # cramps per night, and per week of pregnancy
    assert "Cramps per night" in titles[0]
    drawn = {}
    for group in CHART_GROUPS[1:]:
        at.session_state["tr_charts"] = group
        at.run()
        assert not at.exception
        drawn[group] = [json.dumps(spec.get("title", "")) for spec, _ in charts(at)]
    assert "Every night" in drawn["Calendar"][0] and len(drawn["Calendar"]) == 1
    assert [len(drawn[g]) for g in ("Severity", "Time and place", "Habits")] == [1, 2, 1]
    assert not any("Cramps per night" in t for ts in drawn.values() for t in ts)


def test_headline_numbers_match_the_summary_of_the_period(demo) -> None:
    at = open_trends()
    start, end = period(28)
    with Session(demo) as s:
        now = summarise(session_or_engine=s, start=start, end=end)
        before = summarise(
            session_or_engine=s,
            start=start - dt.timedelta(days=28),
            end=start - dt.timedelta(days=1),
        )
    assert before.nights_logged > 0  # the sample covers the four weeks before too
    shown = metrics(at)
    week = now.cramps_per_week - before.cramps_per_week
    fewer = "fewer" if week < 0 else "more"
    assert shown["Cramps per week"] == (
        f"{now.cramps_per_week:.1f}",
        f"{abs(week):.1f}".removesuffix(".0") + f" {fewer} cramps a week than the 4 weeks before",
    )
    share = now.nights_with_cramps / now.nights_logged
    assert shown["Nights with cramps"][0] == f"{share:.0%}"
    severity = now.mean_severity - before.mean_severity
    assert shown["Average severity"] == (
        f"{now.mean_severity:.1f} / 10",
        f"{abs(severity):.1f}".removesuffix(".0")
        + f" {'lower' if severity < 0 else 'higher'} than the 4 weeks before",
    )
    for m in at.metric[:3]:  # said in words, never "+0" or "-1 in 100 nights"
        assert not m.proto.delta.startswith(("+", "-")), m.proto.delta
    assert shown["Nights logged"] == (f"{now.nights_logged} of 28", "")
    assert texts(at, "caption")[0] == f"{start:%d %b %Y} to {end:%d %b %Y}"


def test_insights_are_the_summary_comparisons_with_their_caveats(demo) -> None:
    at = open_trends()
    with Session(demo) as s:
        now = summarise(session_or_engine=s, start=period(28)[0], end=LAST_NIGHT)
        whole = summarise(session_or_engine=s)
    items = (*now.comparisons, *whole.before_after)
    expected = []
    for item in items:
        said = " ".join(line for line in describe(item, "ml") if line not in CAVEATS)
        expected.append(f"**{topic(item)}.** {said}")
    assert texts(at, "markdown") == expected
    assert any("after you took magnesium" in line for line in expected)
    assert " ".join(CAVEATS) in texts(at, "caption")
    # How each is worked out, with the exact and adjusted figures, is one expander, drawn
    # (and sent) only once she opens it.
    (how,) = [e for e in at.expander if e.label == "How these are worked out"]
    assert len(how.markdown) == 0
    at.session_state["tr_how"] = True
    at.run()
    assert not at.exception
    (how,) = [e for e in at.expander if e.label == "How these are worked out"]
    worked_out = [m.value for m in how.markdown]
    assert worked_out == [f"**{topic(i)}.** " + " ".join(explain(i, "ml")) for i in items]
    stretching = now.comparison("stretching")
    assert f"{stretching.ratio.estimate:.2f} times" in worked_out[0]
    assert f"{stretching.adjusted.rate_ratio:.2f} times" in worked_out[0]
    assert texts(at, "markdown")[: len(expected)] == expected  # the paragraphs stay as they were


def test_warning_signs_in_the_period_are_shown(demo) -> None:
    at = open_trends()
    with Session(demo) as s:
        flagged = summarise(session_or_engine=s, start=period(28)[0], end=LAST_NIGHT)
    assert len(flagged.red_flag_nights) == 2  # both sample nights with warning signs
    warning = " ".join(texts(at, "warning"))
    assert "warning signs on 2 nights" in warning
    for night in flagged.red_flag_nights:
        assert f"{night.night:%a %d %b}" in warning
        assert all(red_flag_label(code) in warning for code in night.flags)
    assert "contact your doctor or maternity unit straight away" in warning
    assert "emergency number" in warning


def test_a_period_without_warning_signs_shows_none(demo) -> None:
    at = open_trends()
    choose(at, "tr_period", "Custom")
    first = LAST_NIGHT - dt.timedelta(days=83)  # the sample's first three weeks: no signs
    at.date_input(key="tr_custom").set_value((first, first + dt.timedelta(days=20))).run()
    assert not at.exception
    assert texts(at, "warning") == []
    assert len(every_chart(at)) == ALL_CHARTS


def test_switching_period_and_axis_is_remembered_across_pages(demo) -> None:
    at = open_trends()
    assert at.button_group(key="tr_period").value == "Last 4 weeks"
    assert at.button_group(key="tr_by").value == "date"
    choose(at, "tr_period", "Last 2 weeks")
    assert metrics(at)["Nights logged"][0].endswith(" of 14")
    choose(at, "tr_by", "week of pregnancy")
    specs = " ".join(json.dumps(spec) for spec, _ in charts(at))
    assert "Week of pregnancy" in specs and "trimester" in specs
    at.switch_page("pages/history.py").run()
    assert not at.exception
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    assert at.button_group(key="tr_period").value == "Last 2 weeks"
    assert at.button_group(key="tr_by").value == "week of pregnancy"
    assert metrics(at)["Nights logged"][0].endswith(" of 14")
    assert_careful_wording(at)


def test_whole_pregnancy_and_a_custom_range_use_their_own_bounds(demo) -> None:
    at = open_trends()
    choose(at, "tr_period", "Whole pregnancy")
    with Session(demo) as s:
        whole = summarise(session_or_engine=s)
    assert texts(at, "caption")[0] == f"{whole.first_night:%d %b %Y} to {LAST_NIGHT:%d %b %Y}"
    shown = metrics(at)
    assert shown["Cramps per week"] == (f"{whole.cramps_per_week:.1f}", "")  # nothing before
    assert shown["Nights logged"][0] == f"{whole.nights_logged} of 84"
    choose(at, "tr_period", "Custom")
    one = LAST_NIGHT - dt.timedelta(days=8)  # the sample's night with constant pain
    at.date_input(key="tr_custom").set_value((one,)).run()  # only the first date picked yet
    assert not at.exception
    assert texts(at, "caption")[0] == f"{one:%d %b %Y} to {one:%d %b %Y}"
    assert metrics(at)["Nights logged"][0] == "1 of 1"
    assert "warning signs on 1 night in this period" in " ".join(texts(at, "warning"))


def test_week_of_pregnancy_needs_a_due_date(demo) -> None:
    with Session(demo) as s:
        profile = get_profile(session=s)
        profile.due_date = None
        save_profile(session=s, profile=profile)
    at = open_trends()
    by = at.button_group(key="tr_by")
    assert by.proto.disabled and "due date" in by.proto.help
    assert by.value == "date"
    found = every_chart(at)
    assert len(found) == ALL_CHARTS - 1  # no cramps-per-week-of-pregnancy chart
    assert "Week of pregnancy" not in " ".join(json.dumps(spec) for spec, _ in found)


def test_a_period_with_no_nights_says_so(demo) -> None:
    at = open_trends()
    choose(at, "tr_period", "Custom")
    at.date_input(key="tr_custom").set_value((dt.date(2020, 1, 1), dt.date(2020, 2, 1))).run()
    assert not at.exception
    assert any("No nights logged in this period" in text for text in texts(at, "info"))
    assert at.get("vega_lite_chart") == [] and len(at.metric) == 0
    assert_careful_wording(at)


def test_every_sentence_on_trends_reads_at_grade_8_or_lower(demo) -> None:
    at = open_trends()
    shown = [m.value for m in at.markdown] + texts(at, "caption") + texts(at, "info")
    shown += texts(at, "warning") + [m.proto.help for m in at.metric]
    # "**Calf stretching.** On the ..." : the bold topic is a heading, not a sentence.
    shown = [re.sub(r"^\*\*[^*]+\*\* ", "", text) for text in shown]
    described, captions = [], []
    for group in CHART_GROUPS:  # each tab's charts, described in its captions
        at.session_state["tr_charts"] = group
        at.run()
        described += [spec["description"] for spec, _ in charts(at)]
        captions += texts(at, "caption")
    assert len(described) == ALL_CHARTS and set(described) <= set(captions)
    shown += described
    assert len(sentences(shown)) > 60
    assert too_hard(shown) == []


def test_a_custom_period_of_ten_years_draws_every_chart(tmp_path, monkeypatch) -> None:
    """Ten years of nights (about 11,000 cramps) once stopped the page at Altair's row guard."""
    from tracker.bench.measure import build_journal

    built = build_journal(tmp_path / "ten-years.db", 3650)
    monkeypatch.setenv("DATABASE_URL", built.url)
    at = open_trends()
    choose(at, "tr_period", "Custom")
    at.date_input(key="tr_custom").set_value((LAST_NIGHT - dt.timedelta(days=3649), LAST_NIGHT))
    at.run(timeout=120)
    assert not at.exception
    found = every_chart(at)
    assert len(found) == ALL_CHARTS - 1  # no calendar past a year: a square a night is too many
    assert all(rows and sum(rows) > 0 for _, rows in found)
    assert max(max(rows) for _, rows in found[:1]) < 200  # nights drawn month by month
    shown = " ".join(e.value for kind in ("markdown", "caption", "info", "metric")
                     for e in getattr(at, kind) if isinstance(e.value, str))  # fmt: skip
    assert "3650 of 3650" in shown  # every night of the ten years is counted
    at.session_state["tr_charts"] = "Calendar"
    at.run(timeout=120)
    assert charts(at) == [] and EMPTY_GROUP["Calendar"] in texts(at, "info")  # says why


def test_tabs_without_cramps_to_draw_say_so(engine) -> None:
    from tests.factories import days_ago, make_entry
    from tracker.journal.store import save_night

    with Session(engine) as s:
        for days in range(1, 8):  # a week of nights without a cramp
            save_night(session=s, entry=make_entry(days_ago(days), cramps=0))
    at = open_trends()
    assert len(charts(at)) == 1  # cramps per night: seven zeros (no due date: no weeks)
    for group, drawn in (("Severity", 0), ("Time and place", 0), ("Calendar", 1), ("Habits", 1)):
        at.session_state["tr_charts"] = group
        at.run()
        assert not at.exception
        assert len(charts(at)) == drawn, group
        assert (EMPTY_GROUP.get(group, "-") in texts(at, "info")) == (drawn == 0), group


# ------------------------------------------------------------------ issue 21: read right


def badge(at: AppTest, label: str) -> tuple[str, str, str, str]:
    """(value, delta words, arrow, colour) of one headline number as the page sends it."""
    from streamlit.proto.Metric_pb2 import Metric

    (m,) = [m for m in at.metric if m.label == label]
    arrow = Metric.MetricDirection.Name(m.proto.direction)
    return m.value, m.proto.delta, arrow, Metric.MetricColor.Name(m.proto.color)


def test_change_badges_say_what_they_compare_and_a_fall_is_never_red(demo) -> None:
    at = open_trends()
    for label in ("Cramps per week", "Nights with cramps", "Average severity"):
        _, said, arrow, colour = badge(at, label)
        assert said.endswith(" the 4 weeks before"), said  # not only in a tooltip
        assert not said.startswith(("+", "-")) and "+0" not in said
        if said.startswith("About the same"):
            assert (arrow, colour) == ("NONE", "GRAY")
        elif " fewer " in said or " lower " in said:
            assert (arrow, colour) == ("DOWN", "GREEN")
        else:
            assert (" more " in said or " higher " in said) and (arrow, colour) == ("UP", "RED")
    choose(at, "tr_period", "Last 2 weeks")
    assert badge(at, "Cramps per week")[1].endswith(" the 2 weeks before")


def test_the_before_and_after_says_it_is_the_whole_diary(demo) -> None:
    """Beside "Magnesium ... about the same", the before/after's "about twice as many" is
    over the whole diary, as the Summary and the PDF say."""
    at = open_trends()
    said = texts(at, "markdown")
    assert any(t.startswith("**Before and after starting magnesium (whole diary).**") for t in said)
    assert any(t.startswith("**Magnesium.**") for t in said)


def test_amounts_are_written_as_the_form_accepts_them(demo) -> None:
    from tracker.journal.numbers import parse_amount

    at = open_trends()
    said = " ".join(texts(at, "markdown"))
    water = re.search(r"at least (\d+) ml", said)
    assert water and int(water[1]) >= 1000  # the sample drinks about 2 litres
    assert parse_amount(water[1]) == int(water[1])  # "2,050" is refused as ambiguous
    assert not re.search(r"\d,\d\d\d", page_text(at))
    at.session_state["tr_charts"] = "Habits"
    at.run()
    assert not at.exception
    ((spec, _),) = charts(at)
    assert spec["config"]["numberFormat"] == ".5~r"  # axis 2000, not 2,000


@pytest.fixture
def three_nights(engine):
    """A new journal: three nights ending last night, across two weeks of pregnancy."""
    from tests.factories import make_entry, make_profile
    from tracker.journal.store import save_night

    due = LAST_NIGHT + dt.timedelta(days=280 - 31 * 7)  # last night is 31+0
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(due_date=due))
        for days, cramps in ((2, 2), (1, 1), (0, 1)):
            night = LAST_NIGHT - dt.timedelta(days=days)
            save_night(session=s, entry=make_entry(night, cramps=cramps, water_ml=2050))
    return engine


def test_three_nights_are_too_few_to_tell_not_a_week_projected(three_nights) -> None:
    at = open_trends()
    assert badge(at, "Cramps per week") == ("–", "Too few nights to tell", "NONE", "GRAY")
    assert badge(at, "Nights with cramps")[:2] == ("3 of 3", "")  # a count, not "100%"
    assert badge(at, "Nights logged")[0] == "3 of 3"  # since her first night, as drawn
    assert not any(re.fullmatch(r"\d+\.\d", m.value) for m in at.metric[:1])


def test_three_nights_are_drawn_across_the_chart_and_no_week_looks_certain(three_nights) -> None:
    at = open_trends()
    (spec, _), (weeks, _) = charts(at)
    assert "orange" not in json.dumps(spec["title"])  # no 7-night average line to name
    chart = at.get("vega_lite_chart")[0]
    data = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
            for d in chart.proto.datasets}  # fmt: skip
    drawn = [row for rows in data.values() for row in rows if "status" in row]
    assert len(drawn) == 3 and {r["status"] for r in drawn} == {"logged"}  # no grey days
    # The axis runs from half a day before her first night to half a day after the last: each
    # night's point sits on its date's tick, none on the chart's edge.
    (extent,) = [layer for layer in spec["layer"] if layer["mark"].get("opacity") == 0]
    ((span,),) = [rows for name, rows in data.items() if name == extent["data"]["name"]]
    noon = dt.time(12)
    assert (span["left"], span["right"]) == (
        dt.datetime.combine(LAST_NIGHT - dt.timedelta(days=3), noon).isoformat(),
        dt.datetime.combine(LAST_NIGHT, noon).isoformat(),
    )
    # Two weeks of pregnancy, of one and two nights: neither drawn as a full, certain bar.
    assert weeks["description"].endswith("too few nights to tell.")
