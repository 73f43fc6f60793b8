"""History: the table (plain), the list a thumb taps, and opening a night on Last night."""

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import days_ago
from tracker.care.pregnancy import dating
from tracker.insights.history import NOT_LOGGED, flagged_nights, history_frame, history_rows
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.store import get_profile, save_night, save_profile

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


def rows(at: AppTest) -> list[tuple[str, str]]:
    """The History list as (key, label), top to bottom."""
    return [(b.key, b.label) for b in at.button if b.key.startswith(("hi_night_", "hi_flag_",
                                                                      "hi_gap_"))]  # fmt: skip


def key(kind: str, night: dt.date) -> str:
    return f"hi_{kind}_{night:%Y%m%d}"


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


def test_history_rows_fold_gaps_and_mark_warning_signs():
    entries = [
        NightEntry(night=dt.date(2025, 3, 1), cramps=[CrampEntry(severity=4), CrampEntry()]),
        NightEntry(night=dt.date(2025, 3, 5), red_flags=["fever"], cramps=[CrampEntry()]),
        NightEntry(night=dt.date(2025, 3, 6)),
    ]
    frame = history_frame(entries, due_date=dt.date(2025, 5, 1), today=dt.date(2025, 3, 9))
    rows = history_rows(frame)
    assert [(r.night, r.logged, r.flagged) for r in rows] == [
        (dt.date(2025, 3, 8), False, False),  # 8 and 7 March: one row, opening the newest
        (dt.date(2025, 3, 6), True, False),
        (dt.date(2025, 3, 5), True, True),
        (dt.date(2025, 3, 4), False, False),  # 4 to 2 March
        (dt.date(2025, 3, 1), True, False),
    ]
    assert rows[0].label == "2 nights not logged · 07 Mar – 08 Mar"
    assert rows[1].label == "Thu 06 Mar · week 32+0 · no cramps"
    assert rows[2].label == "Wed 05 Mar · week 31+6 · 1 cramp · warning signs"  # no severity
    assert rows[4].label == "Sat 01 Mar · week 31+2 · 2 cramps · worst 4/10"
    one_gap = history_rows(history_frame(entries[:1], today=dt.date(2025, 3, 3)))
    assert one_gap[0].label == "Sun 02 Mar · not logged"
    assert "week" not in one_gap[1].label  # no due date: no week
    assert history_rows(history_frame([], today=TODAY)) == []


# ------------------------------------------------------------------ the page


def test_history_rows_newest_first_with_weeks_gaps_worst_and_flags(journal):
    at = open_history()
    d = [days_ago(n) for n in range(6)]
    week = {n: dating(d[n], DUE).label for n in (1, 3, 5)}
    assert rows(at) == [
        (key("flag", d[1]), f"{d[1]:%a %d %b} · week {week[1]} · 1 cramp · worst 5/10"
                            " · warning signs"),
        (key("gap", d[2]), f"{d[2]:%a %d %b} · not logged"),
        (key("night", d[3]), f"{d[3]:%a %d %b} · week {week[3]} · no cramps"),
        (key("gap", d[4]), f"{d[4]:%a %d %b} · not logged"),
        (key("night", d[5]), f"{d[5]:%a %d %b} · week {week[5]} · 2 cramps · worst 7/10"),
    ]  # fmt: skip
    assert week[1].count("+") == 1
    caption = at.caption[0].value
    assert "3 nights logged, 2 not logged" in caption
    assert "Nights with warning signs (1) are marked in red" in caption
    # The warning mark is the row's icon, once: no second ⚠ in its words or the caption.
    assert at.button(key=key("flag", d[1])).proto.icon == ":material/warning:"
    assert all("⚠" not in b.label for b in at.button) and "⚠" not in caption
    assert not at.dataframe and not at.selectbox  # a list to tap, nothing to scroll sideways
    assert all(not b.label.startswith("Delete") for b in at.button)  # delete is on Last night


def test_a_run_of_unlogged_nights_is_one_row(sqlite_engine):
    with Session(sqlite_engine) as s:
        for days in (12, 11, 2):
            save_night(session=s, entry=NightEntry(night=days_ago(days)))
    at = open_history()
    assert [k for k, _ in rows(at)] == [
        key("gap", days_ago(1)),
        key("night", days_ago(2)),
        key("gap", days_ago(3)),  # nights 10 to 3 ago, folded
        key("night", days_ago(11)),
        key("night", days_ago(12)),
    ]
    gap = at.button(key=key("gap", days_ago(3))).label
    assert gap == f"8 nights not logged · {days_ago(10):%d %b} – {days_ago(3):%d %b}"
    assert "week" not in at.button(key=key("night", days_ago(2))).label  # no due date set


def test_tapping_a_night_opens_it_on_last_night_with_its_notes(journal):
    at = open_history()
    at.button(key=key("night", days_ago(5))).click().run()
    assert not at.exception
    assert at.title[0].value == "Last night"
    assert at.date_input(key="ln_night").value == days_ago(5)
    assert at.text_area(key="ln_notes").value == "**bold?** <b>no</b> # just text"
    assert not any("bold?" in m.value for m in at.markdown)  # her notes never as Markdown
    assert len(at.session_state["ln_cramp_ids"]) == 2
    assert any("Check for warning signs" in w.value for w in at.warning)  # the 12-minute cramp
    assert "open_night" not in at.session_state


def test_tapping_a_flagged_night_opens_it_with_its_warning_card(journal):
    at = open_history()
    at.button(key=key("flag", days_ago(1))).click().run()
    assert not at.exception
    assert at.date_input(key="ln_night").value == days_ago(1)
    assert at.checkbox(key="ln_flag_one_leg_swelling").value
    assert any("straight away" in w.value for w in at.warning)


def test_tapping_a_clean_night_opens_it_without_cards(journal):
    at = open_history()
    at.button(key=key("night", days_ago(3))).click().run()
    assert not at.exception
    assert at.date_input(key="ln_night").value == days_ago(3)
    assert any("Already logged: no cramps." in i.value for i in at.info)
    assert not at.warning and not at.error


def test_tapping_a_gap_opens_that_night_to_log_it(journal):
    at = open_history()
    at.button(key=key("gap", days_ago(2))).click().run()
    assert not at.exception
    assert at.date_input(key="ln_night").value == days_ago(2)
    assert at.button(key="ln_zero").label == f"No cramps on the night of {days_ago(2):%d %b}"
    assert at.session_state["ln_cramp_ids"] == []


def test_empty_journal_invites_her_to_log_last_night():
    at = open_history()
    assert "Nothing logged yet" in at.info[0].value
    assert not rows(at)
    at.button(key="hi_go_log").click().run()
    assert not at.exception
    assert at.title[0].value == "Last night"


def test_a_long_history_shows_older_nights_on_request(sqlite_engine):
    with Session(sqlite_engine) as s:
        for days in range(1, 71):
            save_night(session=s, entry=NightEntry(night=days_ago(days)))
    at = open_history()
    assert len(rows(at)) == 60
    assert rows(at)[-1][0] == key("night", days_ago(60))
    assert at.button(key="hi_more").label == "Show older nights (10 more rows)"
    at.button(key="hi_more").click().run()
    assert not at.exception
    assert [k for k, _ in rows(at)] == [key("night", days_ago(d)) for d in range(1, 71)]
    assert not [b for b in at.button if b.key == "hi_more"]
