"""Last night: log the night's cramps and yesterday's habits in under a minute, on a phone."""

import datetime as dt
import itertools

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.delta_generator import DeltaGenerator

from tracker.app import web
from tracker.care import language
from tracker.care.language import N_, _
from tracker.care.pregnancy import dating
from tracker.care.safety import RED_FLAGS, advice_for, flags_by_level, red_flag_label
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
from tracker.journal.numbers import parse_amount
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
LABELS = {  # what each field is called in a message, in her words (said by label_of)
    "night": N_("The night"),
    "water_ml": N_("Water"),
    "stretch_min": N_("Calf stretching"),
    "active_min": N_("Active time"),
    "magnesium_mg": N_("Magnesium"),
    "magnesium_form": N_("Magnesium form"),
    "side_effects": N_("Side effects"),
    "soreness": N_("Soreness"),
    "notes": N_("Notes"),
    "red_flags": N_("Warning signs"),
    "cramps": N_("Cramps"),
    "duration_min": N_("How long"),
    "time": N_("The time"),
    "severity": N_("How bad"),
}
# The choices' values are the journal's codes; what she sees is said in her language.
CHOICE_WORDS = {
    **{"left": N_("left"), "right": N_("right"), "both": N_("both")},
    **{"calf": N_("calf"), "foot": N_("foot"), "thigh": N_("thigh"), "shin": N_("shin")},
    **{"other": N_("other"), "yes": N_("yes"), "no": N_("no")},
    **{"9 pm": N_("9 pm"), "10 pm": N_("10 pm"), "11 pm": N_("11 pm"), "12 am": N_("12 am")},
    **{"1 am": N_("1 am"), "2 am": N_("2 am"), "3 am": N_("3 am"), "4 am": N_("4 am")},
    **{"5 am": N_("5 am"), "6 am": N_("6 am"), "7 am": N_("7 am"), EXACT: N_("Other time")},
}
UNIT_WORDS = {"ml": N_("ml"), "litres": N_("litres"), "fl oz": N_("fl oz")}
UNIT_WORDS["glasses (250 ml)"] = N_("glasses (250 ml)")


def word(choice: str) -> str:
    """A choice (a code or a preset) as she reads it."""
    return _(CHOICE_WORDS.get(choice, choice))


def day(night: dt.date) -> str:
    """'Monday 07 December' in her language."""
    return language.date(night, _("EEEE dd MMMM"))  # a CLDR date pattern, for the translator


def short_day(night: dt.date) -> str:
    """'Mon 07 Dec' in her language."""
    return language.date(night, _("EEE dd MMM"))


def label_of(key: str) -> str:
    """'cramps.0.duration_min' -> 'How long (cramp 1)'."""
    parts = key.split(".")
    if len(parts) == 3:
        field = _(LABELS.get(parts[2], parts[2]))
        return _("{field} (cramp {number})").format(field=field, number=int(parts[1]) + 1)
    return _(LABELS.get(key, key))


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
        errors["water_ml"] = _("must be between 0 and {most} {unit}").format(
            most=language.decimal(round(most)), unit=_(UNIT_WORDS.get(unit, unit))
        )
    errors |= read_errors  # what could not be read at all says so, whatever the unit
    ss[P + "errors"] = errors
    if errors:
        first = next(iter(errors))
        in_cramps = [int(key.split(".")[1]) for key in errors if key.count(".") == 2]
        if in_cramps:  # open the first cramp to fix
            ss[P + "open"] = ss[P + "cramp_ids"][min(in_cramps)]
        ss[P + "outcome"] = (
            "error",
            _(
                "Nothing was saved yet. Fix {field}: {problem}. Everything you typed is kept."
            ).format(field=label_of(first), problem=errors[first]),
        )
        st.rerun()
    try:
        with web.session(writing=True) as s:
            stored = save_night(session=s, entry=entry, expected_version=expected)
            committed, version = entry_of(stored), stored.version
    except ValidationFailed as exc:
        ss[P + "errors"] = exc.errors
        ss[P + "outcome"] = ("error", _("Nothing was saved yet. Please fix the marked fields."))
    except StaleNight as exc:
        ss[P + "stale"] = str(exc)
        ss[P + "outcome"] = ("error", str(exc))
    except SQLAlchemyError as exc:
        web.log.error("saving a night failed: %s", type(exc).__name__)
        ss[P + "outcome"] = ("error", _(web.UNAVAILABLE) + " " + _("What you typed is still here."))
    else:
        ss[P + "outcome"] = (
            "success",
            _("Saved the night of {day}: {cramps}.").format(
                day=day(entry.night), cramps=cramp_count(len(entry.cramps))
            ),
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
        ss[P + "outcome"] = ("success", _("Deleted the night of {day}.").format(day=day(night)))
    except StaleNight as exc:
        ss[P + "outcome"] = ("error", str(exc))
    except SQLAlchemyError as exc:
        web.log.error("deleting a night failed: %s", type(exc).__name__)
        ss[P + "outcome"] = ("error", _(web.UNAVAILABLE))
    ss[P + "loaded"] = None
    ss.pop(P + "confirm_delete", None)
    st.rerun()  # the whole page changes with the night gone


def open_cramp(cid: int) -> None:
    ss[P + "open"] = cid


def summary_of(index: int, cid: int) -> str:
    """'Cramp 1: 2 am · 7/10 · left leg', from what she chose (our words and numbers only)."""
    k = f"{P}c{cid}_"
    parts = [word(ss[k + "when"]) if ss[k + "when"] != EXACT else _("other time")]
    parts += [f"{ss[k + 'sev']}/10" if ss[k + "sev"] is not None else None]
    leg = ss[k + "leg"]
    legs = {"left": _("left leg"), "right": _("right leg"), "both": _("both legs")}
    parts += [legs.get(leg, leg) if leg else None]
    try:  # a number read from what she typed, never the typed text (labels are Markdown)
        minutes = parse_amount(ss[k + "dur"])
    except ValueError:
        minutes = None
    parts += [_("{minutes} min").format(minutes=language.decimal(minutes)) if minutes else None]
    shown = [part for part in parts if part]
    return _("Cramp {number}: {what}").format(
        number=index + 1, what=" · ".join(shown) if shown else _("nothing chosen yet")
    )


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
        st.markdown("**" + _("Cramp {number}").format(number=index + 1) + "**")
        st.pills(_("When"), TIME_CHOICES, key=k + "when", format_func=word, persist_state="session")
        if ss[k + "when"] == EXACT:
            st.text_input(
                _("Time (like 02:40)"),
                key=k + "time",
                persist_state="session",
                max_chars=10,
                placeholder="02:40",
            )
        field_error(f"cramps.{index}.time")
        st.pills(
            _("How bad (0 = no pain, 10 = worst)"),
            list(range(11)),
            key=k + "sev",
            persist_state="session",
        )
        field_error(f"cramps.{index}.severity")
        st.pills(
            _("Leg"),
            [leg.value for leg in Leg],
            key=k + "leg",
            format_func=word,
            persist_state="session",
        )
        cramp_details(index, cid)


def cramp_details(index: int, cid: int) -> None:
    """How long, where, woke her, what she tried, did it help: one tap away."""
    k = f"{P}c{cid}_"
    errors = ss.get(P + "errors", {})
    shown = ss.get(k + "more") or any(ss[k + n] for n in DETAIL_FIELDS)
    if not shown and not any(key.startswith(f"cramps.{index}.") for key in errors):
        st.button(
            _("More: how long, where, what helped"),
            key=k + "more_btn",
            icon=":material/expand_more:",
            type="tertiary",
            on_click=ss.__setitem__,
            args=(k + "more", True),
        )
        return
    st.text_input(
        _("How long, in minutes"),
        key=k + "dur",
        persist_state="session",
        max_chars=10,
        placeholder=_("e.g. 2 or 1,5"),
    )
    field_error(f"cramps.{index}.duration_min")
    pills = {"format_func": word, "persist_state": "session"}
    st.pills(_("Where"), [m.value for m in Muscle], key=k + "muscle", **pills)
    st.pills(_("Woke me up"), ["yes", "no"], key=k + "woke", **pills)
    st.pills(
        _("What did you try?"),
        list(RELIEF_LABELS),
        key=k + "relief",
        format_func=lambda r: _(RELIEF_LABELS[r]),
        persist_state="session",
    )
    st.pills(_("Did it help?"), ["yes", "no"], key=k + "relieved", **pills)
    st.button(
        _("Remove this cramp"),
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
        st.markdown("**" + _("Welcome. When is your baby due?") + "**")
        st.caption(_("With it, every night shows its week of pregnancy. You can add it later."))
        due = st.date_input(_("Due date"), value=None, key=P + "due", format="DD/MM/YYYY")
        cols = st.columns(2)
        if cols[0].button(
            _("Save due date"),
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
                ss[P + "outcome"] = (
                    "success",
                    _("Due date saved. Each night now shows its week."),
                )
                st.rerun()
            except (ValidationFailed, StaleProfile, SQLAlchemyError) as exc:
                message = getattr(exc, "errors", {}).get("due_date", _("could not be saved"))
                problem = _("The due date {problem}.").format(problem=message)
                st.error(problem, icon=":material/edit:")
        cols[1].button(
            _("Skip for now"),
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
        _("Warning signs: tick anything you noticed"),
        expanded=bool(ticked),
        icon=":material/warning:",
    ):
        st.caption(_("This never stops you saving."))
        for codes in flags_by_level():
            for code in codes:
                st.checkbox(red_flag_label(code), key=f"{P}flag_{code}", persist_state="session")
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
            _("Did you keep to the plan last night?")
            if yesterday
            else _("Did you keep to the plan on the night of {day}?").format(
                day=language.date(night, _("dd MMM"))
            ),
            ["yes", "no"],
            format_func=lambda choice: word(choice).capitalize(),
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
            _("Save"),
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
            _(
                "This night was changed in another tab or device since you opened it. "
                "Saving now would be refused; reload it first."
            ),
            icon=":material/sync_problem:",
        )
    if (ss.get(P + "stale") or version != base_version) and st.button(
        _("Show the newer version (discards my changes)"), key=P + "reload"
    ):
        ss[P + "loaded"] = None
        st.rerun()
    if saved is None:
        if not ss[P + "cramp_ids"]:
            st.button(
                _("No cramps last night")
                if night == today - dt.timedelta(days=1)
                else _("No cramps on the night of {day}").format(
                    day=language.date(night, _("dd MMM"))
                ),
                key=P + "zero",
                type="primary",
                icon=":material/check_circle:",
                width="stretch",
                on_click=save,
            )
    else:
        st.info(
            _("Already logged: {cramps}. Change anything below and save again.").format(
                cramps=cramp_count(len(saved.cramps))
            ),
            icon=":material/task_alt:",
        )
    for i, cid in enumerate(ss[P + "cramp_ids"]):
        cramp_form(i, cid)
    if len(ss[P + "cramp_ids"]) < MAX_CRAMPS_PER_NIGHT:
        st.button(
            _("Add a cramp"),
            key=P + "add",
            icon=":material/add:",
            on_click=add_cramp,
            width="stretch",
        )
    field_error("cramps")
    long_cramp_card(current_entry()[0])


def delete_part(night: dt.date, saved: NightEntry, version: int) -> None:
    """Delete this night, asked first."""
    if ss.get(P + "confirm_delete") == (night, version):
        question = (
            _("Delete the night of {day} and its {cramps}? This can't be undone.")
            if saved.cramps
            else _("Delete the night of {day}? This can't be undone.")
        )
        web.confirm(
            question.format(day=day(night), cramps=cramp_count(len(saved.cramps))),
            icon=":material/delete:",
            yes=_("Yes, delete it"),
            no=_("Keep it"),
            key=P + "delete",
            on_yes=delete,
            args=(night, version),
            asked=P + "confirm_delete",
        )
    else:
        st.button(
            _("Delete this night…"),
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

st.title(_("Last night"), anchor=False)
if not (profile.due_date or profile.birth_date or ss.get(P + "welcomed")):
    with web.session() as s:  # asked only while the journal is empty
        empty = not has_nights(session=s)
    if empty:
        first_run()

night = ss[P + "night"]
when = dating(night, profile.due_date, profile.birth_date)
with st.expander(
    f"{short_day(night)} → {short_day(night + dt.timedelta(days=1))}"
    + (f" · {when.long_label}" if when.label else ""),
    icon=":material/calendar_month:",
):
    st.date_input(
        _("Night of (the evening it began)"),
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
for _name, plan in broken[:1]:  # a plan an older version let in, that cannot run: left out
    st.warning(cannot_run(plan, _("Remove it on the Experiments page.")), icon=":material/science:")
cramps_box = st.container(key=P + "cramps")  # drawn by night_form, below

st.header(_("Yesterday"), anchor=False)
if before and not any(ss[P + n] for n in HABIT_FIELDS):
    st.button(
        _("Same habits as the night before"),
        key=P + "same",
        icon=":material/replay:",
        on_click=copy_habits,
        args=(before,),
        width="stretch",
    )
with st.container(key=P + "habits"):
    cols = st.columns(3)
    cols[0].text_input(
        _("Water ({unit})").format(unit=_(UNIT_WORDS.get(unit, unit))),
        key=P + "water",
        persist_state="session",
        max_chars=12,
        placeholder="—",
    )
    cols[1].text_input(
        _("Calf stretch (min)"),
        key=P + "stretch",
        persist_state="session",
        max_chars=8,
        placeholder="—",
    )
    cols[2].text_input(
        _("Active (min)"), key=P + "active", persist_state="session", max_chars=8, placeholder="—"
    )
st.caption(_("Active: walking, swimming, exercise. Empty means not recorded."))
for key in ("water_ml", "stretch_min", "active_min"):
    field_error(key)
with st.expander(_("Magnesium"), expanded=bool(ss[P + "mg"])):
    st.caption(_("Only take magnesium after talking to your clinician."))
    st.text_input(
        _("Magnesium (mg)"),
        key=P + "mg",
        persist_state="session",
        max_chars=8,
        placeholder=_("none / not recorded"),
    )
    field_error("magnesium_mg")
    st.text_input(
        _("Form"),
        key=P + "mg_form",
        persist_state="session",
        placeholder=_("e.g. citrate"),
        max_chars=TEXT_LIMITS["magnesium_form"],
    )
    field_error("magnesium_form")
    st.checkbox(_("Discussed with my clinician"), key=P + "mg_agreed", persist_state="session")
    st.text_input(
        _("Side effects, if any"),
        key=P + "side",
        persist_state="session",
        max_chars=TEXT_LIMITS["side_effects"],  # checked again on Save: validate_night
    )
    field_error("side_effects")

morning = ss[P + "soreness"] is not None or bool(ss[P + "notes"])
morning |= any(key in ss.get(P + "errors", {}) for key in ("soreness", "notes"))
with st.expander(_("This morning: leg soreness, notes"), expanded=morning):
    st.pills(
        _("Leg soreness today (0 = none, 10 = worst)"),
        list(range(11)),
        key=P + "soreness",
        persist_state="session",
    )
    field_error("soreness")
    st.text_area(
        _("Notes"),
        key=P + "notes",
        persist_state="session",
        max_chars=TEXT_LIMITS["notes"],
        height=88,
        placeholder=_("Anything you want to remember"),
    )
    field_error("notes")
warning_signs()
field_error("red_flags")
night_form(cramps_box, night)
web.keyboard("decimal", P + "water", P + "stretch", P + "active", P + "mg", P + "c*_dur")
