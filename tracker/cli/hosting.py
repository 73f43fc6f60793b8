"""`cramp-journal hosting --app-role ROLE`: prepare a practice's PostgreSQL database."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import CommandFailed


def run_hosting(args: argparse.Namespace, engine: Engine) -> int:
    """Migrations as the owner, then row-level security and grants to the app's role."""
    from tracker.journal.hosting import HostingRefused, prepare

    try:
        prepare(engine, args.app_role)
    except HostingRefused as exc:
        raise CommandFailed(str(exc)) from None
    print(
        _(
            "The database is ready for a practice: every journal table keeps each person to her "
            "own rows, and {role} may read and write only those. Run this again after every "
            "upgrade of Cramp Journal."
        ).format(role=args.app_role)
    )
    return 0


def add_hosting(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `hosting --app-role ROLE`."""
    parser = subparsers.add_parser(
        "hosting",
        parents=[common],
        help=_("prepare a practice's PostgreSQL database (run as its owner, after each upgrade)"),
        description=_(
            "Bring the tables up to date, switch row-level security on for every journal table "
            "and grant ROLE (the role `serve --accounts` connects as: it must own no table, not "
            "be a superuser and not have BYPASSRLS) what the app needs. Safe to run again; run "
            "it after every upgrade. --db must name the tables' owner."
        ),
    )
    parser.add_argument("--app-role", required=True, metavar="ROLE", help=_("the app's role"))
    parser.set_defaults(run=run_hosting)
