"""History: the table (plain and on the page), opening a night, deleting with confirmation."""

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.factories import days_ago
from tracker.entries import CrampEntry, NightEntry
from tracker.history import NOT_LOGGED, flagged_nights, history_frame
from tracker.journal import get_night, get_profile, save_night, save_profile
from tracker.models import Cramp, RedFlag
from tracker.pregnancy import dating

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
TODAY = dt.date.today()
DUE = TODAY + dt.timedelta(days=60)


@pytest.fixture
def journal(sqlite_engine):
    """Three logged nights (5, 3 and 1 nights ago) with a due date, so weeks are known."""
    with Session(sqlite_engine) as s:
        profile = get_profile(session=s)
        profile.due_date = DUE
        save_profile(session=s, profile=profile)
        for entry in (
            NightEntry(
                night=days_ago(5),
                notes="**bold?** <b>no</b> # just text",
                cramps=[CrampEntry(severity=3), CrampEntry(severity=7, duration_min=12)],
            ),
            NightEntry(night=days_ago(3)),
            NightEntry(
                night=days_ago(1),
                cramps=[CrampEntry(severity=5, duration_min=1)],
                red_flags=["one_leg_swelling"],
            ),
        ):
            save_night(session=s, entry=entry)
    return sqlite_engine


def open_history() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page("pages/history.py").run()
    assert not at.exception
    return at


def choose(at: AppTest, night: dt.date) -> AppTest:
    at.selectbox(key="hi_night").select(night).run()
    assert not at.exception
    return at


# ------------------------------------------------------------------ the plain table


def test_frame_is_newest_first_with_gaps_up_to_last_night():
    entries = [
        NightEntry(night=dt.date(2025, 3, 1), cramps=[CrampEntry(severity=4)]),
        NightEntry(night=dt.date(2025, 3, 3)),
    ]
    frame = history_frame(entries, due_date=dt.date(2025, 5, 1), today=dt.date(2025, 3, 6))
    assert list(frame["night"]) == [dt.date(2025, 3, d) for d in (5, 4, 3, 2, 1)]
    assert list(frame["cramps"]) == [NOT_LOGGED, NOT_LOGGED, "0", NOT_LOGGED, "1"]
    assert list(frame["logged"]) == [False, False, True, False, True]
    assert list(frame["worst"]) == ["", "", "", "", "4/10"]
    assert frame["week"].iloc[-1] == "31+2"  # 280 - 61 days to go = 219 days


def test_frame_without_due_date_postpartum_and_empty():
    assert history_frame([], today=TODAY).empty
    entry = NightEntry(night=dt.date(2025, 3, 1))
    frame = history_frame([entry], today=dt.date(2025, 3, 2))
    assert list(frame["week"]) == [""]
    frame = history_frame(
        [entry],
        due_date=dt.date(2025, 3, 1),
        birth_date=dt.date(2025, 2, 20),
        today=dt.date(2025, 3, 2),
    )
    assert list(frame["week"]) == ["postpartum 1+2"]


def test_flagged_nights_newest_first_in_her_words():
    entries = [
        NightEntry(night=dt.date(2025, 3, 1), red_flags=["fever"]),
        NightEntry(night=dt.date(2025, 3, 2)),
        NightEntry(night=dt.date(2025, 3, 3), red_flags=["tenderness", "fever"]),
    ]
    assert flagged_nights(entries) == [
        (dt.date(2025, 3, 3), ["Tenderness in the leg", "Fever"]),
        (dt.date(2025, 3, 1), ["Fever"]),
    ]


# ------------------------------------------------------------------ the page


def test_history_rows_newest_first_with_weeks_gaps_worst_and_flags(journal):
    at = open_history()
    frame = at.dataframe[0].value
    nights = [days_ago(d) for d in (1, 2, 3, 4, 5)]
    assert list(frame["night"]) == nights
    assert list(frame["week"]) == [dating(n, DUE).label for n in nights]
    assert frame["week"].iloc[0].count("+") == 1
    assert list(frame["cramps"]) == ["1", NOT_LOGGED, "0", NOT_LOGGED, "2"]
    assert list(frame["worst"]) == ["5/10", "", "", "", "7/10"]
    assert frame["red_flags"].iloc[0] == "Swelling in one leg, especially the calf"
    assert list(frame["red_flags"].iloc[1:]) == ["", "", "", ""]
    assert "2 not logged" in at.caption[0].value


def test_selected_night_shows_its_cards_and_notes_as_plain_text(journal):
    at = open_history()
    assert at.selectbox(key="hi_night").value == days_ago(1)  # the newest is open first
    assert any("straight away" in w.value for w in at.warning)
    choose(at, days_ago(5))
    assert any("Check for warning signs" in w.value for w in at.warning)
    assert [t.value for t in at.text] == ["**bold?** <b>no</b> # just text"]
    assert not any("bold?" in m.value for m in at.markdown)
    choose(at, days_ago(3))
    assert not at.warning and not at.error


def test_open_to_change_shows_that_night_on_last_night(journal):
    at = choose(open_history(), days_ago(5))
    at.button(key="hi_edit").click().run()
    assert not at.exception
    assert at.title[0].value == "Last night"
    assert at.date_input(key="ln_night").value == days_ago(5)
    assert at.session_state["ln_notes"] == "**bold?** <b>no</b> # just text"
    assert "open_night" not in at.session_state


def ids_of(engine, night: dt.date) -> tuple[int, int, int]:
    with Session(engine) as s:
        stored = get_night(session=s, night=night)
        return stored.id, len(stored.cramps), len(stored.red_flags)


def rows_for(engine, night_id: int) -> int:
    with Session(engine) as s:
        cramps = s.exec(select(Cramp).where(Cramp.night_id == night_id)).all()
        flags = s.exec(select(RedFlag).where(RedFlag.night_id == night_id)).all()
        return len(cramps) + len(flags)


def test_delete_asks_first_then_removes_the_night_and_its_cramps(journal):
    night_id, cramps, flags = ids_of(journal, days_ago(1))
    assert (cramps, flags) == (1, 1)
    at = open_history()
    at.button(key="hi_delete").click().run()
    assert not at.exception
    assert any("can't be undone" in w.value for w in at.warning)
    assert rows_for(journal, night_id) == 2  # nothing deleted yet
    at.button(key="hi_confirm_yes").click().run()
    assert not at.exception
    with Session(journal) as s:
        assert get_night(session=s, night=days_ago(1)) is None
    assert rows_for(journal, night_id) == 0
    assert "Deleted the night of" in at.success[0].value
    assert list(at.dataframe[0].value["night"])[:2] == [days_ago(1), days_ago(2)]
    assert list(at.dataframe[0].value["cramps"])[0] == NOT_LOGGED
    assert at.selectbox(key="hi_night").value == days_ago(3)


def test_keep_it_cancels_the_delete(journal):
    at = choose(open_history(), days_ago(5))
    at.button(key="hi_delete").click().run()
    at.button(key="hi_confirm_no").click().run()
    assert not at.exception
    assert at.button(key="hi_delete").label == "Delete…"
    assert "hi_confirm" not in at.session_state
    assert not any("can't be undone" in w.value for w in at.warning)
    assert ids_of(journal, days_ago(5))[1] == 2


def test_delete_is_refused_when_the_night_changed_after_she_chose_it(journal):
    at = choose(open_history(), days_ago(3))
    at.button(key="hi_delete").click().run()
    with Session(journal) as s:  # another tab adds a cramp meanwhile
        save_night(session=s, entry=NightEntry(night=days_ago(3), cramps=[CrampEntry(severity=2)]))
    at.button(key="hi_confirm_yes").click().run()
    assert not at.exception
    assert "changed elsewhere" in at.error[0].value
    assert ids_of(journal, days_ago(3))[1] == 1


def test_empty_journal_invites_her_to_log_last_night():
    at = open_history()
    assert "Nothing logged yet" in at.info[0].value
    assert not at.dataframe
    at.button(key="hi_go_log").click().run()
    assert not at.exception
    assert at.title[0].value == "Last night"
