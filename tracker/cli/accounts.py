"""`cramp-journal accounts add|list|remove`: who may sign in to a practice's server."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine

from tracker.care.language import _, ngettext
from tracker.cli.common import CommandFailed


def run_accounts(args: argparse.Namespace, engine: Engine) -> int:
    """Add, list or remove the people a practice lets in."""
    from sqlmodel import Session

    from tracker.journal import accounts

    if engine.dialect.name != "postgresql":
        raise CommandFailed(
            _("accounts are for a practice's server on PostgreSQL; a personal journal has none")
        )
    with Session(engine) as session:
        if args.action == "list":
            people = accounts.list_accounts(session=session)
            for person in people:
                print(f"{person.email}\t{person.kind}\t{person.name or ''}".rstrip())
            if not people:
                print(_("Nobody yet: `cramp-journal accounts add EMAIL` lets a person in."))
            return 0
        if args.action == "add":
            if accounts.find_account(session=session, email=args.email):
                raise CommandFailed(
                    _("{email} is already on the list").format(
                        email=accounts.normal_email(args.email)
                    )
                )
            kind = "clinician" if args.clinician else "patient"
            try:
                person = accounts.add_account(
                    session=session, email=args.email, name=args.name, kind=kind
                )
            except ValueError as exc:
                raise CommandFailed(str(exc)) from None
            if kind == "clinician":
                print(
                    _(
                        "Added {email} (clinician). They see the journals patients share with "
                        "them, read-only, on their Patients page."
                    ).format(email=person.email)
                )
            else:
                print(
                    _("Added {email} (patient). Her journal starts at her first sign-in.").format(
                        email=person.email
                    )
                )
            return 0
    return _remove(args, engine)


def _remove(args: argparse.Namespace, engine: Engine) -> int:
    from tracker.journal.accounts import normal_email
    from tracker.journal.erase import remove_account

    email = normal_email(args.email)
    if not args.yes:
        print(
            _("This deletes {email}'s account and her whole journal. It cannot be undone.").format(
                email=email
            )
        )
        try:
            answer = input(_("Type the email ({email}) to remove it: ").format(email=email))
        except EOFError:
            answer = ""
        if normal_email(answer) != email:
            raise CommandFailed(_("nothing was removed"))
    removed = remove_account(engine, email)
    if removed is None:
        raise CommandFailed(
            _("{email} is not on the list: `cramp-journal accounts list`").format(email=email)
        )
    print(
        ngettext(
            "Removed {email}: {count} night and everything else of hers; no row of hers is "
            "left in the database.",
            "Removed {email}: {count} nights and everything else of hers; no row of hers is "
            "left in the database.",
            removed.nights,
        ).format(email=email, count=removed.nights)
    )
    return 0


def add_accounts(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `accounts add EMAIL [--name NAME] [--clinician] | list | remove EMAIL`."""
    parser = subparsers.add_parser(
        "accounts",
        parents=[common],
        help=_("who may sign in to a practice's server (run as the database's owner)"),
        description=_("Only a verified email on this list can sign in to `serve --accounts`."),
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar=_("ACTION"))
    add = actions.add_parser("add", parents=[common], help=_("let a person in"))
    add.add_argument("email", metavar=_("EMAIL"))
    add.add_argument(
        "--name",
        metavar=_("NAME"),
        help=_("the name shown on screen (a patient picks her clinician by it)"),
    )
    add.add_argument("--clinician", action="store_true", help=_("a clinician, with no journal"))
    actions.add_parser("list", parents=[common], help=_("everyone on the list"))
    remove = actions.add_parser(
        "remove", parents=[common], help=_("remove a person and her whole journal (asks first)")
    )
    remove.add_argument("email", metavar=_("EMAIL"))
    remove.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    parser.set_defaults(run=run_accounts)
