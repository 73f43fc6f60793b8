"""An attacker on the websocket and the upload route, against `cramp-journal serve` itself.

Uploads are refused outright (the app has no uploader) and cost the server no memory; a
flood of git-information or debug messages neither holds the server up nor fills its log;
a session that has not unlocked may send only what the gate needs, and is told nothing of
the machine (script path, Python version, installation ids).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from tests.test_security_protocol import (
    Client,
    serving,
)
from tracker.journal.config import PROJECT_ROOT

MB = 1024 * 1024


def _app_pid(serve_pid: int) -> int:
    """The Streamlit process `serve` started (its only child)."""
    (child,) = Path(f"/proc/{serve_pid}/task/{serve_pid}/children").read_text().split()
    return int(child)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _session_id(client: Client) -> str:
    return next(
        m.new_session.initialize.session_id
        for m in client.messages
        if m.WhichOneof("type") == "new_session"
    )


def _upload(port: int, session_id: str, name: str, size: int, method: str = "PUT") -> int | None:
    """Send a file as Streamlit's uploader does (own XSRF pair); the status, or None when the
    server closed the connection before answering."""
    token = generate_xsrf_token_string()
    boundary = "----cramp"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
            "\r\nContent-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"{method} /_stcore/upload_file/{session_id}/{name} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Cookie: _streamlit_xsrf={token}\r\nX-Xsrftoken: {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + size + len(tail)}\r\nConnection: close\r\n\r\n"
    ).encode()
    chunk = b"\0" * MB
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        with contextlib.suppress(OSError):  # the server may close while the body still comes
            conn.sendall(request + head)
            for start in range(0, size, MB):
                conn.sendall(chunk[: min(MB, size - start)])
            conn.sendall(tail)
        try:
            answer = conn.recv(64)
        except OSError:
            return None
    return int(answer.split()[1]) if answer.startswith(b"HTTP/") else None


def test_uploads_before_unlock_are_refused_and_cost_no_memory(tmp_path: Path, secret_file) -> None:
    with serving(tmp_path, "--lan", journal=False) as (port, serve):
        stranger = Client(port)
        assert "Enter its passphrase" in stranger.run()
        session_id = _session_id(stranger)
        app = _app_pid(serve.pid)
        before = _rss_mb(app)
        answers = [_upload(port, session_id, f"f{i}", 8 * MB) for i in range(8)]
        time.sleep(1)
        grown = _rss_mb(app) - before
        assert grown < 24, f"the server grew by {grown:.0f} MB for 64 MB of uploads"
        assert all(a in (403, 405, None) for a in answers), answers
        for method in ("POST", "DELETE", "OPTIONS", "GET"):  # any method, any size
            assert _upload(port, session_id, "f9", 0, method) in (403, 405)
        stranger.close()


def test_uploads_are_refused_without_a_gate_too(tmp_path: Path) -> None:
    with serving(tmp_path, journal=False) as (port, _):
        owner = Client(port)
        assert "Last night" in owner.run()
        assert _upload(port, _session_id(owner), "f0", 1024) in (403, 405)
        owner.close()


def _slowest_health_check(port: int, seconds: float) -> float:
    """The longest /_stcore/health took over `seconds` of asking again and again."""
    slowest, end = 0.0, time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5):
                pass
        except OSError:
            return float("inf")
        slowest = max(slowest, time.monotonic() - start)
        time.sleep(0.05)
    return slowest


def _answers(client: Client, seconds: float) -> list[ForwardMsg]:
    found, end = [], time.monotonic() + seconds
    with contextlib.suppress(TimeoutError):
        while time.monotonic() < end:
            found.append(ForwardMsg.FromString(client.ws.recv(timeout=end - time.monotonic())))
    return found


def test_a_flood_of_git_requests_does_not_hold_the_server(tmp_path: Path, secret_file) -> None:
    with serving(tmp_path, "--lan", journal=False) as (port, _):
        stranger = Client(port)
        stranger.run()
        slowest: list[float] = []
        prober = threading.Thread(target=lambda: slowest.append(_slowest_health_check(port, 6)))
        prober.start()
        for _ in range(2000):
            stranger.send(load_git_info=True)
        prober.join()
        assert slowest[0] < 1.0, f"the health check took {slowest[0]:.1f} s during the flood"
        kinds = {m.WhichOneof("type") for m in _answers(stranger, 2)}
        assert "git_info_changed" not in kinds
        assert "Enter its passphrase" in stranger.run()  # the socket still works
        stranger.close()


def test_debug_messages_write_nothing_to_the_log(tmp_path: Path) -> None:
    with serving(tmp_path, journal=False) as (port, _):
        owner = Client(port)  # no gate: a session that may use the whole app
        owner.run()
        log = tmp_path / "serve.log"
        lines = len(log.read_text().splitlines())
        for _ in range(5000):
            owner.send(debug_disconnect_websocket=True)
            owner.send(debug_shutdown_runtime=True)
        assert "Last night" in owner.run()  # every message before it has been handled
        time.sleep(0.5)
        written = log.read_text().splitlines()[lines:]
        assert len(written) <= 3, written[:5]
        owner.close()


def test_a_locked_session_may_send_only_what_the_gate_needs(tmp_path: Path, secret_file) -> None:
    with serving(tmp_path, "--lan", journal=False) as (port, _):
        stranger = Client(port)
        stranger.run()
        own = _session_id(stranger)
        stranger.send(file_urls_request={"request_id": "u1", "file_names": ["a.csv"],
                                         "session_id": own})  # fmt: skip
        for payload in ("install_skills", "dismiss_skills_nudge"):
            stranger.send(backend_operation_request={"request_id": payload, "session_id": own,
                                                     payload: {}})  # fmt: skip
        stranger.send(set_run_on_save=True)
        stranger.send(app_heartbeat=True)
        kinds = {m.WhichOneof("type") for m in _answers(stranger, 3)}
        assert not kinds & {"file_urls_response", "backend_operation_response"}, kinds
        assert "heartbeat_ack" in kinds  # what the gate needs still gets through
        assert "Enter its passphrase" in stranger.run()
        stranger.close()


def test_nothing_of_the_machine_reaches_a_locked_session(tmp_path: Path, secret_file) -> None:
    with serving(tmp_path, "--lan", journal=False) as (port, _):
        stranger = Client(port)
        raw: list[bytes] = []
        receive = stranger.ws.recv
        stranger.ws.recv = lambda timeout=None: raw.append(receive(timeout=timeout)) or raw[-1]
        assert "Enter its passphrase" in stranger.run()
        (new,) = [m.new_session for m in stranger.messages if m.WhichOneof("type") == "new_session"]
        assert new.main_script_path == ""
        user = new.initialize.user_info
        assert not (user.installation_id or user.installation_id_v3 or user.installation_id_v4)
        assert new.initialize.environment_info.python_version == ""
        seen = b"".join(raw)
        for secret in (str(PROJECT_ROOT), str(Path.home())):  # her folders, her user name
            assert secret.encode() not in seen, secret
        stranger.close()


def test_a_message_over_the_size_limit_closes_the_socket(tmp_path: Path) -> None:
    """1 MB at most from a client (the app's largest, a long note, is a few kilobytes)."""
    with serving(tmp_path, journal=False) as (port, _):
        owner = Client(port)
        owner.run()
        big = [{"id": "anything", "string_value": "x" * (2 * MB)}]
        with pytest.raises(Exception, match="1009|too big|closed|Connection"):  # noqa: PT011
            owner.send(rerun_script={"widget_states": {"widgets": big}})
            _answers(owner, 5)
            owner.run()
        assert "Last night" in Client(port).run()  # the server itself is fine


# --- the same rules without a server: what tracker.app.guard.Stream passes on ----------------


def _forward(**fields) -> bytes:  # noqa: ANN003
    return ForwardMsg(**fields).SerializeToString()


def test_a_gate_run_keeps_only_the_gate_s_own_widgets(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from tracker.app.guard import LAN_ENV, OPEN_SESSIONS, Stream

    monkeypatch.setenv(LAN_ENV, "1")
    stream = Stream()
    stream.outgoing(_forward(new_session={"initialize": {"session_id": "s-gate-test"}}))
    box = {"id": "$$ID-box-None", "form_id": "unlock"}
    stream.outgoing(_forward(delta={"new_element": {"text_input": box}}))
    forged = [{"id": "$$ID-box-None", "string_value": "a guess"},
              {"id": "_unlocked", "bool_value": True},
              {"id": "$$ID-delete-night", "trigger_value": True}]  # fmt: skip
    run = BackMsg(rerun_script={"widget_states": {"widgets": forged}, "fragment_id": "f"})
    passed = BackMsg.FromString(stream.incoming(run.SerializeToString()))
    assert [w.id for w in passed.rerun_script.widget_states.widgets] == ["$$ID-box-None"]
    assert passed.rerun_script.fragment_id == ""
    heartbeat = BackMsg(app_heartbeat=True).SerializeToString()
    assert stream.incoming(heartbeat) == heartbeat
    assert stream.incoming(BackMsg(clear_cache=True).SerializeToString()) is None

    OPEN_SESSIONS.open("s-gate-test")  # the passphrase was right
    assert stream.incoming(run.SerializeToString()) == run.SerializeToString()
    for never in ({"load_git_info": True}, {"debug_disconnect_websocket": True},
                  {"clear_cache": True}, {"set_run_on_save": True}):  # fmt: skip
        assert stream.incoming(BackMsg(**never).SerializeToString()) is None


def test_streamlit_s_upload_and_metrics_routes_are_refused_under_any_base_path() -> None:
    from tracker.app.guard import is_refused_path

    for path in ("/_stcore/upload_file/s/f", "/journal/_stcore/upload_file/s/f",
                 "//_stcore//metrics/", "/_stcore/metrics"):  # fmt: skip
        assert is_refused_path(path), path
    for path in ("/", "/_stcore/health", "/_stcore/stream", "/static/js/index.js", "/trends"):
        assert not is_refused_path(path), path
