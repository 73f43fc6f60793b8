"""The passphrase throttle: per address and per session, persisted, bounded for the owner."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tracker.app import passphrase as pp

SECRET = "blue whale at midnight"


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "passphrase.json"
    monkeypatch.setenv(pp.PASSPHRASE_ENV, str(path))
    pp.set_passphrase(SECRET)
    return path


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each wait the throttle asks for, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(pp.time, "sleep", recorded.append)
    return recorded


def test_the_counts_survive_a_restart_and_live_beside_the_hash(secret_file, waits) -> None:
    for session in ("a", "b", "c"):
        assert pp.Throttle().attempt("wrong guess!!", address="10.0.0.9", session=session) is False
    state = pp.throttle_file()
    assert state.parent == secret_file.parent and state.stat().st_mode & 0o777 == 0o600
    restarted = pp.Throttle()  # a new server process reads the same file
    assert restarted.failures("address:10.0.0.9") == 3
    restarted.attempt("wrong again!!", address="10.0.0.9", session="d")
    assert waits[-1] >= 1.9  # the fourth wrong try from that address waits 2 s, not 0


def test_a_new_session_on_the_same_address_does_not_start_afresh(secret_file, waits) -> None:
    throttle = pp.Throttle()
    for i in range(6):
        throttle.attempt("wrong guess!!", address="10.0.0.9", session=f"s{i}")
    assert waits[-1] >= 8  # 0.5, 1, 2, 4, 8, 16 s: one address, many sessions
    assert throttle.failures("session:s5") == 1


def test_the_owner_elsewhere_waits_at_most_two_seconds(secret_file, waits) -> None:
    throttle = pp.Throttle()
    for i in range(60):  # four strangers' worth of wrong tries
        throttle.attempt("wrong guess!!", address=f"10.0.0.{i % 4 + 10}", session=f"s{i}")
    assert max(waits) >= 10
    waits.clear()
    assert throttle.attempt(SECRET, address="192.168.1.7", session="owner") is True
    assert waits and max(waits) <= 2.0 + 0.5


def test_no_lock_is_held_while_a_stranger_waits(secret_file, monkeypatch) -> None:
    """A stranger sleeping out a 30 s penalty does not hold up the owner's try."""
    throttle = pp.Throttle()
    for i in range(10):
        throttle._record(["address:10.0.0.9", f"session:x{i}"], "10.0.0.9", ok=False)
    stranger = threading.Thread(
        target=throttle.attempt, args=("wrong guess!!",),
        kwargs={"address": "10.0.0.9", "session": "late"}, daemon=True,
    )  # fmt: skip
    real_sleep = time.sleep
    asleep = threading.Event()

    def sleep(seconds: float) -> None:
        if threading.current_thread() is stranger:
            asleep.set()
            real_sleep(60)  # the stranger sleeps "forever"
        else:
            real_sleep(min(seconds, 0.01))

    monkeypatch.setattr(pp.time, "sleep", sleep)
    stranger.start()
    assert asleep.wait(20)
    done: list[bool | None] = []
    owner = threading.Thread(target=lambda: done.append(
        throttle.attempt(SECRET, address="192.168.1.7", session="owner")), daemon=True)  # fmt: skip
    owner.start()
    owner.join(20)
    assert done == [True]


def test_the_global_ceiling_lets_only_known_devices_try(secret_file, waits, monkeypatch) -> None:
    monkeypatch.setattr(pp.Throttle, "GLOBAL_CEILING", 5)
    throttle = pp.Throttle()
    assert throttle.attempt(SECRET, address="192.168.1.7", session="owner-before") is True
    for i in range(5):
        throttle.attempt("wrong guess!!", address=f"10.0.1.{i}", session=f"s{i}")
    assert throttle.attempt(SECRET, address="10.0.2.1", session="new") is None  # not checked
    assert throttle.attempt(SECRET, address="192.168.1.7", session="owner") is True


def test_a_broken_state_file_is_not_a_way_in(secret_file, waits) -> None:
    pp.throttle_file().write_text("{not json")
    throttle = pp.Throttle()
    assert throttle.attempt("wrong guess!!", address="10.0.0.9", session="a") is False
    assert throttle.attempt(SECRET, address="10.0.0.9", session="b") is True


def test_an_unwritable_data_folder_keeps_the_journal_locked(
    secret_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
    monkeypatch.setenv(pp.LAN_ENV, "1")

    def cannot_save(self, state, now) -> None:  # noqa: ANN001
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pp.Throttle, "_save", cannot_save)
    at = AppTest.from_file(app, default_timeout=30).run()
    at.text_input[0].input(SECRET)
    at.button[0].click().run()
    assert not at.exception
    assert any("could not be checked" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["Cramp Journal"]


def test_parallel_tries_from_one_address_are_refused_not_checked(
    secret_file, waits, monkeypatch
) -> None:
    checked: list[str] = []
    real_check = pp.check_passphrase
    monkeypatch.setattr(
        pp, "check_passphrase", lambda g, p=None: checked.append(g) or real_check(g, p)
    )
    throttle = pp.Throttle()
    for i in range(5):
        throttle.attempt(f"wrong guess {i}!!", address="10.0.0.9", session=f"s{i}")
    checked.clear()
    # Sent at once (the fake sleep returns at once): each would start after the one before.
    results = [throttle.attempt(f"burst {i}!!", address="10.0.0.9", session=f"b{i}")
               for i in range(20)]  # fmt: skip
    assert results.count(None) >= 18 and len(checked) <= 2
    assert max(waits) <= pp.MAX_DELAY_S


def test_a_clock_set_back_does_not_lock_everyone_out(secret_file, waits, monkeypatch) -> None:
    throttle = pp.Throttle()
    throttle.attempt("wrong guess!!", address="10.0.0.9", session="a")
    monkeypatch.setattr(pp.time, "time", lambda: 1_000.0)  # the clock went back decades
    assert throttle.attempt(SECRET, address="10.0.0.9", session="b") is True
