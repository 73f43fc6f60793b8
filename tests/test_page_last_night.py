"""The Last night page through AppTest: logging, the zero night, red flags, bad input, conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import count_rows, days_ago, make_cramp, make_entry, make_profile
from tracker.journal.db import make_engine
from tracker.journal.log_form import EXACT
from tracker.journal.schema import ensure_schema
from tracker.journal.store import NEW, get_night, get_profile, save_night, save_profile

LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.fixture
def engine(sqlite_url: str):
    """A journal with a due date saved, so the first-run card does not ask for one."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile())
    yield engine
    engine.dispose()


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def stored(engine, night: dt.date = LAST_NIGHT):
    with Session(engine) as s:
        return get_night(session=s, night=night)


def add_cramp(
    at: AppTest,
    *,
    time: str | None = None,
    when: str | None = None,
    severity: int | None = None,
    minutes: str | None = None,
    leg: str | None = None,
) -> int:
    """Tap "Add a cramp" and fill in what is given (time typed under "Other time")."""
    at.button(key="ln_add").click().run()
    cid = at.session_state["ln_cramp_ids"][-1]
    if time is not None:
        at.button_group(key=f"ln_c{cid}_when").set_value(EXACT).run()
        at.text_input(key=f"ln_c{cid}_time").input(time)
    elif when is not None:
        at.button_group(key=f"ln_c{cid}_when").set_value(when)
    if severity is not None:
        at.button_group(key=f"ln_c{cid}_sev").set_value(severity)
    if leg is not None:
        at.button_group(key=f"ln_c{cid}_leg").set_value(leg)
    at.run()
    if minutes is not None:
        at.button(key=f"ln_c{cid}_more_btn").click().run()
        at.text_input(key=f"ln_c{cid}_dur").input(minutes).run()
    assert not at.exception
    return cid


def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def test_defaults_to_last_night_without_the_relief_tip(engine) -> None:
    at = open_app()
    assert at.date_input(key="ln_night").value == LAST_NIGHT
    assert at.button(key="ln_zero").label == "No cramps last night"
    assert not any("foot and toes" in text for text in texts(at, "info") + texts(at, "markdown"))
    at.switch_page("pages/guide.py").run()  # the tip lives on the Guide page now
    assert any("foot and toes" in text for text in texts(at, "markdown"))


def test_log_a_night_with_two_cramps_and_habits(engine) -> None:
    at = open_app()
    add_cramp(at, time="02:40", severity=7, minutes="3", leg="left")
    add_cramp(at, when="4 am", severity=4, minutes="1,5", leg="both")
    at.text_input(key="ln_water").input("1800")
    at.text_input(key="ln_stretch").input("10")
    at.text_area(key="ln_notes").input("**bold** <b>not bold</b>")
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert any("Saved" in text for text in texts(at, "success"))
    assert any("Saved" in text for text in texts(at, "toast"))
    night = stored(engine)
    assert [(c.time, c.severity, c.duration_min, c.leg) for c in night.cramps] == [
        (dt.time(2, 40), 7, 3.0, "left"),
        (dt.time(4, 0), 4, 1.5, "both"),
    ]
    assert (night.water_ml, night.stretch_min, night.active_min) == (1800, 10, None)
    assert night.notes == "**bold** <b>not bold</b>"
    # Re-opening shows what was saved, folded to one line per cramp.
    again = open_app()
    ids = again.session_state["ln_cramp_ids"]
    assert len(ids) == 2
    labels = [again.button(key=f"ln_c{cid}_open").label for cid in ids]
    assert labels[0] == "Cramp 1: other time · 7/10 · left leg · 3 min"
    assert labels[1].startswith("Cramp 2: 4 am · 4/10 · both") and labels[1].endswith("1.5 min")
    assert again.text_input(key="ln_water").value == "1800"
    assert again.text_area(key="ln_notes").value == "**bold** <b>not bold</b>"
    again.button(key=f"ln_c{ids[1]}_open").click().run()
    assert again.text_input(key=f"ln_c{ids[1]}_dur").value == "1.5"  # details already shown


def test_no_cramps_is_one_tap_and_a_zero_night(engine) -> None:
    at = open_app()
    at.button(key="ln_zero").click().run()
    assert not at.exception
    night = stored(engine)
    assert night is not None and night.cramps == []
    assert night.water_ml is None and night.stretch_min is None  # not recorded, not 0
    said = f"Saved the night of {LAST_NIGHT:%A %d %B}: no cramps."  # never "0 cramps"
    assert [m.value for m in save_bar(at).success] == [said] and texts(at, "toast") == [said]
    assert any("Already logged: no cramps." in text for text in texts(at, "info"))
    assert not any("0 cramps" in text for text in texts(at, "info") + texts(at, "success"))


def test_red_flag_shows_its_card_and_still_saves(engine) -> None:
    at = open_app()
    at.checkbox(key="ln_flag_breathless_or_chest_pain").check().run()
    assert any("emergency number" in text for text in texts(at, "error"))
    at.checkbox(key="ln_flag_one_leg_swelling").check().run()
    assert any("straight away" in text for text in texts(at, "warning"))
    at.button(key="ln_save").click().run()
    assert [f.code for f in stored(engine).red_flags] == [
        "breathless_or_chest_pain",
        "one_leg_swelling",
    ]


def test_long_cramp_prompts_the_check(engine) -> None:
    at = open_app()
    add_cramp(at, time="01:00", severity=8, minutes="15", leg="right")
    assert any("A cramp lasted 15 minutes (more than 10)" in t for t in texts(at, "warning"))


def test_a_refused_duration_never_claims_a_long_cramp(engine) -> None:
    at = open_app()
    cid = add_cramp(at, when="1 am", severity=8, minutes="500")
    assert not any("500 minutes" in text for text in texts(at, "warning") + texts(at, "error"))
    assert not any("Check for warning signs" in text for text in texts(at, "warning"))
    at.button(key="ln_save").click().run()
    assert "How long (cramp 1) must be more than 0 and at most 180 minutes (3 hours)" in texts(
        at, "error"
    )
    assert any(
        text.startswith("Nothing was saved yet. Fix How long") for text in texts(at, "error")
    )
    assert not any("500 minutes" in text for text in texts(at, "warning") + texts(at, "error"))
    assert at.text_input(key=f"ln_c{cid}_dur").value == "500"
    assert count_rows(engine, "night") == 0


def test_bad_input_keeps_the_form_and_saves_nothing(engine) -> None:
    at = open_app()
    add_cramp(at, time="25:99", severity=5, minutes="0", leg="left")
    at.text_input(key="ln_water").input("99999")
    at.text_area(key="ln_notes").input("keep me")
    at.button(key="ln_save").click().run()
    assert not at.exception
    errors = " ".join(texts(at, "error"))
    assert "Nothing was saved" in errors
    assert "is not a time" in errors and "How long" in errors and "Water" in errors
    cid = at.session_state["ln_cramp_ids"][0]
    assert at.text_input(key=f"ln_c{cid}_time").value == "25:99"
    assert at.text_input(key=f"ln_c{cid}_dur").value == "0"
    assert at.button_group(key=f"ln_c{cid}_sev").value == 5
    assert at.text_input(key="ln_water").value == "99999"
    assert at.text_area(key="ln_notes").value == "keep me"
    assert count_rows(engine, "night") == 0 and count_rows(engine, "cramp") == 0


def test_water_in_her_unit_is_stored_in_ml(engine) -> None:
    from tests.factories import make_profile
    from tracker.journal.store import save_profile

    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(water_unit="fl oz"))
    at = open_app()
    at.text_input(key="ln_water").input("64")
    at.button(key="ln_save").click().run()
    assert stored(engine).water_ml == round(64 * 29.5735)
    saved = stored(engine).version
    at = open_app()
    assert at.text_input(key="ln_water").value == "64"  # as she typed it, not "64.01"
    at.button(key="ln_save").click().run()  # unchanged: no rounding drift, no new version
    assert stored(engine).version == saved


def test_saving_twice_writes_once(engine) -> None:
    at = open_app()
    add_cramp(at, time="03:00", severity=6, minutes="2", leg="left")
    at.button(key="ln_save").click().run()
    saved = stored(engine).version
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert stored(engine).version == saved
    assert count_rows(engine, "night") == 1 and count_rows(engine, "cramp") == 1


def test_stale_tab_is_refused_and_newer_data_kept(engine) -> None:
    tab_a, tab_b = open_app(), open_app()
    tab_a.text_area(key="ln_notes").input("from tab A")
    tab_a.button(key="ln_save").click().run()
    tab_b.text_area(key="ln_notes").input("from tab B")
    tab_b.button(key="ln_save").click().run()
    assert not tab_b.exception
    assert any("changed elsewhere" in text for text in texts(tab_b, "error"))
    assert tab_b.text_area(key="ln_notes").value == "from tab B"  # her typing is kept
    assert stored(engine).notes == "from tab A"
    tab_b.button(key="ln_reload").click().run()
    assert tab_b.text_area(key="ln_notes").value == "from tab A"


def test_another_night_can_be_opened_and_edited(engine) -> None:
    earlier = LAST_NIGHT - dt.timedelta(days=3)
    with Session(engine) as s:
        save_night(session=s, entry=make_entry(night=earlier, cramps=2), expected_version=NEW)
    at = open_app()
    at.date_input(key="ln_night").set_value(earlier).run()
    assert len(at.session_state["ln_cramp_ids"]) == 2
    first, second = at.session_state["ln_cramp_ids"]
    at.button(key=f"ln_c{first}_open").click().run()  # a saved night opens folded
    at.button(key=f"ln_c{first}_remove").click().run()
    assert at.session_state["ln_cramp_ids"] == [second]
    at.button(key="ln_save").click().run()
    assert len(stored(engine, earlier).cramps) == 1


def test_a_journal_that_fails_to_write_keeps_the_form(engine, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import tracker.journal.store

    at = open_app()
    at.text_area(key="ln_notes").input("still here")

    def disk_full(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(tracker.journal.store.Session, "commit", disk_full)
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert any("could not be reached" in text for text in texts(at, "error"))
    assert at.text_area(key="ln_notes").value == "still here"
    assert count_rows(engine, "night") == 0


def test_a_draft_survives_a_visit_to_another_page(engine) -> None:
    at = open_app()
    cid = add_cramp(at, time="03:10", severity=8, minutes="2", leg="right")
    at.text_area(key="ln_notes").input("half written").run()
    at.switch_page("pages/guide.py").run()
    assert not at.exception
    at.switch_page("pages/last_night.py").run()
    assert not at.exception
    assert at.text_area(key="ln_notes").value == "half written"
    assert at.session_state["ln_cramp_ids"] == [cid]
    assert at.text_input(key=f"ln_c{cid}_time").value == "03:10"
    assert at.button_group(key=f"ln_c{cid}_sev").value == 8
    assert at.text_input(key=f"ln_c{cid}_dur").value == "2"
    assert count_rows(engine, "night") == 0  # nothing saved until she presses Save


def test_a_journal_that_cannot_be_read_shows_a_message_not_a_crash(engine, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import tracker.journal.store

    def unreadable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(tracker.journal.store, "get_night", unreadable)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("could not be reached" in text for text in texts(at, "error"))


# ------------------------------------------------------------------ nothing she did not choose


def test_a_cramp_saved_without_touching_severity_stores_no_severity(engine) -> None:
    at = open_app()
    cid = add_cramp(at, when="2 am", leg="left")
    assert at.button_group(key=f"ln_c{cid}_sev").value is None  # no default
    at.button(key="ln_save").click().run()
    assert any("Saved" in text for text in texts(at, "success"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT severity, time, leg, duration_min FROM cramp")).all()
    assert [(r.severity, r.leg, r.duration_min) for r in rows] == [(None, "left", None)]
    assert stored(engine).cramps[0].time == dt.time(2)


def test_one_and_a_half_minutes_typed_with_a_comma_is_stored_as_1_5(engine) -> None:
    at = open_app()
    add_cramp(at, when="3 am", severity=5, minutes="1,5")
    assert not any("more than 10" in text for text in texts(at, "warning"))  # not 15
    at.button(key="ln_save").click().run()
    assert stored(engine).cramps[0].duration_min == 1.5


def test_ambiguous_water_is_refused_naming_water_and_kept_as_typed(engine) -> None:
    at = open_app()
    at.text_input(key="ln_water").input("1,500")
    at.text_area(key="ln_notes").input("keep me")
    at.button(key="ln_save").click().run()
    assert not at.exception
    errors = texts(at, "error")
    assert "Water could be 1500 or 1,5: please type the one you mean" in errors
    assert any("Nothing was saved yet. Fix Water" in e for e in errors)
    assert any("Nothing was saved" in t for t in texts(at, "toast"))
    assert not at.success
    assert at.text_input(key="ln_water").value == "1,500"
    assert at.text_area(key="ln_notes").value == "keep me"
    assert count_rows(engine, "night") == 0


def test_same_habits_as_the_night_before_copies_the_latest_earlier_habits(engine) -> None:
    with Session(engine) as s:
        for days, habits in (
            (5, {"water_ml": 1500, "stretch_min": 5, "active_min": 30}),
            (3, {"water_ml": 2000, "stretch_min": 10, "active_min": None}),
            (2, {"water_ml": None, "stretch_min": None, "active_min": None}),  # none recorded
        ):
            save_night(session=s, entry=make_entry(days_ago(days), **habits))
    at = open_app()
    assert at.text_input(key="ln_water").value == ""
    at.button(key="ln_same").click().run()
    assert not at.exception
    assert [at.text_input(key=f"ln_{n}").value for n in ("water", "stretch", "active")] == [
        "2000",
        "10",
        "",
    ]
    assert not [b for b in at.button if b.key == "ln_same"]  # filled: the offer goes away
    at.text_input(key="ln_stretch").input("12")  # she can change them
    at.button(key="ln_save").click().run()
    night = stored(engine)
    assert (night.water_ml, night.stretch_min, night.active_min) == (2000, 12, None)


def test_same_habits_is_not_offered_without_an_earlier_night_with_habits(engine) -> None:
    with Session(engine) as s:
        save_night(session=s, entry=make_entry(days_ago(3), water_ml=None, stretch_min=None,
                                               active_min=None))  # fmt: skip
    at = open_app()
    assert not [b for b in at.button if b.key == "ln_same"]


# ------------------------------------------------------------------ first run


@pytest.fixture
def empty_journal(sqlite_url: str):
    """A journal with no nights and no settings: what she sees the very first time."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def test_first_run_asks_for_the_due_date_and_saves_it(empty_journal) -> None:
    due = dt.date.today() + dt.timedelta(weeks=12)
    at = open_app()
    assert at.button(key="ln_due_save").disabled  # nothing chosen yet
    at.date_input(key="ln_due").set_value(due).run()
    at.button(key="ln_due_save").click().run()
    assert not at.exception
    with Session(empty_journal) as s:
        assert get_profile(session=s).due_date == due
    assert not [b for b in at.button if b.key in ("ln_due_save", "ln_due_skip")]
    assert any("trimester" in e.label for e in at.expander)  # the night shows its week
    assert count_rows(empty_journal, "night") == 0  # only the due date was written
    # The card she tapped in is gone: it is said in the save bar (always in view) and a toast.
    said = "Due date saved. Each night now shows its week."
    assert [m.value for m in save_bar(at).success] == [said] and texts(at, "toast") == [said]


def test_first_run_can_be_skipped_and_asks_no_more(empty_journal) -> None:
    at = open_app()
    at.button(key="ln_due_skip").click().run()
    assert not at.exception
    assert not [b for b in at.button if b.key in ("ln_due_save", "ln_due_skip")]
    at.button(key="ln_add").click().run()  # still gone on the next tap
    assert not [b for b in at.button if b.key == "ln_due_skip"]
    assert count_rows(empty_journal, "profile") == 0  # skipping writes nothing


def test_first_run_is_not_shown_once_a_night_is_logged(empty_journal) -> None:
    with Session(empty_journal) as s:
        save_night(session=s, entry=make_entry(days_ago(4)))
    at = open_app()
    assert not [b for b in at.button if b.key in ("ln_due_save", "ln_due_skip")]


# ------------------------------------------------------------------ delete


def test_delete_asks_first_then_removes_the_night_and_its_cramps(engine) -> None:
    with Session(engine) as s:
        save_night(session=s, entry=make_entry(cramps=2, red_flags=["fever"]))
    at = open_app()
    at.button(key="ln_delete").click().run()
    assert any("can't be undone" in w for w in texts(at, "warning"))
    assert count_rows(engine, "night") == 1  # nothing deleted yet
    at.button(key="ln_delete_no").click().run()
    assert not any("can't be undone" in w for w in texts(at, "warning"))
    assert count_rows(engine, "cramp") == 2
    at.button(key="ln_delete").click().run()
    at.button(key="ln_delete_yes").click().run()
    assert not at.exception
    said = f"Deleted the night of {LAST_NIGHT:%A %d %B}."
    assert [m.value for m in save_bar(at).success] == [said] and texts(at, "toast") == [said]
    assert [count_rows(engine, t) for t in ("night", "cramp", "redflag")] == [0, 0, 0]
    assert at.session_state["ln_cramp_ids"] == []  # the form shows the night as not logged
    assert at.button(key="ln_zero").label == "No cramps last night"


def test_delete_is_refused_when_the_night_changed_after_she_opened_it(engine) -> None:
    with Session(engine) as s:
        save_night(session=s, entry=make_entry(cramps=1))
    at = open_app()
    at.button(key="ln_delete").click().run()
    with Session(engine) as s:  # another tab adds a cramp meanwhile
        save_night(session=s, entry=make_entry(cramps=3))
    at.button(key="ln_delete_yes").click().run()
    assert not at.exception
    assert any("changed elsewhere" in e for e in texts(at, "error"))
    assert not any("Deleted" in t for t in texts(at, "success"))
    assert any("changed elsewhere" in e.value for e in save_bar(at).error)  # in view
    assert any("changed elsewhere" in t for t in texts(at, "toast"))
    assert count_rows(engine, "night") == 1 and len(stored(engine).cramps) == 3


@pytest.mark.parametrize(("cramps", "asked"), [(0, ""), (1, " and its 1 cramp"),
                                              (2, " and its 2 cramps")])  # fmt: skip
def test_delete_asks_in_words_that_fit_the_night(engine, cramps: int, asked: str) -> None:
    with Session(engine) as s:
        save_night(session=s, entry=make_entry(cramps=cramps))
    at = open_app()
    at.button(key="ln_delete").click().run()
    question = f"Delete the night of {LAST_NIGHT:%A %d %B}{asked}? This can't be undone."
    assert question in texts(at, "warning")  # never "its 0 cramps"


# ------------------------------------------------------------------ tap to call


def save_phones(engine, **settings: str) -> None:
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(**settings))


def test_the_emergency_card_calls_the_number_from_settings(engine) -> None:
    save_phones(engine, emergency_number="999")
    at = open_app()
    assert not at.get("link_button")
    at.checkbox(key="ln_flag_breathless_or_chest_pain").check().run()
    assert any("Call your local emergency number now" in e for e in texts(at, "error"))
    links = [(b.proto.label, b.proto.url) for b in at.get("link_button")]
    assert links == [("Call 999 now", "tel:999")]
    assert not any("Settings" in c for c in texts(at, "caption"))  # her own number: nothing to add


def test_the_straight_away_card_calls_her_care_phone(engine) -> None:
    save_phones(engine, care_phone="+44 20 7946 0000")
    at = open_app()
    at.checkbox(key="ln_flag_one_leg_swelling").check().run()
    assert any("straight away" in w for w in texts(at, "warning"))
    urls = [b.proto.url for b in at.get("link_button")]
    assert urls == ["tel:+442079460000"]
    assert not at.get("page_link")  # nothing to add in Settings


def settings_links(at: AppTest) -> list[str]:
    return [
        link.proto.label for link in at.get("page_link") if link.proto.page.endswith("settings")
    ]


def test_without_a_care_phone_the_straight_away_card_says_where_to_add_it(engine) -> None:
    at = open_app()
    at.checkbox(key="ln_flag_one_leg_swelling").check().run()
    assert any("phone your doctor, midwife or maternity unit" in w for w in texts(at, "warning"))
    assert not at.get("link_button")  # no number to call
    (link,) = settings_links(at)  # what to do is said; where to add the number is one tap
    assert "number in Settings" in link


def test_without_any_number_the_emergency_card_still_calls_and_says_where_to_set_it(
    engine,
) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-GB"}
    at.run()
    at.checkbox(key="ln_flag_breathless_or_chest_pain").check().run()
    at.checkbox(key="ln_flag_fever").check().run()
    assert not at.exception
    assert [(b.proto.label, b.proto.url) for b in at.get("link_button")] == [
        ("Call 999 now", "tel:999")  # the emergency number is known from her region
    ]
    assert any("999 is the emergency number for the region" in c and "Settings" in c
               for c in texts(at, "caption"))  # fmt: skip
    assert len(settings_links(at)) == 1  # under the right-away card: her midwife's number


@pytest.mark.parametrize(("locale", "url"), [("en-GB", "tel:999"), ("en-US", "tel:911"),
                                             ("de-DE", "tel:112"), (None, "tel:112")])  # fmt: skip
def test_without_a_saved_number_the_emergency_card_calls_her_locales(engine, locale, url) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    at.run()
    at.checkbox(key="ln_flag_breathless_or_chest_pain").check().run()
    assert not at.exception
    assert [b.proto.url for b in at.get("link_button")] == [url]


def test_changing_the_notes_leaves_an_imported_duration_exact(engine) -> None:
    with Session(engine) as s:
        entry = make_entry(cramps=[make_cramp(duration_min=1.234)])
        seen = save_night(session=s, entry=entry).version
    at = open_app()
    at.text_area(key="ln_notes").input("changed only this").run()
    at.button(key="ln_save").click().run()
    night = stored(engine)
    assert (night.notes, night.version) == ("changed only this", seen + 1)
    assert [c.duration_min for c in night.cramps] == [1.234]  # not rounded to 1.23


def test_a_failed_save_opens_the_cramp_to_fix(engine) -> None:
    at = open_app()
    first = add_cramp(at, when="1 am", severity=4, minutes="1,500")
    second = add_cramp(at, when="3 am", severity=6)
    assert not [b for b in at.text_input if b.key == f"ln_c{first}_dur"]  # folded away
    at.button(key="ln_save").click().run()
    assert at.session_state["ln_open"] == first
    assert at.text_input(key=f"ln_c{first}_dur").value == "1,500"
    assert any(e.startswith("How long (cramp 1) could be 1500 or 1,5") for e in texts(at, "error"))
    assert at.button(key=f"ln_c{second}_open").label == "Cramp 2: 3 am · 6/10"
    assert count_rows(engine, "night") == 0


def test_every_card_for_her_care_provider_offers_the_call(engine) -> None:
    save_phones(engine, care_phone="020 7946 0000")
    at = open_app()
    at.checkbox(key="ln_flag_one_leg_swelling").check().run()  # straight away
    at.checkbox(key="ln_flag_fever").check().run()  # right away
    add_cramp(at, when="2 am", minutes="15")  # and a long cramp to check
    assert not at.exception
    assert len(texts(at, "warning")) == 3
    links = [(b.proto.label, b.proto.url) for b in at.get("link_button")]
    assert links == [("Call my doctor or maternity unit: 020 7946 0000", "tel:02079460000")] * 3


def test_a_due_date_that_failed_to_save_is_not_used(empty_journal, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import tracker.journal.store

    at = open_app()
    at.date_input(key="ln_due").set_value(dt.date.today() + dt.timedelta(weeks=10)).run()

    def disk_full(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(tracker.journal.store.Session, "commit", disk_full)
    at.button(key="ln_due_save").click().run()
    assert not at.exception
    assert any("could not be saved" in e for e in texts(at, "error"))
    assert count_rows(empty_journal, "profile") == 0
    assert at.button(key="ln_due_save")  # still asking
    # Nothing was saved, so no night may be dated with it.
    assert not any("week" in e.label or "trimester" in e.label for e in at.expander)


def test_the_names_checks_outside_the_repository_rely_on(engine) -> None:
    at = open_app()
    assert "No cramps" in at.button(key="ln_zero").label
    assert "Add a cramp" in at.button(key="ln_add").label
    assert "Save" in at.button(key="ln_save").label
    add_cramp(at, when="2 am", minutes="2")
    cid = at.session_state["ln_cramp_ids"][0]
    assert "How long" in at.text_input(key=f"ln_c{cid}_dur").label


def test_too_much_water_is_explained_in_her_unit(engine) -> None:
    save_phones(engine, water_unit="litres")
    at = open_app()
    assert at.text_input(key="ln_water").label == "Water (litres)"
    at.text_input(key="ln_water").input("9,5")
    at.button(key="ln_save").click().run()
    assert "Water must be between 0 and 8 litres" in texts(at, "error")
    assert count_rows(engine, "night") == 0
    at.text_input(key="ln_water").input("2,35")
    at.button(key="ln_save").click().run()
    assert stored(engine).water_ml == 2350
    assert at.text_input(key="ln_water").value == "2.35"


def save_bar(at: AppTest):
    """The block that holds the Save button and the outcome of her last tap on it."""
    (bar,) = [n for n in at._tree if getattr(n, "proto", None) is not None
              and str(getattr(n.proto, "id", "")).endswith("-ln_savebar")]  # fmt: skip
    return bar


def test_the_outcome_of_save_is_shown_beside_the_button(engine) -> None:
    at = open_app()
    at.text_input(key="ln_stretch").input("2,5")  # minutes are whole
    at.button(key="ln_save").click().run()
    bar = save_bar(at)
    assert [e.value for e in bar.error] == [
        "Nothing was saved yet. Fix Calf stretching: must be a whole number: write it like 10. "
        "Everything you typed is kept."
    ]
    assert [b.key for b in bar.button] == ["ln_save"]
    at.text_input(key="ln_stretch").input("5")
    at.button(key="ln_save").click().run()
    bar = save_bar(at)
    assert not bar.error
    assert [s.value for s in bar.success] == [
        f"Saved the night of {LAST_NIGHT:%A %d %B}: no cramps."
    ]
    assert texts(at, "toast") == [f"Saved the night of {LAST_NIGHT:%A %d %B}: no cramps."]
    at.run()  # the next tap elsewhere: the outcome has been said once
    assert not save_bar(at).success


@pytest.mark.parametrize("typed", ["**9**", "1,500", "[x](y)"])
def test_a_folded_cramp_shows_only_minutes_that_can_be_read(engine, typed: str) -> None:
    at = open_app()
    first = add_cramp(at, when="2 am", minutes=typed)
    add_cramp(at, when="3 am")  # cramp 1 folds to one line
    label = at.button(key=f"ln_c{first}_open").label
    assert label.startswith("Cramp 1: 2 am")
    assert typed not in label  # never her raw text in a (Markdown) button label
    assert "min" not in label  # nor minutes that could not be read


def test_choices_are_buttons_that_never_open_the_keyboard(engine) -> None:
    at = open_app()
    cid = add_cramp(at, when="2 am", minutes="2")  # with its details open
    for kind in ("selectbox", "multiselect", "slider", "select_slider", "number_input", "radio"):
        assert not at.get(kind), kind
    fields = ("when", "sev", "leg", "muscle", "woke", "relief", "relieved")
    assert {g.key for g in at.button_group} == {f"ln_c{cid}_{n}" for n in fields} | {"ln_soreness"}
    assert all(g.value is None for g in at.button_group if g.key != f"ln_c{cid}_when")


def test_details_are_one_tap_away_and_remembered_per_cramp(engine) -> None:
    at = open_app()
    first = add_cramp(at, when="1 am", severity=6)
    assert not [t for t in at.text_input if t.key == f"ln_c{first}_dur"]  # folded away
    at.button(key=f"ln_c{first}_more_btn").click().run()
    at.button_group(key=f"ln_c{first}_muscle").set_value("calf")
    at.button_group(key=f"ln_c{first}_relieved").set_value("yes").run()
    second = add_cramp(at, when="4 am")
    assert [b.key for b in at.button if b.key.endswith("_more_btn")] == [f"ln_c{second}_more_btn"]
    at.button(key=f"ln_c{first}_open").click().run()
    assert at.session_state["ln_open"] == first
    assert at.button_group(key=f"ln_c{first}_muscle").value == "calf"  # shown, as she left it
    assert at.button_group(key=f"ln_c{first}_relieved").value == "yes"
    at.button(key="ln_save").click().run()
    cramps = stored(engine).cramps
    assert [(c.time, c.severity, c.muscle, c.relieved) for c in cramps] == [
        (dt.time(1), 6, "calf", True),
        (dt.time(4), None, None, None),
    ]


def test_a_named_habit_experiment_asks_whether_she_kept_the_plan(engine) -> None:
    from tracker.journal.plan_store import save_plan
    from tracker.journal.plans import Plan, tonight_line

    own = Plan(habit="legs *up* the wall", start=LAST_NIGHT - dt.timedelta(days=4), seed=5)
    with engine.begin() as conn:
        save_plan(conn, own)
    at = open_app()
    line = at.info[0].value
    assert line == tonight_line(own, LAST_NIGHT) and "*up*" not in line  # our words only
    assert "legs *up* the wall" in [t.value for t in at.text]  # hers, as typed (never Markdown)
    pill = at.button_group(key="ln_kept")
    assert pill.label == "Did you keep to the plan last night?" and pill.value is None
    at.button(key="ln_save").click().run()  # not answered: not said
    assert stored(engine).plan_kept is None
    at.button_group(key="ln_kept").set_value("no").run()
    at.button(key="ln_save").click().run()
    assert not at.exception and stored(engine).plan_kept is False
    again = open_app()
    assert again.button_group(key="ln_kept").value == "no"
    with engine.begin() as conn:  # a stretching plan is read from the minutes she logs
        save_plan(conn, Plan(habit="stretching", start=LAST_NIGHT, seed=5))
    assert "ln_kept" not in [w.key for w in open_app().button_group]
