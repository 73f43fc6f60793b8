"""What `cramp-journal serve` runs: the app (streamlit_app.py) behind tracker.app.guard."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from tracker.app.guard import Guard
from tracker.app.signin import install
from tracker.app.warm import first_trends, warm_up

install()  # a practice's server: each browser session works on its own account's journal only
warm_up()  # before the first page: imports done once, and the heap they made frozen

app = st.App(
    Path(__file__).resolve().parent / "streamlit_app.py",
    middleware=[Middleware(Guard)],
    lifespan=first_trends,  # Trends' first view built as the server starts
)
