"""The server's front door: an ASGI middleware in front of Streamlit (see server_app.py).

It refuses, before Streamlit sees anything: without --lan, any client not on this computer;
a Host or Origin that is not one of this machine's own names (DNS rebinding); Streamlit's
/_stcore/metrics; a client's `clear_cache` message (which would empty every cache for every
session; the app never sends it); and a request for a download button's file that another
session's page registered. Streamlit's
own `server.allowedHosts` only checks the websocket, so this checks every request.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

HOSTS_ENV = "CRAMP_JOURNAL_ALLOWED_HOSTS"
LAN_ENV = "CRAMP_JOURNAL_LAN"  # as tracker.app.passphrase.LAN_ENV (this module imports no app code)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
BLOCKED_PATHS = ("/_stcore/metrics",)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


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


def _back_msg(data: bytes):  # noqa: ANN202
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except Exception:  # noqa: BLE001 - not a BackMsg: Streamlit refuses it itself
        return None
    return msg


def is_clear_cache(data: bytes) -> bool:
    """True for a BackMsg asking the server to clear every cache."""
    msg = _back_msg(data)
    return msg is not None and msg.WhichOneof("type") == "clear_cache"


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


def is_foreign_download(data: bytes, session_id: str | None) -> bool:
    """True when a client asks for a download that another session's page registered."""
    msg = _back_msg(data)
    if msg is None or msg.WhichOneof("type") != "backend_operation_request":
        return False
    request = msg.backend_operation_request
    if request.WhichOneof("payload") != "deferred_file":
        return False
    owner = deferred_file_owner(request.deferred_file.file_id)
    return owner is not None and owner != session_id


def session_id_in(data: bytes) -> str | None:
    """The session id a ForwardMsg announces (its new_session message), if it is one."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(data)
    except Exception:  # noqa: BLE001
        return None
    if msg.WhichOneof("type") != "new_session":
        return None
    return msg.new_session.initialize.session_id or None


class Guard:
    """Refuse foreign Host/Origin headers, the metrics page and clear_cache messages."""

    def __init__(self, app: App) -> None:
        self.app = app

    def refusal(self, scope: Scope) -> str | None:
        if os.environ.get(LAN_ENV) != "1" and not _is_loopback(scope.get("client")):
            return "this journal is open to this computer only (start it with --lan)"
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        hosts = allowed_hosts()
        if host_name(headers.get("host")) not in hosts:
            return "this address is not the journal's"
        origin = headers.get("origin")
        if origin is not None and host_name(origin) not in hosts:
            return "requests from other sites are refused"
        if scope["path"].rstrip("/") in BLOCKED_PATHS:
            return "not available"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if (why := self.refusal(scope)) is not None:
            return await self._refuse(scope, receive, send, why)
        if scope["type"] == "websocket":
            return await self._websocket(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Drop clear_cache, and requests for other sessions' downloads, from this client."""
        session: list[str] = []  # this connection's session id, once the server names it

        async def watched_send(message: Message) -> None:
            data = message.get("bytes")
            if not session and message["type"] == "websocket.send" and data:  # noqa: SIM102
                if found := session_id_in(data):
                    session.append(found)
            await send(message)

        async def filtered_receive() -> Message:
            while True:
                message = await receive()
                data = message.get("bytes")
                if message["type"] == "websocket.receive" and data:
                    if is_clear_cache(data):
                        continue
                    if is_foreign_download(data, session[0] if session else None):
                        continue
                return message

        await self.app(scope, filtered_receive, watched_send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, why: str) -> None:
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": why})
            return
        body = f"Refused: {why}.\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
