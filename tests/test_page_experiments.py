"""The Experiments page through AppTest: planning (and what is refused), the schedule kept and
drawn again from its seed, tonight's part, and the result of a finished experiment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.readability import too_hard
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.plan_store import load_plans, save_plan
from tracker.journal.plans import Plan, schedule, tonight
from tracker.journal.schema import ensure_schema

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "experiments.py")
TODAY = dt.date.today()


@pytest.fixture
def engine():
    """The app's journal, with the experiment table a migration will add."""
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_schema(engine)
    st.cache_resource.clear()
    yield engine
    engine.dispose()


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    return at


def plan_with(at: AppTest, habit: str, **fields) -> AppTest:  # noqa: ANN003
    at.radio(key="ex_habit").set_value(habit)
    if "own" in fields:
        at.text_input(key="ex_own").input(fields["own"])
    if fields.get("agreed"):
        at.checkbox(key="ex_agreed").check()
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    return at


def test_a_journal_without_the_table_says_it_needs_updating() -> None:
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_schema(engine)
    with engine.begin() as conn:  # as a journal would be that missed migration 0004
        conn.exec_driver_sql("DROP TABLE experiment")
    st.cache_resource.clear()
    at = open_page()
    assert "newer journal" in at.info[0].value
    assert not at.get("form")


def test_stretching_is_planned_kept_and_drawn_again_from_its_seed(engine) -> None:
    at = plan_with(open_page(), "Calf stretching before bed")
    with engine.connect() as conn:
        (_, plan), *rest = load_plans(conn)
    assert rest == [] and plan.habit == "stretching" and plan.start == TODAY and plan.blocks == 12
    assert at.success[0].value == tonight(plan, TODAY)  # tonight's part of the schedule
    shown = at.dataframe[0].value
    blocks = schedule(plan)
    assert len(shown) == len(blocks) and list(shown["Habit"]) == [b.arm for b in blocks]
    assert not at.get("form")  # one experiment at a time
    again = open_page()
    assert again.success[0].value == at.success[0].value  # same seed, same schedule


@pytest.mark.parametrize(
    ("habit", "fields", "said"),
    [
        ("Magnesium", {}, "discussed it with your clinician"),
        ("Another habit", {"own": "Extra salt"}, "salt is not advised"),
        ("Another habit", {"own": ""}, "Name the habit"),
    ],
)
def test_what_cannot_be_tried_is_refused_and_nothing_saved(engine, habit, fields, said) -> None:
    at = plan_with(open_page(), habit, **fields)
    assert any(said in e.value for e in at.error)
    with engine.connect() as conn:
        assert load_plans(conn) == []


def test_magnesium_once_discussed_is_allowed(engine) -> None:
    plan_with(open_page(), "Magnesium", agreed=True)
    with engine.connect() as conn:
        assert load_plans(conn)[0][1].clinician_agreed is True


def test_a_finished_experiment_shows_its_result_in_plain_words(engine) -> None:
    with Session(engine) as session:
        fill_demo(session=session)  # twelve weeks ending last night, stretching on most nights
    start = TODAY - dt.timedelta(days=70)
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=start, seed=11))
    at = open_page()
    said = [w.value for w in at.markdown]
    text = " ".join(said)
    assert "What your experiment found" in [h.value for h in at.subheader]
    assert "In your experiment:" in text and "ways." in text
    for word in ("prove", "cure", "caused"):
        assert word not in text.lower()
    assert too_hard(said) == []
    assert at.get("form")  # finished: a new one can be planned


def test_stop_this_experiment_asks_first_then_ends_it_with_last_night(engine) -> None:
    start = TODAY - dt.timedelta(days=10)
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="legs up the wall", start=start, seed=5))
    at = open_page()
    assert not at.get("form")
    at.button(key="ex_stop").click().run()
    assert "Tonight has no plan" in at.warning[0].value
    at.button(key="ex_stop_no").click().run()  # changed her mind: nothing stored
    with engine.connect() as conn:
        assert load_plans(conn)[0][1].stopped is None
    assert not at.warning
    at.button(key="ex_stop").click().run()
    at.button(key="ex_stop_yes").click().run()
    assert not at.exception
    with engine.connect() as conn:
        (_, stopped), *_ = load_plans(conn)
    assert stopped.stopped == TODAY - dt.timedelta(days=1)
    assert tonight(stopped, TODAY) is None
    text = " ".join(w.value for w in at.markdown)
    planned = sum(b.nights for b in schedule(stopped))
    assert f"Stopped early after 10 of {planned} nights." in text
    assert "Your experiment is stopped" in at.success[0].value
    assert "What your experiment found" in [h.value for h in at.subheader]
    assert at.get("form")  # finished: a new one can be planned, and nothing left to stop
    assert "ex_stop" not in [b.key for b in at.button]


def test_a_habit_she_names_is_shown_as_typed_never_as_markdown(engine) -> None:
    """Her words reach tonight's line escaped: Markdown punctuation stays literal."""
    from tracker.journal.plans import Plan

    words = "**legs up** [wall](http://x.example)"
    with engine.begin() as conn:
        save_plan(conn, Plan(habit=words, start=TODAY - dt.timedelta(days=1), seed=3, blocks=4))
    at = open_page()
    line = next(s.value for s in at.success if "Your experiment, block" in s.value)
    assert "\\*\\*legs up\\*\\*" in line and "\\[wall\\]\\(http" in line
    assert words not in line
