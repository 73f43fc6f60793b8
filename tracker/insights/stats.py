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

from tracker.care import language
from tracker.care.language import N_, _
from tracker.journal.models import WATER_UNITS

MIN_NIGHTS = 3  # nights needed on each side before a comparison is shown
# Nights needed before cramps are given as a weekly rate (a period's, a week of pregnancy's, the
# 7-night average), or a period's share of nights with cramps as a percentage: more than half a
# week. From fewer, a week's figure is a guess ("7.0 a week" from one night with one cramp).
MIN_NIGHTS_FOR_RATE = 4
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
class Adjusted:
    """The rate ratio from a Poisson model that allows for a smooth change over time."""

    rate_ratio: float | None  # None: the model could not be fitted
    low: float | None
    high: float | None
    nights: int  # nights in the model
    time: str  # what the smooth term follows: "week of pregnancy" or "date"
    reason: str | None = None  # why it could not be fitted (a key of NOT_FITTED)

    @property
    def fitted(self) -> bool:
        """Whether the model gave a ratio."""
        return self.rate_ratio is not None

    @property
    def ci95(self) -> list[float] | None:
        """[low, high], or None when the model could not be fitted."""
        return [self.low, self.high] if self.fitted else None

    def to_json_dict(self) -> dict:
        """{rate_ratio, ci95, fitted, reason, nights, time}."""
        return {
            "rate_ratio": self.rate_ratio,
            "ci95": self.ci95,
            "fitted": self.fitted,
            "reason": self.reason,
            "nights": self.nights,
            "time": self.time,
        }


# Why an adjusted ratio could not be given, in words for her (said with _(NOT_FITTED[reason])).
NOT_FITTED = {
    "too_few_nights": N_("there are too few nights on one side"),
    "no_cramps_on_one_side": N_("one side had no cramps at all"),
    "tied_to_time": N_("the habit changed too closely with the weeks"),
    "did_not_settle": N_("the model did not settle on an answer"),
}


@dataclass(frozen=True)
class Comparison:
    """Cramps a night with a habit against without it, over nights where it was recorded."""

    factor: str  # "stretching", "magnesium", "water" or "activity"
    with_: Side
    without: Side
    ratio: RateRatio  # with / without
    threshold: float | None = None  # water, activity: her median; with = at or above it
    adjusted: Adjusted | None = None  # the same ratio allowing for the weeks passing

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
            "adjusted": self.adjusted.to_json_dict() if self.adjusted else None,
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


def _day(day: dt.date) -> str:
    """A date as the comparisons and the summary print it: 14 Jan 2026 (14 ene 2026)."""
    return language.date(day, _("d MMM yyyy"))  # a CLDR date pattern, for the translator


def fixed(x: float, places: int = 1) -> str:
    """x with `places` decimals, rounded as Python rounds, with her language's decimal mark:
    1.5 in English, 1,5 in Spanish (no thousands separator: 1750, as she types it)."""
    from babel.numbers import get_decimal_symbol

    return f"{x:.{places}f}".replace(".", get_decimal_symbol(language.current()))


def plain(x: float) -> str:
    """1.5, 2 (not 2.0): a number with one decimal as she would write it in the form."""
    from babel.numbers import get_decimal_symbol

    return fixed(x, 1).removesuffix(get_decimal_symbol(language.current()) + "0")


def _amount(ml: float, unit: str) -> str:
    """A water amount in her unit, as the form accepts it: "1750 ml" (no thousands comma,
    which the form refuses as ambiguous), "1.8 litres" (adherence uses it too)."""
    if unit not in WATER_UNITS or unit == "ml":
        return _("{amount} {unit}").format(amount=round(ml), unit=_("ml"))
    return _("{amount} {unit}").format(amount=plain(ml / WATER_UNITS[unit]), unit=_(unit))
