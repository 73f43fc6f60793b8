"""What every page shares: the cached journal, its cached views, and shared screen pieces."""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker.app import ahead
from tracker.care import language
from tracker.care.language import N_, _
from tracker.care.safety import EMERGENCY, Advice
from tracker.journal.accounts import PERSONAL, acting_as, current_account, current_journal, reading
from tracker.journal.config import database_url
from tracker.journal.db import make_engine
from tracker.journal.models import Profile
from tracker.journal.store import SAVED_NIGHT

log = logging.getLogger("cramp_journal")

UNAVAILABLE = N_(  # said with _(UNAVAILABLE)
    "Your journal could not be reached just now, so nothing was changed. "
    "Try again in a moment; if it keeps happening, check that the disk is not full "
    "and that the journal file can be written."
)


ROUTER = "streamlit_app.py"
ACCOUNTS_ENV = "CRAMP_JOURNAL_ACCOUNTS"  # set by `serve --accounts` (a practice's server)
_gates: list[Callable[[], None]] = []  # run before every page (tracker.app.signin's sign-in)


def hosted() -> bool:
    """True on a practice's server (`serve --accounts`)."""
    import os

    return os.environ.get(ACCOUNTS_ENV) == "1"


def add_gate(gate: Callable[[], None]) -> None:
    """Run `gate` before every page, after the passphrase (once per process)."""
    if gate not in _gates:
        _gates.append(gate)


_run = threading.local()  # each script run has its own thread: whether the router started it

APP_NAME = "Cramp Journal"  # its name in every language
LANGUAGE = "language"  # her choice of language for this session (a language code)


def session_language() -> str:
    """This session's language: her choice, else her browser's language (st.context.locale)."""
    chosen = st.session_state.get(LANGUAGE)
    if chosen in language.languages():
        return chosen
    return language.language_of(st.context.locale)


def use_language() -> None:
    """Speak this session's language for the rest of this script run (never a process-wide
    setting: each visitor has her own)."""
    language.use(session_language())


LANGUAGE_READ = "_language_read"  # (account, language) of the saved language this session read


def saved_language() -> None:
    """Her language saved in Settings, read once per session (again only for another signed-in
    person), after the passphrase and sign-in: a new session of her journal starts in it. Called
    by ensure_router; Settings sets LANGUAGE itself when she changes it."""
    from tracker.journal.schema import JournalRefused
    from tracker.journal.store import stored_profile

    account, before = current_account(), st.session_state.get(LANGUAGE_READ)
    if before is not None and before[0] == account:
        return
    try:  # her own profile, even while a clinician has a patient's journal open
        with reading(account), Session(_engine_for(database_url())) as s:
            stored = stored_profile(session=s)
    except (JournalRefused, SQLAlchemyError, OSError):
        return  # asked again next run; the page itself says the journal is out of reach
    saved = stored.language if stored is not None else None
    st.session_state[LANGUAGE_READ] = (account, saved)
    if saved in language.languages():
        st.session_state[LANGUAGE] = saved
    elif before is not None and before[1] and st.session_state.get(LANGUAGE) == before[1]:
        st.session_state.pop(LANGUAGE)  # the last person's saved choice is not the next one's
    use_language()


def _running_language() -> str | None:
    """The session's language in a run that has not set it yet (a widget's callback runs
    before the page); None outside any session (a build in the background)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return session_language() if get_script_run_ctx(suppress_warning=True) else None


language.follow_session(_running_language)


@contextmanager
def routed() -> Iterator[None]:
    """Mark this script run as started by streamlit_app.py's navigation (the router)."""
    _run.routed = True
    try:
        yield
    finally:
        _run.routed = False


def _main_script() -> str:
    """The file name of the script this server runs (the router, or a page run on its own)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return Path(getattr(ctx, "main_script_path", "") or "").name


def ensure_router() -> None:
    """Make sure the page runs inside streamlit_app.py's navigation; call first on every page.

    On a fresh server, a page opened by its address (say /trends) is run by Streamlit's old
    multipage mode, straight from pages/ without the router: no top navigation, and it stays so
    until someone opens "/". Calling st.navigation is the documented way to leave that mode
    (pages/ is then ignored); switching to the page it resolved lets the router take over, on
    the same page. Only a session's first run can be such an address (later runs come from the
    app's own links), and a page run on its own (a test of one page) has no router to hand to.
    """
    use_language()
    first_run = not st.session_state.get("_router_checked")  # only it can be a typed address
    st.session_state["_router_checked"] = True
    if first_run and not getattr(_run, "routed", False) and _main_script() == ROUTER:
        from tracker.app.navigation import navigation

        st.switch_page(navigation())  # the router's pages; the page this address asked for
    require_passphrase()  # the gate again, whichever way this page was reached
    for gate in _gates:  # and a practice's sign-in (tracker.app.signin adds it)
        gate()
    saved_language()  # once per session: the language she chose in Settings


def _throttle():  # noqa: ANN202
    """The server's one throttle: a module global, so no Streamlit cache (or clear_cache) has it."""
    from tracker.app.passphrase import THROTTLE

    return THROTTLE


def _client() -> tuple[str, str]:
    """(client address, session id) of this browser session, for the throttle."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    address, session_id = st.context.ip_address, getattr(ctx, "session_id", None)
    return (
        address if isinstance(address, str) else "loopback",  # Streamlit: None on loopback
        session_id if isinstance(session_id, str) else "unknown",
    )


def require_passphrase() -> None:
    """With `serve --lan`, ask for the passphrase once per browser session before any page.

    A locked session's run ends here (st.stop), whatever widget ids its message names, so no
    page, callback or download of the journal runs for it.
    """
    import os

    from tracker.app.passphrase import LAN_ENV

    if os.environ.get(LAN_ENV) != "1" or st.session_state.get("_unlocked") is True:
        return
    st.title(APP_NAME)
    st.write(_("This journal is shared on your home network. Enter its passphrase to open it."))
    with st.form("unlock"):
        guess = st.text_input(_("Passphrase"), type="password")
        if st.form_submit_button(_("Open"), type="primary"):
            address, session_id = _client()
            try:
                ok = _throttle().attempt(guess, address=address, session=session_id)
            except OSError as exc:  # the wrong-try counts could not be saved: stay locked
                log.error("the passphrase throttle could not be saved: %s", type(exc).__name__)
                st.error(
                    _(
                        "The passphrase could not be checked just now: the data folder cannot "
                        "be written (is the disk full?). Try again in a moment."
                    )
                )
                st.stop()
            if ok:
                st.session_state["_unlocked"] = True
                st.rerun()
            if ok is None:
                st.error(
                    _(
                        "Too many tries just now. Wait a minute and try again; if this keeps "
                        "happening, try from a device that has opened the journal before."
                    )
                )
            else:
                st.error(
                    _(
                        "That passphrase is not right. Each wrong try makes the next one wait "
                        "longer."
                    )
                )
    st.stop()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    from tracker.journal.schema import ensure_schema

    engine = make_engine(url)
    if not hosted():  # a practice's tables are its owner's to upgrade (`hosting`)
        ensure_schema(engine)
    return engine


def engine(url: str | None = None) -> Engine:
    """The journal's engine (migrated on first use); stops the page with a message if it can't.
    url: this journal's (default: DATABASE_URL, as it is now)."""
    from tracker.journal.schema import JournalRefused

    try:
        return _engine_for(url or database_url())
    except JournalRefused as exc:
        st.error(str(exc), icon=":material/error:")
    except (SQLAlchemyError, OSError) as exc:
        log.error("opening the journal failed: %s", type(exc).__name__)
        st.error(_(UNAVAILABLE), icon=":material/error:")
    st.stop()


@contextmanager
def session(*, writing: bool = False, url: str | None = None) -> Iterator[Session]:
    """A session on the journal (at url, default DATABASE_URL), closed afterwards.

    A failed read stops the page with a plain message; with writing=True the error goes to
    the page, which explains the failed save and keeps what she typed, and after a write
    that went through, the next Trends visit is built in the background (tracker.app.ahead).
    """
    with Session(engine(url), expire_on_commit=False) as s:
        try:
            yield s
        except SQLAlchemyError as exc:
            if writing:
                raise
            log.error("reading the journal failed: %s", type(exc).__name__)
            st.error(_(UNAVAILABLE), icon=":material/error:")
            st.stop()
        saved = s.info.get(SAVED_NIGHT)
    if writing:  # the journal may have changed: build the next Trends visit ahead
        if saved is not None:
            # its frames need only this night again
            _changes[(url or database_url(), whose())] = saved
        build_trends_ahead()


# What the whole-journal frames (_journal) last read of each journal, and the one-night saves
# since: the next version's frames are then that version's with the night read again, not a
# new read of every night (at 36,500 nights about half a second, on every save).
# Keyed by (url, whose()): on a practice's server each person's journal is its own, and what a
# clinician reads of a shared journal is hers alone (never served to anyone else).
_last_read: dict[tuple, tuple[tuple, object]] = {}  # (url, whose): (stamp, Journal)
_changes: dict[tuple, object] = {}  # (url, whose): store.SavedNight


def whose() -> int | None | tuple[int | None, int | None]:
    """Who reads whose journal: the key of every cached copy of a journal. Her own account when
    she reads her own (the personal journal: PERSONAL, as the server's first Trends build says
    it); (clinician, patient) when a clinician reads a journal shared with her."""
    actor, journal = current_account(), current_journal()
    return actor if actor == journal else (actor, journal)


@contextmanager
def as_reader(account) -> Iterator[None]:  # noqa: ANN001
    """Work as `whose()` said (or, given one account, as that account on its own journal), in
    this thread: a build ahead or a download runs outside the page's run."""
    actor, journal = account if isinstance(account, tuple) else (account, account)
    with acting_as(actor), reading(journal):
        yield


@st.cache_resource(show_spinner=False, max_entries=2)
def _journal(url: str, stamp: tuple, account: int | None = PERSONAL):  # noqa: ANN202
    """The whole journal as frames, once per journal version, shared by every view of it.

    A resource, not a copy per use: the views only read it (pandas operations make new frames).
    """
    from tracker.insights.frames import load_journal, with_night_read_again
    from tracker.journal.store import journal_stamp

    key = (url, account)
    change, (read_at, read) = _changes.pop(key, None), _last_read.get(key, ((), None))
    # this journal's and this account's, even from a build ahead in its own thread
    with as_reader(account), session(url=url) as s:
        conn = s.connection()
        now = journal_stamp(conn)
        if change is not None and (change.before, change.after) == (read_at, now):
            journal = with_night_read_again(read, conn, change.night)
        else:
            journal = load_journal(conn)
        if journal_stamp(conn) == now:  # nothing committed while it read (PostgreSQL can)
            _last_read[key] = (now, journal)
    return journal


@st.cache_data(show_spinner=False, max_entries=16)
def _overall(url: str, stamp: tuple, account: int | None = PERSONAL):  # noqa: ANN202
    from tracker.insights.trends import overall_of

    return overall_of(_journal(url, stamp, account))


def build_trends(  # noqa: PLR0913
    url: str,
    choice: str,
    by: str,
    custom: tuple | None,
    *,
    account: int | None = PERSONAL,
    speaks: str = language.SOURCE,
) -> tuple:
    """Fill the Trends caches for these controls (Period, Show by, the first chart tab) now,
    the charts in the language `speaks`: returns the journal version built."""
    import datetime as dt

    from tracker.insights.trends import CHART_GROUPS, period_of
    from tracker.journal.store import journal_stamp

    with as_reader(account), Session(_engine_for(url)) as s:
        stamp = journal_stamp(s)
    overall = _overall(url, stamp, account)
    if overall.nights_logged:
        last_night = dt.date.today() - dt.timedelta(days=1)
        saved = _journal(url, stamp, account).profile  # read with the frames, at this version
        shown = period_of(choice, by, custom, saved, overall.first_night, last_night)
        _view(url, stamp, shown.start, shown.end, shown.compare_before, account)
        _charts(url, stamp, shown.start, shown.end, shown.axis, CHART_GROUPS[0], account, speaks)
    return stamp


def build_trends_ahead():  # noqa: ANN201
    """Build the next Trends visit in the background (tracker.app.ahead), for the period and
    axis she last chose there and in her language (the thread has none of its own); returns
    the thread, or None if a build is already running."""
    from functools import partial

    from tracker.insights.trends import DEFAULT_PERIOD, SHOW_BY

    ss = st.session_state
    choice = ss.get("tr_period", DEFAULT_PERIOD)
    custom = ss.get("tr_custom") if choice == "Custom" else None
    by = ss.get("tr_by", SHOW_BY[0])
    speaks = language.current()  # this session's, even from a Save's callback
    work = partial(build_trends, database_url(), choice, by, custom, account=whose(), speaks=speaks)
    return ahead.start(work)


def forget_journal() -> None:
    """Drop every cached copy of the journal (frames, numbers, charts): after an erase, none of
    it stays in the server's memory. A build ahead still running is let finish first."""
    ahead.wait()
    _last_read.clear()
    _changes.clear()
    _journal.clear()
    st.cache_data.clear()


def ready_to_send(spec: dict) -> dict:
    """The spec with its datasets already as the Arrow bytes Streamlit sends to the browser.

    Streamlit converts a spec's datasets (lists of rows) to Arrow on every st.vega_lite_chart
    call, and passes bytes through as they are; converting once, in the cached view, saves
    that on every rerun (and a cached copy of bytes is quick to make).
    """
    try:
        from streamlit.dataframe_util import convert_anything_to_arrow_bytes
    except ImportError:  # another Streamlit: it converts them itself, as before
        return spec
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict):
        return spec
    ready = {
        k: v if isinstance(v, bytes) else convert_anything_to_arrow_bytes(v)
        for k, v in datasets.items()
    }
    return {**spec, "datasets": ready}


@st.cache_data(show_spinner=False, max_entries=32)
def _view(url: str, stamp: tuple, start, end, compare_before: bool, account=PERSONAL):  # noqa: ANN001, ANN202
    from tracker.insights.trends import view_of

    return view_of(_journal(url, stamp, account), start, end, compare_before)


# The numbers above (_journal, _overall, _view) hold no words: one copy serves every language.
# The charts hold words (titles, axes, text alternatives): the language is part of their key,
# and they are built in it whoever calls (a build ahead runs in a thread of its own).
@st.cache_data(show_spinner=False, max_entries=64)
def _charts(  # noqa: PLR0913
    url: str,
    stamp: tuple,
    start,  # noqa: ANN001
    end,  # noqa: ANN001
    axis: str,
    group: str,
    account=PERSONAL,  # noqa: ANN001
    speaks: str = language.SOURCE,
) -> tuple:
    from tracker.insights.trends import charts_of

    with language.speaking(speaks):
        specs = charts_of(_journal(url, stamp, account), start, end, axis, group)
    return tuple(ready_to_send(spec) for spec in specs)


def journal_overall():  # noqa: ANN201
    """(journal version, whole-journal summary): recomputed only when the journal changes."""
    from tracker.journal.store import journal_stamp

    with session() as s:
        stamp = journal_stamp(s)
    return stamp, _overall(database_url(), stamp, whose())


def trends_view(stamp: tuple, start, end, compare_before: bool):  # noqa: ANN001, ANN201
    """The Trends numbers of a period, from the cache while the journal is unchanged."""
    return _view(database_url(), stamp, start, end, compare_before, whose())


def trends_charts(stamp: tuple, start, end, axis: str, group: str):  # noqa: ANN001, ANN201
    """The specs of one Trends chart group, in her language, from the cache while the journal
    is unchanged."""
    return _charts(database_url(), stamp, start, end, axis, group, whose(), language.current())


def profile() -> Profile:
    """The saved profile (blank defaults when she has not set one)."""
    from tracker.journal.store import get_profile

    with session() as s:
        return get_profile(session=s)


def emergency_number(saved: Profile) -> str:
    """The emergency number she set in Settings, else the one for her browser's locale."""
    from tracker.care.phones import default_emergency_number

    return saved.emergency_number or default_emergency_number(st.context.locale)


SETTINGS = "pages/settings.py"


def call_buttons(level: str, saved: Profile) -> None:
    """Under a warning card: a tap-to-call link (the emergency number, or her care provider's),
    and where to add a number the card could call (Settings) when she has not set it."""
    from tracker.care.phones import shown, tel_url

    if level == EMERGENCY:
        number = emergency_number(saved)
        st.link_button(
            _("Call {number} now").format(number=shown(number)),
            tel_url(number),
            type="primary",
            icon=":material/call:",
            width="stretch",
        )
        if not saved.emergency_number:
            st.caption(
                _(
                    "{number} is the emergency number for the region your browser is set "
                    "to. If yours is different, add it in Settings."
                ).format(number=shown(number))
            )
    elif saved.care_phone:
        st.link_button(
            _("Call my doctor or maternity unit: {number}").format(number=shown(saved.care_phone)),
            tel_url(saved.care_phone),
            icon=":material/call:",
            width="stretch",
        )
    else:
        st.page_link(
            SETTINGS,
            label=_("Add their phone number in Settings"),  # to call them from the card
            icon=":material/add_call:",
        )


def show_advice(advice: list[Advice], saved: Profile | None = None) -> None:
    """Prominent cards for warning signs, most urgent first, each with its call button.

    Our own text only: the reasons are our labels and checked numbers.
    """
    saved = saved or profile()
    for card in advice:
        show = st.error if card.level == EMERGENCY else st.warning
        reasons = "\n".join(f"- {reason}" for reason in card.reasons)
        icon = ":material/emergency:" if card.level == EMERGENCY else ":material/warning:"
        noted = _("You noted:")
        show(f"**{card.title}**\n\n{card.action}\n\n{noted}\n{reasons}", icon=icon)
        call_buttons(card.level, saved)


# The app's own constant CSS (never anything she typed): touch targets of at least 44x44 px
# with 8 px between them, and less empty space above the title on a phone.
TOUCH_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 9rem; }
@media (max-width: 640px) { [data-testid="stMain"] h1 { font-size: 2rem; padding-top: 0; } }
[data-testid="stMain"] h2 { font-size: 1.5rem; padding-top: 0.75rem; }
[data-testid="stMain"] button, [data-testid="stMain"] a[data-testid^="stBaseLinkButton"],
[data-testid="stSidebar"] button { min-height: 44px; min-width: 44px; }
[data-testid="stMain"] input, [data-testid="stMain"] textarea { min-height: 44px; }
[data-testid="stMain"] [data-baseweb="select"] > div { min-height: 44px; }
[data-testid="stDateInput"] [role="group"] { min-height: 44px; align-items: center; }
[data-testid="stDateInput"] button, [data-testid="stSelectbox"] button { margin-left: 8px; }
[data-testid="stCheckbox"] label { min-height: 44px; align-items: center; width: 100%; }
[data-testid="stExpander"] summary { min-height: 44px; }
[data-testid="stHeader"] button { min-width: 44px; min-height: 44px; }
[data-testid="stExpandSidebarButton"]::after { content: "Menu"; margin-left: 4px;
  font-size: 1rem; font-weight: 600; color: #31333f; }
[data-testid="stMain"] [data-testid="stPageLink"] a { min-height: 44px; align-items: center; }
[data-testid="stMain"] [data-testid="stPageLink"] a * { white-space: normal; }
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-script_"]) { display: none; }
[data-testid="stSidebarNavLink"] { min-height: 44px; align-items: center; }
[data-testid="stSidebarNav"] ul { display: flex; flex-direction: column; gap: 8px; }
[data-testid="stTopNavLink"] { min-height: 44px; align-items: center; }
[data-testid="stTopNavLinkContainer"] { margin: 0 4px; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p { color: #4a4c57 !important; }
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stMetricDelta"] p { white-space: normal !important; }
[data-testid="stMetricDelta"] div { overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMain"] button[aria-checked="true"] { background: #0072b2 !important;
  border-color: #0072b2 !important; }
[data-testid="stMain"] button[aria-checked="true"] p { color: #ffffff; font-weight: 600; }
[data-testid="stButtonGroup"] [role="radiogroup"], [data-testid="stButtonGroup"] [role="group"] {
  row-gap: 8px !important; column-gap: 8px !important; }
.st-key-ln_savebar { position: fixed; bottom: 0; left: 50%; transform: translateX(-50%);
  width: min(100%, 46rem); padding: 8px 1rem; z-index: 99; background: #ffffff;
  box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.12); }
.st-key-hi_list { gap: 8px; }
.st-key-hi_list button, .st-key-hi_list button > div { justify-content: flex-start;
  text-align: left; }
[class*="st-key-hi_flag_"] button { border: 2px solid #b3261e; background: #fdeceb; }
.st-key-ln_habits [data-testid="stHorizontalBlock"] { flex-wrap: nowrap; gap: 8px; }
.st-key-ln_habits [data-testid="stColumn"] { min-width: 0; flex: 1 1 0; width: auto; }
</style>
"""


_SCROLL_JS = """<script>
for (const wait of [60, 400, 1000]) setTimeout(() => {{  /* again if the page moved it */
  const card = document.querySelector(".st-key-{key}");
  if (!card) return;
  const r = card.getBoundingClientRect();
  if (r.top < 60 || r.bottom > innerHeight - 80)
    card.scrollIntoView({{block: "center", behavior: "instant"}});
}}, wait); /* {nonce} */
</script>"""
_nonce = itertools.count()


def scroll_to(key: str) -> None:
    """Bring the container with this key (one of the app's own constant keys) into view."""
    if not key.replace("_", "").isalnum():
        raise ValueError("scroll_to takes the app's own container keys only")
    st.html(_SCROLL_JS.format(key=key, nonce=next(_nonce)), unsafe_allow_javascript=True)


def touch_style() -> None:
    """Apply TOUCH_CSS to the page and name the phone's menu button (called by the router,
    so every page has them), in her language."""
    import json

    said = json.dumps(_("Menu"), ensure_ascii=False)  # a quoted CSS string ("Menú")
    st.html(TOUCH_CSS.replace('content: "Menu"', f"content: {said}"))
    script = _MENU_JS
    for english in (N_("Menu"), N_("Close menu")):  # as JavaScript strings: 'Menú'
        words = _(english).replace("\\", "\\\\").replace("'", "\\'")
        script = script.replace(f"'{english}'", f"'{words}'")
    _run_script(script, "menu")


# The app's own script, in the page itself (no request, nothing sent): Streamlit draws the
# collapsed page menu on a phone as a bare "»" named "Expand sidebar"; it is called "Menu",
# in words (TOUCH_CSS) and for a screen reader, and "Close menu" once open. A toast is an
# alertdialog labelled by an element that is not there: it is named by its own words (our
# messages). Set again whenever Streamlit draws them anew.
_MENU_JS = """<script>
(() => {
  if (window.crampJournalMenu) return;
  const names = {'[data-testid=stExpandSidebarButton]': 'Menu',
                 '[data-testid=stSidebarCollapseButton] button': 'Close menu'};
  const name = () => {
    for (const [sel, label] of Object.entries(names))
      for (const el of document.querySelectorAll(sel))
        if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    for (const toast of document.querySelectorAll('[data-testid=stToast]')) {
      const by = toast.getAttribute('aria-labelledby');
      const words = (toast.querySelector('[data-testid=stToastText]') || {}).innerText;
      if (words && !(by && document.getElementById(by))
          && toast.getAttribute('aria-label') !== words.trim())
        toast.setAttribute('aria-label', words.trim());
    }
  };
  window.crampJournalMenu = new MutationObserver(name);
  window.crampJournalMenu.observe(document.body,
    {childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label']});
  name();
})();
</script>"""

# The keyboard a phone opens for text fields by their widget key ("*" for any characters):
# Streamlit's st.text_input has no inputmode, so the app's own script sets it on each input
# whose container (class st-key-<key>) matches, now and whenever one is drawn again.
_KEYBOARD_JS = """<script>
(() => {
  const modes = window.crampJournalKeyboards = window.crampJournalKeyboards || [];
  for (const [source, mode] of %s)
    if (!modes.some(m => m[0].source === source)) modes.push([new RegExp(source), mode]);
  const set = () => {
    for (const input of document.querySelectorAll('[data-testid=stMain] input')) {
      const box = input.closest('[class*="st-key-"]');
      const key = box && (box.className.match(/(?:^| )st-key-(\\S+)/) || [])[1];
      const found = key && modes.find(m => m[0].test(key));
      if (found && input.inputMode !== found[1]) input.inputMode = found[1];
    }
  };
  set();
  if (window.crampJournalTyping) return;
  let queued = false;
  window.crampJournalTyping = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; set(); }); }
  });
  window.crampJournalTyping.observe(document.body, {childList: true, subtree: true});
})();
</script>"""
KEYBOARDS = ("decimal", "numeric", "tel")


def keyboard(mode: str, *keys: str) -> None:
    """Make a phone open its `mode` keyboard ("decimal": digits with a comma or point, "tel")
    for the text fields with these keys (the app's own constant keys; "*" for any characters,
    as in "ln_c*_dur")."""
    import json

    own = all(key.replace("*", "").replace("_", "").isalnum() for key in keys)
    if mode not in KEYBOARDS or not own:
        raise ValueError("keyboard takes a known mode and the app's own widget keys")
    patterns = [["^" + re.escape(k).replace(r"\*", ".+") + "$", mode] for k in keys]
    _run_script(_KEYBOARD_JS % json.dumps(patterns), f"keyboard_{mode}")


def _run_script(script: str, name: str) -> None:
    """One of the app's own scripts, in a hidden container (it takes no space on the page)."""
    with st.container(key=f"script_{name}"):
        st.html(script, unsafe_allow_javascript=True)


def confirm(
    question: str,
    *,
    icon: str,
    yes: str,
    no: str,
    key: str,
    on_yes: Callable[..., None],
    args: tuple,
    asked: str,
) -> None:
    """A question (our own words) with its two answers side by side: `yes` runs on_yes(*args),
    `no` forgets that it was asked (session state `asked`). Buttons keyed key_yes, key_no.

    It is brought into view: asked from a button low on a phone, both answers would otherwise
    open below the screen, under the save bar (the page keeps its scroll position).
    """
    with st.container(key=f"{key}_ask"):
        st.warning(question, icon=icon)
        cols = st.columns(2)
        cols[0].button(
            yes, key=f"{key}_yes", type="primary", width="stretch", on_click=on_yes, args=args
        )
        cols[1].button(
            no, key=f"{key}_no", width="stretch", on_click=st.session_state.pop, args=(asked, None)
        )
    scroll_to(f"{key}_ask")


def as_label(text: str) -> str:
    """Text for a label Streamlit reads as Markdown (a button, an alert, a heading), every
    Markdown character escaped so it shows exactly as written (a name from a practice's list)."""
    escaped = re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$@/&=?%])", r"\\\1", text)
    # An email would still become a link (GitHub's autolinks): a word joiner, which neither
    # shows nor is read aloud, before each @ keeps it plain text.
    return escaped.replace("\\@", "\u2060\\@")


def literal(text: str | None) -> None:
    """Show text she typed exactly as written (never as Markdown or HTML)."""
    if text:
        st.text(text)


def hers(make: Callable[[], bytes], *, what: str) -> Callable[[], bytes]:
    """A download's maker bound to this session's journal: the file is made when the browser
    asks for it, outside the page's run, so it must not depend on who is asking then. On a
    practice's server each download is a line in her record of access."""
    from tracker.journal.accounts import record_access
    from tracker.journal.sharing import record_look

    account = whose()

    def made() -> bytes:
        actor, journal = account if isinstance(account, tuple) else (account, account)
        with as_reader(account):
            data = make()
            if hosted():
                with session(writing=True) as s:
                    if actor == journal:
                        record_access(session=s, what=what)
                        s.commit()
                    else:  # a clinician's download is a look, in the patient's record
                        record_look(session=s, patient_id=journal, what=what)
        return data

    return made
