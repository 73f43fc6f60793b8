"""Last night: log the night's cramps and yesterday's habits in under a minute."""

import datetime as dt
import itertools

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from tracker import web
from tracker.entries import (
    LIMITS,
    MAX_CRAMPS_PER_NIGHT,
    NightEntry,
    ValidationFailed,
    validate_night,
)
from tracker.journal import NEW, StaleNight, entry_of, get_night, save_night
from tracker.log_form import (
    CRAMP_FIELDS,
    NIGHT_FIELDS,
    TIME_CHOICES,
    cramp_values,
    night_values,
    read_night,
)
from tracker.models import RELIEF_LABELS, WATER_UNITS, Leg, Muscle
from tracker.pregnancy import dating
from tracker.safety import RED_FLAGS, advice_for

web.ensure_router()

ss = st.session_state
_ids = itertools.count(1)
P = "ln_"  # every widget key on this page starts with this


def load(night: dt.date, saved: NightEntry | None, version: int, unit: str) -> None:
    """Fill the form with the saved night (or a blank one) before any widget is drawn."""
    for name, value in night_values(saved, unit).items():
        ss[P + name] = value
    ss[P + "cramp_ids"] = []
    for cramp in saved.cramps if saved else []:
        add_cramp(cramp_values(cramp))
    ss[P + "loaded"] = (night, version)
    ss[P + "saved"] = saved
    ss[P + "errors"] = {}
    ss.pop(P + "stale", None)


def add_cramp(values: dict | None = None) -> None:
    cid = max([0, *ss.get(P + "cramp_ids", [])]) + next(_ids)
    values = values or {
        "preset": TIME_CHOICES[0],
        "time": "",
        "sev": 5,
        "dur": None,
        "leg": None,
        "muscle": None,
        "woke": None,
        "relief": None,
        "relieved": None,
    }
    for name in CRAMP_FIELDS:
        ss[f"{P}c{cid}_{name}"] = values[name]
    ss[P + "cramp_ids"] = [*ss.get(P + "cramp_ids", []), cid]


def remove_cramp(cid: int) -> None:
    ss[P + "cramp_ids"] = [c for c in ss[P + "cramp_ids"] if c != cid]


def field_error(key: str, label: str = "") -> None:
    """The message for one field, right under it, naming the field."""
    message = ss.get(P + "errors", {}).get(key)
    if message:
        st.error(f"{label or 'This'} {message}", icon=":material/edit:")


def cramp_form(index: int, cid: int) -> None:
    k = f"{P}c{cid}_"
    with st.container(border=True):
        st.markdown(f"**Cramp {index + 1}**")
        st.selectbox("When", TIME_CHOICES, key=k + "preset", persist_state="session")
        if ss[k + "preset"] == TIME_CHOICES[-1]:
            st.text_input(
                "Time (24 h, like 02:40)", key=k + "time", persist_state="session", max_chars=10
            )
        field_error(f"cramps.{index}.time", "The time:")
        st.slider(
            "How bad (0 = no pain, 10 = worst imaginable)",
            0,
            10,
            key=k + "sev",
            persist_state="session",
        )
        field_error(f"cramps.{index}.severity", "How bad")
        st.number_input(
            "How long, in minutes",
            key=k + "dur",
            persist_state="session",
            value=None,
            step=0.5,
            format="%.1f",
            placeholder="e.g. 2",
        )
        field_error(f"cramps.{index}.duration_min", "How long")
        st.segmented_control(
            "Leg", [leg.value for leg in Leg], key=k + "leg", persist_state="session"
        )
        st.segmented_control(
            "Where", [m.value for m in Muscle], key=k + "muscle", persist_state="session"
        )
        st.segmented_control("Woke me up", ["yes", "no"], key=k + "woke", persist_state="session")
        st.selectbox(
            "What did you try?",
            list(RELIEF_LABELS),
            key=k + "relief",
            persist_state="session",
            format_func=lambda r: RELIEF_LABELS[r],
            index=None,
            placeholder="Choose what you tried",
        )
        st.segmented_control(
            "Did it help?", ["yes", "no"], key=k + "relieved", persist_state="session"
        )
        st.button(
            "Remove this cramp",
            key=k + "remove",
            on_click=remove_cramp,
            args=(cid,),
            icon=":material/delete:",
            type="tertiary",
        )


def current_entry(night: dt.date, unit: str) -> tuple[NightEntry, dict[str, str]]:
    night_v = {name: ss[P + name] for name in NIGHT_FIELDS}
    night_v.update({f"flag_{c}": ss.get(f"{P}flag_{c}", False) for c in RED_FLAGS})
    cramps = [{n: ss[f"{P}c{cid}_{n}"] for n in CRAMP_FIELDS} for cid in ss[P + "cramp_ids"]]
    return read_night(night, night_v, cramps, unit, ss.get(P + "saved"))


def save(entry: NightEntry, read_errors: dict[str, str], expected: int) -> None:
    """Save and confirm only once committed; on failure keep every typed value."""
    errors = {**validate_night(entry.normalised()), **read_errors}
    if "water_ml" in errors and unit != "ml":
        most = LIMITS["water_ml"][1] / WATER_UNITS[unit]
        errors["water_ml"] = f"must be between 0 and {most:.0f} {unit}"
    if not errors:
        try:
            with web.session(writing=True) as s:
                save_night(session=s, entry=entry, expected_version=expected)
            ss[P + "flash"] = f"Saved the night of {entry.night:%A %d %B}."
            ss[P + "loaded"] = None  # reload what was committed
            st.rerun()
        except ValidationFailed as exc:
            errors = exc.errors
        except StaleNight as exc:
            ss[P + "stale"] = str(exc)
        except SQLAlchemyError as exc:
            web.log.error("saving a night failed: %s", type(exc).__name__)
            ss[P + "failed"] = True
    ss[P + "errors"] = errors
    st.rerun()


# ---------------------------------------------------------------- the screen
profile = web.profile()
unit = profile.water_unit
today = dt.date.today()
if P + "night" not in ss:
    ss[P + "night"] = ss.pop("open_night", None) or today - dt.timedelta(days=1)
elif "open_night" in ss:  # History asked to open a night
    ss[P + "night"] = ss.pop("open_night")

st.title("Last night")
night = st.date_input(
    "Night of (the evening it began)",
    key=P + "night",
    persist_state="session",
    max_value=today,
    format="DD/MM/YYYY",
)
field_error("night", "The night")

with web.session() as s:
    stored = get_night(session=s, night=night)
    saved, version = (entry_of(stored), stored.version) if stored else (None, NEW)
loaded = ss.get(P + "loaded")
# First visit, another night, after a save, or back from another page (Streamlit drops the
# widget values of a page she leaves).
if loaded is None or loaded[0] != night or P + "water" not in ss:
    load(night, saved, version, unit)
base_version = ss[P + "loaded"][1]  # the version her form is based on

when = dating(night, profile.due_date, profile.birth_date)
if when.label:
    st.caption(f"{night:%a %d %b} → {(night + dt.timedelta(days=1)):%a %d %b} · {when.long_label}")

if flash := ss.pop(P + "flash", None):
    st.success(flash, icon=":material/check_circle:")
if ss.pop(P + "failed", False):
    st.error(web.UNAVAILABLE + " What you typed is still here.", icon=":material/error:")
if version != base_version and not ss.get(P + "stale"):
    st.warning(
        "This night was changed in another tab or device since you opened it. "
        "Saving now would be refused; reload it first.",
        icon=":material/sync_problem:",
    )
if stale := ss.get(P + "stale"):
    st.error(stale, icon=":material/sync_problem:")
if (stale or version != base_version) and st.button(
    "Show the newer version (discards my changes)", key=P + "reload"
):
    ss[P + "loaded"] = None
    st.rerun()
if ss.get(P + "errors"):
    st.error(
        "Nothing was saved yet. Please fix the fields marked below; everything you typed is kept.",
        icon=":material/edit:",
    )

if saved is None:
    st.info("Not logged yet.", icon=":material/edit_note:")
    if not ss[P + "cramp_ids"] and st.button(
        "No cramps last night"
        if night == today - dt.timedelta(days=1)
        else f"No cramps on the night of {night:%d %b}",
        key=P + "zero",
        type="primary",
        icon=":material/check_circle:",
        width="stretch",
    ):
        save(*current_entry(night, unit), expected=base_version)
else:
    count = len(saved.cramps)
    st.info(
        f"Already logged: {count} cramp{'s' * (count != 1)}. Change anything below and save again.",
        icon=":material/task_alt:",
    )

st.info(
    "**During a cramp:** pull your foot and toes hard up towards your head. Using the "
    "shin muscle makes the calf let go, and it usually eases quickly.",
    icon=":material/lightbulb:",
)

st.subheader("Cramps")
for i, cid in enumerate(ss[P + "cramp_ids"]):
    cramp_form(i, cid)
if len(ss[P + "cramp_ids"]) < MAX_CRAMPS_PER_NIGHT:
    st.button(
        "Add a cramp", key=P + "add", icon=":material/add:", on_click=add_cramp, width="stretch"
    )

st.subheader("Yesterday")
st.number_input(
    f"Water ({unit})",
    key=P + "water",
    persist_state="session",
    value=None,
    step=50.0 if unit == "ml" else 0.5,
    placeholder="not recorded",
)
field_error("water_ml", "Water")
cols = st.columns(2)
with cols[0]:
    st.number_input(
        "Calf stretching (min)",
        key=P + "stretch",
        persist_state="session",
        value=None,
        step=1,
        placeholder="not recorded",
    )
    field_error("stretch_min", "Stretching")
with cols[1]:
    st.number_input(
        "Active (min)",
        key=P + "active",
        persist_state="session",
        value=None,
        step=5,
        placeholder="not recorded",
        help="Walking, swimming, exercise",
    )
    field_error("active_min", "Active time")
with st.expander("Magnesium", expanded=bool(ss[P + "mg"])):
    st.caption("Only take magnesium after talking to your clinician.")
    st.number_input(
        "Magnesium (mg)",
        key=P + "mg",
        persist_state="session",
        value=None,
        step=50,
        placeholder="none / not recorded",
    )
    field_error("magnesium_mg", "Magnesium (mg)")
    st.text_input(
        "Form",
        key=P + "mg_form",
        persist_state="session",
        placeholder="e.g. citrate",
        max_chars=100,
    )
    st.checkbox("Discussed with my clinician", key=P + "mg_agreed", persist_state="session")
    st.text_input("Side effects, if any", key=P + "side", persist_state="session")

st.subheader("This morning")
st.pills(
    "Leg soreness today (0 = none, 10 = worst)",
    list(range(11)),
    key=P + "soreness",
    persist_state="session",
)
field_error("soreness", "Soreness")
st.text_area(
    "Notes", key=P + "notes", persist_state="session", placeholder="Anything you want to remember"
)
field_error("notes", "Notes")

any_flag = any(ss.get(f"{P}flag_{code}") for code in RED_FLAGS)
with st.expander(
    "Warning signs: tick anything you noticed", expanded=any_flag, icon=":material/warning:"
):
    st.caption("This never stops you saving.")
    for code, (label, _level) in RED_FLAGS.items():
        st.checkbox(label, key=f"{P}flag_{code}", persist_state="session")
entry, read_errors = current_entry(night, unit)
longest = max((c.duration_min for c in entry.cramps if c.duration_min), default=None)
web.show_advice(advice_for(entry.red_flags, longest))

if st.button("Save", key=P + "save", type="primary", icon=":material/save:", width="stretch"):
    save(entry, read_errors, expected=base_version)
