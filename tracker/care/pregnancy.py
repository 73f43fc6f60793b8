"""Pregnancy dating: gestational age from the due date, trimesters, postpartum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.care.language import _, ngettext

TERM_DAYS = 280
LAST_PREGNANT_DAY = 42 * 7 + 6  # 42+6: past this, without a birth date, we stop counting


@dataclass(frozen=True)
class Dating:
    """Where a night falls: weeks+days of pregnancy, or weeks after the birth."""

    days: int | None  # gestational days, None when postpartum or unknown
    postpartum_days: int | None = None

    @property
    def week(self) -> int | None:
        return None if self.days is None else self.days // 7

    @property
    def trimester(self) -> int | None:
        if self.days is None:
            return None
        return 1 if self.days < 14 * 7 else 2 if self.days < 28 * 7 else 3

    @property
    def label(self) -> str:
        if self.postpartum_days is not None:
            return f"postpartum {self.postpartum_days // 7}+{self.postpartum_days % 7}"
        if self.days is None:
            return ""
        return f"{self.days // 7}+{self.days % 7}"

    @property
    def long_label(self) -> str:
        if self.postpartum_days is not None:
            weeks, days = divmod(self.postpartum_days, 7)
            return _("{weeks} {days} after birth").format(
                weeks=ngettext("{n} week", "{n} weeks", weeks).format(n=weeks),
                days=ngettext("{n} day", "{n} days", days).format(n=days),
            )
        if self.days is None:
            return ""
        return _("week {week}, trimester {trimester}").format(
            week=self.label, trimester=self.trimester
        )


def gestational_days(date: dt.date, due_date: dt.date) -> int:
    """280 days minus the days still to go until the due date."""
    return TERM_DAYS - (due_date - date).days


def dating(date: dt.date, due_date: dt.date | None, birth_date: dt.date | None = None) -> Dating:
    """Date a night: gestational age before the birth, postpartum time after it."""
    if birth_date is not None and date >= birth_date:
        return Dating(days=None, postpartum_days=(date - birth_date).days)
    if due_date is None:
        return Dating(days=None)
    days = gestational_days(date, due_date)
    if days < 0 or (birth_date is None and days > LAST_PREGNANT_DAY):
        return Dating(days=None)
    return Dating(days=days)


def date_for_week(week: int, due_date: dt.date) -> dt.date:
    """The first day of a gestational week."""
    return due_date - dt.timedelta(days=TERM_DAYS - week * 7)
