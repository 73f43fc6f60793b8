"""Reading a diary CSV: every row checked, every problem found at once (row, column, what to
fix), nothing written (diary_csv.import_diary writes what read_diary returns).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tracker.care.language import _
from tracker.exchange.diary_csv import (
    COLUMN_OF,
    COLUMNS,
    CRAMP_COLUMNS,
    CSV_ERRORS,
    NIGHT_COLUMNS,
    CsvError,
    Problem,
    _cell,
    _write_cell,
    field_of,
)
from tracker.journal.entries import (
    MAX_CRAMPS_PER_NIGHT,
    CrampEntry,
    NightEntry,
    validate_night,
)


def decode_diary(data: bytes) -> str:
    """The text of a diary file (UTF-8 with or without BOM, or UTF-16); CsvError if not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise CsvError([Problem(None, None, _("the file is damaged UTF-16 text"))]) from None
    if b"\x00" in data:
        message = _("this is not a CSV text file; if it is a spreadsheet, save it as 'CSV UTF-8'")
        raise CsvError([Problem(None, None, message)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        row, column = _find(data.decode("utf-8-sig", errors="replace"), "\ufffd")
        message = (
            _(
                "has characters that are not UTF-8 (the file looks like Latin-1 or "
                "Windows-1252): save it as 'CSV UTF-8' and import it again"
            )
            if row
            else _(
                "the file has characters that are not UTF-8 (it looks like Latin-1 or "
                "Windows-1252): save it as 'CSV UTF-8' and import it again"
            )
        )
        raise CsvError([Problem(row, column, message)]) from None


def _delimiter(text: str) -> str:
    """The delimiter that makes the most column names of the first line (comma on a tie)."""
    header = text.split("\n", 1)[0]
    scores = {d: sum(n.strip(' "\r').lower() in COLUMNS for n in header.split(d)) for d in ",;\t"}
    return max(scores, key=lambda d: scores[d])


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with its row number as a spreadsheet counts them (the header is row 1)."""
    delimiter = _delimiter(text)
    # strict: a quote that is never closed must not swallow the rest of the file silently
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] = []
    for row in itertools.count(1):
        lines_before = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = next((_(m) for k, m in CSV_ERRORS.items() if k in str(exc)), str(exc))
            cell = _broken_cell(text, lines_before, delimiter)
            named = row > 1 and cell < len(header) and header[cell]
            raise CsvError(
                [Problem(row, header[cell] if named else str(cell + 1), message)]
            ) from None
        header = header if row > 1 else [c.strip().lower() for c in cells]
        yield row, cells


def _broken_cell(text: str, lines_before: int, delimiter: str) -> int:
    """The cell (from 0) where the csv module gave up on the record after `lines_before` lines:
    the one whose quote is never closed, has text after its closing quote, or is too long."""
    record = "".join(io.StringIO(text, newline="").readlines()[lines_before:])
    limit, cell, length, state, i = csv.field_size_limit(), 0, 0, "start", 0
    while i < len(record):
        char = record[i]
        if state == "quoted":
            doubled = char == '"' and record[i + 1 : i + 2] == '"'  # "" is one quote character
            state = "closed" if char == '"' and not doubled else state
            length, i = length + (char != '"' or doubled), i + doubled
        elif char == delimiter:
            cell, length, state = cell + 1, 0, "start"
        elif char in "\r\n" or state == "closed":
            return cell
        elif char == '"' and state == "start":
            state = "quoted"
        else:
            state, length = "plain", length + 1
        if length > limit:
            return cell
        i += 1
    return cell


def _find(text: str, needle: str) -> tuple[int | None, str | None]:
    """Row and column of the first cell that contains needle."""
    header: list[str] = []
    with contextlib.suppress(CsvError):
        for row, cells in _records(text):
            header = header or [c.strip().lower() for c in cells]
            for i, cell in enumerate(cells):
                if needle in cell:
                    named = row > 1 and i < len(header) and header[i]
                    return row, header[i] if named else str(i + 1)
    return None, None


def ignored_columns(text: str) -> list[str]:
    """Column names in the first row that the diary format does not use."""
    for _row, cells in _records(text.removeprefix("\ufeff")):
        return [c.strip() for c in cells if c.strip() and c.strip().lower() not in COLUMNS]
    return []


@dataclass
class _Rows:
    """One night's rows so far: its night cells (with the row that gave each) and cramps."""

    first_row: int
    values: dict[str, tuple[int, Any]] = field(default_factory=dict)
    cramps: list[CrampEntry] = field(default_factory=list)
    cramp_rows: list[int] = field(default_factory=list)


def _header(cells: list[str]) -> list[str]:
    """The column names of the first row; CsvError when `night` is missing or a name repeats."""
    header = [c.strip().lower() for c in cells]
    twice = sorted({name for name in header if name in COLUMNS and header.count(name) > 1})
    problems = [Problem(1, name, _("appears twice in the first row")) for name in twice]
    if "night" not in header:
        message = _(
            "no column is named night: the first row must name the columns, separated by "
            "commas, e.g. {example} (it says: {first_row})"
        ).format(example="night,cramp_time,severity", first_row=",".join(cells)[:80])
        problems.append(Problem(1, "night", message))
    if problems:
        raise CsvError(problems)
    return header


def _row_values(
    row: int, header: list[str], cells: list[str], problems: list[Problem]
) -> dict[str, Any] | None:
    """The known columns of one row read into values; a cell that can't be read is left out."""
    counts = {"cells": len(cells), "columns": len(header)}
    if len(cells) < len(header):
        column = header[len(cells)] or str(len(cells) + 1)
        missing = _("missing: this row has {cells} cells but the first row names {columns} columns")
        problems.append(Problem(row, column, missing.format(**counts)))
        return None
    if any(c.strip() for c in cells[len(header) :]):
        message = _(
            "this row has {cells} cells but the first row names {columns} columns: put quotes "
            "around a cell that contains a comma"
        ).format(**counts)
        problems.append(Problem(row, str(len(header) + 1), message))
        return None
    values: dict[str, Any] = {}
    for column, raw in zip(header, cells, strict=False):
        try:
            if column in COLUMNS:
                values[column] = _cell(column, raw)
        except ValueError as exc:
            problems.append(Problem(row, column, str(exc)))
    if "night" in values and values["night"] is None:
        problems.append(Problem(row, "night", _("is empty: every row needs its night's date")))
    return values if values.get("night") else None


def _shown(value: Any) -> str:
    text = _write_cell(value)
    return repr(text[:40] + ("…" if len(text) > 40 else "")) if text else _("nothing")


_CRAMP_CELLS = (*CRAMP_COLUMNS, "cramp")  # any of these makes a row a cramp
_CRAMP_FIELDS = tuple((column, field_of(column)) for column in CRAMP_COLUMNS)


def _add_row(
    nights: dict[dt.date, _Rows], row: int, values: dict[str, Any], problems: list[Problem]
) -> None:
    """Add one row to its night; its night cells must match the night's earlier rows."""
    night = nights.setdefault(values["night"], _Rows(row))
    for column in (c for c in NIGHT_COLUMNS if c in values):
        earlier_row, earlier = night.values.setdefault(column, (row, values[column]))
        if earlier != values[column]:
            message = _(
                "says {value} but row {row} says {earlier} for the same night ({night}): night "
                "columns must match on every row of a night"
            ).format(
                value=_shown(values[column]),
                row=earlier_row,
                earlier=_shown(earlier),
                night=values["night"],
            )
            problems.append(Problem(row, column, message))
    if any(values.get(c) is not None for c in _CRAMP_CELLS):
        night.cramps.append(CrampEntry(**{name: values.get(c) for c, name in _CRAMP_FIELDS}))
        night.cramp_rows.append(row)


def _locate(key: str, night: _Rows) -> tuple[int, str]:
    """The row and column behind a validate_night error key such as cramps.2.severity."""
    if key.startswith("cramps."):
        _cramps, index, name = key.split(".", 2)
        return night.cramp_rows[int(index)], COLUMN_OF.get(name, name)
    if key == "cramps":
        return night.cramp_rows[MAX_CRAMPS_PER_NIGHT], "night"
    column = COLUMN_OF.get(key, key)
    return night.values.get(column, (night.first_row,))[0], column


def read_diary(text: str, today: dt.date | None = None) -> list[NightEntry]:
    """The nights a diary CSV describes, oldest first; CsvError lists every problem in it."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CsvError([Problem(None, None, _("the file is empty"))])
    records = _records(text)
    header = _header(next(records)[1])
    nights: dict[dt.date, _Rows] = {}
    problems: list[Problem] = []
    for row, cells in records:
        values = _row_values(row, header, cells, problems) if any(map(str.strip, cells)) else None
        if values is not None:
            _add_row(nights, row, values, problems)
    entries = []
    for date, night in sorted(nights.items()):
        fields = {field_of(c): value for c, (_row, value) in night.values.items()}
        entry = NightEntry(night=date, **fields, cramps=night.cramps).normalised()
        errors = validate_night(entry, today)
        problems += [Problem(*_locate(key, night), message) for key, message in errors.items()]
        entries.append(entry)
    if problems:
        raise CsvError(problems)
    return entries
