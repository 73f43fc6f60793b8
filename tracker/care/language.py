"""Her language: the words of the app through gettext, and dates and numbers through Babel.

Each person's own: the language lives in a context variable that the app sets at the start of
every script run (from her choice or her browser's language), never in a module global, so one
visitor's language is never another's. Outside a run (the command line, a build in the
background) it is English, unless a caller says otherwise with `speaking`.

The catalogs are `tracker/locale/<language>/LC_MESSAGES/cramp_journal.po`, compiled in memory
the first time a language is used (no .mo file is kept or committed); docs/translating.md says
how to add one.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

DOMAIN = "cramp_journal"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE = "en"  # the language the messages are written in: it needs no catalog

_current: ContextVar[str | None] = ContextVar("cramp_journal_language", default=None)
# The app's way to find this session's language where a run has not set it yet: a widget's
# callback runs before the page's first line (tracker.app.web registers it).
_session_language: Callable[[], str | None] | None = None


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """The languages the app speaks: English and every language with a catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE, *found)


def language_of(tag: str | None) -> str:
    """The app's language for a browser's language tag ('es-MX' -> 'es'; unknown -> 'en')."""
    primary = (tag or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in languages() else SOURCE


def language_of_environment(environ: Mapping[str, str] | None = None) -> str:
    """The app's language for a terminal, as gettext reads it: the first of LANGUAGE, LC_ALL,
    LC_MESSAGES and LANG that is set ('es_ES.UTF-8' -> 'es'; LANGUAGE may list several, 'es:en');
    'C', 'POSIX' or a language without a catalog -> English."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            for entry in value.split(":"):
                tag = entry.split(".")[0].split("@")[0]
                if tag in ("C", "POSIX"):
                    return SOURCE
                if (primary := language_of(tag)) != SOURCE or tag.lower()[:2] == SOURCE:
                    return primary  # else the next in LANGUAGE's list ('de:es' -> 'es')
            return SOURCE
    return SOURCE


def use(language: str) -> None:
    """Speak `language` for the rest of this script run (the app calls it once per run)."""
    _current.set(language if language in languages() else SOURCE)


def follow_session(find: Callable[[], str | None]) -> None:
    """Register how the app finds the session's language when a run has not set it yet."""
    global _session_language
    _session_language = find


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak `language` inside the block (a test, a file made for a clinician's language)."""
    token = _current.set(language if language in languages() else SOURCE)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    """The language being spoken now."""
    language = _current.get()
    if language is None and _session_language is not None:
        language = _session_language()
    return language or SOURCE


@lru_cache(maxsize=8)
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of a language, compiled from its .po file once per process."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE or not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy (unchecked) translations are left out: English shows
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """The message in her language (the English text when it has no translation yet)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, by her language's plural rule."""
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; `_` translates it where it is shown."""
    return message


def decimal(value: float | int) -> str:
    """A number as she would write it in her language: 10.5 in English, 10,5 in Spanish; at
    most two decimals and no thousands separator (1500 ml, as she types it)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="0.##", locale=current())


def count(n: int) -> str:
    """A count as her language groups it: 2,000,000 in English, 2.000.000 in Spanish."""
    from babel.numbers import format_decimal

    return format_decimal(n, locale=current())


def name_of(code: str) -> str:
    """A language named in its own words ("English", "Español"), whatever the page is in, so
    she finds hers."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def date(day: dt.date, pattern: str) -> str:
    """A date by a CLDR pattern, already translated (e.g. _("EEEE dd MMMM"))."""
    from babel.dates import format_date

    return format_date(day, format=pattern, locale=current())
