"""The diary CSV: byte-for-byte round trips, bad files refused by row and column, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import days_ago, make_cramp, make_entry
from tracker.care.safety import RED_FLAG_CODES
from tracker.exchange.diary_csv import (
    COLUMNS,
    CsvError,
    ImportResult,
    Problem,
    encode_diary,
    escape_cell,
    export_diary,
    import_diary,
    unescape_cell,
)
from tracker.exchange.diary_read import decode_diary, ignored_columns, read_diary
from tracker.journal.db import make_engine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.importing import ImportConflict
from tracker.journal.models import Leg, Muscle, Relief
from tracker.journal.schema import ensure_schema
from tracker.journal.store import entry_of, list_nights, save_night

TABLES = ("profile", "night", "cramp", "redflag")
TRICKY_NOTES = [
    '=HYPERLINK("http://evil.example","click")',
    "-5",
    "+1 cramp",
    "@x",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
    "'=already quoted formula",
    "''-two quotes",
    "'just an apostrophe",
    "line one\nline two\r\nline three",
    'commas, "quotes", and; semicolons',
    "emoji 🦵🌙😖",
    "تقلص عضلي في الساق",
    "小腿抽筋，很痛",
    "  spaces kept at both ends  ",
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite journal with the current schema."""
    engine = make_engine(f"sqlite:///{tmp_path}/j.db")
    ensure_schema(engine)
    yield engine
    engine.dispose()


def new_journal(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    return engine


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every journal table, for before/after comparisons."""
    with engine.connect() as conn:
        return {
            table: sorted(
                (tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}"))), key=repr
            )
            for table in TABLES
        }


def save_all(engine: Engine, entries: list[NightEntry]) -> None:
    with Session(engine) as session:
        for entry in entries:
            save_night(session=session, entry=entry)


def export_journal(engine: Engine) -> str:
    with Session(engine) as session:
        return export_diary(list_nights(session=session))


def import_text(engine: Engine, data: str | bytes, replace: bool = False) -> ImportResult:
    """What the CLI and the app do: decode, read the whole file, then write it in one go."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    entries = read_diary(decode_diary(raw))
    with Session(engine) as session:
        return import_diary(session=session, entries=entries, replace=replace)


def tricky_nights() -> list[NightEntry]:
    nights = [
        make_entry(days_ago(30 + i), cramps=i % 3, notes=note, side_effects=note[:50])
        for i, note in enumerate(TRICKY_NOTES)
    ]
    nights.append(
        make_entry(
            days_ago(3),
            cramps=[CrampEntry(), make_cramp(duration_min=0.25)],
            magnesium_mg=300,
            magnesium_form="=glycinate",
            magnesium_clinician_agreed=True,
            red_flags=["fever", "tenderness"],
        )
    )
    nights.append(NightEntry(night=days_ago(2)))  # logged, no cramps, nothing else recorded
    return nights


# --- Round trip -------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_bytes(engine: Engine, tmp_path: Path) -> None:
    save_all(engine, tricky_nights())
    first = encode_diary(export_journal(engine))
    other = new_journal(tmp_path / "other.db")
    result = import_text(other, first)
    second = encode_diary(export_journal(other))
    assert second == first
    assert result == ImportResult(added=len(tricky_nights()), updated=0, unchanged=0)
    with Session(engine) as a, Session(other) as b:
        theirs = [entry_of(n) for n in list_nights(session=b)]
        assert [entry_of(n) for n in list_nights(session=a)] == theirs
    other.dispose()


def test_round_trip_on_each_database(journal_url: str) -> None:
    """The same file comes back from SQLite and from PostgreSQL."""
    engine = make_engine(journal_url)
    ensure_schema(engine)
    try:
        original = export_diary(tricky_nights())
        import_text(engine, original)
        assert export_journal(engine) == original
    finally:
        engine.dispose()


def test_export_never_starts_a_cell_with_a_formula_character() -> None:
    exported = export_diary(tricky_nights())
    cells = [cell for row in csv.reader(io.StringIO(exported, newline="")) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "''=already quoted formula" in cells and "'just an apostrophe" in cells
    assert "'-5" in cells


@pytest.mark.parametrize("note", TRICKY_NOTES)
def test_escape_then_unescape_is_the_same_text(note: str) -> None:
    assert unescape_cell(escape_cell(note)) == note


@given(st.text(alphabet="'=+-@\t\rab ", max_size=8))
def test_escaping_is_reversible_and_safe(value: str) -> None:
    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_a_night_without_cramps_stays_a_logged_night_and_empty_cells_stay_null(
    engine: Engine,
) -> None:
    header = "night,cramp_time,severity,water_ml,stretch_min,magnesium_mg,notes\n"
    import_text(engine, header + f"{days_ago(1)},,,,,0,\n")
    with engine.connect() as conn:
        night = conn.execute(
            text("SELECT id, water_ml, stretch_min, magnesium_mg, notes FROM night")
        ).one()
        cramps = conn.execute(text("SELECT COUNT(*) FROM cramp")).scalar_one()
    assert night[1:] == (None, None, 0, None)  # only magnesium was recorded (as none taken)
    assert cramps == 0
    cells = [str(days_ago(1))] + [""] * 11 + ["0"] + [""] * 8
    assert export_journal(engine).splitlines()[1] == ",".join(cells)


def test_a_cramp_with_nothing_recorded_is_still_a_cramp() -> None:
    entries = [NightEntry(night=days_ago(1), cramps=[CrampEntry(), CrampEntry(severity=3)])]
    assert read_diary(export_diary(entries)) == entries


def test_a_hand_made_file_with_few_columns_any_order_and_extras(engine: Engine) -> None:
    data = (
        "Severity, NIGHT ,weather,cramp_time,red_flags\n"
        f"7,{days_ago(5)},rainy,2.40,fever; tenderness\n"
        f"4,{days_ago(5)},rainy,11:15 pm,tenderness;fever\n"
        f",{days_ago(4)},sunny,,\n"
    )
    assert import_text(engine, data) == ImportResult(added=2, updated=0, unchanged=0)
    assert ignored_columns(data) == ["weather"]
    with Session(engine) as session:
        first, second = list_nights(session=session)
    assert [(c.time, c.severity) for c in first.cramps] == [
        (dt.time(2, 40), 7),
        (dt.time(23, 15), 4),
    ]
    assert sorted(f.code for f in first.red_flags) == ["fever", "tenderness"]
    assert second.cramps == [] and second.red_flags == []


def test_utf8_bom_semicolons_and_decimal_commas_are_understood() -> None:
    data = (
        "night;duration_min;notes;red_flags\r\n"
        f'{days_ago(1)};1,5;"Kramp; links";"fever;tenderness"\r\n'
    ).encode("utf-8-sig")
    (entry,) = read_diary(decode_diary(data))
    assert entry.cramps[0].duration_min == 1.5
    assert entry.notes == "Kramp; links" and entry.red_flags == ["fever", "tenderness"]


def test_utf16_from_a_spreadsheet_is_understood() -> None:
    data = f"night\tseverity\tnotes\n{days_ago(1)}\t5\tcafé\n".encode("utf-16")
    (entry,) = read_diary(decode_diary(data))
    assert entry.cramps[0].severity == 5 and entry.notes == "café"


@st.composite
def nights(draw: st.DrawFn) -> NightEntry:
    """Any valid night."""

    def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
        return st.none() | strategy

    words = st.text(  # no control codes: those are refused (tabs and line breaks in notes)
        st.characters(exclude_categories=("Cs", "Cc")), max_size=40
    )
    lines = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n"),
                    max_size=40)  # fmt: skip
    cramp = st.builds(
        CrampEntry,
        time=maybe(st.times().map(lambda t: t.replace(second=0, microsecond=0))),
        duration_min=maybe(st.floats(0, 180, exclude_min=True)),
        severity=maybe(st.integers(0, 10)),
        leg=maybe(st.sampled_from([e.value for e in Leg])),
        muscle=maybe(st.sampled_from([e.value for e in Muscle])),
        woke=maybe(st.booleans()),
        relief=maybe(st.sampled_from([e.value for e in Relief])),
        relieved=maybe(st.booleans()),
    )
    return NightEntry(
        night=draw(st.dates(dt.date(2000, 1, 1), days_ago(1))),
        water_ml=draw(maybe(st.integers(0, 8000))),
        stretch_min=draw(maybe(st.integers(0, 300))),
        active_min=draw(maybe(st.integers(0, 1000))),
        magnesium_mg=draw(maybe(st.integers(0, 1500))),
        magnesium_form=draw(maybe(words)),
        magnesium_clinician_agreed=draw(maybe(st.booleans())),
        side_effects=draw(maybe(lines)),
        soreness=draw(maybe(st.integers(0, 10))),
        notes=draw(maybe(lines)),
        cramps=draw(st.lists(cramp, max_size=4)),
        red_flags=draw(st.lists(st.sampled_from(RED_FLAG_CODES), unique=True, max_size=3)),
    ).normalised()


@given(st.lists(nights(), max_size=5, unique_by=lambda n: n.night))
def test_any_valid_nights_round_trip(entries: list[NightEntry]) -> None:
    exported = export_diary(entries)
    assert read_diary(exported) == sorted(entries, key=lambda e: e.night)
    assert export_diary(read_diary(decode_diary(encode_diary(exported)))) == exported


# --- Import: all or nothing, twice is once, conflicts ------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(engine: Engine) -> None:
    data = export_diary(tricky_nights())
    import_text(engine, data)
    before = dump(engine)
    assert import_text(engine, data) == ImportResult(
        added=0, updated=0, unchanged=len(tricky_nights())
    )
    assert dump(engine) == before


def test_a_conflict_writes_nothing_and_replace_overwrites(engine: Engine) -> None:
    save_all(engine, [make_entry(days_ago(2), water_ml=1000), make_entry(days_ago(1))])
    before = dump(engine)
    changed = export_diary(
        [make_entry(days_ago(2), water_ml=2500), make_entry(days_ago(1)), make_entry(days_ago(9))]
    )
    with pytest.raises(ImportConflict) as caught:
        import_text(engine, changed)
    assert caught.value.nights == [days_ago(2)]
    assert dump(engine) == before  # not even the new night was added
    assert import_text(engine, changed, replace=True) == ImportResult(1, 1, 1)
    with Session(engine) as session:
        assert [n.water_ml for n in list_nights(session=session)] == [1500, 2500, 1500]


def test_one_bad_row_at_the_end_writes_nothing(engine: Engine) -> None:
    save_all(engine, [make_entry(days_ago(40))])
    before = dump(engine)
    good = export_diary([make_entry(days_ago(d)) for d in range(1, 30)])
    with pytest.raises(CsvError):
        import_text(engine, good + f"{days_ago(31)},,,11,,,,,,,,,,,,,,,,\r\n")
    assert dump(engine) == before


# --- Bad files: refused with row and column, journal untouched ---------------------------------

NIGHT = days_ago(3)
HEADER = "night,cramp_time,duration_min,severity,leg,woke,water_ml,red_flags,notes"
BAD_FILES = {
    "impossible date": (f"{HEADER}\n2025-02-30,,,,,,,,", (2, "night"), "not a real date"),
    "not a date": (f"{HEADER}\n14/03/2025,,,,,,,,", (2, "night"), "like 2025-03-14"),
    "future date": (f"{HEADER}\n{days_ago(-3)},,,,,,,,", (2, "night"), "in the future"),
    "empty night": (f"{HEADER}\n,02:40,,5,,,,,", (2, "night"), "is empty"),
    "severity 11": (f"{HEADER}\n{NIGHT},,,11,,,,,", (2, "severity"), "must be between 0 and 10"),
    "severity 7.5": (f"{HEADER}\n{NIGHT},,,7.5,,,,,", (2, "severity"), "whole number"),
    "duration 0": (f"{HEADER}\n{NIGHT},,0,,,,,,", (2, "duration_min"), "more than 0"),
    "duration 181": (f"{HEADER}\n{NIGHT},,181,,,,,,", (2, "duration_min"), "at most 180"),
    "absurd water": (f"{HEADER}\n{NIGHT},,,,,,50000,,", (2, "water_ml"), "between 0 and 8000"),
    "unknown code": (f"{HEADER}\n{NIGHT},,,,,,,fever;itchy,", (2, "red_flags"), "itchy"),
    "unknown leg": (f"{HEADER}\n{NIGHT},,,,middle,,,,", (2, "leg"), "left, right, both"),
    "bad yes/no": (f"{HEADER}\n{NIGHT},,,,,maybe,,,", (2, "woke"), "yes or no"),
    "bad time": (f"{HEADER}\n{NIGHT},25:99,,,,,,,", (2, "cramp_time"), "not a time"),
    "word for a number": (f"{HEADER}\n{NIGHT},,,,,,lots,,", (2, "water_ml"), "not a number"),
    "huge notes": (f"{HEADER}\n{NIGHT},,,,,,,,{'x' * 20_001}", (2, "notes"), "too long"),
    "second cramp bad": (
        f"{HEADER}\n{NIGHT},01:00,,5,,,,,\n{NIGHT},02:00,,12,,,,,",
        (3, "severity"),
        "between 0 and 10",
    ),
    "night columns disagree": (
        f"{HEADER}\n{NIGHT},01:00,,5,,,1500,,\n{NIGHT},02:00,,6,,,2000,,",
        (3, "water_ml"),
        "row 2 says '1500'",
    ),
    "row too long": (f"{HEADER}\n{NIGHT},,,5,,,,,note,extra", (2, "10"), "10 cells"),
    "row too short": (f"{HEADER}\n{NIGHT},,,5", (2, "leg"), "4 cells"),
    "no night column": ("date,severity\n2025-01-01,5", (1, "night"), "no column is named night"),
    "column twice": ("night,severity,severity\n2025-01-01,5,5", (1, "severity"), "twice"),
    "semicolons without night": ("datum;ernst\n2025-01-01;5", (1, "night"), "datum;ernst"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_refused_by_row_and_column(engine: Engine, name: str) -> None:
    data, (row, column), words = BAD_FILES[name]
    save_all(engine, [make_entry(days_ago(50))])
    before = dump(engine)
    with pytest.raises(CsvError) as caught:
        import_text(engine, data)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (row, column)
    assert words in problem.message
    assert str(problem).startswith(f"row {row}, column {column}: ")
    assert dump(engine) == before


def test_twenty_thousand_characters_of_notes_are_fine() -> None:
    (entry,) = read_diary(f"{HEADER}\n{NIGHT},,,,,,,,{'x' * 20_000}")
    assert len(entry.notes) == 20_000


def test_every_problem_in_the_file_is_listed_in_order() -> None:
    data = f"{HEADER}\n2025-02-30,,,,,,,,\n{NIGHT},,0,11,,,,,\n{NIGHT},,,,,,9000,,"
    with pytest.raises(CsvError) as caught:
        read_diary(data)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "night"),
        (3, "duration_min"),
        (3, "severity"),
        (4, "water_ml"),
    ]
    assert str(caught.value).splitlines()[2] == "row 3, column severity: must be between 0 and 10"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV text file"),
    ],
)
def test_empty_and_binary_files_are_refused_with_a_message(data: bytes, words: str) -> None:
    with pytest.raises(CsvError) as caught:
        read_diary(decode_diary(data))
    assert words in str(caught.value)


def test_latin1_bytes_are_refused_naming_the_cell() -> None:
    data = f"{HEADER}\n{NIGHT},,,5,,,,,fine\n{NIGHT},,,6,,,,,très mal\n".encode("latin-1")
    with pytest.raises(CsvError) as caught:
        decode_diary(data)
    assert caught.value.problems == [Problem(3, "notes", caught.value.problems[0].message)]
    assert "not UTF-8" in str(caught.value) and "CSV UTF-8" in str(caught.value)


def test_a_header_only_file_imports_nothing(engine: Engine) -> None:
    assert import_text(engine, ",".join(COLUMNS) + "\r\n") == ImportResult(0, 0, 0)
    assert export_journal(engine) == ",".join(COLUMNS) + "\r\n"


BROKEN_QUOTING = {
    "quote never closed": (f'{NIGHT},,,5,,,,,"never closed\n{days_ago(2)},,,,,,,,', 2, "never"),
    "text after a quote": (f'{NIGHT},,,5,,,,,fine\n{NIGHT},,,5,,,,,"x"y', 3, "after its closing"),
    "cell over the csv limit": (f'{NIGHT},,,5,,,,,"{"x" * 200_000}"', 2, "too long"),
}


@pytest.mark.parametrize("name", BROKEN_QUOTING)
def test_broken_quoting_is_refused_with_the_row(engine: Engine, name: str) -> None:
    rows, row, words = BROKEN_QUOTING[name]
    before = dump(engine)
    with pytest.raises(CsvError) as caught:
        import_text(engine, f"{HEADER}\n{rows}\n")
    assert str(caught.value).startswith(f"row {row}, column notes: ")
    assert words in str(caught.value)
    assert dump(engine) == before


def test_plan_kept_round_trips_and_an_older_file_without_it_imports(engine: Engine) -> None:
    nights = [days_ago(3), days_ago(2), days_ago(1)]
    import_text(engine, "night,plan_kept\n" + "".join(
        f"{night},{said}\n" for night, said in zip(nights, ("yes", "No", ""), strict=True)
    ))  # fmt: skip
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT plan_kept FROM night ORDER BY night")).all()
    assert [row[0] for row in stored] == [True, False, None]
    exported = export_journal(engine)
    assert [row["plan_kept"] for row in csv.DictReader(io.StringIO(exported))] == ["yes", "no", ""]
    assert import_text(engine, exported) == ImportResult(0, 0, 3)  # the same nights again
    with pytest.raises(CsvError, match="row 2, column plan_kept: must be yes or no"):
        read_diary(f"night,plan_kept\n{days_ago(5)},maybe\n")
    assert read_diary(f"night,severity\n{days_ago(5)},3\n")[0].plan_kept is None  # not said


def test_a_cramp_time_with_seconds_from_a_backup_round_trips_and_reimports_unchanged(
    sqlite_engine: Engine,
) -> None:
    """A backup may hold 02:40:05.5 (the app logs minutes): her diary keeps it exactly, so
    importing her own export changes nothing and conflicts with nothing."""
    exact = make_entry(days_ago(2), cramps=[make_cramp(time=dt.time(2, 40, 5, 500_000))])
    plain = make_entry(days_ago(1), cramps=[make_cramp(time=dt.time(3, 15))])
    with Session(sqlite_engine) as session:
        import_diary(session=session, entries=[exact, plain])
    with Session(sqlite_engine) as session:
        exported = export_diary(list_nights(session=session))
    assert "02:40:05.500000" in exported and "03:15," in exported  # minutes stay HH:MM
    assert read_diary(exported) == [exact.normalised(), plain.normalised()]
    with Session(sqlite_engine) as session:
        result = import_diary(session=session, entries=read_diary(exported))
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
