"""What a form or a CSV row says about a night, and the checks it must pass to be saved."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

from tracker.care import language
from tracker.care.language import N_, _
from tracker.care.safety import RED_FLAGS
from tracker.journal.models import Leg, Muscle, Relief

UNITS = {  # said after a limit in her language (see _check_range)
    "water_ml": N_(" ml"),
    "stretch_min": N_(" minutes"),
    "active_min": N_(" minutes"),
    "magnesium_mg": N_(" mg"),
}
LIMITS = {
    "severity": (0, 10),
    "soreness": (0, 10),
    "water_ml": (0, 8000),
    "stretch_min": (0, 300),
    "active_min": (0, 1000),
    "magnesium_mg": (0, 1500),
}
MAX_DURATION_MIN = 180
MAX_NOTE_CHARS = 20_000
MAX_CRAMPS_PER_NIGHT = 50
FIRST_NIGHT = dt.date(1950, 1, 1)
# The longest text each field takes: the Last night form's max_chars, checked again here (a
# client can send any widget value) and on every import.
TEXT_LIMITS = {"notes": MAX_NOTE_CHARS, "side_effects": MAX_NOTE_CHARS, "magnesium_form": 100}


class ValidationFailed(ValueError):
    """The entry cannot be saved; `errors` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class CrampEntry:
    """One cramp as she described it. None means she did not say."""

    time: dt.time | None = None
    duration_min: float | None = None
    severity: int | None = None
    leg: str | None = None
    muscle: str | None = None
    woke: bool | None = None
    relief: str | None = None
    relieved: bool | None = None


@dataclass
class NightEntry:
    """One night and the habits of the day before, as she described them."""

    night: dt.date
    water_ml: int | None = None
    stretch_min: int | None = None
    active_min: int | None = None
    magnesium_mg: int | None = None
    magnesium_form: str | None = None
    magnesium_clinician_agreed: bool | None = None
    side_effects: str | None = None
    soreness: int | None = None
    notes: str | None = None
    plan_kept: bool | None = None  # kept her experiment's plan that night (a habit she named)
    cramps: list[CrampEntry] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)

    def normalised(self) -> NightEntry:
        """The same entry with empty text as None and red flags sorted and unique."""

        def text(value: str | None) -> str | None:
            return value if value is not None and value.strip() != "" else None

        return NightEntry(
            **{
                **self.__dict__,
                "magnesium_form": text(self.magnesium_form),
                "side_effects": text(self.side_effects),
                "notes": text(self.notes),
                "cramps": list(self.cramps),
                "red_flags": sorted(set(self.red_flags)),
            },
        )


_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.I)


def parse_time(text: str) -> dt.time:
    """Read a clock time such as 02:40, 2.40, 2am or 11:15 pm; ValueError if it is not one."""
    match = _TIME.match(text or "")
    if not match:
        raise ValueError(f"'{text}' is not a time: write it like 02:40")
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{text}' is not a time: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"'{text}' is not a time: write it like 02:40")
    return dt.time(hour, minute)


def _check_range(errors: dict[str, str], key: str, value: float | None, name: str) -> None:
    if value is None:
        return
    low, high = LIMITS[name]
    if isinstance(value, float) and not math.isfinite(value):
        errors[key] = _("must be a number")
    elif not low <= value <= high:
        unit = _(UNITS[name]) if name in UNITS else ""  # _("") would be the catalog's header
        errors[key] = _("must be between {low} and {high}{unit}").format(
            low=low, high=high, unit=unit
        )


def control_character(text: str, *, multiline: bool = True) -> str | None:
    """What to fix when text holds an invisible control code (tab and line breaks are fine
    in multi-line text); None when it holds none."""
    allowed = "\t\n\r" if multiline else ""
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) == "Cc" and char not in allowed:
            if char == "\x00":
                return _("contains a NUL character (an invisible control code); remove it")
            return _(
                "contains an invisible control character ({code}) at character {position}; "
                "remove it"
            ).format(code=f"U+{ord(char):04X}", position=position)
    return None


# Each choice's stored values, in their order (built once: an import checks every cramp).
_CHOICES = {
    name: tuple(e.value for e in enum)
    for name, enum in (("leg", Leg), ("muscle", Muscle), ("relief", Relief))
}


def validate_cramp(cramp: CrampEntry, prefix: str, errors: dict[str, str]) -> None:
    """Add what is wrong with one cramp to errors, keyed prefix + field."""
    _check_range(errors, prefix + "severity", cramp.severity, "severity")
    if cramp.severity is not None and int(cramp.severity) != cramp.severity:
        errors[prefix + "severity"] = _("must be a whole number from 0 to 10")
    d = cramp.duration_min
    if d is not None and (not math.isfinite(d) or d <= 0 or d > MAX_DURATION_MIN):
        errors[prefix + "duration_min"] = _(
            "must be more than 0 and at most {most} minutes (3 hours)"
        ).format(most=MAX_DURATION_MIN)
    for name, allowed in _CHOICES.items():
        value = getattr(cramp, name)
        if value is not None and value not in allowed:
            errors[prefix + name] = "must be one of " + ", ".join(allowed)
    if cramp.time is not None and not isinstance(cramp.time, dt.time):
        errors[prefix + "time"] = _("must be a time like 02:40")


def validate_night(entry: NightEntry, today: dt.date | None = None) -> dict[str, str]:
    """Everything that must be fixed before this night can be saved (empty when fine)."""
    errors: dict[str, str] = {}
    today = today or dt.date.today()
    if entry.night > today:
        errors["night"] = _("{day} is in the future: pick last night or earlier").format(
            day=language.date(entry.night, _("dd MMM yyyy"))
        )
    elif entry.night < FIRST_NIGHT:
        errors["night"] = _("is too far in the past")
    for name in ("water_ml", "stretch_min", "active_min", "magnesium_mg", "soreness"):
        _check_range(errors, name, getattr(entry, name), name)
    for name, limit in TEXT_LIMITS.items():
        value = getattr(entry, name)
        if value is not None and not isinstance(value, str):
            errors[name] = "must be text"
        elif value is not None and len(value) > limit:
            errors[name] = _("is too long: {length} characters, at most {most}").format(
                length=f"{len(value):,}", most=f"{limit:,}"
            )
        elif value is not None and (
            problem := control_character(value, multiline=name != "magnesium_form")
        ):
            errors[name] = problem
    if entry.plan_kept is not None and not isinstance(entry.plan_kept, bool):
        errors["plan_kept"] = "must be yes or no (or left empty: not said)"
    unknown = [code for code in entry.red_flags if code not in RED_FLAGS]
    if unknown:
        errors["red_flags"] = "unknown warning sign " + ", ".join(unknown)
    if len(entry.cramps) > MAX_CRAMPS_PER_NIGHT:
        errors["cramps"] = f"at most {MAX_CRAMPS_PER_NIGHT} cramps in one night"
    for i, cramp in enumerate(entry.cramps):
        validate_cramp(cramp, f"cramps.{i}.", errors)
    return errors
