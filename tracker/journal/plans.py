"""A personal experiment's plan (N-of-1 trial) and its randomised schedule of "on" and "off"
blocks for one non-invasive habit: what is stored, and what tonight asks of her.

The schedule has an even number of blocks of MIN_BLOCK to MAX_BLOCK nights each, in pairs: each
pair has one "on" and one "off" block in a random order (AB or BA), so on and off nights are
spread evenly over the weeks, as cramps rise (a counterbalanced N-of-1 design). The draw comes
from a seeded generator, so the same plan always gives the same schedule. What the experiment
found is worked out in tracker.insights.experiments.

Magnesium is a supplement: only with "discussed with my clinician" ticked. Salt never.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

MIN_BLOCK, MAX_BLOCK = 3, 7
DEFAULT_BLOCKS = 12  # 6 pairs, 64 possible schedules: the test can reach 2 in 64
COLUMNS = {"stretching": "stretch_min", "water": "water_ml", "magnesium": "magnesium_mg"}
NEVER = ("salt", "sodium")
ON, OFF = "on", "off"


@dataclass(frozen=True)
class Plan:
    """What she plans to try, from which night, in how many blocks, with which seed."""

    habit: str  # "stretching", "water", "magnesium" or her own words for another habit
    start: dt.date
    seed: int
    blocks: int = DEFAULT_BLOCKS
    target: float | None = None  # water: ml to drink on "on" days
    clinician_agreed: bool = False
    stopped: dt.date | None = None  # its last night, when she stopped it early


def named_habit(plan: Plan) -> bool:
    """Whether the habit is one she named herself: the journal has no column for it, so she
    says each morning whether she kept the plan (Night.plan_kept)."""
    return plan.habit not in COLUMNS


def problems(plan: Plan) -> list[str]:
    """Why the plan cannot start, in plain words (empty when it can)."""
    said = []
    name = plan.habit.strip().lower()
    if not name:
        said.append("Name the habit you want to try.")
    if any(word in name for word in NEVER):
        said.append("Extra salt is not advised in pregnancy, so it can't be an experiment.")
    if name == "magnesium" and not plan.clinician_agreed:
        said.append("Magnesium is a supplement: tick that you discussed it with your clinician.")
    if name == "water" and not plan.target:
        said.append("Set how much water to drink on the 'on' days.")
    if plan.blocks < 4 or plan.blocks % 2:
        said.append("Use an even number of blocks, at least 4.")
    return said


@dataclass(frozen=True)
class Block:
    """A run of nights with the habit on or off."""

    start: dt.date
    nights: int
    arm: str  # ON or OFF

    @property
    def end(self) -> dt.date:
        """The block's last night."""
        return self.start + dt.timedelta(days=self.nights - 1)


def schedule(plan: Plan) -> tuple[Block, ...]:
    """The plan's randomised schedule: pairs of blocks of 3 to 7 nights, one on and one off in
    a random order (seeded)."""
    if problems(plan):
        raise ValueError(" ".join(problems(plan)))
    rng = np.random.default_rng(plan.seed)
    lengths = rng.integers(MIN_BLOCK, MAX_BLOCK + 1, size=plan.blocks)
    first_on = rng.integers(0, 2, size=plan.blocks // 2)  # per pair: 0 = on first, 1 = off first
    on = {2 * pair + int(b) for pair, b in enumerate(first_on)}
    blocks, start = [], plan.start
    for i, length in enumerate(lengths):
        blocks.append(Block(start, int(length), ON if i in on else OFF))
        start += dt.timedelta(days=int(length))
    return tuple(blocks)


def last_night(plan: Plan, blocks: tuple[Block, ...]) -> dt.date:
    """The experiment's last night: the night she stopped it, else the last block's end."""
    end = blocks[-1].end
    return min(plan.stopped, end) if plan.stopped is not None else end


def stop_night(plan: Plan, today: dt.date) -> dt.date:
    """The last night when she stops it today: last night (the day before the first night if
    it had not begun), so tonight asks nothing."""
    return max(today - dt.timedelta(days=1), plan.start - dt.timedelta(days=1))


def assignment(blocks: tuple[Block, ...], night: dt.date) -> str | None:
    """ON or OFF for that night, None outside the experiment."""
    for block in blocks:
        if block.start <= night <= block.end:
            return block.arm
    return None


def nightly(blocks: tuple[Block, ...]) -> pd.DataFrame:
    """One row per scheduled night: night, block (its number) and arm."""
    import pandas as pd  # only the analysis needs it; the command line starts without it

    rows = [
        (pd.Timestamp(b.start + dt.timedelta(days=d)), i, b.arm)
        for i, b in enumerate(blocks)
        for d in range(b.nights)
    ]
    return pd.DataFrame(rows, columns=["night", "block", "arm"])


_TONIGHT = {
    "stretching": ("stretch your calves before bed", "no calf stretching tonight"),
    "water": ("drink at least {target} today", "drink as you usually do today"),
    "magnesium": ("take your magnesium as agreed", "no magnesium tonight"),
}


def tonight(plan: Plan, night: dt.date) -> str | None:
    """What the schedule asks for the night that begins on `night` (None outside it)."""
    blocks = schedule(plan)
    arm = assignment(blocks, night)
    if arm is None or night > last_night(plan, blocks):
        return None
    number = next(i for i, b in enumerate(blocks, 1) if b.start <= night <= b.end)
    on, off = _TONIGHT.get(plan.habit, (plan.habit.strip(), f"no {plan.habit.strip()} tonight"))
    words = (on if arm == ON else off).format(target=f"{plan.target or 0:,.0f} ml")
    return f"Your experiment, block {number} of {len(blocks)} ({arm}): {words}."
