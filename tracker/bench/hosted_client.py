"""A light client of the hosted bench: one person's browser as plain HTTP and Streamlit's own
websocket protocol, through the proxy, with no browser.

Signing in is the real thing: her tab's Sign in button gives the app's /auth/login address
(the auth_redirect message a browser follows), the provider's form takes her `sub`, and the
app's /oauth2callback sets the identity cookie; the proxy's sticky cookie comes on the first
answer. Then her tab speaks the protocol as the page's JavaScript does (BackMsg rerun_script
with the widget that was clicked and its fragment; ForwardMsgs until the run finishes).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import connect

from tracker.bench.hosted_stack import Person, Stack

SAVED = re.compile(r"Saved the night of [^:]+: (no cramps|1 cramp|\d+ cramps)")
# tracker.app.web.UNAVAILABLE's words (the bench does not import the app): a read or a save
# the database did not answer.
REFUSED = "could not be reached just now"
EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
RUN_SECONDS = 180.0
OPEN_SECONDS = 20.0
OPEN_TRIES = 4


class Gone(Exception):
    """Her tab's connection closed (its app process stopped)."""


def _connect(uri: str, **options: object):  # noqa: ANN202
    """websockets' connect, given up after OPEN_SECONDS + 5 s even if it hangs: an opening
    whose upgrade never got an answer (seen about once in a few hundred through the proxy
    under load) can leave websockets waiting on its reading thread after its own timeout;
    that attempt is left behind in a daemon thread and her tab tries again, as a browser's
    does."""
    box: dict = {}

    def attempt() -> None:
        try:
            box["ws"] = connect(uri, **options)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(OPEN_SECONDS + 5)
    if "ws" in box:
        return box["ws"]
    raise box.get("error") or TimeoutError("the websocket's opening got no answer")


def _count(words: str) -> int:
    return 0 if words == "no cramps" else int(words.split()[0])


@dataclass
class Run:
    """What one click brought: the text shown, whether it crashed, how long it took."""

    text: str
    ms: float
    crashed: bool

    def saved(self) -> int | None:
        """The cramps the page says it saved (None: it did not say "Saved")."""
        found = SAVED.search(self.text)
        return _count(found[1]) if found else None


class Tab:
    """One websocket session through the proxy: a browser tab, with her cookies."""

    def __init__(self, stack: Stack, cookies: str) -> None:
        token = generate_xsrf_token_string()  # the XSRF pair: its cookie and its subprotocol
        cookie = f"_streamlit_xsrf={token}; {cookies}"
        self.ws = _connect(
            f"wss://localhost:{stack.port}/_stcore/stream",
            ssl=stack.tls,
            subprotocols=["streamlit", token],
            additional_headers={"Origin": stack.base, "Cookie": cookie},
            open_timeout=OPEN_SECONDS,
            ping_interval=None,
            max_size=None,
            proxy=None,
            legacy=True,  # a plain connection object, closed by close()
        )
        self.set_cookie = self.ws.response.headers.get_all("Set-Cookie")
        self.page = ""  # the page's script hash, as the browser sends it back
        self.widgets: dict[str, tuple[str, str]] = {}  # key -> (widget id, fragment id)
        self.drawn: set[str] = set()  # the keys the last run that drew the save bar drew
        self.pages: dict[str, str] = {}
        self.auth_redirect = ""

    def run(self, key: str = "", page: str | None = None, until=None) -> Run:  # noqa: ANN001
        """Click the widget with this key (none: a plain rerun) and read until the run ends."""
        widget, fragment = self.widgets.get(key, ("", "")) if key else ("", "")
        states = [{"id": widget, "trigger_value": True}] if widget else []
        msg = BackMsg(
            rerun_script={
                "widget_states": {"widgets": states},
                "page_script_hash": self.page if page is None else page,
                "fragment_id": fragment,
            }
        )
        start = time.perf_counter()
        try:
            self.ws.send(msg.SerializeToString())
        except ConnectionClosed as exc:
            raise Gone from exc
        return self._read(start, until)

    def _read(self, start: float, until) -> Run:  # noqa: ANN001
        seen, keys, crashed = [], set(), False
        deadline = time.monotonic() + RUN_SECONDS
        while True:
            try:
                raw = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            except ConnectionClosed as exc:
                raise Gone from exc
            except TimeoutError:
                raise RuntimeError("a script run did not finish in time") from None
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.page = msg.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
                self.page = msg.navigation.page_script_hash or self.page
            elif kind == "auth_redirect":
                self.auth_redirect = msg.auth_redirect.url
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                what = element.WhichOneof("type")
                crashed |= what == "exception"
                widget_id = getattr(getattr(element, what), "id", "") if what else ""
                if isinstance(widget_id, str) and "-" in widget_id:
                    key = widget_id.rsplit("-", 1)[1]
                    self.widgets[key] = (widget_id, msg.delta.fragment_id)
                    keys.add(key)
            seen.append(str(msg))
            done = kind == "script_finished" and msg.script_finished != EARLY
            if done or (until is not None and until(msg)):
                if "ln_save" in keys:
                    self.drawn = keys
                text = "\n".join(seen)
                return Run(text, (time.perf_counter() - start) * 1000, crashed)

    def close(self) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            self.ws.close()


@dataclass
class Light:
    """One simulated person: her cookies, her open tab and what each click brought."""

    person: Person
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    tab: Tab | None = None
    confirmed: list[int] = field(default_factory=list)  # cramps each "Saved" said
    refused: int = 0
    crashed: int = 0
    opened: int = 0  # tabs opened after signing in (a reconnect is one more)
    retried: int = 0  # tabs whose opening timed out or was refused, and tried again

    def _opener(self, stack: Stack) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=stack.tls),
            urllib.request.HTTPCookieProcessor(self.jar),
        )

    def cookies(self, stack: Stack) -> str:
        request = urllib.request.Request(stack.base + "/")
        self.jar.add_cookie_header(request)
        return request.get_header("Cookie") or ""

    def sign_in(self, stack: Stack) -> None:
        """Open the app, press Sign in, give the provider her sub, come back signed in."""
        web = self._opener(stack)
        web.open(stack.base + "/", timeout=60).read()  # the page, and the sticky cookie
        for attempt in range(OPEN_TRIES):
            tab = self._tab(stack)
            try:
                tab.run()
                if "signin_in" not in tab.widgets:
                    raise RuntimeError("no Sign in button on the first page")
                tab.run("signin_in", until=lambda m: m.WhichOneof("type") == "auth_redirect")
                break
            except Gone:  # closed under her: she taps Sign in again
                if attempt == OPEN_TRIES - 1:
                    raise
                self.retried += 1
            finally:
                tab.close()
        login = urllib.parse.urljoin(stack.base + "/", tab.auth_redirect)
        form = web.open(login, timeout=60)  # /auth/login -> the provider's authorize form
        form.read()
        back = web.open(form.geturl(), data=urllib.parse.urlencode({"sub": self.person.sub})
                        .encode(), timeout=60)  # fmt: skip
        back.read()  # -> /oauth2callback -> the app, signed in
        if not any(c.name.startswith("_streamlit_user") for c in self.jar):
            raise RuntimeError(f"{self.person.sub}: no identity cookie after signing in")

    def _tab(self, stack: Stack) -> Tab:
        """A websocket with her cookies, tried again when its opening gets no answer."""
        for attempt in range(OPEN_TRIES):  # as her browser tries again
            try:
                return Tab(stack, self.cookies(stack))
            except (TimeoutError, OSError, InvalidHandshake, ConnectionClosed):
                if attempt == OPEN_TRIES - 1:
                    raise
                self.retried += 1
        raise AssertionError("unreachable")

    def open(self, stack: Stack) -> Run:
        """Her tab (again): the page she lands on, signed in by her cookie alone."""
        if self.tab is not None:
            self.tab.close()
        self.tab = self._tab(stack)
        for header in self.tab.set_cookie:  # the proxy moved her to another process
            name, _, rest = header.partition("=")
            for cookie in self.jar:
                if cookie.name == name.strip():
                    cookie.value = rest.split(";", 1)[0]
        self.opened += 1
        first = self.tab.run()
        self.crashed += first.crashed
        return first

    def prepare(self) -> None:
        """Her night's cramps in the form, when it is not logged yet (untimed)."""
        if "ln_zero" in self.tab.drawn and self.person.cramps:
            for _ in range(self.person.cramps):
                self.crashed += self.tab.run("ln_add").crashed

    def log(self) -> Run:
        """The timed click: "No cramps last night" or Save, until the run ends."""
        key = "ln_zero" if "ln_zero" in self.tab.drawn else "ln_save"
        run = self.tab.run(key)
        self.crashed += run.crashed
        if (said := run.saved()) is not None:
            self.confirmed.append(said)
        elif REFUSED in run.text:
            self.refused += 1
        return run
