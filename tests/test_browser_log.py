"""A page opened by its address runs inside the router (logging itself: test_browser_phone.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from tests.browser_support import (
    Guard,
    require_chromium,
    running_app,
    wait_for_app,
)
from tracker.journal.db import make_engine
from tracker.journal.store import get_night

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
