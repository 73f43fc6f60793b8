"""`cramp-journal erase`: delete the whole journal, with its backups."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine

from tracker.cli.common import (
    CommandFailed,
)
from tracker.journal.erase import EraseIncomplete, erase_journal, erase_warning


def run_erase(args: argparse.Namespace, engine: Engine) -> int:
    """Delete everything after she types "erase" (or --yes)."""
    print(erase_warning(engine))
    if not args.yes:
        try:
            answer = input('Type "erase" to delete everything: ')
        except EOFError:
            answer = ""
        if answer.strip().lower() != "erase":
            raise CommandFailed("nothing was deleted")
    try:
        erased = erase_journal(engine)
    except EraseIncomplete as exc:
        raise CommandFailed(str(exc)) from None
    backups = f" and {len(erased.backups)} automatic backups" if erased.backups else ""
    print(f"Erased {erased.nights} nights, the settings{backups}. The journal is empty.")
    return 0


def add_erase(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `erase`: delete the whole journal, after confirmation."""
    parser = subparsers.add_parser(
        "erase",
        parents=[common],
        help="delete everything in the journal and its automatic backups (asks first)",
        description="Delete every night, cramp, warning sign and the settings, and the "
        "automatic backups in data/backups/, leaving no trace in the journal file. Asks you "
        'to type "erase" unless --yes is given.',
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(run=run_erase)
