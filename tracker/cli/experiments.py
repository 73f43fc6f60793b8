"""`cramp-journal experiments`: the experiment plans in the journal, and removing one that
cannot run (e.g. 2,000,000 blocks, let in by an older version), so the journal works again."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import CommandFailed, whole_number


def run_experiments(args: argparse.Namespace, engine: Engine) -> int:
    """List the plans (those that cannot run say why), or remove the plan --remove names."""
    from tracker.journal.plan_store import load_plans, remove_plan, unusable_plans
    from tracker.journal.plans import plan_problems

    if args.remove is not None:
        with engine.begin() as conn:
            if not remove_plan(conn, args.remove):
                raise CommandFailed(
                    _("there is no experiment {id}: `cramp-journal experiments` lists them").format(
                        id=args.remove
                    )
                )
        print(
            _("Removed experiment {id}. The nights you logged are all still there.").format(
                id=args.remove
            )
        )
        return 0
    with engine.connect() as conn:
        usable, unusable = load_plans(conn), unusable_plans(conn)
    if not usable and not unusable:
        print(_("No experiments in the journal."))
    for plan_id, plan in sorted([*usable, *unusable], key=lambda p: p[0]):
        problems = plan_problems(plan)
        if problems:
            line = _("{id}: from {start}, {blocks} blocks, {habit}: cannot run: {problems}")
        else:
            line = _("{id}: from {start}, {blocks} blocks, {habit}: fine")
        print(
            line.format(
                id=plan_id,
                start=plan.start,
                blocks=plan.blocks,
                habit=repr(plan.habit),
                problems=" ".join(problems.values()),
            )
        )
    if unusable:
        print(
            _(
                "Remove one that cannot run with `cramp-journal experiments --remove {id}` "
                "(your nights stay)."
            ).format(id=unusable[0][0])
        )
    return 0


def add_experiments(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Register `experiments [--remove ID]`."""
    parser = subparsers.add_parser(
        "experiments",
        parents=[common],
        help=_("list the experiment plans; --remove ID deletes one (the nights stay)"),
        description=_(
            "List the experiment plans in the journal and say which cannot run. --remove ID "
            "deletes one plan; the nights you logged are not touched."
        ),
    )
    parser.add_argument("--remove", metavar="ID", type=whole_number, help=_("the plan to delete"))
    parser.set_defaults(run=run_experiments)
