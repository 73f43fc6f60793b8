"""A new user's whole path in a real Chromium on a phone; every page again on a desktop screen.

Settings (due date), Last night (a zero night in one tap, an earlier night with two cramps,
a night with a warning sign), History (open a night, change it, save), Trends (the charts
drawn), Summary (the PDF downloaded and read back), then Warning signs and Guide. On every page:
no sideways scrolling, no console errors, nothing fetched from any host but the app's own.
Screenshots of each page are kept in test-artifacts/journey-<screen>-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.browser_support import (
    DESKTOP,
    PHONE,
    Guard,
    require_chromium,
    running_app,
    screenshot,
    wait_for_app,
)
from tests.test_report import require_poppler
from tracker.exchange.report_data import day_text, headline_numbers
from tracker.insights.summary import summarise
from tracker.journal.db import make_engine
from tracker.journal.store import get_night, get_profile

pytestmark = pytest.mark.browser
TODAY = dt.date.today()
LAST_NIGHT = TODAY - dt.timedelta(days=1)
TWO_CRAMPS = TODAY - dt.timedelta(days=4)  # (b) an earlier night
FLAGGED = TODAY - dt.timedelta(days=2)  # (c) a night with a warning sign
DUE = TODAY + dt.timedelta(days=70)  # week 30+0 today
FOUR_WEEKS = LAST_NIGHT - dt.timedelta(days=27)  # the Summary's default period
NIGHT_FIELD = "Night of (the evening it began)"
FLAG = "Tenderness in the leg"
STRAIGHT_AWAY = "Contact your doctor or maternity unit straight away"
EDITED_NOTE = "Changed from History"
CHART = "[data-testid=stVegaLiteChart]"
ALL_DRAWN = (
    f"() => document.querySelectorAll('{CHART}').length > 0 && [...document.querySelectorAll("
    f"'{CHART}')].every(c => {{ const d = c.querySelector('canvas, svg.marks'); "
    "return d && d.getBoundingClientRect().width > 50 && d.getBoundingClientRect().height > 50; })"
)
SCREENS = {"phone": PHONE, "desktop": DESKTOP}


class Journey:
    """One browser tab on the app, checked on every page it visits."""

    def __init__(self, browser, base: str, screen: str) -> None:  # noqa: ANN001
        self.page = browser.new_page(accept_downloads=True, **SCREENS[screen])
        self.screen, self.base = screen, base
        self.guard = Guard()
        self.guard.attach(self.page, base)
        self.visited: list[str] = []

    def check(self, step: str) -> None:
        """Keep a screenshot, and fail if the page is wider than the screen."""
        page = self.page
        screenshot(page, f"journey-{self.screen}-{step}")
        width = page.viewport_size["width"]
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{step}: the page scrolls sideways ({scroll_width}px)"
        self.visited.append(step)

    def go(self, link: str, title: str) -> None:
        """Open a page from the app's navigation (on a phone, its menu)."""
        page = self.page
        if self.screen == "phone":
            page.get_by_role("button", name="Menu", exact=True).click()
            page.locator("[data-testid=stSidebar]").get_by_role("link", name=link).click()
        else:
            page.locator("[data-testid=stHeader]").get_by_role("link", name=link).click()
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
        wait_for_app(page)
        if self.screen == "phone":  # the menu closed itself and leaves the page readable
            page.get_by_role("button", name="Menu", exact=True).wait_for()

    def wait_text(self, text: str) -> None:
        """Wait for text Streamlit shows after a rerun (never a fixed sleep)."""
        self.page.get_by_text(text).first.wait_for(timeout=30_000)
        wait_for_app(self.page)

    def type_date(self, label: str, day: dt.date) -> None:
        """Type a date into a segmented date field: day, month and year, digits only."""
        self.page.get_by_role("spinbutton", name=f"day, {label}").click()
        self.page.keyboard.type(day.strftime("%d%m%Y"))

    def blur(self) -> None:
        """Click the title: a date field sends its value when it loses focus (not on Enter)."""
        self.page.locator("[data-testid=stMain] h1").first.click()


@pytest.fixture
def app(tmp_path):
    require_chromium()
    require_poppler()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    with running_app(url) as base:
        yield base, url


def read_journal(url: str, action):  # noqa: ANN001, ANN201
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return action(session)
    finally:
        engine.dispose()


def night(url: str, day: dt.date):  # noqa: ANN201
    return read_journal(url, lambda s: get_night(session=s, night=day))


# ---------------------------------------------------------------- the steps


def set_due_date(j: Journey, url: str) -> None:
    j.go("Settings", "Settings")
    j.type_date("Due date", DUE)
    j.page.get_by_role("button", name="Save settings").click()
    j.wait_text("Settings saved.")
    j.wait_text("Today: week 30+0 of pregnancy")
    j.check("settings")
    assert read_journal(url, lambda s: get_profile(session=s).due_date) == DUE


def log_zero_night(j: Journey, url: str) -> None:
    j.go("Last night", "Last night")
    j.page.get_by_role("button", name="No cramps last night").click()
    j.wait_text("Already logged: no cramps.")
    j.check("last-night-zero")
    saved = night(url, LAST_NIGHT)
    assert saved is not None and saved.cramps == [] and saved.red_flags == []


def open_night(j: Journey, day: dt.date) -> None:
    j.page.locator("summary").filter(has_text="→").click()  # the night, folded under its dates
    j.type_date(NIGHT_FIELD, day)
    j.blur()
    j.page.get_by_role("button", name=f"No cramps on the night of {day:%d %b}").wait_for()
    wait_for_app(j.page)


def log_two_cramps(j: Journey, url: str) -> None:
    open_night(j, TWO_CRAMPS)
    page = j.page
    for minutes in ("2", "3"):
        page.get_by_role("button", name="Add a cramp").click()
        wait_for_app(page)
        if minutes == "2":
            leg = page.get_by_role("radiogroup", name="Leg").get_by_role("radio", name="left")
            leg.click()
            wait_for_app(page)
        page.get_by_role("button", name="More: how long, where, what helped").click()
        wait_for_app(page)
        duration = page.get_by_label("How long, in minutes")
        duration.fill(minutes)
        duration.press("Enter")
        wait_for_app(page)
    page.get_by_role("button", name="Save", exact=True).click()
    j.wait_text(f"Saved the night of {TWO_CRAMPS:%A %d %B}")
    j.wait_text("Already logged: 2 cramps")
    j.check("last-night-two-cramps")
    saved = night(url, TWO_CRAMPS)
    assert saved is not None
    assert [(c.duration_min, c.leg) for c in saved.cramps] == [(2.0, "left"), (3.0, None)]


def log_red_flag(j: Journey, url: str) -> None:
    open_night(j, FLAGGED)
    page = j.page
    page.get_by_text("Warning signs: tick anything you noticed").click()
    page.get_by_text(FLAG).click()
    j.wait_text(STRAIGHT_AWAY)
    card = page.locator("[data-testid=stAlert]").filter(has_text=STRAIGHT_AWAY)
    assert card.is_visible() and FLAG in card.inner_text()
    page.get_by_role("button", name="Save", exact=True).click()
    j.wait_text(f"Saved the night of {FLAGGED:%A %d %B}")
    j.check("last-night-red-flag")
    saved = night(url, FLAGGED)
    assert saved is not None and [f.code for f in saved.red_flags] == ["tenderness"]


def edit_in_history(j: Journey, url: str) -> None:
    before = night(url, TWO_CRAMPS)
    j.go("History", "History")
    page = j.page
    page.get_by_text("3 nights logged").wait_for()
    flagged = page.get_by_role("button", name=f"{FLAGGED:%a %d %b}")
    assert "warning signs" in flagged.inner_text()  # marked in the list
    j.check("history")
    page.get_by_role("button", name=f"{TWO_CRAMPS:%a %d %b} · week").click()
    page.get_by_role("heading", name="Last night", level=1).wait_for()
    wait_for_app(page)
    j.wait_text("Already logged: 2 cramps")
    page.get_by_text(f"{TWO_CRAMPS:%a %d %b} →").wait_for()  # that night is open
    page.get_by_role("button", name="Cramp 2:").click()
    wait_for_app(page)
    page.get_by_label("How long, in minutes").fill("4")
    page.get_by_label("How long, in minutes").press("Enter")
    wait_for_app(page)
    page.get_by_text("This morning: leg soreness, notes").click()
    page.get_by_label("Notes").fill(EDITED_NOTE)
    page.get_by_role("button", name="Save", exact=True).click()
    j.wait_text(f"Saved the night of {TWO_CRAMPS:%A %d %B}")
    j.check("last-night-edited")
    after = night(url, TWO_CRAMPS)
    assert after.version == before.version + 1
    assert after.notes == EDITED_NOTE
    assert [c.duration_min for c in after.cramps] == [2.0, 4.0]


def see_trends(j: Journey, *_: object) -> None:
    j.go("Trends", "Trends")
    page = j.page
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    assert page.get_by_text("You noted warning signs on 1 night in this period").is_visible()
    j.check("trends")


def download_pdf(j: Journey, url: str, tmp_path: Path) -> str:
    j.go("Summary", "Summary for your appointment")
    page = j.page
    page.get_by_role("button", name="Morning reminder (calendar)").wait_for()  # the last one
    wait_for_app(page)
    j.check("summary")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Summary PDF").click()
    pdf = tmp_path / "summary.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == f"cramp-summary-{FOUR_WEEKS}-to-{LAST_NIGHT}.pdf"
    wait_for_app(page)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def check_pdf(text: str, url: str) -> None:
    summary = read_journal(
        url, lambda s: summarise(session_or_engine=s, start=FOUR_WEEKS, end=LAST_NIGHT)
    )
    assert (summary.cramps, summary.nights_logged, summary.nights_with_cramps) == (2, 3, 1)
    assert "2 cramps in total" in text
    assert "1 of 3 logged nights" in text
    for number in headline_numbers(summary, FOUR_WEEKS, LAST_NIGHT):
        assert number.value in text, number.label
    assert day_text(FLAGGED) in text  # the warning sign's night, shown first
    assert FLAG in text


def see_the_other_pages(j: Journey, *_: object) -> None:
    j.go("Warning signs", "Warning signs")
    j.page.get_by_text(f"{FLAGGED:%a %d %b %Y}:").wait_for()  # her flagged night is listed
    j.check("red-flags")
    j.go("Guide", "Guide")
    j.check("guide")


# ---------------------------------------------------------------- the journey


def start(j: Journey, _: str) -> None:
    j.page.goto(j.base)
    # The server's first run imports everything: slow on a busy machine, so a longer wait.
    j.page.get_by_role("heading", name="Last night", level=1).wait_for(timeout=90_000)
    wait_for_app(j.page)
    j.page.get_by_text("Welcome. When is your baby due?").wait_for()  # asked once, gently
    j.check("start")
    j.page.get_by_role("button", name="Skip for now").click()
    wait_for_app(j.page)
    assert j.page.get_by_text("Welcome. When is your baby due?").count() == 0


def summary_pdf(j: Journey, url: str, tmp_path: Path) -> None:
    check_pdf(download_pdf(j, url, tmp_path), url)


def test_a_new_user_logs_edits_and_takes_a_summary(app, browser, tmp_path) -> None:
    """The whole path on her phone, the device she logs on in the night."""
    base, url = app
    j = Journey(browser, base, "phone")
    steps = [
        (start, url),
        (set_due_date, url),
        (log_zero_night, url),
        (log_two_cramps, url),
        (log_red_flag, url),
        (edit_in_history, url),
        (see_trends,),
        (summary_pdf, url, tmp_path),
        (see_the_other_pages,),
    ]
    walk(j, steps)
    assert j.visited == [
        "start",
        "settings",
        "last-night-zero",
        "last-night-two-cramps",
        "last-night-red-flag",
        "history",
        "last-night-edited",
        "trends",
        "summary",
        "red-flags",
        "guide",
    ]
    assert j.guard.foreign_requests == []
    assert j.guard.console_errors == []
    j.page.close()


def walk(j: Journey, steps: list) -> None:
    for action, *args in steps:
        try:
            action(j, *args)
        except Exception as exc:  # say which step, and keep what the screen showed
            exc.add_note(f"{j.screen}: failed in {action.__name__}; screen in test-artifacts/")
            screenshot(j.page, f"journey-{j.screen}-failed")
            raise


# ---------------------------------------------------------------- the same journal on a desktop


def fill_as_the_phone_left_it(_: Journey, url: str) -> None:
    """What the phone journey saves, written straight to the journal: the due date, a night
    with no cramps, two cramps (2 and 4 minutes) with a note, and a night with a warning sign."""
    from tests.factories import make_cramp
    from tracker.journal.entries import NightEntry
    from tracker.journal.store import save_night, save_profile

    def fill(session) -> None:  # noqa: ANN001
        profile = get_profile(session=session)
        profile.due_date = DUE
        save_profile(session=session, profile=profile)
        cramps = [make_cramp(duration_min=2.0), make_cramp(duration_min=4.0, leg=None)]
        for entry in (
            NightEntry(night=LAST_NIGHT, cramps=[]),
            NightEntry(night=TWO_CRAMPS, cramps=cramps, notes=EDITED_NOTE),
            NightEntry(night=FLAGGED, cramps=[], red_flags=["tenderness"]),
        ):
            save_night(session=session, entry=entry, expected_version=0)

    read_journal(url, fill)


def every_page_from_the_top_navigation(j: Journey, *_: object) -> None:
    """Each page opened from the desktop's navigation bar, drawn at desktop width."""
    page = j.page
    j.go("Settings", "Settings")
    j.wait_text("Today: week 30+0 of pregnancy")
    j.check("settings")
    j.go("Last night", "Last night")
    j.wait_text("Already logged: no cramps.")
    j.check("last-night")
    j.go("History", "History")
    page.get_by_text("3 nights logged").wait_for()
    assert "warning signs" in page.get_by_role("button", name=f"{FLAGGED:%a %d %b}").inner_text()
    j.check("history")
    see_trends(j)
    j.go("Summary", "Summary for your appointment")
    page.get_by_role("button", name="Morning reminder (calendar)").wait_for()
    wait_for_app(page)
    assert page.get_by_role("button", name="Summary PDF").is_visible()
    j.check("summary")
    see_the_other_pages(j)


def test_on_a_desktop_every_page_opens_from_its_navigation_and_fits(app, browser) -> None:
    """A desktop can fail what a phone cannot: its navigation bar, and layout at 1280 px.
    Her typing and tapping, the saved nights and the PDF are checked on the phone above."""
    base, url = app
    j = Journey(browser, base, "desktop")
    walk(j, [(start, url), (fill_as_the_phone_left_it, url), (every_page_from_the_top_navigation,)])
    assert j.visited == [
        "start",
        "settings",
        "last-night",
        "history",
        "trends",
        "summary",
        "red-flags",
        "guide",
    ]
    assert j.guard.foreign_requests == []
    assert j.guard.console_errors == []
    j.page.close()
