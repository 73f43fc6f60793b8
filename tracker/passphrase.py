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

from .config import DATA_DIR

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


class Throttle:
    """Slows wrong guesses down: each failure doubles the wait, for everyone (per server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures = 0

    def delay(self) -> float:
        return 0.0 if self.failures == 0 else min(MAX_DELAY_S, 0.5 * 2 ** (self.failures - 1))

    def attempt(self, passphrase: str, path: Path | None = None) -> bool:
        """Wait for the current penalty, then check; a failure raises the next penalty."""
        with self._lock:  # one guess at a time
            time.sleep(self.delay())
            ok = check_passphrase(passphrase, path)
            self.failures = 0 if ok else self.failures + 1
            return ok
