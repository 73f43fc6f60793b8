"""Cramp Journal: the router. Each page lives in pages/; their list is tracker/app/navigation.py."""

import streamlit as st

from tracker.app import signin, web
from tracker.app.navigation import navigation

st.set_page_config(page_title="Cramp Journal", page_icon="🌙", layout="centered")  # before any UI
web.touch_style()
web.require_passphrase()  # only with `cramp-journal serve --lan`
signin.require_account()  # only with `cramp-journal serve --accounts` (a practice's server)
signin.sign_out_button()
with web.routed():
    navigation().run()
