"""What a personal experiment (N-of-1 trial) found: cramps on "on" nights against "off" nights.

The plan and its schedule are tracker.journal.plans. The analysis is by assignment (intention
to treat): cramps a night on "on" nights against "off" nights, the exact and the trend-adjusted
rate ratio (stats, adjusted), and a randomisation test: the observed difference in cramps a
night is compared with the difference under every other order the pairs could have been drawn
in (2 ** pairs schedules, or a seeded random sample of them when there are too many).
Two-sided, so the smallest p it can give is 2 / 2 ** pairs: 12 blocks (64 schedules) can reach
0.03, 4 blocks never less than 0.5. Whether she kept the plan is read from what she logged for
the habit, or for a habit she named herself from her answer to "Did you keep to the plan?"
(plan_kept); nights not logged or not said are unknown, never zero. An experiment she stopped
early counts its nights up to the night she stopped it.

Magnesium is a supplement: only with "discussed with my clinician" ticked. Salt never.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.care.language import _, ngettext
from tracker.insights.adjusted import DATE, adjusted_ratio
from tracker.insights.plan_words import nights
from tracker.insights.stats import Adjusted, RateRatio, Side, compare, fixed
from tracker.insights.wording import YOU, about, range_sentence
from tracker.journal.plans import (
    COLUMNS,
    ON,
    Block,
    Plan,
    last_night,
    named_habit,
    nightly,
    schedule,
)

MAX_EXACT = 5000  # more possible schedules than this: a seeded sample of SAMPLED instead
SAMPLED = 4000


def kept(plan: Plan, arm: pd.Series, values: pd.Series) -> pd.Series:
    """Whether each night kept to its arm, from what she logged (NA: not noted, or no column)."""
    values = values.astype("Float64")
    on = arm == ON
    did = values >= plan.target if plan.habit == "water" else values > 0
    return did.where(on, ~did).astype("boolean")


@dataclass(frozen=True)
class Result:
    """What an experiment found, by assignment."""

    plan: Plan
    blocks: tuple[Block, ...]
    on: Side
    off: Side
    not_logged: int
    kept_on: tuple[int, int]  # nights kept, nights where it was noted
    kept_off: tuple[int, int]
    ratio: RateRatio  # on / off, exact
    adjusted: Adjusted  # on / off, allowing for the weeks passing
    p_value: float | None  # randomisation test, two-sided; None without nights on both sides
    schedules: int  # how many possible schedules the test compared against
    finished: bool

    @property
    def planned_nights(self) -> int:
        """How many nights the schedule planned."""
        return sum(b.nights for b in self.blocks)

    @property
    def nights_run(self) -> int:
        """How many of them the experiment ran (fewer when she stopped it early)."""
        return max(0, (last_night(self.plan, self.blocks) - self.plan.start).days + 1)

    @property
    def stopped_early(self) -> bool:
        """Whether she stopped it before its last planned night."""
        return self.nights_run < self.planned_nights

    def to_json_dict(self) -> dict:
        """JSON-ready values (null for what cannot be given)."""
        return {
            "habit": self.plan.habit,
            "start": self.plan.start.isoformat(),
            "end": self.blocks[-1].end.isoformat(),
            "seed": self.plan.seed,
            "blocks": [
                {"start": b.start.isoformat(), "nights": b.nights, "arm": b.arm}
                for b in self.blocks
            ],
            "finished": self.finished,
            "stopped": self.plan.stopped.isoformat() if self.stopped_early else None,
            "planned_nights": self.planned_nights,
            "nights_run": self.nights_run,
            "on": self.on.to_json_dict(),
            "off": self.off.to_json_dict(),
            "not_logged": self.not_logged,
            "adherence": {
                "on": {"kept": self.kept_on[0], "noted": self.kept_on[1]},
                "off": {"kept": self.kept_off[0], "noted": self.kept_off[1]},
            },
            "rate_ratio": self.ratio.estimate,
            "ci95": self.ratio.ci95,
            "adjusted": self.adjusted.to_json_dict(),
            "permutation_p": self.p_value,
            "schedules": self.schedules,
        }


def _difference(cramps: np.ndarray, on: np.ndarray) -> float | None:
    if on.all() or not on.any():
        return None
    return float(cramps[on].mean() - cramps[~on].mean())


def _assignments(blocks: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """The on blocks of every order the pairs could take, or a seeded sample of them."""
    pairs = blocks // 2
    if 2**pairs <= MAX_EXACT:
        orders = itertools.product((0, 1), repeat=pairs)
    else:
        orders = (tuple(rng.integers(0, 2, size=pairs)) for _ in range(SAMPLED))
    return [tuple(2 * pair + int(b) for pair, b in enumerate(order)) for order in orders]


def randomisation_test(
    cramps: np.ndarray, block: np.ndarray, arm_on: np.ndarray, blocks: int, seed: int
) -> tuple[float | None, int]:
    """Two-sided p: the share of possible schedules with a difference at least as large."""
    observed = _difference(cramps, arm_on)
    if observed is None:
        return None, 0
    choices = _assignments(blocks, np.random.default_rng(seed + 1))
    at_least = 0
    for chosen in choices:
        diff = _difference(cramps, np.isin(block, chosen))
        at_least += diff is not None and abs(diff) >= abs(observed) - 1e-12
    return at_least / len(choices), len(choices)


def evaluate(plan: Plan, nights: pd.DataFrame, today: dt.date | None = None) -> Result:
    """The experiment's result from the journal's nights (tracker.frames.load_nights).

    today: nights from today on cannot be logged yet, so they are not counted as unlogged.
    """
    blocks = schedule(plan)
    last = last_night(plan, blocks)
    planned = nightly(blocks)
    planned = planned[planned["night"] <= pd.Timestamp(last)]
    logged = planned.merge(nights, on="night", how="inner")
    on = (logged["arm"] == ON).to_numpy(bool)
    cramps = logged["cramps"].to_numpy("float64")
    column = COLUMNS.get(plan.habit)
    if column:
        did = kept(plan, logged["arm"], logged[column])
    elif "plan_kept" in logged:  # a habit she named herself: what she said each morning
        did = logged["plan_kept"].astype("boolean")
    else:
        did = pd.Series(pd.NA, index=logged.index, dtype="boolean")
    noted = did.notna().to_numpy(bool)
    kept_flags = did.fillna(False).to_numpy(bool)
    on_side = Side(int(on.sum()), int(cramps[on].sum()))
    off_side = Side(int((~on).sum()), int(cramps[~on].sum()))
    days = (logged["night"] - pd.Timestamp("2000-01-01")).dt.days.to_numpy("float64")
    past = planned if today is None else planned[planned["night"] < pd.Timestamp(today)]
    p, count = randomisation_test(cramps, logged["block"].to_numpy(), on, plan.blocks, plan.seed)
    return Result(
        plan=plan,
        blocks=blocks,
        on=on_side,
        off=off_side,
        not_logged=int((~past["night"].isin(logged["night"])).sum()),
        kept_on=(int((kept_flags & on).sum()), int((noted & on).sum())),
        kept_off=(int((kept_flags & ~on).sum()), int((noted & ~on).sum())),
        ratio=compare(on_side, off_side),
        adjusted=adjusted_ratio(cramps, on, days, time=DATE),
        p_value=p,
        schedules=count,
        finished=today is not None and today > last,
    )


# How it is said: "in your experiment", an association in her own data, never proof. Each
# sentence whole, for her ("you") and for her clinician ("she"), in the language being spoken.


def _chance(p: float, schedules: int, who: str) -> list[str]:
    ways = round(p * schedules)
    said = [
        ngettext(
            "Shuffling the on and off blocks gives a gap this big in {ways} of {schedules} way.",
            "Shuffling the on and off blocks gives a gap this big in {ways} of {schedules} ways.",
            schedules,
        ).format(ways=ways, schedules=schedules)
    ]
    if p <= 0.05:
        said.append(
            _("So chance alone is unlikely to explain it, in your experiment.")
            if who == YOU
            else _("So chance alone is unlikely to explain it, in her experiment.")
        )
    elif p <= 0.2:
        said.append(_("So chance may explain it."))
    else:
        said.append(_("So chance alone could well explain it."))
    return said


def _logged(r: Result, who: str) -> str:
    """How many nights on, off and not logged: one sentence."""
    counts = {"on": nights(r.on.nights), "off": nights(r.off.nights)}
    counts["not_logged"] = nights(r.not_logged)
    if who == YOU:
        said = ngettext(
            "In your experiment: {on} on and {off} off were logged, and {not_logged} was not.",
            "In your experiment: {on} on and {off} off were logged, and {not_logged} were not.",
            r.not_logged,
        )
    else:
        said = ngettext(
            "In her experiment: {on} on and {off} off were logged, and {not_logged} was not.",
            "In her experiment: {on} on and {off} off were logged, and {not_logged} were not.",
            r.not_logged,
        )
    return said.format(**counts)


def _kept_sentence(r: Result) -> str:
    (a, b), (c, d) = r.kept_on, r.kept_off
    on = ngettext("{kept} of {noted} 'on' night", "{kept} of {noted} 'on' nights", b)
    off = ngettext("{kept} of {noted} 'off' night", "{kept} of {noted} 'off' nights", d)
    return _("The plan was kept on {on} and {off}.").format(
        on=on.format(kept=a, noted=b), off=off.format(kept=c, noted=d)
    )


def describe_result(r: Result, person: str = YOU) -> list[str]:
    """The experiment's result in short plain sentences ("you" for her, "she" for the PDF)."""
    who = person
    said = [_logged(r, who)]
    if not (r.on.nights or r.off.nights or r.not_logged):  # not "0 nights ... 0 were not"
        said = [
            _("No night of your experiment has passed yet.")
            if who == YOU
            else _("No night of her experiment has passed yet.")
        ]
    if r.stopped_early and r.nights_run == 0:
        said = [
            _("Your experiment was stopped before its first night.")
            if who == YOU
            else _("Her experiment was stopped before its first night.")
        ]
    elif r.stopped_early:
        said.append(
            ngettext(
                "Stopped early after {run} of {planned} night.",
                "Stopped early after {run} of {planned} nights.",
                r.planned_nights,
            ).format(run=r.nights_run, planned=r.planned_nights)
        )
    if r.kept_on[1] + r.kept_off[1]:
        said.append(_kept_sentence(r))
    elif named_habit(r.plan):
        said.append(_("The journal does not show whether the plan was kept."))
    if r.p_value is None or not r.ratio.enough_data:
        said.append(_("There are too few nights on each side to compare yet."))
        return said
    rates = {"on": fixed(r.on.per_night), "off": fixed(r.off.per_night)}
    said.append(
        (
            _("On 'on' nights you had {on} cramps a night; on 'off' nights, {off}.")
            if who == YOU
            else _("On 'on' nights she had {on} cramps a night; on 'off' nights, {off}.")
        ).format(**rates)
    )
    if r.ratio.estimate:
        said.append(_("That is {ratio}.").format(ratio=about(r.ratio.estimate)))
    if who == YOU:  # the clinician reads the range and the adjusted ratio as figures instead
        said.append(range_sentence(r.ratio.low, r.ratio.high))
        if r.adjusted.fitted:
            said.append(
                _("Allowing for the weeks passing, it is {ratio}.").format(
                    ratio=about(r.adjusted.rate_ratio)
                )
            )
    return [*said, *_chance(r.p_value, r.schedules, who)]
