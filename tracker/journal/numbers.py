"""Numbers as people type them on a phone: "1,5" and "1.5" both mean one and a half.

A phone's number keyboard often has only a comma, and many people write decimals with one.
Anything that could mean two different numbers is refused with a message, never guessed.
"""

from __future__ import annotations

import math
import re

from tracker.care.language import N_, _

_PLAIN = re.compile(r"^\d+(?:[.,]\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]\d{3})+$")  # 2 350 (a space between thousands)
DECIMAL_EXAMPLE, WHOLE_EXAMPLE = N_("2 or 1,5"), "10"


def parse_amount(
    text: str | None, *, whole: bool = False, example: str | None = None
) -> float | int | None:
    """The number in text (None when empty); ValueError says what to write instead.

    whole=True asks for a whole number (minutes, mg) and returns an int. example: what a
    good value of this field looks like, in its unit ("1500" for millilitres), for the message.
    """
    example = _(example or (WHOLE_EXAMPLE if whole else DECIMAL_EXAMPLE))
    cleaned = (text or "").strip()
    if cleaned == "":
        return None
    if _GROUPED.match(cleaned):
        cleaned = re.sub(r"\D", "", cleaned)
    if re.match(r"^[1-9]\d{0,2}[.,]\d{3}$", cleaned):  # 0,250 has no thousands to mean
        point = "," if "," in cleaned else "."
        thousands = cleaned.replace(point, "")
        decimal = f"{float(cleaned.replace(',', '.')):g}".replace(".", point)
        # Only digits are echoed (the message is never her raw text), as the form takes them.
        raise ValueError(
            _("could be {thousands} or {decimal}: please type the one you mean").format(
                thousands=thousands, decimal=decimal
            )
        )
    if cleaned.startswith("-"):
        raise ValueError(_("can't be below zero: write it like {example}").format(example=example))
    if not _PLAIN.match(cleaned):
        raise ValueError(_("is not a number: write it like {example}").format(example=example))
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(_("is not a number: write it like {example}").format(example=example))
    if whole:
        if value != int(value):
            raise ValueError(
                _("must be a whole number: write it like {example}").format(example=example)
            )
        return int(value)
    return value


def show_amount(value: float | int | None, decimals: int = 2) -> str:
    """A number as she would write it: no trailing zeros, no '.00'."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    if "." in text:  # only trailing zeros after the point: 2350 stays 2350
        text = text.rstrip("0").rstrip(".")
    return text
