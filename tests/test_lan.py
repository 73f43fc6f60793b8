"""`serve --lan`: a passphrase first, kept only as a salted scrypt hash, asked once per session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import free_port, listening_addresses, wait_until_serving
from tracker.app import passphrase as pp

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
SECRET = "blue whale at midnight"


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "passphrase.json"
    monkeypatch.setenv(pp.PASSPHRASE_ENV, str(path))
    return path


def test_only_a_salted_scrypt_hash_is_kept(secret_file: Path) -> None:
    pp.set_passphrase(SECRET)
    text = secret_file.read_text()
    assert SECRET not in text and SECRET.encode().hex() not in text
    record = json.loads(text)
    assert record["scheme"] == "scrypt" and record["n"] >= 2**14
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert pp.check_passphrase(SECRET) and not pp.check_passphrase(SECRET + "!")
    first_salt = record["salt"]
    pp.set_passphrase(SECRET)
    assert json.loads(secret_file.read_text())["salt"] != first_salt  # a fresh salt each time


def test_short_passphrases_are_refused(secret_file: Path) -> None:
    with pytest.raises(ValueError, match="at least 10"):
        pp.set_passphrase("short")
    assert not secret_file.exists()


def test_wrong_guesses_are_slowed_down(secret_file: Path, monkeypatch) -> None:
    pp.set_passphrase(SECRET)
    waits: list[float] = []
    clock = [1_000_000.0]  # a clock that only a wait moves: checking takes no time, however
    # slow the key derivation is on a loaded machine

    def wait(seconds: float) -> None:
        waits.append(seconds)  # recorded instead of waited
        clock[0] += seconds

    monkeypatch.setattr(pp.time, "time", lambda: clock[0])
    monkeypatch.setattr(pp.time, "sleep", wait)
    throttle = pp.Throttle()
    assert throttle.attempt("nope nope nope", address="10.0.0.9", session="a") is False
    assert throttle.attempt("still wrong!!", address="10.0.0.9", session="b") is False
    assert throttle.attempt("wrong again!!", address="10.0.0.9", session="c") is False
    assert throttle.failures("address:10.0.0.9") == 3
    extra = pp.Throttle.GLOBAL_DELAY_S  # what others' failures (here: its own) may add
    assert 0.5 <= waits[1] <= 0.5 + extra and 1.0 <= waits[2] <= 1.0 + extra  # doubling
    assert pp._penalty(40) == pp.MAX_DELAY_S
    assert throttle.attempt(SECRET, address="10.0.0.9", session="d") is True
    assert throttle.failures("address:10.0.0.9") == 0


def test_every_page_asks_for_the_passphrase_once(secret_file: Path, monkeypatch) -> None:
    pp.set_passphrase(SECRET)
    monkeypatch.setenv(pp.LAN_ENV, "1")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Cramp Journal"]  # no journal content before it
    at.text_input[0].input("not the passphrase")
    at.button[0].click().run()
    assert any("not right" in e.value for e in at.error)
    assert not at.session_state["_unlocked"] if "_unlocked" in at.session_state else True
    at.text_input[0].input(SECRET)
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Last night"]
    at.switch_page("pages/history.py").run()
    assert [t.value for t in at.title] == ["History"]  # once per session, not per page


def test_without_lan_nothing_changes(secret_file: Path, monkeypatch) -> None:
    monkeypatch.delenv(pp.LAN_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Last night"]


def test_serve_lan_refuses_without_a_passphrase(secret_file: Path, sqlite_url: str) -> None:
    from tracker.cli import main

    assert main(["serve", "--lan", "--db", sqlite_url]) == 1
    assert not secret_file.exists()


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_serve_lan_listens_beyond_localhost_and_plain_serve_does_not(
    secret_file: Path, sqlite_url: str
) -> None:
    pp.set_passphrase(SECRET)
    for lan, expected_any in ((False, False), (True, True)):
        port = free_port()
        argv = [sys.executable, "-m", "tracker.cli", "serve", "--db", sqlite_url,
                "--server.port", str(port), "--server.headless", "true"]  # fmt: skip
        if lan:
            argv.insert(4, "--lan")
        child = subprocess.Popen(argv, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            wait_until_serving(port, child)
            addresses = listening_addresses(port)
            anywhere = {"0.0.0.0", "::"}
            assert bool(addresses & anywhere) is expected_any, addresses
            if not lan:
                assert addresses == {"127.0.0.1"}
        finally:
            os.killpg(child.pid, 15)
            child.wait(timeout=20)
