"""Experiments: try one habit on and off in random blocks, and see what your own nights say."""

import datetime as dt
import secrets

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from tracker.app import web
from tracker.insights.experiments import describe_result, evaluate
from tracker.insights.frames import load_journal
from tracker.journal.plan_store import has_table, load_plans, save_plan, stop_plan
from tracker.journal.plans import (
    DEFAULT_BLOCKS,
    Plan,
    last_night,
    problems,
    schedule,
    stop_night,
    tonight,
)

web.ensure_router()
ss = st.session_state

HABITS = {
    "Calf stretching before bed": "stretching",
    "A water target": "water",
    "Magnesium": "magnesium",
    "Another habit": "other",
}
engine = web.engine()
today = dt.date.today()


def stop(plan_id: int, night: dt.date) -> None:
    """End the experiment she confirmed, with `night` as its last night."""
    try:
        with engine.begin() as conn:
            stopped = stop_plan(conn, plan_id, night)
    except SQLAlchemyError as exc:
        web.log.error("stopping an experiment failed: %s", type(exc).__name__)
        ss["ex_outcome"] = ("error", web.UNAVAILABLE)
    else:
        said = (
            "Your experiment is stopped. Tonight has no plan."
            if stopped
            else ("This experiment was already stopped.")
        )
        ss["ex_outcome"] = ("success", said)
    ss.pop("ex_confirm_stop", None)


def stop_button(plan_id: int, plan: Plan) -> None:
    """Stop this experiment, after a confirm step that says what stopping means."""
    night = stop_night(plan, today)
    if ss.get("ex_confirm_stop") != plan_id:
        st.button(
            "Stop this experiment",
            key="ex_stop",
            icon=":material/stop_circle:",
            on_click=ss.__setitem__,
            args=("ex_confirm_stop", plan_id),
        )
        return
    if night >= plan.start:
        ask = f"Stop your experiment after the night of {night:%a %d %b}? Tonight has no plan."
    else:
        ask = "Stop your experiment before its first night?"
    web.confirm(
        ask + " The nights you logged stay in your journal.",
        icon=":material/stop_circle:",
        yes="Yes, stop it",
        no="Keep going",
        key="ex_stop",
        on_yes=stop,
        args=(plan_id, night),
        asked="ex_confirm_stop",
    )


st.title("Experiments")
st.write(
    "Try one habit on some nights and not on others, in blocks drawn at random. "
    "Then your own nights show how it went. Plan it with your midwife or doctor if you can."
)

with engine.connect() as conn:
    ready = has_table(conn)
    plans = load_plans(conn)
if not ready:
    st.info(
        "Experiments need a newer journal. Update the app, then open this page again.",
        icon=":material/update:",
    )
    st.stop()

if plans:  # the newest plan: its schedule, tonight's part and the result so far
    plan_id, plan = plans[0]
    blocks = schedule(plan)
    end = last_night(plan, blocks)
    ran = [b for b in blocks if b.start <= end]  # all of them unless she stopped it early
    st.subheader("Your experiment")
    if result_said := ss.pop("ex_outcome", None):
        kind, words = result_said
        (st.success if kind == "success" else st.error)(words, icon=":material/info:")
    st.caption("Habit")
    named = {habit: label for label, habit in HABITS.items()}
    web.literal(named.get(plan.habit, plan.habit))  # her own words are shown as typed
    asked = tonight(plan, today)
    if asked:  # a habit she named is in it: escaped, so it is shown as typed, never as Markdown
        habit = plan.habit.strip()
        st.success(asked.replace(habit, web.markdown_safe(habit)), icon=":material/event:")
    elif end < plan.start:
        st.info("You stopped it before its first night.", icon=":material/event:")
    elif end < blocks[-1].end:
        st.info(
            f"You stopped it early. Its last night was {end:%a %d %b}.", icon=":material/event:"
        )
    elif today > end:
        st.info(f"It ended with the night of {end:%a %d %b}.", icon=":material/event:")
    else:
        st.info(f"It starts on {blocks[0].start:%a %d %b}.", icon=":material/event:")
    if ran:
        table = pd.DataFrame(
            {
                "Nights": [f"{b.start:%a %d %b} to {min(b.end, end):%a %d %b}" for b in ran],
                "Habit": ["on" if b.arm == "on" else "off" for b in ran],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
    result = evaluate(plan, load_journal(engine).nights, today=today)
    st.subheader("So far" if not result.finished else "What your experiment found")
    for sentence in describe_result(result):
        st.write(sentence)
    with st.expander("How this is worked out"):
        st.write(
            "The blocks come in pairs: one on and one off, in an order drawn at random. "
            "We compare cramps a "
            "night on the on nights with the off nights, as they were planned. We also allow "
            "for the weeks passing. Then we shuffle which blocks were on, in every way the "
            "draw could have gone. That shows how often a gap this big turns up by chance."
        )
    st.caption("This is your own data, not proof that a habit helps.")
    if not result.finished:
        stop_button(plan_id, plan)
        st.stop()  # one experiment at a time

st.subheader("Plan an experiment")
with st.form("ex_plan"):
    choice = st.radio("What do you want to try?", list(HABITS), index=None, key="ex_habit")
    own = st.text_input("Another habit, in your words", max_chars=100, key="ex_own")
    target = st.number_input(
        "Water to drink on the 'on' days (ml)", 500, 5000, 2000, step=250, key="ex_target"
    )
    agreed = st.checkbox("I have discussed magnesium with my clinician", key="ex_agreed")
    blocks = st.select_slider(
        "Blocks of 3 to 7 nights",
        [4, 6, 8, 10, 12, 14, 16],
        value=DEFAULT_BLOCKS,
        key="ex_blocks",
        help="More blocks take longer, but tell more. With 12 or more, chance can be told apart.",
    )
    start = st.date_input(
        "First night", value=today, min_value=today, key="ex_start", format="DD/MM/YYYY"
    )
    drawn = st.form_submit_button("Draw my schedule", type="primary")

if drawn:
    habit = HABITS.get(choice or "", "")
    plan = Plan(
        habit=own if habit == "other" else habit,
        start=start,
        seed=secrets.randbelow(2**31),
        blocks=blocks,
        target=float(target) if habit == "water" else None,
        clinician_agreed=agreed,
    )
    wrong = problems(plan) if choice else ["Choose what you want to try."]
    if wrong:
        for problem in wrong:
            st.error(problem, icon=":material/error:")
    else:
        with engine.begin() as conn:
            save_plan(conn, plan)
        st.rerun()
st.caption("Extra salt is not advised in pregnancy, so the app never suggests it.")
