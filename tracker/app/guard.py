"""The server's front door: an ASGI middleware in front of Streamlit (see server_app.py).

It refuses, before Streamlit sees anything: without --lan, any client not on this computer;
a Host or Origin that is not one of this machine's own names (DNS rebinding); Streamlit's
/_stcore/metrics and /_stcore/upload_file (the app has no file uploader). Streamlit's own
`server.allowedHosts` only checks the websocket, so this checks every request.

Every response says no other site may show the app in a frame (clickjacking).

On the websocket it lets through only the messages the app's page sends. Nobody may ask
for git information (Streamlit runs git on the server's one event loop for each ask), clear
every cache, reach the debug switches (each refused one is a log line), ask for upload
addresses, or fetch a download another session's page registered. A session that has not
passed the gate (`serve --lan`'s passphrase; a sign-in, were the app ever hosted) may only
run the gate: ask for a run with the gate's own widgets, stop it, and say it is alive. No
client is told the script's path, the Python version or this installation's ids.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

HOSTS_ENV = "CRAMP_JOURNAL_ALLOWED_HOSTS"
LAN_ENV = "CRAMP_JOURNAL_LAN"  # as tracker.app.passphrase.LAN_ENV (this module imports no app code)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
REFUSED_CORE_ROUTES = ("metrics", "upload_file")  # /_stcore/<route>, under any base path
FRAMING_HEADERS = (
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
)
# What a client may send on the websocket: all the app's pages need ...
OPEN_MESSAGES = frozenset(
    {"rerun_script", "stop_script", "app_heartbeat", "backend_operation_request"}
)
# ... and all the gate needs, before the session has passed it.
GATE_MESSAGES = frozenset({"rerun_script", "stop_script", "app_heartbeat"})
BACKEND_OPERATIONS = frozenset({"deferred_file", "dataframe_chunk"})  # not Streamlit's skills

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class OpenSessions:
    """The sessions that have passed the gate (by id), newest last, at most LIMIT of them."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, session_id: str) -> None:
        with self._lock:
            self._ids[session_id] = None
            self._ids.move_to_end(session_id)
            while len(self._ids) > self.LIMIT:
                self._ids.popitem(last=False)

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            return session_id in self._ids


OPEN_SESSIONS = OpenSessions()  # one per server process; tracker.app.passphrase opens them


ACCOUNTS_ENV = "CRAMP_JOURNAL_ACCOUNTS"  # as tracker.app.web.ACCOUNTS_ENV


def gate_is_on() -> bool:
    """True when every session must pass the gate first: `serve --lan`'s passphrase, or the
    sign-in of a practice's server (`serve --accounts`)."""
    return os.environ.get(LAN_ENV) == "1" or os.environ.get(ACCOUNTS_ENV) == "1"


def is_open(session_id: str | None) -> bool:
    """True when this session may use the whole app (always, without a gate)."""
    return not gate_is_on() or (session_id is not None and session_id in OPEN_SESSIONS)


def allowed_hosts() -> set[str]:
    """The host names this server answers to (set by `serve`; loopback names otherwise)."""
    names = os.environ.get(HOSTS_ENV, "")
    chosen = {n.strip().lower().rstrip(".") for n in names.split(",") if n.strip()}
    return chosen or set(LOOPBACK_HOSTS)


def _is_loopback(client: tuple[str, int] | None) -> bool:
    """True when the connection comes from this computer (a Host header can say anything)."""
    try:
        return client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def host_name(value: str | None) -> str | None:
    """The host name in a Host header or Origin ("http://x:8501" or "x:8501"), lowercased."""
    if not value:
        return None
    try:
        parts = urlsplit(value if "//" in value else f"//{value}")
        _ = parts.port  # a port that is not a number is refused
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return None
    return parts.hostname.lower().rstrip(".")


def is_refused_path(path: str) -> bool:
    """True for Streamlit's metrics and upload routes, under any base path."""
    parts = [part for part in path.split("/") if part]
    return any(
        part == "_stcore" and parts[i + 1 : i + 2] and parts[i + 1] in REFUSED_CORE_ROUTES
        for i, part in enumerate(parts)
    )


def with_framing_headers(headers: list) -> list:
    """A response's headers with ours: no page of another site may frame the app."""
    ours = {name for name, _ in FRAMING_HEADERS}
    return [(k, v) for k, v in headers if bytes(k).lower() not in ours] + list(FRAMING_HEADERS)


def _back_msg(data: bytes):  # noqa: ANN202
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except Exception:  # noqa: BLE001 - not a BackMsg: Streamlit refuses it itself
        return None
    return msg


def deferred_file_owner(file_id: str) -> str | None:
    """The session whose download button registered this deferred file (None: unknown id)."""
    from streamlit.runtime import Runtime

    try:
        manager = Runtime.instance().media_file_mgr
        with manager._lock:  # Streamlit checks no owner itself (1.67): any session may ask
            entry = manager._deferred_callables.get(file_id)
    except (RuntimeError, AttributeError):  # no runtime yet, or its insides have changed
        return None  # (tests/test_security_protocol.py notices the latter)
    return entry["session_id"] if entry else None


def is_foreign_download(request, session_id: str | None) -> bool:  # noqa: ANN001
    """True when a client asks for a download that another session's page registered."""
    if request.WhichOneof("payload") != "deferred_file":
        return False
    owner = deferred_file_owner(request.deferred_file.file_id)
    return owner is not None and owner != session_id


def claimed_session(scope: Scope) -> str | None:
    """The session a reconnecting browser names (the third entry of its subprotocols)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"sec-websocket-protocol":
            entries = [entry.strip() for entry in value.decode("latin-1").split(",")]
            return entries[2] if len(entries) >= 3 and entries[2] else None
    return None


class Stream:
    """One websocket connection: what its client may send, and what it is told."""

    def __init__(self, session_id: str | None = None) -> None:
        self.session_id = session_id  # as the client claims it, until the server says
        self.gate_widgets: set[str] = set()  # widget ids the server showed this client

    def incoming(self, data: bytes) -> bytes | None:
        """The BackMsg to pass to Streamlit, or None to drop it."""
        msg = _back_msg(data)
        if msg is None:
            return data  # not a BackMsg: Streamlit closes the connection itself
        kind = msg.WhichOneof("type")
        if not is_open(self.session_id):
            if kind not in GATE_MESSAGES:
                return None
            if kind == "rerun_script":
                return self._gate_run(msg)
            return data
        if kind not in OPEN_MESSAGES:
            return None
        if kind == "backend_operation_request":
            request = msg.backend_operation_request
            if request.WhichOneof("payload") not in BACKEND_OPERATIONS:
                return None
            if is_foreign_download(request, self.session_id):
                return None
        return data

    def _gate_run(self, msg) -> bytes:  # noqa: ANN001
        """A run of the gate: only its own widgets' states, and no fragment of a page."""
        state = msg.rerun_script
        kept = [w for w in state.widget_states.widgets if w.id in self.gate_widgets]
        del state.widget_states.widgets[:]
        state.widget_states.widgets.extend(kept)
        state.fragment_id = ""
        return msg.SerializeToString()

    def outgoing(self, data: bytes) -> bytes | None:
        """The ForwardMsg to send to the client (without the machine's details), or None."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        try:
            msg.ParseFromString(data)
        except Exception:  # noqa: BLE001 - Streamlit's own bytes; pass them on as they are
            return data
        kind = msg.WhichOneof("type")
        if kind == "git_info_changed":
            return None
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            return _without_machine_details(msg)
        if kind == "delta" and not is_open(self.session_id):
            self._note_widget(msg)
        return data

    def _note_widget(self, msg) -> None:  # noqa: ANN001
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        kind = delta.new_element.WhichOneof("type")
        element = getattr(delta.new_element, kind) if kind else None
        if element is not None and "id" in element.DESCRIPTOR.fields_by_name and element.id:
            self.gate_widgets.add(element.id)


def _without_machine_details(msg) -> bytes:  # noqa: ANN001
    """A new_session message without the script's path, Python version or installation ids."""
    session = msg.new_session
    session.main_script_path = ""
    session.initialize.user_info.Clear()
    info = session.initialize.environment_info
    info.python_version, info.server_os, info.has_display = "", "", False
    return msg.SerializeToString()


class Guard:
    """Refuse foreign Host/Origin headers, unused Streamlit routes, and messages (see above)."""

    def __init__(self, app: App) -> None:
        self.app = app

    def refusal(self, scope: Scope) -> str | None:
        if not gate_is_on() and not _is_loopback(scope.get("client")):
            return "this journal is open to this computer only (start it with --lan)"
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        hosts = allowed_hosts()
        if host_name(headers.get("host")) not in hosts:
            return "this address is not the journal's"
        origin = headers.get("origin")
        if origin is not None and host_name(origin) not in hosts:
            return "requests from other sites are refused"
        if is_refused_path(scope["path"]):
            return "not available"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if (why := self.refusal(scope)) is not None:
            return await self._refuse(scope, receive, send, why)
        if scope["type"] == "websocket":
            return await self._websocket(scope, receive, send)

        async def framed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": with_framing_headers(message.get("headers", []))}
            await send(message)

        return await self.app(scope, receive, framed_send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass on only the messages this session may send, and tell it nothing of the machine."""
        stream = Stream(claimed_session(scope))
        accepted: list[bool] = []

        async def watched_send(message: Message) -> None:
            if message["type"] == "websocket.send" and message.get("bytes"):
                data = stream.outgoing(message["bytes"])
                if data is None:
                    return
                message = {**message, "bytes": data}
            elif message["type"] == "websocket.accept":
                accepted.append(True)
                message = {**message, "headers": with_framing_headers(message.get("headers") or [])}
            elif message["type"] == "websocket.close" and not accepted:
                return await _deny_websocket(scope, send, "refused")  # Streamlit's refusal
            await send(message)

        async def filtered_receive() -> Message:
            while True:
                message = await receive()
                if message["type"] == "websocket.receive" and message.get("bytes"):
                    data = stream.incoming(message["bytes"])
                    if data is None:
                        continue
                    message = {**message, "bytes": data}
                return message

        await self.app(scope, filtered_receive, watched_send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, why: str) -> None:
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            return await _deny_websocket(scope, send, why)
        await _plain_response(send, "http.response", why)


async def _deny_websocket(scope: Scope, send: Send, why: str) -> None:
    """Refuse a websocket before it opens: a 403 with our headers where the server allows."""
    if "websocket.http.response" in scope.get("extensions", {}):
        return await _plain_response(send, "websocket.http.response", why)
    await send({"type": "websocket.close", "code": 1008, "reason": why})


async def _plain_response(send: Send, kind: str, why: str) -> None:
    body = f"Refused: {why}.\n".encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    start = {"type": f"{kind}.start", "status": 403, "headers": with_framing_headers(headers)}
    await send(start)
    await send({"type": f"{kind}.body", "body": body})
