"""Patients: a clinician's list of the people who share their journal with her, those who need
attention first (a warning sign logged since she last looked, cramps rising, nights not logged).
Opening one shows that journal's History, Trends and Summary, read-only."""

import datetime as dt

import streamlit as st

from tracker.app import signin, web
from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.insights.frames import load_journal
from tracker.insights.patients import WINDOW, by_attention, patient_row
from tracker.journal.accounts import reading
from tracker.journal.sharing import last_looks, patients, shown_name, signs_logged_since

web.ensure_router()

ss = st.session_state
P = "pa_"  # every widget and state key on this page starts with this


def rows() -> list:
    """Every sharing patient's row, read as this clinician (row-level security holds it)."""
    today = dt.date.today()
    found = []
    with web.session() as s:
        looked = last_looks(session=s)
        for person in patients(session=s):
            with reading(person.id):
                journal = load_journal(s)
                signs = signs_logged_since(
                    session=s,
                    since=looked.get(person.id),
                    first_night=today - dt.timedelta(days=WINDOW),
                )
            found.append(patient_row(person.id, shown_name(person), journal, signs, today))
    return by_attention(found)


def patient_card(row) -> None:  # noqa: ANN001
    name = web.as_label(row.name)
    with st.container(border=True, key=f"{P}card_{row.account_id}"):
        st.text(row.name)  # as the practice wrote it: never a link, never Markdown
        said = row.attention()
        if row.new_signs:
            st.error(web.as_label(said), icon=":material/warning:")
        elif row.rising:
            st.warning(web.as_label(said), icon=":material/trending_up:")
        elif said:
            st.info(web.as_label(said), icon=":material/event_busy:")
        if row.last_night:
            last = _("Last night logged: {night}").format(
                night=language.date(row.last_night, _("EEE dd MMM"))  # a CLDR date pattern
            )
        else:
            last = _("Last night logged: nothing logged yet")
        st.caption(" · ".join([row.week, last] if row.week else [last]))
        if st.button(
            _("Open {name}'s journal").format(name=name),
            key=f"{P}open_{row.account_id}",
            icon=":material/visibility:",
            width="stretch",
            on_click=signin.open_patient,
            args=(row.account_id, row.name),
        ):
            st.switch_page("pages/history.py")


# ---------------------------------------------------------------- the screen
st.html(
    "<style>[class*=st-key-pa_card_] > div:first-child [data-testid=stText] "
    "{ font-size: 1.25rem; font-weight: 600; }</style>"
)
st.title(_("Patients"), anchor=False)
if not signin.is_clinician():  # a patient (or anyone else) never reads this list
    st.write(_("This page is for your practice's clinicians."))
    st.stop()
ss.pop(signin.LOOKED_KEY, None)  # the next page of a journal is a new look
if ss.pop("_no_longer_shared", False):
    st.warning(_("A journal you had open is no longer shared with you."), icon=":material/block:")
listed = rows()
if not listed:
    st.info(
        _("Nobody shares a journal with you yet. A patient shares hers from her Settings page."),
        icon=":material/groups:",
    )
    st.stop()
st.caption(
    ngettext(
        "Those who need attention first: a warning sign logged since you last looked, then "
        "cramps rising (the last {nights} night against the {nights} before), then nights not "
        "logged.",
        "Those who need attention first: a warning sign logged since you last looked, then "
        "cramps rising (the last {nights} nights against the {nights} before), then nights not "
        "logged.",
        WINDOW,
    ).format(nights=WINDOW)
)
for row in listed:
    patient_card(row)
