"""The app's pages, in the order of the top navigation (streamlit_app.py runs them)."""

from __future__ import annotations

import streamlit as st

from tracker.care.language import N_, _

# (script in pages/, title in English, icon); the first is the page "/" opens.
PAGES = (
    ("pages/last_night.py", N_("Last night"), ":material/bedtime:"),
    ("pages/history.py", N_("History"), ":material/calendar_month:"),
    ("pages/trends.py", N_("Trends"), ":material/monitoring:"),
    ("pages/experiments.py", N_("Experiments"), ":material/science:"),
    ("pages/summary.py", N_("Summary"), ":material/description:"),
    ("pages/red_flags.py", N_("Warning signs"), ":material/warning:"),
    ("pages/settings.py", N_("Settings"), ":material/settings:"),
    ("pages/guide.py", N_("Guide"), ":material/lightbulb:"),
)


# A clinician on a practice's server: Patients, and the journal she opened there, read-only.
CLINICIAN_PAGES = (
    ("pages/patients.py", N_("Patients"), ":material/groups:"),
    ("pages/history.py", N_("History"), ":material/calendar_month:"),
    ("pages/trends.py", N_("Trends"), ":material/monitoring:"),
    ("pages/summary.py", N_("Summary"), ":material/description:"),
)


def _listed() -> tuple[tuple[str, str, str], ...]:
    from tracker.app.whois import is_clinician, viewing

    if is_clinician():
        return CLINICIAN_PAGES if viewing() else CLINICIAN_PAGES[:1]
    return PAGES


def navigation() -> st.navigation:
    """The top navigation over every page (st.navigation: pages/ is not scanned on its own).

    The app's own title and moon icon come first: otherwise the browser tab would take the
    page's Material icon, which Streamlit loads from Google's servers.
    """
    st.set_page_config(page_title="Cramp Journal", page_icon="🌙", layout="centered")
    pages = [
        st.Page(script, title=_(title), icon=icon, default=i == 0)  # in her language
        for i, (script, title, icon) in enumerate(_listed())
    ]
    return st.navigation(pages, position="top")
