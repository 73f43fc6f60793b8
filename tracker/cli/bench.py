"""`cramp-journal bench`: how long she waits, measured on synthetic journals."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.bench import SIZES


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


def run_bench(args: argparse.Namespace, engine: Engine) -> int:
    """Run the bench on synthetic journals in a temp folder (the journal itself is untouched)."""
    from tracker.bench.measure import report_text, run  # numpy, pandas, Streamlit load only now

    with tempfile.TemporaryDirectory(prefix="cramp-journal-bench-") as folder:
        result = run(args.sizes, args.repeat, Path(folder))
    print(json.dumps(result, indent=2) if args.json else report_text(result))
    return 0


def add_bench(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `bench [--sizes N,N] [--repeat N] [--json]`."""
    parser = subparsers.add_parser(
        "bench",
        parents=[common],
        help="time the summary and the Trends page on big synthetic journals",
        description="Build synthetic journals (default: 300 nights, 10 and 100 years) in a temp "
        "folder and report median timings, ratios and peak memory against their targets. "
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
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run_bench)
