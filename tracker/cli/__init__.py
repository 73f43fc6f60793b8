"""The `cramp-journal` command: the app, a sample journal, import/export, backup, erase.

Each subcommand is an `add_<name>(subparsers, common)` that registers its options and a
`run_<name>(args, engine) -> exit code`; a new command is one more pair listed in COMMANDS.
Every command opens the journal through ensure_schema (upgrading it, with a backup, if needed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session

from tracker.exchange.backup_json import Backup, JsonError, export_json, import_json, read_json
from tracker.exchange.diary_csv import (
    CsvError,
    decode_diary,
    encode_diary,
    export_diary,
    ignored_columns,
    import_diary,
    read_diary,
)
from tracker.exchange.fhir import export_fhir
from tracker.exchange.reminder import reminder_ics
from tracker.journal.config import PROJECT_ROOT, database_url, sqlite_path
from tracker.journal.db import make_engine
from tracker.journal.demo import DEFAULT_SEED, JournalNotEmpty, fill_demo
from tracker.journal.entries import parse_time
from tracker.journal.erase import EraseIncomplete, erase_journal, erase_warning
from tracker.journal.importing import ImportConflict
from tracker.journal.schema import JournalRefused, backup_sqlite, ensure_schema
from tracker.journal.store import list_nights

# Passed before her own options, so the app stays private even without .streamlit/config.toml.
PRIVATE_DEFAULTS = [
    "--browser.gatherUsageStats", "false",
    "--server.address", "127.0.0.1",
    "--client.toolbarMode", "minimal",
    "--client.showErrorDetails", "none",
    "--server.enableAgentApi", "false",
]  # fmt: skip
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
MAX_PROBLEMS_SHOWN = 50
STOP_GRACE_S = 8.0  # how long the app may take to stop when asked
EXIT_FAILED, EXIT_USAGE = 1, 2


class CommandFailed(RuntimeError):
    """A command could not do its job; the message says why and what to do."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


# --- serve ------------------------------------------------------------------------------------


def serve_command(extra: list[str], hosts: list[str] | None = None) -> list[str]:
    """The `streamlit run` command line for the app behind its guard, private defaults first."""
    app = PROJECT_ROOT / "server_app.py"
    pinned = [arg for host in hosts or LOOPBACK_HOSTS for arg in ("--server.allowedHosts", host)]
    return [sys.executable, "-m", "streamlit", "run", str(app), *PRIVATE_DEFAULTS, *pinned, *extra]


def network_addresses() -> list[str]:
    """The addresses this machine uses on the network (IPv4 first); none when offline."""
    import socket

    found = []
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:  # connecting a UDP socket picks the route and sends nothing
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.append(udp.getsockname()[0].split("%")[0])
        except OSError:
            pass
    return found


def own_host_names() -> list[str]:
    """This machine's names and addresses, as a phone on the network may use them."""
    import socket

    names = {socket.gethostname(), socket.getfqdn()}
    names |= {f"{name.split('.')[0]}.local" for name in set(names) if name}
    names |= set(network_addresses())
    with contextlib.suppress(OSError, UnicodeError):  # from /etc/hosts, never the network
        names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    names -= {"localhost.local", "localhost.localdomain.local"}
    return sorted(n.split("%")[0].lower() for n in names if n)


def _allowed_hosts(args: argparse.Namespace) -> list[str]:
    hosts = list(LOOPBACK_HOSTS)
    if getattr(args, "lan", False):
        hosts += own_host_names()
    hosts += [name.strip().lower() for name in args.host or [] if name.strip()]
    return list(dict.fromkeys(hosts))


def _stop_with_parent() -> None:
    """In the app's process (Linux): get SIGTERM if serve dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_app(command: list[str], env: dict[str, str]) -> int:
    """Run the app as a child; forward SIGTERM, SIGINT and SIGHUP to it and wait until it stops."""
    import signal

    process = subprocess.Popen(  # its own process group: a Ctrl+C reaches it once, from us
        command, cwd=PROJECT_ROOT, env=env, process_group=0, preexec_fn=_stop_with_parent
    )
    stopping: list[float] = []  # when each stop signal came

    def forward(signum: int, frame: object) -> None:
        stopping.append(time.monotonic())
        if process.poll() is None:  # SIGHUP too becomes a clean stop of the app
            process.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    try:
        while (code := process.poll()) is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
            if stopping and time.monotonic() - stopping[0] > STOP_GRACE_S:
                process.kill()  # asked to stop and still running: it must not keep serving
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process.poll() is None:
            process.kill()
            process.wait()
    return 0 if stopping else code  # stopped because she asked (Streamlit then says 1)


def run_serve(args: argparse.Namespace, engine: Engine) -> int:
    """Run the app until it stops; its exit code is ours."""
    from tracker.app.guard import HOSTS_ENV
    from tracker.app.passphrase import LAN_ENV, has_passphrase

    env = {**os.environ, "DATABASE_URL": args.url}
    extra = list(args.extra)
    if getattr(args, "lan", False):
        if not has_passphrase():
            raise CommandFailed(
                "serve --lan opens the journal to your home network, so it needs a passphrase "
                "first: run `cramp-journal passphrase`, then try again."
            )
        env[LAN_ENV] = "1"
        extra = ["--server.address", "0.0.0.0", *extra]
        if addresses := network_addresses():  # else Streamlit asks a web service for her IP
            extra = ["--browser.serverAddress", addresses[0], *extra]
    else:
        env.pop(LAN_ENV, None)
    hosts = _allowed_hosts(args)
    env[HOSTS_ENV] = ",".join(hosts)
    env["FORWARDED_ALLOW_IPS"] = ""  # no client may claim another address (X-Forwarded-For)
    return run_app(serve_command(extra, hosts), env)


def add_serve(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `serve`: run the app with Streamlit."""
    parser = subparsers.add_parser(
        "serve",
        parents=[common],
        help="start the app (other options go to `streamlit run`)",
        description="Start the app. Further options go to `streamlit run`, "
        "e.g. --server.port 8502. The app answers only to this machine's own names "
        "(localhost; with --lan also its network addresses and host name) and to --host.",
    )
    parser.add_argument(
        "--lan",
        action="store_true",
        help="also listen on your home network (asks for the passphrase in every new browser "
        "session; set it first with `cramp-journal passphrase`)",
    )
    parser.add_argument(
        "--host",
        action="append",
        metavar="NAME",
        help="another name the app is opened by (e.g. journal.home.arpa); repeatable",
    )
    parser.set_defaults(run=run_serve, passthrough=True)


# --- passphrase -------------------------------------------------------------------------------


def run_passphrase(args: argparse.Namespace, engine: Engine) -> int:
    """Set the passphrase for `serve --lan` (stored only as a salted scrypt hash)."""
    import getpass

    from tracker.app.passphrase import set_passphrase

    if args.stdin:
        first = second = sys.stdin.readline().rstrip("\n")
    else:
        first = getpass.getpass("New passphrase (at least 10 characters): ")
        second = getpass.getpass("Again: ")
    if first != second:
        raise CommandFailed("the two passphrases differ: nothing was changed")
    try:
        path = set_passphrase(first)
    except ValueError as exc:
        raise CommandFailed(f"{exc}: nothing was changed") from None
    print(f"Passphrase set (only a salted scrypt hash is kept, in {path}).")
    return 0


def add_passphrase(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `passphrase`: set the passphrase that `serve --lan` asks for."""
    parser = subparsers.add_parser(
        "passphrase", parents=[common], help="set the passphrase for serve --lan"
    )
    parser.add_argument("--stdin", action="store_true", help="read it from standard input")
    parser.set_defaults(run=run_passphrase)


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


def _some(names: list[str], shown: int = 10) -> str:
    """The first names, and how many more: "a, b, c and 199,990 more"."""
    listed = ", ".join(names[:shown])
    return listed + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


def _kind(path: Path) -> str:
    """What a file holds, by its name: fhir (.fhir.json), json (.json backup), pdf or csv."""
    name = path.name.lower()
    if name.endswith(".pdf"):
        return "pdf"
    return "fhir" if name.endswith(".fhir.json") else "json" if name.endswith(".json") else "csv"


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
    kind = _kind(path)
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


def _export_text(kind: str, engine: Engine) -> tuple[str, str]:
    """The file's text and what it holds, for the message."""
    if kind == "csv":
        with Session(engine) as session:
            nights = list_nights(session=session)
        return export_diary(nights), f"{len(nights)} nights"
    if kind == "json":
        text = export_json(engine)
        return text, f"{len(json.loads(text)['nights'])} nights and the settings"
    text = export_fhir(engine)
    count = sum(e["resource"]["resourceType"] == "Observation" for e in json.loads(text)["entry"])
    return text, f"{count} FHIR observations"


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise CommandFailed(f"{path} already exists: choose another name or add --force")


def iso_date(text: str) -> dt.date:
    """A YYYY-MM-DD command-line date, or argparse's error naming what to write."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: write it like 2026-03-01"
        ) from None


def _summary_pdf(args: argparse.Namespace, engine: Engine) -> tuple[bytes, str]:
    """The appointment summary PDF for --from/--to (default: since the last appointment)."""
    from tracker.exchange.report import appointment_pdf, day_text, default_period
    from tracker.insights.frames import connection, load_profile

    with connection(engine) as conn:
        profile = load_profile(conn)
    end = args.end or dt.date.today() - dt.timedelta(days=1)
    start = args.start or default_period(profile, end)[0]
    if start > end:
        raise CommandFailed("--from must be on or before --to", EXIT_USAGE)
    data = appointment_pdf(engine, start=start, end=end, paper=args.paper)
    return data, f"the summary of the nights {day_text(start)} to {day_text(end)}"


def run_export(args: argparse.Namespace, engine: Engine) -> int:
    """Export the journal as a diary CSV, a .json backup, a .fhir.json bundle or a PDF summary."""
    path = Path(args.file)
    _refuse_existing(path, args.force)
    kind = _kind(path)
    if kind != "pdf" and (args.start or args.end):
        raise CommandFailed("--from and --to only apply to a .pdf summary", EXIT_USAGE)
    if kind == "pdf":
        data, what = _summary_pdf(args, engine)
    else:
        text, what = _export_text(kind, engine)
        data = encode_diary(text) if kind == "csv" else text.encode("utf-8")
    try:
        write_private(path, data)
    except OSError as exc:
        raise CommandFailed(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"Exported {what} to {path}.")
    return 0


def add_export(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `export FILE`: the journal as CSV, JSON backup or FHIR, by the file's name."""
    parser = subparsers.add_parser(
        "export",
        parents=[common],
        help="export: FILE.csv diary, FILE.json full backup, FILE.fhir.json for clinics, "
        "FILE.pdf appointment summary",
        description="Export the whole journal. The file name decides the format: .csv is the "
        "diary (one row per cramp), .json a complete backup that `import` restores exactly, "
        ".fhir.json a FHIR R4 bundle of patient-reported observations for clinical systems. "
        ".pdf is the appointment summary of --from/--to (default: since the last appointment "
        "set in Settings, else the last 4 weeks).",
    )
    parser.add_argument(
        "file", help="the file to write: diary.csv, journal.json, x.fhir.json or summary.pdf"
    )
    parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    parser.add_argument(
        "--from", dest="start", metavar="DATE", type=iso_date, help="PDF: first night, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        type=iso_date,
        help="PDF: last night (default: last night)",
    )
    parser.add_argument(
        "--paper", choices=("A4", "Letter"), default="A4", help="PDF: paper size (default A4)"
    )
    parser.set_defaults(run=run_export)


# --- backup -----------------------------------------------------------------------------------


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
            raise CommandFailed(f"the copy failed its integrity check ({result}); try again")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return nights


def run_backup(args: argparse.Namespace, engine: Engine) -> int:
    """Copy a live SQLite journal consistently (safe while the app is saving)."""
    source, target = sqlite_path(args.url), Path(args.file)
    if engine.dialect.name != "sqlite" or source is None:
        raise CommandFailed(
            "backup copies a SQLite journal file, and this journal is not one "
            f"({engine.dialect.name}). Run `cramp-journal export FILE.json` for a backup of "
            "everything in it, or use the server's own tools (pg_dump for PostgreSQL)."
        )
    if target.resolve() == source.resolve():
        raise CommandFailed(f"{target} is the journal itself: choose another file")
    _refuse_existing(target, args.force)
    try:
        nights = _checked_copy(source, target)
    except (OSError, sqlite3.Error) as exc:
        raise CommandFailed(f"cannot write {target}: {exc}") from None
    print(f"Backed up the journal ({nights} nights) to {target}; its integrity check passed.")
    return 0


def add_backup(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `backup FILE`: a consistent copy of the SQLite journal file."""
    parser = subparsers.add_parser(
        "backup",
        parents=[common],
        help="copy the SQLite journal file safely, even while the app is running",
        description="Copy the SQLite journal with SQLite's online backup API: a consistent "
        "copy even while the app is saving. The copy opens as a journal (--db sqlite:///FILE).",
    )
    parser.add_argument("file", help="the copy to write, e.g. journal-2025-03-14.db")
    parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    parser.set_defaults(run=run_backup)


# --- erase ------------------------------------------------------------------------------------


def run_erase(args: argparse.Namespace, engine: Engine) -> int:
    """Delete everything after she types "erase" (or --yes)."""
    print(erase_warning(engine))
    if not args.yes:
        try:
            answer = input('Type "erase" to delete everything: ')
        except EOFError:
            answer = ""
        if answer.strip().lower() != "erase":
            raise CommandFailed("nothing was deleted")
    try:
        erased = erase_journal(engine)
    except EraseIncomplete as exc:
        raise CommandFailed(str(exc)) from None
    backups = f" and {len(erased.backups)} automatic backups" if erased.backups else ""
    print(f"Erased {erased.nights} nights, the settings{backups}. The journal is empty.")
    return 0


def add_erase(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `erase`: delete the whole journal, after confirmation."""
    parser = subparsers.add_parser(
        "erase",
        parents=[common],
        help="delete everything in the journal and its automatic backups (asks first)",
        description="Delete every night, cramp, warning sign and the settings, and the "
        "automatic backups in data/backups/, leaving no trace in the journal file. Asks you "
        'to type "erase" unless --yes is given.',
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(run=run_erase)


# --- reminder ---------------------------------------------------------------------------------


def _clock(text: str) -> dt.time:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_reminder(args: argparse.Namespace, engine: Engine) -> int:
    """Write a calendar file with a daily reminder to log last night."""
    path = Path(args.file)
    _refuse_existing(path, args.force)
    try:
        write_private(path, reminder_ics(at=args.at))
    except OSError as exc:
        raise CommandFailed(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"Wrote {path}: a reminder every day at {args.at:%H:%M}. Open it with your calendar.")
    return 0


def add_reminder(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `reminder FILE.ics`: a daily calendar reminder to log last night."""
    parser = subparsers.add_parser(
        "reminder",
        parents=[common],
        help="write a calendar file (.ics) that reminds you every morning to log",
    )
    parser.add_argument("file", help="the calendar file to write, e.g. reminder.ics")
    parser.add_argument(
        "--at", type=_clock, default=dt.time(8, 0), metavar="HH:MM", help="default 08:00"
    )
    parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    parser.set_defaults(run=run_reminder)


# --- main -------------------------------------------------------------------------------------


def add_summary(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `summary`: the numbers the Trends page and the PDF show (imported lazily)."""
    from tracker.insights.summary import add_summary as register

    register(subparsers, common)


def add_bench(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `bench`: timings on big synthetic journals (imported lazily)."""
    from tracker.bench.measure import add_bench as register

    register(subparsers, common)


COMMANDS = (
    add_serve,
    add_passphrase,
    add_demo,
    add_import,
    add_export,
    add_summary,
    add_backup,
    add_erase,
    add_reminder,
    add_bench,
)


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
    except JournalRefused as exc:  # too new, or not a journal at all: left untouched
        print(f"cramp-journal: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as exc:
        print(
            f"cramp-journal: the journal at {_shown(args.url)} could not be opened or "
            f"written ({type(exc).__name__}). Nothing was changed.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except ImportError as exc:  # a URL for a database whose driver is not installed
        print(
            f"cramp-journal: the database URL {_shown(args.url)} needs the Python package "
            f"'{exc.name or exc}', which is not installed (PostgreSQL: pip install -e "
            '".[postgres]").',
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:  # imports and exports are all or nothing; say so and stop
        print("cramp-journal: stopped before finishing.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
