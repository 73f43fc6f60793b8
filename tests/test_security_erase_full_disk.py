"""Erase on a disk that is full: she is told it could not finish, and nothing is lost."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.factories import count_rows
from tests.test_erase import fill
from tracker.journal.config import sqlite_path

ROOT = Path(__file__).resolve().parent.parent


def _files_cannot_grow() -> None:
    """In the child: no file may grow past 40 kB (writes fail as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE semantics are Linux's")
def test_erase_on_a_full_disk_says_so_and_erases_nothing(
    sqlite_engine: Engine, sqlite_url: str
) -> None:
    fill(sqlite_engine)
    sqlite_engine.dispose()
    path = sqlite_path(sqlite_url)
    before = path.read_bytes()
    assert len(before) > 40_000  # the journal is bigger than what may be written
    result = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "erase", "--yes", "--db", sqlite_url],
        cwd=ROOT, preexec_fn=_files_cannot_grow, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "Nothing was erased" in result.stderr and "space on the disk" in result.stderr
    assert path.read_bytes() == before
    assert count_rows(sqlite_engine, "night") == 40


def test_on_postgresql_a_refused_delete_is_a_message_and_nothing_is_lost(
    postgres_server,
    postgres_url: str,  # noqa: ANN001
) -> None:
    from tracker.journal.db import make_engine
    from tracker.journal.erase import EraseIncomplete, erase_journal
    from tracker.journal.schema import ensure_schema

    engine = make_engine(postgres_url)
    ensure_schema(engine)
    fill(engine, nights=5)
    engine.dispose()
    name = postgres_url.rsplit("/", 1)[1]
    # The server refuses every change to this database, as when its disk is full.
    postgres_server.admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        with pytest.raises(EraseIncomplete, match="Nothing was erased"):
            erase_journal(make_engine(postgres_url))
    finally:
        postgres_server.admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    assert count_rows(make_engine(postgres_url), "night") == 5
