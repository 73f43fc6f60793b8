"""Bring a journal's tables up to date on start, with a backup first; refuse newer ones."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from tracker.journal.config import sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
KEEP_BACKUPS = 5


class JournalRefused(RuntimeError):
    """This database cannot be opened as a journal; it is left untouched."""


class JournalTooNew(JournalRefused):
    """The journal was written by a newer Cramp Journal; it is left untouched."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision(engine: Engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(source: Path, target: Path) -> Path:
    """Copy a live SQLite journal with the online backup API (consistent while in use)."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not target.exists():
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)
    return target


def _prune_backups(folder: Path, stem: str, keep: int = KEEP_BACKUPS) -> None:
    backups = sorted(folder.glob(f"{stem}-before-*.db"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-keep]:
        old.unlink(missing_ok=True)


def _unforce_row_security(conn) -> list[str]:  # noqa: ANN001
    """On a practice's database, let this migration (as the tables' owner) see every
    account's rows, until the same transaction forces row-level security on again; the
    tables it lifted it from."""
    if conn.dialect.name != "postgresql":
        return []
    forced = [
        name
        for (name,) in conn.exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relforcerowsecurity"
        )
    ]
    for table in forced:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    return forced


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run migrations up to revision on this engine."""
    config = alembic_config(engine)
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            forced = _unforce_row_security(conn)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            for table in forced:
                conn.exec_driver_sql(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        return
    # SQLite rebuilds a table to change it; with foreign keys on, dropping the old `night`
    # would delete its cramps. They are switched off for this connection (only possible
    # outside a transaction), checked before the commit, and switched on again.
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise JournalRefused(f"an upgrade would break {len(broken)} links")
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def ensure_schema(engine: Engine) -> Path | None:
    """Create or upgrade the journal's tables; returns the backup taken, if any."""
    current, head = current_revision(engine), head_revision(engine)
    if current == head:
        return None
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    if current is not None:
        try:
            scripts.get_revision(current)
        except Exception as exc:
            raise JournalTooNew(
                "This journal was saved by a newer version of Cramp Journal "
                f"(schema {current}). It has not been changed. Update Cramp Journal "
                "to open it."
            ) from exc
    backup = None
    path = sqlite_path(str(engine.url))
    has_tables = bool(inspect(engine).get_table_names())
    if current is None and has_tables:
        raise JournalRefused(
            "This database already holds tables that Cramp Journal did not create, so it "
            "has not been changed. Point DATABASE_URL at an empty database or a journal file."
        )
    if path is not None and has_tables:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = backup_sqlite(
            path, path.parent / "backups" / f"{path.stem}-before-{head}-{stamp}.db"
        )
        _prune_backups(backup.parent, path.stem)
    upgrade(engine)
    return backup
