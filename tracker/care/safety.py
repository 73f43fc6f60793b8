"""Warning signs that need a clinician. The app points to help; it never diagnoses."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.care.language import N_, _, decimal

EMERGENCY, STRAIGHT_AWAY, RIGHT_AWAY, CHECK = "emergency", "straight_away", "right_away", "check"

LONG_CRAMP_MIN = 10

# code -> (what she ticks, how urgent)
RED_FLAGS: dict[str, tuple[str, str]] = {
    "breathless_or_chest_pain": (N_("Breathlessness or chest pain"), EMERGENCY),
    "one_leg_swelling": (N_("Swelling in one leg, especially the calf"), STRAIGHT_AWAY),
    "redness_or_warmth": (N_("Redness or warmth in one leg"), STRAIGHT_AWAY),
    "constant_pain": (N_("Severe or constant leg pain that does not ease"), STRAIGHT_AWAY),
    "tenderness": (N_("Tenderness in the leg"), STRAIGHT_AWAY),
    "trouble_walking": (N_("Trouble walking"), STRAIGHT_AWAY),
    "bleeding_or_fluid": (N_("Vaginal bleeding or fluid leaking"), RIGHT_AWAY),
    "fever": (N_("Fever"), RIGHT_AWAY),
    "burning_urination": (N_("Burning when passing urine"), RIGHT_AWAY),
    "numbness_or_weakness": (
        N_("Numbness, tingling or weakness in legs, buttocks or genitals"),
        RIGHT_AWAY,
    ),
    "contraction_like_pain": (
        N_("Intense, sudden or rhythmic pain (like contractions)"),
        RIGHT_AWAY,
    ),
}
RED_FLAG_CODES = tuple(RED_FLAGS)


@dataclass(frozen=True)
class Advice:
    """A card to show: how urgent, a headline, what to do, and why it is asked."""

    level: str
    title: str
    action: str
    reasons: tuple[str, ...]


_ADVICE = {  # level -> (headline, what to do); said in her language by advice_for
    EMERGENCY: (
        N_("Call your local emergency number now"),
        N_(
            "Leg symptoms together with breathlessness or chest pain need help at once. "
            "Call the emergency number (for example 911, 999 or 112) now; do not wait to see "
            "if it passes."
        ),
    ),
    STRAIGHT_AWAY: (
        N_("Contact your doctor or maternity unit straight away"),
        N_(
            "These signs can come from a blood clot in a leg vein, which can feel like a cramp. "
            "Only a clinician can check this: phone your doctor, midwife or maternity unit "
            "today, not at your next appointment. This applies for about six weeks after the "
            "birth too."
        ),
    ),
    RIGHT_AWAY: (
        N_("Contact your midwife, doctor or maternity unit right away"),
        N_(
            "These signs need to be looked at by your care provider soon. Phone them now and "
            "tell them what you noticed."
        ),
    ),
    CHECK: (
        N_("Check for warning signs"),
        N_(
            "A cramp usually eases within about 10 minutes. If pain lasted longer or stays, "
            "go through the warning signs (listed on the Warning signs page), and contact your "
            "doctor or maternity unit if the pain does not ease or any of them apply."
        ),
    ),
}
_ORDER = (EMERGENCY, STRAIGHT_AWAY, RIGHT_AWAY, CHECK)

# Said under a list of past nights with warning signs (Trends, Summary, the CLI summary).
PAST_SIGNS_ADVICE = N_(
    "If any of these signs are still there or come back, contact your doctor or maternity "
    "unit straight away. For breathlessness or chest pain, call the emergency number."
)


def flags_by_level() -> list[tuple[str, ...]]:
    """The warning-sign codes grouped by how urgent they are, most urgent group first."""
    groups = [tuple(c for c, (_, level) in RED_FLAGS.items() if level == lv) for lv in _ORDER]
    return [group for group in groups if group]


def red_flag_label(code: str) -> str:
    """What a red-flag code means in her words (and her language)."""
    return _(RED_FLAGS[code][0]) if code in RED_FLAGS else code


def advice_for(codes: list[str] | set[str], longest_cramp_min: float | None = None) -> list[Advice]:
    """The cards for ticked warning signs (and a long cramp), most urgent first."""
    reasons: dict[str, list[str]] = {}
    for code in codes:
        if code in RED_FLAGS:
            reasons.setdefault(RED_FLAGS[code][1], []).append(red_flag_label(code))
    if longest_cramp_min is not None and longest_cramp_min > LONG_CRAMP_MIN:
        lasted = _("A cramp lasted {minutes} minutes (more than {limit})")
        reasons.setdefault(CHECK, []).append(
            lasted.format(minutes=decimal(longest_cramp_min), limit=decimal(LONG_CRAMP_MIN))
        )
    return [
        Advice(level, *map(_, _ADVICE[level]), reasons=tuple(reasons[level]))
        for level in _ORDER
        if level in reasons
    ]


def needs_attention(codes: list[str] | set[str], longest_cramp_min: float | None) -> bool:
    """True when a night has any warning sign or an unusually long cramp."""
    return bool(advice_for(codes, longest_cramp_min))
