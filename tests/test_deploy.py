"""deploy/ as a practice would try it: `deploy/try-it` starts PostgreSQL, the test identity
provider, two app processes and Caddy over HTTPS on loopback; Sam signs in through the proxy
in Chromium, sees her Last night and saves a night over the proxy's websocket, with the
sticky-session cookie set; SIGTERM then stops every process it started and removes its folder.
The production Caddyfile is checked by Caddy itself."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser_support import (
    ARTIFACTS,
    PHONE,
    ROOT,
    listening_addresses,
    require_chromium,
    screenshot,
    wait_for_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
TRY_IT = ROOT / "deploy" / "try-it"
CADDY = shutil.which("caddy") or "/usr/bin/caddy"


def require_caddy() -> None:
    if not Path(CADDY).exists():
        if os.environ.get("CI"):
            pytest.fail("Caddy is missing in CI (apt install caddy)", pytrace=False)
        pytest.skip("Caddy is not installed")


@dataclass(frozen=True)
class Trial:
    process: subprocess.Popen
    output: Path
    base: str
    folder: Path
    ports: dict[str, int]  # what runs -> its port
    pids: dict[str, int]  # what runs -> the process try-it names for it


def started(process: subprocess.Popen, output: Path, seconds: float = 150) -> str:
    """try-it's output once it says it is ready (fail if it stops or takes too long)."""
    deadline = time.monotonic() + seconds
    while "Press Ctrl+C" not in (text := output.read_text()):
        if process.poll() is not None:
            pytest.fail(f"try-it stopped (exit {process.returncode}):\n{text}")
        if time.monotonic() > deadline:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            pytest.fail(f"try-it was not ready in {seconds:g} s:\n{output.read_text()}")
        time.sleep(0.2)
    return text


def parse(process: subprocess.Popen, output: Path, text: str) -> Trial:
    ports, pids = {}, {}
    for line in text.splitlines():
        if m := re.match(r"\s+(.+?)\s{2,}\S+?:(\d+)\s+process (\d+)$", line):
            name = m[1] if m[1] != "app process" else f"app process {m[2]}"
            ports[name], pids[name] = int(m[2]), int(m[3])
    base = re.search(r"ready to try at (https://localhost:\d+)", text)[1]
    folder = Path(re.search(r"files\s+(\S+)", text)[1])
    return Trial(process, output, base, folder, ports, pids)


def start_time(pid: int) -> str | None:
    """The process's start time (tells a process from a later one with its id), None if gone
    or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def process_tree(*roots: int) -> dict[int, str]:
    """These processes and all their descendants: pid -> start time."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: dict[int, str] = {}
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found and (started_at := start_time(pid)) is not None:
            found[pid] = started_at
            todo += parents.get(pid, [])
    return found


@pytest.fixture
def trial(tmp_path: Path):  # noqa: ANN201
    require_chromium()
    require_caddy()
    output = tmp_path / "try-it.out"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with open(output, "w") as out:
        process = subprocess.Popen(
            [str(TRY_IT), "--port", "0"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield parse(process, output, started(process, output))
    finally:
        if process.poll() is None:  # the test failed before it stopped it
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def test_the_production_caddyfile_is_valid() -> None:
    require_caddy()
    env = {
        **os.environ,
        "CRAMP_SITE": "journal.example-practice.org",
        "CRAMP_UPSTREAMS": "127.0.0.1:8501 127.0.0.1:8502",
        "CRAMP_LB_SECRET": "0" * 64,
    }
    result = subprocess.run(
        [CADDY, "validate", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter",
         "caddyfile"],
        capture_output=True, text=True, env=env, cwd="/",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_try_it_signs_her_in_through_the_proxy_and_stops_cleanly(trial: Trial, browser) -> None:  # noqa: ANN001
    https_port = int(trial.base.rsplit(":", 1)[1])
    assert len([name for name in trial.ports if name.startswith("app process")]) == 2
    for name, port in trial.ports.items():  # nothing listens beyond this machine
        assert listening_addresses(port) == {"127.0.0.1"}, name
    watched = process_tree(trial.process.pid, trial.pids["PostgreSQL"])
    assert set(trial.pids.values()) <= set(watched)

    context = browser.new_context(**PHONE, ignore_https_errors=True)
    try:
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        first = page.goto(trial.base)
        headers = first.headers
        assert headers["strict-transport-security"].startswith("max-age=")
        assert headers["x-content-type-options"] == "nosniff"
        assert "server" not in headers  # neither Caddy nor the app names itself
        wait_for_app(page)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
        page.get_by_role("button", name="sam", exact=True).first.click()  # the test provider's Sam
        page.wait_for_url(f"{trial.base}/**", timeout=30_000)
        wait_for_app(page)
        page.get_by_role("heading", name="Last night", level=1).wait_for()
        screenshot(page, "deploy-sam-last-night-through-the-proxy")

        cookies = {c["name"]: c for c in context.cookies(trial.base)}
        sticky = cookies["cramp_lb"]  # the proxy keeps her browser on one app process
        assert sticky["secure"] and sticky["httpOnly"] and sticky["sameSite"] == "Lax"
        assert "_streamlit_user" in cookies  # signed in, through the proxy's address
        assert f"wss://localhost:{https_port}/_stcore/stream" in sockets

        page.get_by_role("button", name="No cramps").tap()
        page.get_by_text("Saved").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "deploy-sam-saved-through-the-proxy.png"))
        page.reload()  # a new websocket session: still signed in, kept on the same process
        wait_for_app(page)
        page.get_by_role("heading", name="Last night", level=1).wait_for()
        assert page.get_by_role("button", name="Sign out").count() == 1
        again = {c["name"]: c["value"] for c in context.cookies(trial.base)}
        assert again["cramp_lb"] == sticky["value"]
    finally:
        context.close()

    watched |= process_tree(trial.process.pid, trial.pids["PostgreSQL"])
    trial.process.send_signal(signal.SIGTERM)
    assert trial.process.wait(timeout=60) == 0
    assert "removed" in trial.output.read_text()
    left = [pid for pid, at in watched.items() if start_time(pid) == at]
    assert not left, f"still running after try-it stopped: {left}"
    for name, port in trial.ports.items():
        assert not listening_addresses(port), f"{name} still listens on {port}"
    assert not trial.folder.exists()
