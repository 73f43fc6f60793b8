"""A realistic sample pregnancy, to try the journal without typing twelve weeks of nights.

Weeks 24 to 35 ending last night: cramps become more frequent with gestational week, some
stretching, magnesium from week 30 (agreed with the midwife), varied water, two nights with
warning signs, a few nights not logged. The same seed and day always give the same journal.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, replace

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.care.pregnancy import TERM_DAYS
from tracker.journal.accounts import mine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Night, Profile
from tracker.journal.store import get_profile, save_profile, stage_night

FIRST_WEEK, WEEKS = 24, 12
MAGNESIUM_FROM_WEEK = 30
DEFAULT_SEED = 2024
NOTES = [
    "Long walk in the afternoon.",
    "Hot day, kept forgetting my water bottle.",
    "Pulled my toes towards my head and it let go quickly.",
    "Slept on my left side with a pillow between my knees.",
    "Busy day at work, on my feet a lot.",
    "Calf still a bit tender when I got up, gone by lunch.",
    "Went swimming.",
    "Woke up twice to pee as well.",
]
RED_FLAG_NIGHTS = {
    62: (
        ["one_leg_swelling", "tenderness"],
        "Left calf looked swollen and was tender to touch. Phoned the maternity unit; "
        "they asked me to come in for a check.",
    ),
    75: (["constant_pain"], "The pain kept going after the cramp eased. Called the midwife."),
}


class JournalNotEmpty(RuntimeError):
    """The journal already has nights; the sample is only added on request (force)."""


@dataclass(frozen=True)
class DemoJournal:
    """The sample: a due date that puts the first night at week 24, and the logged nights."""

    due_date: dt.date
    nights: list[NightEntry]


def _poisson(rng: random.Random, rate: float) -> int:
    """A Poisson-distributed count (Knuth's method: fine for small rates)."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _cramp(rng: random.Random, week: int) -> CrampEntry:
    """One cramp: mostly the calf, at night, a minute or two, worse later in pregnancy."""
    minutes_after_11pm = rng.randint(0, 7 * 60)
    time = (dt.datetime(2000, 1, 1, 23) + dt.timedelta(minutes=minutes_after_11pm)).time()
    severity = min(10, max(2, round(rng.gauss(4 + (week - FIRST_WEEK) * 0.25, 1.5))))
    relief = rng.choices(["flex_foot", "stretch", "massage", "walk"], [6, 2, 1, 1])[0]
    return CrampEntry(
        time=time.replace(minute=time.minute - time.minute % 5),
        duration_min=rng.choice([0.5, 1, 1, 1.5, 2, 2, 3, 5]),
        severity=severity,
        leg=rng.choices(["left", "right", "both"], [5, 4, 1])[0],
        muscle=rng.choices(["calf", "foot", "thigh"], [8, 2, 0.5])[0],
        woke=rng.random() < 0.85,
        relief=relief,
        relieved=rng.random() < (0.9 if relief == "flex_foot" else 0.7),
    )


def _habits(rng: random.Random, week: int) -> dict[str, object]:
    """The day before a night: water, stretching, activity, magnesium (NULL when not noted)."""
    on_magnesium = week >= MAGNESIUM_FROM_WEEK
    took = on_magnesium and rng.random() < 0.9
    water = round(rng.gauss(2000, 450) / 50) * 50
    return {
        "water_ml": None if rng.random() < 0.08 else min(3500, max(800, water)),
        "stretch_min": None
        if rng.random() < 0.1
        else rng.choice([0, 0, 5, 10] if week < 28 else [0, 5, 10, 10, 15]),
        "active_min": None if rng.random() < 0.15 else rng.choice(range(0, 75, 5)),
        "magnesium_mg": 300 if took else 0,
        "magnesium_form": "citrate" if took else None,
        "magnesium_clinician_agreed": True if took else None,
    }


def _night(rng: random.Random, date: dt.date, day: int) -> NightEntry:
    """One logged night of the sample."""
    week = FIRST_WEEK + day // 7
    habits = _habits(rng, week)
    rate = 0.2 + 0.15 * (week - FIRST_WEEK)
    rate *= 0.85 if habits["magnesium_mg"] else 1.0
    rate *= 0.9 if habits["stretch_min"] else 1.0
    cramps = sorted(
        (_cramp(rng, week) for _ in range(min(5, _poisson(rng, rate)))),
        key=lambda c: (c.time.hour - 18) % 24 * 60 + c.time.minute,
    )
    flags, notes = RED_FLAG_NIGHTS.get(day, ([], None))
    if flags:
        cramps = cramps or [_cramp(rng, week)]
        long = {"leg": "left", "muscle": "calf", "duration_min": 14.0, "relieved": False}
        cramps[0] = replace(cramps[0], **long)  # the one-sided calf pain the flags describe
    elif day == (MAGNESIUM_FROM_WEEK - FIRST_WEEK) * 7:
        notes = "Started magnesium citrate 300 mg after talking it through with my midwife."
    elif rng.random() < 0.25:
        notes = rng.choice(NOTES)
    worst = max((c.severity for c in cramps), default=0)
    return NightEntry(
        night=date,
        **habits,
        cramps=cramps,
        red_flags=flags,
        notes=notes,
        soreness=None if rng.random() < 0.1 else min(10, max(0, worst - 2 + rng.randint(-1, 1))),
        side_effects="Loose stools" if habits["magnesium_mg"] and rng.random() < 0.05 else None,
    )


def demo_journal(*, seed: int = DEFAULT_SEED, today: dt.date | None = None) -> DemoJournal:
    """Twelve weeks of sample nights from week 24, ending last night, with a few gaps."""
    rng = random.Random(seed)
    last = (today or dt.date.today()) - dt.timedelta(days=1)
    days = WEEKS * 7
    first = last - dt.timedelta(days=days - 1)
    due = first + dt.timedelta(days=TERM_DAYS - FIRST_WEEK * 7)
    keep = set(RED_FLAG_NIGHTS) | {0, days - 1, (MAGNESIUM_FROM_WEEK - FIRST_WEEK) * 7}
    gaps = set(rng.sample(sorted(set(range(days)) - keep), rng.randint(3, 6)))
    nights = [
        _night(rng, first + dt.timedelta(days=day), day) for day in range(days) if day not in gaps
    ]
    return DemoJournal(due_date=due, nights=nights)


def night_count(*, session: Session) -> int:
    """How many nights the journal holds."""
    return session.exec(select(func.count()).select_from(Night).where(mine(Night.account_id))).one()


def fill_demo(
    *,
    session: Session,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    today: dt.date | None = None,
) -> DemoJournal:
    """Write the sample and its due date in one transaction; JournalNotEmpty unless force."""
    count = night_count(session=session)
    if count and not force:
        session.rollback()
        raise JournalNotEmpty(f"The journal already has {count} nights.")
    demo = demo_journal(seed=seed, today=today)
    try:
        for entry in demo.nights:
            stage_night(session=session, entry=entry, expected_version=None)
        stored = get_profile(session=session)
        profile = Profile(**{**stored.model_dump(), "due_date": demo.due_date, "birth_date": None})
        save_profile(session=session, profile=profile)  # commits the nights too
    except BaseException:
        session.rollback()
        raise
    return demo
