"""The Experiments page through AppTest: planning (and what is refused), the schedule kept and
drawn again from its seed, tonight's part, and the result of a finished experiment."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.readability import too_hard
from tracker.insights.plan_words import block_plan, drawn
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.plan_store import load_plans, save_plan
from tracker.journal.plans import MAX_TARGET_ML, MIN_TARGET_ML, Plan, schedule, tonight
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
    """Tap the habit's button, answer its questions, then Start."""
    at.button_group(key="ex_habit").set_value(habit).run()
    if "own" in fields:
        at.text_input(key="ex_own").input(fields["own"])
    if fields.get("agreed"):
        at.checkbox(key="ex_agreed").check()
    if "blocks" in fields:
        at.button_group(key="ex_blocks").set_value(fields["blocks"])
    at.button(key="ex_go").click().run()
    assert not at.exception
    return at


def fields_shown(at: AppTest) -> set[str]:
    """Which of the habit-specific questions are on the page now."""
    shown = {w.key for w in (*at.button_group, *at.checkbox, *at.text_input)}
    return shown & {"ex_target", "ex_agreed", "ex_own"}


def test_a_journal_without_the_table_says_it_needs_updating() -> None:
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_schema(engine)
    with engine.begin() as conn:  # as a journal would be that missed migration 0004
        conn.exec_driver_sql("DROP TABLE experiment")
    st.cache_resource.clear()
    at = open_page()
    assert "newer journal" in at.info[0].value
    assert not at.get("button_group")


def test_stretching_is_planned_kept_and_drawn_again_from_its_seed(engine) -> None:
    at = open_page()
    at.button_group(key="ex_habit").set_value("stretching").run()
    promised = next(i.value for i in at.info if " blocks of " in i.value)  # before Start
    plan_with(at, "stretching")
    with engine.connect() as conn:
        (_, plan), *rest = load_plans(conn)
    assert rest == [] and plan.habit == "stretching" and plan.start == TODAY and plan.blocks == 12
    assert at.success[0].value == "Your experiment is saved. It starts tonight."
    assert [t.value for t in at.toast] == [at.success[0].value]  # in view wherever she is
    assert at.success[1].value == tonight(plan, TODAY)  # tonight's part of the schedule
    assert block_plan(schedule(plan)) == promised  # the plan she was shown is the one kept
    assert promised in [m.value for m in at.markdown]
    shown = at.table[0].value
    blocks = schedule(plan)
    assert len(shown) == len(blocks) and list(shown["Habit"]) == [b.arm for b in blocks]
    assert not at.get("button_group")  # one experiment at a time: no new plan
    said = [m.value for m in at.markdown]
    assert "No night of your experiment has passed yet." in said
    assert not any(re.search(r"\b0 nights", words) for words in said)
    again = open_page()
    assert again.success[0].value == at.success[1].value  # same seed, same schedule
    assert not again.toast  # said once


@pytest.mark.parametrize(
    ("habit", "fields", "said"),
    [
        ("magnesium", {}, "discussed it with your clinician"),
        ("other", {"own": "Extra salt"}, "salt is not advised"),
        ("other", {"own": ""}, "Name the habit"),
        ("other", {"own": "Magnesium"}, "its own button above"),
        ("other", {"own": "magnesium citrate"}, "its own button above"),  # not without the box
    ],
)
def test_what_cannot_be_tried_is_refused_and_nothing_saved(engine, habit, fields, said) -> None:
    at = plan_with(open_page(), habit, **fields)
    (error,) = at.error
    assert said in error.value and "Nothing was started yet" in error.value
    assert [t.value for t in at.toast] == [error.value]
    if "own" in fields:
        assert at.text_input(key="ex_own").value == fields["own"]  # her typing kept
    assert at.button(key="ex_go")  # still planning, her choices kept
    with engine.connect() as conn:
        assert load_plans(conn) == []


def test_magnesium_once_discussed_is_allowed(engine) -> None:
    plan_with(open_page(), "magnesium", agreed=True)
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
    assert at.get("button_group")  # finished: a new one can be planned


def test_stop_this_experiment_asks_first_then_ends_it_with_last_night(engine) -> None:
    start = TODAY - dt.timedelta(days=10)
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="legs up the wall", start=start, seed=5))
    at = open_page()
    assert not at.get("button_group")
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
    assert [t.value for t in at.toast] == [at.success[0].value]
    assert "What your experiment found" in [h.value for h in at.subheader]
    assert at.get("button_group")  # finished: a new one can be planned, nothing left to stop
    assert "ex_stop" not in [b.key for b in at.button]


def test_a_habit_she_names_is_shown_as_typed_never_as_markdown(engine) -> None:
    """Her words are shown as plain text (st.text), never in a Markdown line: escaping does not
    stop Markdown making a link of a web address (tests/test_her_words.py, in Chromium)."""
    from tracker.journal.plans import Plan, tonight_line

    words = "**legs up** [wall](http://x.example)"
    with engine.begin() as conn:
        save_plan(conn, Plan(habit=words, start=TODAY - dt.timedelta(days=1), seed=3, blocks=4))
    at = open_page()
    with engine.connect() as conn:
        ((_, plan),) = load_plans(conn)
    line = next(s.value for s in at.success if "Your experiment, block" in s.value)
    assert line == tonight_line(plan, TODAY) and "your habit tonight" in line
    assert not any("legs up" in m.value for m in (*at.success, *at.info, *at.markdown))
    assert words in [t.value for t in at.text]


ONLY = {
    "stretching": set(),
    "water": {"ex_target"},
    "magnesium": {"ex_agreed"},
    "other": {"ex_own"},
}


def test_only_the_picked_habits_questions_show(engine) -> None:
    at = open_page()
    assert fields_shown(at) == set() and not at.get("date_input")  # nothing until she picks
    habits = at.button_group(key="ex_habit")
    assert habits.options == ["Calf stretching before bed", "A water target", "Magnesium",
                              "Another habit"]  # fmt: skip
    for habit, only in [*ONLY.items(), ("water", {"ex_target"})]:
        at.button_group(key="ex_habit").set_value(habit).run()
        assert not at.exception
        assert fields_shown(at) == only, habit
    offered = [int(o.removesuffix(" ml")) for o in at.button_group(key="ex_target").options]
    assert all(MIN_TARGET_ML <= ml <= MAX_TARGET_ML for ml in offered)  # each one can be kept
    at.button_group(key="ex_target").set_value(2500).run()
    at.button_group(key="ex_habit").set_value("other").run()
    at.text_input(key="ex_own").input("legs up the wall").run()
    at.button_group(key="ex_habit").set_value("water").run()
    assert at.button_group(key="ex_target").value == 2500  # her answers wait while hidden
    at.button(key="ex_go").click().run()
    with engine.connect() as conn:
        (_, plan), *_ = load_plans(conn)
    assert (plan.habit, plan.target, plan.clinician_agreed) == ("water", 2500.0, False)


def test_a_habit_in_her_words_is_planned_under_her_words(engine) -> None:
    plan_with(open_page(), "other", own="legs up the wall", blocks=4)
    with engine.connect() as conn:
        (_, plan), *_ = load_plans(conn)
    assert (plan.habit, plan.blocks, plan.target) == ("legs up the wall", 4, None)


PLAN_SENTENCE = re.compile(
    r"(\d+) blocks of (?:(\d+) nights?|(\d+) to (\d+) nights): (\d+) nights"
    r"(?: \(about \d+ weeks\))?, (\w{3} \d\d \w{3}) to (\w{3} \d\d \w{3})\.$"
)


@pytest.mark.parametrize("count", [4, 10, 16])
def test_the_block_plan_is_said_in_words_that_match_its_numbers(engine, count) -> None:
    at = open_page()
    at.button_group(key="ex_habit").set_value("stretching").run()
    chooser = at.button_group(key="ex_blocks")
    assert chooser.label == "How many blocks of nights?" and chooser.value == 12
    assert "3 to 7" not in chooser.label  # a length is not what it sets
    chooser.set_value(count).run()
    sentence = next(i.value for i in at.info if " blocks of " in i.value)
    blocks = drawn(TODAY, count, at.session_state["ex_seed"])
    lengths = [b.nights for b in blocks]
    got = PLAN_SENTENCE.match(sentence)
    assert got, sentence
    number, same, shortest, longest, total, first, last = got.groups()
    assert int(number) == count == len(blocks)
    if same:
        assert set(lengths) == {int(same)}
    else:
        assert (int(shortest), int(longest)) == (min(lengths), max(lengths))
    assert int(total) == sum(lengths) == (blocks[-1].end - TODAY).days + 1
    assert (first, last) == (f"{TODAY:%a %d %b}", f"{blocks[-1].end:%a %d %b}")
    at.button(key="ex_go").click().run()
    with engine.connect() as conn:
        (_, plan), *_ = load_plans(conn)
    assert schedule(plan) == blocks  # the plan she was shown is the plan kept


def test_an_experiment_stopped_before_its_first_night_says_so_plainly(engine) -> None:
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=TODAY + dt.timedelta(days=2), seed=7))
    at = open_page()
    at.button(key="ex_stop").click().run()
    assert "before its first night" in at.warning[0].value
    at.button(key="ex_stop_yes").click().run()
    assert not at.exception
    said = [m.value for m in at.markdown]
    assert "Your experiment was stopped before its first night." in said
    assert not any(re.search(r"\b0 nights|after 0 of", words) for words in said)
