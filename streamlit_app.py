"""Cramp Journal: the router. Each page lives in pages/."""

import streamlit as st

from tracker.app import web

st.set_page_config(page_title="Cramp Journal", page_icon="🌙", layout="centered")

pages = [
    st.Page("pages/last_night.py", title="Last night", icon=":material/bedtime:", default=True),
    st.Page("pages/history.py", title="History", icon=":material/calendar_month:"),
    st.Page("pages/trends.py", title="Trends", icon=":material/monitoring:"),
    st.Page("pages/experiments.py", title="Experiments", icon=":material/science:"),
    st.Page("pages/summary.py", title="Summary", icon=":material/description:"),
    st.Page("pages/red_flags.py", title="Red flags", icon=":material/warning:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    st.Page("pages/guide.py", title="Guide", icon=":material/lightbulb:"),
]
web.touch_style()
web.require_passphrase()  # only with `cramp-journal serve --lan`
st.navigation(pages, position="top").run()
