"""The appointment PDF and the Summary page in Spanish: the PDF read back with pdftotext says
its headings, dates and numbers in Spanish with no English message left, the Summary page asks
which language the PDF is for, and a Spanish session downloads an English PDF (and the reverse)
made outside the page's run, in the language chosen."""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlmodel import Session
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.test_language import literal_words
from tracker.care import language
from tracker.care.language import LOCALE_DIR, _, speaking
from tracker.exchange.report import appointment_pdf
from tracker.exchange.report_data import day_text
from tracker.exchange.report_pdf import glyphs, printable
from tracker.insights.summary import summarise
from tracker.insights.wording import CAVEATS
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
START = LAST_NIGHT - dt.timedelta(days=27)  # the Summary's default: the last 4 weeks
QUESTIONS = "¿Puedo seguir tomando magnesio?\n¡Gracias! Señales, útil, pequeño."
SPANISH_MONTH = r"\d{1,2} (?:ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic) \d{4}"
HEADINGS_ES = (  # the PDF's own headings and labels in Spanish
    "ANOTADO POR LA PACIENTE",
    "Calambres nocturnos en el embarazo: resumen del diario",
    "Señales de alarma anotadas en 2 noches",
    "Calambre típico",
    "Calambre la despertó",
    "Hábitos (el día antes de cada noche)",
    "Qué alivió un calambre",
    "Hábitos comparados en su propio diario",
    "Sus preguntas para esta cita",
    "página 1 de 1",
)
HEADINGS_EN = (
    "SELF-REPORTED BY THE PATIENT",
    "Night-time leg cramps in pregnancy: diary summary",
    "Warning signs noted on 2 nights",
    "Typical cramp",
    "Woken by a cramp",
    "Habits (the day before each night)",
    "What eased a cramp",
    "Habits compared in her own diary",
    "Her questions for this appointment",
    "page 1 of 1",
)

with (LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po").open("rb") as _po:
    _CATALOG = [m for m in read_po(_po) if m.id]


def english_pieces() -> set[str]:
    """The words of every English message that has a different Spanish translation: each
    message's longest stretch between placeholders, when it is long enough to mean something
    (a PDF in Spanish holds none of them)."""
    pieces = set()
    for message in _CATALOG:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        said = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(said) or set(said) == set(ids):
            continue
        for english in ids:
            parts = [text for text, *_rest in string.Formatter().parse(english)]
            longest = max((" ".join(p.split()) for p in parts), key=len, default="")
            if len(longest) >= 16 and " " in longest.strip():
                pieces.add(longest.strip(" .:,;()·…"))
    return pieces


def pdf_text(data: bytes, tmp_path: Path, layout: bool = False) -> str:
    """The PDF's text as pdftotext reads it, on one line (skipped on a laptop without
    poppler; a failure in CI)."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("poppler-utils missing in CI", pytrace=False)
        pytest.skip("pdftotext not installed")
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return text if layout else " ".join(text.split())


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    """The demo journal (two nights with warning signs in the last 4 weeks), made once."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        fill_demo(session=s)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def spanish_pdf(demo_url, tmp_path_factory) -> str:
    engine = make_engine(demo_url)
    data = appointment_pdf(engine, start=START, end=LAST_NIGHT, questions=QUESTIONS, language="es")
    engine.dispose()
    return pdf_text(data, tmp_path_factory.mktemp("es"))


def test_the_pdf_in_spanish_has_spanish_headings_dates_and_numbers(spanish_pdf, demo_url):
    engine = make_engine(demo_url)
    summary = summarise(session_or_engine=engine, start=START, end=LAST_NIGHT)
    engine.dispose()
    missing = [heading for heading in HEADINGS_ES if heading not in spanish_pdf]
    assert missing == []
    assert [heading for heading in HEADINGS_EN if heading in spanish_pdf] == []
    with speaking("es"):
        period = f"Noches del {day_text(START)} al {day_text(LAST_NIGHT)} (28 noches, "
        typical = _("{minutes} min").format(minutes=language.decimal(summary.median_duration_min))
    assert period in spanish_pdf
    assert re.search(SPANISH_MONTH, period)  # "9 nov 2026", not "9 Nov 2026"
    assert summary.median_duration_min % 1, "the premise: a typical cramp with a fraction"
    assert "," in typical and typical in spanish_pdf  # "1,5 min"
    for red in summary.red_flag_nights:  # the nights with warning signs, by Spanish dates
        with speaking("es"):
            assert day_text(red.night) in spanish_pdf
    # Spanish runs longer, yet 4 weeks stay on one page with a line of each of her notes on
    # the nights with a warning sign (smaller body text first, as the budgets say).
    assert spanish_pdf.count("Su nota: ") == len(summary.red_flag_nights) == 2
    assert "¿Puedo seguir tomando magnesio?" in spanish_pdf  # the font draws ¿ ¡ ñ á é í ó ú
    assert "¡Gracias! Señales, útil, pequeño." in spanish_pdf


def test_the_pdf_in_spanish_holds_no_english_message(spanish_pdf) -> None:
    pieces = english_pieces()
    assert "Habits compared in her own diary" in pieces  # the premise: the check has words
    assert sorted(piece for piece in pieces if piece in spanish_pdf) == []


def test_the_pdfs_font_draws_every_spanish_letter() -> None:
    letters = "áéíóúüñÁÉÍÓÚÜÑ¿¡ºª€"
    assert [c for c in letters if ord(c) not in glyphs()] == []
    assert printable(letters) == (letters, False)


def test_the_pdf_in_english_outside_any_session_stays_english(demo_url, tmp_path) -> None:
    """The command line and every caller that names no language: English, as before."""
    engine = make_engine(demo_url)
    text = pdf_text(appointment_pdf(engine, start=LAST_NIGHT, end=LAST_NIGHT), tmp_path)
    engine.dispose()
    assert "SELF-REPORTED BY THE PATIENT" in text and "ANOTADO" not in text
    assert f"Nights {day_text(LAST_NIGHT)} to {day_text(LAST_NIGHT)} (1 night, " in text


# ---------------------------------------------------------------- the Summary page


def open_summary(locale: str, monkeypatch, demo_url) -> tuple[AppTest, list]:
    """The Summary page in a browser of this locale, and the downloads it offers as they
    are registered (file name, maker): the maker runs later, outside the page's run."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    offered = []
    register = MediaFileManager.add_deferred

    def recorded(self, data_callable, mimetype, coordinates, file_name=None, **kw):  # noqa: ANN001, ANN202
        offered.append((file_name, data_callable))
        return register(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recorded)
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    at.run()
    assert not at.exception
    at.switch_page("pages/summary.py").run()
    assert not at.exception
    return at, offered


def summary_pdf(offered: list) -> tuple[str, bytes]:
    """The last Summary PDF the page offered, made as the server makes it when she taps:
    in another thread, after the run, with no language of its own."""
    name, make = [(n, m) for n, m in offered if n.startswith("cramp-summary-")][-1]
    assert language.current() == "en"  # this thread speaks English: the maker must not
    return name, make()


@pytest.mark.parametrize(
    ("locale", "chosen", "title", "headings", "other"),
    [
        ("es-ES", "en", "Resumen para su cita", HEADINGS_EN, HEADINGS_ES),
        ("en-US", "es", "Summary for your appointment", HEADINGS_ES, HEADINGS_EN),
    ],
    ids=["english-pdf-from-spanish-session", "spanish-pdf-from-english-session"],
)
def test_the_pdf_is_made_in_the_language_chosen_for_it(
    locale, chosen, title, headings, other, monkeypatch, demo_url, tmp_path
) -> None:
    at, offered = open_summary(locale, monkeypatch, demo_url)
    assert at.title[0].value == title
    choice = at.button_group(key="su_pdf_language")
    own = language.language_of(locale)
    assert choice.value == own  # her own language by default
    assert choice.options == ["English", "Español"]  # each named in its own words
    choice.set_value(chosen).run()
    assert not at.exception
    assert at.title[0].value == title  # the page stays in her language
    name, data = summary_pdf(offered)
    assert name == f"cramp-summary-{START}-to-{LAST_NIGHT}{'-es' if chosen == 'es' else ''}.pdf"
    text = pdf_text(data, tmp_path)
    assert [h for h in headings[:3] if h not in text] == []
    assert [h for h in other if h in text] == []


# English words none of the Summary page's Spanish sentences has.
ENGLISH = re.compile(
    r"\b(the|and|your|you|nights?|cramps?|weeks?|last|since|choose|dates|paper|size|summary|"
    r"questions?|download|backup|diary|reminder|morning|warning|signs)\b",
    re.IGNORECASE,
)


def test_the_summary_page_in_spanish_has_no_english_left_of_its_own(monkeypatch, demo_url):
    at, _offered = open_summary("es-ES", monkeypatch, demo_url)
    with speaking("es"):  # AppTest says the choices in this thread, as the page does in its
        at.button_group(key="su_period").set_value("Choose dates").run()  # every control drawn
    assert not at.exception
    own = [e.value for kind in ("title", "subheader", "caption") for e in at.get(kind)]
    own += [e.label for e in at.date_input] + [at.text_area(key="su_questions").label]
    own += [at.text_area(key="su_questions").placeholder, at.time_input(key="su_at").label]
    own += [b.proto.label for b in at.get("download_button")]
    own += [b.proto.help for b in at.get("download_button")]
    for group in at.get("button_group"):
        own += [group.proto.label, *group.options]
    own += [e.proto.label for e in at.get("expander")]
    with speaking("es"):
        theirs = " ".join(CAVEATS)  # the comparisons' caveats, said by tracker.insights.wording
    own = [text for text in own if text and text != theirs]
    english = [text for text in own if ENGLISH.search(text.replace("(CSV)", ""))]
    assert english == []
    assert "Últimas 4 semanas" in at.button_group(key="su_period").options
    assert [b.proto.label for b in at.get("download_button")][0] == "PDF del resumen"
    # Nor a whole English message of the catalog anywhere on it (the preview's too).
    drawn = own + [e.value for kind in ("warning", "markdown", "metric") for e in at.get(kind)
                   if isinstance(e.value, str)]  # fmt: skip
    translated = {m.id for m in _CATALOG if isinstance(m.id, str) and m.string not in ("", m.id)}
    assert [text for text in drawn if text in translated] == []


def test_a_too_long_question_is_said_in_spanish_with_spanish_thousands(monkeypatch, demo_url):
    at, _offered = open_summary("es-ES", monkeypatch, demo_url)
    at.text_area(key="su_questions").set_value("¿Es seguro? " * 1000).run()
    assert not at.exception
    (said,) = [e.value for e in at.error]
    assert said == (
        "Sus preguntas tienen 12.000 caracteres y en el PDF caben 1.500. Acórtelas y después "
        "haga el PDF."
    )


# ---------------------------------------------------------------- words outside gettext
PDF_FILES = (
    "tracker/exchange/report.py",
    "tracker/exchange/report_data.py",
    "tracker/exchange/report_pdf.py",
    "tracker/exchange/report_sections.py",
)
# What the PDF prints: a paragraph's or a number's words, a heading, a prefix or marker before
# her text, a chart's title, the document's title, a footer cell.
PRINTERS = {"Para": (0,), "Number": (0, 1, 2), "heading": (0,), "set_title": (0,), "cell": (2,)}
PRINTED_KEYWORDS = ("prefix", "marker", "title", "text")


def words_printed_outside_gettext(source: str, name: str = "<made up>") -> list[str]:
    """Each call in source that prints English words in the PDF without _(), as 'file:line'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = getattr(node.func, "id", getattr(node.func, "attr", ""))
        said = [node.args[i] for i in PRINTERS.get(called, ()) if i < len(node.args)]
        said += [k.value for k in node.keywords if k.arg in PRINTED_KEYWORDS]
        if any(literal_words(arg) for arg in said):
            found.append(f"{name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", PDF_FILES)
def test_every_word_the_pdf_prints_goes_through_gettext(path: str) -> None:
    assert words_printed_outside_gettext((ROOT / path).read_text(), path) == []


def test_the_pdf_scan_catches_words_printed_outside_gettext() -> None:
    source = """
Para("Habits", 9.5, True)
Para(_("Habits"), 9.5, True)
w.heading(f"Her experiment {n}")
Number(_("Typical cramp"), typical, "median")
w.typed(text, 10, 1, prefix="Name: ")
spec.update(title="Severity", height=3)
pdf.cell(0, 4, line, align="C")
pdf.set_title("Leg cramps")
"""
    assert words_printed_outside_gettext(source) == [f"<made up>:{n}" for n in (2, 4, 5, 6, 7, 9)]
