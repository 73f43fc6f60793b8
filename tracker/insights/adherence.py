"""Habits kept and what relieved the cramps, for the appointment summary.

Counts only: the summary's rates and comparisons come from summary. A habit that was
not recorded on a night is left out of that night's count, never counted as "not done".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pandas as pd
from sqlalchemy import String, select, type_coerce
from sqlalchemy.sql import Select

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.insights.frames import NIGHTS, Source, connection, in_period, period_params
from tracker.insights.stats import _amount as water_amount
from tracker.insights.stats import _day as day_text
from tracker.journal.models import RELIEF_LABELS, Relief

DETAIL_COLUMNS = ("magnesium_form", "magnesium_clinician_agreed", "side_effects", "notes")


@dataclass(frozen=True)
class Habit:
    """A daily habit over the logged nights: recorded on some, done (more than 0) on some."""

    recorded: int
    done: int
    median: float | None  # the typical amount on the nights it was done


@dataclass(frozen=True)
class Magnesium:
    """Magnesium as she logged it: how often, which doses and forms, clinician's agreement."""

    taken: int
    recorded: int
    doses_mg: tuple[int, ...]  # most often taken first
    forms: tuple[str, ...]  # as she typed them, most often first
    clinician_agreed: bool | None  # the latest answer on a night she took it


@dataclass(frozen=True)
class Adherence:
    """Stretching, water, activity and magnesium over a period, and side effects noted."""

    nights: int
    stretching: Habit
    water: Habit
    activity: Habit
    magnesium: Magnesium
    side_effects: tuple[tuple[dt.date, str], ...]  # oldest first


@dataclass(frozen=True)
class ReliefTally:
    """One way of easing a cramp: how often she tried it and how often it worked."""

    relief: str
    tried: int
    worked: int
    did_not: int  # tried and it did not work (the rest were not recorded)

    @property
    def label(self) -> str:
        """How she named it when logging, in the language being spoken."""
        return _(RELIEF_LABELS[self.relief]) if self.relief in RELIEF_LABELS else self.relief


@cache
def _details_statement(has_start: bool, has_end: bool) -> Select:
    n = NIGHTS.c
    statement = select(type_coerce(n.night, String).label("night"), *(n[c] for c in DETAIL_COLUMNS))
    return in_period(statement.order_by(n.night), has_start, has_end)


def load_details(
    source: Source, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """The free-text and yes/no night fields the frames leave out, one row per logged night."""
    with connection(source) as conn:
        statement = _details_statement(start is not None, end is not None)
        rows = conn.execute(statement, period_params(start, end)).all()
    frame = pd.DataFrame(rows, columns=["night", *DETAIL_COLUMNS], dtype=object)
    frame["night"] = [dt.date.fromisoformat(str(d)[:10]) for d in frame["night"]]
    return frame


def habit(amounts: pd.Series) -> Habit:
    """Nights recorded, nights done (> 0) and the median amount when done."""
    recorded = amounts.dropna()
    done = recorded[recorded > 0]
    return Habit(len(recorded), len(done), float(done.median()) if len(done) else None)


def _most_common(values: list) -> tuple:
    return tuple(value for value, _ in Counter(values).most_common())


def magnesium(nights: pd.DataFrame, details: pd.DataFrame) -> Magnesium:
    """How she took magnesium: nights, doses, forms and the latest clinician answer."""
    mg = nights.set_index("night")["magnesium_mg"].dropna()
    taken = mg[mg > 0]
    days = {pd.Timestamp(d).date() for d in taken.index}
    on = details[details["night"].isin(days)]
    forms = [" ".join(str(f).split()) for f in on["magnesium_form"] if f and str(f).strip()]
    agreed = [a for a in on["magnesium_clinician_agreed"] if a is not None and not pd.isna(a)]
    return Magnesium(
        taken=len(taken),
        recorded=len(mg),
        doses_mg=_most_common([int(d) for d in taken]),
        forms=_most_common(forms),
        clinician_agreed=bool(agreed[-1]) if agreed else None,
    )


def adherence(nights: pd.DataFrame, details: pd.DataFrame) -> Adherence:
    """Habits over the nights of frames.load_nights, with load_details' text fields."""
    noted = details["side_effects"].map(lambda t: bool(t and str(t).strip())).astype(bool)
    side = details[noted]
    return Adherence(
        nights=len(nights),
        stretching=habit(nights["stretch_min"]),
        water=habit(nights["water_ml"]),
        activity=habit(nights["active_min"]),
        magnesium=magnesium(nights, details),
        side_effects=tuple(zip(side["night"], side["side_effects"].map(str), strict=True)),
    )


def relief_ranking(cramps: pd.DataFrame) -> list[ReliefTally]:
    """What she tried during cramps, most often successful first ("nothing" left out)."""
    tried = cramps.dropna(subset=["relief"])
    tried = tried[tried["relief"] != Relief.NONE]
    tallies = [
        ReliefTally(
            relief=str(relief),
            tried=len(group),
            worked=int(group["relieved"].eq(True).sum()),
            did_not=int(group["relieved"].eq(False).sum()),
        )
        for relief, group in tried.groupby("relief")
    ]
    return sorted(tallies, key=lambda t: (-t.worked, -t.worked / t.tried, -t.tried, t.relief))


# How the summary says it: plain sentences in the language being spoken (her own text in them,
# as she typed it, is fitted by the PDF).


def _minutes(value: float | None) -> str:
    return _("{minutes} min").format(minutes=language.decimal(value or 0))


def _kept(name: str, habit: Habit, amount: str) -> str:
    if not habit.recorded:
        return _("{habit}: not recorded").format(habit=name)
    if habit.median is None:
        said = ngettext(
            "{habit}: on {done} of {recorded} night recorded",
            "{habit}: on {done} of {recorded} nights recorded",
            habit.recorded,
        )
    else:
        said = ngettext(
            "{habit}: on {done} of {recorded} night recorded, typically {amount}",
            "{habit}: on {done} of {recorded} nights recorded, typically {amount}",
            habit.recorded,
        )
    return said.format(habit=name, done=habit.done, recorded=habit.recorded, amount=amount)


def _magnesium_sentence(m: Magnesium, started: dt.date | None) -> str:
    if not m.taken:
        return _("Magnesium: not taken") if m.recorded else _("Magnesium: not recorded")
    doses = ", ".join(_("{mg} mg").format(mg=mg) for mg in m.doses_mg)
    taken = ngettext(
        "Magnesium: {doses} on {taken} of {recorded} night recorded",
        "Magnesium: {doses} on {taken} of {recorded} nights recorded",
        m.recorded,
    ).format(doses=doses, taken=m.taken, recorded=m.recorded)
    forms = ", ".join(m.forms)  # as she typed them
    parts = [taken, _("form: {forms}").format(forms=forms) if forms else _("form: not recorded")]
    if started:
        parts.append(_("first taken {day}").format(day=day_text(started)))
    answer = {True: _("yes"), False: _("no"), None: _("not recorded")}[m.clinician_agreed]
    parts.append(_("agreed with a clinician: {answer}").format(answer=answer))
    return "; ".join(parts)


def habit_sentences(a: Adherence, water_unit: str, magnesium_from: dt.date | None) -> list[str]:
    """Stretching, activity, water and magnesium in a sentence each."""
    water = a.water
    if water.median is None:
        water_said = _("Water: not recorded")
    else:
        water_said = ngettext(
            "Water: recorded on {recorded} night, typically {amount}",
            "Water: recorded on {recorded} nights, typically {amount}",
            water.recorded,
        ).format(recorded=water.recorded, amount=water_amount(water.median, water_unit))
    return [
        _kept(_("Calf stretching"), a.stretching, _minutes(a.stretching.median)),
        _kept(_("Activity"), a.activity, _minutes(a.activity.median)),
        water_said,
        _magnesium_sentence(a.magnesium, magnesium_from),
    ]


def side_effect_sentences(a: Adherence) -> list[str]:
    """One sentence per night she noted side effects, oldest first (her words as typed)."""
    return [
        _("Side effect noted {day}: {text}").format(day=day_text(night), text=text)
        for night, text in a.side_effects
    ]


def relief_sentences(relief: list[ReliefTally]) -> list[str]:
    """How often each way of easing a cramp worked, in ranking order."""
    said = []
    for r in relief:
        if r.tried == 1:  # not "worked 1 of 1 times"
            if r.worked:
                once = _("{relief}: tried once, it worked")
            elif r.did_not:
                once = _("{relief}: tried once, it did not work")
            else:
                once = _("{relief}: tried once, whether it worked not noted")
            said.append(once.format(relief=r.label))
            continue
        unknown = r.tried - r.worked - r.did_not
        if unknown:
            times = ngettext(
                "{relief}: worked {worked} of {tried} time ({unknown} not noted)",
                "{relief}: worked {worked} of {tried} times ({unknown} not noted)",
                r.tried,
            )
        else:
            times = ngettext(
                "{relief}: worked {worked} of {tried} time",
                "{relief}: worked {worked} of {tried} times",
                r.tried,
            )
        said.append(times.format(relief=r.label, worked=r.worked, tried=r.tried, unknown=unknown))
    return said
