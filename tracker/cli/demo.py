"""`cramp-journal demo`: a made-up journal to try the app with."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.care.language import _, ngettext
from tracker.cli.common import CommandFailed, whole_number
from tracker.journal.demo import DEFAULT_SEED, JournalNotEmpty, fill_demo
from tracker.journal.store import count_nights


def run_demo(args: argparse.Namespace, engine: Engine) -> int:
    """Fill the journal with the sample pregnancy."""
    with Session(engine) as session:
        try:
            demo = fill_demo(session=session, seed=args.seed, force=args.force)
        except JournalNotEmpty:
            count = count_nights(session=session)
            raise CommandFailed(
                ngettext(
                    "The journal already has {count} night. The sample only goes into an empty "
                    "journal. Add --force to add it anyway (it replaces any nights on the same "
                    "dates).",
                    "The journal already has {count} nights. The sample only goes into an empty "
                    "journal. Add --force to add it anyway (it replaces any nights on the same "
                    "dates).",
                    count,
                ).format(count=count)
            ) from None
    from tracker.insights.wording import day_text  # 14 Sep 2026 / 14 sept 2026

    first, last = day_text(demo.nights[0].night), day_text(demo.nights[-1].night)
    print(
        _(
            "Added a sample pregnancy: {count} nights from {first} (week 24) to {last}. The due "
            "date is set to {due}."
        ).format(count=len(demo.nights), first=first, last=last, due=day_text(demo.due_date))
    )
    return 0


def add_demo(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `demo`: fill an empty journal with the sample."""
    parser = subparsers.add_parser(
        "demo", parents=[common], help=_("fill an empty journal with a sample pregnancy")
    )
    parser.add_argument(
        "--seed",
        type=whole_number,
        default=DEFAULT_SEED,
        metavar="N",
        help=_("same seed, same sample"),
    )
    parser.add_argument(
        "--force", action="store_true", help=_("also fill a journal that already has nights")
    )
    parser.set_defaults(run=run_demo)
