"""`--account EMAIL`: the owner of a practice's database works on one person's journal."""

from __future__ import annotations

import argparse

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import CommandFailed

FOR_ONE_JOURNAL = ("export", "import", "summary", "erase", "experiments", "demo")


def account_for(args: argparse.Namespace, engine: Engine) -> int | None:
    """The account a command works on: --account's, or the personal journal's (None) on a
    database with no practice's accounts; refuses what would reach the wrong journal."""
    email = getattr(args, "account", None)
    if email is None:
        if engine.dialect.name == "postgresql" and args.command in FOR_ONE_JOURNAL:
            with engine.connect() as conn:
                people = conn.execute(
                    text("SELECT count(*) FROM account WHERE email IS NOT NULL")
                ).scalar_one()
            if people:
                raise CommandFailed(
                    _(
                        "this database holds a practice's journals: say whose with --account "
                        "EMAIL (`cramp-journal accounts list`)"
                    )
                )
        return None
    if engine.dialect.name != "postgresql":
        raise CommandFailed(_("--account is for a practice's database on PostgreSQL"))
    with engine.connect() as conn:
        bypass = conn.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        if bypass:
            raise CommandFailed(
                _(
                    "--account needs row-level security to hold, and this role skips it (a "
                    "superuser or BYPASSRLS): connect as the tables' owner instead"
                )
            )
        found = conn.execute(
            text("SELECT id, kind FROM account WHERE email = lower(trim(:email))"),
            {"email": email},
        ).first()
    if found is None or found[1] != "patient":
        raise CommandFailed(
            _("{email} has no journal here (`cramp-journal accounts list`)").format(email=email)
        )
    return found[0]
