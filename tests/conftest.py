"""Shared fixtures: a fresh journal per test, on SQLite and on a throwaway PostgreSQL server."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import settings
from sqlalchemy.engine import Engine

from tests.browser_support import chromium, free_port, require_chromium
from tracker.journal.db import make_engine
from tracker.journal.schema import ensure_schema

# The shared CI machine is slow and busy: no per-example deadline, same examples everywhere.
settings.register_profile("journal", deadline=None, derandomize=True)
settings.load_profile("journal")
# Outside `streamlit run` every cache clear logs "No runtime found"; that is expected here.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)


def _clear_streamlit_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of this test's own SQLite journal (not created until an engine opens it)."""
    return f"sqlite:///{tmp_path / 'data' / 'journal.db'}"


@pytest.fixture(autouse=True)
def isolated_journal(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[None]:
    """Point the app at a temp journal and drop Streamlit's cached engine around each test;
    a build ahead that a save started is finished before the next test."""
    from tracker.app import ahead

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setattr(ahead, "DELAY_S", 0.0)  # a test's page answers at once anyway
    _clear_streamlit_caches()
    yield
    ahead.wait()  # no build ahead of this test's journal runs on into the next test
    _clear_streamlit_caches()


SECRET = "blue whale at midnight"  # the LAN passphrase that secret_file sets


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A LAN passphrase (SECRET) set for this test, in a file of its own."""
    from tracker.app import passphrase as pp

    path = tmp_path / "secret" / "passphrase.json"
    monkeypatch.setenv(pp.PASSPHRASE_ENV, str(path))
    pp.set_passphrase(SECRET)
    return path


# --- PostgreSQL: one server per test session, one database per test -------------------------


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server: connect as postgres@127.0.0.1:port with trust auth."""

    port: int
    host: str = "127.0.0.1"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(
            host=self.host, port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where PostgreSQL must be tested."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def _postgres_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: pg_config, Debian's layout, then PATH."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        result = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if result.returncode != 0:
        _unavailable(f"{what} failed ({result.returncode}): {result.stderr or result.stdout}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start a private PostgreSQL server in a temp dir for the session; stop it at the end."""
    bindir = _postgres_bindir()
    if bindir is None:
        _unavailable("initdb/pg_ctl not found (install the postgresql package)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode:
        _unavailable("running as root but there is no 'postgres' user to run the server")
    # Not under pytest's tmp dir: the postgres user must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="cramp-journal-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            "pg_ctl start",
        )
        yield PostgresServer(port=port)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
                ),
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a brand-new, empty database on the session's server; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex}"
    postgres_server.admin(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    _clear_streamlit_caches()  # a cached app engine may still hold a connection
    postgres_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Journals ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def journal_url(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> str:
    """An empty journal's URL on each database in turn; DATABASE_URL points at it too."""
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def engine(journal_url: str) -> Iterator[Engine]:
    """A journal with the current schema, once on SQLite and once on PostgreSQL."""
    engine = make_engine(journal_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A SQLite journal with the current schema, for SQLite-only behaviour."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for a test module (skips on a laptop without it, fails in CI)."""
    require_chromium()
    with chromium() as launched:
        yield launched


# Tabs a test opened (browser.new_page/new_context) are closed when it ends, before its app
# server stops: a tab left open on a stopped server keeps retrying to reconnect, and a dozen of
# them in one module's Chromium took a whole core from the tests still running.
_OPEN_BEFORE = pytest.StashKey[set]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    browser = getattr(item, "funcargs", {}).get("browser")
    if browser is not None:
        item.stash[_OPEN_BEFORE] = set(browser.contexts)  # a module's own tabs stay open


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    browser = getattr(item, "funcargs", {}).get("browser")
    if browser is None or _OPEN_BEFORE not in item.stash or not browser.is_connected():
        return
    for context in [c for c in browser.contexts if c not in item.stash[_OPEN_BEFORE]]:
        context.close()
