"""The `cramp-journal` command: start the app, fill a sample journal, import and export CSV.

Each subcommand is an `add_<name>(subparsers, common)` that registers its options and a
`run_<name>(args, engine) -> exit code`; a new command is one more pair listed in COMMANDS.
Every command opens the journal through ensure_schema (upgrading it, with a backup, if needed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session

from .config import PROJECT_ROOT, database_url
from .db import make_engine
from .demo import DEFAULT_SEED, JournalNotEmpty, fill_demo
from .diary_csv import (
    CsvError,
    ImportConflict,
    decode_diary,
    encode_diary,
    export_diary,
    ignored_columns,
    import_diary,
    read_diary,
)
from .journal import list_nights
from .schema import JournalTooNew, ensure_schema

# Passed before her own options, so the app stays private even without .streamlit/config.toml.
PRIVATE_DEFAULTS = [
    "--browser.gatherUsageStats", "false",
    "--server.address", "127.0.0.1",
    "--client.toolbarMode", "minimal",
    "--client.showErrorDetails", "none",
]  # fmt: skip
MAX_PROBLEMS_SHOWN = 50
EXIT_FAILED, EXIT_USAGE = 1, 2


class CommandFailed(RuntimeError):
    """A command could not do its job; the message says why and what to do."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


# --- serve ------------------------------------------------------------------------------------


def serve_command(extra: list[str]) -> list[str]:
    """The `streamlit run` command line for the app, private defaults first."""
    app = PROJECT_ROOT / "streamlit_app.py"
    return [sys.executable, "-m", "streamlit", "run", str(app), *PRIVATE_DEFAULTS, *extra]


def run_serve(args: argparse.Namespace, engine: Engine) -> int:
    """Run the app until it stops; its exit code is ours."""
    env = {**os.environ, "DATABASE_URL": args.url}
    process = subprocess.Popen(serve_command(args.extra), cwd=PROJECT_ROOT, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return process.wait()  # Streamlit got the same Ctrl+C and is shutting down


def add_serve(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `serve`: run the app with Streamlit."""
    parser = subparsers.add_parser(
        "serve",
        parents=[common],
        help="start the app (other options go to `streamlit run`)",
        description="Start the app. Further options go to `streamlit run`, "
        "e.g. --server.port 8502.",
    )
    parser.set_defaults(run=run_serve, passthrough=True)


# --- demo -------------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace, engine: Engine) -> int:
    """Fill the journal with the sample pregnancy."""
    with Session(engine) as session:
        try:
            demo = fill_demo(session=session, seed=args.seed, force=args.force)
        except JournalNotEmpty as exc:
            raise CommandFailed(
                f"{exc} The sample only goes into an empty journal. Add --force to add it "
                "anyway (it replaces any nights on the same dates)."
            ) from None
    first, last = demo.nights[0].night, demo.nights[-1].night
    print(
        f"Added a sample pregnancy: {len(demo.nights)} nights from {first} (week 24) "
        f"to {last}. The due date is set to {demo.due_date}."
    )
    return 0


def add_demo(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `demo`: fill an empty journal with the sample."""
    parser = subparsers.add_parser(
        "demo", parents=[common], help="fill an empty journal with a sample pregnancy"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same sample")
    parser.add_argument(
        "--force", action="store_true", help="also fill a journal that already has nights"
    )
    parser.set_defaults(run=run_demo)


# --- import -----------------------------------------------------------------------------------


def _problem_lines(problems: list) -> str:
    lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return "\n".join(lines)


def run_import(args: argparse.Namespace, engine: Engine) -> int:
    """Import a diary CSV: the whole file or nothing."""
    path = Path(args.file)
    try:
        text = decode_diary(path.read_bytes())
        entries = read_diary(text)
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    except CsvError as exc:
        raise CommandFailed(
            f"{path}: nothing was imported. Fix these and try again:\n"
            + _problem_lines(exc.problems)
        ) from None
    with Session(engine) as session:
        try:
            result = import_diary(session=session, entries=entries, replace=args.replace)
        except ImportConflict as exc:
            raise CommandFailed(
                f"{path}: nothing was imported. These nights are already in the journal with "
                f"different data:\n{exc}\nAdd --replace to overwrite them with the file's version."
            ) from None
    print(
        f"Imported {path}: {result.added} nights added, {result.updated} replaced, "
        f"{result.unchanged} already in the journal."
    )
    if ignored := ignored_columns(text):
        print("Ignored columns (not part of the diary format): " + ", ".join(ignored))
    return 0


def add_import(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `import FILE`: read a diary CSV into the journal."""
    parser = subparsers.add_parser(
        "import", parents=[common], help="import a diary CSV (all of it or nothing)"
    )
    parser.add_argument("file", help="the CSV file: one row per cramp")
    parser.add_argument(
        "--replace", action="store_true", help="overwrite nights the journal already has"
    )
    parser.set_defaults(run=run_import)


# --- export -----------------------------------------------------------------------------------


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


def run_export(args: argparse.Namespace, engine: Engine) -> int:
    """Export every night as a diary CSV."""
    path = Path(args.file)
    if path.exists() and not args.force:
        raise CommandFailed(f"{path} already exists: choose another name or add --force")
    with Session(engine) as session:
        nights = list_nights(session=session)
    try:
        write_private(path, encode_diary(export_diary(nights)))
    except OSError as exc:
        raise CommandFailed(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"Exported {len(nights)} nights to {path}.")
    return 0


def add_export(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `export FILE`: write the journal as a diary CSV."""
    parser = subparsers.add_parser("export", parents=[common], help="export the diary as CSV")
    parser.add_argument("file", help="the CSV file to write, e.g. diary.csv")
    parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    parser.set_defaults(run=run_export)


# --- main -------------------------------------------------------------------------------------

COMMANDS = (add_serve, add_demo, add_import, add_export)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    db_help = "the journal's database URL (default: DATABASE_URL, else data/journal.db)"
    parser = argparse.ArgumentParser(
        prog="cramp-journal",
        allow_abbrev=False,
        description="A local-first journal for night-time leg cramps in pregnancy.",
    )
    parser.add_argument("--db", metavar="URL", help=db_help)
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers, common)
    return parser


def open_journal(url: str) -> Engine:
    """An engine for the journal, its tables brought up to date (a backup is taken first)."""
    engine = make_engine(url)
    backup = ensure_schema(engine)
    if backup is not None:
        print(f"Upgraded the journal; the old version is saved in {backup}", file=sys.stderr)
    return engine


def _shown(url: str) -> str:
    """The URL without its password."""
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 failed, 2 usage or too-new journal)."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and not getattr(args, "passthrough", False):
            parser.error("unrecognized arguments: " + " ".join(extra))
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.extra, args.url = extra, database_url(args.db)
    try:
        engine = open_journal(args.url)
        try:
            return args.run(args, engine)
        finally:
            engine.dispose()
    except CommandFailed as exc:
        print(f"cramp-journal: {exc}", file=sys.stderr)
        return exc.code
    except ArgumentError:
        print(
            "cramp-journal: the database URL (--db or DATABASE_URL) is not valid "
            "(for example sqlite:///data/journal.db)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except JournalTooNew as exc:
        print(f"cramp-journal: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as exc:
        print(
            f"cramp-journal: the journal at {_shown(args.url)} could not be opened or "
            f"written ({type(exc).__name__}). Nothing was changed.",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
