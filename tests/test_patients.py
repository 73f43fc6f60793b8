"""The clinician's Patients list: who needs attention first, in plain words, from the same
summaries her Trends shows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import days_ago, make_entry, make_profile
from tracker.insights.frames import load_journal
from tracker.insights.patients import by_attention, patient_row
from tracker.journal.store import save_night, save_profile

TODAY = dt.date.today()


def journal_of(engine: Engine, cramps_by_days_ago: dict[int, int], due: dt.date | None = None):  # noqa: ANN201
    with Session(engine) as session:
        for days, cramps in cramps_by_days_ago.items():
            save_night(session=session, entry=make_entry(days_ago(days), cramps=cramps))
        if due:
            save_profile(session=session, profile=make_profile(due_date=due))
    return load_journal(engine)


def test_cramps_rising_is_said_in_the_words_trends_uses(sqlite_engine: Engine) -> None:
    # 14 nights before: 1 cramp a night; the last 14: 3 a night.
    nights = {d: 3 for d in range(1, 15)} | {d: 1 for d in range(15, 29)}
    journal = journal_of(sqlite_engine, nights, due=TODAY + dt.timedelta(weeks=8))
    row = patient_row(7, "Sam", journal, [], TODAY)
    assert row.rising == "14 more cramps a week than the 2 weeks before"
    assert row.attention() == f"Cramps rising: {row.rising}"
    assert row.week == "week 32+0" and row.last_night == days_ago(1)
    assert row.days_unlogged == 0 and row.rank == 1


def test_falling_cramps_and_a_quiet_fortnight_need_no_attention(sqlite_engine: Engine) -> None:
    nights = {d: 1 for d in range(1, 15)} | {d: 3 for d in range(15, 29)}
    row = patient_row(7, "Sam", journal_of(sqlite_engine, nights), [], TODAY)
    assert row.rising is None and row.attention() == "" and row.rank == 3 and row.week == ""


def test_a_new_warning_sign_comes_first_then_rising_then_unlogged_then_by_name(
    sqlite_engine: Engine,
) -> None:
    quiet = journal_of(sqlite_engine, {1: 0, 2: 0})
    sign = [(days_ago(2), ("one_leg_swelling",)), (days_ago(1), ("fever",))]
    rows = [
        patient_row(1, "Ann", quiet, [], TODAY),
        patient_row(2, "Bea", quiet, sign, TODAY),
        patient_row(3, "Cat", quiet, [], TODAY + dt.timedelta(days=5)),  # 5 days since
    ]
    ordered = by_attention(rows)
    assert [r.name for r in ordered] == ["Bea", "Cat", "Ann"]
    said = ordered[0].attention()
    assert said.startswith("Warning sign logged since you last looked: ")
    # newest night first, each sign named in her words
    assert said.index("Fever") < said.index("Swelling in one leg")
    assert ordered[1].attention() == "No night logged for 5 days"
