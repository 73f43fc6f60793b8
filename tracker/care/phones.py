"""Phone numbers for the warning-sign cards: the emergency number and her care provider's."""

from __future__ import annotations

import re

from tracker.care.language import _

DEFAULT_EMERGENCY = "112"  # the GSM emergency number: reaches help from most mobile phones
# Region (from the browser's language, e.g. "en-GB") -> the local emergency number.
EMERGENCY_BY_REGION = {
    "US": "911", "CA": "911", "MX": "911", "PR": "911",
    "GB": "999", "IE": "112", "HK": "999", "SG": "995", "MY": "999",
    "AU": "000", "NZ": "111", "ZA": "112", "IN": "112",
    "JP": "119", "KR": "119", "TW": "119", "CN": "120", "BR": "192", "AR": "107",
    "CH": "144", "IL": "101", "TR": "112", "RU": "112", "PH": "911",
    "CO": "123", "CL": "131", "VE": "911", "EC": "911", "UY": "911", "PY": "911",
    "CR": "911", "PA": "911", "DO": "911", "SV": "911", "HN": "911",
}  # fmt: skip
_ALLOWED = re.compile(r"^\+?[0-9 ()\-]+$")
MAX_EMERGENCY, MAX_CARE = 20, 30


def default_emergency_number(locale: str | None) -> str:
    """The emergency number for the browser's locale (112 when the region is unknown)."""
    parts = re.split(r"[-_]", locale or "")
    region = parts[-1].upper() if len(parts) > 1 else ""
    return EMERGENCY_BY_REGION.get(region, DEFAULT_EMERGENCY)


def phone_problem(number: str | None, longest: int) -> str | None:
    """What is wrong with a phone number she typed (None when it is fine or empty)."""
    if number is None or number.strip() == "":
        return None
    if len(number) > longest:
        return _("is too long: at most {count} characters").format(count=longest)
    if not _ALLOWED.match(number.strip()):
        return _("may only have digits, spaces, a leading +, - and brackets")
    if sum(ch.isdigit() for ch in number) < 2:
        return _("needs at least {count} digits").format(count=2)
    return None


def tel_url(number: str) -> str:
    """A tap-to-call link for a checked number: only digits and a leading +."""
    digits = re.sub(r"\D", "", number)
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


def shown(number: str) -> str:
    """A checked number as it is shown on a button (digits, spaces, + and - only)."""
    return re.sub(r"[^0-9 +\-]", "", number).strip()
