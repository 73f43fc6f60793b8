"""`cramp-journal passphrase`: set the passphrase that `serve --lan` asks for."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import (
    CommandFailed,
)


def run_passphrase(args: argparse.Namespace, engine: Engine) -> int:
    """Set the passphrase for `serve --lan` (stored only as a salted scrypt hash)."""
    import getpass

    from tracker.app.passphrase import set_passphrase

    if args.stdin:
        first = second = sys.stdin.readline().rstrip("\n")
    else:
        first = getpass.getpass(_("New passphrase (at least 10 characters): "))
        second = getpass.getpass(_("Again: "))
    if first != second:
        raise CommandFailed(_("the two passphrases differ: nothing was changed"))
    try:
        path = set_passphrase(first)
    except ValueError as exc:
        raise CommandFailed(_("{problem}: nothing was changed").format(problem=exc)) from None
    print(_("Passphrase set (only a salted scrypt hash is kept, in {path}).").format(path=path))
    return 0


def add_passphrase(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `passphrase`: set the passphrase that `serve --lan` asks for."""
    parser = subparsers.add_parser(
        "passphrase", parents=[common], help=_("set the passphrase for serve --lan")
    )
    parser.add_argument("--stdin", action="store_true", help=_("read it from standard input"))
    parser.set_defaults(run=run_passphrase)
