"""The command line's language: from --language, else the terminal's (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG), and argparse's own words ("usage:", "options:", its refusals) said in it.

Python ships argparse's messages in the gettext domain "argparse" with no Spanish. argparse looks
up its module globals `_` and `ngettext` each time it says something, so while a command runs
they are ours: the messages below are argparse's own, marked here so that our catalog has them.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tracker.care import language
from tracker.care.language import N_, _, ngettext

ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("not allowed with argument %s"),
)


def expected_arguments(count: int) -> str:
    """argparse's plural message for a wrong number of values (marked here for the catalog)."""
    return ngettext("expected %s argument", "expected %s arguments", count) % count


def language_choice(text: str) -> str:
    """--language's value: a language with a catalog ('es', 'es-MX', 'en'), or what to write."""
    found = language.language_of(text)
    if found == language.SOURCE and text.lower()[:2] != language.SOURCE:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a language Cramp Journal speaks: {languages}").format(
                text=text, languages=", ".join(language.languages())
            )
        )
    return found


def chosen_language(argv: Sequence[str]) -> str:
    """--language CODE (before or after the command), else the terminal's language."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--language" and i + 1 < len(argv):
            return language.language_of(argv[i + 1])
        if arg.startswith("--language="):
            return language.language_of(arg.split("=", 1)[1])
    return language.language_of_environment()


@contextmanager
def argparse_speaking() -> Iterator[None]:
    """argparse says its words through our catalog in the block (restored after)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = language._, language.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
