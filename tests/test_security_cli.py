"""Every command-line path ends in a clear message, never a traceback, whatever the file holds."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import count_rows, days_ago, make_cramp, make_entry
from tracker.cli import main
from tracker.exchange.backup_json import export_json
from tracker.exchange.backup_read import read_json
from tracker.exchange.diary_csv import CsvError, export_diary
from tracker.exchange.diary_read import read_diary
from tracker.journal.config import sqlite_path
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.entries import validate_night
from tracker.journal.schema import ensure_schema
from tracker.journal.store import list_nights, save_night

NASTY_TEXT = ["\x00", "a\x00b", "\x07bell", "esc\x1b[31m", "\x7f", "\u0085next", "'-5", "''=1",
              "=cmd|' /C calc'!A0", "\ud800", "é\u202e", "x" * 5000]  # fmt: skip
NASTY_STAMPS = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59+14:00",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
                "2025-02-30T00:00:00Z"]  # fmt: skip
NASTY_VALUES = [None, True, 0, -1, 10**30, 1.5, 1e308, "", [], {}, *NASTY_TEXT, *NASTY_STAMPS]


def journal_files(url: str) -> dict[str, bytes]:
    path = sqlite_path(url)
    parts = {s: path.with_name(path.name + s) for s in ("", "-wal", "-shm")}
    return {s: p.read_bytes() for s, p in parts.items() if p.exists()}


def run(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """Run the CLI in this process: an exception escaping main fails the test by itself."""
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


# --- the findings, one by one --------------------------------------------------------------


def test_a_database_that_is_not_a_journal_is_a_message(tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.close()
    for argv in (["summary"], ["export", str(tmp_path / "x.json")], ["erase", "--yes"]):
        code, out = run([*argv, "--db", f"sqlite:///{other}"], capsys)
        assert code == 2 and "did not create" in out and "Traceback" not in out
    with sqlite3.connect(other) as conn:  # (opening it does switch it to WAL mode)
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        assert tables == [("invoices",)]
        assert conn.execute("SELECT * FROM invoices").fetchall() == [(1, 9.5)]
    conn.close()


@pytest.mark.parametrize(
    ("stamp", "in_utc"),
    [("0001-01-01T00:00:00+01:00", None), ("9999-12-31T23:59:59-01:00", None),
     ("0001-01-01T00:00:00-14:00", "0001-01-01T14:00:00"),
     ("9999-12-31T23:59:59+14:00", "9999-12-31T09:59:59")],
)  # fmt: skip
def test_backup_timestamps_at_year_1_or_9999_with_offsets(
    stamp: str, in_utc: str | None, sqlite_engine: Engine, tmp_path: Path, capsys
) -> None:
    """Outside years 1-9999 once in UTC: refused with a message; inside: restored exactly."""
    with Session(sqlite_engine) as session:
        save_night(session=session, entry=make_entry(days_ago(3)))
    document = json.loads(export_json(sqlite_engine))
    document["nights"][0]["created_at"] = stamp
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(document))
    empty = f"sqlite:///{tmp_path / 'empty' / 'journal.db'}"
    code, out = run(["import", str(file), "--db", empty], capsys)
    if in_utc is None:
        assert code == 1 and "out of range" in out and "created_at" in out
        assert count_rows(make_engine(empty), "night") == 0
    else:
        assert code == 0, out
        again = json.loads(export_json(make_engine(empty)))["nights"][0]["created_at"]
        assert again.startswith(in_utc)


@pytest.mark.parametrize("bad", ["a\x00b", "bell\x07", "esc\x1b[2J", "del\x7f", "c1\u0085"])
@pytest.mark.parametrize("field", ["notes", "side_effects", "magnesium_form"])
def test_control_characters_in_night_text_are_refused(field: str, bad: str) -> None:
    errors = validate_night(make_entry(days_ago(1), **{field: bad}))
    assert field in errors and "remove it" in errors[field]
    assert "NUL" in errors[field] if "\x00" in bad else "U+" in errors[field]


def test_tabs_and_line_breaks_in_notes_are_fine() -> None:
    assert validate_night(make_entry(days_ago(1), notes="calf\tleft\r\nthen right\n")) == {}
    assert "magnesium_form" in validate_night(make_entry(days_ago(1), magnesium_form="a\tb"))


def test_a_nul_in_a_json_backup_is_refused_cleanly(
    sqlite_engine: Engine, tmp_path: Path, capsys
) -> None:
    with Session(sqlite_engine) as session:
        save_night(session=session, entry=make_entry(days_ago(2), notes="fine"))
    for bad in ("a\u0000b", "bell\u0007"):
        document = json.loads(export_json(sqlite_engine))
        document["nights"][0]["notes"] = bad
        file = tmp_path / "backup.json"
        file.write_text(json.dumps(document))
        empty = f"sqlite:///{tmp_path / 'empty' / 'journal.db'}"
        code, out = run(["import", str(file), "--db", empty], capsys)
        assert code == 1 and "notes" in out and "remove it" in out, out


def test_a_control_character_in_a_csv_names_row_and_column() -> None:
    with pytest.raises(CsvError) as refused:
        read_diary("night,notes\n2025-01-02,ring\x07ring\n")
    assert "row 2, column notes" in str(refused.value.problems[0])


def test_thousands_of_ignored_columns_are_summarised(
    tmp_path: Path, sqlite_url: str, capsys
) -> None:
    extra = [f"extra_{i}" for i in range(200_000)]
    file = tmp_path / "wide.csv"
    row = ",".join(["2025-01-02", "hello", *([""] * len(extra))])
    file.write_text(",".join(["night", "notes", *extra]) + "\n" + row + "\n")
    code, out = run(["import", str(file), "--db", sqlite_url], capsys)
    assert code == 0
    ignored = next(line for line in out.splitlines() if line.startswith("Ignored columns"))
    assert ignored.endswith("extra_9 and 199,990 more") and len(ignored) < 300


def test_her_own_apostrophe_survives_a_csv_round_trip(
    tmp_path: Path, sqlite_url: str, capsys
) -> None:
    notes = ["'-5 better than yesterday", "'=not a formula", "''-two", "'", "-3 cramps"]
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as session:
        for i, note in enumerate(notes, start=1):
            save_night(session=session, entry=make_entry(days_ago(i), notes=note))
    engine.dispose()
    file = tmp_path / "diary.csv"
    assert run(["export", str(file), "--db", sqlite_url], capsys)[0] == 0
    assert "'''-two" in file.read_text("utf-8-sig")  # escaped once more, not left alone
    fresh = f"sqlite:///{tmp_path / 'fresh' / 'journal.db'}"
    assert run(["import", str(file), "--db", fresh], capsys)[0] == 0
    with Session(make_engine(fresh)) as session:
        assert sorted(n.notes for n in list_nights(session=session)) == sorted(notes)


# --- fuzz: clean refusal or exact import, and a refusal leaves the journal byte-identical ---


@pytest.fixture(scope="module")
def fuzz_journal(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as session:
        save_night(session=session, entry=make_entry(days_ago(400), cramps=[make_cramp()]))
    engine.dispose()
    return url


def _entries(url: str, nights: list[dt.date]) -> list:
    """The journal's nights on these dates, as the importer would read them back."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            wanted = [n for n in list_nights(session=session) if n.night in set(nights)]
            return [e.normalised() for e in read_diary(export_diary(wanted))]
    finally:
        engine.dispose()  # no connection left open: the files are compared between examples


def _check(url: str, file: Path, capsys: pytest.CaptureFixture, expected) -> None:  # noqa: ANN001
    before = journal_files(url)
    code, out = run(["import", str(file), "--db", url], capsys)
    assert "Traceback" not in out
    if code != 0:
        assert code in (1, 2) and out.strip()
        assert journal_files(url) == before, "a refused import changed the journal"
        return
    read = expected()
    assert _entries(url, [e.night for e in read]) == sorted(
        (e.normalised() for e in read), key=lambda e: e.night
    )


CSV_COLUMNS = ["night", "cramp_time", "duration_min", "severity", "leg", "notes", "water_ml",
               "red_flags", "side_effects", "magnesium_form", "woke", "cramp"]  # fmt: skip
cells = st.one_of(
    st.sampled_from([str(v) for v in NASTY_VALUES if not isinstance(v, (list, dict))]),
    st.sampled_from(["2025-01-03", "2024-12-30", "02:40", "7", "left", "yes", "1", "10000"]),
    st.text(max_size=12),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(CSV_COLUMNS), min_size=1, max_size=6, unique=True),
    rows=st.lists(st.lists(cells, min_size=0, max_size=7), max_size=4),
    separator=st.sampled_from([",", ";", "\t"]),
    tidy=st.booleans(),
)
def test_fuzz_csv_import(
    header, rows, separator, tidy, fuzz_journal, tmp_path_factory, capsys
) -> None:  # noqa: ANN001
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(header)
    for row in rows:
        if tidy:  # as many cells as columns, and a real night: such files get imported
            row = (row + [""] * len(header))[: len(header)]
            row = ["2025-01-03" if c == "night" else v for c, v in zip(header, row, strict=True)]
        writer.writerow(row)
    file = tmp_path_factory.mktemp("csv") / "diary.csv"
    try:
        file.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    except UnicodeEncodeError:
        return
    _check(fuzz_journal, file, capsys, lambda: read_diary(file.read_bytes().decode("utf-8")))


def _base_backup() -> dict:
    return {
        "format": "cramp-journal", "version": 1, "exported_at": "2025-01-04T08:00:00Z",
        "profile": None,
        "nights": [{"night": "2025-01-02", "notes": "ok", "water_ml": 1500,
                    "cramps": [{"time": "02:40", "severity": 6, "leg": "left"}],
                    "red_flags": [], "created_at": "2025-01-03T07:00:00Z",
                    "updated_at": "2025-01-03T07:00:00Z"}],
    }  # fmt: skip


json_values = st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=10), st.integers())
NIGHT_FIELDS = ["night", "notes", "water_ml", "side_effects", "magnesium_form", "created_at",
                "updated_at", "red_flags", "cramps", "soreness", "extra_key"]  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(st.tuples(st.sampled_from(NIGHT_FIELDS), json_values), max_size=3),
    top=st.sampled_from(
        [
            None,
            ("exported_at", "0001-01-01T00:00:00+01:00"),
            ("version", 99),
            ("format", "other"),
            ("nights", {}),
            ("profile", "\x00"),
        ]
    ),  # fmt: skip
)
def test_fuzz_json_import(changes, top, fuzz_journal, tmp_path_factory, capsys) -> None:  # noqa: ANN001
    document = _base_backup()
    for key, value in changes:
        document["nights"][0][key] = value
    if top:
        document[top[0]] = top[1]
    text = json.dumps(document)
    file = tmp_path_factory.mktemp("json") / "backup.json"
    try:
        file.write_text(text, encoding="utf-8")
    except UnicodeEncodeError:
        return
    _check(fuzz_journal, file, capsys, lambda: read_json(text).nights)


PLAN_VALUES = {  # the edges of each plan field, and beyond them
    "habit": ["water", "magnesium", "stretching", "legs {pillow}", "{target:>99999}", ":red[x]",
              "", " ", "x" * 101, "salt", "a\nb"],
    "start": ["2025-01-01", "1950-01-01", "1949-12-31", "2199-12-31", "2262-04-12", "9999-12-31",
              "0001-01-01"],
    "seed": [0, 5, 2**31 - 1, 2**31, -1, 2**63],
    "blocks": [4, 16, 18, 5, 0, -4, 2_000_000, 2**63],
    "target": [None, 500, 2000, 5000, 499, 5001, 1e308, -1, 0],
    "clinician_agreed": [True, False],
    "stopped": [None, "2024-12-31", "2024-12-30", "2025-06-01", "9999-12-31", "0001-01-01"],
    "created_at": ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
    "extra_key": [1],
}  # fmt: skip
plan_changes = st.sampled_from(list(PLAN_VALUES)).flatmap(
    lambda key: st.tuples(
        st.just(key), st.one_of(st.sampled_from(PLAN_VALUES[key]), st.sampled_from(NASTY_VALUES))
    )
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(plan_changes, max_size=3))
def test_fuzz_json_import_of_experiments(changes, fuzz_journal, tmp_path_factory, capsys) -> None:  # noqa: ANN001
    """A plan in a backup is refused cleanly, or imported and then drawn, asked and
    summarised without an error: a backup can no longer brick the journal."""
    from tracker.journal.plan_store import load_plans
    from tracker.journal.plans import schedule, tonight

    document = _base_backup()
    plan = {"habit": "legs up the wall", "start": "2025-01-01", "seed": 5, "blocks": 4,
            "target": None, "clinician_agreed": False, "stopped": None,
            "created_at": "2025-01-04T08:00:00Z"}  # fmt: skip
    for key, value in changes:
        plan[key] = value
    document["experiments"] = [plan]
    file = tmp_path_factory.mktemp("json") / "backup.json"
    try:
        file.write_text(json.dumps(document), encoding="utf-8")
    except UnicodeEncodeError:
        return
    before = journal_files(fuzz_journal)
    code, out = run(["import", str(file), "--db", fuzz_journal], capsys)
    assert "Traceback" not in out
    if code != 0:
        assert code in (1, 2) and out.strip()
        assert journal_files(fuzz_journal) == before, "a refused import changed the journal"
        return
    engine = make_engine(fuzz_journal)
    try:
        with engine.connect() as conn:
            plans = load_plans(conn)
        assert len(plans) == count_rows(engine, "experiment")  # each plan let in can run
        for _, kept in plans:
            blocks = schedule(kept)
            assert all(tonight(kept, night) for night in (blocks[0].start, blocks[-1].end)) or (
                kept.stopped is not None
            )
        code, out = run(["summary", "--json", "--db", fuzz_journal], capsys)
        assert code == 0 and "Traceback" not in out and "cannot run" not in out
    finally:
        with engine.begin() as conn:  # the next example starts without this plan
            conn.execute(text("DELETE FROM experiment"))
        engine.dispose()


def test_a_database_without_its_driver_is_a_message(capsys) -> None:
    code, out = run(["summary", "--db", "mysql://someone@localhost/journal"], capsys)
    assert code == 2 and "not installed" in out and "Traceback" not in out


# --- a journal that cannot brick itself, and one already in a bad state ------------------------


def _demo_backup(tmp_path: Path, blocks: int) -> Path:
    """A real backup of a sample journal with an experiment of this many blocks."""
    source = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    ensure_schema(source)
    with Session(source) as session:
        fill_demo(session=session, seed=3)
    document = json.loads(export_json(source))
    source.dispose()
    document["experiments"] = [
        {"habit": "legs up the wall", "start": days_ago(30).isoformat(), "seed": 5,
         "blocks": blocks, "target": None, "clinician_agreed": False, "stopped": None,
         "created_at": "2026-01-01T08:00:00Z"}
    ]  # fmt: skip
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(document))
    return file


def test_a_backup_with_2_000_000_blocks_is_refused_naming_the_field(
    journal_url: str, tmp_path: Path, capsys
) -> None:
    """It was imported (exit 0); then Last night, Experiments, the PDF and summary all failed."""
    code, out = run(["import", str(_demo_backup(tmp_path, 2_000_000)), "--db", journal_url], capsys)
    assert code == 1 and "Traceback" not in out
    assert "experiments[0], blocks: Use an even number of blocks, from 4 to 16" in out
    assert count_rows(make_engine(journal_url), "experiment") == 0
    assert count_rows(make_engine(journal_url), "night") == 0  # all or nothing
    for argv in (["summary"], ["export", str(tmp_path / "x.pdf")]):
        code, out = run([*argv, "--db", journal_url], capsys)
        assert code == 0 and "Traceback" not in out


def test_a_journal_already_holding_a_plan_that_cannot_run_still_works(
    journal_url: str, tmp_path: Path, capsys
) -> None:
    """An experiment row with 2,000,000 blocks written with SQL (as an older version let in):
    every command works, names it and says how to remove it; removing it leaves the nights."""
    assert run(["import", str(_demo_backup(tmp_path, 4)), "--db", journal_url], capsys)[0] == 0
    engine = make_engine(journal_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE experiment SET blocks = 2000000"))
        plan_id = conn.execute(text("SELECT id FROM experiment")).scalar_one()
    nights = count_rows(engine, "night")
    warned = f"experiment {plan_id} in the journal cannot run and is left out"
    remove = f"cramp-journal experiments --remove {plan_id}"
    commands = [["summary"], ["summary", "--json"], ["export", str(tmp_path / "x.pdf")],
                ["export", str(tmp_path / "x.json")], ["export", str(tmp_path / "x.csv")],
                ["export", str(tmp_path / "x.fhir.json")], ["experiments"]]  # fmt: skip
    for argv in commands:
        code, out = run([*argv, "--db", journal_url], capsys)
        assert code == 0, (argv, out)
        assert "Traceback" not in out and warned in out and remove in out
        assert "from 4 to 16 (this plan has 2,000,000)" in out
    # The JSON backup leaves the broken plan out, so it restores.
    assert "experiments" not in json.loads((tmp_path / "x.json").read_text())
    code, out = run(["experiments", "--remove", str(plan_id), "--db", journal_url], capsys)
    assert code == 0 and "Removed experiment" in out
    assert count_rows(engine, "experiment") == 0 and count_rows(engine, "night") == nights
    code, out = run(["summary", "--db", journal_url], capsys)
    assert code == 0 and "cannot run" not in out
    code, out = run(["experiments", "--remove", str(plan_id), "--db", journal_url], capsys)
    assert code == 1 and "there is no experiment" in out
    engine.dispose()


def test_anything_unexpected_is_a_message_not_a_traceback(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A fault no handler names still ends in one line saying nothing was changed."""
    import tracker.insights.summary as summary

    def broken(**_: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(summary, "summarise", broken)
    code, out = run(["summary", "--db", str(sqlite_engine.url)], capsys)
    assert code == 1 and "Traceback" not in out
    assert "summary stopped" in out and "OverflowError" in out and "Nothing was changed" in out
