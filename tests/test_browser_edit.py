"""Correcting a night with a warning sign on a phone, in a real Chromium (issue 21).

The nights her clinician most needs right are the ones with a warning sign: ticked and saved,
such a night must save again after any change, from Last night (the same tab, then a new
one) and from History, with "Saved" where she tapped and never "changed elsewhere".
Each save is read back from the journal. Viewport screenshots: test-artifacts/edit-*.png.
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
    wait_for_app,
)
from tests.factories import journal_with_due_date
from tracker.journal.db import make_engine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.store import entry_of, get_night, save_night

pytestmark = pytest.mark.browser
TODAY = dt.date.today()
LAST_NIGHT = TODAY - dt.timedelta(days=1)
EARLIER = TODAY - dt.timedelta(days=3)
SIGNS = "Warning signs: tick anything you noticed"
SWELLING = "Swelling in one leg, especially the calf"
TENDERNESS = "Tenderness in the leg"
MORNING = "This morning: leg soreness, notes"
STALE = "changed elsewhere"


@pytest.fixture
def app(tmp_path):
    """The app on a journal with a due date (not a first visit) and nothing logged."""
    require_chromium()
    url = journal_with_due_date(f"sqlite:///{tmp_path / 'journal.db'}")
    with running_app(url) as base:
        yield base, url


def stored(url: str, night: dt.date) -> tuple[NightEntry, int] | None:
    """What the journal holds for the night, read in a fresh connection, and its version."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            found = get_night(session=s, night=night)
            return (entry_of(found), found.version) if found else None
    finally:
        engine.dispose()


class Phone:
    """One phone tab (its own Streamlit session) on the app."""

    def __init__(self, browser, base: str, path: str = "") -> None:  # noqa: ANN001
        self.page = browser.new_page(**PHONE)
        self.guard = Guard()
        self.guard.attach(self.page, base)
        self.page.goto(f"{base}/{path}")
        wait_for_app(self.page)

    def tap(self, locator) -> None:  # noqa: ANN001
        locator.scroll_into_view_if_needed()
        locator.tap()
        wait_for_app(self.page)

    def open(self, section: str) -> None:
        """Unfold a folded part of the form (once)."""
        summary = self.page.locator("summary").filter(has_text=section)
        if not summary.evaluate("el => el.parentElement.open"):  # <details open>
            self.tap(summary)

    def write_note(self, text: str) -> None:
        self.open(MORNING)
        self.page.get_by_label("Notes").fill(text)

    def save(self, night: dt.date, shot: str) -> None:
        """Tap Save; "Saved the night of ..." must show where she tapped, never "changed
        elsewhere"; keep what she sees then."""
        said = self.page.locator(".st-key-ln_savebar [data-testid=stAlert]")  # by Save
        if said.count():  # the last save's message, until a field she typed in sends its value
            self.page.locator("[data-testid=stMain] h1").first.click()
            wait_for_app(self.page)
        assert said.count() == 0
        self.tap(self.page.get_by_role("button", name="Save", exact=True))
        said.wait_for()
        self.page.screenshot(path=f"test-artifacts/edit-{shot}.png")
        assert STALE not in self.page.locator("[data-testid=stMain]").inner_text(), (
            said.inner_text()
        )
        assert f"Saved the night of {night:%A %d %B}" in said.inner_text()
        assert in_viewport(self.page, said), "the confirmation is off screen"

    def clean(self) -> None:
        assert self.guard.console_errors == [] and self.guard.foreign_requests == []


def test_a_night_with_a_warning_sign_saves_again_from_last_night(app, browser) -> None:
    """Ticked and saved, then a note, then a cramp, then a new tab's note: every save is
    kept, with the warning sign."""
    base, url = app
    phone = Phone(browser, base)
    phone.open(SIGNS)
    phone.tap(phone.page.get_by_text(SWELLING))
    phone.save(LAST_NIGHT, "flag-saved")
    entry, first = stored(url, LAST_NIGHT)
    assert entry.red_flags == ["one_leg_swelling"]

    phone.write_note("Calf warm in the evening")
    phone.save(LAST_NIGHT, "last-night-note")
    entry, version = stored(url, LAST_NIGHT)
    assert (entry.notes, entry.red_flags, version) == (
        "Calf warm in the evening",
        ["one_leg_swelling"],
        first + 1,
    )

    phone.tap(phone.page.get_by_role("button", name="Add a cramp"))
    phone.tap(
        phone.page.get_by_role(
            "radiogroup", name="How bad (0 = no pain, 10 = worst)"
        ).last.get_by_role("radio", name="7", exact=True)
    )
    phone.save(LAST_NIGHT, "last-night-cramp")
    entry, version = stored(url, LAST_NIGHT)
    assert [c.severity for c in entry.cramps] == [7]
    assert (entry.notes, entry.red_flags, version) == (
        "Calf warm in the evening",
        ["one_leg_swelling"],
        first + 2,
    )
    phone.clean()

    later = Phone(browser, base)  # a new session: the next morning, or after a reload
    later.write_note("Swelling went down by noon")
    later.save(LAST_NIGHT, "last-night-new-tab")
    entry, version = stored(url, LAST_NIGHT)
    assert (entry.notes, entry.red_flags, len(entry.cramps), version) == (
        "Swelling went down by noon",
        ["one_leg_swelling"],
        1,
        first + 3,
    )
    later.clean()


def test_a_night_with_a_warning_sign_saves_again_from_history(app, browser) -> None:
    """Opened from the History list, a second sign ticked and a note added: saved, with
    both signs."""
    base, url = app
    engine = make_engine(url)
    with Session(engine) as s:
        cramp = CrampEntry(time=dt.time(3), severity=8, leg="left", muscle="calf")
        logged = NightEntry(night=EARLIER, cramps=[cramp], red_flags=["one_leg_swelling"])
        seen = save_night(session=s, entry=logged).version
    engine.dispose()
    phone = Phone(browser, base, "history")
    row = phone.page.get_by_role("button", name=f"{EARLIER:%a %d %b}")
    assert "warning signs" in row.inner_text()
    phone.tap(row)
    phone.page.get_by_role("heading", name="Last night", level=1).wait_for()
    phone.page.get_by_text(f"{EARLIER:%a %d %b} →").wait_for()  # that night is open
    wait_for_app(phone.page)
    phone.open(SIGNS)
    phone.tap(phone.page.get_by_text(TENDERNESS))
    phone.write_note("Tender behind the knee")
    phone.save(EARLIER, "history")
    entry, version = stored(url, EARLIER)
    assert (entry.notes, entry.red_flags, version) == (
        "Tender behind the knee",
        ["one_leg_swelling", "tenderness"],
        seen + 1,
    )
    assert [(c.time, c.severity, c.leg) for c in entry.cramps] == [(dt.time(3), 8, "left")]
    phone.clean()
