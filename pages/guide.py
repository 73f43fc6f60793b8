"""Guide: what to do during a cramp, what may help prevent them, and when to call."""

import streamlit as st

from tracker.app import web
from tracker.care.safety import EMERGENCY, LONG_CRAMP_MIN, RED_FLAGS, RIGHT_AWAY, STRAIGHT_AWAY

web.ensure_router()

WHEN_TO_CALL = {
    EMERGENCY: "Call your local emergency number now (for example 911, 999 or 112) if leg "
    "symptoms come with:",
    STRAIGHT_AWAY: "Contact your doctor or maternity unit straight away, the same day, for:",
    RIGHT_AWAY: "Contact your midwife, doctor or maternity unit right away for:",
}

st.title("Guide", anchor=False)
st.caption(
    "Short, practical tips. Your midwife or doctor knows your pregnancy best: ask them "
    "about anything here."
)

st.header("During a cramp", anchor=False)
st.markdown(
    "**Pull your foot and toes hard up towards your head** and hold until the cramp lets go.\n\n"
    "Why it works: when the muscle at the front of your shin tightens, your body makes the "
    "calf muscle behind it relax. It usually eases quickly."
)

st.header("What may help prevent them", anchor=False)
st.markdown(
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

st.header("When to call", anchor=False)
st.markdown(
    "A blood clot in a leg vein can feel like a cramp, so some signs need a clinician to "
    "check them. The risk of a clot stays higher for about six weeks after the birth, so "
    "these checks apply then too."
)
for level, heading in WHEN_TO_CALL.items():
    signs = [label for label, sign_level in RED_FLAGS.values() if sign_level == level]
    show = st.error if level == EMERGENCY else st.warning
    show(
        f"**{heading}**\n" + "\n".join(f"- {sign}" for sign in signs),
        icon=":material/emergency:" if level == EMERGENCY else ":material/warning:",
    )
st.markdown(
    f"A cramp usually lasts from a few seconds to about {LONG_CRAMP_MIN} minutes and then "
    "eases. If one lasts longer, or the pain stays, check the signs above and contact your "
    "doctor or maternity unit if the pain does not ease."
)
st.page_link("pages/red_flags.py", label="Check warning signs now", icon=":material/warning:")
