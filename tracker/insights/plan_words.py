"""An experiment's plan in words, as she sets it up: how many blocks, of how many nights each,
how many nights in all, from which night to which.

The schedule itself is drawn in tracker.journal.plans; this only says it. The block lengths
come from the plan's seed and number of blocks (the habit plays no part in the draw), so the
page can say how long a plan will take before she has finished choosing the habit.
"""

from __future__ import annotations

import datetime as dt

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.journal.plans import Block, Plan, schedule


def drawn(start: dt.date, blocks: int, seed: int) -> tuple[Block, ...]:
    """The schedule a plan with these numbers draws, whichever habit she picks."""
    return schedule(Plan(habit="stretching", start=start, seed=seed, blocks=blocks))


def nights(n: int) -> str:
    """'1 night', '12 nights' in her language."""
    return ngettext("{count} night", "{count} nights", n).format(count=n)


def short_day(night: dt.date) -> str:
    """'Mon 07 Dec' in her language."""
    return language.date(night, _("EEE dd MMM"))  # a CLDR date pattern, for the translator


def block_plan(blocks: tuple[Block, ...]) -> str:
    """ "4 blocks of 5 nights: 20 nights, Mon 07 Dec to Sat 26 Dec." (lengths as drawn), in
    her language."""
    lengths = sorted({b.nights for b in blocks})
    if len(lengths) == 1:
        each = nights(lengths[0])
    else:
        each = _("{shortest} to {longest} nights").format(shortest=lengths[0], longest=lengths[-1])
    total = sum(b.nights for b in blocks)
    words = {
        "each": each,
        "total": nights(total),
        "first": short_day(blocks[0].start),
        "last": short_day(blocks[-1].end),
    }
    if total >= 14:
        weeks = round(total / 7)
        words["weeks"] = ngettext("{count} week", "{count} weeks", weeks).format(count=weeks)
        return ngettext(
            "{blocks} block of {each}: {total} (about {weeks}), {first} to {last}.",
            "{blocks} blocks of {each}: {total} (about {weeks}), {first} to {last}.",
            len(blocks),
        ).format(blocks=len(blocks), **words)
    return ngettext(
        "{blocks} block of {each}: {total}, {first} to {last}.",
        "{blocks} blocks of {each}: {total}, {first} to {last}.",
        len(blocks),
    ).format(blocks=len(blocks), **words)
