"""`cramp-journal experiments`: the experiment plans in the journal, and removing one that
cannot run (e.g. 2,000,000 blocks, let in by an older version), so the journal works again."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine

from tracker.cli.common import CommandFailed


def run_experiments(args: argparse.Namespace, engine: Engine) -> int:
    """List the plans (those that cannot run say why), or remove the plan --remove names."""
    from tracker.journal.plan_store import load_plans, remove_plan, unusable_plans
    from tracker.journal.plans import plan_problems

    if args.remove is not None:
        with engine.begin() as conn:
            if not remove_plan(conn, args.remove):
                raise CommandFailed(
                    f"there is no experiment {args.remove}: `cramp-journal experiments` lists them"
                )
        print(f"Removed experiment {args.remove}. The nights you logged are all still there.")
        return 0
    with engine.connect() as conn:
        usable, unusable = load_plans(conn), unusable_plans(conn)
    if not usable and not unusable:
        print("No experiments in the journal.")
    for plan_id, plan in sorted([*usable, *unusable], key=lambda p: p[0]):
        problems = plan_problems(plan)
        state = "cannot run: " + " ".join(problems.values()) if problems else "fine"
        print(f"{plan_id}: from {plan.start}, {plan.blocks} blocks, {plan.habit!r}: {state}")
    if unusable:
        print(
            f"Remove one that cannot run with `cramp-journal experiments --remove "
            f"{unusable[0][0]}` (your nights stay)."
        )
    return 0


def add_experiments(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Register `experiments [--remove ID]`."""
    parser = subparsers.add_parser(
        "experiments",
        parents=[common],
        help="list the experiment plans; --remove ID deletes one (the nights stay)",
        description="List the experiment plans in the journal and say which cannot run. "
        "--remove ID deletes one plan; the nights you logged are not touched.",
    )
    parser.add_argument("--remove", metavar="ID", type=int, help="the plan to delete")
    parser.set_defaults(run=run_experiments)
