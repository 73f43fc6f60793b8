"""What the comparisons say, in plain words: to her on Trends ("you"), to her clinician on the PDF
("she"). Short sentences, numbers as a person says them ("about twice as many"), a wide range
called "too few nights to tell", an association and never a verdict. explain() gives the
"how this is worked out" text behind each one, with the exact figures.
"""

from __future__ import annotations

import datetime as dt
import math

from tracker.insights.stats import MIN_NIGHTS, NOT_FITTED, BeforeAfter, Comparison, _amount, _day

YOU, SHE = "you", "she"
WIDE = 4.0  # a likely range whose top is over 4 times its bottom: too few nights to tell
CHANGED = 1.5  # adjusting moved the ratio by more than half again (or to two thirds)

ASSOCIATION = "This is a link in your own data, not proof that a habit helps or harms."
OVER_TIME = (
    "Cramps tend to get more common as the weeks go by. So a change over time may come "
    "from the weeks, not the habit."
)
SUPPLEMENTS = (
    "Talk to your midwife or doctor before you start, stop or change magnesium or any supplement."
)
CAVEATS = (ASSOCIATION, OVER_TIME, SUPPLEMENTS)
CLINICIAN_CAVEATS = (
    "These are links in her own diary, not proof that a habit helps.",
    "Cramps tend to rise as pregnancy goes on, so each figure is also given allowing for the "
    "weeks passing (a Poisson model with a smooth term for time).",
)
TOPICS = {
    "stretching": "Calf stretching",
    "magnesium": "Magnesium",
    "water": "Water",
    "activity": "Activity",
}
_SIDES = {
    YOU: {
        "stretching": ("after you stretched", "when you didn't"),
        "magnesium": ("after you took magnesium", "when you didn't"),
        "water": ("after you drank at least {amount}", "when you drank less"),
        "activity": ("after you were active for at least {amount}", "when you were less active"),
    },
    SHE: {
        "stretching": ("after stretching", "without stretching"),
        "magnesium": ("after magnesium", "without magnesium"),
        "water": ("after drinking at least {amount}", "after drinking less"),
        "activity": ("after at least {amount} of activity", "after less activity"),
    },
}
_NOT_NOTED = {
    "water": "how much you drank",
    "activity": "how active you were",
}
# Ratios as people say them, nearest on a log scale.
_LADDER = (
    (0.1, "a tenth"),
    (0.2, "a fifth"),
    (0.25, "a quarter"),
    (1 / 3, "a third"),
    (0.5, "half"),
    (2 / 3, "two thirds"),
    (0.75, "three quarters"),
    (1.0, "the same"),
    (1.25, "a quarter more"),
    (1.5, "one and a half times"),
    (2.0, "twice"),
    (3.0, "three times"),
    (4.0, "four times"),
    (5.0, "five times"),
    (6.0, "six times"),
    (8.0, "eight times"),
    (10.0, "ten times"),
)


def day_text(day: dt.date) -> str:
    """A date as the comparisons and the summary print it: 14 Jan 2026."""
    return _day(day)


def number(x: float) -> str:
    """A rate or ratio as she would say it: 1.4, 0.05, 12, under 0.01 (never 1e-05)."""
    if x >= 10:
        return f"{x:.0f}"  # no thousands comma: "1,234" reads as 1.234 in much of the world
    if x >= 0.095 or x == 0:
        return f"{x:.1f}"
    return f"{x:.2f}" if x >= 0.01 else "under 0.01"


def as_many(ratio: float | None) -> str:
    """A ratio in words: "half as many", "twice as many", "the same number", "none"."""
    if ratio is None or math.isinf(ratio):
        return "no clear upper limit"
    if ratio == 0:
        return "none"
    if ratio < 0.085:
        return "less than a tenth as many"
    if ratio > 11:
        return "more than ten times as many"
    _, words = min(_LADDER, key=lambda rung: abs(math.log(ratio / rung[0])))
    if words == "the same":
        return "the same number"
    return words if words.endswith("more") else f"{words} as many"


def about(ratio: float) -> str:
    """ "about half as many", "about the same number"."""
    words = as_many(ratio)
    return words if words in ("none",) or words.startswith(("less", "more")) else "about " + words


def picture(low: float | None, high: float | None) -> str:
    """ "fewer" or "more" when the whole range says so in words (its end not "the same
    number"), else "unclear"."""
    if high is not None and as_many(high) != "the same number" and high < 1:
        return "fewer"
    if low is not None and as_many(low) != "the same number" and low > 1:
        return "more"
    return "unclear"


def too_wide(low: float | None, high: float | None) -> bool:
    """Whether the likely range is too wide to say anything."""
    return high is None or low is None or low <= 0 or high / low > WIDE


def range_sentence(low: float | None, high: float | None) -> str:
    """The likely range in words, and what it means."""
    if high is None:
        return "There is no clear upper limit: too few nights to tell."
    span = f"The likely range runs from {as_many(low)} to {as_many(high)}"
    if too_wide(low, high):
        return f"{span}: too few nights to tell."
    meaning = {
        "fewer": "so fewer either way",
        "more": "so more either way",
        "unclear": "so there may be no real difference",
    }[picture(low, high)]
    return f"{span}, {meaning}."


def nights(n: int, more: bool = False) -> str:
    """ "1 night", "3 more nights"."""
    return f"{n} {'more ' if more else ''}night{'' if n == 1 else 's'}"


def amount(c: Comparison, water_unit: str = "ml") -> str:
    """Her median amount, where the comparison splits: "1750 ml", "1.8 litres", "30 minutes"."""
    if c.threshold is None:
        return ""
    if c.factor == "activity":
        return f"{round(c.threshold)} minutes"
    return _amount(c.threshold, water_unit)


def _rate(cramps: int, per_night: float | None) -> str:
    return "no cramps" if cramps == 0 else f"{number(per_night)} cramps a night"


def _ratio_sentences(exposed_cramps: int, reference_cramps: int, ratio) -> list[str]:  # noqa: ANN001
    if exposed_cramps == 0 and reference_cramps == 0:
        return ["There were no cramps on either side, so there is nothing to compare."]
    if ratio.estimate is None:
        return ["With no cramps on the other nights, no ratio can be given."]
    said = [] if ratio.estimate == 0 else [f"That is {about(ratio.estimate)}."]
    return [*said, range_sentence(ratio.low, ratio.high)]


def adjustment_changes(c: Comparison) -> bool:
    """Whether allowing for the weeks passing changes what the comparison says."""
    a, r = c.adjusted, c.ratio
    if a is None or not a.fitted or r.estimate in (None, 0):
        return False
    if too_wide(a.low, a.high) and too_wide(r.low, r.high):
        return False
    moved = abs(math.log(a.rate_ratio / r.estimate)) > math.log(CHANGED)
    return moved or picture(a.low, a.high) != picture(r.low, r.high)


def _adjusted_sentences(c: Comparison) -> list[str]:
    a = c.adjusted
    if a is None or not c.ratio.enough_data:
        return []
    if not a.fitted:
        return [f"We could not allow for the weeks passing here: {NOT_FITTED[a.reason]}."]
    if not adjustment_changes(c):
        return ["Allowing for the weeks passing gives much the same answer."]
    now = picture(a.low, a.high)
    if too_wide(a.low, a.high) or now == "unclear":
        why = "Then the difference is no longer clear."
    elif now != picture(c.ratio.low, c.ratio.high):
        why = f"Then there are clearly {now} cramps with the habit."
    elif abs(math.log(a.rate_ratio)) < abs(math.log(c.ratio.estimate)):
        why = "So part of the difference comes with the weeks passing."
    else:
        why = "So the weeks passing hid part of the difference."
    return [f"Allowing for the weeks passing changes the picture: {about(a.rate_ratio)}.", why]


def _need(c: Comparison, person: str, amount_text: str) -> str:
    with_, without = (s.format(amount=amount_text) for s in _SIDES[person][c.factor])
    if person == SHE:
        return (
            f"Too few nights to compare: {c.with_.nights} {with_} and {c.without.nights} "
            f"{without}. At least {MIN_NIGHTS} of each are needed."
        )
    need = c.nights_needed
    parts = [(need["with"], with_), (need["without"], without)]
    wanted = " and ".join(f"{nights(n, more=True)} {words}" for n, words in parts if n)
    return (
        f"Not enough nights to compare yet. Log {wanted}. At least {MIN_NIGHTS} of each are needed."
    )


def verdict(low: float | None, high: float | None) -> str:
    """What the likely range means, in a few words."""
    if too_wide(low, high):
        return "too few nights to tell"
    return {
        "fewer": "fewer either way",
        "more": "more either way",
        "unclear": "perhaps no real difference",
    }[picture(low, high)]


def _for_clinician(exposed, reference, ratio, with_: str, without: str) -> list[str]:  # noqa: ANN001
    """One compact sentence in the third person: both rates, the ratio in words, the verdict."""
    said = (
        f"On the {nights(exposed.nights)} {with_} she had "
        f"{_rate(exposed.cramps, exposed.per_night)}, against "
        f"{_rate(reference.cramps, reference.per_night).removesuffix(' a night')} on the "
        f"{nights(reference.nights)} {without}"
    )
    if ratio.estimate is None:
        return [said + ": no ratio can be given."]
    words = "" if ratio.estimate == 0 else f"{about(ratio.estimate)}, "
    return [f"{said}: {words}{verdict(ratio.low, ratio.high)}."]


def _comparison_sentences(c: Comparison, water_unit: str, person: str) -> list[str]:
    amount_text = amount(c, water_unit)
    if c.factor in _NOT_NOTED and c.threshold is None:
        if person == SHE:
            return [f"{TOPICS[c.factor]} was not noted on enough nights to compare."]
        return [f"Not enough nights to compare yet: log {_NOT_NOTED[c.factor]} on more nights."]
    if not c.ratio.enough_data:
        return [_need(c, person, amount_text)]
    with_, without = (s.format(amount=amount_text) for s in _SIDES[person][c.factor])
    if person == SHE:
        adjusted = _adjusted_sentences(c) if adjustment_changes(c) else []
        if c.adjusted is not None and not c.adjusted.fitted:
            adjusted = _adjusted_sentences(c)
        return [*_for_clinician(c.with_, c.without, c.ratio, with_, without), *adjusted]
    return [
        f"On the {nights(c.with_.nights)} {with_}, {person} had "
        f"{_rate(c.with_.cramps, c.with_.per_night)}.",
        f"On the {nights(c.without.nights)} {without}, {person} had "
        f"{_rate(c.without.cramps, c.without.per_night)}.",
        *_ratio_sentences(c.with_.cramps, c.without.cramps, c.ratio),
        *_adjusted_sentences(c),
    ]


def _before_after_sentences(b: BeforeAfter, person: str) -> list[str]:
    if b.first_night is None:
        return [f"No nights with {b.factor} are logged yet, so there is no before and after."]
    started = f"{person} started {b.factor} ({day_text(b.first_night)})"
    if not b.ratio.enough_data and b.nights_needed["baseline"] > 0:
        # Nights before the start cannot be logged any more (unless from an old diary).
        logged = "You logged" if person == YOU else "She logged"
        return [
            f"{logged} {nights(b.baseline.nights)} before {started}.",
            f"A before and after view needs at least {MIN_NIGHTS}, so it can't be shown.",
        ]
    if not b.ratio.enough_data:
        more = nights(b.nights_needed["after"], more=True)
        return [f"Not enough nights yet since {started}. It needs {more}."]
    if person == SHE:
        said = _for_clinician(b.after, b.baseline, b.ratio, f"since {started}", "before")
        if b.halved is not None:
            did = "did" if b.halved else "did not"
            said.append(f"Cramps a night {did} drop to half or less (the trials' measure).")
        return said
    said = [
        f"Since {started}, {person} had {_rate(b.after.cramps, b.after.per_night)} "
        f"over {nights(b.after.nights)}.",
        f"Over the {nights(b.baseline.nights)} before, {person} had "
        f"{_rate(b.baseline.cramps, b.baseline.per_night)}.",
        *_ratio_sentences(b.after.cramps, b.baseline.cramps, b.ratio),
    ]
    if b.halved is not None:
        said.append("Trials look for cramps to drop to half or less.")
        said.append("Here they did." if b.halved else "Here they did not.")
    return said


def describe(
    item: Comparison | BeforeAfter, water_unit: str = "ml", person: str = YOU
) -> list[str]:
    """Plain sentences for a comparison: the numbers, then (for her) the caveats."""
    if isinstance(item, BeforeAfter):
        said = _before_after_sentences(item, person)
    else:
        said = _comparison_sentences(item, water_unit, person)
    if person == SHE:
        return said
    said += [ASSOCIATION, OVER_TIME]
    if item.factor == "magnesium":
        said.append(SUPPLEMENTS)
    return said


def _ci(low: float | None, high: float | None) -> str:
    return f"95% CI {low:.2f} to {'no upper limit' if high is None else f'{high:.2f}'}"


def figures(c: Comparison) -> str | None:
    """The rate ratios for a clinician: exact, then adjusted for time (None without data)."""
    r, a = c.ratio, c.adjusted
    if not r.enough_data or r.estimate is None:
        return None
    said = f"Rate ratio {r.estimate:.2f} ({_ci(r.low, r.high)}, exact)"
    if a is not None and a.fitted:
        said += f"; allowing for {a.time} {a.rate_ratio:.2f} ({_ci(a.low, a.high)}, Poisson model)"
    elif a is not None:
        said += f"; not adjusted for time: {NOT_FITTED[a.reason]}"
    return said + "."


WHOLE_DIARY = "whole diary"


def topic(item: Comparison | BeforeAfter) -> str:
    """A short heading for the comparison: "Calf stretching", "Before and after starting
    magnesium (whole diary)": a before/after always splits her whole diary, whatever the period
    the comparisons beside it cover, and says so wherever it is shown."""
    if isinstance(item, BeforeAfter):
        return f"Before and after starting {item.factor} ({WHOLE_DIARY})"
    return TOPICS[item.factor]


def _split_rule(c: Comparison, water_unit: str) -> str:
    if c.factor in ("water", "activity"):
        what = "you drank at least" if c.factor == "water" else "you were active for at least"
        if c.threshold is None:
            return f"We split nights at the middle of the amounts you logged ({what} that)."
        return f"We split nights at {amount(c, water_unit)}, the middle of what you logged."
    habit = "any stretching" if c.factor == "stretching" else "any magnesium"
    return f"Nights with {habit} the day before are on one side, nights with none on the other."


def _exact(estimate: float | None, low: float | None, high: float | None) -> str:
    if estimate is None:
        return "No exact figure can be given, since one side had no cramps."
    top = "no upper limit" if high is None else f"{high:.2f}"
    return f"The exact figure is {estimate:.2f} times, with a 95% range of {low:.2f} to {top}."


def explain(item: Comparison | BeforeAfter, water_unit: str = "ml") -> list[str]:
    """How the comparison is worked out, with its exact figures, in short sentences."""
    said = ["We count the cramps on each night you logged. Nights not logged are left out."]
    if isinstance(item, BeforeAfter):
        said += [
            f"We split your whole diary at the first night with {item.factor}.",
            "This uses the whole diary, not just the nights above.",
            f"We need at least {MIN_NIGHTS} nights before and after.",
            "Cramps tend to rise as the weeks go by, so the nights after tend to have more anyway.",
        ]
        if item.ratio.enough_data:
            said.append(_exact(item.ratio.estimate, item.ratio.low, item.ratio.high))
        return said
    said += [
        _split_rule(item, water_unit),
        "Nights where you did not note it are left out.",
        f"We need at least {MIN_NIGHTS} nights on each side.",
    ]
    if item.ratio.enough_data:
        said.append(_exact(item.ratio.estimate, item.ratio.low, item.ratio.high))
        said.append("That range comes from an exact test on the two counts.")
    said += [
        "Cramps tend to rise as the weeks go by.",
        "So we also fit a count model that lets cramps rise or fall smoothly over time.",
        "It then tells us how the habit fits in, once time is allowed for.",
    ]
    a = item.adjusted
    if a is not None and a.fitted:
        said.append(
            f"With that, the figure is {a.rate_ratio:.2f} times, with a 95% range of "
            f"{a.low:.2f} to {a.high:.2f}."
        )
    elif a is not None and item.ratio.enough_data:
        said.append(f"Here it could not be fitted: {NOT_FITTED[a.reason]}.")
    said.append("A range is where the true figure most likely lies, 95 times in 100.")
    return said
