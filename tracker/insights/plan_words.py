"""An experiment's plan in words, as she sets it up: how many blocks, of how many nights each,
how many nights in all, from which night to which.

The schedule itself is drawn in tracker.journal.plans; this only says it. The block lengths
come from the plan's seed and number of blocks (the habit plays no part in the draw), so the
page can say how long a plan will take before she has finished choosing the habit.
"""

from __future__ import annotations

import datetime as dt

from tracker.insights.wording import nights
from tracker.journal.plans import Block, Plan, schedule


def drawn(start: dt.date, blocks: int, seed: int) -> tuple[Block, ...]:
    """The schedule a plan with these numbers draws, whichever habit she picks."""
    return schedule(Plan(habit="stretching", start=start, seed=seed, blocks=blocks))


def block_plan(blocks: tuple[Block, ...]) -> str:
    """ "4 blocks of 5 nights: 20 nights, Mon 07 Dec to Sat 26 Dec." (lengths as drawn)."""
    lengths = sorted({b.nights for b in blocks})
    each = nights(lengths[0]) if len(lengths) == 1 else f"{lengths[0]} to {lengths[-1]} nights"
    total = sum(b.nights for b in blocks)
    weeks = f" (about {round(total / 7)} weeks)" if total >= 14 else ""
    return (
        f"{len(blocks)} blocks of {each}: {nights(total)}{weeks}, "
        f"{blocks[0].start:%a %d %b} to {blocks[-1].end:%a %d %b}."
    )
