"""The engine: SQLite made durable (WAL, FULL sync, IMMEDIATE writes) or PostgreSQL."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, create_engine

from tracker.journal.accounts import install_account_setting
from tracker.journal.config import DATA_DIR, database_url, sqlite_path

BUSY_TIMEOUT_MS = 30_000
ATTEMPTS = 3  # tries of a transaction that failed only because another writer was in the way
# SQLite: the busy timeout ran out. PostgreSQL: serialization_failure, deadlock_detected.
_TRANSIENT_MESSAGES = ("database is locked", "database table is locked")
_TRANSIENT_SQLSTATES = {"40001", "40P01"}


def _prepare_sqlite_file(url: str) -> None:
    """Create data/ and an owner-only journal file before SQLite opens it."""
    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.parent.resolve() == DATA_DIR.resolve() and path.parent.stat().st_mode & 0o077:
        path.parent.chmod(0o700)  # data/ comes from the checkout as 0755: make it private
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # noqa: ANN001
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):  # noqa: ANN001
        # Take the write lock up front: deferred transactions that upgrade later fail
        # with "database is locked" under concurrent writers, whatever the timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    """An engine for the journal at url (default: DATABASE_URL or data/journal.db)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    install_account_setting(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_transient(exc: BaseException) -> bool:
    """True for a failure that trying the same transaction again can cure (a lock, a deadlock)."""
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return any(message in str(exc.orig) for message in _TRANSIENT_MESSAGES)


def pause_before_retry(attempt: int) -> None:
    """Wait a little longer after each failed try, with jitter so writers do not meet again."""
    time.sleep(random.uniform(0.05, 0.2) * attempt)
