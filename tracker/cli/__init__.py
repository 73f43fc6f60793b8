"""The `cramp-journal` command: the app, a sample journal, import/export, backup, erase.

Each subcommand is a module of this package with an `add_<name>(subparsers, common)` that
registers its options and a `run_<name>(args, engine) -> exit code`; a new command is one more
module listed in COMMANDS. Commands import the heavy layers (pandas, the PDF) only when run.
Every command opens the journal through ensure_schema (upgrading it, with a backup, if needed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from tracker.care import language
from tracker.care.language import _
from tracker.cli.account_option import FOR_ONE_JOURNAL
from tracker.cli.accounts import add_accounts
from tracker.cli.backup import add_backup
from tracker.cli.bench import add_bench
from tracker.cli.common import EXIT_FAILED, EXIT_USAGE, CommandFailed
from tracker.cli.demo import add_demo
from tracker.cli.erase import add_erase
from tracker.cli.experiments import add_experiments
from tracker.cli.export import add_export
from tracker.cli.failures import failure_message
from tracker.cli.hosting import add_hosting
from tracker.cli.importing import add_import
from tracker.cli.passphrase import add_passphrase
from tracker.cli.reminder import add_reminder
from tracker.cli.serve import add_serve
from tracker.cli.summary import add_summary
from tracker.cli.words import argparse_speaking, chosen_language, language_choice
from tracker.journal.config import database_url
from tracker.journal.db import make_engine
from tracker.journal.schema import JournalRefused, ensure_schema

COMMANDS = (
    add_serve,
    add_passphrase,
    add_demo,
    add_import,
    add_export,
    add_summary,
    add_backup,
    add_experiments,
    add_erase,
    add_reminder,
    add_bench,
    add_hosting,
    add_accounts,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    db_help = _("the journal's database URL (default: DATABASE_URL, else data/journal.db)")
    parser = argparse.ArgumentParser(
        prog="cramp-journal",
        allow_abbrev=False,
        description=_("A local-first journal for night-time leg cramps in pregnancy."),
    )
    account_help = _("a practice's database: the person whose journal to work on (the owner only)")
    language_help = _(
        "the language of the messages: {languages} (default: the terminal's, from LANG)"
    ).format(languages=", ".join(language.languages()))
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for options, default in ((parser, None), (common, argparse.SUPPRESS)):
        options.add_argument("--db", metavar="URL", default=default, help=db_help)
        options.add_argument("--account", metavar=_("EMAIL"), default=default, help=account_help)
        options.add_argument(
            "--language",
            metavar=_("LANGUAGE"),
            type=language_choice,
            default=default,
            help=language_help,
        )
    parser.set_defaults(journal=True)  # a command that never reads her journal sets False
    subparsers = parser.add_subparsers(dest="command", required=True, metavar=_("COMMAND"))
    for add in COMMANDS:
        add(subparsers, common)
    return parser


def open_journal(url: str) -> Engine:
    """An engine for the journal, its tables brought up to date (a backup is taken first)."""
    engine = make_engine(url)
    backup = ensure_schema(engine)
    if backup is not None:
        print(
            _("Upgraded the journal; the old version is saved in {path}").format(path=backup),
            file=sys.stderr,
        )
    _warn_unusable_plans(engine)
    return engine


def _warn_unusable_plans(engine: Engine) -> None:
    """Name each stored experiment that cannot run (it is left out everywhere) and the way out."""
    from tracker.journal.plan_store import unusable_plans
    from tracker.journal.plans import plan_problems

    try:
        with engine.connect() as conn:
            unusable = unusable_plans(conn)
    except (ValueError, TypeError, OverflowError):  # a plan's row is not even a date/number
        print(
            "cramp-journal: "
            + _(
                "an experiment plan in the journal cannot be read; "
                "`cramp-journal experiments --remove ID` deletes one (your nights stay)."
            ),
            file=sys.stderr,
        )
        return
    for plan_id, plan in unusable:
        print(
            "cramp-journal: "
            + _(
                "experiment {id} in the journal cannot run and is left out: {problems} Remove "
                "it with `cramp-journal experiments --remove {id}` (your nights stay)."
            ).format(id=plan_id, problems=" ".join(plan_problems(plan).values())),
            file=sys.stderr,
        )


def _shown(url: str) -> str:
    """The URL without its password."""
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    """Run one command in her language (--language, else the terminal's: LANG, ...); returns the
    exit code (0 ok, 1 failed, 2 usage or too-new journal)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with language.speaking(chosen_language(argv)), argparse_speaking():
        return _run(argv)


def _run(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and not getattr(args, "passthrough", False):
            parser.error(_("unrecognized arguments: %s") % " ".join(extra))
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.extra, args.url = extra, database_url(args.db)
    opening = True  # until the journal is open, a failure is the journal's to open
    try:
        if getattr(args, "account", None) and args.command not in FOR_ONE_JOURNAL:
            raise CommandFailed(
                _("--account is for {commands}, not {command}").format(
                    commands=", ".join(FOR_ONE_JOURNAL), command=args.command
                ),
                EXIT_USAGE,
            )
        if not args.journal:  # e.g. bench: its journals are its own, hers is never opened
            opening = False
            return args.run(args, None)
        if getattr(args, "accounts", False):  # a practice's tables are the owner's to upgrade
            engine = make_engine(args.url)
        else:
            engine = open_journal(args.url)
        opening = False
        try:
            from tracker.cli.account_option import account_for
            from tracker.journal.accounts import PERSONAL, acting_as

            with acting_as(account_for(args, engine) or PERSONAL):
                return args.run(args, engine)
        finally:
            engine.dispose()
    except CommandFailed as exc:
        print(f"cramp-journal: {exc}", file=sys.stderr)
        return exc.code
    except ArgumentError:
        print(
            "cramp-journal: "
            + _(
                "the database URL (--db or DATABASE_URL) is not valid "
                "(for example sqlite:///data/journal.db)"
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except JournalRefused as exc:  # too new, or not a journal at all: left untouched
        print(f"cramp-journal: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:  # a URL for a database whose driver is not installed
        if not opening:  # a package the command itself needs
            print(
                "cramp-journal: " + failure_message(exc, args.command, "", opening), file=sys.stderr
            )
            return EXIT_FAILED
        print(
            "cramp-journal: "
            + _(
                "the database URL {url} needs the Python package '{package}', which is not "
                'installed (PostgreSQL: pip install -e ".[postgres]").'
            ).format(url=_shown(args.url), package=exc.name or exc),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except BrokenPipeError:  # her reader stopped reading (`| head`): nothing went wrong to say
        with contextlib.suppress(OSError, ValueError):  # and no second error as Python exits
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:  # imports and exports are all or nothing; say so and stop
        print("cramp-journal: " + _("stopped before finishing."), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001  never a traceback: say what it was and how to go on
        print(
            "cramp-journal: " + failure_message(exc, args.command, _shown(args.url), opening),
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
