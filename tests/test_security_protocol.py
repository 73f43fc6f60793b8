"""An attacker's view: speak Streamlit's websocket protocol to `cramp-journal serve` directly.

Each test starts the real server (the CLI, so the guard, the allowed hosts and the LAN gate
are the ones she runs) and talks to /_stcore/stream with hand-built BackMsgs, as a script
on a rebinding web page or on the network could.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.browser_support import free_port, wait_until_serving
from tests.conftest import SECRET  # the passphrase secret_file sets  # noqa: E402
from tracker.app import passphrase as pp
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema

FOREIGN = "rebind.attacker.example"


@contextmanager
def serving(tmp_path: Path, *options: str, journal: bool = True) -> Iterator[tuple[int, object]]:
    """`cramp-journal serve OPTIONS` on a free port with a sample journal: (port, process)."""
    url = f"sqlite:///{tmp_path / 'data' / 'journal.db'}"
    if journal:
        engine = make_engine(url)
        ensure_schema(engine)
        with Session(engine) as session:
            fill_demo(session=session)
        engine.dispose()
    port = free_port()
    argv = [sys.executable, "-m", "tracker.cli", "serve", *options, "--db", url,
            "--server.port", str(port), "--server.headless", "true"]  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    child = subprocess.Popen(argv, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(port, child, tmp_path / "serve.log")
        yield port, child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        log.close()


class Client:
    """One browser session, as raw protocol: send BackMsgs, read ForwardMsgs until a run ends."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        origin: str | None = None,
        headers=None,  # noqa: ANN001
        source: str | None = None,
        subprotocols: list[str] | None = None,
    ) -> None:
        origin = origin or f"http://{host}:{port}"
        sock = socket.create_connection(  # from another loopback address: another device
            ("127.0.0.1", port), timeout=20, source_address=(source, 0) if source else None
        )
        self.ws = connect(  # to 127.0.0.1 whatever the name: the Host header is what a
            f"ws://{host}:{port}/_stcore/stream",  # rebound name would send
            sock=sock,
            subprotocols=subprotocols or ["streamlit"],
            additional_headers={"Origin": origin, **(headers or {})},
            open_timeout=20,
            legacy=True,
        )
        self.messages: list[ForwardMsg] = []

    def send(self, **fields) -> None:  # noqa: ANN003
        msg = BackMsg(**fields)
        self.ws.send(msg.SerializeToString())

    def run(self, widgets: list[dict] | None = None, page: str = "", page_name: str = "") -> str:
        """Ask for a script run (with these widget states) and return its output as text."""
        states = {"widgets": widgets or []}
        self.send(
            rerun_script={"widget_states": states, "page_script_hash": page, "page_name": page_name}
        )
        return self.read_run()

    def read_run(self, timeout: float = 90) -> str:
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = ForwardMsg()
            msg.ParseFromString(self.ws.recv(timeout=deadline - time.monotonic()))
            self.messages.append(msg)
            seen.append(str(msg))
            if msg.WhichOneof("type") == "script_finished":
                return "\n".join(seen)
        raise AssertionError("the script run did not finish")

    def elements(self, kind: str) -> list:
        return [
            getattr(m.delta.new_element, kind)
            for m in self.messages
            if m.WhichOneof("type") == "delta"
            and m.delta.WhichOneof("type") == "new_element"
            and m.delta.new_element.WhichOneof("type") == kind
        ]

    def pages(self) -> dict[str, str]:
        """Page name -> page_script_hash, from the navigation message."""
        found = {}
        for m in self.messages:
            if m.WhichOneof("type") == "navigation":
                found |= {p.page_name: p.page_script_hash for p in m.navigation.app_pages}
        return found

    def guess(self, passphrase: str) -> str:
        """Type into the unlock form and press Open, as the widgets' ids say."""
        box = [e for e in self.elements("text_input") if "unlock" in e.form_id][-1]
        button = [e for e in self.elements("button") if e.is_form_submitter][-1]
        widgets = [{"id": box.id, "string_value": passphrase},
                   {"id": button.id, "trigger_value": True}]  # fmt: skip
        return self.run(widgets)

    def close(self) -> None:
        self.ws.close()


def _failures(address: str = "loopback") -> int:
    return pp.Throttle().failures(f"address:{address}")


def test_clear_cache_does_not_reset_the_throttle(tmp_path: Path, secret_file: Path) -> None:
    with serving(tmp_path, "--lan") as (port, _):
        stranger = Client(port)
        first = stranger.run()
        assert "This journal is shared on your home network" in first
        for n in (1, 2, 3):
            assert "not right" in stranger.guess(f"wrong guess {n}!!")
        assert _failures() == 3
        for _ in range(3):
            stranger.send(clear_cache=True)
        other = Client(port)  # a fresh session from the same address, after the clear
        other.run()
        assert "not right" in other.guess("wrong guess 4!!")
        assert _failures() == 4  # counted on, not reset
        stranger.close()
        other.close()


def _send_guess(client: Client, passphrase: str) -> None:
    """Press Open without waiting for the answer."""
    box = [e for e in client.elements("text_input") if "unlock" in e.form_id][-1]
    button = [e for e in client.elements("button") if e.is_form_submitter][-1]
    widgets = [{"id": box.id, "string_value": passphrase},
               {"id": button.id, "trigger_value": True}]  # fmt: skip
    client.send(rerun_script={"widget_states": {"widgets": widgets}})


def _answers_so_far(client: Client) -> str:
    seen = []
    with contextlib.suppress(TimeoutError):
        while True:
            seen.append(str(ForwardMsg.FromString(client.ws.recv(timeout=0.5))))
    return "\n".join(seen)


@pytest.mark.skipif(sys.platform != "linux", reason="needs 127.0.0.x source addresses")
def test_strangers_guessing_do_not_hold_the_owner_up(tmp_path: Path, secret_file: Path) -> None:
    """Four strangers (other addresses) deep in their penalties; the owner gets in first."""
    with serving(tmp_path, "--lan", journal=False) as (port, _):
        strangers = [Client(port, source=f"127.0.0.{i}") for i in (2, 3, 4, 5)]

        def five_wrong_tries(client: Client) -> None:
            client.run()
            for n in range(5):
                assert "not right" in client.guess(f"wrong guess {n}!!")

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(five_wrong_tries, strangers))
        assert all(_failures(f"127.0.0.{i}") == 5 for i in (2, 3, 4, 5))
        for stranger in strangers:  # each of these now waits 8 s on the server
            _send_guess(stranger, "wrong guess again!!")
        owner = Client(port, source="127.0.0.9")
        owner.run()
        assert "not right" not in owner.guess(SECRET)
        assert "Last night" in owner.read_run()  # in, while the strangers still wait
        assert not any("not right" in _answers_so_far(s) for s in strangers)
        for client in (owner, *strangers):
            client.close()


def test_a_locked_session_cannot_reach_pages_or_downloads(tmp_path: Path, secret_file) -> None:
    with serving(tmp_path, "--lan") as (port, _):
        owner = Client(port)
        owner.run()
        owner.guess(SECRET)
        owner.read_run()  # the rerun after unlocking
        pages = owner.pages()
        assert {"Summary", "Settings"} <= set(pages), pages
        downloads = {}
        for name in ("Summary", "Settings"):
            owner.run(page=pages[name])
            downloads |= {
                e.id: e.url or e.deferred_file_id for e in owner.elements("download_button")
            }
        assert downloads and all(downloads.values()), downloads  # the owner can download

        stranger = Client(port)
        stranger.run()
        spoofed = [{"id": "_unlocked", "bool_value": True}]
        for name in ("Summary", "Settings", "History"):
            triggers = [{"id": i, "trigger_value": True} for i in downloads]
            out = stranger.run(triggers + spoofed, page=pages[name])
            assert "/media/" not in out and "deferred_file_id" not in out
            assert "Enter its passphrase" in out
            assert not stranger.elements("download_button")
        night_titles = [e.body for e in stranger.elements("heading")]
        assert set(night_titles) == {"Cramp Journal"}, night_titles
        owner.close()
        stranger.close()


def test_a_page_address_on_a_fresh_server_still_asks_first(tmp_path: Path, secret_file) -> None:
    """The first session of a fresh server may name a page (/summary): the gate still holds."""
    for page_name in ("summary", "settings"):
        with serving(tmp_path / page_name, "--lan") as (port, _):
            stranger = Client(port)
            out = stranger.run(page_name=page_name)
            if "script_finished" in out and "Enter its passphrase" not in out:
                out += stranger.read_run()  # the page handed over to the router
            assert "Enter its passphrase" in out
            assert "/media/" not in out and "deferred_file_id" not in out
            assert not stranger.elements("download_button")
            stranger.close()


def _ask_for_file(client: Client, file_id: str) -> str:
    """Ask for a deferred download by its id, as the button's click does; the answer as text."""
    (own_id,) = {m.new_session.initialize.session_id for m in client.messages
                 if m.WhichOneof("type") == "new_session"}  # fmt: skip
    client.send(  # with its own session id, which Streamlit checks; the file id is not
        backend_operation_request={"request_id": f"r-{file_id[:8]}", "session_id": own_id,
                                   "deferred_file": {"file_id": file_id}}
    )  # fmt: skip
    return _answers_so_far(client)


def test_another_session_cannot_fetch_the_owner_s_download(tmp_path: Path, secret_file) -> None:
    with serving(tmp_path, "--lan") as (port, _):
        owner = Client(port)
        owner.run()
        owner.guess(SECRET)
        owner.read_run()
        pages = owner.pages()
        owner.run(page=pages["Settings"])
        deferred = [e.deferred_file_id for e in owner.elements("download_button")]
        deferred = [d for d in deferred if d]
        if not deferred:
            pytest.skip("no page registers a download on click (nothing to take)")
        stranger = Client(port)
        stranger.run()
        for file_id in deferred:
            taken = _ask_for_file(stranger, file_id)
            assert "/media/" not in taken and "backend_operation_response" not in taken
        assert "/media/" in _ask_for_file(owner, deferred[0])  # her own click still works
        owner.close()
        stranger.close()


def _status(port: int, path: str, host: str, origin: str | None = None) -> int:
    headers = {"Host": host} | ({"Origin": origin} if origin else {})
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_rebinding_page_is_refused_and_normal_use_works(tmp_path: Path) -> None:
    with serving(tmp_path) as (port, _):
        with pytest.raises(InvalidStatus) as refused:
            Client(port, host=FOREIGN, origin=f"http://{FOREIGN}:{port}")
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus):  # a foreign page reaching the right name
            Client(port, host="127.0.0.1", origin=f"http://{FOREIGN}")
        assert _status(port, "/", f"{FOREIGN}:{port}") == 403
        assert _status(port, "/_stcore/health", f"{FOREIGN}:{port}") == 403
        for name in ("127.0.0.1", "localhost"):
            assert _status(port, "/", f"{name}:{port}") == 200
            client = Client(port, host=name)
            assert "Last night" in client.run()  # no passphrase without --lan
            client.close()


def _from_the_network(port: int, host_header: str) -> int:
    """GET / from this machine's network address (not loopback), naming host_header."""
    from tracker.cli.serve import network_addresses

    address = next((a for a in network_addresses() if ":" not in a), None)
    if address is None:
        pytest.skip("this machine has no IPv4 network address")
    with socket.create_connection((address, port), timeout=10) as conn:
        conn.sendall(f"GET / HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n".encode())
        return int(conn.recv(64).split()[1])


def test_without_lan_a_network_client_is_refused_whatever_host_it_names(
    tmp_path: Path, secret_file: Path
) -> None:
    """Even started with --server.address 0.0.0.0 by hand: no passphrase, so no network."""
    with serving(tmp_path / "local", "--server.address", "0.0.0.0", journal=False) as (port, _):
        assert _status(port, "/", f"127.0.0.1:{port}") == 200
        assert _from_the_network(port, f"127.0.0.1:{port}") == 403
    with serving(tmp_path / "lan", "--lan", journal=False) as (port, _):
        assert _from_the_network(port, f"127.0.0.1:{port}") == 200  # then the passphrase


def test_serve_host_adds_a_name_of_her_own(tmp_path: Path, secret_file: Path) -> None:
    with serving(tmp_path, "--lan", "--host", "journal.home.arpa", journal=False) as (port, _):
        assert _status(port, "/", f"journal.home.arpa:{port}") == 200
        assert _status(port, "/", f"{FOREIGN}:{port}") == 403
        client = Client(port, host="journal.home.arpa")
        assert "Enter its passphrase" in client.run()
        client.close()


def test_metrics_are_not_served(tmp_path: Path, secret_file: Path) -> None:
    with serving(tmp_path, "--lan", journal=False) as (port, _):
        assert _status(port, "/_stcore/health", f"127.0.0.1:{port}") == 200
        assert _status(port, "/_stcore/metrics", f"127.0.0.1:{port}") in (403, 404)
        assert _status(port, "/_stcore/metrics/", f"127.0.0.1:{port}") in (403, 404)


def test_a_claimed_forwarded_address_is_not_believed(tmp_path: Path, secret_file: Path) -> None:
    """X-Forwarded-For from a client on loopback must not give each guess a new address."""
    with serving(tmp_path, "--lan", journal=False) as (port, _):
        stranger = Client(port, headers={"X-Forwarded-For": "203.0.113.9"})
        stranger.run()
        stranger.guess("wrong guess!!!")
        assert _failures() == 1 and _failures("203.0.113.9") == 0
        stranger.close()
    state = json.loads(pp.throttle_file().read_text())
    assert not any("203.0.113.9" in key for key in state["keys"])


def test_stopping_serve_by_its_pid_stops_the_app(tmp_path: Path, secret_file: Path) -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL):
        with serving(tmp_path, "--lan", journal=False) as (port, wrapper):
            os.kill(wrapper.pid, sig)
            code = wrapper.wait(timeout=15)
            assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 0)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                except OSError:
                    break
                time.sleep(0.2)
            else:
                pytest.fail(f"the app still answers 10 s after {sig.name} to serve")
