"""Cramp rates compared honestly: the exact interval for a ratio of two rates.

Cramps on a set of nights are treated as Poisson counts. Given the total number of cramps n,
the cramps k on the "with" side are binomial with p = rate ratio * exposure share, so the
exact (conditional) interval for the rate ratio comes from the Clopper-Pearson interval for
p. That is the interval `scipy.stats.binomtest(k, n).proportion_ci(method="exact")` gives
(and R's `poisson.test` reports); it is computed here from its closed form, the beta
quantiles, via scipy.special.betaincinv, which gives the same numbers (to 1e-12, checked in
tests/test_stats.py) hundreds of times faster, so a summary stays cheap at any journal size.

JSON cannot hold infinity: an unbounded upper limit is None (null), and so is a ratio whose
reference side had no cramps (division by zero).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from .models import WATER_UNITS

MIN_NIGHTS = 3  # nights needed on each side before a comparison is shown
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Side:
    """Some logged nights and the cramps on them."""

    nights: int
    cramps: int

    @property
    def per_night(self) -> float | None:
        """Cramps per night (None without nights)."""
        return self.cramps / self.nights if self.nights else None

    def to_json_dict(self) -> dict:
        """{nights, cramps, cramps_per_night}."""
        return {"nights": self.nights, "cramps": self.cramps, "cramps_per_night": self.per_night}


@dataclass(frozen=True)
class RateRatio:
    """Cramps a night on one side divided by the other side's, with its exact interval."""

    estimate: float | None  # None: not enough data, or no cramps on the reference side
    low: float | None  # None only when there is not enough data
    high: float | None  # None: not enough data, or no upper limit
    enough_data: bool

    @property
    def ci95(self) -> list[float | None] | None:
        """[low, high] (high None when unbounded), or None without enough data."""
        return [self.low, self.high] if self.enough_data else None


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial proportion k out of n."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, tail))
    high = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - tail))
    return low, high


def rate_ratio_interval(
    exposed: Side, reference: Side, confidence: float = CONFIDENCE
) -> tuple[float, float | None]:
    """Exact conditional interval for exposed's rate / reference's rate (None: no upper limit)."""
    if exposed.nights <= 0 or reference.nights <= 0:
        raise ValueError("both sides need at least one night")
    total = exposed.cramps + reference.cramps
    if total == 0:
        return 0.0, None  # no cramps at all: the data cannot bound the ratio
    p_low, p_high = clopper_pearson(exposed.cramps, total, confidence)
    exposure = reference.nights / exposed.nights
    high = None if p_high >= 1 else p_high / (1 - p_high) * exposure
    return p_low / (1 - p_low) * exposure, high


def compare(
    exposed: Side,
    reference: Side,
    *,
    min_nights: int = MIN_NIGHTS,
    confidence: float = CONFIDENCE,
) -> RateRatio:
    """Rate ratio of exposed to reference with its interval; all None below min_nights a side."""
    if exposed.nights < min_nights or reference.nights < min_nights:
        return RateRatio(None, None, None, enough_data=False)
    low, high = rate_ratio_interval(exposed, reference, confidence)
    estimate = None if reference.cramps == 0 else exposed.per_night / reference.per_night
    return RateRatio(estimate, low, high, enough_data=True)


def nights_needed(side: Side, min_nights: int = MIN_NIGHTS) -> int:
    """How many more nights this side needs before a comparison can be shown."""
    return max(0, min_nights - side.nights)


def median_of_counts(values: Sequence[float], counts: Sequence[int]) -> float | None:
    """The median of a sample given as distinct values and how often each occurs."""
    order = np.argsort(np.asarray(values, dtype="float64"), kind="stable")
    sorted_values = np.asarray(values, dtype="float64")[order]
    cumulative = np.cumsum(np.asarray(counts, dtype="int64")[order])
    if len(cumulative) == 0 or cumulative[-1] == 0:
        return None
    total = int(cumulative[-1])
    lower = sorted_values[np.searchsorted(cumulative, (total - 1) // 2, side="right")]
    upper = sorted_values[np.searchsorted(cumulative, total // 2, side="right")]
    return float((lower + upper) / 2)


@dataclass(frozen=True)
class Comparison:
    """Cramps a night with a habit against without it, over nights where it was recorded."""

    factor: str  # "stretching", "magnesium" or "water"
    with_: Side
    without: Side
    ratio: RateRatio  # with / without
    threshold: float | None = None  # water: her median (ml); with = at or above it

    @property
    def nights_needed(self) -> dict[str, int]:
        """More nights needed on each side before the comparison can be shown."""
        return {"with": nights_needed(self.with_), "without": nights_needed(self.without)}

    def to_json_dict(self) -> dict:
        """The comparison as JSON-ready values (null for what cannot be given)."""
        return {
            "factor": self.factor,
            "with": self.with_.to_json_dict(),
            "without": self.without.to_json_dict(),
            "rate_ratio": self.ratio.estimate,
            "ci95": self.ratio.ci95,
            "enough_data": self.ratio.enough_data,
            "nights_needed": self.nights_needed,
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class BeforeAfter:
    """Cramps a night from the first night with a habit on, against the nights before."""

    factor: str  # "magnesium" or "stretching"
    first_night: dt.date | None  # None: never logged in the period
    baseline: Side
    after: Side
    ratio: RateRatio  # after / baseline

    @property
    def halved(self) -> bool | None:
        """After-rate at most half the baseline rate (the trials' measure); None if unknown."""
        if not self.ratio.enough_data or self.baseline.cramps == 0:
            return None
        # exact integer form of: after cramps/night <= baseline cramps/night / 2
        return 2 * self.after.cramps * self.baseline.nights <= (
            self.baseline.cramps * self.after.nights
        )

    @property
    def nights_needed(self) -> dict[str, int]:
        """More nights needed before and after before the comparison can be shown."""
        return {"baseline": nights_needed(self.baseline), "after": nights_needed(self.after)}

    def to_json_dict(self) -> dict:
        """The before/after view as JSON-ready values."""
        return {
            "factor": self.factor,
            "first_night": self.first_night.isoformat() if self.first_night else None,
            "baseline": self.baseline.to_json_dict(),
            "after": self.after.to_json_dict(),
            "rate_ratio": self.ratio.estimate,
            "ci95": self.ratio.ci95,
            "enough_data": self.ratio.enough_data,
            "nights_needed": self.nights_needed,
            "halved": self.halved,
        }


# How a comparison is said to her: plain sentences, an association and never a verdict.

ASSOCIATION = "This is an association in your own journal, not proof of cause and effect."
OVER_TIME = (
    "Cramps usually become more common as pregnancy goes on, so a change over time may come "
    "from the weeks passing rather than from the habit."
)
SUPPLEMENTS = (
    "Talk to your midwife or doctor before starting, stopping or changing magnesium or any "
    "other supplement."
)
CAVEATS = (ASSOCIATION, OVER_TIME, SUPPLEMENTS)
_WITH = {
    "stretching": "after you stretched",
    "magnesium": "after you took magnesium",
    "water": "after you drank at least {amount}",
}
_WITHOUT = {"stretching": "you didn't", "magnesium": "you didn't", "water": "you drank less"}
_NEED = {
    "stretching": ("after stretching", "without stretching"),
    "magnesium": ("with magnesium", "without magnesium"),
    "water": ("drinking at least {amount}", "drinking less"),
}


def _number(x: float) -> str:
    """A rate or ratio as she would say it: 1.4, 0.05, 12, under 0.01 (never 1e-05)."""
    if x >= 10:
        return f"{x:,.0f}"
    if x >= 0.095 or x == 0:
        return f"{x:.1f}"
    return f"{x:.2f}" if x >= 0.01 else "under 0.01"


def _nights(n: int, more: bool = False) -> str:
    return f"{n} {'more ' if more else ''}night{'' if n == 1 else 's'}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _amount(ml: float, unit: str) -> str:
    if unit not in WATER_UNITS or unit == "ml":
        return f"{round(ml):,} ml"
    return f"{ml / WATER_UNITS[unit]:.1f}".removesuffix(".0") + f" {unit}"


def _rates(exposed: Side, reference: Side, ratio: RateRatio) -> tuple[str, str]:
    """'0.6 cramps a night' and '1.4 (about 0.4 times as many; ...)' for the two sides."""
    first = "no cramps" if exposed.cramps == 0 else f"{_number(exposed.per_night)} cramps a night"
    second = "none" if reference.cramps == 0 else _number(reference.per_night)
    if exposed.cramps == 0 and reference.cramps == 0:
        return first, second + " either (so there is nothing to compare)"
    if ratio.estimate is None:
        return first, second + " (so no ratio can be given)"
    if ratio.estimate == 0:
        return first, second + (
            f" (the true figure could be anywhere from 0 to {_number(ratio.high)} times as many)"
        )
    return first, second + (
        f" (about {_number(ratio.estimate)} times as many; could be anywhere from "
        f"{_number(ratio.low)} to {_number(ratio.high)} times)"
    )


def _need(parts: list[tuple[int, str]]) -> str:
    return " and ".join(f"{_nights(n, more=True)} {phrase}" for n, phrase in parts if n)


def _comparison_sentence(c: Comparison, water_unit: str) -> str:
    amount = _amount(c.threshold, water_unit) if c.threshold is not None else ""
    if c.factor == "water" and c.threshold is None:
        return "Not enough nights to compare yet: log how much you drank on more nights."
    if not c.ratio.enough_data:
        need = _need(
            [
                (c.nights_needed["with"], _NEED[c.factor][0].format(amount=amount)),
                (c.nights_needed["without"], _NEED[c.factor][1]),
            ]
        )
        return (
            f"Not enough nights to compare yet: log {need} "
            f"(at least {MIN_NIGHTS} of each are needed)."
        )
    first, second = _rates(c.with_, c.without, c.ratio)
    return (
        f"On the {_nights(c.with_.nights)} {_WITH[c.factor].format(amount=amount)} you had "
        f"{first}; on the {_nights(c.without.nights)} {_WITHOUT[c.factor]}, {second}."
    )


def _before_after_sentences(b: BeforeAfter) -> list[str]:
    if b.first_night is None:
        return [f"No nights with {b.factor} are logged yet, so there is no before and after."]
    started = f"you started {b.factor} ({_day(b.first_night)})"
    if not b.ratio.enough_data and b.nights_needed["baseline"] > 0:
        # Nights before the start cannot be logged any more (unless from an old diary).
        return [
            f"You logged {_nights(b.baseline.nights)} before {started}; a before and after "
            f"view needs at least {MIN_NIGHTS}, so it can't be shown. Your nights "
            "with and without it are compared above."
        ]
    if not b.ratio.enough_data:
        need = _need(
            [(b.nights_needed["baseline"], "before it"), (b.nights_needed["after"], "from then on")]
        )
        return [
            f"Not enough nights yet to compare before and after {started}: log {need} "
            f"(at least {MIN_NIGHTS} of each are needed)."
        ]
    first, second = _rates(b.after, b.baseline, b.ratio)
    said = [
        f"On the {_nights(b.after.nights)} since {started} you had {first}; on the "
        f"{_nights(b.baseline.nights)} before, {second}."
    ]
    if b.halved is not None:
        meets = "meets" if b.halved else "does not meet"
        said.append(f"That {meets} the measure trials use: cramps a night down to half or less.")
    return said


def describe(item: Comparison | BeforeAfter, water_unit: str = "ml") -> list[str]:
    """Plain sentences for a comparison: the numbers, then the caveats, one per sentence."""
    if isinstance(item, BeforeAfter):
        said = _before_after_sentences(item)
    else:
        said = [_comparison_sentence(item, water_unit)]
    said += [ASSOCIATION, OVER_TIME]
    if item.factor == "magnesium":
        said.append(SUPPLEMENTS)
    return said
