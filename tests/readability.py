"""Reading grade of generated sentences, measured with textstat (Flesch-Kincaid grade).

textstat looks words up in NLTK's CMU pronouncing dictionary, which it downloads on first use;
offline (as here and in CI) it cannot, so syllables are counted by textstat's own fallback for
words the dictionary lacks (pyphen's hyphenation), for every word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import textstat
from textstat.backend.counts import _count_syllables

GRADE = 8.0


def _no_cmudict(lang: str) -> dict:
    return {}


_count_syllables.get_cmudict = _no_cmudict  # pyphen for every word (see the docstring)


def sentences(texts: Iterable[str]) -> list[str]:
    """Every sentence in the texts (split after . ! ? and at line breaks; markup stripped)."""
    found = []
    for text in texts:
        text = re.sub(r"[*_`]", "", text)
        for line in text.splitlines():
            line = line.strip(" -•")
            found += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", line) if s.strip()]
    return found


def grade(sentence: str) -> float:
    """The Flesch-Kincaid reading grade of one sentence."""
    return textstat.flesch_kincaid_grade(sentence)


def too_hard(texts: Iterable[str], limit: float = GRADE) -> list[tuple[float, str]]:
    """(grade, sentence) for each sentence above the limit."""
    return [(grade(s), s) for s in sentences(texts) if grade(s) > limit]
