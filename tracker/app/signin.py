"""Sign-in on a practice's server (`cramp-journal serve --accounts`): the practice's identity
provider through Streamlit's own st.login / st.user, then the practice's list of people.

A browser session that has not signed in, or whose verified email is not on the list, sees only
this page: its run stops here, and the server's front door (tracker.app.guard) lets it send
nothing but what this page needs. Once she is in, her account is this session's, and every
transaction of the session works on her journal only (tracker.journal.accounts; PostgreSQL's
row-level security holds it whatever a query asks).
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from tracker.app import web
from tracker.app.web import ACCOUNTS_ENV, APP_NAME, hosted  # noqa: F401  (signin's words for them)
from tracker.app.whois import (  # noqa: F401  (signin's words for them)
    ACCOUNT_KEY,
    LOOKED_KEY,
    VIEWING_KEY,
    is_clinician,
    read_only,
    session_account,
    viewed_journal,
    viewing,
)
from tracker.care.language import N_, _

SIGNED_IN = "signed in"
KINDS_IN = ("patient", "clinician")  # who may sign in (the personal account never does)
log = logging.getLogger("cramp_journal")


def install() -> None:
    """On a practice's server: a transaction with no account said is nobody's, and one run
    for a browser session is her account's (once per process)."""
    from tracker.journal import accounts

    if hosted():
        accounts.hosted_process()
        accounts.use_session_account(session_account)
        accounts.use_session_journal(viewed_journal)
        web.add_gate(require_account)


def _claims() -> tuple[str | None, bool]:
    email = st.user.get("email")
    return (email if isinstance(email, str) else None), st.user.get("email_verified") is True


def _lookup(email: str) -> tuple[int, str] | None:
    """(account id, kind) of a listed email, asked as nobody (the database's sign-in lookup)."""
    from sqlalchemy import text

    from tracker.journal.accounts import acting_as

    with acting_as(None), web.session() as s:
        row = s.connection().execute(
            text("SELECT id, kind FROM cramp_account_for(:email)"), {"email": email}
        )
        found = row.first()
    return (found[0], found[1]) if found else None


def _open_session(account_id: int) -> None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from tracker.app.guard import OPEN_SESSIONS

    ctx = get_script_run_ctx()
    if ctx is not None:
        OPEN_SESSIONS.open(ctx.session_id)


def _signed_in_at() -> dt.datetime | None:
    """When the identity provider signed her in (its token's time), if it says."""
    for claim in ("auth_time", "iat"):
        value = st.user.get(claim)
        if isinstance(value, int | float):
            return dt.datetime.fromtimestamp(value, dt.UTC)
    return None


def _start_journal(account_id: int) -> None:
    """Her journal's version row, and her sign-in in her record of access (once per sign-in,
    not once per browser tab opened while signed in)."""
    from tracker.journal.accounts import access_record, acting_as, ensure_journal, record_access

    with acting_as(account_id), web.session(writing=False) as s:
        ensure_journal(session=s)
        at = _signed_in_at()
        last = next((a for a in access_record(session=s) if a.what == SIGNED_IN), None)
        if at is None or last is None or _aware(last.at) < at:
            record_access(session=s, what=SIGNED_IN)
        s.commit()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _no_menu() -> None:
    """No page list beside the sign-in page: there is nothing to open before it."""
    st.navigation([st.Page(_nothing, title=_("Sign in"), default=True)], position="hidden")


def _nothing() -> None:
    """The only page a signed-out session has; never run (the gate stops first)."""


def _refused(title: str, words: str) -> None:
    _no_menu()
    st.title(_(title))
    st.write(_(words))
    st.button(_("Sign out"), on_click=st.logout, type="secondary", key="signin_out")
    st.stop()


def require_account() -> None:
    """On a practice's server, stop every run until a listed person has signed in."""
    if not hosted():
        return
    signed = st.session_state.get(ACCOUNT_KEY)
    if not st.user.is_logged_in:
        st.session_state.pop(ACCOUNT_KEY, None)
        _no_menu()
        st.title(APP_NAME)
        st.write(
            _(
                "Your practice keeps this journal for you. Sign in with the account your "
                "practice gave you to log last night and see your journal."
            )
        )
        st.button(_("Sign in"), on_click=st.login, type="primary", key="signin_in")
        st.stop()
    email, verified = _claims()
    if signed and email and signed[1] == email:
        if signed[2] == "clinician":
            _check_still_shared()
        return
    st.session_state.pop(ACCOUNT_KEY, None)
    if not email or not verified:
        _refused(
            N_("Your email is not confirmed"),
            N_(
                "Your practice's sign-in did not confirm your email address, so your journal "
                "cannot be opened. Ask your practice to check your account, then sign in again."
            ),
        )
    found = _lookup(email)
    if found is None or found[1] not in KINDS_IN:
        _refused(
            N_("This journal is not open to you yet"),
            N_(
                "You signed in, but your practice has not added you to its journal. Ask your "
                "practice to add you, then sign in again."
            ),
        )
    account_id, kind = found
    if kind == "patient":
        _start_journal(account_id)
    st.session_state.pop(VIEWING_KEY, None)
    st.session_state[ACCOUNT_KEY] = (account_id, email, kind)
    _open_session(account_id)
    log.info("account %s signed in (%s)", account_id, kind)


def _check_still_shared() -> None:
    """A clinician's open patient: still shared with her? If not, nothing of that journal is
    shown again (the session forgets it; Patients says so)."""
    from tracker.journal.sharing import may_read

    opened = st.session_state.get(VIEWING_KEY)
    if not opened:
        return
    with web.session() as s:
        shared = may_read(session=s, patient_id=opened[0])
    if not shared:
        st.session_state.pop(VIEWING_KEY, None)
        st.session_state.pop(LOOKED_KEY, None)
        st.session_state["_no_longer_shared"] = True


def open_patient(patient_id: int, name: str) -> None:
    """A clinician opens a patient's journal (read-only): History, Trends and Summary are hers."""
    st.session_state[VIEWING_KEY] = (patient_id, name)
    st.session_state.pop(LOOKED_KEY, None)


def viewing_banner(page: str) -> None:
    """On a page of a patient's journal opened by a clinician: whose journal, read-only, and
    the look in her record of access (once per page visit, not once per rerun)."""
    from tracker.journal.sharing import looks_at, record_look

    opened = viewing()
    if opened is None:
        return
    patient_id, name = opened
    st.info(
        _("Viewing {name}'s journal (read-only)").format(name=web.as_label(name)),
        icon=":material/visibility:",
    )
    if st.session_state.get(LOOKED_KEY) != (patient_id, page):
        with web.session() as s:
            record_look(session=s, patient_id=patient_id, what=looks_at(page))
        st.session_state[LOOKED_KEY] = (patient_id, page)


def sign_out_button() -> None:
    """Sign out, one tap from every page (a practice's server only)."""
    if hosted() and st.session_state.get(ACCOUNT_KEY):
        st.button(_("Sign out"), on_click=st.logout, key="signout", icon=":material/logout:")
