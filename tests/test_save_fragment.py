"""Save on Last night reruns only the cramps and the save bar: the rest must still be right.

A save of a night already logged, whose form shows exactly what was committed, makes the form
based on the new version in place (pages/last_night.py saved_in_place); AppTest runs the whole
page every time, so these tests check that what it kept is what a reload would have given.
The phone test checks the fragment rerun itself, in Chromium.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from tests.browser_support import ARTIFACTS, in_viewport, running_app
from tests.factories import count_rows, make_entry
from tests.test_browser_phone import SAVED, Phone, seed
from tests.test_browser_phone import stored as stored_at
from tests.test_page_last_night import add_cramp, engine, open_app, stored, texts  # noqa: F401
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.log_form import cramp_values, night_values, shows
from tracker.journal.store import save_night

SEVERITY = "How bad (0 = no pain, 10 = worst)"


def form_of(entry: NightEntry, unit: str = "ml") -> tuple[dict, list[dict]]:
    return night_values(entry, unit), [cramp_values(c) for c in entry.cramps]


def test_a_form_filled_from_a_night_shows_it() -> None:
    entry = NightEntry(
        night=dt.date(2026, 3, 1),
        water_ml=1893,
        notes="x",
        cramps=[CrampEntry(severity=6, leg="left", duration_min=1.234)],
        red_flags=["fever"],
    )
    assert shows(entry, "fl oz", *form_of(entry, "fl oz"))


@pytest.mark.parametrize(
    ("where", "name", "typed"),
    [("night", "water", "1,5"), ("night", "flag_fever", True), ("cramp", "dur", "1,5")],
)
def test_a_value_a_reload_would_show_differently_is_not_shown(where, name, typed) -> None:
    entry = NightEntry(
        night=dt.date(2026, 3, 1), water_ml=1500, cramps=[CrampEntry(duration_min=1.5)]
    )
    night_v, cramps = form_of(entry)
    (night_v if where == "night" else cramps[0])[name] = typed
    assert not shows(entry, "ml", night_v, cramps)


def test_a_cramp_the_form_has_but_the_night_does_not_is_not_shown() -> None:
    entry = NightEntry(night=dt.date(2026, 3, 1))
    night_v, _ = form_of(entry)
    assert not shows(entry, "ml", night_v, [cramp_values(CrampEntry())])


def test_after_saving_again_the_page_is_based_on_the_new_version(engine) -> None:  # noqa: F811
    at = open_app()
    cid = add_cramp(at, when="2 am", severity=6, leg="left")
    at.button(key="ln_save").click().run()  # a new night: the whole page is drawn again
    assert at.button(key="ln_delete").label.startswith("Delete this night")
    first = stored(engine).version
    at.button(key=f"ln_c{cid}_open").click().run()
    at.button_group(key=f"ln_c{cid}_sev").set_value(7).run()
    at.button(key="ln_save").click().run()  # saved in place
    assert not at.exception
    assert any("Saved the night of" in t for t in texts(at, "success"))
    assert stored(engine).version == first + 1
    assert at.session_state["ln_loaded"][1] == first + 1  # based on what was committed
    assert at.session_state["ln_open"] is None  # folded, as a reload would show it
    assert at.button(key=f"ln_c{cid}_open").label == "Cramp 1: 2 am · 7/10 · left leg"
    assert not any("changed in another tab" in w for w in texts(at, "warning"))
    assert any("Already logged: 1 cramp." in i for i in texts(at, "info"))

    add_cramp(at, when="4 am")
    at.button(key="ln_save").click().run()
    assert any("Already logged: 2 cramps." in i for i in texts(at, "info"))
    at.button(key="ln_delete").click().run()
    assert any("and its 2 cramps?" in w for w in texts(at, "warning"))
    at.button(key="ln_delete_yes").click().run()  # the version it asks with is the new one
    assert not at.exception
    assert any("Deleted the night of" in t for t in texts(at, "success"))
    assert count_rows(engine, "night") == 0


def test_saving_after_a_refused_save_clears_every_mark(engine) -> None:  # noqa: F811
    with Session(engine) as s:
        save_night(session=s, entry=make_entry(cramps=1))
    at = open_app()
    at.text_input(key="ln_water").input("lots").run()
    at.button(key="ln_save").click().run()
    assert any(e.startswith("Water") for e in texts(at, "error"))
    at.text_input(key="ln_water").input("1600").run()
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert at.session_state["ln_errors"] == {}
    assert not any(e.startswith("Water") for e in texts(at, "error"))
    assert stored(engine).water_ml == 1600


def test_saving_again_on_a_phone_confirms_in_view_and_folds_the_cramp(tmp_path, browser):
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    seed(url, nights=False)
    with running_app(url) as base:
        phone = Phone(browser, base)
        phone.tap(phone.button("Add a cramp"))
        for group, option in (("When", "2 am"), (SEVERITY, "6"), ("Leg", "left")):
            phone.tap(phone.pill(group, option))
        phone.tap(phone.button("Save", exact=True))  # a new night: the whole page
        phone.tap(phone.button("Cramp 1: 2 am · 6/10 · left leg"))
        phone.tap(phone.pill(SEVERITY, "7"))
        phone.tap(phone.button("Save", exact=True))  # only the cramps and the save bar
        message = phone.page.get_by_text(SAVED).first
        message.wait_for()
        assert in_viewport(phone.page, message), "the confirmation is off screen"
        phone.page.screenshot(path=str(ARTIFACTS / "phone-saved-again-viewport.png"))
        folded = phone.button("Cramp 1: 2 am · 7/10 · left leg")
        assert folded.count() == 1, "the saved cramp is not folded as a reload shows it"
        assert phone.page.get_by_text("Already logged: 1 cramp.").count() == 1
        assert [c.severity for c in stored_at(url).cramps] == [7]
        phone.tap(phone.button("Delete this night"))
        phone.tap(phone.button("Yes, delete it", exact=True))
        assert stored_at(url) is None  # Delete asked with the version saved in place
        assert phone.button("No cramps last night").count() == 1
        phone.clean()
