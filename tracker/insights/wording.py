"""What the comparisons say, in plain words: to her on Trends ("you"), to her clinician on the PDF
("she"). Short sentences, numbers as a person says them ("about twice as many"), a wide range
called "too few nights to tell", an association and never a verdict. explain() gives the
"how this is worked out" text behind each one, with the exact figures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from tracker.care.language import N_, _, ngettext
from tracker.insights.stats import (
    MIN_NIGHTS,
    NOT_FITTED,
    BeforeAfter,
    Comparison,
    _amount,
    _day,
    fixed,
)

YOU, SHE = "you", "she"
WIDE = 4.0  # a likely range whose top is over 4 times its bottom: too few nights to tell
CHANGED = 1.5  # adjusting moved the ratio by more than half again (or to two thirds)


class Said(Sequence[str]):
    """Messages (marked with N_) read in the language being spoken at each reading, so that
    `sentence in CAVEATS` and `" ".join(CAVEATS)` follow her language wherever they are used."""

    def __init__(self, *messages: str) -> None:
        self.messages = messages

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return tuple(_(m) for m in self.messages[i])
        return _(self.messages[i])

    def __len__(self) -> int:
        return len(self.messages)


ASSOCIATION = N_("This is a link in your own data, not proof that a habit helps or harms.")
OVER_TIME = N_(
    "Cramps tend to get more common as the weeks go by. So a change over time may come "
    "from the weeks, not the habit."
)
SUPPLEMENTS = N_(
    "Talk to your midwife or doctor before you start, stop or change magnesium or any supplement."
)
CAVEATS = Said(ASSOCIATION, OVER_TIME, SUPPLEMENTS)  # in her language wherever read
CLINICIAN_CAVEATS = Said(
    N_("These are links in her own diary, not proof that a habit helps."),
    N_(
        "Cramps tend to rise as pregnancy goes on, so each figure is also given allowing for "
        "the weeks passing (a Poisson model with a smooth term for time)."
    ),
)
TOPICS = {
    "stretching": N_("Calf stretching"),
    "magnesium": N_("Magnesium"),
    "water": N_("Water"),
    "activity": N_("Activity"),
}
# A habit started, as the before/after sentences name it ("since you started {habit}").
HABITS = {"magnesium": N_("magnesium"), "stretching": N_("stretching")}
# Each side of a comparison: the nights with the habit, and without.
_SIDES = {
    YOU: {
        "stretching": (N_("after you stretched"), N_("when you didn't")),
        "magnesium": (N_("after you took magnesium"), N_("when you didn't")),
        "water": (N_("after you drank at least {amount}"), N_("when you drank less")),
        "activity": (
            N_("after you were active for at least {amount}"),
            N_("when you were less active"),
        ),
    },
    SHE: {
        "stretching": (N_("after stretching"), N_("without stretching")),
        "magnesium": (N_("after magnesium"), N_("without magnesium")),
        "water": (N_("after drinking at least {amount}"), N_("after drinking less")),
        "activity": (N_("after at least {amount} of activity"), N_("after less activity")),
    },
}
_NOT_NOTED = {  # to her, and to her clinician
    "water": (
        N_("Not enough nights to compare yet: log how much you drank on more nights."),
        N_("Water was not noted on enough nights to compare."),
    ),
    "activity": (
        N_("Not enough nights to compare yet: log how active you were on more nights."),
        N_("Activity was not noted on enough nights to compare."),
    ),
}
# Ratios as people say them, nearest on a log scale: (ratio, "... as many", "about ...").
_LADDER = (
    (0.1, N_("a tenth as many"), N_("about a tenth as many")),
    (0.2, N_("a fifth as many"), N_("about a fifth as many")),
    (0.25, N_("a quarter as many"), N_("about a quarter as many")),
    (1 / 3, N_("a third as many"), N_("about a third as many")),
    (0.5, N_("half as many"), N_("about half as many")),
    (2 / 3, N_("two thirds as many"), N_("about two thirds as many")),
    (0.75, N_("three quarters as many"), N_("about three quarters as many")),
    (1.0, N_("the same number"), N_("about the same number")),
    (1.25, N_("a quarter more"), N_("about a quarter more")),
    (1.5, N_("one and a half times as many"), N_("about one and a half times as many")),
    (2.0, N_("twice as many"), N_("about twice as many")),
    (3.0, N_("three times as many"), N_("about three times as many")),
    (4.0, N_("four times as many"), N_("about four times as many")),
    (5.0, N_("five times as many"), N_("about five times as many")),
    (6.0, N_("six times as many"), N_("about six times as many")),
    (8.0, N_("eight times as many"), N_("about eight times as many")),
    (10.0, N_("ten times as many"), N_("about ten times as many")),
)
_ENDS = {  # the same words with or without "about"
    "unbounded": N_("no clear upper limit"),
    "none": N_("none"),
    "under": N_("less than a tenth as many"),
    "over": N_("more than ten times as many"),
}


def day_text(day: dt.date) -> str:
    """A date as the comparisons and the summary print it: 14 Jan 2026."""
    return _day(day)


def number(x: float) -> str:
    """A rate or ratio as she would say it: 1.4, 0.05, 12, under 0.01 (never 1e-05); 1,4 in
    Spanish."""
    if x >= 10:
        return f"{x:.0f}"  # no thousands comma: "1,234" reads as 1.234 in much of the world
    if x >= 0.095 or x == 0:
        return fixed(x, 1)
    return fixed(x, 2) if x >= 0.01 else _("under {number}").format(number=fixed(0.01, 2))


def _rung(ratio: float | None) -> str | tuple:
    """Where a ratio sits: one of _ENDS' keys, or its rung of _LADDER."""
    if ratio is None or math.isinf(ratio):
        return "unbounded"
    if ratio == 0:
        return "none"
    if ratio < 0.085:
        return "under"
    if ratio > 11:
        return "over"
    return min(_LADDER, key=lambda rung: abs(math.log(ratio / rung[0])))


def _same(ratio: float | None) -> bool:
    """Whether a ratio is said as "the same number"."""
    rung = _rung(ratio)
    return isinstance(rung, tuple) and rung[0] == 1.0


def as_many(ratio: float | None) -> str:
    """A ratio in words: "half as many", "twice as many", "the same number", "none"."""
    rung = _rung(ratio)
    return _(rung[1]) if isinstance(rung, tuple) else _(_ENDS[rung])


def about(ratio: float) -> str:
    """ "about half as many", "about the same number"."""
    rung = _rung(ratio)
    return _(rung[2]) if isinstance(rung, tuple) else _(_ENDS[rung])


def picture(low: float | None, high: float | None) -> str:
    """ "fewer" or "more" when the whole range says so in words (its end not "the same
    number"), else "unclear"."""
    if high is not None and not _same(high) and high < 1:
        return "fewer"
    if low is not None and not _same(low) and low > 1:
        return "more"
    return "unclear"


def too_wide(low: float | None, high: float | None) -> bool:
    """Whether the likely range is too wide to say anything."""
    return high is None or low is None or low <= 0 or high / low > WIDE


_RANGE = {
    "wide": N_("The likely range runs from {low} to {high}: too few nights to tell."),
    "fewer": N_("The likely range runs from {low} to {high}, so fewer either way."),
    "more": N_("The likely range runs from {low} to {high}, so more either way."),
    "unclear": N_(
        "The likely range runs from {low} to {high}, so there may be no real difference."
    ),
}


def range_sentence(low: float | None, high: float | None) -> str:
    """The likely range in words, and what it means."""
    if high is None:
        return _("There is no clear upper limit: too few nights to tell.")
    said = _RANGE["wide" if too_wide(low, high) else picture(low, high)]
    return _(said).format(low=as_many(low), high=as_many(high))


def nights(n: int, more: bool = False) -> str:
    """ "1 night", "3 more nights"."""
    if more:
        return ngettext("{n} more night", "{n} more nights", n).format(n=n)
    return ngettext("{n} night", "{n} nights", n).format(n=n)


def amount(c: Comparison, water_unit: str = "ml") -> str:
    """Her median amount, where the comparison splits: "1750 ml", "1.8 litres", "30 minutes"."""
    if c.threshold is None:
        return ""
    if c.factor == "activity":
        minutes = round(c.threshold)
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    return _amount(c.threshold, water_unit)


def _rate(cramps: int, per_night: float | None) -> str:
    if cramps == 0:
        return _("no cramps")
    return _("{number} cramps a night").format(number=number(per_night))


def _count(cramps: int, per_night: float | None) -> str:
    """_rate without "a night" (said once in the sentence already)."""
    if cramps == 0:
        return _("no cramps")
    return _("{number} cramps").format(number=number(per_night))


def _ratio_sentences(exposed_cramps: int, reference_cramps: int, ratio) -> list[str]:  # noqa: ANN001
    if exposed_cramps == 0 and reference_cramps == 0:
        return [_("There were no cramps on either side, so there is nothing to compare.")]
    if ratio.estimate is None:
        return [_("With no cramps on the other nights, no ratio can be given.")]
    that = _("That is {about}.").format(about=about(ratio.estimate))
    said = [] if ratio.estimate == 0 else [that]
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
        return [
            _("We could not allow for the weeks passing here: {reason}.").format(
                reason=_(NOT_FITTED[a.reason])
            )
        ]
    if not adjustment_changes(c):
        return [_("Allowing for the weeks passing gives much the same answer.")]
    now = picture(a.low, a.high)
    if too_wide(a.low, a.high) or now == "unclear":
        why = _("Then the difference is no longer clear.")
    elif now != picture(c.ratio.low, c.ratio.high):
        why = (
            _("Then there are clearly fewer cramps with the habit.")
            if now == "fewer"
            else _("Then there are clearly more cramps with the habit.")
        )
    elif abs(math.log(a.rate_ratio)) < abs(math.log(c.ratio.estimate)):
        why = _("So part of the difference comes with the weeks passing.")
    else:
        why = _("So the weeks passing hid part of the difference.")
    changes = _("Allowing for the weeks passing changes the picture: {about}.")
    return [changes.format(about=about(a.rate_ratio)), why]


def _sides(c: Comparison, person: str, amount_text: str) -> tuple[str, str]:
    """The nights with the habit and without, in words ("after you stretched")."""
    return tuple(_(s).format(amount=amount_text) for s in _SIDES[person][c.factor])


def _need(c: Comparison, person: str, amount_text: str) -> str:
    with_, without = _sides(c, person, amount_text)
    if person == SHE:
        return _(
            "Too few nights to compare: {with_nights} {with_side} and {without_nights} "
            "{without_side}. At least {least} of each are needed."
        ).format(
            with_nights=c.with_.nights,
            with_side=with_,
            without_nights=c.without.nights,
            without_side=without,
            least=MIN_NIGHTS,
        )
    need = c.nights_needed
    wanted = [
        ngettext("{n} more night {side}", "{n} more nights {side}", n).format(n=n, side=side)
        for n, side in ((need["with"], with_), (need["without"], without))
        if n
    ]
    if len(wanted) == 2:  # noqa: PLR2004
        wanted = [_("{first} and {second}").format(first=wanted[0], second=wanted[1])]
    return _(
        "Not enough nights to compare yet. Log {wanted}. At least {least} of each are needed."
    ).format(wanted=wanted[0] if wanted else "", least=MIN_NIGHTS)


def verdict(low: float | None, high: float | None) -> str:
    """What the likely range means, in a few words."""
    if too_wide(low, high):
        return _("too few nights to tell")
    return {
        "fewer": _("fewer either way"),
        "more": _("more either way"),
        "unclear": _("perhaps no real difference"),
    }[picture(low, high)]


def _nights_side(n: int, side: str) -> str:
    """ "12 nights after stretching"."""
    return ngettext("{n} night {side}", "{n} nights {side}", n).format(n=n, side=side)


def _for_clinician(exposed, reference, ratio, with_: str, without: str) -> list[str]:  # noqa: ANN001
    """One compact sentence in the third person: both rates, the ratio in words, the verdict."""
    fill = {
        "with_nights": _nights_side(exposed.nights, with_),
        "with_rate": _rate(exposed.cramps, exposed.per_night),
        "without_rate": _count(reference.cramps, reference.per_night),
        "without_nights": _nights_side(reference.nights, without),
    }
    if ratio.estimate is None:
        return [
            _(
                "On the {with_nights} she had {with_rate}, against {without_rate} on the "
                "{without_nights}: no ratio can be given."
            ).format(**fill)
        ]
    if ratio.estimate == 0:
        return [
            _(
                "On the {with_nights} she had {with_rate}, against {without_rate} on the "
                "{without_nights}: {verdict}."
            ).format(**fill, verdict=verdict(ratio.low, ratio.high))
        ]
    return [
        _(
            "On the {with_nights} she had {with_rate}, against {without_rate} on the "
            "{without_nights}: {about}, {verdict}."
        ).format(**fill, about=about(ratio.estimate), verdict=verdict(ratio.low, ratio.high))
    ]


def _on_the(side, words: str) -> str:  # noqa: ANN001
    """ "On the 5 nights after you stretched, you had 1.2 cramps a night." """
    return ngettext(
        "On the {n} night {side}, you had {rate}.",
        "On the {n} nights {side}, you had {rate}.",
        side.nights,
    ).format(n=side.nights, side=words, rate=_rate(side.cramps, side.per_night))


def _comparison_sentences(c: Comparison, water_unit: str, person: str) -> list[str]:
    amount_text = amount(c, water_unit)
    if c.factor in _NOT_NOTED and c.threshold is None:
        return [_(_NOT_NOTED[c.factor][person == SHE])]
    if not c.ratio.enough_data:
        return [_need(c, person, amount_text)]
    with_, without = _sides(c, person, amount_text)
    if person == SHE:
        adjusted = _adjusted_sentences(c) if adjustment_changes(c) else []
        if c.adjusted is not None and not c.adjusted.fitted:
            adjusted = _adjusted_sentences(c)
        return [*_for_clinician(c.with_, c.without, c.ratio, with_, without), *adjusted]
    return [
        _on_the(c.with_, with_),
        _on_the(c.without, without),
        *_ratio_sentences(c.with_.cramps, c.without.cramps, c.ratio),
        *_adjusted_sentences(c),
    ]


def _before_after_sentences(b: BeforeAfter, person: str) -> list[str]:
    habit = _(HABITS[b.factor])
    if b.first_night is None:
        return [
            _("No nights with {habit} are logged yet, so there is no before and after.").format(
                habit=habit
            )
        ]
    day = day_text(b.first_night)
    if not b.ratio.enough_data and b.nights_needed["baseline"] > 0:
        # Nights before the start cannot be logged any more (unless from an old diary).
        logged = (
            _("You logged {nights} before you started {habit} ({day}).")
            if person == YOU
            else _("She logged {nights} before she started {habit} ({day}).")
        )
        return [
            logged.format(nights=nights(b.baseline.nights), habit=habit, day=day),
            _("A before and after view needs at least {least}, so it can't be shown.").format(
                least=MIN_NIGHTS
            ),
        ]
    if not b.ratio.enough_data:
        more = nights(b.nights_needed["after"], more=True)
        yet = (
            _("Not enough nights yet since you started {habit} ({day}). It needs {more}.")
            if person == YOU
            else _("Not enough nights yet since she started {habit} ({day}). It needs {more}.")
        )
        return [yet.format(habit=habit, day=day, more=more)]
    if person == SHE:
        since = _("since she started {habit} ({day})").format(habit=habit, day=day)
        said = _for_clinician(b.after, b.baseline, b.ratio, since, _("before"))
        if b.halved is not None:
            said.append(
                _("Cramps a night did drop to half or less (the trials' measure).")
                if b.halved
                else _("Cramps a night did not drop to half or less (the trials' measure).")
            )
        return said
    said = [
        _("Since you started {habit} ({day}), you had {rate} over {nights}.").format(
            habit=habit,
            day=day,
            rate=_rate(b.after.cramps, b.after.per_night),
            nights=nights(b.after.nights),
        ),
        ngettext(
            "Over the {n} night before, you had {rate}.",
            "Over the {n} nights before, you had {rate}.",
            b.baseline.nights,
        ).format(n=b.baseline.nights, rate=_rate(b.baseline.cramps, b.baseline.per_night)),
        *_ratio_sentences(b.after.cramps, b.baseline.cramps, b.ratio),
    ]
    if b.halved is not None:
        said.append(_("Trials look for cramps to drop to half or less."))
        said.append(_("Here they did.") if b.halved else _("Here they did not."))
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
    said += [_(ASSOCIATION), _(OVER_TIME)]
    if item.factor == "magnesium":
        said.append(_(SUPPLEMENTS))
    return said


def _ci(low: float | None, high: float | None) -> str:
    top = _("no upper limit") if high is None else fixed(high, 2)
    return _("95% CI {low} to {high}").format(low=fixed(low, 2), high=top)


def figures(c: Comparison) -> str | None:
    """The rate ratios for a clinician: exact, then adjusted for time (None without data)."""
    from tracker.insights.adjusted import TIME_WORDS

    r, a = c.ratio, c.adjusted
    if not r.enough_data or r.estimate is None:
        return None
    exact = _("Rate ratio {ratio} ({ci}, exact)")
    said = [exact.format(ratio=fixed(r.estimate, 2), ci=_ci(r.low, r.high))]
    if a is not None and a.fitted:
        said.append(
            _("allowing for {time} {ratio} ({ci}, Poisson model)").format(
                time=_(TIME_WORDS.get(a.time, a.time)),
                ratio=fixed(a.rate_ratio, 2),
                ci=_ci(a.low, a.high),
            )
        )
    elif a is not None:
        said.append(_("not adjusted for time: {reason}").format(reason=_(NOT_FITTED[a.reason])))
    return "; ".join(said) + "."


def topic(item: Comparison | BeforeAfter) -> str:
    """A short heading for the comparison: "Calf stretching", "Before and after starting
    magnesium (whole diary)": a before/after always splits her whole diary, whatever the period
    the comparisons beside it cover, and says so wherever it is shown."""
    if isinstance(item, BeforeAfter):
        return _("Before and after starting {habit} (whole diary)").format(
            habit=_(HABITS[item.factor])
        )
    return _(TOPICS[item.factor])


def _split_rule(c: Comparison, water_unit: str) -> str:
    if c.factor in ("water", "activity") and c.threshold is None:
        if c.factor == "water":
            return _(
                "We split nights at the middle of the amounts you logged (you drank at least that)."
            )
        return _(
            "We split nights at the middle of the amounts you logged (you were active for at "
            "least that)."
        )
    if c.factor in ("water", "activity"):
        return _("We split nights at {amount}, the middle of what you logged.").format(
            amount=amount(c, water_unit)
        )
    if c.factor == "stretching":
        return _(
            "Nights with any stretching the day before are on one side, nights with none on "
            "the other."
        )
    return _(
        "Nights with any magnesium the day before are on one side, nights with none on the other."
    )


def _exact(estimate: float | None, low: float | None, high: float | None) -> str:
    if estimate is None:
        return _("No exact figure can be given, since one side had no cramps.")
    top = _("no upper limit") if high is None else fixed(high, 2)
    return _("The exact figure is {ratio} times, with a 95% range of {low} to {high}.").format(
        ratio=fixed(estimate, 2), low=fixed(low, 2), high=top
    )


def explain(item: Comparison | BeforeAfter, water_unit: str = "ml") -> list[str]:
    """How the comparison is worked out, with its exact figures, in short sentences."""
    said = [_("We count the cramps on each night you logged. Nights not logged are left out.")]
    if isinstance(item, BeforeAfter):
        said += [
            _("We split your whole diary at the first night with {habit}.").format(
                habit=_(HABITS[item.factor])
            ),
            _("This uses the whole diary, not just the nights above."),
            _("We need at least {least} nights before and after.").format(least=MIN_NIGHTS),
            _(
                "Cramps tend to rise as the weeks go by, so the nights after tend to have more "
                "anyway."
            ),
        ]
        if item.ratio.enough_data:
            said.append(_exact(item.ratio.estimate, item.ratio.low, item.ratio.high))
        return said
    said += [
        _split_rule(item, water_unit),
        _("Nights where you did not note it are left out."),
        _("We need at least {least} nights on each side.").format(least=MIN_NIGHTS),
    ]
    if item.ratio.enough_data:
        said.append(_exact(item.ratio.estimate, item.ratio.low, item.ratio.high))
        said.append(_("That range comes from an exact test on the two counts."))
    said += [
        _("Cramps tend to rise as the weeks go by."),
        _("So we also fit a count model that lets cramps rise or fall smoothly over time."),
        _("It then tells us how the habit fits in, once time is allowed for."),
    ]
    a = item.adjusted
    if a is not None and a.fitted:
        fitted = _("With that, the figure is {ratio} times, with a 95% range of {low} to {high}.")
        said.append(
            fitted.format(ratio=fixed(a.rate_ratio, 2), low=fixed(a.low, 2), high=fixed(a.high, 2))
        )
    elif a is not None and item.ratio.enough_data:
        said.append(
            _("Here it could not be fitted: {reason}.").format(reason=_(NOT_FITTED[a.reason]))
        )
    said.append(_("A range is where the true figure most likely lies, 95 times in 100."))
    return said
