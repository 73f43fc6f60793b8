"""The History table: every night, newest first, with the nights she did not log as gaps.

Plain Python and pandas (no Streamlit), so the table is tested on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.care.pregnancy import dating
from tracker.care.safety import Advice, advice_for, red_flag_label
from tracker.journal.entries import NightEntry

NOT_LOGGED = "not logged"
COLUMNS = ["night", "week", "cramps", "worst", "red_flags", "notes", "logged"]


def cramp_count(count: int) -> str:
    """'no cramps', '1 cramp', '3 cramps': a night's cramps in words."""
    if count == 0:
        return _("no cramps")
    return ngettext("{count} cramp", "{count} cramps", count).format(count=count)


def worst_severity(entry: NightEntry) -> int | None:
    """The highest severity (0-10) she gave a cramp that night; None when none was given."""
    return max((c.severity for c in entry.cramps if c.severity is not None), default=None)


def longest_cramp(entry: NightEntry) -> float | None:
    """The longest cramp of the night in minutes; None when no duration was given."""
    return max((c.duration_min for c in entry.cramps if c.duration_min), default=None)


def night_advice(entry: NightEntry) -> list[Advice]:
    """The cards for a night: its warning signs and any cramp longer than usual."""
    return advice_for(entry.red_flags, longest_cramp(entry))


def flag_labels(codes: list[str]) -> list[str]:
    """Red-flag codes in her words."""
    return [red_flag_label(code) for code in codes]


def week_label(night: dt.date, due_date: dt.date | None, birth_date: dt.date | None) -> str:
    """Gestational week (31+4), postpartum time, or "" when the due date is unknown."""
    return dating(night, due_date, birth_date).label


def _logged_row(entry: NightEntry, week: str) -> dict:
    worst = worst_severity(entry)
    return {
        "night": entry.night,
        "week": week,
        "cramps": str(len(entry.cramps)),
        "worst": "" if worst is None else f"{worst}/10",
        "red_flags": "; ".join(flag_labels(entry.red_flags)),
        "notes": entry.notes or "",
        "logged": True,
    }


def _gap_row(night: dt.date, week: str) -> dict:
    return {
        "night": night,
        "week": week,
        "cramps": NOT_LOGGED,
        "worst": "",
        "red_flags": "",
        "notes": "",
        "logged": False,
    }


def history_frame(
    entries: list[NightEntry],
    *,
    due_date: dt.date | None = None,
    birth_date: dt.date | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One row per night from the first logged night to last night, newest first.

    Nights she did not log are rows marked "not logged" (unknown, never 0 cramps). The gaps
    run up to last night: tonight has not happened yet, so it is not missing.
    """
    if not entries:
        return pd.DataFrame({name: [] for name in COLUMNS})
    by_night = {entry.night: entry for entry in entries}
    last_night = (today or dt.date.today()) - dt.timedelta(days=1)
    first, last = min(by_night), max(max(by_night), last_night)
    rows = []
    for offset in range((last - first).days + 1):
        night = last - dt.timedelta(days=offset)
        week = week_label(night, due_date, birth_date)
        entry = by_night.get(night)
        rows.append(_logged_row(entry, week) if entry else _gap_row(night, week))
    return pd.DataFrame(rows, columns=COLUMNS)


def flagged_nights(entries: list[NightEntry]) -> list[tuple[dt.date, list[str]]]:
    """Nights with warning signs, newest first, each with the signs in her words."""
    flagged = [e for e in entries if e.red_flags]
    return [
        (e.night, flag_labels(e.red_flags))
        for e in sorted(flagged, key=lambda e: e.night, reverse=True)
    ]


@dataclass(frozen=True)
class HistoryRow:
    """One line of the phone list: a logged night, or a run of nights not logged."""

    night: dt.date  # the night a tap opens (the newest of a gap)
    label: str
    flagged: bool = False
    logged: bool = True


def history_rows(frame: pd.DataFrame) -> list[HistoryRow]:
    """The History list from history_frame: newest first, each run of gaps as one row."""
    rows: list[HistoryRow] = []
    gap: list[dt.date] = []

    def close_gap() -> None:
        if gap:
            newest, oldest = gap[0], gap[-1]
            label = (
                _("{day} · not logged").format(day=language.date(newest, _("EEE dd MMM")))
                if len(gap) == 1
                else _("{count} nights not logged · {first} – {last}").format(
                    count=len(gap),
                    first=language.date(oldest, _("dd MMM")),
                    last=language.date(newest, _("dd MMM")),
                )
            )
            rows.append(HistoryRow(newest, label, logged=False))
            gap.clear()

    for record in frame.itertuples(index=False):
        if not record.logged:
            gap.append(record.night)
            continue
        close_gap()
        count = int(record.cramps)
        parts = [language.date(record.night, _("EEE dd MMM"))]
        parts += [
            _("week {week}").format(week=record.week) if record.week[:1].isdigit() else record.week
        ]
        parts += [cramp_count(count)]
        parts += [_("worst {severity}").format(severity=record.worst) if record.worst else ""]
        parts += [_("warning signs") if record.red_flags else ""]  # the row's icon marks it
        label = " · ".join(p for p in parts if p)
        rows.append(HistoryRow(record.night, label, flagged=bool(record.red_flags)))
    close_gap()
    return rows
