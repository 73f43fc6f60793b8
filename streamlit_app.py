"""Cramp Journal: the router. Each page lives in pages/; their list is tracker/app/navigation.py."""

import streamlit as st

from tracker.app import web
from tracker.app.navigation import navigation

st.set_page_config(page_title="Cramp Journal", page_icon="🌙", layout="centered")  # before any UI
web.touch_style()
web.require_passphrase()  # only with `cramp-journal serve --lan`
with web.routed():
    navigation().run()
