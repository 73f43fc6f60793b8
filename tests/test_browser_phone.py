"""The morning log on a phone, in a real Chromium: what she sees in the viewport after each tap.

Phone: 390x844, touch, a phone user agent, British English (so the emergency number is 999).
Screenshots of each state are kept in test-artifacts/phone-*.png.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.browser_support import (
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
from tracker.app.navigation import PAGES as NAVIGATION
from tracker.journal.db import make_engine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.schema import ensure_schema
from tracker.journal.store import get_night, get_profile, save_night, save_profile

pytestmark = pytest.mark.browser
TODAY = dt.date.today()
LAST_NIGHT = TODAY - dt.timedelta(days=1)
SCREEN = PHONE["viewport"]["height"]
SAVED = "Saved the night of"
MARKUP = "<script>alert(1)</script> **not bold**"
EMERGENCY_CARD = "Call your local emergency number now"
PAGES = {  # the address, the title and the navigation link of every page
    "last-night": ("", "Last night"),
    "history": ("history", "History"),
    "trends": ("trends", "Trends"),
    "experiments": ("experiments", "Experiments"),
    "summary": ("summary", "Summary"),
    "red-flags": ("red_flags", "Warning signs"),
    "settings": ("settings", "Settings"),
    "guide": ("guide", "Guide"),
}


def seed(url: str, *, nights: bool) -> None:
    """A due date (so this is not a first run) and, with nights=True, two weeks of nights."""
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        profile = get_profile(session=s)
        profile.due_date = TODAY + dt.timedelta(days=70)
        save_profile(session=s, profile=profile)
        for back in range(2, 16) if nights else []:
            if back in (6, 7):
                continue  # two nights not logged: a gap
            save_night(
                session=s,
                entry=NightEntry(
                    night=TODAY - dt.timedelta(days=back),
                    water_ml=1500 + 50 * back,
                    stretch_min=10 if back % 2 else None,
                    cramps=[CrampEntry(severity=back % 11, leg="left")] * (back % 3),
                    red_flags=["tenderness"] if back == 4 else [],
                    notes="<b>not bold</b>" if back == 3 else None,
                ),
            )
    engine.dispose()


def stored(url: str, night: dt.date = LAST_NIGHT):  # noqa: ANN201
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return get_night(session=s, night=night)
    finally:
        engine.dispose()


@pytest.fixture
def journal(tmp_path):
    """The app on a journal with a due date and nothing logged yet."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    seed(url, nights=False)
    with running_app(url) as base:
        yield base, url


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory):
    """The app on two weeks of nights, for the tests that only look (tap, open, never save):
    one server for them all, so each later one finds it warm."""
    require_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('two-weeks') / 'journal.db'}"
    seed(url, nights=True)
    with running_app(url) as base:
        yield base


class Phone:
    """One phone tab: counts her taps and checks each page it shows."""

    def __init__(self, browser, base: str, **screen) -> None:  # noqa: ANN001, ANN003
        self.page = browser.new_page(**(screen or PHONE))
        self.guard = Guard()
        self.guard.attach(self.page, base)
        self.base, self.taps = base, 0
        self.page.goto(base)
        wait_for_app(self.page)

    def tap(self, locator) -> None:  # noqa: ANN001
        """One tap of her thumb, then wait for the app to settle."""
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        scrolled = self.page.evaluate("() => scrollY")
        self.lowest = max(getattr(self, "lowest", 0), box["y"] + box["height"] + scrolled)
        locator.tap()
        self.taps += 1
        wait_for_app(self.page)

    def pill(self, group: str, option: str, nth: int = -1):  # noqa: ANN201
        return (
            self.page.get_by_role("radiogroup", name=group)
            .nth(nth)
            .get_by_role("radio", name=option, exact=True)
        )

    def button(self, name: str, exact: bool = False):  # noqa: ANN201
        return self.page.get_by_role("button", name=name, exact=exact)

    def height(self) -> float:
        return self.page.evaluate("() => document.documentElement.scrollHeight")

    def clean(self) -> None:
        assert self.guard.console_errors == [] and self.guard.foreign_requests == []
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], "the page scrolls sideways"


def test_one_cramp_night_takes_five_taps_within_one_and_a_half_screens(journal, browser):
    base, url = journal
    phone = Phone(browser, base)
    phone.tap(phone.button("Add a cramp"))
    assert phone.height() <= 1.5 * SCREEN, f"one cramp: page {phone.height()} px high"
    phone.tap(phone.pill("When", "2 am"))
    phone.tap(phone.pill("How bad (0 = no pain, 10 = worst)", "6"))
    phone.tap(phone.pill("Leg", "left"))
    screenshot(phone.page, "phone-one-cramp-chosen")
    phone.tap(phone.button("Save", exact=True))
    assert phone.taps <= 6
    assert phone.lowest <= 1.5 * SCREEN, f"she had to go down to {phone.lowest} px"
    message = phone.page.get_by_text(SAVED).first
    message.wait_for()
    assert in_viewport(phone.page, message), "the confirmation is off screen"
    phone.page.screenshot(path="test-artifacts/phone-one-cramp-saved-viewport.png")
    night = stored(url)
    assert [(c.time, c.severity, c.leg) for c in night.cramps] == [(dt.time(2), 6, "left")]
    assert night.water_ml is None and night.soreness is None  # nothing she did not choose
    phone.clean()


def test_two_cramp_night_confirms_in_the_viewport(journal, browser):
    base, url = journal
    phone = Phone(browser, base)
    phone.tap(phone.button("Add a cramp"))
    phone.tap(phone.pill("When", "1 am"))
    phone.tap(phone.pill("How bad (0 = no pain, 10 = worst)", "7"))
    phone.tap(phone.pill("Leg", "left"))
    one = phone.height()
    phone.tap(phone.button("Add a cramp"))
    assert phone.height() - one <= SCREEN / 2, "a further cramp takes more than half a screen"
    phone.tap(phone.pill("When", "4 am"))  # how bad: not touched, so not recorded
    phone.tap(phone.pill("Leg", "right"))
    phone.tap(phone.button("More: how long, where, what helped"))
    phone.page.get_by_label("How long, in minutes").fill("1,5")
    phone.page.get_by_label("How long, in minutes").press("Enter")
    wait_for_app(phone.page)
    phone.tap(phone.page.locator("summary").filter(has_text="This morning"))
    phone.page.get_by_label("Notes").fill(MARKUP)
    screenshot(phone.page, "phone-two-cramps")
    phone.tap(phone.button("Save", exact=True))
    message = phone.page.get_by_text(SAVED).first
    message.wait_for()
    assert in_viewport(phone.page, message)
    phone.page.screenshot(path="test-artifacts/phone-two-cramps-saved-viewport.png")
    night = stored(url)
    assert [(c.time, c.severity, c.leg, c.duration_min) for c in night.cramps] == [
        (dt.time(1), 7, "left", None),
        (dt.time(4), None, "right", 1.5),  # "1,5" as typed on a phone keyboard
    ]
    assert night.notes == MARKUP  # kept as typed, never run or rendered
    assert phone.page.locator("[data-testid=stMain] strong").count() == 0
    scripts = phone.page.evaluate(  # only the app's own, in their hidden containers
        "() => [...document.querySelectorAll('[data-testid=stMain] script')]"
        ".filter(s => !s.closest('[class*=\"st-key-script_\"]')).length"
    )
    assert scripts == 0
    phone.clean()


def test_a_refused_save_says_so_in_the_viewport_and_keeps_her_typing(journal, browser):
    base, url = journal
    phone = Phone(browser, base)
    water = phone.page.get_by_label("Water (ml)")
    water.fill("1,500")
    water.press("Enter")
    wait_for_app(phone.page)
    phone.tap(phone.button("Save", exact=True))
    message = phone.page.get_by_text("Nothing was saved yet").first
    message.wait_for()
    assert in_viewport(phone.page, message), "the error is off screen"
    assert "Water" in message.inner_text()
    phone.page.screenshot(path="test-artifacts/phone-refused-save-viewport.png")
    assert water.input_value() == "1,500"
    assert stored(url) is None  # nothing written
    phone.clean()


def test_the_emergency_card_and_its_call_link_are_where_she_ticked(journal, browser):
    base, _ = journal
    phone = Phone(browser, base)
    phone.tap(phone.page.get_by_text("Warning signs: tick anything you noticed"))
    phone.tap(phone.page.get_by_text("Breathlessness or chest pain"))
    card = phone.page.locator("[data-testid=stAlert]").filter(has_text=EMERGENCY_CARD)
    call = phone.page.get_by_role("link", name="Call 999 now")
    card.wait_for()
    assert settles(lambda: in_viewport(phone.page, card.get_by_text(EMERGENCY_CARD))), (
        "the card is off screen"
    )
    assert in_viewport(phone.page, call), "the call link is off screen"
    assert call.get_attribute("href") == "tel:999"
    phone.page.screenshot(path="test-artifacts/phone-emergency-viewport.png")
    phone.clean()


def settles(check, seconds: float = 3.0) -> bool:  # noqa: ANN001
    """True once check() holds: the page may take a moment to bring a card into view."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def open_everything(phone: Phone) -> None:
    """Last night with every control drawn: a cramp with details, warning signs, magnesium."""
    phone.tap(phone.button("Add a cramp"))
    phone.tap(phone.button("More: how long, where, what helped"))
    for section in ("Magnesium", "This morning: leg soreness, notes", "Warning signs"):
        phone.tap(phone.page.locator("summary").filter(has_text=section))
    phone.tap(phone.page.get_by_text("Swelling in one leg, especially the calf"))


def test_delete_asks_where_her_thumb_is_and_keep_it_keeps_the_night(journal, browser):
    """The question and both answers open in the viewport, clear of the save bar."""
    base, url = journal
    phone = Phone(browser, base)
    phone.tap(phone.button("No cramps last night"))
    assert stored(url) is not None
    for answer in ("Keep it", "Yes, delete it"):
        phone.tap(phone.button("Delete this night"))
        for name in ("Yes, delete it", "Keep it"):
            shown = phone.button(name, exact=True)
            shown.wait_for()
            phone.page.wait_for_timeout(1100)  # the app's own scroll runs up to 1 s after
            assert in_viewport(phone.page, shown), f"{name!r} is not where she can see it"
        phone.tap(phone.button(answer, exact=True))
        assert (stored(url) is None) == (answer == "Yes, delete it")
    phone.clean()


def test_every_control_is_big_enough_and_apart_on_a_phone(two_weeks, browser):
    base = two_weeks
    problems = {}
    phone = Phone(browser, base)
    phone.tap(phone.button("Menu", exact=True))  # the page menu, open
    phone.page.locator("[data-testid=stSidebarNavLink]").first.wait_for()
    problems["menu"] = touch_targets(phone.page)
    phone.page.screenshot(path="test-artifacts/phone-menu-viewport.png")
    phone.tap(phone.page.locator("[data-testid=stSidebarCollapseButton] button"))
    open_everything(phone)
    problems["last-night"] = touch_targets(phone.page)
    screenshot(phone.page, "phone-last-night-everything")
    for name in ("history", "settings"):
        phone.page.goto(f"{base}/{PAGES[name][0]}")
        wait_for_app(phone.page)
        screenshot(phone.page, f"phone-{name}")
        problems[name] = touch_targets(phone.page)
    phone.clean()
    for name, found in problems.items():
        assert found["count"] > 6, f"{name}: found only {found['count']} controls"
        assert found["small"] == [], f"{name}: smaller than 44x44 px: {found['small']}"
        assert found["close"] == [], f"{name}: closer than 8 px: {found['close']}"


# Each page's link in the app's menu (tracker.app.navigation), by the names of PAGES.
NAV_LINKS = {Path(script).stem.replace("_", "-"): link for script, link, _ in NAVIGATION}


def open_by_menu(page, link: str, phone: bool) -> None:  # noqa: ANN001
    """Open a page with the app's menu: the top bar on a desktop, the side menu on a phone."""
    if phone:
        expand = page.get_by_role("button", name="Menu", exact=True)
        expand.wait_for()
        expand.click()
        page.locator("[data-testid=stSidebarNavLink]", has_text=link).first.click()
    else:
        page.get_by_role("link", name=link, exact=True).first.click()


@contextmanager
def empty_journal(folder: Path) -> Iterator[str]:
    """The app on a journal with a due date and no nights: its base address."""
    url = f"sqlite:///{folder / 'journal.db'}"
    seed(url, nights=False)
    with running_app(url) as base:
        yield base


@pytest.mark.parametrize("filled", [False, True], ids=["empty", "full"])
def test_axe_finds_nothing_serious_on_any_page(request, tmp_path, browser, filled):
    require_chromium()
    require_axe()
    found = {}
    with (
        nullcontext(request.getfixturevalue("two_weeks")) if filled else empty_journal(tmp_path)
    ) as base:
        for screen_name, screen in (("phone", PHONE), ("desktop", DESKTOP)):
            page = browser.new_page(**screen)
            page.goto(base)  # then from page to page by the app's own menu, as she moves
            for name, (_, title) in PAGES.items():
                try:
                    open_by_menu(page, NAV_LINKS[name], phone=screen is PHONE)
                    page.get_by_role("heading", name=title, level=1).wait_for()
                    wait_for_app(page)
                except Exception as exc:
                    screenshot(page, f"axe-{screen_name}-{name}-failed")
                    exc.add_note(f"{screen_name} {name}: the page did not settle")
                    raise
                found[f"{screen_name} {name}"] = axe_violations(page)
            page.close()
    bad = {where: v for where, v in found.items() if v}
    assert bad == {}, bad


def test_history_on_a_phone_is_a_list_of_nights_she_can_tap(two_weeks, browser):
    base = two_weeks
    phone = Phone(browser, base)
    phone.page.goto(f"{base}/history")
    wait_for_app(phone.page)
    flagged = TODAY - dt.timedelta(days=4)
    row = phone.button(f"{flagged:%a %d %b}")
    assert "warning signs" in row.inner_text()
    assert "⚠" not in row.inner_text(), "the warning mark is shown twice"
    assert row.locator("[data-testid=stIconMaterial]").count() == 1  # the icon, once
    assert "⚠" not in phone.page.locator("[data-testid=stMain]").inner_text()
    assert phone.button("2 nights not logged").count() == 1
    screenshot(phone.page, "phone-history-list")
    phone.tap(phone.button(f"{TODAY - dt.timedelta(days=3):%a %d %b}"))
    phone.page.get_by_role("heading", name="Last night", level=1).wait_for()
    phone.page.get_by_text(f"{TODAY - dt.timedelta(days=3):%a %d %b} →").wait_for()
    phone.clean()


# ---------------------------------------------------------------- what she sees after each tap


def said_in_view(phone: Phone, words: str) -> None:
    """Her tap's outcome: a message in the viewport where she tapped, and a toast."""
    message = phone.page.locator("[data-testid=stMain] [data-testid=stAlert]").filter(
        has_text=words
    )
    message.first.wait_for()
    assert settles(lambda: in_viewport(phone.page, message.first)), f"{words!r} is off screen"
    toast = phone.page.locator("[data-testid=stToast]").filter(has_text=words)
    assert toast.count() == 1, f"no toast says {words!r}"
    # Streamlit labels its toast by an element that is not there (axe: aria-dialog-name).
    assert settles(lambda: words in (toast.get_attribute("aria-label") or "")), "unnamed toast"


def test_save_settings_says_so_under_the_button_she_tapped(journal, browser):
    """On a phone Save settings is a screen below the top: the outcome is said under it."""
    base, url = journal
    phone = Phone(browser, base)
    phone.page.goto(f"{base}/settings")
    wait_for_app(phone.page)
    phone.page.get_by_label("Emergency number").fill("call 999")  # refused: not a number
    phone.tap(phone.button("Save settings"))
    said_in_view(phone, "Nothing was saved")
    phone.page.screenshot(path="test-artifacts/phone-settings-refused-viewport.png")
    phone.page.get_by_label("Emergency number").fill("999")
    phone.page.get_by_label("Doctor, midwife or maternity unit phone (optional)").fill(
        "020 7946 0000"
    )
    phone.tap(phone.button("Save settings"))
    said_in_view(phone, "Settings saved.")
    phone.page.screenshot(path="test-artifacts/phone-settings-saved-viewport.png")
    require_axe()
    assert axe_violations(phone.page) == []  # with the toast showing
    saved = read_profile(url)
    assert (saved.emergency_number, saved.care_phone) == ("999", "020 7946 0000")
    phone.clean()


def read_profile(url: str):  # noqa: ANN201
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return get_profile(session=s)
    finally:
        engine.dispose()


def test_no_cramps_and_delete_say_their_outcome_in_view_in_words(journal, browser):
    base, url = journal
    phone = Phone(browser, base)
    phone.tap(phone.button("No cramps last night"))
    said_in_view(phone, f"Saved the night of {LAST_NIGHT:%A %d %B}: no cramps.")
    assert phone.page.get_by_text("Already logged: no cramps.").count() == 1
    assert phone.page.get_by_text("0 cramps").count() == 0
    phone.tap(phone.button("Delete this night"))
    phone.tap(phone.button("Yes, delete it", exact=True))
    said_in_view(phone, f"Deleted the night of {LAST_NIGHT:%A %d %B}.")
    phone.page.screenshot(path="test-artifacts/phone-deleted-viewport.png")
    assert stored(url) is None
    phone.clean()


NUMBER_FIELDS = ("Water (ml)", "Calf stretch (min)", "Active (min)", "Magnesium (mg)")


def keyboards(page) -> dict[str, str]:  # noqa: ANN001
    """Each text field's label and the keyboard a phone opens for it (inputMode)."""
    return dict(
        page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stMain] input[type=text],"
            " [data-testid=stMain] input[type=tel]')]"
            ".map(e => [e.getAttribute('aria-label'), e.inputMode])"
        )
    )


def test_number_fields_open_the_number_keyboard_after_every_rerun(journal, browser):
    base, _ = journal
    phone = Phone(browser, base)
    phone.tap(phone.page.locator("summary").filter(has_text="Magnesium"))
    phone.tap(phone.button("Add a cramp"))
    phone.tap(phone.button("More: how long, where, what helped"))
    phone.page.get_by_label("How long, in minutes").fill("2")
    phone.page.get_by_label("How long, in minutes").press("Enter")
    wait_for_app(phone.page)
    phone.tap(phone.pill("Leg", "left"))  # a rerun of the form only
    expected = dict.fromkeys((*NUMBER_FIELDS, "How long, in minutes"), "decimal")
    assert settles(lambda: {k: keyboards(phone.page).get(k) for k in expected} == expected), (
        keyboards(phone.page)
    )
    assert keyboards(phone.page)["Side effects, if any"] == ""  # words: the letter keyboard
    phone.tap(phone.button("Save", exact=True))  # the whole page again, a new night
    said_in_view(phone, SAVED)
    phone.tap(phone.button("Add a cramp"))  # a second cramp's fields are new inputs
    phone.tap(phone.button("More: how long, where, what helped"))
    fields = phone.page.get_by_label("How long, in minutes")
    assert settles(lambda: fields.evaluate_all("els => els.map(e => e.inputMode)") == ["decimal"])
    assert settles(lambda: all(keyboards(phone.page)[k] == "decimal" for k in NUMBER_FIELDS))
    phone.page.goto(f"{base}/settings")
    wait_for_app(phone.page)
    phones = {
        "Emergency number": "tel",
        "Doctor, midwife or maternity unit phone (optional)": "tel",
    }
    assert settles(lambda: {k: keyboards(phone.page).get(k) for k in phones} == phones)
    assert keyboards(phone.page)["Your name (optional)"] == ""
    phone.clean()


def test_the_phone_menu_is_named_menu_in_words_and_for_a_screen_reader(journal, browser):
    base, _ = journal
    phone = Phone(browser, base)
    menu = phone.page.locator("[data-testid=stExpandSidebarButton]")
    assert settles(lambda: menu.get_attribute("aria-label") == "Menu")
    shown = menu.evaluate("el => getComputedStyle(el, '::after').content")
    assert shown == '"Menu"', f"the button shows only an icon: {shown}"
    box = menu.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    phone.tap(phone.button("Menu", exact=True))
    link = phone.page.locator("[data-testid=stSidebarNavLink]", has_text="Warning signs")
    assert link.count() == 1, "the menu calls the page something other than its title"
    assert phone.page.locator("[data-testid=stSidebarNavLink]", has_text="Red flags").count() == 0
    close = phone.page.locator("[data-testid=stSidebarCollapseButton] button")
    assert settles(lambda: close.get_attribute("aria-label") == "Close menu")
    phone.page.screenshot(path="test-artifacts/phone-menu-named-viewport.png")
    phone.tap(link)
    phone.page.get_by_role("heading", name="Warning signs", level=1).wait_for()
    phone.clean()


def test_a_warning_card_without_her_numbers_says_where_to_add_them(journal, browser):
    """No numbers saved: the card still says what to do, the emergency card still calls her
    region's number, and a tap on the link under the card opens Settings."""
    require_axe()
    base, _ = journal
    phone = Phone(browser, base)
    phone.tap(phone.page.get_by_text("Warning signs: tick anything you noticed"))
    phone.tap(phone.page.get_by_text("Swelling in one leg, especially the calf"))
    card = phone.page.locator("[data-testid=stAlert]").filter(has_text="straight away")
    card.first.wait_for()
    link = phone.page.get_by_role("link", name="number in Settings")
    link.wait_for()
    assert settles(lambda: in_viewport(phone.page, link)), "the way to add the number is off screen"
    assert phone.page.get_by_role("link", name="Call my doctor").count() == 0
    phone.tap(phone.page.get_by_text("Breathlessness or chest pain"))
    call = phone.page.get_by_role("link", name="Call 999 now")
    call.wait_for()
    assert call.get_attribute("href") == "tel:999"
    assert phone.page.get_by_text("999 is the emergency number for the region").count() == 1
    phone.page.screenshot(path="test-artifacts/phone-card-without-numbers-viewport.png")
    found = touch_targets(phone.page)
    assert found["small"] == [] and found["close"] == [], found
    assert axe_violations(phone.page) == []
    phone.tap(phone.page.get_by_role("link", name="number in Settings"))
    phone.page.get_by_role("heading", name="Settings", level=1).wait_for()
    assert phone.page.get_by_label("Doctor, midwife or maternity unit phone (optional)").count()
    phone.clean()


def test_show_older_nights_brings_them_where_she_tapped(tmp_path, browser):
    """History's one action that stays on the page: the older rows appear under her thumb."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    seed(url, nights=False)
    engine = make_engine(url)
    with Session(engine) as s:
        for back in range(1, 76):
            save_night(session=s, entry=NightEntry(night=TODAY - dt.timedelta(days=back)))
    engine.dispose()
    with running_app(url) as base:
        phone = Phone(browser, base)
        phone.page.goto(f"{base}/history")
        wait_for_app(phone.page)
        older = phone.button(f"{TODAY - dt.timedelta(days=61):%a %d %b}")
        assert older.count() == 0  # 60 rows at first
        phone.tap(phone.button("Show older nights"))
        older.wait_for()
        assert settles(lambda: in_viewport(phone.page, older)), "the older nights are off screen"
        phone.page.screenshot(path="test-artifacts/phone-history-older-viewport.png")
        phone.clean()
