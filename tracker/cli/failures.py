"""What a command says when it stops on a failure no command expected: what kind it is, truly.

A database error is said to be one (whatever raised it: SQLAlchemy, or sqlite3 and psycopg
directly); "the journal holds something this version cannot work with" only when a value read
from the journal could not be understood; anything else is a fault of Cramp Journal.
"""

from __future__ import annotations

import sqlite3
import sys
import traceback

from sqlalchemy.exc import SQLAlchemyError

from tracker.care.language import _

# What reading a stored value raises when the value is not what this version writes (a time
# that is not a time, a word not among an enum's, a number too big), seen inside SQLAlchemy.
VALUE_ERRORS = (ValueError, TypeError, LookupError, OverflowError)
# Commands that never write the journal (their files are written whole, at the end): a fault in
# one of them changed nothing. The others write in their own ways, so a fault says no more.
READ_ONLY = frozenset({"summary", "export", "backup", "reminder", "serve", "bench"})


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or while handling."""
    found: list[BaseException] = []
    while exc is not None and exc not in found:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def is_database_error(exc: BaseException) -> bool:
    """True when the database (or its driver) reported it."""
    kinds: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error)
    if (psycopg := sys.modules.get("psycopg")) is not None:
        kinds += (psycopg.Error,)
    return any(isinstance(e, kinds) for e in _chain(exc))


def is_unreadable_value(exc: BaseException) -> bool:
    """True when a value read from the journal could not be understood: a value error raised
    where SQLAlchemy turns a stored value into Python's (its result processors)."""
    if not isinstance(exc, VALUE_ERRORS) or exc.__traceback__ is None:
        return False
    innermost = traceback.extract_tb(exc.__traceback__)[-1].filename.replace("\\", "/")
    return "sqlalchemy/" in innermost


def failure_message(exc: BaseException, command: str, shown_url: str, opening: bool) -> str:
    """The one line saying why `command` stopped and how to go on (never a traceback); opening:
    it stopped while opening the journal, before the command itself ran."""
    kind = type(exc).__name__
    problem = kind
    if isinstance(exc, OSError):
        problem = (f"{exc.filename}: " if exc.filename else "") + (exc.strerror or kind)
    if is_database_error(exc):
        return _(
            "{command} stopped on a database error: the journal at {url} could not be opened "
            "or written ({kind}). Nothing was changed."
        ).format(command=command, url=shown_url, kind=kind)
    if is_unreadable_value(exc):
        return _(
            "{command} stopped: the journal at {url} holds something this version cannot work "
            "with ({kind}), perhaps written by an older version or by hand. Nothing was changed. "
            "Keep a copy with `cramp-journal export journal.json`; `cramp-journal experiments` "
            "lists plans that cannot run."
        ).format(command=command, url=shown_url, kind=kind)
    if isinstance(exc, ImportError):
        return _(
            "{command} stopped: it needs the Python package '{package}', which is not "
            "installed (pip install -e .)."
        ).format(command=command, package=exc.name or exc)
    if isinstance(exc, OSError) and opening:  # e.g. its folder cannot be made
        return _(
            "{command} stopped: the journal at {url} could not be opened or written ({problem}). "
            "Nothing was changed."
        ).format(command=command, url=shown_url, problem=problem)
    if isinstance(exc, OSError):
        return _("{command} stopped: a file could not be read or written ({problem}).").format(
            command=command, problem=problem
        )
    if command in READ_ONLY:
        said = _(
            "{command} stopped on an unexpected error ({kind}): a fault in Cramp Journal, not in "
            "your journal. Nothing was changed. Please report it with the command you ran."
        )
    else:
        said = _(
            "{command} stopped on an unexpected error ({kind}): a fault in Cramp Journal, not in "
            "your journal. Please report it with the command you ran."
        )
    return said.format(command=command, kind=kind)
