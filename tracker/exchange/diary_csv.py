"""The diary as CSV: one row per cramp, for people who kept a paper or spreadsheet diary.

A night without cramps is one row with empty cramp columns; night columns repeat on every
row of their night and must agree. Empty means not recorded. Export then import gives the
same journal, and export then import then export gives the same bytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlmodel import Session

from tracker.care.language import N_, _
from tracker.journal.entries import (
    NightEntry,
    parse_time,
)
from tracker.journal.importing import import_nights
from tracker.journal.models import Night
from tracker.journal.store import entry_of

# Column names in file order; each is the NightEntry/CrampEntry field unless FIELDS says not.
CRAMP_COLUMNS = [
    "cramp_time",
    "duration_min",
    "severity",
    "leg",
    "muscle",
    "woke",
    "relief",
    "relieved",
]
NIGHT_COLUMNS = [
    "water_ml",
    "stretch_min",
    "active_min",
    "magnesium_mg",
    "soreness",
    "red_flags",
    "notes",
    "magnesium_form",
    "magnesium_agreed",
    "side_effects",
    "plan_kept",
]
# `cramp` numbers the cramps of a night, so a cramp with nothing else recorded survives.
COLUMNS = ("night", *CRAMP_COLUMNS, *NIGHT_COLUMNS, "cramp")
FIELDS = {"cramp_time": "time", "magnesium_agreed": "magnesium_clinician_agreed"}
COLUMN_OF = {field: column for column, field in FIELDS.items()}
TEXT_COLUMNS = {"notes", "magnesium_form", "side_effects"}
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")  # what a spreadsheet could run as a formula
CSV_ERRORS = {  # said with _()
    "end of data": N_('a cell opens a quote (") that is never closed'),
    "expected after": N_("a quoted cell has more text after its closing quote"),
    "field limit": N_("a cell is too long (notes can have at most 20,000 characters)"),
}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def field_of(column: str) -> str:
    """The NightEntry or CrampEntry field a column holds."""
    return FIELDS.get(column, column)


class Problem(NamedTuple):
    """One thing wrong with a file: the row (header = 1) and column, when known, and why."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [_("row {row}").format(row=self.row)] if self.row else []
        where += [_("column {column}").format(column=self.column)] if self.column else []
        return ": ".join([", ".join(where), self.message]) if where else self.message


class CsvError(ValueError):
    """The file cannot be imported; `problems` lists every (row, column, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.row or 0, _column_order(p.column)))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ImportResult:
    """How many nights an import added, overwrote, and found already identical."""

    added: int
    updated: int
    unchanged: int


def _column_order(column: str | None) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


# --- Cells ------------------------------------------------------------------------------------


def escape_cell(text: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (and to one already so)."""
    return "'" + text if FORMULA_START.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo escape_cell."""
    return text[1:] if text.startswith("'") and FORMULA_START.match(text[1:]) else text


def _whole(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        said = _("'{text}' is not a number: write digits only, like {example}")
        raise ValueError(said.format(text=text, example=1500)) from None
    if not value.is_integer():
        raise ValueError(_("must be a whole number"))
    return int(value)


def _decimal(text: str) -> float:
    if "," in text and "." not in text:
        text = text.replace(",", ".", 1)  # 1,5 written with a decimal comma
    try:
        return float(text)
    except ValueError:
        said = _("'{text}' is not a number of minutes, like {example}")
        raise ValueError(said.format(text=text, example="1.5")) from None


def _yes_no(text: str) -> bool:
    if text.lower() not in YES | NO:
        raise ValueError(_("must be yes or no"))
    return text.lower() in YES


def _date(text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        said = _("'{text}' is not a date: write it like {example} (year-month-day)")
        raise ValueError(said.format(text=text, example="2025-03-14"))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("{text} is not a real date").format(text=text)) from None


_WITH_SECONDS = re.compile(r"\s*\d\d:\d\d:\d\d(\.\d{1,6})?\s*")


def _cramp_time(text: str) -> dt.time:
    """A time as she writes it (02:40, 2am), or with seconds as a backup's time is exported
    (02:40:05, 02:40:05.500000), so her own export always reads back exactly."""
    if _WITH_SECONDS.fullmatch(text):
        return dt.time.fromisoformat(text.strip())
    return parse_time(text)


READERS: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(("leg", "muscle", "relief"), lambda t: re.sub(r"[\s-]+", "_", t.lower())),
    **dict.fromkeys(("woke", "relieved", "magnesium_agreed", "plan_kept"), _yes_no),
    "night": _date,
    "cramp_time": _cramp_time,
    "duration_min": _decimal,
    "red_flags": lambda t: sorted({c.strip().lower() for c in re.split("[;,]", t) if c.strip()}),
}  # every other column holds a whole number


def _cell(column: str, raw: str) -> Any:
    """The value of one cell (None when empty); ValueError says what is wrong."""
    text = unescape_cell(raw)
    if column in TEXT_COLUMNS:
        return text if text.strip() else None
    if not text.strip():
        return [] if column == "red_flags" else None
    return READERS.get(column, _whole)(text.strip())


def _write_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.time):  # to the minute, as she logs it; a backup's seconds kept
        return value.strftime("%H:%M") if not (value.second or value.microsecond) else str(value)
    if isinstance(value, list):
        return escape_cell(";".join(value))
    return escape_cell(str(value))


# --- Files ------------------------------------------------------------------------------------


def export_diary(nights: Iterable[NightEntry | Night]) -> str:
    """The nights as diary CSV text (one row per cramp), oldest night first.

    A list is sorted here; any other iterable (store.iter_nights) must already be in order,
    and is written as it is read, so a long journal is never all in memory as rows.
    """
    entries = (
        (n if isinstance(n, NightEntry) else entry_of(n)).normalised()
        for n in (sorted(nights, key=lambda n: n.night) if isinstance(nights, list) else nights)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        night_cells = [_write_cell(getattr(entry, field_of(c))) for c in NIGHT_COLUMNS]
        for number, cramp in enumerate(entry.cramps or [None], start=1):
            cells = [_write_cell(getattr(cramp, field_of(c), None)) for c in CRAMP_COLUMNS]
            cells += [*night_cells, str(number) if cramp else ""]
            writer.writerow([entry.night.isoformat(), *cells])
    return buffer.getvalue()


def encode_diary(text: str) -> bytes:
    """The bytes of a diary file: UTF-8 with a BOM, so spreadsheets read any script right."""
    return codecs.BOM_UTF8 + text.encode("utf-8")


def import_diary(
    *, session: Session, entries: list[NightEntry], replace: bool = False
) -> ImportResult:
    """Write all the nights in one transaction, or none (ImportConflict unless replace)."""
    result = import_nights(session=session, entries=entries, replace=replace)
    return ImportResult(
        added=len(result.added), updated=len(result.updated), unchanged=len(result.unchanged)
    )
