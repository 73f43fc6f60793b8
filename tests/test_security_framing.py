"""No other site may show the journal inside its own page (clickjacking), in real Chromium.

A page on another port frames the app: the frame stays empty, and the app never opens its
websocket there. Every response the server gives (page, script, health, refusals, the
websocket's handshake or refusal) says so: CSP frame-ancestors 'none' and X-Frame-Options.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    free_port,
    require_chromium,
    wait_for_app,
)
from tests.test_security_protocol import (
    FOREIGN,
    serving,
)

FRAMING = {"content-security-policy": "frame-ancestors 'none'", "x-frame-options": "DENY"}


@contextmanager
def another_site(folder: Path, app_port: int) -> Iterator[int]:
    """A tiny web server on its own port whose page frames the app: (its port)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(
        "<!doctype html><title>A page she visits</title><h1>Win a prize</h1>"
        f'<iframe id="journal" src="http://127.0.0.1:{app_port}/" width="800" height="500">'
        "</iframe>"
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_of_another_site_cannot_frame_the_journal(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with (
        serving(tmp_path) as (port, _),
        another_site(tmp_path / "site", port) as site,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(**DESKTOP)
            sockets: list[str] = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            framed = page.goto(f"http://localhost:{site}/")
            assert framed is not None and framed.ok
            page.wait_for_timeout(4000)  # time enough for the app to load and connect
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "security-framed-by-another-site.png"))
            (frame,) = [f for f in page.frames if f is not page.main_frame]
            assert not frame.url.startswith(f"http://127.0.0.1:{port}"), frame.url
            assert frame.query_selector("[data-testid=stApp]") is None
            assert not any("/_stcore/stream" in url for url in sockets), sockets

            page = browser.new_page(**DESKTOP)  # opened by its own address, it works
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_app(page)
            assert page.locator("[data-testid=stMain] h1").inner_text() == "Last night"
        finally:
            browser.close()


def _get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.headers.items()}, body
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, ""


def _handshake(port: int, origin: str) -> tuple[int, dict[str, str]]:
    """Open /_stcore/stream by hand: the status and headers of the server's answer."""
    key = b64encode(b"cramp-journal-16").decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            part = conn.recv(4096)
            if not part:
                break
            head += part
    lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}


def _assert_framing_refused(headers: dict[str, str], what: str) -> None:
    for name, value in FRAMING.items():
        assert headers.get(name) == value, f"{what}: {name} is {headers.get(name)!r}"


@pytest.mark.parametrize("mode", ["personal", "lan"])
def test_every_response_forbids_framing(tmp_path: Path, secret_file: Path, mode: str) -> None:
    options = ("--lan",) if mode == "lan" else ()
    with serving(tmp_path, *options, journal=False) as (port, _):
        status, headers, html = _get(port, "/")
        assert status == 200
        _assert_framing_refused(headers, "the page")
        script = re.search(r'src="\.?(/static/js/[^"]+\.js)"', html)
        assert script, "no script named in the page"
        answers = {
            "a script": _get(port, script.group(1)),
            "the health check": _get(port, "/_stcore/health"),
            "a page that is not there": _get(port, "/_stcore/nothing-here"),
            "a foreign name": _get(port, "/", host=FOREIGN),
            "an upload": _get(port, "/_stcore/upload_file/x/y"),
        }
        assert answers["a script"][0] == answers["the health check"][0] == 200
        assert answers["a foreign name"][0] == answers["an upload"][0] == 403
        for what, (_, headers, _) in answers.items():
            _assert_framing_refused(headers, what)
        status, headers = _handshake(port, f"http://127.0.0.1:{port}")
        assert status == 101
        _assert_framing_refused(headers, "the websocket's handshake")
        status, headers = _handshake(port, f"http://{FOREIGN}")
        assert status == 403
        _assert_framing_refused(headers, "a refused websocket")
