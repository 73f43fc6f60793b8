"""A text alternative for each chart: one line saying what it shows, for screen readers (Trends
shows it under the chart) and for the PDF. Short everyday sentences, numbers from the same
frames the chart draws; nights not logged are counted as such, never as zero.
"""

from __future__ import annotations

import pandas as pd

from tracker.insights.stats import MIN_NIGHTS_FOR_RATE


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _span(low: float, high: float) -> str:
    """ "3 to 9", or "6" when they are the same."""
    return f"{low:g}" if low == high else f"{low:g} to {high:g}"


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp.day} {stamp:%b}"


def halves(values: pd.Series) -> str:
    """How the second half of a run of numbers compares with the first, in words."""
    values = values.dropna().astype(float)
    if len(values) < 4:
        return ""
    middle = len(values) // 2
    first, second = values.iloc[:middle].mean(), values.iloc[middle:].mean()
    if abs(second - first) <= 0.15 * max(first, second, 0.5):
        return "about the same in both halves"
    return "more in the second half" if second > first else "fewer in the second half"


def cramps_per_night(frame: pd.DataFrame) -> str:
    """For the per-night chart: the dates, nights logged, the range and the drift."""
    if frame.empty:
        return "Cramps each night: no nights in this period."
    logged = frame[frame["logged"]]
    span = f"{_day(frame['night'].min())} to {_day(frame['night'].max())}"
    if logged.empty:
        return f"Cramps each night from {span}: no nights logged."
    low, high = int(logged["cramps"].min()), int(logged["cramps"].max())
    drift = halves(logged["cramps"])
    return (
        f"Cramps each night from {span}. {len(logged)} of {_plural(len(frame), 'night')} "
        f"logged, with {_span(low, high)} cramp{'' if low == high == 1 else 's'} a night"
        + (f", {drift}." if drift else ".")
    )


def cramps_per_week(weekly: pd.DataFrame) -> str:
    """For the per-week chart: the weeks covered, first and last rate, the highest."""
    if weekly.empty:
        return "Cramps per week of pregnancy: no weeks to show."
    first, last = weekly.iloc[0], weekly.iloc[-1]
    few = int((weekly["nights"] < MIN_NIGHTS_FOR_RATE).sum())
    if few:
        caveat = (
            f" {'That week has' if len(weekly) == 1 else 'Weeks with'} fewer than "
            f"{MIN_NIGHTS_FOR_RATE} nights logged{'' if len(weekly) == 1 else ' are outlined'}: "
            "too few nights to tell."
        )
    else:
        caveat = ""
    if len(weekly) == 1:
        return (
            f"Cramps per week in week {int(first['week'])}: {first['per_week']:.1f}, from "
            f"{_plural(int(first['nights']), 'night')} logged.{caveat}"
        )
    top = weekly.loc[weekly["per_week"].idxmax()]
    return (
        f"Cramps per week from week {int(first['week'])} to week {int(last['week'])}. "
        f"It went from {first['per_week']:.1f} to {last['per_week']:.1f}, "
        f"with the most, {top['per_week']:.1f}, in week {int(top['week'])}.{caveat}"
    )


def calendar(frame: pd.DataFrame) -> str:
    """For the calendar: nights logged, nights without cramps, the worst night."""
    logged = frame[frame["logged"]] if not frame.empty else frame
    if logged.empty:
        return "A calendar of nights: none logged in this period."
    calm = int((logged["cramps"] == 0).sum())
    worst = logged.loc[logged["cramps"].astype(float).idxmax()]
    when = f"{worst['night']:%a} {_day(worst['night'])}"
    return (
        f"A calendar of {_plural(len(frame), 'night')}: {len(logged)} logged, {calm} with no "
        f"cramps. The most was {int(worst['cramps'])} on {when}."
    )


def severity_and_duration(frame: pd.DataFrame) -> str:
    """For severity and duration: the typical cramp and the range."""
    severity = frame["severity"].dropna().astype(float)
    minutes = frame["duration_min"].dropna().astype(float)
    said = []
    if len(severity):
        said.append(
            f"Pain of {_plural(len(severity), 'cramp')}: "
            f"{_span(round(severity.min()), round(severity.max()))} out of 10"
            + (f", typically {severity.median():g}." if len(severity) > 1 else ".")
        )
    if len(minutes):
        said.append(
            f"{'They' if len(minutes) > 1 else 'It'} lasted {_span(minutes.min(), minutes.max())} "
            f"minute"
            f"{'' if minutes.min() == minutes.max() == 1 else 's'}"
            + (f", typically {minutes.median():g}." if len(minutes) > 1 else ".")
        )
    return " ".join(said) or "How bad and how long each cramp was: not noted."


def time_of_night(counts: pd.DataFrame) -> str:
    """For the clock chart: the busiest hour."""
    if counts.empty:
        return "When cramps start: no times noted."
    top = counts.loc[counts["cramps"].idxmax()]
    total = int(counts["cramps"].sum())
    return (
        f"When cramps start: most often from {top['hour']}, "
        f"{int(top['cramps'])} of {_plural(total, 'cramp')} with a time."
    )


def where(counts: pd.DataFrame) -> str:
    """For muscle and leg: the most common muscle and the split by leg."""
    if counts.empty:
        return "Where cramps were: nothing noted."
    by_muscle = counts.groupby("muscle")["cramps"].sum().sort_values(ascending=False)
    by_leg = counts.groupby("leg")["cramps"].sum().sort_values(ascending=False)
    legs = ", ".join(f"{leg} {int(n)}" for leg, n in by_leg.items())
    total = int(by_muscle.sum())
    return (
        f"Where: most cramps were in the {by_muscle.index[0]} ({int(by_muscle.iloc[0])} of "
        f"{total}). By leg: {legs}."
    )


def habits(long: pd.DataFrame, labels: dict[str, str]) -> str:
    """For the habits chart: on how many nights each habit was noted."""
    noted = long.groupby("measure")["value"].size()
    parts = [
        (label.split(" (")[0].lower(), int(noted.get(label, 0)))
        for key, label in labels.items()
        if key != "cramps"
    ]
    said = [f"{name} on {count if i else _plural(count, 'night')}" for i, (name, count) in
            enumerate(parts)]  # fmt: skip
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else "".join(said)
    return f"Cramps each night, then a row for each habit of the day before. It shows {listed}."
