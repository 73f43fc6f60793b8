"""`cramp-journal backup`: a checked copy of the SQLite journal file."""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.care.language import _, ngettext
from tracker.cli.common import (
    CommandFailed,
    refuse_existing,
)
from tracker.journal.config import sqlite_path
from tracker.journal.schema import backup_sqlite


def _checked_copy(source: Path, target: Path) -> int:
    """Copy the live journal to target via a temp file; the copy's night count."""
    temp = target.with_name(f".{target.name}.partial")
    try:
        backup_sqlite(source, temp)
        with sqlite3.connect(temp) as copy:
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            nights = copy.execute("SELECT COUNT(*) FROM night").fetchone()[0]
        copy.close()
        if result != "ok":
            raise CommandFailed(
                _("the copy failed its integrity check ({result}); try again").format(result=result)
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return nights


def run_backup(args: argparse.Namespace, engine: Engine) -> int:
    """Copy a live SQLite journal consistently (safe while the app is saving)."""
    source, target = sqlite_path(args.url), Path(args.file)
    if engine.dialect.name != "sqlite" or source is None:
        raise CommandFailed(
            _(
                "backup copies a SQLite journal file, and this journal is not one ({database}). "
                "Run `cramp-journal export FILE.json` for a backup of everything in it, or use "
                "the server's own tools (pg_dump for PostgreSQL)."
            ).format(database=engine.dialect.name)
        )
    if target.resolve() == source.resolve():
        raise CommandFailed(
            _("{path} is the journal itself: choose another file").format(path=target)
        )
    refuse_existing(target, args.force)
    try:
        nights = _checked_copy(source, target)
    except (OSError, sqlite3.Error) as exc:
        raise CommandFailed(
            _("cannot write {path}: {problem}").format(path=target, problem=exc)
        ) from None
    print(
        ngettext(
            "Backed up the journal ({count} night) to {path}; its integrity check passed.",
            "Backed up the journal ({count} nights) to {path}; its integrity check passed.",
            nights,
        ).format(count=nights, path=target)
    )
    return 0


def add_backup(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `backup FILE`: a consistent copy of the SQLite journal file."""
    parser = subparsers.add_parser(
        "backup",
        parents=[common],
        help=_("copy the SQLite journal file safely, even while the app is running"),
        description=_(
            "Copy the SQLite journal with SQLite's online backup API: a consistent copy even "
            "while the app is saving. The copy opens as a journal (--db sqlite:///FILE)."
        ),
    )
    parser.add_argument(
        "file", metavar=_("FILE"), help=_("the copy to write, e.g. journal-2025-03-14.db")
    )
    parser.add_argument("--force", action="store_true", help=_("overwrite the file if it exists"))
    parser.set_defaults(run=run_backup)
