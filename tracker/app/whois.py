"""Who this browser session is on a practice's server: the signed-in account and its kind,
and for a clinician the patient's journal she opened (read-only). Read from the session's
state by the code that draws pages and builds the menu (tracker.app.signin writes it)."""

from __future__ import annotations

import streamlit as st

ACCOUNT_KEY = "_account"  # session_state: (account id, email, kind) once she is in
VIEWING_KEY = "_viewing"  # a clinician's session: (patient's account id, her name) she opened
LOOKED_KEY = "_looked"  # a clinician's session: the (patient, page) last in her record


def session_account() -> int | None:
    """The signed-in account of the browser session running this code (None: nobody)."""
    try:
        signed = st.session_state.get(ACCOUNT_KEY)
    except Exception:  # noqa: BLE001 - no browser session here (a thread of its own)
        return None
    return signed[0] if signed else None


def _state(key: str):  # noqa: ANN202
    try:
        return st.session_state.get(key)
    except Exception:  # noqa: BLE001 - no browser session here (a thread of its own)
        return None


def is_clinician() -> bool:
    """True in a signed-in clinician's session (a practice's server)."""
    signed = _state(ACCOUNT_KEY)
    return bool(signed) and signed[2] == "clinician"


def viewing() -> tuple[int, str] | None:
    """(patient's account id, name) of the journal this clinician's session has open."""
    return _state(VIEWING_KEY) if is_clinician() else None


def viewed_journal() -> int | None:
    """The journal this session reads when it is not its own (a clinician's open patient)."""
    opened = viewing()
    return opened[0] if opened else None


def read_only() -> bool:
    """Nothing is written from this session: a clinician reads what is shared with her."""
    return is_clinician()
