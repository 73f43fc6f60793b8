"""What every command shares: exit codes, CommandFailed, dates and private files."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

from tracker.care.language import _

MAX_PROBLEMS_SHOWN = 50
EXIT_FAILED, EXIT_USAGE = 1, 2


class CommandFailed(RuntimeError):
    """A command could not do its job; the message says why and what to do."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, all at once (never a half-written file)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise CommandFailed(
            _("{path} already exists: choose another name or add --force").format(path=path)
        )


def iso_date(text: str) -> dt.date:
    """A YYYY-MM-DD command-line date, or argparse's error naming what to write."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a date: write it like 2026-03-01").format(text=text)
        ) from None


def whole_number(text: str) -> int:
    """A whole number on the command line (--seed, --remove), or argparse's error saying so."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a whole number").format(text=text)
        ) from None


def file_kind(path: Path) -> str:
    """What a file holds, by its name: fhir (.fhir.json), json (.json backup), pdf or csv."""
    name = path.name.lower()
    if name.endswith(".pdf"):
        return "pdf"
    return "fhir" if name.endswith(".fhir.json") else "json" if name.endswith(".json") else "csv"
