"""`cramp-journal import`: a diary CSV or a JSON backup, all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.cli.common import (
    MAX_PROBLEMS_SHOWN,
    CommandFailed,
    file_kind,
)
from tracker.exchange.backup_json import Backup, JsonError, import_json
from tracker.exchange.backup_read import read_json
from tracker.exchange.diary_csv import CsvError, import_diary
from tracker.exchange.diary_read import decode_diary, ignored_columns, read_diary
from tracker.journal.importing import ImportConflict


def _problem_lines(problems: list) -> str:
    lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return "\n".join(lines)


def _some(names: list[str], shown: int = 10) -> str:
    """The first names, and how many more: "a, b, c and 199,990 more"."""
    listed = ", ".join(names[:shown])
    return listed + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


def _read_entries(path: Path) -> tuple[str, list]:
    """The text of a diary CSV and its nights; CommandFailed lists what is wrong."""
    try:
        text = decode_diary(path.read_bytes())
        return text, read_diary(text)
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    except CsvError as exc:
        raise CommandFailed(
            f"{path}: nothing was imported. Fix these and try again:\n"
            + _problem_lines(exc.problems)
        ) from None


def _read_backup(path: Path) -> Backup:
    """The contents of a .json backup; CommandFailed lists what is wrong."""
    try:
        return read_json(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandFailed(f"{path}: nothing was imported: it is not UTF-8 JSON text") from None
    except JsonError as exc:
        raise CommandFailed(
            f"{path}: nothing was imported. Fix these and try again:\n"
            + _problem_lines(exc.problems)
        ) from None


def _conflict(path: Path, exc: ImportConflict, what: str) -> CommandFailed:
    return CommandFailed(
        f"{path}: nothing was imported. {what} already in the journal with different "
        f"data:\n{exc}\nAdd --replace to overwrite them with the file's version."
    )


def run_import(args: argparse.Namespace, engine: Engine) -> int:
    """Import a diary CSV or a .json backup: the whole file or nothing."""
    path = Path(args.file)
    kind = file_kind(path)
    if kind == "fhir":
        raise CommandFailed(
            f"{path}: a FHIR export is for clinical systems and cannot be imported; "
            "import the .json backup (cramp-journal export FILE.json) instead"
        )
    if kind == "pdf":
        raise CommandFailed(
            f"{path}: a PDF summary is for reading and cannot be imported; import the .json "
            "backup or the .csv diary instead"
        )
    text, source = _read_entries(path) if kind == "csv" else (None, _read_backup(path))
    with Session(engine) as session:
        try:
            if kind == "csv":
                result = import_diary(session=session, entries=source, replace=args.replace)
            else:
                result = import_json(session=session, backup=source, replace=args.replace)
        except ImportConflict as exc:
            raise _conflict(
                path, exc, "These nights are" if kind == "csv" else "These are"
            ) from None
    print(
        f"Imported {path}: {result.added} nights added, {result.updated} replaced, "
        f"{result.unchanged} already in the journal."
        + (f" Settings: {result.profile}." if kind == "json" else "")
    )
    if text and (ignored := ignored_columns(text)):
        print("Ignored columns (not part of the diary format): " + _some(ignored))
    return 0


def add_import(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `import FILE`: read a diary CSV or a .json backup into the journal."""
    parser = subparsers.add_parser(
        "import",
        parents=[common],
        help="import a diary .csv or a .json backup (all of it or nothing)",
        description="Import a diary CSV (one row per cramp) or a .json backup made by "
        "`export FILE.json`. Nothing is written if any night is wrong or conflicts.",
    )
    parser.add_argument("file", help="the .csv diary or .json backup to read")
    parser.add_argument(
        "--replace", action="store_true", help="overwrite nights the journal already has"
    )
    parser.set_defaults(run=run_import)
