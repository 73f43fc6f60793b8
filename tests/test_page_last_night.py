"""The Last night page through AppTest: logging, the zero night, red flags, bad input, conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import count_rows, make_entry
from tracker.db import make_engine
from tracker.journal import NEW, get_night, save_night
from tracker.schema import ensure_schema

LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.fixture
def engine(sqlite_url: str):
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def stored(engine, night: dt.date = LAST_NIGHT):
    with Session(engine) as s:
        return get_night(session=s, night=night)


def add_cramp(at: AppTest, *, time: str, severity: int, minutes: float, leg: str) -> None:
    at.button(key="ln_add").click().run()
    cid = at.session_state["ln_cramp_ids"][-1]
    at.selectbox(key=f"ln_c{cid}_preset").set_value("Exact time…").run()
    at.text_input(key=f"ln_c{cid}_time").input(time)
    at.slider(key=f"ln_c{cid}_sev").set_value(severity)
    at.number_input(key=f"ln_c{cid}_dur").set_value(minutes)
    at.button_group(key=f"ln_c{cid}_leg").set_value(leg)
    at.run()


def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def test_defaults_to_last_night_with_the_relief_tip(engine) -> None:
    at = open_app()
    assert at.date_input(key="ln_night").value == LAST_NIGHT
    assert any("foot and toes" in text for text in texts(at, "info"))
    assert at.button(key="ln_zero").label == "No cramps last night"


def test_log_a_night_with_two_cramps_and_habits(engine) -> None:
    at = open_app()
    add_cramp(at, time="02:40", severity=7, minutes=3, leg="left")
    add_cramp(at, time="4am", severity=4, minutes=1.5, leg="both")
    at.number_input(key="ln_water").set_value(1800.0)
    at.number_input(key="ln_stretch").set_value(10)
    at.text_area(key="ln_notes").input("**bold** <b>not bold</b>")
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert any("Saved" in text for text in texts(at, "success"))
    night = stored(engine)
    assert [(c.time, c.severity, c.duration_min, c.leg) for c in night.cramps] == [
        (dt.time(2, 40), 7, 3.0, "left"),
        (dt.time(4, 0), 4, 1.5, "both"),
    ]
    assert (night.water_ml, night.stretch_min, night.active_min) == (1800, 10, None)
    assert night.notes == "**bold** <b>not bold</b>"
    # Re-opening shows what was saved.
    again = open_app()
    assert len(again.session_state["ln_cramp_ids"]) == 2
    assert again.number_input(key="ln_water").value == 1800
    assert again.text_area(key="ln_notes").value == "**bold** <b>not bold</b>"


def test_no_cramps_is_one_tap_and_a_zero_night(engine) -> None:
    at = open_app()
    at.button(key="ln_zero").click().run()
    assert not at.exception
    night = stored(engine)
    assert night is not None and night.cramps == []
    assert night.water_ml is None and night.stretch_min is None  # not recorded, not 0
    assert any("Already logged: 0 cramps" in text for text in texts(at, "info"))


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
    add_cramp(at, time="01:00", severity=8, minutes=15, leg="right")
    assert any("more than 10" in text for text in texts(at, "warning"))


def test_bad_input_keeps_the_form_and_saves_nothing(engine) -> None:
    at = open_app()
    add_cramp(at, time="25:99", severity=5, minutes=0.0, leg="left")
    at.number_input(key="ln_water").set_value(99999.0)
    at.text_area(key="ln_notes").input("keep me")
    at.button(key="ln_save").click().run()
    assert not at.exception
    errors = " ".join(texts(at, "error"))
    assert "Nothing was saved" in errors
    assert "is not a time" in errors and "How long" in errors and "Water" in errors
    cid = at.session_state["ln_cramp_ids"][0]
    assert at.text_input(key=f"ln_c{cid}_time").value == "25:99"
    assert at.number_input(key="ln_water").value == 99999.0
    assert at.text_area(key="ln_notes").value == "keep me"
    assert count_rows(engine, "night") == 0 and count_rows(engine, "cramp") == 0


def test_water_in_her_unit_is_stored_in_ml(engine) -> None:
    from tests.factories import make_profile
    from tracker.journal import save_profile

    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(water_unit="fl oz"))
    at = open_app()
    at.number_input(key="ln_water").set_value(64.0)
    at.button(key="ln_save").click().run()
    assert stored(engine).water_ml == round(64 * 29.5735)
    at = open_app()
    assert at.number_input(key="ln_water").value == 64.0
    at.button(key="ln_save").click().run()  # unchanged: no rounding drift, no new version
    assert stored(engine).version == 1


def test_saving_twice_writes_once(engine) -> None:
    at = open_app()
    add_cramp(at, time="03:00", severity=6, minutes=2, leg="left")
    at.button(key="ln_save").click().run()
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert stored(engine).version == 1
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
    first = at.session_state["ln_cramp_ids"][0]
    at.button(key=f"ln_c{first}_remove").click().run()
    at.button(key="ln_save").click().run()
    assert len(stored(engine, earlier).cramps) == 1


def test_a_journal_that_fails_to_write_keeps_the_form(engine, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import tracker.journal

    at = open_app()
    at.text_area(key="ln_notes").input("still here")

    def disk_full(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(tracker.journal.Session, "commit", disk_full)
    at.button(key="ln_save").click().run()
    assert not at.exception
    assert any("could not be reached" in text for text in texts(at, "error"))
    assert at.text_area(key="ln_notes").value == "still here"
    assert count_rows(engine, "night") == 0


def test_a_draft_survives_a_visit_to_another_page(engine) -> None:
    at = open_app()
    add_cramp(at, time="03:10", severity=8, minutes=2, leg="right")
    at.text_area(key="ln_notes").input("half written").run()
    at.switch_page("pages/guide.py").run()
    assert not at.exception
    at.switch_page("pages/last_night.py").run()
    assert not at.exception
    assert at.text_area(key="ln_notes").value == "half written"
    cid = at.session_state["ln_cramp_ids"][0]
    assert at.text_input(key=f"ln_c{cid}_time").value == "03:10"
    assert count_rows(engine, "night") == 0  # nothing saved until she presses Save


def test_a_journal_that_cannot_be_read_shows_a_message_not_a_crash(engine, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import tracker.journal

    def unreadable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(tracker.journal, "get_night", unreadable)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("could not be reached" in text for text in texts(at, "error"))
