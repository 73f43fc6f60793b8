"""`cramp-journal erase`: delete the whole journal, with its backups."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import Engine

from tracker.care.language import N_, _, ngettext
from tracker.cli.common import (
    CommandFailed,
)
from tracker.journal.erase import EraseIncomplete, erase_journal, erase_warning

# The word she types to confirm, in her language ("borrar" in Spanish). The English word is
# always taken too, so a script written for English still erases under a Spanish terminal.
ERASE_WORD = N_("erase")


def confirmed(answer: str) -> bool:
    """True when she typed the word of her language or the English one."""
    return answer.strip().lower() in {_(ERASE_WORD).lower(), ERASE_WORD}


def run_erase(args: argparse.Namespace, engine: Engine) -> int:
    """Delete everything after she types the word (or --yes)."""
    print(erase_warning(engine))
    if not args.yes:
        try:
            answer = input(_('Type "{word}" to delete everything: ').format(word=_(ERASE_WORD)))
        except EOFError:
            answer = ""
        if not confirmed(answer):
            raise CommandFailed(_("nothing was deleted"))
    try:
        erased = erase_journal(engine)
    except EraseIncomplete as exc:
        raise CommandFailed(str(exc)) from None
    if erased.backups:
        done = ngettext(
            "Erased {nights} night, the settings and the automatic backups ({count}). The "
            "journal is empty.",
            "Erased {nights} nights, the settings and the automatic backups ({count}). The "
            "journal is empty.",
            erased.nights,
        )
    else:
        done = ngettext(
            "Erased {nights} night, the settings. The journal is empty.",
            "Erased {nights} nights, the settings. The journal is empty.",
            erased.nights,
        )
    print(done.format(nights=erased.nights, count=len(erased.backups)))
    return 0


def add_erase(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `erase`: delete the whole journal, after confirmation."""
    parser = subparsers.add_parser(
        "erase",
        parents=[common],
        help=_("delete everything in the journal and its automatic backups (asks first)"),
        description=_(
            "Delete every night, cramp, warning sign and the settings, and the automatic "
            "backups in data/backups/, leaving no trace in the journal file. Asks you to type "
            '"{word}" unless --yes is given.'
        ).format(word=_(ERASE_WORD)),
    )
    parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    parser.set_defaults(run=run_erase)
