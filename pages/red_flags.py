"""Warning signs: tick what you notice now and see at once who to contact; past nights with them."""

import dataclasses

import streamlit as st

from tracker.app import web
from tracker.care import language
from tracker.care.language import N_, _
from tracker.care.safety import CHECK, LONG_CRAMP_MIN, RED_FLAGS, Advice, advice_for, red_flag_label
from tracker.insights.history import flagged_nights
from tracker.journal.store import entry_of, list_nights

web.ensure_router()

ss = st.session_state
P = "rf_"  # checkbox keys are rf_<code>
LONG_CRAMP = N_("A cramp lasted more than {minutes} minutes, or the pain has not gone")


def long_cramp_words() -> str:
    return _(LONG_CRAMP).format(minutes=LONG_CRAMP_MIN)


def checklist_advice(codes: list[str], long_cramp: bool) -> list[Advice]:
    """The cards for what she ticked; the long-cramp card quotes her words, not a number."""
    cards = advice_for(codes, LONG_CRAMP_MIN + 1 if long_cramp else None)
    return [
        dataclasses.replace(card, reasons=(long_cramp_words(),)) if card.level == CHECK else card
        for card in cards
    ]


def past_flagged_nights() -> None:
    """Nights she noted warning signs, newest first."""
    st.header(_("Nights with warning signs"), anchor=False)
    with web.session() as s:
        entries = [entry_of(night) for night in list_nights(session=s)]
    rows = flagged_nights(entries)
    if not rows:
        st.caption(_("None noted so far."))
    for night, labels in rows:
        day = language.date(night, _("EEE dd MMM yyyy"))
        st.markdown(f"**{day}:** " + "; ".join(labels))


st.title(_("Warning signs"), anchor=False)
st.markdown(
    _(
        "Leg pain can sometimes come from a blood clot, which can feel like a cramp. Tick "
        "anything you notice now and you will see at once who to contact. This applies for "
        "about six weeks after the birth too."
    )
)
with st.container(border=True):
    for code in RED_FLAGS:
        st.checkbox(red_flag_label(code), key=P + code)
    st.checkbox(long_cramp_words(), key=P + "long_cramp")

ticked = [code for code in RED_FLAGS if ss.get(P + code)]
long_cramp = bool(ss.get(P + "long_cramp"))
advice = checklist_advice(ticked, long_cramp)
web.show_advice(advice)
if advice and ss.get(P + "toasted") != (ticked, long_cramp):
    # On a phone the card may sit below the screen's edge: say it where she is looking.
    st.toast(
        _("{advice}. More just below the list.").format(advice=advice[0].title),
        icon=":material/warning:",
    )
ss[P + "toasted"] = (ticked, long_cramp)
st.caption(
    _(
        "This check is for right now and is not saved. To keep a record, tick the signs "
        "on the Last night page: they are saved with the night and never stop you saving."
    )
)

past_flagged_nights()
