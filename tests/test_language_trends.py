"""Trends and its insights in Spanish: no English left on the page or in its charts, plurals
right for one and for many, each session's charts in its own language (the cache is keyed by
it, also when a save builds the next visit ahead), and the sentences as easy to read in Spanish
as the English grade-8 aim."""

# Fixtures imported from other test modules are named again as the tests' arguments.
# ruff: noqa: F811
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.test_ahead import demo  # noqa: F401 (fixture: the sample pregnancy)
from tracker.app import ahead
from tracker.care.language import LOCALE_DIR, _, speaking
from tracker.care.safety import PAST_SIGNS_ADVICE
from tracker.insights import chart_words, frames, trends
from tracker.insights.stats import BeforeAfter, Comparison, Side, compare
from tracker.insights.summary import Summary, compute_summary, summary_text
from tracker.insights.trends import CHART_GROUPS, before_words, charts_of, headline
from tracker.insights.wording import SHE, describe, explain, nights
from tracker.journal.store import delete_night

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
with (LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po").open("rb") as _po:
    SPANISH = {m.id: m.string for m in read_po(_po) if m.id}
# Every English message that Spanish says otherwise (a word the same in both is no sign).
ENGLISH_MESSAGES = {en for en, es in SPANISH.items() if isinstance(en, str) and es != en}
# English words no Spanish sentence of Trends has.
ENGLISH = re.compile(
    r"\b(the|and|your|you|she|night|nights|cramps?|week|weeks|with|without|before|after|"
    r"logged|per|average|trimester|severity|habits?|stretching|water|magnesium|calendar|"
    r"charts?|period|show|custom|whole|pregnancy|how|what|when|where|more|fewer|about|times|"
    r"half|twice|same|range|time|hour|value|status|muscle|leg|minutes?|last|date)\b",
    re.IGNORECASE,
)


def open_trends(locale: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    at.run()
    assert not at.exception
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def chart_words_of(spec: dict) -> list[str]:
    """Every word a chart shows: titles (chart, axes, legends), tooltips' field titles and its
    text alternative; not its data or formats."""
    found = []

    def walk(node, key: str = "") -> None:  # noqa: ANN001
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("datasets", "data", "locale"):
                    continue
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("title", "text", "description"):
            found.append(node)

    walk(spec)
    return found


def titles(spec: dict) -> list[str]:
    return [w for w in chart_words_of(spec) if w != spec.get("description")]


def title(at: AppTest) -> str:
    """The first chart's title."""
    said = specs(at)[0]["title"]
    return said if isinstance(said, str) else said["text"]


def page_words(at: AppTest) -> list[str]:
    """What Trends says: headings, paragraphs, captions, notices, numbers, controls, tabs."""
    words = [
        e.value for kind in ("title", "subheader", "markdown", "caption") for e in at.get(kind)
    ]
    words += [e.value for kind in ("info", "warning", "error") for e in at.get(kind)]
    for m in at.metric:
        words += [m.label, m.value, m.proto.delta, m.proto.help]
    for group in at.get("button_group"):
        words += [group.proto.label, *group.options]
    words += [e.label for e in at.date_input] + [e.proto.label for e in at.get("expander")]
    words += [t.label for t in at.tabs]
    return [w for w in words if w]


# ---------------------------------------------------------------- the page in Spanish


def test_trends_in_spanish_has_no_english_left_in_words_or_charts(demo) -> None:
    at = open_trends("es-ES")
    at.session_state["tr_how"] = True  # "How these are worked out", opened
    at.run()
    shown = page_words(at)
    drawn = []
    with speaking("es"):
        tabs = [_(group) for group in CHART_GROUPS]
    assert [t.label for t in at.tabs] == tabs == [
        "Con el tiempo", "Calendario", "Intensidad", "Hora y lugar", "Hábitos",
    ]  # fmt: skip
    for tab in tabs:
        at.session_state["tr_charts"] = tab
        at.run()
        assert not at.exception
        shown += page_words(at)
        drawn += [w for spec in specs(at) for w in chart_words_of(spec)]
    assert at.title[0].value == "Tendencias"
    assert "Lo que dicen sus propios datos" in shown and "Cómo se calcula" in shown
    assert len(drawn) > 40
    said = shown + drawn
    assert [w for w in said if w in ENGLISH_MESSAGES] == []  # no whole English message
    assert [w for w in said if ENGLISH.search(w)] == []  # nor English words in a sentence
    assert re.search(r"\d,\d", "\n".join(said)), "no number with a decimal comma"


def test_charts_titles_axes_and_months_in_spanish(demo) -> None:
    with demo.connect() as conn:
        journal = frames.load_journal(conn)
    start = LAST_NIGHT - dt.timedelta(days=27)
    with speaking("es"):
        over_time = charts_of(journal, start, LAST_NIGHT, "week", "Over time")
        calendar = charts_of(journal, start, LAST_NIGHT, "date", "Calendar")
    per_night, per_week = over_time
    assert per_night["title"]["text"] == "Calambres por noche"
    assert per_night["title"]["subtitle"] == "Naranja: media de 7 noches"
    axis = [
        layer["encoding"]["y"].get("title")
        for layer in per_night["layer"]
        if "y" in layer.get("encoding", {})
    ]
    assert "Calambres por noche" in axis  # the y axis
    assert "Semana de embarazo" in titles(per_week)
    assert {"Noche", "Calambres", "Estado"} <= set(titles(calendar[0]))
    locale = per_night["config"]["locale"]  # Vega's month names and decimal mark
    assert locale["time"]["shortMonths"][11] == "dic" and locale["number"]["decimal"] == ","
    assert per_night["description"].startswith("Calambres cada noche del ")
    # The trimester bands and the calendar's days, drawn from the data, in Spanish too.
    days = {row["day"] for rows in calendar[0]["datasets"].values() for row in rows}
    assert days <= {"lun", "mar", "mié", "jue", "vie", "sáb", "dom"}
    with speaking("en"):  # and English as before
        english = charts_of(journal, start, LAST_NIGHT, "week", "Over time")
    assert english[0]["title"]["text"] == "Cramps per night"
    assert "locale" not in english[0]["config"]


# ---------------------------------------------------------------- plurals, one and many


def summary(nights_logged: int, cramps: int, with_cramps: int) -> Summary:
    return Summary(
        first_night=LAST_NIGHT, last_night=LAST_NIGHT, nights_logged=nights_logged,
        nights_with_cramps=with_cramps, cramps=cramps, woke_nights=0, mean_severity=5.0,
        median_duration_min=None, longest_duration_min=None, gestational_weeks=None,
        red_flag_nights=(), comparisons=(), before_after=(),
    )  # fmt: skip


def test_plurals_for_one_and_for_many_in_spanish() -> None:
    end = dt.date(2026, 5, 31)
    with speaking("es"):
        assert [nights(1), nights(3), nights(2, more=True)] == [
            "1 noche",
            "3 noches",
            "2 noches más",
        ]
        assert before_words(end - dt.timedelta(days=6), end) == "la semana anterior"
        assert before_words(end - dt.timedelta(days=27), end) == "las 4 semanas anteriores"
        assert before_words(end, end) == "la noche anterior"
        assert before_words(end - dt.timedelta(days=2), end) == "las 3 noches anteriores"
        start = end - dt.timedelta(days=27)
        now, one_fewer = summary(28, 8, 6), summary(28, 12, 8)  # 2 a week, then 3: 1 fewer
        assert headline(now, one_fewer, start, end)[0].delta == (
            "1 calambre menos por semana que en las 4 semanas anteriores"
        )
        more = headline(summary(28, 14, 8), now, start, end)[0].delta  # 3.5 a week against 2
        assert more == "1,5 calambres más por semana que en las 4 semanas anteriores"
        few = headline(summary(2, 1, 1), None, start, end)
        assert few[0].help == (
            "Una cifra semanal necesita al menos 4 noches anotadas. Este periodo tiene 2 noches, "
            "con 1 calambre."
        )
        one = Comparison("stretching", Side(1, 2), Side(5, 3), compare(Side(1, 2), Side(5, 3)))
        many = Comparison("stretching", Side(6, 2), Side(5, 3), compare(Side(6, 2), Side(5, 3)))
        assert describe(one)[0] == (
            "Aún no hay noches suficientes para comparar. Anote 2 noches más después de "
            "estirar. Hacen falta al menos 3 de cada."
        )
        assert describe(many)[:2] == [
            "En las 6 noches después de estirar: 0,3 calambres por noche.",
            "En las 5 noches sin hacerlo: 0,6 calambres por noche.",
        ]
        import pandas as pd

        counts = pd.DataFrame({"hour": ["02:00"], "cramps": [1]})
        assert chart_words.time_of_night(counts) == (
            "Cuándo empiezan los calambres: casi siempre desde las 02:00, 1 de 1 calambre con hora."
        )
    # English unchanged
    assert headline(summary(28, 8, 6), summary(28, 12, 8), start, end)[0].delta == (
        "1 fewer cramp a week than the 4 weeks before"
    )
    assert describe(many)[0] == "On the 6 nights after you stretched, you had 0.3 cramps a night."


def test_warning_signs_on_one_night_and_on_many_in_spanish(demo) -> None:
    """The sample's two nights with warning signs: one in the last 2 weeks, both in 12."""
    at = open_trends("es-ES")
    said = {}
    for period in ("Last 2 weeks", "Last 12 weeks"):
        with speaking("es"):  # AppTest says the choice as the page's format_func does
            at.button_group(key="tr_period").set_value(period).run()
        assert not at.exception
        (said[period],) = [w.value for w in at.warning]
        assert SPANISH[PAST_SIGNS_ADVICE] in said[period]
    assert said["Last 2 weeks"].startswith(
        "**Anotó señales de alarma en 1 noche de este periodo.**"
    )
    assert said["Last 12 weeks"].startswith(
        "**Anotó señales de alarma en 2 noches de este periodo.**"
    )


# ---------------------------------------------------------------- each session's own language


def test_two_sessions_at_once_each_get_their_own_words_on_trends_also_after_a_save(
    demo, monkeypatch
) -> None:
    """A Spanish and an English visitor of one journal, their runs in turn on one server: each
    sees Trends in her language, also when the other's chart was cached first and after a
    save's build ahead (which is built in the Spanish saver's language, so her next visit reads
    it from the cache). Dropping the language from the charts' cache key fails it."""
    with Session(demo) as s:  # last night not logged yet: she logs it below (a new version)
        assert delete_night(session=s, night=LAST_NIGHT)
    english = open_trends("en-GB")  # English charts cached first
    spanish = open_trends("es-ES")
    assert title(english) == "Cramps per night"
    assert title(spanish) == "Calambres por noche"
    english.run()
    assert title(english) == "Cramps per night"

    # The Spanish visitor logs last night: a new journal version, built ahead.
    spanish.switch_page("pages/last_night.py").run()
    ahead.last = None
    spanish.button(key="ln_zero").click().run()
    assert not spanish.exception
    assert ahead.last is not None, "the save started no build ahead"
    ahead.last.join(30)
    built = []
    real = trends.charts_of
    monkeypatch.setattr(trends, "charts_of", lambda *a, **k: built.append(a) or real(*a, **k))
    spanish.switch_page("pages/trends.py").run()
    assert not spanish.exception
    assert built == [], "the Spanish visit after her save built its charts again"
    assert title(spanish) == "Calambres por noche"
    english.run()
    assert not english.exception
    assert title(english) == "Cramps per night"
    assert len(built) == 1  # the English charts of the new version: built for her visit


# ---------------------------------------------------------------- reading ease in Spanish
# Fernández Huerta's reading ease (textstat.fernandez_huerta, language "es"): its published
# bands (Fernández Huerta 1959, as legible.es gives them) are 90-100 very easy (4th grade),
# 80-90 easy (5th), 70-80 fairly easy (6th), 60-70 normal (7th-8th grade), 50-60 fairly
# difficult. The English aim is grade 8 or lower, so each Spanish sentence must score at least
# 60, the bottom of "normal", the band that ends at grade 8.
EASE = 60.0


@pytest.fixture
def spanish_textstat():
    import textstat

    import tests.readability  # noqa: F401  # pyphen for every word, as the English check

    textstat.set_lang("es")
    yield textstat
    textstat.set_lang("en_US")


def spanish_sentences(texts: list[str]) -> list[str]:
    """Every sentence (split after . ! ? before a capital or a digit, at line breaks)."""
    found = []
    for text in texts:
        for line in re.sub(r"[*_`]", "", text).splitlines():
            line = line.strip(" -•")
            parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡0-9])", line)
            found += [s.strip() for s in parts if s.strip()]
    return found


def generated_in_spanish(journal: frames.Journal) -> list[str]:
    """What Trends, the summary and the PDF's insights say over the demo journal (four periods)
    and over every branch of the comparisons (tests/test_trends.py's grid)."""
    from tests.test_trends import every_generated_sentence

    said = every_generated_sentence()
    for days in (14, 28, 84, None):
        start = None if days is None else LAST_NIGHT - dt.timedelta(days=days - 1)
        s = compute_summary(journal.nights, journal.cramps, journal.profile, start, LAST_NIGHT)
        for item in (*s.comparisons, *s.before_after):
            said += describe(item, s.water_unit) + explain(item, s.water_unit)
            said += describe(item, s.water_unit, SHE)
        said += [m.help for m in headline(s, None, start, LAST_NIGHT)]
        said += summary_text(s).splitlines()[5:]  # the sentences, not the "Label: 3" lines
        for group in CHART_GROUPS:
            said += [
                spec["description"] for spec in charts_of(journal, start, LAST_NIGHT, "date", group)
            ]
    for a, b in ((Side(4, 1), Side(6, 9)), (Side(2, 1), Side(5, 2))):
        item = BeforeAfter("stretching", LAST_NIGHT, a, b, compare(b, a))
        said += describe(item, person=SHE)
    return said


def test_spanish_insights_read_at_least_as_easily_as_the_english_grade_8(
    demo, spanish_textstat
) -> None:
    with demo.connect() as conn:
        journal = frames.load_journal(conn)
    with speaking("es"):
        said = generated_in_spanish(journal)
    found = spanish_sentences(said)
    assert len(found) > 1000
    assert not [s for s in found if ENGLISH.search(s)]  # Spanish indeed
    hard = sorted({(spanish_textstat.fernandez_huerta(s), s) for s in found if
                   spanish_textstat.fernandez_huerta(s) < EASE})  # fmt: skip
    assert hard == []


def test_the_spanish_ease_check_can_fail(spanish_textstat) -> None:
    hard = (
        "No obstante la considerable heterogeneidad metodológica, la asociación multiplicativa "
        "permaneció estadísticamente significativa."
    )
    assert spanish_textstat.fernandez_huerta(hard) < EASE
    assert spanish_textstat.fernandez_huerta("Es decir, más o menos la mitad.") >= EASE
