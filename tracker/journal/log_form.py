"""The Last night form as plain values: fill it from a saved night, read a night back out.

Kept free of Streamlit so the mapping (units, typed numbers, time presets, yes/no) is tested
on its own. Every value starts as None or "" (not recorded): nothing is stored that she did
not choose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.care.language import _
from tracker.care.safety import RED_FLAG_CODES
from tracker.journal.entries import CrampEntry, NightEntry, parse_time
from tracker.journal.models import WATER_UNITS
from tracker.journal.numbers import parse_amount, show_amount

EXACT = "Other time"
TIME_PRESETS: dict[str, dt.time] = {
    "9 pm": dt.time(21),
    "10 pm": dt.time(22),
    "11 pm": dt.time(23),
    "12 am": dt.time(0),
    "1 am": dt.time(1),
    "2 am": dt.time(2),
    "3 am": dt.time(3),
    "4 am": dt.time(4),
    "5 am": dt.time(5),
    "6 am": dt.time(6),
    "7 am": dt.time(7),
}
TIME_CHOICES = [*TIME_PRESETS, EXACT]  # none chosen: she is not sure
HABIT_FIELDS = ("water", "stretch", "active")  # what "same habits as the night before" copies
NIGHT_FIELDS = (
    *HABIT_FIELDS,
    "mg",
    "mg_form",
    "mg_agreed",
    "side",
    "soreness",
    "notes",
    "kept",  # did she keep her experiment's plan (a habit she named): "yes", "no" or None
)
# dur_saved is no widget: the exact saved minutes, kept while the shown "dur" is unchanged.
CRAMP_FIELDS = (
    "when",
    "time",
    "sev",
    "dur",
    "leg",
    "muscle",
    "woke",
    "relief",
    "relieved",
    "dur_saved",
)
DETAIL_FIELDS = ("dur", "muscle", "woke", "relief", "relieved")  # one tap away
BLANK_CRAMP: dict[str, Any] = {name: None for name in CRAMP_FIELDS} | {"time": "", "dur": ""}
# What a usual day's water looks like in each unit: the example a message about it gives.
WATER_EXAMPLES = {"ml": "1500", "litres": "1,5", "fl oz": "50", "glasses (250 ml)": "6"}
MAGNESIUM_EXAMPLE = "300"


def yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def from_yes_no(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


def water_to_unit(ml: int | None, unit: str) -> str:
    """Millilitres as she reads them in her unit: '2350', '2.35', never '2350.00'.

    The fewest decimals that still mean the same millilitres: 64 fl oz is stored as 1893 ml
    and shown again as '64', not '64.01'.
    """
    if ml is None:
        return ""
    amount = ml / WATER_UNITS[unit]
    decimals = next((d for d in (0, 1) if water_to_ml(round(amount, d), unit) == ml), 2)
    return show_amount(amount, decimals)


def water_to_ml(value: float | None, unit: str) -> int | None:
    return None if value is None else round(value * WATER_UNITS[unit])


def cramp_values(cramp: CrampEntry) -> dict[str, Any]:
    """Widget values for one saved cramp."""
    when, text = None, ""
    if cramp.time is not None:
        match = [label for label, t in TIME_PRESETS.items() if t == cramp.time]
        when, text = (match[0], "") if match else (EXACT, cramp.time.strftime("%H:%M"))
    return {
        "when": when,
        "time": text,
        "sev": cramp.severity,
        "dur": show_amount(cramp.duration_min),
        "leg": cramp.leg,
        "muscle": cramp.muscle,
        "woke": yes_no(cramp.woke),
        "relief": cramp.relief,
        "relieved": yes_no(cramp.relieved),
        "dur_saved": cramp.duration_min,
    }


def night_values(entry: NightEntry | None, unit: str) -> dict[str, Any]:
    """Widget values for a saved night (blank when none), keyed by NIGHT_FIELDS and flag codes."""
    e = entry or NightEntry(night=dt.date.today())
    values: dict[str, Any] = {
        "water": water_to_unit(e.water_ml, unit),
        "stretch": show_amount(e.stretch_min),
        "active": show_amount(e.active_min),
        "mg": show_amount(e.magnesium_mg),
        "mg_form": e.magnesium_form or "",
        "mg_agreed": bool(e.magnesium_clinician_agreed),
        "side": e.side_effects or "",
        "soreness": e.soreness,
        "notes": e.notes or "",
        "kept": yes_no(e.plan_kept),
    }
    values.update({f"flag_{code}": code in e.red_flags for code in RED_FLAG_CODES})
    return values


def _number(  # noqa: ANN202
    text: str, key: str, errors: dict[str, str], *, whole: bool = False, example: str | None = None
):
    try:
        return parse_amount(text, whole=whole, example=example)
    except ValueError as exc:
        errors[key] = str(exc)
        return None


def read_cramp(v: dict[str, Any], prefix: str, errors: dict[str, str]) -> CrampEntry:
    """One cramp from its widget values; what can't be read goes into errors (prefix + field)."""
    time = TIME_PRESETS.get(v["when"])
    if v["when"] == EXACT and (v["time"] or "").strip():
        try:
            time = parse_time(v["time"])
        except ValueError:
            errors[prefix + "time"] = _("is not a time: write it like 02:40 or 2:40 am")
    minutes = _number(v["dur"], prefix + "duration_min", errors)
    saved = v.get("dur_saved")
    if saved is not None and (v["dur"] or "").strip() == show_amount(saved):
        minutes = saved  # unchanged: keep an imported 1.234, not the 1.23 it is shown as
    return CrampEntry(
        time=time,
        duration_min=minutes,
        severity=v["sev"],
        leg=v["leg"],
        muscle=v["muscle"],
        woke=from_yes_no(v["woke"]),
        relief=v["relief"],
        relieved=from_yes_no(v["relieved"]),
    )


def read_night(
    night: dt.date,
    v: dict[str, Any],
    cramps: list[dict[str, Any]],
    unit: str,
    saved: NightEntry | None = None,
) -> tuple[NightEntry, dict[str, str]]:
    """The night the form describes, and any errors found while reading it."""
    errors: dict[str, str] = {}
    typed_water = _number(v["water"], "water_ml", errors, example=WATER_EXAMPLES.get(unit))
    water_ml = water_to_ml(typed_water, unit)
    if saved is not None and (v["water"] or "").strip() == water_to_unit(saved.water_ml, unit):
        water_ml = saved.water_ml  # unchanged: keep the exact millilitres, not a rounded copy
    mg = _number(v["mg"], "magnesium_mg", errors, whole=True, example=MAGNESIUM_EXAMPLE)
    entry = NightEntry(
        night=night,
        water_ml=water_ml,
        stretch_min=_number(v["stretch"], "stretch_min", errors, whole=True),
        active_min=_number(v["active"], "active_min", errors, whole=True),
        magnesium_mg=mg,
        magnesium_form=v["mg_form"] or None,
        magnesium_clinician_agreed=bool(v["mg_agreed"]) if mg else None,
        side_effects=v["side"] or None,
        soreness=v["soreness"],
        notes=v["notes"] or None,
        plan_kept=from_yes_no(v.get("kept")),
        cramps=[read_cramp(c, f"cramps.{i}.", errors) for i, c in enumerate(cramps)],
        red_flags=[code for code in RED_FLAG_CODES if v.get(f"flag_{code}")],
    )
    return entry, errors


def shows(entry: NightEntry, unit: str, v: dict[str, Any], cramps: list[dict[str, Any]]) -> bool:
    """True when the form (night values v, each cramp's values) already shows what filling it
    from the saved entry would: reloading it after that save would change nothing she sees."""
    blank = night_values(None, unit)
    if night_values(entry, unit) != {name: v.get(name) for name in blank}:
        return False
    seen = [{n: c.get(n) for n in CRAMP_FIELDS if n != "dur_saved"} for c in cramps]
    filled = [cramp_values(c) for c in entry.cramps]
    return seen == [{n: c[n] for n in CRAMP_FIELDS if n != "dur_saved"} for c in filled]


def habits_of(entry: NightEntry | None, unit: str) -> dict[str, str] | None:
    """Yesterday's habits of a saved night as form values (None when it recorded none)."""
    if entry is None:
        return None
    values = {name: night_values(entry, unit)[name] for name in HABIT_FIELDS}
    return values if any(values.values()) else None
