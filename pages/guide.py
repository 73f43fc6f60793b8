"""Guide: what to do during a cramp, what may help prevent them, and when to call."""

import streamlit as st

from tracker.app import web
from tracker.care.language import N_, _
from tracker.care.safety import (
    EMERGENCY,
    LONG_CRAMP_MIN,
    RED_FLAGS,
    RIGHT_AWAY,
    STRAIGHT_AWAY,
    red_flag_label,
)

web.ensure_router()

WHEN_TO_CALL = {  # said in her language with _()
    EMERGENCY: N_(
        "Call your local emergency number now (for example 911, 999 or 112) if leg "
        "symptoms come with:"
    ),
    STRAIGHT_AWAY: N_("Contact your doctor or maternity unit straight away, the same day, for:"),
    RIGHT_AWAY: N_("Contact your midwife, doctor or maternity unit right away for:"),
}

st.title(_("Guide"), anchor=False)
st.caption(
    _(
        "Short, practical tips. Your midwife or doctor knows your pregnancy best: ask them "
        "about anything here."
    )
)

st.header(_("During a cramp"), anchor=False)
st.markdown(
    _(
        "**Pull your foot and toes hard up towards your head** and hold until the cramp lets "
        "go.\n\n"
        "Why it works: when the muscle at the front of your shin tightens, your body makes the "
        "calf muscle behind it relax. It usually eases quickly."
    )
)

st.header(_("What may help prevent them"), anchor=False)
st.markdown(
    _(
        "Nothing is proven to stop cramps, but these are worth a try:\n"
        "- **Stretch your calves before bed.** Stand facing a wall, one foot back, heel down, "
        "and lean forward gently for about 30 seconds on each side.\n"
        "- **Drink enough water** through the day.\n"
        "- **Stay active**, if your pregnancy is otherwise going smoothly and your midwife or "
        "doctor agrees.\n"
        "- **Magnesium:** some studies found fewer cramps, others found no difference. Only take "
        "it after talking it through with your midwife or doctor.\n"
        "- **Extra salt is not advised** in pregnancy: it can raise blood pressure, and there is "
        "little sign that it helps."
    )
)

st.header(_("When to call"), anchor=False)
st.markdown(
    _(
        "A blood clot in a leg vein can feel like a cramp, so some signs need a clinician to "
        "check them. The risk of a clot stays higher for about six weeks after the birth, so "
        "these checks apply then too."
    )
)
for level, heading in WHEN_TO_CALL.items():
    signs = [red_flag_label(code) for code, (_label, lv) in RED_FLAGS.items() if lv == level]
    show = st.error if level == EMERGENCY else st.warning
    show(
        f"**{_(heading)}**\n" + "\n".join(f"- {sign}" for sign in signs),
        icon=":material/emergency:" if level == EMERGENCY else ":material/warning:",
    )
st.markdown(
    _(
        "A cramp usually lasts from a few seconds to about {minutes} minutes and then eases. "
        "If one lasts longer, or the pain stays, check the signs above and contact your "
        "doctor or maternity unit if the pain does not ease."
    ).format(minutes=LONG_CRAMP_MIN)
)
RED_FLAGS_PAGE = "pages/red_flags.py"
st.page_link(RED_FLAGS_PAGE, label=_("Check warning signs now"), icon=":material/warning:")
