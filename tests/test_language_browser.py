"""Last night in a real Chromium with a Spanish browser (es-ES) on a phone, 390x844.

Screenshots: test-artifacts/es-phone-last-night.png (the page with a cramp being logged) and
test-artifacts/es-phone-emergency.png (the emergency card and its call link in view).
"""

from __future__ import annotations

import datetime as dt

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
from tracker.journal.db import make_engine
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


def test_a_spanish_phone_logs_a_cramp_and_calls_112_in_spanish(journal, browser) -> None:
    base, url = journal
    page = browser.new_page(**SPANISH_PHONE)
    guard = Guard()
    guard.attach(page, base)
    page.goto(base)
    wait_for_app(page)
    assert page.locator("[data-testid=stMain] h1").inner_text() == "Anoche"
    tap(page, page.get_by_role("button", name="Añadir un calambre"))
    tap(page, pill(page, "Cuándo", "2:00"))
    tap(page, pill(page, "Pierna", "izquierda"))
    tap(page, page.get_by_role("button", name="Más: duración, dónde, qué le ayudó"))
    duration = page.get_by_label("Duración, en minutos")
    duration.fill("1,5")
    duration.press("Enter")
    wait_for_app(page)
    screenshot(page, "es-phone-last-night")
    text = page.locator("[data-testid=stMain]").inner_text()
    for english in ("Add a cramp", "Save", "Yesterday", "Warning signs", "How long"):
        assert english not in text

    tap(page, page.get_by_text("Señales de alarma: marque lo que haya notado"))
    tap(page, page.get_by_text("Falta de aire o dolor en el pecho"))
    card = page.locator("[data-testid=stAlert]").filter(
        has_text="Llame ahora al número de emergencias"
    )
    call = page.get_by_role("link", name="Llamar al 112 ahora")
    card.wait_for()
    assert call.get_attribute("href") == "tel:112"
    page.wait_for_timeout(1200)  # the card is brought into view (web.scroll_to)
    assert in_viewport(page, call), "the call link is off screen"
    page.screenshot(path="test-artifacts/es-phone-emergency.png")

    tap(page, page.get_by_role("button", name="Guardar"))
    page.get_by_text("Guardada la noche del").first.wait_for()
    engine = make_engine(url)
    with Session(engine) as s:
        night = get_night(session=s, night=LAST_NIGHT)
    engine.dispose()
    assert [(c.duration_min, c.leg) for c in night.cramps] == [(1.5, "left")]
    assert [flag.code for flag in night.red_flags] == ["breathless_or_chest_pain"]
    assert guard.console_errors == [] and guard.foreign_requests == []
    page.close()


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
