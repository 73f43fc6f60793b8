"""The servers the browser bench talks to: the real app through `cramp-journal serve`, and
reference apps with the same settings (same folder, same .streamlit/config.toml, the same flags
from tracker.journal.config.server_flags), each started as its own process and stopped
afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tracker.journal.config import PROJECT_ROOT, server_flags

# What any Streamlit page costs at the least, in the same shapes as the app's: a Save button
# whose callback shows "Saved N" in a keyed save bar, and a second page in a top navigation.
BLANK_APP = '''"""Cramp Journal bench: the blank reference page."""
import streamlit as st

st.set_page_config(page_title="Blank", layout="centered")


def _save():
    st.session_state["saves"] = st.session_state.get("saves", 0) + 1
    st.session_state["outcome"] = f"Saved {st.session_state['saves']}"


def blank():
    st.title("Blank", anchor=False)
    with st.container(key="blank_savebar"):
        if text := st.session_state.pop("outcome", None):
            st.success(text)
        st.button("Save", key="blank_save", type="primary", width="stretch", on_click=_save)


def other():
    st.title("Other", anchor=False)


st.navigation(
    [st.Page(blank, title="Blank", url_path="blank", default=True), st.Page(other, title="Other")],
    position="top",
).run()
'''


@dataclass(frozen=True)
class Server:
    """A running server: its address and the process that runs Streamlit."""

    url: str
    pid: int


def cramp_journal() -> list[str]:
    """`cramp-journal` as installed beside this Python (its entry point), else the module."""
    script = Path(sys.executable).parent / "cramp-journal"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracker.cli"]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(port: int, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            state = f"stopped ({proc.returncode})" if proc.poll() is not None else "not up"
            raise RuntimeError(f"bench server {state}:\n{log.read_text()[-2000:]}")
        time.sleep(0.25)


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _streamlit_pid(proc: subprocess.Popen) -> int:
    """The process running `streamlit run` (serve's child, or proc itself)."""
    for pid in [proc.pid, *_children(proc.pid)]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in command and b"run" in command:
            return pid
    return proc.pid


def status_mb(pid: int, field: str) -> float | None:
    """One memory line of a process's /proc status (VmHWM, VmRSS...), in MB; None where /proc
    or the line is missing."""
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    line = next((x for x in status if x.startswith(field + ":")), None)
    return round(int(line.split()[1]) / 1024, 1) if line else None


def peak_mb(pid: int) -> float | None:
    """A process's peak resident memory so far (VmHWM), in MB; None where /proc is missing."""
    return status_mb(pid, "VmHWM")


@contextmanager
def _running(command: list[str], log: Path, port: int) -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_serving(port, proc, log, seconds=120)
            yield Server(f"http://127.0.0.1:{port}", _streamlit_pid(proc))
        finally:
            proc.terminate()  # `serve` passes it on to the app and waits for it
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def real_app(url: str, folder: Path) -> Iterator[Server]:
    """The app as she starts it: `cramp-journal --db URL serve` on a free port."""
    port = free_port()
    command = [*cramp_journal(), "--db", url, "serve"]
    command += ["--server.port", str(port), "--server.headless", "true"]
    return _running(command, folder / f"app-{port}.log", port)


def blank_app(folder: Path) -> Iterator[Server]:
    """The blank reference app, run from the app's folder with serve's private flags."""
    port = free_port()
    script = folder / "blank_app.py"
    script.write_text(BLANK_APP)
    return _running(script_command(script, port), folder / "blank.log", port)


def script_command(script: Path, port: int) -> list[str]:
    """`streamlit run script` on `port` with the flags `cramp-journal serve` gives the app."""
    command = [sys.executable, "-m", "streamlit", "run", str(script), *server_flags()]
    return command + ["--server.port", str(port), "--server.headless", "true"]


def prepared_app(script: Path) -> Iterator[Server]:
    """The prepared pages (tracker.bench.prepared.write_pages wrote script and its pages)."""
    port = free_port()
    return _running(script_command(script, port), script.parent / f"prepared-{port}.log", port)
