"""Last night: log the night's cramps and yesterday's habits in under a minute, on a phone."""

import datetime as dt
import itertools

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.delta_generator import DeltaGenerator

from tracker.app import web
from tracker.care.pregnancy import dating
from tracker.care.safety import RED_FLAGS, advice_for, flags_by_level
from tracker.insights.history import cramp_count
from tracker.journal.entries import (
    LIMITS,
    MAX_CRAMPS_PER_NIGHT,
    MAX_DURATION_MIN,
    TEXT_LIMITS,
    NightEntry,
    ValidationFailed,
    validate_night,
)
from tracker.journal.log_form import (
    BLANK_CRAMP,
    CRAMP_FIELDS,
    DETAIL_FIELDS,
    EXACT,
    HABIT_FIELDS,
    NIGHT_FIELDS,
    TIME_CHOICES,
    cramp_values,
    habits_of,
    night_values,
    read_night,
    shows,
)
from tracker.journal.models import RELIEF_LABELS, WATER_UNITS, Leg, Muscle
from tracker.journal.numbers import parse_amount, show_amount
from tracker.journal.plan_store import read_plans
from tracker.journal.plans import Plan, cannot_run, named_habit, tonight_line
from tracker.journal.store import (
    NEW,
    StaleNight,
    StaleProfile,
    delete_night,
    entry_of,
    get_night,
    has_nights,
    night_before_with_habits,
    save_night,
    save_profile,
)

web.ensure_router()

ss = st.session_state
_ids = itertools.count(1)
P = "ln_"  # every widget key on this page starts with this
LABELS = {  # what each field is called in a message, in her words
    "night": "The night",
    "water_ml": "Water",
    "stretch_min": "Calf stretching",
    "active_min": "Active time",
    "magnesium_mg": "Magnesium",
    "magnesium_form": "Magnesium form",
    "side_effects": "Side effects",
    "soreness": "Soreness",
    "notes": "Notes",
    "red_flags": "Warning signs",
    "cramps": "Cramps",
    "duration_min": "How long",
    "time": "The time",
    "severity": "How bad",
}


def label_of(key: str) -> str:
    """'cramps.0.duration_min' -> 'How long (cramp 1)'."""
    parts = key.split(".")
    if len(parts) == 3:
        return f"{LABELS.get(parts[2], parts[2])} (cramp {int(parts[1]) + 1})"
    return LABELS.get(key, key)


def load(night: dt.date, saved: NightEntry | None, version: int, unit: str) -> None:
    """Fill the form with the saved night (or a blank one) before any widget is drawn."""
    for name, value in night_values(saved, unit).items():
        ss[P + name] = value
    ss[P + "cramp_ids"] = []
    for cramp in saved.cramps if saved else []:
        add_cramp(cramp_values(cramp))
    ss[P + "open"] = None  # a saved night opens folded: a tap on a cramp reopens it
    ss[P + "loaded"] = (night, version, unit)
    ss[P + "saved"] = saved
    ss[P + "errors"] = {}
    ss.pop(P + "stale", None)


def add_cramp(values: dict | None = None) -> None:
    cid = max([0, *ss.get(P + "cramp_ids", [])]) + next(_ids)
    for name in CRAMP_FIELDS:
        ss[f"{P}c{cid}_{name}"] = (values or BLANK_CRAMP)[name]
    ss[P + "cramp_ids"] = [*ss.get(P + "cramp_ids", []), cid]
    ss[P + "open"] = cid  # the new cramp is the one she is logging; the others fold away


def remove_cramp(cid: int) -> None:
    ss[P + "cramp_ids"] = [c for c in ss[P + "cramp_ids"] if c != cid]


def copy_habits(values: dict[str, str]) -> None:
    for name in HABIT_FIELDS:
        ss[P + name] = values[name]


def field_error(key: str) -> None:
    """The message for one field, right under it, naming the field."""
    if message := ss.get(P + "errors", {}).get(key):
        st.error(f"{label_of(key)} {message}", icon=":material/edit:")


def form_values() -> tuple[dict, list[dict]]:
    """What the form holds: the night's values (with the warning signs) and each cramp's."""
    night_v = {name: ss[P + name] for name in NIGHT_FIELDS}
    night_v.update({f"flag_{c}": ss.get(f"{P}flag_{c}", False) for c in RED_FLAGS})
    cramps = [{n: ss[f"{P}c{cid}_{n}"] for n in CRAMP_FIELDS} for cid in ss[P + "cramp_ids"]]
    return night_v, cramps


def current_entry() -> tuple[NightEntry, dict[str, str]]:
    night, _, unit = ss[P + "loaded"]
    return read_night(night, *form_values(), unit, ss.get(P + "saved"))


def save() -> None:
    """Save (a button callback, so the page draws once); confirm only once committed.

    On any problem nothing is written, every typed value stays in the form and the whole
    page is drawn again (its marks are all over it). A save that changes nothing else she
    sees reruns only night_form, so "Saved" shows at once (see saved_in_place).
    """
    entry, read_errors = current_entry()
    night, expected, unit = ss[P + "loaded"]
    marked = bool(ss.get(P + "errors"))  # fields marked by an earlier refused save
    errors = validate_night(entry.normalised())
    if "water_ml" in errors and unit != "ml":  # the limit in her unit, not in ml
        most = LIMITS["water_ml"][1] / WATER_UNITS[unit]
        errors["water_ml"] = f"must be between 0 and {most:.0f} {unit}"
    errors |= read_errors  # what could not be read at all says so, whatever the unit
    ss[P + "errors"] = errors
    if errors:
        first = next(iter(errors))
        in_cramps = [int(key.split(".")[1]) for key in errors if key.count(".") == 2]
        if in_cramps:  # open the first cramp to fix
            ss[P + "open"] = ss[P + "cramp_ids"][min(in_cramps)]
        ss[P + "outcome"] = (
            "error",
            f"Nothing was saved yet. Fix {label_of(first)}: "
            f"{errors[first]}. Everything you typed is kept.",
        )
        st.rerun()
    try:
        with web.session(writing=True) as s:
            stored = save_night(session=s, entry=entry, expected_version=expected)
            committed, version = entry_of(stored), stored.version
    except ValidationFailed as exc:
        ss[P + "errors"] = exc.errors
        ss[P + "outcome"] = ("error", "Nothing was saved yet. Please fix the marked fields.")
    except StaleNight as exc:
        ss[P + "stale"] = str(exc)
        ss[P + "outcome"] = ("error", str(exc))
    except SQLAlchemyError as exc:
        web.log.error("saving a night failed: %s", type(exc).__name__)
        ss[P + "outcome"] = ("error", web.UNAVAILABLE + " What you typed is still here.")
    else:
        ss[P + "outcome"] = (
            "success",
            f"Saved the night of {entry.night:%A %d %B}: {cramp_count(len(entry.cramps))}.",
        )
        if expected != NEW and not marked and shows(committed, unit, *form_values()):
            saved_in_place(night, committed, version, unit)
            return
        ss[P + "loaded"] = None  # reload what was committed
    st.rerun()


def saved_in_place(night: dt.date, committed: NightEntry, version: int, unit: str) -> None:
    """After a save of a night she had already logged, when the form shows exactly what was
    committed: make it based on the new version, as a reload would, without drawing the
    page again. Only night_form reruns (the cramps fold, the save bar says "Saved"); nothing
    else on the page depends on what changed (a new night, marked fields, a changed value
    such as "1,5" shown again as "1.5": the whole page is drawn again)."""
    for cid, cramp in zip(ss[P + "cramp_ids"], committed.cramps, strict=True):
        ss[f"{P}c{cid}_dur_saved"] = cramp.duration_min
    ss[P + "open"] = None  # as a reload: a saved night shows folded
    ss[P + "loaded"] = (night, version, unit)
    ss[P + "saved"] = committed
    ss[P + "stored"] = (committed, version)
    ss.pop(P + "stale", None)


def delete(night: dt.date, version: int) -> None:
    """Delete the night she confirmed, unless it changed since she opened it."""
    try:
        with web.session(writing=True) as s:
            delete_night(session=s, night=night, expected_version=version)
        ss[P + "outcome"] = ("success", f"Deleted the night of {night:%A %d %B}.")
    except StaleNight as exc:
        ss[P + "outcome"] = ("error", str(exc))
    except SQLAlchemyError as exc:
        web.log.error("deleting a night failed: %s", type(exc).__name__)
        ss[P + "outcome"] = ("error", web.UNAVAILABLE)
    ss[P + "loaded"] = None
    ss.pop(P + "confirm_delete", None)
    st.rerun()  # the whole page changes with the night gone


def open_cramp(cid: int) -> None:
    ss[P + "open"] = cid


def summary_of(index: int, cid: int) -> str:
    """'Cramp 1: 2 am · 7/10 · left leg', from what she chose (our words and numbers only)."""
    k = f"{P}c{cid}_"
    parts = [ss[k + "when"] if ss[k + "when"] != EXACT else "other time"]
    parts += [f"{ss[k + 'sev']}/10" if ss[k + "sev"] is not None else None]
    leg = ss[k + "leg"]
    parts += [("both legs" if leg == "both" else f"{leg} leg") if leg else None]
    try:  # a number read from what she typed, never the typed text (labels are Markdown)
        minutes = parse_amount(ss[k + "dur"])
    except ValueError:
        minutes = None
    parts += [f"{show_amount(minutes)} min" if minutes else None]
    shown = [part for part in parts if part]
    return f"Cramp {index + 1}: " + (" · ".join(shown) if shown else "nothing chosen yet")


def cramp_form(index: int, cid: int) -> None:
    """The cramp she is logging in full; the others as one line each, a tap to reopen."""
    k = f"{P}c{cid}_"
    if ss.get(P + "open") != cid:
        st.button(
            summary_of(index, cid),
            key=k + "open",
            on_click=open_cramp,
            args=(cid,),
            icon=":material/edit:",
            width="stretch",
        )
        return
    with st.container(border=True, key=f"{P}card{cid}"):
        st.markdown(f"**Cramp {index + 1}**")
        st.pills("When", TIME_CHOICES, key=k + "when", persist_state="session")
        if ss[k + "when"] == EXACT:
            st.text_input(
                "Time (like 02:40)",
                key=k + "time",
                persist_state="session",
                max_chars=10,
                placeholder="02:40",
            )
        field_error(f"cramps.{index}.time")
        st.pills(
            "How bad (0 = no pain, 10 = worst)",
            list(range(11)),
            key=k + "sev",
            persist_state="session",
        )
        field_error(f"cramps.{index}.severity")
        st.pills("Leg", [leg.value for leg in Leg], key=k + "leg", persist_state="session")
        cramp_details(index, cid)


def cramp_details(index: int, cid: int) -> None:
    """How long, where, woke her, what she tried, did it help: one tap away."""
    k = f"{P}c{cid}_"
    errors = ss.get(P + "errors", {})
    shown = ss.get(k + "more") or any(ss[k + n] for n in DETAIL_FIELDS)
    if not shown and not any(key.startswith(f"cramps.{index}.") for key in errors):
        st.button(
            "More: how long, where, what helped",
            key=k + "more_btn",
            icon=":material/expand_more:",
            type="tertiary",
            on_click=ss.__setitem__,
            args=(k + "more", True),
        )
        return
    st.text_input(
        "How long, in minutes",
        key=k + "dur",
        persist_state="session",
        max_chars=10,
        placeholder="e.g. 2 or 1,5",
    )
    field_error(f"cramps.{index}.duration_min")
    st.pills("Where", [m.value for m in Muscle], key=k + "muscle", persist_state="session")
    st.pills("Woke me up", ["yes", "no"], key=k + "woke", persist_state="session")
    st.pills(
        "What did you try?",
        list(RELIEF_LABELS),
        key=k + "relief",
        format_func=lambda r: RELIEF_LABELS[r],
        persist_state="session",
    )
    st.pills("Did it help?", ["yes", "no"], key=k + "relieved", persist_state="session")
    st.button(
        "Remove this cramp",
        key=k + "remove",
        on_click=remove_cramp,
        args=(cid,),
        icon=":material/delete:",
        type="tertiary",
    )


def long_cramp_card(entry: NightEntry) -> None:
    """The check card for a cramp longer than usual, only for durations that can be saved."""
    durations = [c.duration_min for c in entry.cramps if c.duration_min]
    longest = max((d for d in durations if 0 < d <= MAX_DURATION_MIN), default=None)
    web.show_advice(advice_for([], longest), profile)


def first_run() -> None:
    """An empty journal asks once, gently, for the due date, so weeks appear."""
    with st.container(border=True, key=P + "welcome"):
        st.markdown("**Welcome. When is your baby due?**")
        st.caption("With it, every night shows its week of pregnancy. You can add it later.")
        due = st.date_input("Due date", value=None, key=P + "due", format="DD/MM/YYYY")
        cols = st.columns(2)
        if cols[0].button(
            "Save due date",
            key=P + "due_save",
            type="primary",
            width="stretch",
            disabled=due is None,
        ):
            wanted = profile.model_copy(update={"due_date": due})  # this page's copy stays as saved
            try:
                with web.session(writing=True) as s:
                    save_profile(session=s, profile=wanted, expected_version=profile.version)
                ss[P + "welcomed"] = True
                # The card goes away: say it worked where she is looking (the save bar).
                ss[P + "outcome"] = ("success", "Due date saved. Each night now shows its week.")
                st.rerun()
            except (ValidationFailed, StaleProfile, SQLAlchemyError) as exc:
                message = getattr(exc, "errors", {}).get("due_date", "could not be saved")
                st.error(f"The due date {message}.", icon=":material/edit:")
        cols[1].button(
            "Skip for now",
            key=P + "due_skip",
            width="stretch",
            on_click=ss.__setitem__,
            args=(P + "welcomed", True),
        )


def warning_signs() -> None:
    """The signs to tick, grouped by urgency; each group's card appears right under it and
    is brought into view when it first appears."""
    ticked = [code for code in RED_FLAGS if ss.get(f"{P}flag_{code}")]
    shown_before = ss.get(P + "cards_shown", set())
    shown_now = set()
    with st.expander(
        "Warning signs: tick anything you noticed",
        expanded=bool(ticked),
        icon=":material/warning:",
    ):
        st.caption("This never stops you saving.")
        for codes in flags_by_level():
            for code in codes:
                st.checkbox(RED_FLAGS[code][0], key=f"{P}flag_{code}", persist_state="session")
            advice = advice_for([c for c in codes if c in ticked])
            if advice:
                key = f"{P}advice_{advice[0].level}"
                with st.container(key=key):
                    web.show_advice(advice, profile)
                shown_now.add(key)
                if key not in shown_before:
                    web.scroll_to(key)
    ss[P + "cards_shown"] = shown_now


def experiment_line(plan: Plan, night: dt.date) -> None:
    """Her experiment's plan for this night and, for a habit she named, whether she kept it."""
    asked = tonight_line(plan, night)  # our words only: hers are never Markdown
    if not asked:
        return
    st.info(asked, icon=":material/science:")
    if named_habit(plan):
        web.literal(plan.habit.strip())  # the habit she named, as typed
        yesterday = night == today - dt.timedelta(days=1)
        st.pills(
            "Did you keep to the plan last night?"
            if yesterday
            else f"Did you keep to the plan on the night of {night:%d %b}?",
            ["yes", "no"],
            format_func=str.capitalize,
            key=P + "kept",
            persist_state="session",
        )


def outcome() -> None:
    """What happened to her last tap on Save, beside the button and as a toast."""
    if result := ss.pop(P + "outcome", None):
        kind, text = result
        if kind == "success":
            st.success(text, icon=":material/check_circle:")
            st.toast(text, icon=":material/check_circle:")
        else:
            st.error(text, icon=":material/error:")
            st.toast(text, icon=":material/error:")


@st.fragment(key=P + "form")
def night_form(cramps_box: DeltaGenerator, night: dt.date) -> None:
    """The cramps (drawn into cramps_box, high on the page), the save bar and Delete.

    A fragment: a tap on a cramp, Save or Delete reruns only this, not the whole page (the
    rest does not depend on it; a save or delete that changes more reruns everything).
    """
    saved, version = ss[P + "stored"]
    with cramps_box:
        cramps_part(night, saved, version)
    with st.container(key=P + "savebar"):
        outcome()
        st.button(
            "Save",
            key=P + "save",
            type="primary",
            icon=":material/save:",
            width="stretch",
            on_click=save,
        )
    if saved is not None:
        delete_part(night, saved, version)


def cramps_part(night: dt.date, saved: NightEntry | None, version: int) -> None:
    """Whether the night is already logged (or changed elsewhere), and each cramp."""
    base_version = ss[P + "loaded"][1]  # the version her form is based on
    if version != base_version and not ss.get(P + "stale"):
        st.warning(
            "This night was changed in another tab or device since you opened it. "
            "Saving now would be refused; reload it first.",
            icon=":material/sync_problem:",
        )
    if (ss.get(P + "stale") or version != base_version) and st.button(
        "Show the newer version (discards my changes)", key=P + "reload"
    ):
        ss[P + "loaded"] = None
        st.rerun()
    if saved is None:
        if not ss[P + "cramp_ids"]:
            st.button(
                "No cramps last night"
                if night == today - dt.timedelta(days=1)
                else f"No cramps on the night of {night:%d %b}",
                key=P + "zero",
                type="primary",
                icon=":material/check_circle:",
                width="stretch",
                on_click=save,
            )
    else:
        st.info(
            f"Already logged: {cramp_count(len(saved.cramps))}. "
            "Change anything below and save again.",
            icon=":material/task_alt:",
        )
    for i, cid in enumerate(ss[P + "cramp_ids"]):
        cramp_form(i, cid)
    if len(ss[P + "cramp_ids"]) < MAX_CRAMPS_PER_NIGHT:
        st.button(
            "Add a cramp", key=P + "add", icon=":material/add:", on_click=add_cramp, width="stretch"
        )
    field_error("cramps")
    long_cramp_card(current_entry()[0])


def delete_part(night: dt.date, saved: NightEntry, version: int) -> None:
    """Delete this night, asked first."""
    if ss.get(P + "confirm_delete") == (night, version):
        cramps = f" and its {cramp_count(len(saved.cramps))}" if saved.cramps else ""
        web.confirm(
            f"Delete the night of {night:%A %d %B}{cramps}? This can't be undone.",
            icon=":material/delete:",
            yes="Yes, delete it",
            no="Keep it",
            key=P + "delete",
            on_yes=delete,
            args=(night, version),
            asked=P + "confirm_delete",
        )
    else:
        st.button(
            "Delete this night…",
            key=P + "delete",
            icon=":material/delete:",
            type="tertiary",
            on_click=ss.__setitem__,
            args=(P + "confirm_delete", (night, version)),
        )


# ---------------------------------------------------------------- the screen
profile = web.profile()
unit = profile.water_unit
today = dt.date.today()
if "open_night" in ss:  # History asked to open a night
    ss[P + "night"] = ss.pop("open_night")
if ss.get(P + "night") is None:
    ss[P + "night"] = today - dt.timedelta(days=1)

st.title("Last night", anchor=False)
if not (profile.due_date or profile.birth_date or ss.get(P + "welcomed")):
    with web.session() as s:  # asked only while the journal is empty
        empty = not has_nights(session=s)
    if empty:
        first_run()

night = ss[P + "night"]
when = dating(night, profile.due_date, profile.birth_date)
with st.expander(
    f"{night:%a %d %b} → {night + dt.timedelta(days=1):%a %d %b}"
    + (f" · {when.long_label}" if when.label else ""),
    icon=":material/calendar_month:",
):
    st.date_input(
        "Night of (the evening it began)",
        key=P + "night",
        persist_state="session",
        max_value=today,
        format="DD/MM/YYYY",
    )
field_error("night")

with web.session() as s:
    plans, broken = read_plans(s.connection())
    stored = get_night(session=s, night=night)
    saved, version = (entry_of(stored), stored.version) if stored else (None, NEW)
    before = habits_of(night_before_with_habits(session=s, night=night), unit)
ss[P + "stored"] = (saved, version)  # as this page last read it (or wrote it: saved_in_place)
loaded = ss.get(P + "loaded")
# First visit, another night, after a save, or back from another page (Streamlit drops the
# widget values of a page she leaves).
if loaded is None or loaded[0] != night or loaded[2] != unit or P + "water" not in ss:
    load(night, saved, version, unit)
if plans:  # her newest experiment's plan for this night
    experiment_line(plans[0][1], night)
for _, plan in broken[:1]:  # a plan an older version let in, that cannot run: left out
    st.warning(cannot_run(plan, "Remove it on the Experiments page."), icon=":material/science:")
cramps_box = st.container(key=P + "cramps")  # drawn by night_form, below

st.header("Yesterday", anchor=False)
if before and not any(ss[P + n] for n in HABIT_FIELDS):
    st.button(
        "Same habits as the night before",
        key=P + "same",
        icon=":material/replay:",
        on_click=copy_habits,
        args=(before,),
        width="stretch",
    )
with st.container(key=P + "habits"):
    cols = st.columns(3)
    cols[0].text_input(
        f"Water ({unit})", key=P + "water", persist_state="session", max_chars=12, placeholder="—"
    )
    cols[1].text_input(
        "Calf stretch (min)",
        key=P + "stretch",
        persist_state="session",
        max_chars=8,
        placeholder="—",
    )
    cols[2].text_input(
        "Active (min)", key=P + "active", persist_state="session", max_chars=8, placeholder="—"
    )
st.caption("Active: walking, swimming, exercise. Empty means not recorded.")
for key in ("water_ml", "stretch_min", "active_min"):
    field_error(key)
with st.expander("Magnesium", expanded=bool(ss[P + "mg"])):
    st.caption("Only take magnesium after talking to your clinician.")
    st.text_input(
        "Magnesium (mg)",
        key=P + "mg",
        persist_state="session",
        max_chars=8,
        placeholder="none / not recorded",
    )
    field_error("magnesium_mg")
    st.text_input(
        "Form",
        key=P + "mg_form",
        persist_state="session",
        placeholder="e.g. citrate",
        max_chars=TEXT_LIMITS["magnesium_form"],
    )
    field_error("magnesium_form")
    st.checkbox("Discussed with my clinician", key=P + "mg_agreed", persist_state="session")
    st.text_input(
        "Side effects, if any",
        key=P + "side",
        persist_state="session",
        max_chars=TEXT_LIMITS["side_effects"],  # checked again on Save: validate_night
    )
    field_error("side_effects")

morning = ss[P + "soreness"] is not None or bool(ss[P + "notes"])
morning |= any(key in ss.get(P + "errors", {}) for key in ("soreness", "notes"))
with st.expander("This morning: leg soreness, notes", expanded=morning):
    st.pills(
        "Leg soreness today (0 = none, 10 = worst)",
        list(range(11)),
        key=P + "soreness",
        persist_state="session",
    )
    field_error("soreness")
    st.text_area(
        "Notes",
        key=P + "notes",
        persist_state="session",
        max_chars=TEXT_LIMITS["notes"],
        height=88,
        placeholder="Anything you want to remember",
    )
    field_error("notes")
warning_signs()
field_error("red_flags")
night_form(cramps_box, night)
web.keyboard("decimal", P + "water", P + "stretch", P + "active", P + "mg", P + "c*_dur")
