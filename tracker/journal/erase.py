"""Delete everything: every night, cramp and warning sign, and the settings, leaving no trace.

On SQLite the deleting connection uses secure_delete (freed space is overwritten with
zeros), then the write-ahead log is checkpointed and truncated and the file is rebuilt with
VACUUM, so no deleted text remains in journal.db, -wal or -shm. The automatic backups taken
before upgrades (data/backups/) are deleted too. On PostgreSQL the rows are deleted and the
tables rewritten (VACUUM FULL); the server's own logs and backups are its administrator's.
The tables themselves stay, so the app opens an empty journal afterwards.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from tracker.care.language import N_, _, ngettext
from tracker.journal.accounts import current_account
from tracker.journal.config import sqlite_path

TABLES = ("redflag", "cramp", "night", "experiment", "profile")  # children first


class EraseIncomplete(RuntimeError):
    """Erasing could not finish; the message says what is left and what to do (erase again)."""


NOTHING_ERASED = N_(  # said with _(...).format(reason=...)
    "Nothing was erased: the journal could not be changed ({reason}). Your journal is as it "
    "was. Make some space on the disk (or check that the journal file can be written), then "
    "erase again."
)
NOT_SCRUBBED = N_(
    "Everything was deleted, but the journal file could not be rebuilt to wipe the freed "
    "space ({reason}), so traces of deleted text may remain in it. Make some space on the disk, "
    "then erase again to finish."
)


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return _("the disk is full") if "full" in text.lower() else text


@dataclass(frozen=True)
class Erased:
    """How many nights were deleted, and which automatic backup files."""

    nights: int
    backups: list[Path]


def automatic_backups(engine: Engine) -> list[Path]:
    """The copies taken before upgrades of this SQLite journal (none for other databases)."""
    path = sqlite_path(str(engine.url))
    if path is None:
        return []
    return sorted((path.parent / "backups").glob(f"{path.stem}-before-*.db"))


def erase_warning(engine: Engine) -> str:
    """What erasing deletes and keeps, in her words, for a confirmation prompt."""
    path, backups = sqlite_path(str(engine.url)), automatic_backups(engine)
    everything = (
        _(
            "This deletes everything in the journal file {path}: every night, cramp and warning "
            "sign, and your settings (name, due date, birth date)."
        ).format(path=path)
        if path
        else _(
            "This deletes everything in the journal on the database server: every night, cramp "
            "and warning sign, and your settings (name, due date, birth date)."
        )
    )
    lines = [
        everything,
        _("It cannot be undone. To keep a copy, first run: {command}").format(
            command="cramp-journal export journal.json"
        ),
    ]
    if path is not None:
        lines.insert(1, ngettext(
            "The {count} automatic backup of it in {folder} is deleted too. Files you exported "
            "or backed up yourself are not touched.",
            "The {count} automatic backups of it in {folder} are deleted too. Files you "
            "exported or backed up yourself are not touched.",
            len(backups),
        ).format(count=len(backups), folder=path.parent / "backups"))  # fmt: skip
    else:
        lines.insert(1, _("Copies the server keeps itself (its logs, replicas and backups) are "
                          "up to its administrator."))  # fmt: skip
    return "\n".join(lines)


def _delete_rows_sqlite(conn: sqlite3.Connection) -> int:
    conn.execute("BEGIN IMMEDIATE")
    try:
        nights = conn.execute("SELECT COUNT(*) FROM night").fetchone()[0]
        for table in TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:  # a failed COMMIT may already have rolled back
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise EraseIncomplete(_(NOTHING_ERASED).format(reason=_reason(exc))) from None
        raise
    return nights


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the file and truncate it to zero bytes."""
    busy, _log, _moved = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise EraseIncomplete(
            _(
                "Everything was deleted, but the journal's log file could not be cleared "
                "because another program is reading it. Close other windows of the app and "
                "erase again."
            )
        )


def _erase_sqlite(engine: Engine, delete_backups: list[Path]) -> int:
    raw = engine.raw_connection()  # the engine's own connection: same timeouts, same WAL
    try:
        conn: sqlite3.Connection = raw.driver_connection
        conn.execute("PRAGMA secure_delete = ON")  # deleted text overwritten, not just unlinked
        nights = _delete_rows_sqlite(conn)
        _unlink(delete_backups)
        try:
            _checkpoint(conn)
            conn.execute("VACUUM")  # rebuild the file: no freed pages, no stale fragments
            _checkpoint(conn)  # VACUUM wrote the new file through the log
        except sqlite3.Error as exc:
            raise EraseIncomplete(_(NOT_SCRUBBED).format(reason=_reason(exc))) from None
    finally:
        raw.invalidate()  # drop the connection rather than pool it with secure_delete on
    return nights


def _erase_server(engine: Engine, delete_backups: list[Path]) -> int:
    # Her journal's rows only (on a practice's server row-level security holds this too).
    mine = {"account": current_account()}
    try:
        with engine.begin() as conn:
            nights = conn.execute(
                text("SELECT COUNT(*) FROM night WHERE account_id = :account"), mine
            ).scalar_one()
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table} WHERE account_id = :account"), mine)
            # and whom she shared it with: an erased journal is shared with nobody
            conn.execute(text("DELETE FROM share WHERE patient_id = :account"), mine)
            owner = conn.execute(
                text(
                    "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                    "WHERE relname = 'night' AND relkind = 'r'"
                )  # fmt: skip
            ).scalar_one_or_none()
    except SQLAlchemyError as exc:
        raise EraseIncomplete(_(NOTHING_ERASED).format(reason=_reason(exc.orig or exc))) from None
    _unlink(delete_backups)
    # Rewrite the tables (no dead row versions left) where this role may: on a practice's
    # server the app's role owns no table, and PostgreSQL's autovacuum reclaims the space.
    if engine.dialect.name == "postgresql" and owner:
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM FULL {', '.join(TABLES)}"))
        except SQLAlchemyError as exc:
            raise EraseIncomplete(_(NOT_SCRUBBED).format(reason=_reason(exc.orig or exc))) from None
    return nights


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            part.unlink(missing_ok=True)


def erase_journal(engine: Engine) -> Erased:
    """Delete every night, cramp, warning sign, the settings and the automatic backups."""
    backups = automatic_backups(engine)
    if engine.dialect.name == "sqlite":
        nights = _erase_sqlite(engine, backups)
    else:
        nights = _erase_server(engine, backups)
    return Erased(nights=nights, backups=backups)


OWNED_TABLES = ("redflag", "cramp", "night", "experiment", "profile", "journal_version", "access")


def remove_account(engine: Engine, email: str) -> Erased | None:
    """Delete a practice's account and every row of her journal (the database's cascade from
    the account row), check that none is left, and rewrite the tables so no dead row versions
    of hers remain; None when no account has this email. Run as the tables' owner."""
    with engine.begin() as conn:
        found = conn.execute(
            text("SELECT id FROM account WHERE email = :email AND email IS NOT NULL"),
            {"email": email},
        ).first()
        if found is None:
            return None
        who = {"account": found[0]}
        nights = conn.execute(
            text("SELECT COUNT(*) FROM night WHERE account_id = :account"), who
        ).scalar_one()
        conn.execute(text("DELETE FROM account WHERE id = :account"), who)
        for table in OWNED_TABLES:  # the cascade did it; a row left would be a bug: say so
            left = conn.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE account_id = :account"), who
            ).scalar_one()
            if left:
                raise EraseIncomplete(
                    f"Nothing was removed: {left} rows of {table} would have stayed."
                )
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM FULL account, {', '.join(OWNED_TABLES)}"))
    except SQLAlchemyError as exc:
        raise EraseIncomplete(_(NOT_SCRUBBED).format(reason=_reason(exc.orig or exc))) from None
    return Erased(nights=nights, backups=[])
