"""History: every night, newest first, as a list a thumb can use; tap a night to change it."""

import datetime as dt

import streamlit as st

from tracker.app import signin, web
from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.insights.history import HistoryRow, history_frame, history_rows
from tracker.journal.store import entry_of, list_nights

web.ensure_router()

ss = st.session_state
P = "hi_"  # every widget and state key on this page starts with this
LAST_NIGHT = "pages/last_night.py"
PAGE_ROWS = 60  # rows drawn at first; "Show older nights" adds as many again


def open_on_last_night(night: dt.date | None = None) -> None:
    """Go to the Last night page, showing this night when one is given."""
    if night is not None:
        ss["open_night"] = night
    st.switch_page(LAST_NIGHT)


def night_row(row: HistoryRow) -> None:
    """One night as a full-width button: a tap opens it on Last night to change it (read-only,
    for a clinician: the same words as plain text)."""
    if signin.read_only():
        st.text(("⚠ " if row.flagged else "") + row.label)
        return
    kind = "flag" if row.flagged else "night" if row.logged else "gap"
    icon = ":material/warning:" if row.flagged else None if row.logged else ":material/edit_note:"
    if st.button(
        row.label,
        key=f"{P}{kind}_{row.night:%Y%m%d}",
        icon=icon,
        type="secondary" if row.logged else "tertiary",
        width="stretch",
    ):
        open_on_last_night(row.night)


# ---------------------------------------------------------------- the screen
signin.viewing_banner("History")  # a clinician reading a shared journal: read-only
st.title(_("History"), anchor=False)
profile = web.profile()
with web.session() as s:
    entries = [entry_of(n) for n in list_nights(session=s)]
if not entries:
    st.info(
        _(
            "Nothing logged yet. Each morning, log last night (even a night without cramps) "
            "and your nights will appear here."
        ),
        icon=":material/bedtime:",
    )
    if not signin.read_only() and st.button(
        _("Log last night"), key=P + "go_log", type="primary", width="stretch"
    ):
        open_on_last_night()
    st.stop()

frame = history_frame(entries, due_date=profile.due_date, birth_date=profile.birth_date)
gaps = int((~frame["logged"]).sum())
flagged = sum(1 for e in entries if e.red_flags)
since = language.date(min(e.night for e in entries), _("dd MMMM yyyy"))
said = [
    (
        ngettext(
            "{count} night logged, {gaps} not logged since {day}.",
            "{count} nights logged, {gaps} not logged since {day}.",
            len(entries),
        )
        if gaps
        else ngettext(
            "{count} night logged since {day}.", "{count} nights logged since {day}.", len(entries)
        )
    ).format(count=len(entries), gaps=gaps, day=since)
]
if not signin.read_only():
    said.append(_("Tap a night to see or change it."))
if flagged:
    said.append(_("Nights with warning signs ({count}) are marked in red.").format(count=flagged))
st.caption(" ".join(said))
rows = history_rows(frame)
shown = ss.get(P + "shown", PAGE_ROWS)
with st.container(key=P + "list"):
    for row in rows[:shown]:
        night_row(row)
if len(rows) > shown:
    st.button(
        ngettext(
            "Show older nights ({count} more row)",
            "Show older nights ({count} more rows)",
            len(rows) - shown,
        ).format(count=len(rows) - shown),
        key=P + "more",
        icon=":material/expand_more:",
        width="stretch",
        on_click=ss.__setitem__,
        args=(P + "shown", shown + PAGE_ROWS),
    )
