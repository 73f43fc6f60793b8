"""Bad input: a corpus of files people might import, and text that must never become markup.

Every file in tests/data/bad is imported into a journal holding two nights; its README's table
says what must happen. A file either imports with every note exactly as written, or is refused
with the row and column at fault, and the journal file is then byte-for-byte unchanged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import days_ago, make_entry
from tracker.cli import main
from tracker.exchange.diary_csv import (
    FORMULA_START,
    CsvError,
    ImportResult,
    export_diary,
    import_diary,
)
from tracker.exchange.diary_read import decode_diary, read_diary
from tracker.journal.config import PROJECT_ROOT, sqlite_path
from tracker.journal.db import make_engine
from tracker.journal.entries import NightEntry
from tracker.journal.importing import ImportConflict
from tracker.journal.schema import ensure_schema
from tracker.journal.store import entry_of, list_nights, save_night

BAD = Path(__file__).resolve().parent / "data" / "bad"
SEEDED = (dt.date(2024, 12, 1), dt.date(2024, 12, 2))
TABLE_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<about>.+?) \| (?P<expected>.+?) \|$")
IMPORTS = re.compile(r"imports (\d+) nights")
AT_CELL = re.compile(r"refused at row (\d+), column (\S+): (.+)")
REFUSED = re.compile(r"refused: (.+)")


def corpus() -> dict[str, str]:
    """Each file of the corpus with its expected outcome, read from the README's table."""
    lines = (BAD / "README.md").read_text(encoding="utf-8").splitlines()
    return {m["file"]: m["expected"] for line in lines if (m := TABLE_ROW.match(line))}


CASES = corpus()
CSV_CASES = [name for name in CASES if name.endswith(".csv")]
JSON_CASES = [name for name in CASES if name.endswith(".json")]


@pytest.fixture
def journal(sqlite_url: str) -> str:
    """The URL of a journal holding two nights, every connection to it closed."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as session:
        for night in SEEDED:
            save_night(session=session, entry=make_entry(night, cramps=2, notes="seeded"))
    engine.dispose()
    return sqlite_url


def fingerprint(url: str) -> dict[str, str]:
    """SHA-256 of the journal file and of its -wal, once SQLite has checkpointed.

    Closing the last connection checkpoints the WAL into the .db file and removes it, so any
    committed write shows in the .db's bytes. The -shm file is left out on purpose: it is only
    SQLite's shared-memory index of the WAL, rewritten by every connection that opens the
    journal (even one that only reads), holds no journal data, and is removed on close too.
    """
    path = sqlite_path(url)
    checkpoint = sqlite3.connect(path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    parts = [path, path.with_name(path.name + "-wal")]
    return {
        part.name: hashlib.sha256(part.read_bytes()).hexdigest() for part in parts if part.exists()
    }


def import_file(url: str, path: Path) -> ImportResult:
    """What the app and the CLI do: open the journal, read the whole file, write it in one go."""
    engine = make_engine(url)
    try:
        ensure_schema(engine)
        entries = read_diary(decode_diary(path.read_bytes()))
        with Session(engine) as session:
            return import_diary(session=session, entries=entries)
    finally:
        engine.dispose()


def imported_nights(url: str) -> list[NightEntry]:
    """The nights in the journal other than the two it started with, oldest first."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            nights = [entry_of(night) for night in list_nights(session=session)]
    finally:
        engine.dispose()
    return [entry for entry in nights if entry.night not in SEEDED]


def notes_as_written(raw: bytes) -> list[str]:
    """The notes cell of each night's first row, read by the standard csv module alone."""
    encoding = "utf-16" if raw.startswith(codecs.BOM_UTF16_LE) else "utf-8-sig"
    text = raw.decode(encoding)
    header = text.splitlines()[0]
    delimiter = max(",;\t", key=header.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    night, notes = rows[0].index("night"), rows[0].index("notes")
    first_rows = {row[night]: row[notes] for row in reversed(rows[1:]) if row and row[night]}
    return [first_rows[night] for night in sorted(first_rows) if first_rows[night].strip()]


def assert_stored_as_written(raw: bytes, stored: list[NightEntry]) -> None:
    """Every note is stored byte for byte as the file wrote it, and exports safely."""
    encoding = "utf-16-le" if raw.startswith(codecs.BOM_UTF16_LE) else "utf-8"
    notes = [entry.notes for entry in stored if entry.notes is not None]
    assert [note.encode() for note in notes] == [note.encode() for note in notes_as_written(raw)]
    for note in notes:
        quoted = '"' + note.replace('"', '""') + '"'
        assert quoted.encode(encoding) in raw or note.encode(encoding) in raw
    exported = csv.DictReader(io.StringIO(export_diary(stored), newline=""))
    cells = [row["notes"] for row in exported if row["notes"]]
    assert not [cell for cell in cells if FORMULA_START.match(cell) and cell[0] != "'"]


def assert_refused_as_expected(refusal: Exception, expected: str) -> None:
    if at_cell := AT_CELL.fullmatch(expected):
        row, column, words = at_cell.groups()
        assert isinstance(refusal, CsvError)
        problem = refusal.problems[0]
        assert (problem.row, problem.column) == (int(row), column)
        assert str(problem).startswith(f"row {row}, column {column}: ")
        assert words in problem.message
    else:
        assert REFUSED.fullmatch(expected), (
            f"the README says neither imports nor refused: {expected}"
        )
        assert REFUSED.fullmatch(expected)[1] in str(refusal)


def test_every_file_of_the_corpus_has_its_line_in_the_readme() -> None:
    files = sorted(path.name for path in BAD.iterdir() if path.name != "README.md")
    assert files == sorted(CASES)
    assert len(files) >= 30
    assert all(IMPORTS.fullmatch(e) or e.startswith("refused") for e in CASES.values())


@pytest.mark.parametrize("name", CSV_CASES)
def test_a_diary_file_imports_exactly_or_is_refused_by_row_and_column(
    journal: str, name: str
) -> None:
    expected, raw = CASES[name], (BAD / name).read_bytes()
    before = fingerprint(journal)
    if imports := IMPORTS.fullmatch(expected):
        result = import_file(journal, BAD / name)
        assert (result.added, result.updated) == (int(imports[1]), 0)
        stored = imported_nights(journal)
        assert len(stored) == int(imports[1])
        assert_stored_as_written(raw, stored)
        return
    with pytest.raises((CsvError, ImportConflict)) as refused:
        import_file(journal, BAD / name)
    assert_refused_as_expected(refused.value, expected)
    assert fingerprint(journal) == before


def test_a_ten_megabyte_note_is_refused_by_row_and_column(journal: str, tmp_path: Path) -> None:
    path = tmp_path / "huge-note.csv"
    header = "night,severity,water_ml,notes\n"
    path.write_bytes(f"{header}2025-01-10,5,1500,ok\n2025-01-11,6,,{'x' * 10_000_000}\n".encode())
    before = fingerprint(journal)
    with pytest.raises(CsvError) as refused:
        import_file(journal, path)
    assert_refused_as_expected(refused.value, "refused at row 3, column notes: too long")
    assert fingerprint(journal) == before


@pytest.mark.parametrize("name", JSON_CASES)
def test_a_bad_backup_is_refused_by_the_import_command(
    journal: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(journal)
    assert main(["--db", journal, "import", str(BAD / name)]) == 1
    error = capsys.readouterr().err
    assert "nothing was imported" in error
    assert REFUSED.fullmatch(CASES[name])[1] in error
    assert fingerprint(journal) == before


def cramp_journal(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command's entry point in a fresh interpreter, as she would."""
    command = [sys.executable, "-m", "tracker.cli", *args]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "name", ["severity_11.csv", "latin1.csv", "rtl_and_emoji.csv", "backup_severity_11.json"]
)
def test_the_command_in_its_own_process_imports_or_refuses(journal: str, name: str) -> None:
    expected, raw = CASES[name], (BAD / name).read_bytes()
    before = fingerprint(journal)
    result = cramp_journal("--db", journal, "import", str(BAD / name))
    if imports := IMPORTS.fullmatch(expected):
        assert result.returncode == 0, result.stderr
        assert f"{imports[1]} nights added" in result.stdout
        assert_stored_as_written(raw, imported_nights(journal))
        return
    assert result.returncode == 1
    assert f"{BAD / name}: nothing was imported" in result.stderr
    if at_cell := AT_CELL.fullmatch(expected):
        row, column, words = at_cell.groups()
        assert re.search(rf"^row {row}, column {column}: .*{re.escape(words)}", result.stderr, re.M)
    else:
        assert REFUSED.fullmatch(expected)[1] in result.stderr
    assert fingerprint(journal) == before


# --- What she types never reaches a page as HTML or Markdown ----------------------------------

APP = str(PROJECT_ROOT / "streamlit_app.py")
MARKUP = ["<script>alert(1)</script>", "![x](http://example.com/x.png)", "**bold**"]
LITERAL = {"text", "dataframe", "text_area"}  # elements that show text as it is


def shown_in(at: AppTest, note: str) -> set[str]:
    """The kinds of element on the page whose content holds the note anywhere."""
    kinds = set()
    for root in (at.main, at.sidebar):
        for node in root:
            proto = getattr(node, "proto", None)
            if proto is not None and note.encode() in proto.SerializeToString():
                kinds.add(node.type)
    return kinds


def assert_only_literal(at: AppTest, note: str) -> None:
    assert not at.exception
    assert shown_in(at, note) <= LITERAL
    assert not [m.value for m in at.markdown if note in m.value]


@pytest.fixture
def marked_up_nights(sqlite_engine: Engine) -> dict[dt.date, str]:
    """Three nights whose notes look like HTML or Markdown."""
    nights = {days_ago(1 + i): note for i, note in enumerate(MARKUP)}
    with Session(sqlite_engine) as session:
        for night, note in nights.items():
            save_night(session=session, entry=make_entry(night, cramps=1, notes=note))
    return nights


def test_notes_reach_history_only_as_plain_text(marked_up_nights: dict[dt.date, str]) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    for night, note in marked_up_nights.items():
        at.switch_page("pages/history.py").run()
        assert_only_literal(at, note)
        assert shown_in(at, note) == set()  # the list shows no notes at all
        at.button(key=f"hi_night_{night:%Y%m%d}").click().run()  # a tap opens it on Last night
        assert at.date_input(key="ln_night").value == night
        assert_only_literal(at, note)
        assert shown_in(at, note) == {"text_area"}


def test_notes_reach_last_night_only_as_plain_text(marked_up_nights: dict[dt.date, str]) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    for night, note in marked_up_nights.items():
        at.date_input(key="ln_night").set_value(night).run()
        assert at.text_area(key="ln_notes").value == note
        assert_only_literal(at, note)


@pytest.mark.parametrize(
    ("key", "field", "label"),
    [("ln_notes", "notes", "Notes"), ("ln_side", "side_effects", "Side effects"),
     ("ln_mg_form", "magnesium_form", "Magnesium form")],
)  # fmt: skip
def test_the_forms_text_limits_hold_on_the_server_too(
    sqlite_engine: Engine, key: str, field: str, label: str
) -> None:
    """The box stops her at its max_chars, the same limit Save checks (validate_night). A client
    can send any value over the websocket: whatever it sends, no longer text is stored (Streamlit
    cuts a widget's value to its max_chars; validate_night refuses the rest by name)."""
    from tests.factories import make_profile
    from tracker.journal.entries import TEXT_LIMITS
    from tracker.journal.store import get_night, save_profile

    with Session(sqlite_engine) as session:
        save_profile(session=session, profile=make_profile())
    at = AppTest.from_file(APP, default_timeout=30).run()
    box = at.text_area(key=key) if field == "notes" else at.text_input(key=key)
    assert box.max_chars == TEXT_LIMITS[field]  # the form and the server share one limit
    box.set_value("x" * (TEXT_LIMITS[field] + 1))  # past max_chars: a forged widget state
    at.button(key="ln_save").click().run()
    assert not at.exception
    with Session(sqlite_engine) as session:
        stored = get_night(session=session, night=days_ago(1))
    kept = "" if stored is None else getattr(stored, field) or ""
    assert len(kept) <= TEXT_LIMITS[field]
    refused = [e.value for e in at.error if "too long" in e.value]
    assert stored is not None or refused[0].startswith(f"{label} is too long")
