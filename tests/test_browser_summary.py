"""A real Chromium opens the Summary page, types a question and downloads the PDF."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlmodel import Session

from tests.browser_support import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    Guard,
    axe_violations,
    in_viewport,
    require_axe,
    require_chromium,
    running_app,
    screenshot,
    touch_targets,
    wait_for_app,
)
from tests.test_report import require_poppler
from tracker.exchange.report_data import day_text, headline_numbers
from tracker.insights.summary import summarise
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema

pytestmark = pytest.mark.browser
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
START = LAST_NIGHT - dt.timedelta(days=27)  # no appointment set: the last 4 weeks
QUESTION = "Is it safe to keep taking magnesium — and which form?"


def demo_app(folder):  # noqa: ANN001, ANN201
    """The app on the demo journal (no appointment set), and its summary of the last 4 weeks."""
    require_chromium()
    require_poppler()
    url = f"sqlite:///{folder / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as session:
        fill_demo(session=session)
    summary = summarise(session_or_engine=engine, start=START, end=LAST_NIGHT)
    engine.dispose()
    with running_app(url) as base:
        yield base, summary


@pytest.fixture(scope="module")
def app(tmp_path_factory):  # noqa: ANN001, ANN201
    """One server for the tests that only read the journal (her questions are kept in her
    browser session, not in the journal): each later test finds it warm."""
    yield from demo_app(tmp_path_factory.mktemp("summary"))


@pytest.fixture
def own_app(tmp_path):  # noqa: ANN001, ANN201
    """Her last appointment, once typed, is saved and moves the Summary's default period: a
    test that types it has a journal of its own."""
    yield from demo_app(tmp_path)


def open_summary(browser, base: str, screen: dict):  # noqa: ANN001, ANN201
    """The Summary page in a new tab with this screen (browser.new_page's options)."""
    page = browser.new_page(**screen, accept_downloads=True)
    guard = Guard()
    guard.attach(page, base)
    # The app's first run registers its navigation; before that, a fresh server would open
    # /summary as a bare pages/ script with Streamlit's own sidebar list of files.
    page.goto(base)
    wait_for_app(page)
    page.get_by_role("heading", name="Last night").first.wait_for()
    page.goto(f"{base}/summary")
    wait_for_app(page)
    page.get_by_role("button", name="Morning reminder (calendar)").wait_for()  # the last element
    wait_for_app(page)
    return page, guard


def test_desktop_downloads_the_pdf_with_the_headline_numbers(app, browser, tmp_path) -> None:
    base, summary = app
    page, guard = open_summary(browser, base, {"viewport": {"width": 1280, "height": 900}})
    page.get_by_role("textbox", name="Questions for your midwife or doctor").fill(QUESTION)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Summary PDF").click()
    saved = tmp_path / "summary.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"cramp-summary-{START}-to-{LAST_NIGHT}.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(saved), "-"], capture_output=True, text=True, check=True
    ).stdout
    for number in headline_numbers(summary, START, LAST_NIGHT):
        assert number.value in text, number.label
    for red in summary.red_flag_nights:
        assert day_text(red.night) in text
    assert "SELF-REPORTED BY THE PATIENT" in text
    assert QUESTION in text  # typed, then the button pressed straight away
    wait_for_app(page)
    screenshot(page, "summary-desktop")
    page.get_by_role("link", name="Trends").click()  # her questions outlive a page switch
    wait_for_app(page)
    page.get_by_role("link", name="Summary").click()
    wait_for_app(page)
    from playwright.sync_api import expect  # here: without playwright the fixture skips

    box = page.get_by_role("textbox", name="Questions for your midwife or doctor")
    expect(box).to_have_value(QUESTION, timeout=15_000)
    assert guard.foreign_requests == []
    assert guard.console_errors == []


def save_download(page, button: str, path):  # noqa: ANN001, ANN201
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=button).click()
    download.value.save_as(path)
    return download.value.suggested_filename


def test_phone_downloads_the_diary_and_the_reminder(app, browser, tmp_path) -> None:
    base, summary = app
    page, guard = open_summary(browser, base, {"viewport": {"width": 390, "height": 844}})
    name = save_download(page, "Diary (CSV)", tmp_path / "diary.csv")
    assert name == f"cramp-diary-{dt.date.today()}.csv"
    diary = (tmp_path / "diary.csv").read_bytes()
    assert diary.startswith(b"\xef\xbb\xbfnight,")
    assert save_download(page, "Morning reminder (calendar)", tmp_path / "r.ics").endswith(".ics")
    assert b"RRULE:FREQ=DAILY" in (tmp_path / "r.ics").read_bytes()
    assert guard.console_errors == []


def test_phone_shows_the_preview_without_sideways_scrolling(app, browser) -> None:
    base, summary = app
    page, guard = open_summary(browser, base, {"viewport": {"width": 390, "height": 844}})
    for number in headline_numbers(summary, START, LAST_NIGHT):
        assert page.get_by_text(number.value, exact=True).first.is_visible()
    assert page.get_by_role("button", name="Summary PDF").is_visible()
    screenshot(page, "summary-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert guard.foreign_requests == []
    assert guard.console_errors == []


def tap(page, name: str) -> None:  # noqa: ANN001
    """Her thumb on a control, then the app settled."""
    control = page.get_by_role("button", name=name, exact=True)
    control.scroll_into_view_if_needed()
    control.tap()
    wait_for_app(page)


def test_phone_every_control_is_big_enough_and_axe_finds_nothing_serious(own_app, browser) -> None:
    require_axe()
    base, _ = own_app
    page, guard = open_summary(browser, base, PHONE)
    found = {"first view": touch_targets(page)}
    axe = {"first view": axe_violations(page)}
    appointment = LAST_NIGHT - dt.timedelta(days=20)  # typed into the date field: saved at once
    page.get_by_role("spinbutton", name="day, Last appointment").tap()
    page.keyboard.type(f"{appointment:%d%m%Y}")
    page.keyboard.press("Escape")  # the calendar that opened with the field, closed
    wait_for_app(page)
    said = f"Last appointment saved: {day_text(appointment)}. Settings shows the same date."
    for shown in (page.locator("[data-testid=stAlertContentSuccess]", has_text=said),
                  page.locator("[data-testid=stToast]", has_text=said)):  # fmt: skip
        shown.wait_for()
        assert in_viewport(page, shown)
    found["appointment set"] = touch_targets(page)  # the date field now has a clear button
    page.get_by_role("radio", name="Choose dates").tap()  # every control there can be
    wait_for_app(page)
    page.get_by_text("Your habits compared").tap()
    wait_for_app(page)
    screenshot(page, "summary-phone-everything")
    found["dates and comparisons open"] = touch_targets(page)
    axe["dates and comparisons open"] = axe_violations(page)
    for state, targets in found.items():
        assert targets["count"] >= 20, f"{state}: found only {targets['count']} controls"
        assert targets["small"] == [], f"{state}: smaller than 44x44 px: {targets['small']}"
        assert targets["close"] == [], f"{state}: closer than 8 px: {targets['close']}"
    assert {state: v for state, v in axe.items() if v} == {}
    assert guard.console_errors == []


def test_desktop_axe_finds_nothing_serious(app, browser) -> None:
    require_axe()
    base, _ = app
    page, guard = open_summary(
        browser, base, {**DESKTOP, "viewport": {"width": 1280, "height": 800}}
    )
    assert axe_violations(page) == []
    page.get_by_role("radio", name="Choose dates").click()
    wait_for_app(page)
    page.get_by_text("Your habits compared").click()
    wait_for_app(page)
    assert axe_violations(page) == []
    screenshot(page, "summary-desktop-everything")
    assert guard.console_errors == []


def test_phone_each_download_says_so_where_she_tapped(app, browser, tmp_path) -> None:
    base, _ = app
    page, guard = open_summary(browser, base, PHONE)
    for button, name in (
        ("Summary PDF", f"cramp-summary-{START}-to-{LAST_NIGHT}.pdf"),  # near the top
    ):
        with page.expect_download(timeout=60_000) as download:
            tap(page, button)
            said = f"Downloading {name}: your browser keeps it with your other downloads."
            beside = page.locator("[data-testid=stAlertContentSuccess]", has_text=said)
            beside.wait_for()  # under the button; the toast below is what shows in view
            toast = page.locator("[data-testid=stToast]", has_text=f"Downloading {name}")
            toast.wait_for()
            assert in_viewport(page, toast)
        download.value.save_as(tmp_path / name)
        assert download.value.suggested_filename == name
        ARTIFACTS.mkdir(exist_ok=True)  # what she sees after the tap: the viewport only
        page.screenshot(path=str(ARTIFACTS / f"summary-phone-after-{name.split('-')[1]}.png"))
    assert (tmp_path / f"cramp-summary-{START}-to-{LAST_NIGHT}.pdf").read_bytes()[:5] == b"%PDF-"
    assert guard.console_errors == []
