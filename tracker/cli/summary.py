"""`cramp-journal summary`: the numbers the Trends page and the PDF show, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import iso_date


def run_summary(args: argparse.Namespace, engine: Engine) -> int:
    """Print the summary for --from/--to (default: every night), as text or --json."""
    from tracker.insights.summary import summarise, summary_text  # pandas loads only now

    if args.start and args.end and args.start > args.end:
        print("cramp-journal: " + _("--from must be on or before --to"), file=sys.stderr)
        return 2
    summary = summarise(session_or_engine=engine, start=args.start, end=args.end)
    if args.json:
        print(json.dumps(summary.to_json_dict(), indent=2, allow_nan=False))
    else:
        print(summary_text(summary))
    return 0


def add_summary(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `summary [--from DATE] [--to DATE] [--json]`."""
    parser = subparsers.add_parser(
        "summary",
        parents=[common],
        help=_("print the summary of the journal (or --json)"),
    )
    parser.add_argument(
        "--from",
        dest="start",
        metavar=_("DATE"),
        type=iso_date,
        help=_("first night, YYYY-MM-DD (default: the first logged)"),
    )
    parser.add_argument(
        "--to",
        dest="end",
        metavar=_("DATE"),
        type=iso_date,
        help=_("last night, YYYY-MM-DD (default: the last logged)"),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=_("print one JSON object, for programs (its keys are in English)"),
    )
    parser.set_defaults(run=run_summary)
