"""Experiments: try one habit on and off in random blocks, and see what your own nights say.

On a phone, one step after another: the habit as big buttons, only that habit's questions,
how many blocks, the plan in words ("12 blocks of 3 to 7 nights: 61 nights, ..."), then Start.
What a tap on Start or Stop did is said beside it and as a toast.
"""

import datetime as dt
import secrets

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from tracker.app import web
from tracker.care import language
from tracker.care.language import N_, _
from tracker.insights.experiments import describe_result, evaluate
from tracker.insights.frames import load_journal
from tracker.insights.plan_words import block_plan, drawn, short_day
from tracker.journal.plan_store import (
    has_table,
    read_plans,
    remove_plan,
    save_plan,
    stop_plan,
)
from tracker.journal.plans import (
    ARMS,
    BLOCK_CHOICES,
    COLUMNS,
    DEFAULT_BLOCKS,
    MAX_HABIT_CHARS,
    MAX_SEED,
    Plan,
    cannot_run,
    last_night,
    problems,
    schedule,
    stop_night,
    tonight_line,
)

web.ensure_router()
ss = st.session_state

HABITS = {  # what is stored: what her button says (said in her language with _())
    "stretching": N_("Calf stretching before bed"),
    "water": N_("A water target"),
    "magnesium": N_("Magnesium"),
    "other": N_("Another habit"),
}
WATER_TARGETS = [1500, 2000, 2500, 3000]  # ml: one tap, no typing on a phone
engine = web.engine()
today = dt.date.today()


def habit_name(habit: str) -> str:
    """A habit's button in her language; a habit she named herself stays in her words."""
    return _(HABITS[habit]) if habit in HABITS else habit


def said(where: str, kind: str, words: str) -> None:
    """Keep what her tap did, to be shown at `where` on the next run."""
    ss["ex_outcome"] = (where, kind, words)


def millilitres(ml: int) -> str:
    """A water target as her button says it: '1500 ml'."""
    return _("{ml} ml").format(ml=language.decimal(ml))


def outcome(where: str) -> None:
    """What her last tap on Start or Stop did: here, in view, and as a toast."""
    if ss.get("ex_outcome", ("",))[0] != where:
        return
    _, kind, words = ss.pop("ex_outcome")
    icon = ":material/check_circle:" if kind == "success" else ":material/error:"
    with st.container(key="ex_said"):
        (st.success if kind == "success" else st.error)(words, icon=icon)
    st.toast(words, icon=icon)
    web.scroll_to("ex_said")  # the page above her thumb changed: bring the answer to it


def stop(plan_id: int, night: dt.date) -> None:
    """End the experiment she confirmed, with `night` as its last night."""
    try:
        with engine.begin() as conn:
            stopped = stop_plan(conn, plan_id, night)
    except SQLAlchemyError as exc:
        web.log.error("stopping an experiment failed: %s", type(exc).__name__)
        said("stop", "error", _(web.UNAVAILABLE))
    else:
        words = _("Your experiment is stopped. Tonight has no plan.")
        said("stop", "success", words if stopped else _("This experiment was already stopped."))
    ss.pop("ex_confirm_stop", None)


def stop_button(plan_id: int, plan: Plan) -> None:
    """Stop this experiment, after a confirm step that says what stopping means."""
    night = stop_night(plan, today)
    if ss.get("ex_confirm_stop") != plan_id:
        st.button(
            _("Stop this experiment"),
            key="ex_stop",
            icon=":material/stop_circle:",
            width="stretch",
            on_click=ss.__setitem__,
            args=("ex_confirm_stop", plan_id),
        )
        return
    if night >= plan.start:
        ask = _(
            "Stop your experiment after the night of {night}? Tonight has no plan. "
            "The nights you logged stay in your journal."
        ).format(night=short_day(night))
    else:
        ask = _(
            "Stop your experiment before its first night? "
            "The nights you logged stay in your journal."
        )
    web.confirm(
        ask,
        icon=":material/stop_circle:",
        yes=_("Yes, stop it"),
        no=_("Keep going"),
        key="ex_stop",
        on_yes=stop,
        args=(plan_id, night),
        asked="ex_confirm_stop",
    )


def remove(plan_id: int) -> None:
    """Delete a plan that cannot run (the nights stay)."""
    try:
        with engine.begin() as conn:
            remove_plan(conn, plan_id)
    except SQLAlchemyError as exc:
        web.log.error("removing an experiment failed: %s", type(exc).__name__)
        said("remove", "error", _(web.UNAVAILABLE))
    else:
        words = _("That experiment is removed. Your nights are all still there.")
        said("remove", "success", words)
    ss.pop("ex_confirm_remove", None)


def unusable(plan_id: int, plan: Plan) -> None:
    """A plan in her journal that cannot run (an older version let it in): what is wrong with
    it, and Remove, after a confirm step."""
    st.warning(cannot_run(plan, _("Remove it to plan another.")), icon=":material/error:")
    if ss.get("ex_confirm_remove") != plan_id:
        st.button(
            _("Remove this experiment"),
            key=f"ex_remove_{plan_id}",
            icon=":material/delete:",
            width="stretch",
            on_click=ss.__setitem__,
            args=("ex_confirm_remove", plan_id),
        )
        return
    web.confirm(
        _("Remove this experiment? The nights you logged stay in your journal."),
        icon=":material/delete:",
        yes=_("Yes, remove it"),
        no=_("Keep this experiment"),
        key="ex_remove",
        on_yes=remove,
        args=(plan_id,),
        asked="ex_confirm_remove",
    )


def experiment(plan_id: int, plan: Plan) -> bool:
    """The newest experiment: its plan, tonight's part, the schedule and the result so far.
    True while it is still running."""
    blocks = schedule(plan)
    end = last_night(plan, blocks)
    ran = [b for b in blocks if b.start <= end]  # all of them unless she stopped it early
    st.subheader(_("Your experiment"))
    outcome("start")
    st.caption(_("Habit"))
    web.literal(habit_name(plan.habit))  # her own words are shown as typed
    st.caption(_("Plan"))
    st.write(block_plan(blocks))
    asked = tonight_line(plan, today)  # our words only: hers are shown as typed above
    if asked:
        st.success(asked, icon=":material/event:")
    elif end < plan.start:
        st.info(_("You stopped it before its first night."), icon=":material/event:")
    elif end < blocks[-1].end:
        stopped = _("You stopped it early. Its last night was {night}.")
        st.info(stopped.format(night=short_day(end)), icon=":material/event:")
    elif today > end:
        ended = _("It ended with the night of {night}.").format(night=short_day(end))
        st.info(ended, icon=":material/event:")
    else:
        starts = _("It starts on {night}.").format(night=short_day(blocks[0].start))
        st.info(starts, icon=":material/event:")
    if ran:
        span = _("{first} to {last}")
        table = pd.DataFrame(
            {
                _("Nights"): [
                    span.format(first=short_day(b.start), last=short_day(min(b.end, end)))
                    for b in ran
                ],
                _("Habit"): [_(ARMS[b.arm]) for b in ran],
            }
        )
        st.table(table, hide_index=True)  # no toolbar: nothing small to tap by mistake
    result = evaluate(plan, load_journal(engine).nights, today=today)
    st.subheader(_("So far") if not result.finished else _("What your experiment found"))
    for sentence in describe_result(result):
        st.write(sentence)
    with st.expander(_("How this is worked out")):
        st.write(
            _(
                "The blocks come in pairs: one on and one off, in an order drawn at random. "
                "We compare cramps a night on the on nights with the off nights, as they were "
                "planned. We also allow for the weeks passing. Then we shuffle which blocks "
                "were on, in every way the draw could have gone. That shows how often a gap "
                "this big turns up by chance."
            )
        )
    st.caption(_("This is your own data, not proof that a habit helps."))
    if not result.finished:
        stop_button(plan_id, plan)
    outcome("stop")
    return not result.finished


def planned() -> Plan:
    """The plan as she has set it up so far (the seed is drawn once, when she starts planning)."""
    habit = ss.get("ex_habit") or ""
    target = ss.get("ex_target") if habit == "water" else None
    return Plan(
        habit=ss.get("ex_own", "") if habit == "other" else habit,
        start=ss.get("ex_start") or today,
        seed=ss.setdefault("ex_seed", secrets.randbelow(MAX_SEED + 1)),
        blocks=ss.get("ex_blocks") or DEFAULT_BLOCKS,
        target=float(target) if target else None,
        clinician_agreed=habit == "magnesium" and bool(ss.get("ex_agreed")),
    )


def start() -> None:
    """Keep the plan she set up, or say what to change first (nothing is kept then)."""
    plan = planned()
    words = plan.habit.strip().lower()
    if not ss.get("ex_habit"):
        wrong = [_("Choose what you want to try.")]
    elif ss["ex_habit"] == "other" and (words in COLUMNS or "magnesium" in words):
        wrong = [_("That habit has its own button above: choose it there.")]  # and its checks
    else:
        wrong = problems(plan)
    if wrong:
        said("plan", "error", " ".join([*wrong, _("Nothing was started yet.")]))
        return
    try:
        with engine.begin() as conn:
            save_plan(conn, plan)
    except SQLAlchemyError as exc:
        web.log.error("saving an experiment failed: %s", type(exc).__name__)
        said("plan", "error", _(web.UNAVAILABLE))
        return
    if plan.start == today:
        said("start", "success", _("Your experiment is saved. It starts tonight."))
    else:
        saved = _("Your experiment is saved. It starts on the night of {night}.")
        said("start", "success", saved.format(night=short_day(plan.start)))
    ss.pop("ex_seed", None)  # the next plan draws its own


def habit_questions(habit: str) -> None:
    """Only what the habit she picked needs."""
    if habit == "water":
        st.pills(
            _("Water to drink on the 'on' days"),
            WATER_TARGETS,
            default=2000,
            required=True,
            format_func=millilitres,
            key="ex_target",
            persist_state="session",
        )
    elif habit == "magnesium":
        st.caption(_("Magnesium is a supplement: try it only as your midwife or doctor advised."))
        st.checkbox(
            _("I have discussed magnesium with my clinician"),
            key="ex_agreed",
            persist_state="session",
        )
    elif habit == "other":
        st.text_input(
            _("Another habit, in your words"),
            max_chars=MAX_HABIT_CHARS,
            key="ex_own",
            placeholder=_("e.g. legs up the wall for 10 minutes"),
            persist_state="session",
        )
    else:
        st.caption(_("On 'on' nights, stretch your calves before bed; on 'off' nights, don't."))


def plan_form() -> None:
    """Plan a new experiment, one step after another."""
    st.subheader(_("Plan an experiment"))
    habit = st.pills(
        _("What do you want to try?"),
        list(HABITS),
        format_func=habit_name,
        key="ex_habit",
        persist_state="session",
    )
    if habit is None:
        st.caption(_("Choose one to see its plan."))
        outcome("plan")
        return
    habit_questions(habit)
    st.pills(
        _("How many blocks of nights?"),
        list(BLOCK_CHOICES),
        default=DEFAULT_BLOCKS,
        required=True,
        key="ex_blocks",
        persist_state="session",
    )
    st.caption(
        _(
            "Half the blocks with the habit, half without, in an order drawn at random. "
            "More blocks take longer, but tell more: with 12 or more, chance can be told apart."
        )
    )
    st.date_input(
        _("First night"),
        value=today,
        min_value=today,
        key="ex_start",
        format="DD/MM/YYYY",
        persist_state="session",
    )
    plan = planned()
    st.info(block_plan(drawn(plan.start, plan.blocks, plan.seed)), icon=":material/date_range:")
    outcome("plan")
    st.button(
        _("Start this experiment"),
        key="ex_go",
        type="primary",
        icon=":material/science:",
        width="stretch",
        on_click=start,
    )


st.title(_("Experiments"))
st.write(
    _(
        "Try one habit on some nights and not on others, in blocks drawn at random. "
        "Then your own nights show how it went. Plan it with your midwife or doctor if you can."
    )
)

with engine.connect() as conn:
    ready = has_table(conn)
    plans, broken = read_plans(conn)  # one that cannot run: named, with a way to remove it
if not ready:
    st.info(
        _("Experiments need a newer journal. Update the app, then open this page again."),
        icon=":material/update:",
    )
    st.stop()

outcome("remove")
for plan_id, plan in broken:
    unusable(plan_id, plan)
if not plans or not experiment(*plans[0]):  # one experiment at a time
    plan_form()
st.caption(_("Extra salt is not advised in pregnancy, so the app never suggests it."))
