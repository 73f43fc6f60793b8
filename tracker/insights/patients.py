"""The clinician's Patients list: one row per person who shares her journal, sorted by what
needs attention first (a warning sign logged since the clinician last looked; then cramps per
night rising, the last 14 nights against the 14 before; then 3 or more days not logged).

The numbers are the same summaries her Trends shows (compute_summary, headline): one way to
compute each number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.care.pregnancy import Dating, dating
from tracker.care.safety import red_flag_label
from tracker.insights.frames import Journal

WINDOW = 14  # nights compared with the 14 before them
UNLOGGED_DAYS = 3  # this many days without a logged night is worth a look


@dataclass(frozen=True)
class PatientRow:
    account_id: int
    name: str
    week: str  # "week 31+2", "" when her due date is not given (in the language of the run)
    last_night: dt.date | None
    new_signs: tuple[tuple[dt.date, tuple[str, ...]], ...]  # since the clinician last looked
    rising: str | None  # "1.5 more cramps a week than the 2 weeks before"
    days_unlogged: int | None  # days since her last logged night (None: nothing logged)

    @property
    def unlogged(self) -> bool:
        return self.days_unlogged is None or self.days_unlogged >= UNLOGGED_DAYS

    @property
    def rank(self) -> int:
        """0: a new warning sign; 1: cramps rising; 2: not logged for days; 3: nothing."""
        return 0 if self.new_signs else 1 if self.rising else 2 if self.unlogged else 3

    def sign_words(self) -> str:
        """The warning signs named, newest night first: "Sun 6 Dec: pain in one leg ..."."""
        return "; ".join(
            _("{night}: {signs}").format(
                night=language.date(night, _("EEE d MMM")),  # a CLDR date pattern
                signs=", ".join(red_flag_label(c) for c in codes),
            )
            for night, codes in self.new_signs
        )

    def attention(self) -> str:
        """What needs attention, in plain words (empty when nothing does), in the language
        being spoken."""
        if self.new_signs:
            return _("Warning sign logged since you last looked: {signs}").format(
                signs=self.sign_words()
            )
        if self.rising:
            return _("Cramps rising: {change}").format(change=self.rising)
        if self.days_unlogged is None:
            return _("Nothing logged yet")
        if self.unlogged:
            return ngettext(
                "No night logged for {days} day",
                "No night logged for {days} days",
                self.days_unlogged,
            ).format(days=self.days_unlogged)
        return ""


def week_words(d: Dating) -> str:
    """ "week 31+2" (or the weeks after the birth), "" without a due date: in her words."""
    if d.postpartum_days is not None:
        return d.long_label
    return _("week {week}").format(week=d.label) if d.days is not None else ""


def patient_row(
    account_id: int,
    name: str,
    journal: Journal,
    new_signs: list[tuple[dt.date, tuple[str, ...]]],
    today: dt.date,
) -> PatientRow:
    """Her row, from her journal's frames and the warning signs logged since the last look."""
    from tracker.insights.summary import compute_summary
    from tracker.insights.trends import headline

    nights, profile = journal.nights, journal.profile
    last = nights["night"].max().date() if len(nights) else None
    end = today - dt.timedelta(days=1)  # last night
    start = end - dt.timedelta(days=WINDOW - 1)
    now = compute_summary(nights, journal.cramps, profile, start, end, adjusted=False)
    before = compute_summary(
        nights,
        journal.cramps,
        profile,
        start - dt.timedelta(days=WINDOW),
        start - dt.timedelta(days=1),
        adjusted=False,
    )
    per_week = headline(now, before, start, end)[0]  # cramps per week, with its change
    rising = per_week.delta if per_week.arrow == "up" else None
    week = week_words(dating(today, profile.due_date, profile.birth_date))
    return PatientRow(
        account_id=account_id,
        name=name,
        week=week,
        last_night=last,
        new_signs=tuple(sorted(new_signs, reverse=True)),
        rising=rising,
        days_unlogged=None if last is None else (today - last).days - 1,
    )


def by_attention(rows: list[PatientRow]) -> list[PatientRow]:
    """Most in need of attention first; then by name."""
    return sorted(rows, key=lambda r: (r.rank, r.name.lower()))
