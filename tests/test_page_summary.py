"""Summary page: the default period, the appointment date it saves, her questions kept for
the session, the preview from summarise, and the download buttons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import days_ago
from tracker.exchange.report_data import QUESTIONS_MAX_CHARS, day_text, headline_numbers
from tracker.insights.summary import summarise
from tracker.journal.demo import fill_demo
from tracker.journal.models import Profile
from tracker.journal.store import get_profile, save_profile

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
LAST_NIGHT = days_ago(1)
FOUR_WEEKS = LAST_NIGHT - dt.timedelta(days=27)
DOWNLOADS = [
    "Summary PDF",
    "Diary (CSV)",
    "Full backup (JSON)",
    "For clinical systems (FHIR)",
    "Morning reminder (calendar)",
]


@pytest.fixture
def demo(sqlite_engine):
    with Session(sqlite_engine) as session:
        fill_demo(session=session)
    return sqlite_engine


def set_appointment(engine, day: dt.date | None) -> None:
    with Session(engine) as session:
        profile = get_profile(session=session)
        profile.last_appointment = day
        save_profile(session=session, profile=profile)


def open_summary() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page("pages/summary.py").run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def period(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Nights "))


def test_without_an_appointment_it_shows_the_last_four_weeks(demo) -> None:
    at = open_summary()
    assert at.get("button_group")[0].value == "Last 4 weeks"
    assert period(at).startswith(f"Nights {day_text(FOUR_WEEKS)} to {day_text(LAST_NIGHT)}")
    summary = summarise(session_or_engine=demo, start=FOUR_WEEKS, end=LAST_NIGHT)
    assert metrics(at) == {
        n.label: n.value for n in headline_numbers(summary, FOUR_WEEKS, LAST_NIGHT)
    }
    warning = at.warning[0].value
    for red in summary.red_flag_nights:
        assert day_text(red.night) in warning
    buttons = [button.proto for button in at.get("download_button")]
    assert [b.label for b in buttons] == DOWNLOADS
    # Only the PDF reruns the page (bringing her latest questions to the server, and saying
    # under it what is downloading); a rerun on every download raced the next download.
    assert [b.ignore_rerun for b in buttons] == [False] + [True] * (len(DOWNLOADS) - 1)
    assert [b.type for b in buttons].count("primary") == 1


def test_since_the_last_appointment_is_the_default_once_it_is_set(demo) -> None:
    appointment = days_ago(40)
    set_appointment(demo, appointment)
    at = open_summary()
    assert at.get("button_group")[0].value == "Since my last appointment"
    assert at.date_input(key="su_appt").value == appointment
    assert period(at).startswith(f"Nights {day_text(appointment)} to {day_text(LAST_NIGHT)}")
    summary = summarise(session_or_engine=demo, start=appointment, end=LAST_NIGHT)
    assert metrics(at)["Nights logged"] == f"{summary.nights_logged} of 40"


def test_the_appointment_date_set_here_is_saved_for_settings_too(demo) -> None:
    at = open_summary()
    appointment = days_ago(10)
    at.date_input(key="su_appt").set_value(appointment).run()
    assert not at.exception
    with Session(demo) as session:
        assert session.get(Profile, 1).last_appointment == appointment
    assert at.get("button_group")[0].value == "Since my last appointment"
    assert period(at).startswith(f"Nights {day_text(appointment)} to")
    at.date_input(key="su_appt").set_value(None).run()  # cleared: back to 4 weeks
    assert at.get("button_group")[0].value == "Last 4 weeks"
    assert period(at).startswith(f"Nights {day_text(FOUR_WEEKS)} to")
    at.date_input(key="su_appt").set_value(appointment).run()
    at.switch_page("pages/settings.py").run()
    assert at.date_input(key="se_appt").value == appointment


def test_questions_stay_for_the_session_but_not_in_the_journal(demo) -> None:
    at = open_summary()
    question = "Is magnesium safe for me? <b>not bold</b>"
    at.text_area(key="su_questions").input(question).run()
    assert not at.exception
    at.switch_page("pages/trends.py").run()
    at.switch_page("pages/summary.py").run()
    assert at.text_area(key="su_questions").value == question
    assert at.session_state["su_live"]["questions"] == question  # what the PDF will print
    with demo.connect() as conn:
        tables = [t for t in demo.dialect.get_table_names(conn)]
        for table in tables:
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").fetchall()  # noqa: S608
            assert question not in repr(rows)


def test_choosing_twelve_weeks_changes_the_preview(demo) -> None:
    at = open_summary()
    at.get("button_group")[0].set_value("Last 12 weeks").run()
    assert not at.exception
    start = LAST_NIGHT - dt.timedelta(days=83)
    summary = summarise(session_or_engine=demo, start=start, end=LAST_NIGHT)
    assert metrics(at)["Cramps per week"] == f"{summary.cramps_per_week:.1f}"
    assert period(at).startswith(f"Nights {day_text(start)} to {day_text(LAST_NIGHT)}")


def test_an_empty_journal_still_offers_every_download(sqlite_engine) -> None:
    at = open_summary()
    assert metrics(at)["Nights logged"] == "0 of 28"
    assert not at.warning
    assert [b.proto.label for b in at.get("download_button")] == DOWNLOADS


# ------------------------------------------------------------------ what a client may send


def choose_dates(at: AppTest, first: dt.date, last: dt.date) -> AppTest:
    at.get("button_group")[0].set_value("Choose dates").run()
    assert not at.exception
    at.date_input(key="su_custom").set_value((first, last)).run()
    assert not at.exception
    return at


def pdf_button(at: AppTest):  # noqa: ANN201
    return next(b.proto for b in at.get("download_button") if b.proto.label == "Summary PDF")


def test_dates_that_run_backwards_are_refused_with_what_to_fix(demo) -> None:
    # The calendar always orders the two dates; a client can send them the other way round.
    backwards = LAST_NIGHT - dt.timedelta(days=70)
    at = choose_dates(open_summary(), LAST_NIGHT, backwards)
    said = " ".join(e.value for e in at.error)
    assert f"{day_text(LAST_NIGHT)} is after {day_text(backwards)}" in said
    assert "Choose the earlier date first" in said
    shown = [m.value for m in at.metric] + [c.value for c in at.caption]
    assert not any("-" in value and " of -" in value for value in shown), shown  # "0 of -71"
    assert metrics(at) == {}  # no preview of a period that does not exist
    assert pdf_button(at).disabled
    assert [b.proto.label for b in at.get("download_button")] == DOWNLOADS  # the rest still work
    at.date_input(key="su_custom").set_value((backwards, LAST_NIGHT)).run()  # fixed
    assert not at.exception and not at.error
    assert period(at).startswith(f"Nights {day_text(backwards)} to {day_text(LAST_NIGHT)}")
    assert metrics(at)["Nights logged"].endswith("of 71")
    assert not pdf_button(at).disabled


def test_questions_longer_than_the_pdf_takes_are_refused_and_kept(demo) -> None:
    at = open_summary()
    huge = "Is magnesium safe? " * 270_000  # 5 MB, as a client can send for the box
    at.text_area(key="su_questions").set_value(huge).run()
    assert not at.exception
    said = " ".join(e.value for e in at.error)
    assert f"{len(huge):,} characters long" in said and f"room for {QUESTIONS_MAX_CHARS:,}" in said
    assert "shorten them" in said
    assert at.text_area(key="su_questions").value == huge  # her typing kept, not cut
    assert at.session_state["su_live"]["questions"] == ""  # what the PDF would print
    assert pdf_button(at).disabled
    fits = ("Is magnesium safe? " * 78 + "Ok?")[:QUESTIONS_MAX_CHARS]  # all it takes
    at.text_area(key="su_questions").input(fits).run()
    assert not at.exception and not at.error
    assert at.session_state["su_live"]["questions"] == fits
    assert not pdf_button(at).disabled


def test_the_appointment_date_says_it_is_saved_beside_it_and_as_a_toast(demo) -> None:
    at = open_summary()
    appointment = days_ago(10)
    at.date_input(key="su_appt").set_value(appointment).run()
    assert not at.exception
    said = f"Last appointment saved: {day_text(appointment)}. Settings shows the same date."
    assert [s.value for s in at.success] == [said]
    assert [t.value for t in at.toast] == [said]
    at.run()  # said once, not on every later run
    assert not at.success and not at.toast
    at.date_input(key="su_appt").set_value(None).run()
    assert [t.value for t in at.toast] == [
        "Last appointment cleared. Settings shows the same date."
    ]
