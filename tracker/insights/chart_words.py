"""A text alternative for each chart: one line saying what it shows, for screen readers (Trends
shows it under the chart) and for the PDF. Short everyday sentences, numbers from the same
frames the chart draws; nights not logged are counted as such, never as zero.
"""

from __future__ import annotations

import pandas as pd

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.insights.stats import MIN_NIGHTS_FOR_RATE, fixed


def _nights(n: int) -> str:
    return ngettext("{n} night", "{n} nights", n).format(n=n)


def _cramps(n: int) -> str:
    return ngettext("{count} cramp", "{count} cramps", n).format(count=n)


def _g(x: float) -> str:
    """A number as short as it goes (6, 2.5), with her decimal mark."""
    return language.decimal(x) if x == round(x, 2) else fixed(x, 2)


def _span(low: float, high: float) -> str:
    """ "3 to 9", or "6" when they are the same."""
    return _g(low) if low == high else _("{low} to {high}").format(low=_g(low), high=_g(high))


def _day(stamp: pd.Timestamp) -> str:
    return language.date(stamp.date(), _("d MMM"))


def halves(values: pd.Series) -> str:
    """How the second half of a run of numbers compares with the first: "same", "more",
    "fewer", or "" (too few to say)."""
    values = values.dropna().astype(float)
    if len(values) < 4:  # noqa: PLR2004
        return ""
    middle = len(values) // 2
    first, second = values.iloc[:middle].mean(), values.iloc[middle:].mean()
    if abs(second - first) <= 0.15 * max(first, second, 0.5):
        return "same"
    return "more" if second > first else "fewer"


def cramps_per_night(frame: pd.DataFrame) -> str:
    """For the per-night chart: the dates, nights logged, the range and the drift."""
    if frame.empty:
        return _("Cramps each night: no nights in this period.")
    logged = frame[frame["logged"]]
    start, end = _day(frame["night"].min()), _day(frame["night"].max())
    if logged.empty:
        return _("Cramps each night from {start} to {end}: no nights logged.").format(
            start=start, end=end
        )
    low, high = int(logged["cramps"].min()), int(logged["cramps"].max())
    fill = {
        "start": start,
        "end": end,
        "logged": len(logged),
        "nights": _nights(len(frame)),
        "span": _span(low, high),
    }
    drift = halves(logged["cramps"])
    if low == high == 1:
        said = {
            "": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, with "
                  "{span} cramp a night."),
            "same": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, "
                      "with {span} cramp a night, about the same in both halves."),
            "more": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, "
                      "with {span} cramp a night, more in the second half."),
            "fewer": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, "
                       "with {span} cramp a night, fewer in the second half."),
        }[drift]  # fmt: skip
    else:
        said = {
            "": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, with "
                  "{span} cramps a night."),
            "same": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, "
                      "with {span} cramps a night, about the same in both halves."),
            "more": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, "
                      "with {span} cramps a night, more in the second half."),
            "fewer": _("Cramps each night from {start} to {end}. {logged} of {nights} logged, "
                       "with {span} cramps a night, fewer in the second half."),
        }[drift]  # fmt: skip
    return said.format(**fill)


def cramps_per_week(weekly: pd.DataFrame) -> str:
    """For the per-week chart: the weeks covered, first and last rate, the highest."""
    if weekly.empty:
        return _("Cramps per week of pregnancy: no weeks to show.")
    first, last = weekly.iloc[0], weekly.iloc[-1]
    few = int((weekly["nights"] < MIN_NIGHTS_FOR_RATE).sum())
    caveat = ""
    if few and len(weekly) == 1:
        caveat = " " + _(
            "That week has fewer than {least} nights logged: too few nights to tell."
        ).format(least=MIN_NIGHTS_FOR_RATE)
    elif few:
        caveat = " " + _(
            "Weeks with fewer than {least} nights logged are outlined: too few nights to tell."
        ).format(least=MIN_NIGHTS_FOR_RATE)
    if len(weekly) == 1:
        return (
            _("Cramps per week in week {week}: {rate}, from {nights} logged.").format(
                week=int(first["week"]),
                rate=fixed(first["per_week"], 1),
                nights=_nights(int(first["nights"])),
            )
            + caveat
        )
    top = weekly.loc[weekly["per_week"].idxmax()]
    return (
        _(
            "Cramps per week from week {first_week} to week {last_week}. It went from {first} to "
            "{last}, with the most, {most}, in week {most_week}."
        ).format(
            first_week=int(first["week"]),
            last_week=int(last["week"]),
            first=fixed(first["per_week"], 1),
            last=fixed(last["per_week"], 1),
            most=fixed(top["per_week"], 1),
            most_week=int(top["week"]),
        )
        + caveat
    )


def calendar(frame: pd.DataFrame) -> str:
    """For the calendar: nights logged, nights without cramps, the worst night."""
    logged = frame[frame["logged"]] if not frame.empty else frame
    if logged.empty:
        return _("A calendar of nights: none logged in this period.")
    calm = int((logged["cramps"] == 0).sum())
    worst = logged.loc[logged["cramps"].astype(float).idxmax()]
    return _(
        "A calendar of {nights}: {logged} logged, {calm} with no cramps. The most was {most} "
        "on {day}."
    ).format(
        nights=_nights(len(frame)),
        logged=len(logged),
        calm=calm,
        most=int(worst["cramps"]),
        day=language.date(worst["night"].date(), _("EEE d MMM")),
    )


def severity_and_duration(frame: pd.DataFrame) -> str:
    """For severity and duration: the typical cramp and the range."""
    severity = frame["severity"].dropna().astype(float)
    minutes = frame["duration_min"].dropna().astype(float)
    said = []
    if len(severity):
        fill = {
            "cramps": _cramps(len(severity)),
            "span": _span(round(severity.min()), round(severity.max())),
            "typical": _g(severity.median()),
        }
        if len(severity) > 1:
            said.append(
                _("Pain of {cramps}: {span} out of 10, typically {typical}.").format(**fill)
            )
        else:
            said.append(_("Pain of {cramps}: {span} out of 10.").format(**fill))
    if len(minutes):
        span, typical = _span(minutes.min(), minutes.max()), _g(minutes.median())
        if len(minutes) == 1:
            said.append(
                ngettext(
                    "It lasted {span} minute.",
                    "It lasted {span} minutes.",
                    1 if minutes.min() == 1 else 2,
                ).format(span=span)  # fmt: skip
            )
        elif minutes.min() == minutes.max() == 1:
            said.append(_("They lasted {span} minute, typically {typical}.").format(
                span=span, typical=typical))  # fmt: skip
        else:
            said.append(_("They lasted {span} minutes, typically {typical}.").format(
                span=span, typical=typical))  # fmt: skip
    return " ".join(said) or _("How bad and how long each cramp was: not noted.")


def time_of_night(counts: pd.DataFrame) -> str:
    """For the clock chart: the busiest hour."""
    if counts.empty:
        return _("When cramps start: no times noted.")
    top = counts.loc[counts["cramps"].idxmax()]
    total = int(counts["cramps"].sum())
    return ngettext(
        "When cramps start: most often from {hour}, {count} of {total} cramp with a time.",
        "When cramps start: most often from {hour}, {count} of {total} cramps with a time.",
        total,
    ).format(hour=top["hour"], count=int(top["cramps"]), total=total)


def where(counts: pd.DataFrame) -> str:
    """For muscle and leg (counts with the muscle and leg already in her words): the most
    common muscle and the split by leg."""
    if counts.empty:
        return _("Where cramps were: nothing noted.")
    by_muscle = counts.groupby("muscle")["cramps"].sum().sort_values(ascending=False)
    by_leg = counts.groupby("leg")["cramps"].sum().sort_values(ascending=False)
    legs = ", ".join(f"{leg} {int(n)}" for leg, n in by_leg.items())
    return _(
        "Where: most cramps were in the {muscle} ({count} of {total}). By leg: {legs}."
    ).format(
        muscle=by_muscle.index[0],
        count=int(by_muscle.iloc[0]),
        total=int(by_muscle.sum()),
        legs=legs,
    )


def habits(long: pd.DataFrame, labels: dict[str, str]) -> str:
    """For the habits chart (labels in her words, as the chart draws them): on how many
    nights each habit was noted."""
    noted = long.groupby("measure")["value"].size()
    parts = [
        (label.split(" (")[0].lower(), int(noted.get(label, 0)))
        for key, label in labels.items()
        if key != "cramps"
    ]
    said = [
        _("{habit} on {nights}").format(habit=name, nights=_nights(count) if i == 0 else count)
        for i, (name, count) in enumerate(parts)
    ]
    listed = (
        _("{first} and {second}").format(first=", ".join(said[:-1]), second=said[-1])
        if len(said) > 1
        else "".join(said)
    )
    return _(
        "Cramps each night, then a row for each habit of the day before. It shows {listed}."
    ).format(listed=listed)
