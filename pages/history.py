"""History: every night, newest first; open one to change it, or delete it."""

import datetime as dt

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from tracker import web
from tracker.entries import NightEntry
from tracker.history import (
    flag_labels,
    history_frame,
    longest_cramp,
    night_advice,
    week_label,
    worst_severity,
)
from tracker.journal import StaleNight, delete_night, entry_of, list_nights
from tracker.models import Profile

web.ensure_router()

ss = st.session_state
P = "hi_"  # every widget and state key on this page starts with this
LAST_NIGHT = "pages/last_night.py"


def load_nights() -> dict[dt.date, tuple[NightEntry, int]]:
    """Every logged night with the version she is looking at, newest first."""
    with web.session() as s:
        return {n.night: (entry_of(n), n.version) for n in reversed(list_nights(session=s))}


def open_on_last_night(night: dt.date | None = None) -> None:
    """Go to the Last night page, showing this night when one is given."""
    if night is not None:
        ss["open_night"] = night
    st.switch_page(LAST_NIGHT)


def delete(night: dt.date, version: int) -> None:
    """Delete the night she confirmed, unless it changed since she chose it."""
    try:
        with web.session(writing=True) as s:
            gone = delete_night(session=s, night=night, expected_version=version)
        ss[P + "flash"] = (
            f"Deleted the night of {night:%A %d %B %Y} and its cramps."
            if gone
            else f"The night of {night:%A %d %B %Y} was already deleted."
        )
    except StaleNight:
        ss[P + "problem"] = (
            f"The night of {night:%A %d %B %Y} was changed elsewhere (another tab or device) "
            "after you chose it, so it was not deleted. Have a look at it and try again."
        )
    except SQLAlchemyError as exc:
        web.log.error("deleting a night failed: %s", type(exc).__name__)
        ss[P + "problem"] = web.UNAVAILABLE
    ss.pop(P + "confirm", None)
    st.rerun()


def summary(entry: NightEntry) -> str:
    """One line about a night's cramps, in plain words."""
    count = len(entry.cramps)
    parts = [f"{count} cramp{'s' * (count != 1)}"]
    if (worst := worst_severity(entry)) is not None:
        parts.append(f"worst {worst}/10")
    if (longest := longest_cramp(entry)) is not None:
        parts.append(f"longest {longest:g} min")
    return " · ".join(parts)


def night_card(night: dt.date, entry: NightEntry, version: int, week: str) -> None:
    """The chosen night: what she logged, any warning cards, and what she can do with it."""
    with st.container(border=True):
        st.markdown(
            f"**{night:%A %d %B %Y}**"
            + (
                (f" · {week}" if week.startswith("postpartum") else f" · week {week}")
                if week
                else ""
            )
        )
        st.caption(summary(entry))
        if entry.red_flags:
            st.markdown("Warning signs noted: " + "; ".join(flag_labels(entry.red_flags)))
        if entry.notes:
            st.caption("Notes")
            web.literal(entry.notes)
        web.show_advice(night_advice(entry))
        cols = st.columns(2)
        if cols[0].button(
            "Open to change", key=P + "edit", icon=":material/edit:", width="stretch"
        ):
            open_on_last_night(night)
        cols[1].button(
            "Delete…",
            key=P + "delete",
            icon=":material/delete:",
            width="stretch",
            on_click=ss.__setitem__,
            args=(P + "confirm", (night, version)),
        )
    if ss.get(P + "confirm", (None,))[0] == night:
        confirm_delete(night, entry)
    else:
        ss.pop(P + "confirm", None)  # she moved to another night: ask again there


def confirm_delete(night: dt.date, entry: NightEntry) -> None:
    """The second step: nothing is deleted until she says yes here."""
    count = len(entry.cramps)
    st.warning(
        f"Delete the night of {night:%A %d %B %Y} and its {count} "
        f"cramp{'s' * (count != 1)}? This can't be undone.",
        icon=":material/delete:",
    )
    cols = st.columns(2)
    if cols[0].button("Yes, delete it", key=P + "confirm_yes", type="primary", width="stretch"):
        delete(*ss[P + "confirm"])
    cols[1].button(
        "Keep it", key=P + "confirm_no", width="stretch", on_click=ss.pop, args=(P + "confirm",)
    )


def history_table(nights: dict[dt.date, tuple[NightEntry, int]], profile: Profile) -> None:
    """Every night as a table, the nights she did not log shown as gaps."""
    frame = history_frame(
        [entry for entry, _ in nights.values()],
        due_date=profile.due_date,
        birth_date=profile.birth_date,
    )
    gaps = int((~frame["logged"]).sum())
    st.caption(
        f"{len(nights)} night{'s' * (len(nights) != 1)} logged"
        + (f", {gaps} not logged" if gaps else "")
        + f" since {min(nights):%d %B %Y}."
    )
    column = st.column_config
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_order=("night", "week", "cramps", "worst", "red_flags", "notes"),
        column_config={
            "night": column.DateColumn("Night", format="ddd D MMM", width=96),
            "week": column.TextColumn("Week", help="Weeks+days of pregnancy", width=58),
            "cramps": column.TextColumn("Cramps", width=86),
            "worst": column.TextColumn("Worst", help="The worst cramp, 0 to 10", width=58),
            "red_flags": column.TextColumn("Warning signs", width="medium"),
            "notes": column.TextColumn("Notes", width="medium"),
        },
    )


# ---------------------------------------------------------------- the screen
st.title("History")
if flash := ss.pop(P + "flash", None):
    st.success(flash, icon=":material/check_circle:")
if problem := ss.pop(P + "problem", None):
    st.error(problem, icon=":material/error:")

profile = web.profile()
nights = load_nights()
if not nights:
    st.info(
        "Nothing logged yet. Each morning, log last night (even a night without cramps) "
        "and your nights will appear here.",
        icon=":material/bedtime:",
    )
    if st.button("Log last night", key=P + "go_log", type="primary", width="stretch"):
        open_on_last_night()
    st.stop()

history_table(nights, profile)

st.subheader("Open a night")
if ss.get(P + "night") not in nights:
    ss.pop(P + "night", None)  # deleted, or not chosen yet: start at the newest
chosen = st.selectbox(
    "Night",
    list(nights),
    key=P + "night",
    format_func=lambda d: f"{d:%a %d %b %Y} · {summary(nights[d][0])}",
)
entry, version = nights[chosen]
night_card(chosen, entry, version, week_label(chosen, profile.due_date, profile.birth_date))
