"""Last night in Spanish through AppTest: each warning card with its number and tel: link, the
page with no English left in what it draws, her "1,5" saved as one and a half."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import make_profile
from tracker.care.language import LOCALE_DIR, speaking
from tracker.care.safety import EMERGENCY, RED_FLAG_CODES, RED_FLAGS
from tracker.journal.db import make_engine
from tracker.journal.schema import ensure_schema
from tracker.journal.store import get_night, save_profile

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
CARE_PHONE = "+34 600 123 456"
with (LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po").open("rb") as _po:
    SPANISH = {m.id: m.string for m in read_po(_po) if m.id}
CARD_TITLES = {  # each level's headline: English, Spanish
    "emergency": "Call your local emergency number now",
    "straight_away": "Contact your doctor or maternity unit straight away",
    "right_away": "Contact your midwife, doctor or maternity unit right away",
}


@pytest.fixture
def engine(sqlite_url: str):
    """A journal with a due date and her care provider's phone, nothing logged."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(care_phone=CARE_PHONE))
    yield engine
    engine.dispose()


def open_in(locale: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    at.run()
    assert not at.exception
    return at


def calls(at: AppTest) -> list[tuple[str, str]]:
    return [(b.proto.label, b.proto.url) for b in at.get("link_button")]


@pytest.mark.parametrize("code", RED_FLAG_CODES)
def test_each_warning_card_in_spanish_with_its_number_and_tel_link(engine, code) -> None:
    at = open_in("es-ES")
    at.checkbox(key=f"ln_flag_{code}").check().run()
    assert not at.exception
    label, level = RED_FLAGS[code]
    cards = [a.value for a in (at.error if level == EMERGENCY else at.warning)]
    (card,) = [c for c in cards if SPANISH[CARD_TITLES[level]] in c]
    assert SPANISH[label] in card and "Usted anotó:" in card
    assert CARD_TITLES[level] not in card and label not in card  # no English in the card
    assert SPANISH[_action(level)] in card
    if level == EMERGENCY:  # Spain: 112, from her browser's region
        assert calls(at) == [("Llamar al 112 ahora", "tel:112")]
        assert any(c.startswith("El 112 es el número de emergencias") for c in _captions(at))
    else:
        assert calls(at) == [
            ("Llamar a mi médico o maternidad: +34 600 123 456", "tel:+34600123456")
        ]


def _action(level: str) -> str:
    from tracker.care.safety import _ADVICE

    return _ADVICE[level][1]


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize(
    ("locale", "label", "url"),
    [("es-MX", "Llamar al 911 ahora", "tel:911"), ("es-CO", "Llamar al 123 ahora", "tel:123")],
)
def test_the_emergency_card_calls_her_regions_number_in_spanish(engine, locale, label, url):
    at = open_in(locale)
    at.checkbox(key="ln_flag_breathless_or_chest_pain").check().run()
    assert not at.exception
    assert calls(at) == [(label, url)]


def test_without_her_care_phone_the_card_says_in_spanish_where_to_add_it(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile())
    at = open_in("es-ES")
    at.checkbox(key="ln_flag_tenderness").check().run()
    assert not at.exception
    links = [link.proto.label for link in at.get("page_link")]
    assert "Añada en Ajustes el teléfono de su médico o maternidad" in links
    engine.dispose()


def page_texts(at: AppTest) -> list[str]:
    """Every word Last night draws: titles, labels, choices, placeholders, cards, links."""
    words = [e.value for kind in ("title", "header", "markdown", "caption") for e in at.get(kind)]
    words += [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    words += [e.label for kind in ("button", "checkbox", "text_input", "text_area") for e in
              at.get(kind)]  # fmt: skip
    words += [e.placeholder for kind in ("text_input", "text_area") for e in at.get(kind)]
    words += [e.label for e in at.date_input] + [e.proto.label for e in at.get("expander")]
    for group in at.get("button_group"):
        words += [group.proto.label, *group.options]
    words += [link.proto.label for kind in ("link_button", "page_link") for link in at.get(kind)]
    return [w for w in words if w]


# English words that no Spanish sentence of this page has.
ENGLISH = re.compile(
    r"\b(the|and|your|you|night|cramps?|save|leg|warning|signs|call|now|add|yesterday|"
    r"water|notes|how|when|where|what|more|did|help|left|right|both|other|time|pm|am)\b",
    re.IGNORECASE,
)


def test_last_night_in_spanish_has_no_english_left_in_what_it_draws(engine) -> None:
    at = open_in("es-ES")
    at.button(key="ln_add").click().run()
    cid = at.session_state["ln_cramp_ids"][-1]
    at.button(key=f"ln_c{cid}_more_btn").click().run()
    for code in ("breathless_or_chest_pain", "tenderness", "fever"):  # one card of each level
        at.checkbox(key=f"ln_flag_{code}").check().run()
    at.text_input(key=f"ln_c{cid}_dur").input("12,5").run()  # the long-cramp card too
    assert not at.exception
    shown = page_texts(at)
    assert "Anoche" in shown and "Ayer" in shown
    english = [text for text in shown if ENGLISH.search(text)]
    assert english == []
    # Nor any whole English message of the catalog (compared with the English source).
    translated = {en for en, es in SPANISH.items() if isinstance(en, str) and es != en}
    assert [text for text in shown if text in translated] == []
    assert "Un calambre duró 12,5 minutos (más de 10)" in "\n".join(shown)


def test_her_one_comma_five_is_saved_as_one_and_a_half_in_spanish(engine) -> None:
    at = open_in("es-ES")
    at.button(key="ln_add").click().run()
    cid = at.session_state["ln_cramp_ids"][-1]
    # AppTest says a choice as the page's format_func does, in the test's own thread: in
    # Spanish there too, so "2 am" is the option "2:00" she taps.
    with speaking("es"):
        at.button_group(key=f"ln_c{cid}_when").set_value("2 am")
        at.button_group(key=f"ln_c{cid}_sev").set_value(7)
        at.button_group(key=f"ln_c{cid}_leg").set_value("left").run()
    at.button(key=f"ln_c{cid}_more_btn").click().run()
    at.text_input(key=f"ln_c{cid}_dur").input("1,5").run()
    at.button(key="ln_save").click().run()
    assert not at.exception
    with Session(engine) as s:
        (cramp,) = get_night(session=s, night=LAST_NIGHT).cramps
    assert (cramp.duration_min, cramp.time, cramp.leg) == (1.5, dt.time(2), "left")
    (saved,) = [s.value for s in at.success]  # said in the save's callback, before the page
    assert saved.startswith("Guardada la noche del ") and saved.endswith(": 1 calambre.")
    again = open_in("es-ES")
    (cid,) = again.session_state["ln_cramp_ids"]
    assert again.button(key=f"ln_c{cid}_open").label == (
        "Calambre 1: 2:00 · 7/10 · pierna izquierda · 1,5 min"
    )


def test_a_refused_value_says_what_to_fix_in_spanish_and_keeps_her_typing(engine) -> None:
    at = open_in("es-ES")
    at.text_input(key="ln_water").input("abc")
    at.text_input(key="ln_stretch").input("1,500")  # one and a half, or fifteen hundred?
    at.button(key="ln_save").click().run()
    assert not at.exception
    (outcome,) = [e.value for e in at.error if e.value.startswith("Todavía")]
    assert outcome == (
        "Todavía no se ha guardado nada. Corrija Agua: no es un número: escríbalo así: 1500. "
        "Se conserva todo lo que escribió."
    )
    marks = [e.value for e in at.error]
    assert "Agua no es un número: escríbalo así: 1500" in marks
    stretch = "Estiramiento de pantorrillas podría ser 1500 o 1,5: escriba el que quiere decir"
    assert stretch in marks
    assert (at.text_input(key="ln_water").value, at.text_input(key="ln_stretch").value) == (
        "abc",
        "1,500",
    )
    with Session(engine) as s:
        assert get_night(session=s, night=LAST_NIGHT) is None  # nothing written


def test_her_experiments_line_and_question_in_spanish_with_her_words_as_typed(engine) -> None:
    from tracker.journal.plan_store import save_plan
    from tracker.journal.plans import Plan

    own = Plan(habit="legs *up* the wall", start=LAST_NIGHT - dt.timedelta(days=4), seed=5)
    with engine.begin() as conn:
        save_plan(conn, own)
    at = open_in("es-ES")
    line = at.info[0].value
    assert re.fullmatch(
        r"Su experimento, bloque \d+ de \d+ \((con|sin) el hábito\): "
        r"(siga su hábito esta noche|esta noche, sin su hábito)\.",
        line,
    ), line
    assert "legs *up* the wall" in [t.value for t in at.text]  # hers, as typed
    pill = at.button_group(key="ln_kept")
    assert (pill.label, pill.options) == ("¿Siguió el plan anoche?", ["Sí", "No"])
    with speaking("es"):
        at.button_group(key="ln_kept").set_value("no").run()
    at.button(key="ln_save").click().run()
    assert not at.exception
    with Session(engine) as s:
        assert get_night(session=s, night=LAST_NIGHT).plan_kept is False


def test_each_session_keeps_its_own_language(engine) -> None:
    """A Spanish and an English visitor of one server, one after the other and back."""
    spanish, english = open_in("es-ES"), open_in("en-GB")
    assert spanish.title[0].value == "Anoche" and english.title[0].value == "Last night"
    spanish.run()
    english.run()
    assert spanish.title[0].value == "Anoche" and english.title[0].value == "Last night"
    assert english.button(key="ln_zero").label == "No cramps last night"
    assert spanish.button(key="ln_zero").label == "Sin calambres anoche"


def test_her_choice_of_language_wins_over_the_browsers(engine) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    at.session_state["language"] = "es"  # tracker.app.web.LANGUAGE: her choice this session
    at.run()
    assert not at.exception
    assert at.title[0].value == "Anoche"
