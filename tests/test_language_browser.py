"""Her app in a real Chromium with a Spanish browser (es-ES) on a phone, 390x844: the
first-run question, a one-cramp night, the emergency card's call link, History, Trends and the
Summary with its PDF in Spanish and in English; the menu named in Spanish.

Screenshots: test-artifacts/es-phone-<page>.png (every page), es-phone-emergency.png (the
call link in view) and es-phone-menu.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.browser_support import (
    PHONE,
    Guard,
    in_viewport,
    require_chromium,
    running_app,
    screenshot,
    wait_for_app,
)
from tests.test_language_pdf import _CATALOG as CATALOG
from tests.test_language_pdf import english_pieces, pdf_text
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema
from tracker.journal.store import get_night, get_profile, save_profile

pytestmark = pytest.mark.browser
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
SPANISH_PHONE = {**PHONE, "locale": "es-ES"}


@pytest.fixture
def journal(tmp_path):
    """The app on a journal with a due date and nothing logged yet."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        profile = get_profile(session=s)
        profile.due_date = dt.date.today() + dt.timedelta(days=70)
        save_profile(session=s, profile=profile)
    engine.dispose()
    with running_app(url) as base:
        yield base, url


def tap(page, locator) -> None:  # noqa: ANN001
    locator.scroll_into_view_if_needed()
    locator.tap()
    wait_for_app(page)


def pill(page, group: str, option: str):  # noqa: ANN001, ANN201
    return page.get_by_role("radiogroup", name=group).get_by_role("radio", name=option, exact=True)


def test_the_phone_menu_and_its_pages_are_named_in_spanish(journal, browser) -> None:
    """The cards send her to Ajustes and Señales de alarma: the menu calls them so."""
    base, _url = journal
    page = browser.new_page(**SPANISH_PHONE)
    page.goto(base)
    wait_for_app(page)
    menu = page.locator("[data-testid=stExpandSidebarButton]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stExpandSidebarButton]')"
        "?.getAttribute('aria-label') === 'Menú'"
    )
    assert menu.evaluate("el => getComputedStyle(el, '::after').content") == '"Menú"'
    tap(page, page.get_by_role("button", name="Menú", exact=True))
    links = page.locator("[data-testid=stSidebarNavLink]").all_inner_texts()
    assert [link.split("\n")[-1].strip() for link in links] == [
        "Anoche", "Historial", "Tendencias", "Experimentos", "Resumen", "Señales de alarma",
        "Ajustes", "Guía",
    ]  # fmt: skip
    page.screenshot(path="test-artifacts/es-phone-menu.png")
    tap(page, page.locator("[data-testid=stSidebarNavLink]", has_text="Señales de alarma"))
    assert page.url.endswith("/red_flags")  # the address stays the page's own
    page.close()


# ------------------------------------------------------------ her whole morning, in Spanish

CHART = "[data-testid=stVegaLiteChart]"
ICONS = (  # Material icons are drawn from words ("add", "warning"): not words she reads
    "[data-testid=stMain] [data-testid=stIconMaterial], "
    "[data-testid=stMain] [data-testid=stExpanderIcon], "
    "[data-testid=stMain] [aria-hidden=true][translate=no]"
)
ALL_DRAWN = (
    f"() => document.querySelectorAll('{CHART}').length > 0 && [...document.querySelectorAll("
    f"'{CHART}')].every(c => {{ const d = c.querySelector('canvas, svg.marks'); "
    "return d && d.getBoundingClientRect().width > 50 && d.getBoundingClientRect().height > 50; })"
)
# English words no Spanish page of ours has (her own notes here are Spanish too).
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|night|nights|cramps?|save|saved|leg|warning|signs|call|now|add|"
    r"yesterday|notes|how|when|where|what|week|weeks|logged|trends|history|summary)\b",
    re.IGNORECASE,
)


def english_lines(text: str) -> list[str]:
    """The lines of a page that are an English message of the catalog (one with a different
    Spanish), or hold a long piece of one, or an English word."""
    whole = {
        english
        for message in CATALOG
        for english, said in zip(
            message.id if isinstance(message.id, tuple) else (message.id,),
            message.string if isinstance(message.string, tuple) else (message.string,),
            strict=False,  # Spanish has three plural forms to English's two
        )
        if said and said != english
    }
    pieces = english_pieces()
    return [
        line
        for line in (" ".join(raw.split()) for raw in text.splitlines())
        if line in whole or any(p in line for p in pieces) or ENGLISH_WORDS.search(line)
    ]


def main_text(page) -> str:  # noqa: ANN001
    """What the page says, without the names of its icons (Material icons are drawn from
    words: "add", "warning")."""
    icons = set(page.locator(ICONS).all_inner_texts())
    text = page.locator("[data-testid=stMain]").inner_text()
    return "\n".join(line for line in text.splitlines() if line.strip() not in icons)


def download(page, tmp_path: Path, name: str) -> tuple[str, str]:  # noqa: ANN001
    """Tap the Summary's PDF button: (the file's name, its text as pdftotext reads it)."""
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name="PDF del resumen").click()
    path = tmp_path / f"{name}.pdf"
    got.value.save_as(path)
    wait_for_app(page)
    return got.value.suggested_filename, pdf_text(path.read_bytes(), tmp_path)


@pytest.fixture
def empty_journal(tmp_path):
    """The app on a brand-new journal: nothing logged, no due date."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    with running_app(url) as base:
        yield base, url


def test_her_first_morning_then_months_of_nights_all_in_spanish(
    empty_journal, browser, tmp_path
) -> None:
    """A Spanish phone (es-ES, 390x844): the first-run question, a one-cramp night with 1,5
    minutes and the emergency card's tel:112 link in view, then (with the demo's months of
    nights) every other page, and the Summary's PDF in Spanish and, from the same Spanish
    session, in English. No English message of the catalog on any page."""
    base, url = empty_journal
    page = browser.new_page(accept_downloads=True, **SPANISH_PHONE)
    guard = Guard()
    guard.attach(page, base)
    page.goto(base)
    wait_for_app(page)

    # The first-run question, answered.
    page.get_by_text("Bienvenida. ¿Cuál es su fecha probable de parto?").wait_for()
    screenshot(page, "es-phone-first-run")
    assert english_lines(main_text(page)) == []
    due = dt.date.today() + dt.timedelta(days=70)
    page.get_by_role("spinbutton", name="day, Fecha probable de parto").click()
    page.keyboard.type(due.strftime("%d%m%Y"))
    page.locator("[data-testid=stMain] h1").first.click()  # the date is sent on blur
    wait_for_app(page)
    tap(page, page.get_by_role("button", name="Guardar la fecha"))
    page.get_by_text("Fecha probable de parto guardada").first.wait_for()

    # The one-cramp morning log, with a warning sign whose card calls 112.
    tap(page, page.get_by_role("button", name="Añadir un calambre"))
    tap(page, pill(page, "Cuándo", "2:00"))
    tap(page, pill(page, "Pierna", "izquierda"))
    tap(page, page.get_by_role("button", name="Más: duración, dónde, qué le ayudó"))
    duration = page.get_by_label("Duración, en minutos")
    duration.fill("1,5")
    duration.press("Enter")
    wait_for_app(page)
    tap(page, page.get_by_text("Señales de alarma: marque lo que haya notado"))
    tap(page, page.get_by_text("Falta de aire o dolor en el pecho"))
    call = page.get_by_role("link", name="Llamar al 112 ahora")
    call.wait_for()
    assert call.get_attribute("href") == "tel:112"
    page.wait_for_timeout(1200)  # the card is brought into view (web.scroll_to)
    assert in_viewport(page, call), "the call link is off screen"
    page.screenshot(path="test-artifacts/es-phone-emergency.png")  # what she sees
    screenshot(page, "es-phone-last-night")
    assert english_lines(main_text(page)) == []
    tap(page, page.get_by_role("button", name="Guardar"))
    saved = page.get_by_text("Guardada la noche del").first
    saved.wait_for()
    assert in_viewport(page, saved), "'Guardada' is off screen"
    engine = make_engine(url)
    with Session(engine) as s:
        night = get_night(session=s, night=LAST_NIGHT)
        assert get_profile(session=s).due_date == due
    assert [(c.duration_min, c.leg) for c in night.cramps] == [(1.5, "left")]
    assert [flag.code for flag in night.red_flags] == ["breathless_or_chest_pain"]

    # Months of nights (the demo, ending with last night), then her other pages.
    with Session(engine) as s:
        fill_demo(session=s, force=True)
    engine.dispose()
    for path, title, step in (
        ("history", "Historial", "history"),
        ("trends", "Tendencias", "trends"),
        ("experiments", "Experimentos", "experiments"),
        ("red_flags", "Señales de alarma", "red-flags"),
        ("settings", "Ajustes", "settings"),
        ("guide", "Guía", "guide"),
        ("summary", "Resumen para su cita", "summary"),
    ):
        page.goto(f"{base}/{path}")
        wait_for_app(page)
        page.get_by_role("heading", name=title, level=1).wait_for()
        if path == "trends":
            page.wait_for_function(ALL_DRAWN, timeout=30_000)
        if path == "summary":
            page.get_by_role("button", name="PDF del resumen").wait_for()
        screenshot(page, f"es-phone-{step}")
        text = main_text(page)
        assert english_lines(text) == [], step
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{step} scrolls sideways ({width}px)"
    assert "Anotó señales de alarma en" in text or "señales de alarma" in text.lower()

    # The PDF in Spanish, then in English from the same Spanish session.
    name, spanish = download(page, tmp_path, "es")
    assert name.endswith("-es.pdf")
    assert "Calambres nocturnos en el embarazo: resumen del diario" in spanish
    assert "ANOTADO POR LA PACIENTE" in spanish
    assert sorted(p for p in english_pieces() if p in spanish) == []
    tap(page, pill(page, "Idioma del PDF", "English"))
    assert page.locator("[data-testid=stMain] h1").inner_text() == "Resumen para su cita"
    name, english = download(page, tmp_path, "en")
    assert not name.endswith("-es.pdf")
    assert "Night-time leg cramps in pregnancy: diary summary" in english
    assert "SELF-REPORTED BY THE PATIENT" in english and "ANOTADO" not in english
    assert guard.console_errors == [] and guard.foreign_requests == []
    page.close()
