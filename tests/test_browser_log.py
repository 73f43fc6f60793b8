"""A real Chromium logs nights in the real app, on a phone-sized and a desktop screen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from tests.browser_support import (
    Guard,
    require_chromium,
    running_app,
    screenshot,
    wait_for_app,
)
from tracker.db import make_engine
from tracker.journal import get_night

pytestmark = pytest.mark.browser
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture
def app(tmp_path):
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    with running_app(url) as base:
        yield base, url


def night(url: str, date: dt.date):
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return get_night(session=s, night=date)
    finally:
        engine.dispose()


def test_phone_logs_a_night_with_a_cramp_and_a_red_flag(app, browser) -> None:
    base, url = app
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    guard = Guard()
    guard.attach(page, base)
    page.goto(base)
    wait_for_app(page)
    page.get_by_role("button", name="Skip for now").click()  # the first run asks for a due date
    wait_for_app(page)
    page.get_by_role("button", name="Add a cramp").click()
    wait_for_app(page)
    page.get_by_role("radiogroup", name="Leg").get_by_role("radio", name="left").click()
    wait_for_app(page)
    page.get_by_role("button", name="More: how long, where, what helped").click()
    wait_for_app(page)
    page.get_by_label("How long, in minutes").fill("4")
    page.get_by_label("How long, in minutes").press("Enter")
    wait_for_app(page)
    page.get_by_text("Warning signs: tick anything you noticed").click()
    page.get_by_text("Swelling in one leg, especially the calf").click()
    wait_for_app(page)
    assert page.get_by_text("Contact your doctor or maternity unit straight away").is_visible()
    page.get_by_text("This morning: leg soreness, notes").click()
    page.get_by_label("Notes").fill("<script>alert(1)</script> **not bold**")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Saved the night of").first.wait_for()
    screenshot(page, "last-night-phone-saved")
    saved = night(url, LAST_NIGHT)
    assert saved is not None
    assert [(c.duration_min, c.leg) for c in saved.cramps] == [(4.0, "left")]
    assert [f.code for f in saved.red_flags] == ["one_leg_swelling"]
    assert saved.notes == "<script>alert(1)</script> **not bold**"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    assert guard.foreign_requests == []
    assert guard.console_errors == []


def test_desktop_zero_night_in_one_click(app, browser) -> None:
    base, url = app
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    guard = Guard()
    guard.attach(page, base)
    page.goto(base)
    wait_for_app(page)
    page.get_by_role("button", name="Skip for now").click()
    wait_for_app(page)
    page.get_by_role("button", name="No cramps last night").click()
    wait_for_app(page)
    page.get_by_text("Already logged: 0 cramps").wait_for()
    screenshot(page, "last-night-desktop-zero")
    saved = night(url, LAST_NIGHT)
    assert saved is not None and saved.cramps == []
    assert guard.foreign_requests == []
    assert guard.console_errors == []


def test_a_page_opened_by_its_address_gets_the_app_navigation(app, browser) -> None:
    """On a fresh server, /history must run inside the router (top navigation), not alone."""
    base, _ = app
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    guard = Guard()
    guard.attach(page, base)
    page.goto(f"{base}/history")
    wait_for_app(page)
    assert page.locator("[data-testid=stMain] h1").first.inner_text() == "History"
    assert page.locator("[data-testid=stSidebarNav]").count() == 0  # not the old page list
    assert page.get_by_role("link", name="Last night").count() >= 1
    assert guard.console_errors == [] and guard.foreign_requests == []
