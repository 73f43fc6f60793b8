"""The passphrase that guards `serve --lan`: kept only as a salted scrypt hash, on this machine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path

from tracker.journal.config import DATA_DIR

MIN_LENGTH = 10
LAN_ENV = "CRAMP_JOURNAL_LAN"
PASSPHRASE_ENV = "CRAMP_JOURNAL_PASSPHRASE_FILE"
# scrypt cost: about 50 ms and 16 MiB a try, which makes guessing slow.
N, R, P = 2**14, 8, 1
MAX_DELAY_S = 30.0


def passphrase_file() -> Path:
    """Where the hash lives (data/passphrase.json unless CRAMP_JOURNAL_PASSPHRASE_FILE says)."""
    return Path(os.environ.get(PASSPHRASE_ENV) or DATA_DIR / "passphrase.json")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def set_passphrase(passphrase: str, path: Path | None = None) -> Path:
    """Store a salted scrypt hash of the passphrase (owner-only file); never the passphrase."""
    if len(passphrase) < MIN_LENGTH:
        raise ValueError(f"the passphrase must have at least {MIN_LENGTH} characters")
    path = path or passphrase_file()
    salt = secrets.token_bytes(16)
    record = {
        "scheme": "scrypt",
        "n": N,
        "r": R,
        "p": P,
        "salt": base64.b64encode(salt).decode(),
        "hash": base64.b64encode(_derive(passphrase, salt, N, R, P)).decode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(record, file)
    os.replace(temp, path)
    return path


def has_passphrase(path: Path | None = None) -> bool:
    return (path or passphrase_file()).is_file()


def check_passphrase(passphrase: str, path: Path | None = None) -> bool:
    """True when the passphrase matches the stored hash (constant-time comparison)."""
    try:
        record = json.loads((path or passphrase_file()).read_text())
        salt = base64.b64decode(record["salt"])
        expected = base64.b64decode(record["hash"])
        derived = _derive(passphrase, salt, int(record["n"]), int(record["r"]), int(record["p"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(derived, expected)


def throttle_file(path: Path | None = None) -> Path:
    """Where the wrong-try counts live: beside the hash, so a restart does not reset them."""
    hash_file = path or passphrase_file()
    return hash_file.with_name(hash_file.stem + "-throttle.json")


def _penalty(failures: int) -> float:
    """The wait after this many wrong tries in a row: 0.5 s, doubling, up to MAX_DELAY_S."""
    return 0.0 if failures <= 0 else min(MAX_DELAY_S, 0.5 * 2 ** min(failures - 1, 16))


class Throttle:
    """Slows wrong guesses down per client address and per session, with a global ceiling.

    Each address and each session has its own count of wrong tries in a row; a try waits
    until both allow it, and reserves its slot before checking, so parallel guesses from one
    address queue up instead of racing (and beyond MAX_DELAY_S of queue are refused).
    Others' failures add at most GLOBAL_DELAY_S to anyone's wait. When the whole server has
    seen GLOBAL_CEILING wrong tries in the last hour, only addresses that have opened the
    journal before may try until it calms down.
    No lock is held while waiting or hashing. The counts are kept in throttle_file().
    """

    GLOBAL_DELAY_S = 2.0
    GLOBAL_CEILING = 300
    WINDOW_S = 3600.0
    MAX_KEYS = 5000

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._path = path

    # -- the persisted state: {"keys": {key: [failures, not_before]}, "recent": [...], ...}

    def _load(self) -> dict:
        try:
            state = json.loads(throttle_file(self._path).read_text())
            if isinstance(state, dict) and isinstance(state.get("keys"), dict):
                state.setdefault("recent", [])
                state.setdefault("trusted", [])
                return state
        except (OSError, ValueError):
            pass
        return {"keys": {}, "recent": [], "trusted": []}

    def _save(self, state: dict, now: float) -> None:
        keys = state["keys"]
        if len(keys) > self.MAX_KEYS:  # forget the oldest clients first
            for key in sorted(keys, key=lambda k: keys[k][1])[: len(keys) - self.MAX_KEYS]:
                del keys[key]
        state["recent"] = [t for t in state["recent"] if now - t < self.WINDOW_S][
            -2 * self.GLOBAL_CEILING :
        ]
        path = throttle_file(self._path)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
        fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(state, file)
        os.replace(temp, path)

    def failures(self, key: str) -> int:
        """Wrong tries in a row for a key such as "address:192.168.1.7" or "session:<id>"."""
        return int(self._load()["keys"].get(key, [0, 0.0])[0])

    def _reserve(self, keys: list[str], address: str, now: float) -> float | None:
        """Reserve this try's start time (None: refused, by the global ceiling or because
        this client already has tries queued for the next MAX_DELAY_S)."""
        with self._lock:
            state = self._load()
            recent = [t for t in state["recent"] if now - t < self.WINDOW_S]
            if len(recent) >= self.GLOBAL_CEILING and address not in state["trusted"]:
                return None
            entries = [state["keys"].get(k, [0, 0.0]) for k in keys]
            # A reservation lies at most 2 x MAX_DELAY_S ahead; one further off is from a
            # clock that was set back, and would lock everyone out: it starts afresh.
            waits = [float(e[1]) for e in entries if float(e[1]) <= now + 2 * MAX_DELAY_S + 1]
            start = max([now, *waits])
            if start > now + MAX_DELAY_S:  # tries queued up in parallel: refuse, not check
                return None
            for key, (count, _) in zip(keys, entries, strict=True):
                state["keys"][key] = [int(count), start + _penalty(int(count) + 1)]
            if recent:  # others' recent failures: a small, bounded extra wait
                start += min(self.GLOBAL_DELAY_S, 0.01 * len(recent))
            self._save(state, now)
            return start

    def _record(self, keys: list[str], address: str, ok: bool) -> None:
        with self._lock:
            now = time.time()
            state = self._load()
            for key in keys:
                count, not_before = state["keys"].get(key, [0, 0.0])
                if ok:
                    state["keys"].pop(key, None)
                else:
                    state["keys"][key] = [int(count) + 1, float(not_before)]
            if ok and address not in state["trusted"]:
                state["trusted"] = [*state["trusted"][-49:], address]
            if not ok:
                state["recent"].append(now)
            self._save(state, now)

    def attempt(
        self,
        passphrase: str,
        path: Path | None = None,
        *,
        address: str = "unknown",
        session: str = "unknown",
    ) -> bool | None:
        """Wait for this client's penalty, then check: True, False, or None when refused
        without checking (too many tries queued, or the global ceiling). A right passphrase
        also opens this session at the server's front door (tracker.app.guard)."""
        keys = [f"address:{address}", f"session:{session}"]
        start = self._reserve(keys, address, time.time())
        if start is None:
            return None
        time.sleep(max(0.0, start - time.time()))
        ok = check_passphrase(passphrase, path or self._path)
        self._record(keys, address, ok)
        if ok and session != "unknown":  # the server's front door now lets it use the app
            from tracker.app.guard import OPEN_SESSIONS

            OPEN_SESSIONS.open(session)
        return ok


THROTTLE = Throttle()  # one per server process, outside every Streamlit cache
