"""`cramp-journal reminder`: a calendar file that reminds her each morning."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import (
    CommandFailed,
    refuse_existing,
    write_private,
)
from tracker.exchange.reminder import reminder_ics
from tracker.journal.entries import parse_time


def _clock(text: str) -> dt.time:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_reminder(args: argparse.Namespace, engine: Engine) -> int:
    """Write a calendar file with a daily reminder to log last night."""
    path = Path(args.file)
    refuse_existing(path, args.force)
    try:
        write_private(path, reminder_ics(at=args.at))
    except OSError as exc:
        raise CommandFailed(
            _("cannot write {path}: {problem}").format(path=path, problem=exc.strerror or exc)
        ) from None
    print(
        _("Wrote {path}: a reminder every day at {time}. Open it with your calendar.").format(
            path=path, time=f"{args.at:%H:%M}"
        )
    )
    return 0


def add_reminder(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `reminder FILE.ics`: a daily calendar reminder to log last night."""
    parser = subparsers.add_parser(
        "reminder",
        parents=[common],
        help=_("write a calendar file (.ics) that reminds you every morning to log"),
    )
    parser.add_argument(
        "file", metavar=_("FILE"), help=_("the calendar file to write, e.g. reminder.ics")
    )
    parser.add_argument(
        "--at",
        type=_clock,
        default=dt.time(8, 0),
        metavar="HH:MM",
        help=_("the time of the reminder (default 08:00)"),
    )
    parser.add_argument("--force", action="store_true", help=_("overwrite the file if it exists"))
    parser.set_defaults(run=run_reminder)
