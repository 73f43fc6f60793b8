"""Guide and Red flags pages, and the words no page of the app may use."""

import datetime as dt
import re
from pathlib import Path

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tracker.care.safety import RED_FLAGS
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Profile
from tracker.journal.store import save_night, save_profile

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
PAGES = ("last_night", "history", "settings", "guide", "red_flags")
FORBIDDEN = re.compile(r"you have|diagnos|nothing to worry|safe dose", re.IGNORECASE)
TODAY = dt.date.today()


def seed(engine, *entries: NightEntry) -> None:
    with Session(engine) as s:
        for entry in entries:
            save_night(session=s, entry=entry)


def open_page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception
    return at


def page_text(at: AppTest) -> str:
    """Every word the page shows, including labels, help and options."""
    return "\n".join(str(node.proto) for node in at.main if getattr(node, "proto", None))


def tick(at: AppTest, *keys: str) -> AppTest:
    for key in keys:
        at.checkbox(key=key).check()
    at.run()
    assert not at.exception
    return at


def test_guide_gives_the_foot_flex_tip_and_when_to_call():
    at = open_page("guide")
    words = page_text(at)
    assert "Pull your foot and toes hard up towards your head" in words
    assert "calf muscle behind it relax" in words
    assert "Extra salt is not advised" in words and "Magnesium" in words
    emergency = at.error[0].value
    assert "emergency number" in emergency and "Breathlessness or chest pain" in emergency
    for label, _level in RED_FLAGS.values():
        assert label in words
    assert "six weeks after the birth" in words


def test_nothing_ticked_shows_no_card():
    at = open_page("red_flags")
    assert len(at.checkbox) == len(RED_FLAGS) + 1
    assert not at.error and not at.warning


def test_breathlessness_calls_for_the_emergency_number():
    at = tick(open_page("red_flags"), "rf_breathless_or_chest_pain")
    assert "emergency" in at.error[0].value
    assert "Breathlessness or chest pain" in at.error[0].value
    assert "emergency number" in at.toast[0].value  # seen even when the card is off-screen
    at.run()
    assert not at.toast  # said once, not on every rerun


def test_one_swollen_leg_means_contact_straight_away():
    at = tick(open_page("red_flags"), "rf_one_leg_swelling")
    assert not at.error
    assert "straight away" in at.warning[0].value
    assert "Swelling in one leg" in at.warning[0].value
    at.checkbox(key="rf_one_leg_swelling").uncheck().run()
    assert not at.warning


def test_a_long_cramp_prompts_the_check_in_her_words():
    at = tick(open_page("red_flags"), "rf_long_cramp")
    card = at.warning[0].value
    assert "Check for warning signs" in card
    assert "A cramp lasted more than 10 minutes, or the pain has not gone" in card
    assert "11 minutes" not in card


def test_past_nights_with_flags_newest_first(sqlite_engine):
    seed(
        sqlite_engine,
        NightEntry(night=dt.date(2025, 1, 5), red_flags=["fever"]),
        NightEntry(night=dt.date(2025, 1, 6), cramps=[CrampEntry(severity=4)]),
        NightEntry(night=dt.date(2025, 1, 9), red_flags=["tenderness", "trouble_walking"]),
    )
    at = open_page("red_flags")
    listed = [m.value for m in at.markdown if m.value.startswith("**")]
    assert listed == [
        "**Thu 09 Jan 2025:** Tenderness in the leg; Trouble walking",
        "**Sun 05 Jan 2025:** Fever",
    ]


def test_pages_use_only_careful_words(sqlite_engine):
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, due_date=TODAY + dt.timedelta(days=50)))
    seed(
        sqlite_engine,
        NightEntry(
            night=TODAY - dt.timedelta(days=3), cramps=[CrampEntry(severity=9, duration_min=15)]
        ),
        NightEntry(night=TODAY - dt.timedelta(days=1), red_flags=list(RED_FLAGS)),
    )
    history = open_page("history")
    last_night = open_page("last_night")  # last night, with every warning sign ticked
    last_night.button(key="ln_delete").click().run()  # the delete confirmation too
    assert not last_night.exception
    red_flags = tick(open_page("red_flags"), *(f"rf_{code}" for code in RED_FLAGS), "rf_long_cramp")
    shown = [
        page_text(last_night),
        page_text(history),
        page_text(open_page("settings")),
        page_text(open_page("guide")),
        page_text(red_flags),
    ]
    assert "Call your local emergency number" in shown[4]  # the scan sees the cards
    assert "Delete the night of" in shown[0] and "Call your local emergency" in shown[0]
    for text in shown:
        assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    for name in PAGES:
        source = (ROOT / "pages" / f"{name}.py").read_text()
        assert not FORBIDDEN.search(source), (name, FORBIDDEN.search(source))


def test_each_page_is_called_in_the_menu_what_its_title_says(sqlite_engine):
    """One name per page: the menu says "Warning signs" where the page says "Warning signs"
    (not "Red flags"); a longer title starts with the menu's words."""
    from tracker.app.navigation import PAGES as MENU

    at = open_page("last_night")
    for script, name, _icon in MENU:
        at.switch_page(script).run()
        assert not at.exception, script
        assert at.title[0].value.startswith(name), (script, name, at.title[0].value)
    assert "Red flags" not in page_text(open_page("red_flags"))
