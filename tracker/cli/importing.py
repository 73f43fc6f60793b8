"""`cramp-journal import`: a diary CSV or a JSON backup, all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.care import language
from tracker.care.language import N_, _
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

# What became of the settings in a .json backup (by backup_json.PROFILE_ACTIONS), said with _.
PROFILE_SAID = {
    "not in the file": N_("Settings: not in the file."),
    "restored": N_("Settings: restored."),
    "unchanged": N_("Settings: unchanged."),
    "replaced": N_("Settings: replaced."),
}


def _problem_lines(problems: list) -> str:
    lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(_("... and {count} more").format(count=len(problems) - MAX_PROBLEMS_SHOWN))
    return "\n".join(lines)


def _some(names: list[str], shown: int = 10) -> str:
    """The first names, and how many more: "a, b, c and 199,990 more"."""
    listed = ", ".join(names[:shown])
    if len(names) <= shown:
        return listed
    more = language.count(len(names) - shown)  # 199,990 in English, 199.990 in Spanish
    return _("{names} and {count} more").format(names=listed, count=more)


def _cannot_read(path: Path, exc: OSError) -> str:
    return _("cannot read {path}: {problem}").format(path=path, problem=exc.strerror or exc)


def _refused(path: Path, problems: list) -> str:
    """Nothing imported, and each thing to fix (the problems are said by the exchange layer)."""
    return (
        _("{path}: nothing was imported. Fix these and try again:").format(path=path)
        + "\n"
        + _problem_lines(problems)
    )


def _read_entries(path: Path) -> tuple[str, list]:
    """The text of a diary CSV and its nights; CommandFailed lists what is wrong."""
    try:
        text = decode_diary(path.read_bytes())
        return text, read_diary(text)
    except OSError as exc:
        raise CommandFailed(_cannot_read(path, exc)) from None
    except CsvError as exc:
        raise CommandFailed(_refused(path, exc.problems)) from None


def _read_backup(path: Path) -> Backup:
    """The contents of a .json backup; CommandFailed lists what is wrong."""
    try:
        return read_json(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise CommandFailed(_cannot_read(path, exc)) from None
    except UnicodeDecodeError:
        raise CommandFailed(
            _("{path}: nothing was imported: it is not UTF-8 JSON text").format(path=path)
        ) from None
    except JsonError as exc:
        raise CommandFailed(_refused(path, exc.problems)) from None


def _conflict(path: Path, exc: ImportConflict, kind: str) -> CommandFailed:
    if kind == "csv":
        said = _(
            "{path}: nothing was imported. These nights are already in the journal with "
            "different data:\n{conflicts}\nAdd --replace to overwrite them with the file's "
            "version."
        )
    else:
        said = _(
            "{path}: nothing was imported. These are already in the journal with different "
            "data:\n{conflicts}\nAdd --replace to overwrite them with the file's version."
        )
    return CommandFailed(said.format(path=path, conflicts=exc))


def run_import(args: argparse.Namespace, engine: Engine) -> int:
    """Import a diary CSV or a .json backup: the whole file or nothing."""
    path = Path(args.file)
    kind = file_kind(path)
    if kind == "fhir":
        raise CommandFailed(
            _(
                "{path}: a FHIR export is for clinical systems and cannot be imported; import "
                "the .json backup (cramp-journal export FILE.json) instead"
            ).format(path=path)
        )
    if kind == "pdf":
        raise CommandFailed(
            _(
                "{path}: a PDF summary is for reading and cannot be imported; import the .json "
                "backup or the .csv diary instead"
            ).format(path=path)
        )
    text, source = _read_entries(path) if kind == "csv" else (None, _read_backup(path))
    with Session(engine) as session:
        try:
            if kind == "csv":
                result = import_diary(session=session, entries=source, replace=args.replace)
            else:
                result = import_json(session=session, backup=source, replace=args.replace)
        except ImportConflict as exc:
            raise _conflict(path, exc, kind) from None
    said = _(
        "Imported {path}: {added} nights added, {updated} replaced, {unchanged} already in the "
        "journal."
    ).format(path=path, added=result.added, updated=result.updated, unchanged=result.unchanged)
    if kind == "json":
        said += " " + _(PROFILE_SAID[result.profile])
    print(said)
    if text and (ignored := ignored_columns(text)):
        print(
            _("Ignored columns (not part of the diary format): {columns}").format(
                columns=_some(ignored)
            )
        )
    return 0


def add_import(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `import FILE`: read a diary CSV or a .json backup into the journal."""
    parser = subparsers.add_parser(
        "import",
        parents=[common],
        help=_("import a diary .csv or a .json backup (all of it or nothing)"),
        description=_(
            "Import a diary CSV (one row per cramp) or a .json backup made by `export "
            "FILE.json`. Nothing is written if any night is wrong or conflicts."
        ),
    )
    parser.add_argument("file", metavar=_("FILE"), help=_("the .csv diary or .json backup to read"))
    parser.add_argument(
        "--replace", action="store_true", help=_("overwrite nights the journal already has")
    )
    parser.set_defaults(run=run_import)
