"""Work done ahead, in the background: after a write, the next Trends visit is built.

Every write changes the journal's version, so the first Trends visit after a save used to read
the whole journal, fit its models and build its charts while she waited (about 0.65 s at ten
years of nights). web.session(writing=True) hands that build (web.build_trends) to start(),
which runs it in a thread into the same caches the page reads. It waits DELAY_S first, so the
page that saved answers before it (Python runs one thread at a time); if she opens Trends
sooner, the page waits on the same cache entry instead of building it twice. A failure is
logged and changes nothing: the page builds what it needs, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

DELAY_S = 0.3
log = logging.getLogger("cramp_journal")
_busy = threading.Lock()  # one build at a time, per server
last: threading.Thread | None = None  # the latest build (tests join it)


def start(work: Callable[[], object]) -> threading.Thread | None:
    """Run `work` in the background after DELAY_S; None (and nothing run) if one is running."""
    global last  # noqa: PLW0603
    if not _busy.acquire(blocking=False):
        return None
    thread = threading.Thread(target=_run, args=(work,), name="cramp-journal-ahead", daemon=True)
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
    """Let a build that is running finish (before erasing the journal it reads)."""
    if last is not None and last.is_alive():
        last.join(timeout)


def _run(work: Callable[[], object]) -> None:
    try:
        time.sleep(DELAY_S)
        work()
    except Exception as exc:  # noqa: BLE001 - the page builds it itself; nothing is lost
        log.warning("building Trends ahead failed: %s", type(exc).__name__)
    finally:
        _busy.release()
