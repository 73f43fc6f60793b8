"""`cramp-journal bench`: how long she waits, measured on synthetic journals."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.bench import SIZES, SOAK_MIN_SAVES
from tracker.care.language import _


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a list of numbers like 300,3650"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are numbers of nights, 1 or more")
    return sizes


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _soak(text: str) -> int:
    if not text.isdigit() or int(text) < SOAK_MIN_SAVES:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a number of saves of {SOAK_MIN_SAVES} or more"
        )
    return int(text)


def run_bench(args: argparse.Namespace, engine: Engine | None) -> int:
    """Run the bench on synthetic journals in a temp folder (the journal itself is untouched)."""
    from tracker.bench.report import Options, report_text, run  # pandas, Streamlit load now

    options = Options(
        args.sizes, args.repeat, args.pairs, args.browser, args.files, args.postgres, args.soak,
        hosted_people=args.people if args.hosted else 0,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cramp-journal-bench-") as folder:
        result = run(options, Path(folder))
    print(json.dumps(result, indent=2, default=str) if args.json else report_text(result))
    return 0


def add_bench(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `bench [--sizes N,N] [--repeat N] [--pairs N] [--no-browser] [--soak N] ...`."""
    parser = subparsers.add_parser(
        "bench",
        parents=[common],
        help=_("time saving, Trends, the summary, exports and the PDF on big synthetic journals"),
        # the bench is a developer's tool: its description, options and report stay English
        description="Build synthetic journals (default: 300 nights, 10 and 100 years) in a temp "
        "folder and report each figure against its goal: a save and the Trends page in headless "
        "Chromium through `cramp-journal serve` against a prepared page drawing the same "
        "elements (interleaved rounds), Last night's cold first load against a blank app's, the "
        "summary against its nights query plus statsmodels' fits (and against raw SQL on "
        "SQLite and PostgreSQL with --postgres, for reference), exports and "
        "imports with their peak memory, the PDF cold and warm, and how noisy the run was. "
        "Your own journal is not read.",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=SIZES,
        metavar="N,N",
        help="journal sizes in nights (default: 300,3650,36500)",
    )
    parser.add_argument(
        "--repeat", type=_positive, default=5, metavar="N", help="timed runs (default 5)"
    )
    parser.add_argument(
        "--pairs", type=_positive, default=7, metavar="N", help="browser A/B pairs (default 7)"
    )
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time the pages in /usr/bin/chromium (default; skipped with a note if missing)",
    )
    parser.add_argument(
        "--files",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time exports, imports and the cold PDF as commands in fresh processes (default)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also time the summary on this PostgreSQL server (in scratch databases it creates "
        "and drops; needs CREATEDB)",
    )
    parser.add_argument(
        "--soak",
        type=_soak,
        default=0,
        metavar="N",
        help="also soak the server's memory in Chromium: N saves with a Trends visit after about "
        "every third, at 3,650 nights, its RSS every 10 saves (off by default; 100 takes a few "
        "minutes)",
    )
    parser.add_argument(
        "--hosted",
        action="store_true",
        help="also the morning rush on a practice's server: deploy/try-it's deployment (2 app "
        "processes behind Caddy over HTTPS, PostgreSQL, the test identity provider), K people "
        "signed in and saving their night at once while clinicians open Patients, Chromium "
        "timing click-to-Saved against one person alone, then an app process killed and "
        "PostgreSQL restarted (needs '.[hosted,test]', caddy and postgresql; a few minutes)",
    )
    parser.add_argument(
        "--people",
        type=_positive,
        default=200,
        metavar="K",
        help="people in --hosted's morning rush (default 200)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run_bench, journal=False)
