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
import socket
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.protocol import OPEN
from websockets.sync.connection import Connection
from websockets.uri import parse_uri
from websockets.utils import accept_key, generate_key

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


class Opening:
    """The opening handshake's answer: its status and headers (Set-Cookie among them)."""

    def __init__(self, head: bytes) -> None:
        status, *lines = head.decode("latin-1").split("\r\n")
        self.status = status
        self.headers: list[tuple[str, str]] = []
        for line in lines:
            name, _, value = line.partition(":")
            if name:
                self.headers.append((name.strip().lower(), value.strip()))

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name.lower()]


def _connect(stack: Stack, token: str, cookie: str) -> tuple[Connection, Opening]:
    """Her tab's websocket through the proxy: TCP, TLS and the HTTP upgrade done here, in one
    thread, before websockets' reading thread starts on the open socket.

    websockets' own connect() starts its reading thread on the TLS socket before it writes the
    upgrade request, so one thread reads while another writes on the same TLS connection (TLS
    1.3 sends its session tickets just then). About one opening in 300 through Caddy under
    load then never saw its answer: websockets gave up after its open_timeout and then hung
    joining that reading thread, while at the same moment upgrades written and read in one
    thread, through Caddy or straight to the app, were all answered within 5 s (2,300 of
    them). Done in one thread, the race is gone."""
    deadline = time.monotonic() + OPEN_SECONDS
    raw = socket.create_connection(("localhost", stack.port), timeout=OPEN_SECONDS)
    try:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        sock = stack.tls.wrap_socket(raw, server_hostname="localhost")
        key = generate_key()
        request = (
            f"GET /_stcore/stream HTTP/1.1\r\nHost: localhost:{stack.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: streamlit, {token}\r\n"
            f"Origin: {stack.base}\r\nCookie: {cookie}\r\n\r\n"
        )
        sock.sendall(request.encode("latin-1"))
        head = b""
        while b"\r\n\r\n" not in head:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the proxy closed the opening without an answer")
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        opening = Opening(head)
        if " 101 " not in opening.status + " " or opening.get_all("sec-websocket-accept") != [
            accept_key(key)
        ]:
            raise InvalidHandshake(f"the upgrade was answered {opening.status!r}")
        if rest:  # the server never speaks first on Streamlit's stream
            raise InvalidHandshake("bytes after the upgrade's answer")
        sock.settimeout(None)
        protocol = ClientProtocol(
            parse_uri(f"wss://localhost:{stack.port}/_stcore/stream"), state=OPEN, max_size=None
        )
        # websockets' plain Connection: its client subclass expects to read the answer itself.
        return Connection(sock, protocol, ping_interval=None, ping_timeout=None), opening
    except BaseException:
        raw.close()
        raise


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
        self.ws, opening = _connect(stack, token, cookie)
        self.set_cookie = opening.get_all("Set-Cookie")
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
