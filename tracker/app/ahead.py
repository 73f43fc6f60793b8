"""After a write, the next Trends visit is built ahead, in the background.

Every write changes the journal's version, so the first Trends visit after a save used to read
the whole journal, fit its models and build its charts while she waited (about 0.65 s at ten
years of nights). A thread started just after the write builds that visit into the same caches
the page reads: the journal's frames, the period's numbers and the first chart tab, for the
period and axis she last chose. It waits DELAY_S first, so the page that saved answers before
it (Python runs one thread at a time); if she opens Trends sooner, the page waits on the same
cache entry instead of building it twice. A failure is logged and changes nothing: the page
builds what it needs, as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import streamlit as st

DELAY_S = 0.3
log = logging.getLogger("cramp_journal")
_busy = threading.Lock()  # one build at a time, per server
last: threading.Thread | None = None  # the latest build (tests join it)


def after_write(url: str) -> threading.Thread | None:
    """Start building the next Trends visit of the journal at `url`; None if one is running."""
    global last  # noqa: PLW0603
    if not _busy.acquire(blocking=False):
        return None
    ss = st.session_state
    choice = ss.get("tr_period", "Last 4 weeks")
    by = ss.get("tr_by", "date")
    custom = ss.get("tr_custom") if choice == "Custom" else None
    thread = threading.Thread(
        target=_build, args=(url, choice, by, custom), name="cramp-journal-ahead", daemon=True
    )
    try:
        from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

        if (ctx := get_script_run_ctx(suppress_warning=True)) is not None:
            add_script_run_ctx(thread, ctx)  # Streamlit's caches then know whose call it is
        thread.start()
    except BaseException:
        _busy.release()
        raise
    last = thread
    return thread


def wait(timeout: float = 30.0) -> None:
    """Let a build ahead that is running finish (before erasing the journal it reads)."""
    if last is not None and last.is_alive():
        last.join(timeout)


def build(url: str, choice: str, by: str, custom: tuple | None) -> tuple | None:
    """Fill the Trends caches for these controls now: returns the journal version built."""
    from sqlmodel import Session

    from tracker.app import web
    from tracker.insights.trends import CHART_GROUPS, journal_stamp, period_of
    from tracker.journal.store import get_profile

    with Session(web._engine_for(url)) as s:
        stamp = journal_stamp(s)
        profile = get_profile(session=s)
    overall = web._overall(url, stamp)
    if overall.nights_logged == 0:
        return stamp
    last_night = dt.date.today() - dt.timedelta(days=1)
    shown = period_of(choice, by, custom, profile, overall.first_night, last_night)
    web._view(url, stamp, shown.start, shown.end, shown.compare_before)
    web._charts(url, stamp, shown.start, shown.end, shown.axis, CHART_GROUPS[0])
    return stamp


def _build(url: str, choice: str, by: str, custom: tuple | None) -> None:
    try:
        time.sleep(DELAY_S)
        build(url, choice, by, custom)
    except Exception as exc:  # noqa: BLE001 - the page builds it itself; nothing is lost
        log.warning("building Trends ahead failed: %s", type(exc).__name__)
    finally:
        _busy.release()
