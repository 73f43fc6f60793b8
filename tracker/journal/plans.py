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

from tracker.care import language
from tracker.care.language import N_, _, ngettext
from tracker.journal.entries import FIRST_NIGHT, control_character

if TYPE_CHECKING:
    import pandas as pd

MIN_BLOCK, MAX_BLOCK = 3, 7  # nights in one block
DEFAULT_BLOCKS = 12  # 6 pairs, 64 possible schedules: the test can reach 2 in 64
BLOCK_CHOICES = (4, 6, 8, 10, 12, 14, 16)  # what the Experiments page offers
MIN_BLOCKS, MAX_BLOCKS = BLOCK_CHOICES[0], BLOCK_CHOICES[-1]
MAX_HABIT_CHARS = 100  # the Experiments page's text box, and the table's column
MIN_TARGET_ML, MAX_TARGET_ML = 500, 5000  # the page's water target
MAX_SEED = 2**31 - 1  # the page draws below 2**31; a PostgreSQL integer holds no more
LAST_START = dt.date(2199, 12, 31)  # far ahead, and every night of it still a pandas date
COLUMNS = {"stretching": "stretch_min", "water": "water_ml", "magnesium": "magnesium_mg"}
NEVER = ("salt", "sodium")
ON, OFF = "on", "off"
ARMS = {ON: N_("on"), OFF: N_("off")}  # a block's arm, as she reads it


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


def plan_problems(plan: Plan) -> dict[str, str]:
    """Why the plan cannot run, keyed by the field to fix, in plain words (empty when it can),
    in the language being spoken.

    The one check for a plan: the page's new plan, a backup's plans and the plans read back
    from the journal (one written by an older version, or by hand, is refused here too).
    """
    said: dict[str, str] = {}
    habit = plan.habit if isinstance(plan.habit, str) else ""
    name = habit.strip().lower()
    if not name:
        said["habit"] = _("Name the habit you want to try.")
    elif len(habit) > MAX_HABIT_CHARS:
        said["habit"] = ngettext(
            "The habit's name is too long: at most {count} character.",
            "The habit's name is too long: at most {count} characters.",
            MAX_HABIT_CHARS,
        ).format(count=MAX_HABIT_CHARS)
    elif problem := control_character(habit, multiline=False):
        said["habit"] = _("The habit's name {problem}.").format(problem=problem)
    elif any(word in name for word in NEVER):
        said["habit"] = _("Extra salt is not advised in pregnancy, so it can't be an experiment.")
    if name == "magnesium" and not plan.clinician_agreed:
        said["clinician_agreed"] = _(
            "Magnesium is a supplement: tick that you discussed it with your clinician."
        )
    if name == "water" and not plan.target:
        said["target"] = _("Set how much water to drink on the 'on' days.")
    elif plan.target is not None and not (
        isinstance(plan.target, int | float) and MIN_TARGET_ML <= plan.target <= MAX_TARGET_ML
    ):
        said["target"] = _("The water target must be {low} to {high} ml.").format(
            low=MIN_TARGET_ML, high=MAX_TARGET_ML
        )
    if not _whole(plan.blocks) or plan.blocks not in BLOCK_CHOICES:
        said["blocks"] = _(
            "Use an even number of blocks, from {low} to {high} (this plan has {count})."
        ).format(low=MIN_BLOCKS, high=MAX_BLOCKS, count=_number(plan.blocks))
    if not _whole(plan.seed) or not 0 <= plan.seed <= MAX_SEED:
        said["seed"] = _("The seed must be a whole number from 0 to {high}.").format(
            high=_number(MAX_SEED)
        )
    if not isinstance(plan.start, dt.date) or not FIRST_NIGHT <= plan.start <= LAST_START:
        said["start"] = _("The first night must be between {first} and {last}.").format(
            first=_date(FIRST_NIGHT), last=_date(LAST_START)
        )
    elif plan.stopped is not None and not (
        isinstance(plan.stopped, dt.date) and plan.stopped >= plan.start - dt.timedelta(days=1)
    ):
        said["stopped"] = _("The last night must be the day before the first night or later.")
    return said


def problems(plan: Plan) -> list[str]:
    """Why the plan cannot run, in plain words (empty when it can)."""
    return list(plan_problems(plan).values())


def cannot_run(plan: Plan, remedy: str) -> str:
    """What to tell her about a plan kept in her journal that cannot run (one an older version
    let in), then `remedy` (already in her language): her words are left out, so it is safe as
    Markdown."""
    if isinstance(plan.start, dt.date):
        first = _("An experiment in your journal, from the night of {night}, can't be used:")
        first = first.format(night=_date(plan.start))
    else:
        first = _("An experiment in your journal, from an unknown night, can't be used:")
    kept = _("The nights you logged stay in your journal.")
    return " ".join([first, *plan_problems(plan).values(), remedy, kept])


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> str:
    """A whole number as her language groups it (2,000,000 / 2.000.000); anything else as
    the program wrote it (cut short)."""
    if not _whole(value):
        return repr(value)[:20]
    return language.count(value)


def _date(day: dt.date) -> str:
    """'07 Dec 2026' in her language (a refusal's date)."""
    return language.date(day, _("dd MMM yyyy"))  # a CLDR date pattern, for the translator


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


def _asked(plan: Plan, arm: str) -> str:
    """What one night of the plan asks, her own words for a habit she named (as data, never
    as a template: braces, Markdown or HTML in them are just characters)."""
    on = arm == ON
    if plan.habit == "stretching":
        return _("stretch your calves before bed") if on else _("no calf stretching tonight")
    if plan.habit == "water":
        return (
            _("drink at least {ml} ml today").format(ml=f"{plan.target or 0:.0f}")
            if on
            else _("drink as you usually do today")
        )
    if plan.habit == "magnesium":
        return _("take your magnesium as agreed") if on else _("no magnesium tonight")
    habit = plan.habit.strip()
    return habit if on else _("no {habit} tonight").format(habit=habit)  # hers: data only


def _block_of(plan: Plan, night: dt.date) -> tuple[int, int, str] | None:
    """(block number, blocks, arm) of the night, None outside the experiment."""
    blocks = schedule(plan)
    arm = assignment(blocks, night)
    if arm is None or night > last_night(plan, blocks):
        return None
    number = next(i for i, b in enumerate(blocks, 1) if b.start <= night <= b.end)
    return number, len(blocks), arm


def tonight(plan: Plan, night: dt.date) -> str | None:
    """What the schedule asks for the night that begins on `night` (None outside it)."""
    if (where := _block_of(plan, night)) is None:
        return None
    number, blocks, arm = where
    return _block_line(number, blocks, arm, _asked(plan, arm))


def _block_line(number: int, blocks: int, arm: str, asked: str) -> str:
    """'Your experiment, block 2 of 6 (on): ...', in her language."""
    return _("Your experiment, block {number} of {blocks} ({arm}): {asked}.").format(
        number=number, blocks=blocks, arm=_(ARMS[arm]), asked=asked
    )


def tonight_line(plan: Plan, night: dt.date) -> str | None:
    """tonight() in the app's own words only, safe to show as Markdown: a habit she named is
    "your habit" there, and the page shows her words beside it as plain text (escaping does not
    stop Markdown making a link of a web address in them)."""
    if not named_habit(plan):
        return tonight(plan, night)
    if (where := _block_of(plan, night)) is None:
        return None
    number, blocks, arm = where
    asked = _("keep to your habit tonight") if arm == ON else _("leave your habit out tonight")
    return _block_line(number, blocks, arm, asked)
