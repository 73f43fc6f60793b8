"""`cramp-journal demo`: a made-up journal to try the app with."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.cli.common import (
    CommandFailed,
)
from tracker.journal.demo import DEFAULT_SEED, JournalNotEmpty, fill_demo


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
