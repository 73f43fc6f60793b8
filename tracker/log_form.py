"""The Last night form as plain values: fill it from a saved night, read a night back out.

Kept free of Streamlit so the mapping (units, time presets, yes/no) is tested on its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .entries import CrampEntry, NightEntry, parse_time
from .models import WATER_UNITS
from .safety import RED_FLAG_CODES

NOT_SURE, EXACT = "Not sure", "Exact time…"
TIME_PRESETS: dict[str, dt.time] = {
    "around 9 pm": dt.time(21),
    "around 10 pm": dt.time(22),
    "around 11 pm": dt.time(23),
    "around midnight": dt.time(0),
    "around 1 am": dt.time(1),
    "around 2 am": dt.time(2),
    "around 3 am": dt.time(3),
    "around 4 am": dt.time(4),
    "around 5 am": dt.time(5),
    "around 6 am": dt.time(6),
    "around 7 am": dt.time(7),
}
TIME_CHOICES = [NOT_SURE, *TIME_PRESETS, EXACT]
NIGHT_FIELDS = (
    "water",
    "stretch",
    "active",
    "mg",
    "mg_form",
    "mg_agreed",
    "side",
    "soreness",
    "notes",
)
CRAMP_FIELDS = ("preset", "time", "sev", "dur", "leg", "muscle", "woke", "relief", "relieved")


def yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def from_yes_no(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


def water_to_unit(ml: int | None, unit: str) -> float | None:
    """Millilitres shown in her unit, rounded for display."""
    if ml is None:
        return None
    value = ml / WATER_UNITS[unit]
    return float(round(value)) if unit == "ml" else round(value, 1)


def water_to_ml(value: float | None, unit: str) -> int | None:
    return None if value is None else round(value * WATER_UNITS[unit])


def cramp_values(cramp: CrampEntry) -> dict[str, Any]:
    """Widget values for one saved cramp."""
    preset, text = NOT_SURE, ""
    if cramp.time is not None:
        match = [label for label, t in TIME_PRESETS.items() if t == cramp.time]
        preset, text = (match[0], "") if match else (EXACT, cramp.time.strftime("%H:%M"))
    return {
        "preset": preset,
        "time": text,
        "sev": cramp.severity if cramp.severity is not None else 5,
        "dur": cramp.duration_min,
        "leg": cramp.leg,
        "muscle": cramp.muscle,
        "woke": yes_no(cramp.woke),
        "relief": cramp.relief,
        "relieved": yes_no(cramp.relieved),
    }


def night_values(entry: NightEntry | None, unit: str) -> dict[str, Any]:
    """Widget values for a saved night (blank when none), keyed by NIGHT_FIELDS and flag codes."""
    e = entry or NightEntry(night=dt.date.today())
    values: dict[str, Any] = {
        "water": water_to_unit(e.water_ml, unit),
        "stretch": e.stretch_min,
        "active": e.active_min,
        "mg": e.magnesium_mg,
        "mg_form": e.magnesium_form or "",
        "mg_agreed": bool(e.magnesium_clinician_agreed),
        "side": e.side_effects or "",
        "soreness": e.soreness,
        "notes": e.notes or "",
    }
    values.update({f"flag_{code}": code in e.red_flags for code in RED_FLAG_CODES})
    return values


def read_cramp(v: dict[str, Any], prefix: str, errors: dict[str, str]) -> CrampEntry:
    """One cramp from its widget values; a bad time goes into errors under prefix + 'time'."""
    time = TIME_PRESETS.get(v["preset"])
    if v["preset"] == EXACT:
        try:
            time = parse_time(v["time"])
        except ValueError as exc:
            errors[prefix + "time"] = str(exc)
    return CrampEntry(
        time=time,
        duration_min=v["dur"],
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
    water_ml = water_to_ml(v["water"], unit)
    if saved is not None and v["water"] == water_to_unit(saved.water_ml, unit):
        water_ml = saved.water_ml  # unchanged: keep the exact millilitres, not a rounded copy
    mg = v["mg"]
    entry = NightEntry(
        night=night,
        water_ml=water_ml,
        stretch_min=v["stretch"],
        active_min=v["active"],
        magnesium_mg=mg,
        magnesium_form=v["mg_form"] or None,
        magnesium_clinician_agreed=bool(v["mg_agreed"]) if mg else None,
        side_effects=v["side"] or None,
        soreness=v["soreness"],
        notes=v["notes"] or None,
        cramps=[read_cramp(c, f"cramps.{i}.", errors) for i, c in enumerate(cramps)],
        red_flags=[code for code in RED_FLAG_CODES if v.get(f"flag_{code}")],
    )
    return entry, errors
