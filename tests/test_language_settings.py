"""Her language chosen in Settings: spoken from the rerun she taps it, saved with her settings
(migration 0009), read once at the start of each new session (her choice wins over the
browser's), refused writes change nothing; and Settings, History, Guide and Warning signs in
Spanish with no English message left."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import days_ago, make_entry, make_profile
from tests.test_hosting import ALEX, SAM, practice  # noqa: F401 (fixture)
from tracker.care.language import LOCALE_DIR, speaking
from tracker.journal.db import make_engine
from tracker.journal.schema import ensure_schema, upgrade
from tracker.journal.store import get_profile, save_night, save_profile

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
HISTORY = str(Path(APP).parent / "pages" / "history.py")
with (LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po").open("rb") as _po:
    # Every English message that Spanish says otherwise (a plural: each of its forms).
    ENGLISH_MESSAGES = {
        english
        for m in read_po(_po)
        if m.id and m.string and m.string != m.id
        for english in ((m.id,) if isinstance(m.id, str) else m.id)
    }


def open_page(page: str | None, locale: str | None = "en-US") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


def stored_language(engine: Engine) -> tuple[str | None, int]:
    with Session(engine) as s:
        profile = get_profile(session=s)
    return profile.language, profile.version


def choose(at: AppTest, choice: str | None) -> AppTest:
    at.button_group(key="se_language").set_value(choice).run()
    assert not at.exception
    return at


def test_her_language_is_spoken_at_once_saved_and_every_new_session_starts_in_it(engine):
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile())
    at = open_page("pages/settings.py")
    assert at.title[0].value == "Settings"
    assert at.button_group(key="se_language").options == ["As my browser", "English", "Español"]
    choose(at, "es")
    assert at.title[0].value == "Ajustes"  # the same rerun she tapped it
    assert [t.value for t in at.toast] == ["Idioma guardado: Español."]
    assert stored_language(engine) == ("es", 2)
    choose(at, None)  # the chosen one tapped again: it stays chosen, nothing written
    assert at.button_group(key="se_language").value == "es" and at.title[0].value == "Ajustes"
    assert stored_language(engine) == ("es", 2)
    # Her other settings still save after it (the form knows the new version).
    at.text_input(key="se_name").input("Sam R")
    next(b for b in at.button if b.label == "Guardar ajustes").click().run()
    assert not at.exception
    assert "Ajustes guardados." in [s.value for s in at.success]
    assert stored_language(engine) == ("es", 3)

    again = open_page(None, locale="en-US")  # a new session, an English browser
    assert again.title[0].value == "Anoche"  # her saved choice wins over the browser's
    # Read once per session, not on every rerun: changed elsewhere, this session keeps
    # speaking what it started in, and the next new session takes the change.
    with engine.begin() as conn:
        conn.execute(text("UPDATE profile SET language = NULL"))
    again.run()
    assert again.title[0].value == "Anoche"
    assert open_page(None, locale="en-US").title[0].value == "Last night"

    with engine.begin() as conn:
        conn.execute(text("UPDATE profile SET language = 'es'"))
    back = open_page("pages/settings.py", locale="en-US")
    assert back.button_group(key="se_language").value == "es"
    with speaking("es"):  # AppTest names the choice as the page does, in the test's thread
        choose(back, "browser")  # As my browser: English again, from this rerun
    assert back.title[0].value == "Settings"
    assert [t.value for t in back.toast] == ["Language saved: As my browser."]
    assert stored_language(engine)[0] is None
    assert open_page(None, locale="es-ES").title[0].value == "Anoche"  # her browser's now


def test_a_refused_language_save_writes_nothing_and_keeps_her_language(engine) -> None:
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile())
    at = open_page("pages/settings.py")
    with Session(engine) as s:  # another tab saves her settings in between
        save_profile(session=s, profile=make_profile(name="Other tab"), expected_version=1)
    choose(at, "es")
    assert stored_language(engine) == (None, 2)  # nothing written
    assert at.title[0].value == "Settings"  # still her language
    assert at.button_group(key="se_language").value == "browser"  # showing what is saved
    said = [t.value for t in at.toast]
    assert len(said) == 1 and said[0].startswith("Your settings were changed elsewhere")
    assert "Settings" in [t.value for t in at.title]


def test_migration_0009_adds_the_language_and_goes_back_keeping_her_settings(journal_url):
    engine = make_engine(journal_url)
    try:
        upgrade(engine, "0008")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO profile (id, account_id, name, water_unit, version) "
                    "VALUES (1, 1, 'Sam', 'litres', 4)"
                )
            )
        ensure_schema(engine)
        with Session(engine) as s:
            profile = get_profile(session=s)
        assert (profile.name, profile.water_unit, profile.version) == ("Sam", "litres", 4)
        assert profile.language is None  # as her browser, until she chooses
        from tests.test_migrations import columns_of, downgrade

        downgrade(engine, "0008")
        assert "language" not in columns_of(engine, "profile")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name, version FROM profile")).one() == ("Sam", 4)
    finally:
        engine.dispose()


# ------------------------------------------------------------ the pages in Spanish
def page_texts(at: AppTest) -> list[str]:
    """Every word a page draws: titles, text, labels, choices, placeholders, messages, links."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "text", "toast")
    words = [e.value for kind in kinds for e in at.get(kind)]
    words += [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    labelled = ("button", "checkbox", "text_input", "date_input", "selectbox")
    words += [e.label for kind in labelled for e in at.get(kind)]
    words += [e.placeholder for kind in ("text_input", "selectbox") for e in at.get(kind)]
    words += [option for e in at.selectbox for option in e.options]
    for group in at.get("button_group"):
        words += [group.proto.label, *group.options]
    words += [e.proto.label for e in at.get("expander")]
    words += [link.proto.label for kind in ("link_button", "page_link") for link in at.get(kind)]
    return [w for w in words if w]


# English words no Spanish sentence of these pages has.
ENGLISH = re.compile(
    r"\b(the|and|your|you|night|nights|cramps?|save|settings|leg|warning|signs|call|now|add|"
    r"water|how|when|where|what|more|did|help|tap|logged|week|worst|delete|due|date|phone|"
    r"number|backup|journal|this|with|or|if|not|pull|stretch|drink|stay|check)\b",
    re.IGNORECASE,
)


def no_english(shown: list[str]) -> list[str]:
    """What of a page's words is English: a whole message of the catalog, or English words
    (a file's path and the command to type are not words)."""
    words = [re.sub(r"/\S+|cramp-journal export journal\.json", "", w) for w in shown]
    return [w for w in words if w in ENGLISH_MESSAGES or ENGLISH.search(w)]


def at_toasts(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


@pytest.fixture
def journal(sqlite_url: str) -> Engine:
    """Her journal: a due date, nights with a gap and one with a warning sign."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(care_phone="+34 600 123 456"))
        for days, flags in ((1, ["tenderness"]), (2, []), (5, []), (6, [])):
            save_night(
                session=s, entry=make_entry(days_ago(days), cramps=days % 3, red_flags=flags)
            )
    yield engine
    engine.dispose()


def test_settings_in_spanish_has_no_english_left(journal) -> None:
    at = open_page("pages/settings.py", locale="es-ES")
    at.date_input(key="se_birth").set_value(dt.date.today() + dt.timedelta(days=3))
    at.text_input(key="se_care").input("x")
    with speaking("es"):  # AppTest names the choices as the page does, in the test's thread
        next(b for b in at.button if b.label == "Guardar ajustes").click().run()
    assert not at.exception
    shown = page_texts(at)
    assert "Fecha probable de parto" in shown and "Idioma" in shown
    assert "La fecha del nacimiento no puede ser una fecha futura" in shown
    assert any(w.startswith("Hoy: semana ") and "de embarazo" in w for w in shown)
    # A language is named in its own words, whatever the page's language.
    assert at.button_group(key="se_language").options == ["Como mi navegador", "English", "Español"]
    assert no_english([w for w in shown if w != "English"]) == []


def test_history_in_spanish_has_no_english_left(journal) -> None:
    at = open_page("pages/history.py", locale="es-ES")
    shown = page_texts(at)
    assert any(w.startswith("4 noches anotadas y 2 sin anotar desde el ") for w in shown), shown
    assert any("señales de alarma" in w and w.endswith("1 calambre · peor 4/10 · señales de alarma")
               for w in shown), shown  # fmt: skip
    assert any(w.startswith("2 noches sin anotar · ") for w in shown), shown
    assert no_english(shown) == []


def test_guide_and_warning_signs_in_spanish_have_no_english_left(journal) -> None:
    guide = open_page("pages/guide.py", locale="es-ES")
    shown = page_texts(guide)
    assert "Durante un calambre" in shown
    assert no_english(shown) == []
    signs = open_page("pages/red_flags.py", locale="es-ES")
    signs.checkbox(key="rf_tenderness").check()
    signs.checkbox(key="rf_long_cramp").check().run()
    assert not signs.exception
    shown = page_texts(signs)
    assert "Un calambre duró más de 10 minutos, o el dolor no se ha ido" in shown
    assert any(w.endswith(". Más información justo debajo de la lista.") for w in at_toasts(signs))
    assert no_english(shown) == []


# ------------------------------------------------------------ refused files, in Spanish
def test_a_refused_import_file_says_what_to_fix_in_spanish_and_in_english() -> None:
    from tracker.exchange.backup_json import JsonError
    from tracker.exchange.backup_read import read_json
    from tracker.exchange.diary_csv import CsvError
    from tracker.exchange.diary_read import read_diary

    def refusal(read, text: str) -> str:  # noqa: ANN001
        with pytest.raises((JsonError, CsvError)) as refused:
            read(text)
        return str(refused.value)

    wrong_cells = "night,severity\n2025-03-01,7,8\n"
    with speaking("es"):
        assert refusal(read_json, "[1]") == (
            "el archivo: debe ser un objeto {...} con format, version y nights, no una lista"
        )
        assert refusal(read_diary, wrong_cells) == (
            "fila 2, columna 3: esta fila tiene 3 celdas pero la primera fila nombra 2 "
            "columnas: ponga comillas alrededor de una celda que tenga una coma"
        )
        assert refusal(read_diary, "") == "el archivo está vacío"
    assert refusal(read_diary, wrong_cells) == (  # English where no language is chosen
        "row 2, column 3: this row has 3 cells but the first row names 2 columns: put quotes "
        "around a cell that contains a comma"
    )


# ------------------------------------------------------------ a practice's server
@pytest.mark.postgres
def test_on_a_practices_server_each_person_starts_in_her_own_saved_language(
    practice,  # noqa: F811
    monkeypatch,
) -> None:
    """Sam saved Spanish, Alex saved nothing, and a clinician reading Sam's shared journal
    keeps her own language, not Sam's: read as each signed-in person, under row-level security."""
    import streamlit as st

    from tracker.app import whois
    from tracker.cli import main
    from tracker.journal import accounts
    from tracker.journal.accounts import acting_as
    from tracker.journal.sharing import share_with
    from tracker.journal.store import save_language

    doctor_email = "dr.lee@practice.example"
    assert main(["--db", practice.owner_url, "accounts", "add", doctor_email, "--clinician"]) == 0
    sam, alex, doctor = (practice.account(e) for e in (SAM, ALEX, doctor_email))
    with acting_as(sam), Session(practice.app) as s:
        save_language(session=s, language="es", expected_version=0)
        share_with(session=s, clinician_id=doctor)
    monkeypatch.setenv("DATABASE_URL", practice.app_url)
    # As `serve --accounts` has it: each run is its signed-in session's (tracker.app.signin).
    monkeypatch.setattr(accounts, "_session_account", [whois.session_account])
    monkeypatch.setattr(accounts, "_session_journal", [whois.viewed_journal])
    st.cache_resource.clear()

    def history_title(**state) -> str:  # noqa: ANN003
        at = AppTest.from_file(HISTORY, default_timeout=30)
        at.context = {"locale": "en-US"}
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception
        return at.title[0].value

    assert history_title(_account=(sam, SAM, "patient")) == "Historial"
    assert history_title(_account=(alex, ALEX, "patient")) == "History"
    viewing = {"_account": (doctor, doctor_email, "clinician"), "_viewing": (sam, "P")}
    assert history_title(**viewing) == "History"
