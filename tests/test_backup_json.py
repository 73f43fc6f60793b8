"""The JSON backup: exact round trips on SQLite and PostgreSQL, conflicts, and refused files."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import days_ago, make_cramp, make_entry, make_profile
from tracker.cli import main
from tracker.exchange.backup_json import (
    CRAMP_KEYS,
    EXPERIMENT_KEYS,
    KINDS,
    NIGHT_KEYS,
    PROFILE_KEYS,
    TOP_KEYS,
    BackupConflict,
    JsonError,
    export_json,
    import_json,
)
from tracker.exchange.backup_read import read_json
from tracker.journal.config import PROJECT_ROOT
from tracker.journal.demo import fill_demo
from tracker.journal.entries import CrampEntry
from tracker.journal.models import Experiment
from tracker.journal.store import get_night, save_night, save_profile

NOW = dt.datetime(2026, 3, 1, 7, 30, tzinfo=dt.UTC)
COLUMNS = {
    "profile": "name, due_date, birth_date, water_unit, last_appointment, emergency_number, "
    "care_phone",
    "experiment": "habit, start, seed, blocks, target, clinician_agreed, stopped, created_at",
    "night": "night, water_ml, stretch_min, active_min, magnesium_mg, magnesium_form, "
    "magnesium_clinician_agreed, side_effects, soreness, notes, plan_kept, created_at, "
    "updated_at",
    "cramp": "position, time, duration_min, severity, leg, muscle, woke, relief, relieved",
    "redflag": "code",
}
ODD_NIGHT = days_ago(300)


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every stored value but row ids and versions, in a stable order."""
    with engine.connect() as conn:
        return {
            table: sorted(map(tuple, conn.execute(text(f"SELECT {cols} FROM {table}"))), key=repr)
            for table, cols in COLUMNS.items()
        }


def wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in ("redflag", "cramp", "night", "experiment", "profile"):
            conn.execute(text(f"DELETE FROM {table}"))


def fill(engine: Engine) -> None:
    """The sample pregnancy, her name, and nights with every odd value a journal can hold."""
    odd_cramps = [
        make_cramp(time=dt.time(23, 59, 30), duration_min=1 / 3, woke=False, relieved=False),
        CrampEntry(),  # a cramp with nothing else recorded
        make_cramp(time=None, duration_min=0.1, leg="both", muscle="other", relief="none"),
    ]
    odd = [
        make_entry(
            ODD_NIGHT,
            cramps=odd_cramps,
            notes='Zoë: "=1+1", tab\tnewline\nemoji 🦵 and \u2028 line separator',
            side_effects="Loose stools; cramps, less",
            magnesium_mg=300,
            magnesium_form="citrate",
            magnesium_clinician_agreed=False,
            red_flags=["tenderness", "one_leg_swelling"],
            plan_kept=True,
        ),
        make_entry(
            days_ago(301),
            cramps=0,
            water_ml=None,
            stretch_min=None,
            active_min=None,
            soreness=None,
            notes=None,
            plan_kept=False,
        ),  # fmt: skip
    ]
    with Session(engine) as session:
        fill_demo(session=session, seed=11)
        for entry in odd:
            save_night(session=session, entry=entry)
        profile = make_profile(name="Zoë", last_appointment=days_ago(9))
        profile.emergency_number, profile.care_phone = "999", "+44 (20) 7946-0000"
        save_profile(session=session, profile=profile)
        for habit, target in (("stretching", None), ("water", 2000.0)):
            session.add(Experiment(habit=habit, start=days_ago(40), seed=7, blocks=4,
                                   target=target, created_at=NOW))  # fmt: skip
        session.add(Experiment(habit="legs up", start=days_ago(302), seed=3, blocks=4,
                               stopped=days_ago(300), created_at=NOW))  # fmt: skip
        session.commit()


def test_export_import_export_gives_the_same_bytes(engine: Engine) -> None:
    fill(engine)
    before = dump(engine)
    first = export_json(engine, now=NOW)
    wipe(engine)
    with Session(engine) as session:
        result = import_json(session=session, backup=read_json(first))
    assert (result.added, result.updated, result.unchanged) == (len(json.loads(first)["nights"]),
                                                                0, 0)  # fmt: skip
    assert result.profile == "restored"
    assert dump(engine) == before  # logged/changed times included
    assert export_json(engine, now=NOW) == first
    later = export_json(engine).splitlines()
    assert later[3].startswith('  "exported_at": "') and later[3] != first.splitlines()[3]
    assert later[:3] + later[4:] == first.splitlines()[:3] + first.splitlines()[4:]


def test_the_file_has_the_documented_shape(sqlite_engine: Engine) -> None:
    fill(sqlite_engine)
    document = json.loads(export_json(sqlite_engine, now=NOW))
    assert list(document) == list(TOP_KEYS)
    assert (document["format"], document["version"]) == ("cramp-journal", 1)
    assert document["exported_at"] == "2026-03-01T07:30:00Z"
    assert document["profile"]["name"] == "Zoë"
    odd = next(n for n in document["nights"] if n["night"] == ODD_NIGHT.isoformat())
    assert list(odd) == list(NIGHT_KEYS)
    assert odd["cramps"][0] == {
        "time": "23:59:30", "duration_min": 1 / 3, "severity": 6, "leg": "left",
        "muscle": "calf", "woke": False, "relief": "flex_foot", "relieved": False,
    }  # fmt: skip
    assert odd["cramps"][1] == dict.fromkeys(CRAMP_KEYS)
    assert odd["red_flags"] == ["one_leg_swelling", "tenderness"]
    assert odd["created_at"].endswith("Z")
    nights = [n["night"] for n in document["nights"]]
    assert nights == sorted(nights)


def test_an_empty_journal_exports_and_restores_as_empty(engine: Engine) -> None:
    empty = export_json(engine, now=NOW)
    assert json.loads(empty)["profile"] is None and json.loads(empty)["nights"] == []
    with Session(engine) as session:
        result = import_json(session=session, backup=read_json(empty))
    assert (result.added, result.profile) == (0, "not in the file")
    assert export_json(engine, now=NOW) == empty


def test_importing_the_same_nights_again_changes_nothing(engine: Engine) -> None:
    fill(engine)
    before = dump(engine)
    backup = read_json(export_json(engine))
    with Session(engine) as session:
        result = import_json(session=session, backup=backup)
    assert (result.added, result.updated, result.profile) == (0, 0, "unchanged")
    assert result.unchanged == len(backup.nights)
    assert dump(engine) == before


def _file(*entries: Any, profile: Any = None) -> str:
    document = {"format": "cramp-journal", "version": 1, "profile": profile, "nights": []}
    for entry in entries:
        night = {k: getattr(entry, k) for k in NIGHT_KEYS if k not in ("created_at", "updated_at")}
        night["cramps"] = [{k: getattr(c, k) for k in CRAMP_KEYS} for c in entry.cramps]
        document["nights"].append(night)
    return json.dumps(document, default=lambda v: v.isoformat(timespec="minutes")
                      if isinstance(v, dt.time) else v.isoformat())  # fmt: skip


def test_a_different_night_is_a_conflict_and_nothing_is_written(engine: Engine) -> None:
    with Session(engine) as session:
        seen = save_night(session=session, entry=make_entry(days_ago(2), water_ml=1000)).version
        save_night(session=session, entry=make_entry(days_ago(3)))
    before = dump(engine)
    changed = _file(
        make_entry(days_ago(2), water_ml=2500), make_entry(days_ago(3)), make_entry(days_ago(1))
    )
    with Session(engine) as session, pytest.raises(BackupConflict) as conflict:
        import_json(session=session, backup=read_json(changed))
    assert conflict.value.nights == [days_ago(2)]
    assert str(conflict.value) == f"night {days_ago(2)}: already in the journal with different data"
    assert dump(engine) == before
    with Session(engine) as session:
        result = import_json(session=session, backup=read_json(changed), replace=True)
        assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
        replaced = get_night(session=session, night=days_ago(2))
        assert (replaced.water_ml, replaced.version) == (2500, seen + 1)


def test_different_settings_are_a_conflict_too(engine: Engine) -> None:
    with Session(engine) as session:
        save_profile(session=session, profile=make_profile(name="Sam"))
    before = dump(engine)
    other = {"name": "Alex", "due_date": None, "birth_date": None, "water_unit": "ml",
             "last_appointment": None}  # fmt: skip
    backup = read_json(_file(make_entry(days_ago(1)), profile=other))
    with Session(engine) as session, pytest.raises(BackupConflict) as conflict:
        import_json(session=session, backup=backup)
    assert conflict.value.profile and conflict.value.nights == []
    assert str(conflict.value) == "settings: already in the journal with different values"
    assert dump(engine) == before  # the new night was not written either
    with Session(engine) as session:
        assert import_json(session=session, backup=backup, replace=True).profile == "replaced"
    assert dump(engine)["profile"][0][0] == "Alex"


# --- Refused files ----------------------------------------------------------------------------

D = days_ago(5)


def _valid() -> dict[str, Any]:
    return json.loads(_file(make_entry(D, cramps=2)))


def _set(path: str, value: Any) -> Any:
    """A change to a valid file: set the value at a dotted path (nights.0.cramps.1.severity)."""

    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set("format", "other"), 'the file, format: must be "cramp-journal": this is not a '
         "Cramp Journal backup (a diary CSV is imported from a .csv file)"),
        (_set("version", 2), "the file, version: is 2: this file was written by a newer Cramp "
         "Journal; update Cramp Journal to import it"),
        (_set("version", "1"), "the file, version: must be 1"),
        (_set("version", True), "the file, version: must be 1"),
        (_set("version", 1.0), "the file, version: must be 1"),
        (_set("nights", {}), "the file, nights: must be a list [...] of nights"),
        (_set("extra", 1), "the file, extra: is not part of the format (misspelt?)"),
        (_set("exported_at", "2026-03-01 07:30"), 'the file, exported_at: "2026-03-01 07:30" is '
         "not written like timestamp 2025-03-14T07:02:11Z"),
        (_set("nights.0.cramps.1.severity", "6"), f"nights[0] (night {D}), cramps[1].severity: "
         'must be a whole number (or null), not a text "6"'),
        (_set("nights.0.cramps.1.severity", 11), f"nights[0] (night {D}), cramps[1].severity: "
         "must be between 0 and 10"),
        (_set("nights.0.cramps.0.woke", 1), f"nights[0] (night {D}), cramps[0].woke: must be true "
         "or false (or null), not a number 1"),
        (_set("nights.0.water_ml", True), f"nights[0] (night {D}), water_ml: must be a whole "
         "number (or null), not true"),
        (_set("nights.0.water_ml", 1500.5), f"nights[0] (night {D}), water_ml: must be a whole "
         "number (or null), not a number 1500.5"),
        (_set("nights.0.cramps.0.severty", 4), f"nights[0] (night {D}), cramps[0].severty: is "
         "not part of the format (misspelt?)"),
        (_set("nights.0.cramps.0.time", "2:40"), f'nights[0] (night {D}), cramps[0].time: "2:40" '
         "is not written like time 02:40"),
        (_set("nights.0.cramps.0.leg", "up"), f"nights[0] (night {D}), cramps[0].leg: must be "
         "one of left, right, both"),
        (_set("nights.0.cramps", {}), f"nights[0] (night {D}), cramps: must be a list [...] of "
         "cramps"),
        (_set("nights.0.cramps.0", 3), f"nights[0] (night {D}), cramps[0]: must be an object "
         "{...}, not a number 3"),
        (_set("nights.0.red_flags", ["calf_pain"]), f"nights[0] (night {D}), red_flags: unknown "
         "warning sign calf_pain"),
        (_set("nights.0.red_flags", "fever"), f"nights[0] (night {D}), red_flags: must be a list "
         'of texts, like ["fever"]'),
        (_set("nights.0.notes", "a\x00b"), f"nights[0] (night {D}), notes: contains a NUL "
         "character (an invisible control code); remove it"),
        (_set("nights.0.night", "2025-02-30"), 'nights[0], night: "2025-02-30" is not a real date'),
        (_set("nights.0.night", "14/03/2025"), 'nights[0], night: "14/03/2025" is not written '
         "like date 2025-03-14"),
        (_set("nights.0.night", None), "nights[0], night: is missing: every night needs its "
         "date, like 2025-03-14"),
        (_set("nights.0.created_at", "2026-03-01T07:30:00"), f"nights[0] (night {D}), "
         'created_at: "2026-03-01T07:30:00" is not written like timestamp 2025-03-14T07:02:11Z'),
        (_set("nights.1", {"night": D.isoformat()}), f"nights[1] (night {D}), night: appears "
         "twice: nights[0] has the same date"),
        (_set("nights.0", []), "nights[0]: must be an object {...}, not a list"),
        (_set("profile", {"water_unit": "pints"}), "the file, profile.water_unit: must be one of "
         "ml, litres, fl oz, glasses (250 ml)"),
        (_set("profile", {"due_date": "2001-01-01"}), "the file, profile.due_date: must be within "
         "the next 43 weeks (or a past pregnancy)"),
    ],
)  # fmt: skip
def test_a_wrong_value_is_refused_naming_the_night_and_field(change: Any, expected: str) -> None:
    document = _valid()
    document["nights"].append(copy.deepcopy(document["nights"][0]))
    document["nights"][1]["night"] = days_ago(6).isoformat()
    change(document)
    with pytest.raises(JsonError) as refused:
        read_json(json.dumps(document))
    assert [str(p) for p in refused.value.problems] == [expected]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file: is not valid JSON (Expecting value, line 1 column 1)"),
        ('{"format": "cramp-journal",\n "version": 1,', "the file: is not valid JSON (Expecting "
         "property name enclosed in double quotes, line 2 column 15)"),
        ('{"format": "cramp-journal", "version": 1, "nights": [{"water_ml": NaN}]}',
         "the file: is not valid JSON: NaN is not a number JSON allows"),
        ('{"format": "cramp-journal", "format": "cramp-journal"}', 'the file: is not valid JSON: '
         'the key "format" appears twice in one object'),
        ("[]", "the file: must be an object {...} with format, version and nights, not a list"),
        ('"cramp-journal"', "the file: must be an object {...} with format, version and nights, "
         'not a text "cramp-journal"'),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_backup_is_refused(content: str, expected: str) -> None:
    with pytest.raises(JsonError) as refused:
        read_json(content)
    assert str(refused.value) == expected


def test_every_problem_is_listed_at_once() -> None:
    document = _valid()
    document["nights"][0]["cramps"][0]["severity"] = -1
    document["nights"][0]["soreness"] = "bad"
    document["nights"][0]["notes"] = "\ud800"
    with pytest.raises(JsonError) as refused:
        read_json(json.dumps(document))
    assert sorted(p.field for p in refused.value.problems) == [
        "cramps[0].severity", "notes", "soreness"]  # fmt: skip


# --- Through the command line -----------------------------------------------------------------


def test_the_cli_exports_and_restores_a_backup(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(sqlite_engine)
    other = f"sqlite:///{tmp_path}/restored.db"
    backup, again = tmp_path / "journal.json", tmp_path / "again.json"
    assert main(["--db", sqlite_url, "export", str(backup)]) == 0
    assert main(["--db", other, "import", str(backup)]) == 0
    assert main(["--db", other, "export", str(again)]) == 0
    out = capsys.readouterr().out
    count = len(json.loads(backup.read_text())["nights"])
    assert f"Exported {count} nights and the settings to {backup}." in out
    assert f"{count} nights added, 0 replaced, 0 already in the journal. Settings: restored." in out
    assert backup.stat().st_mode & 0o777 == 0o600
    strip = [line for line in backup.read_text().splitlines() if "exported_at" not in line]
    assert strip == [line for line in again.read_text().splitlines() if "exported_at" not in line]


def test_the_cli_refuses_a_bad_file_and_leaves_the_journal_alone(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(sqlite_engine)
    before = dump(sqlite_engine)
    document = json.loads(export_json(sqlite_engine))
    document["nights"][3]["cramps"] = [{"severity": 12}]
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(document))
    assert main(["--db", sqlite_url, "import", str(wrong)]) == 1
    night = document["nights"][3]["night"]
    assert capsys.readouterr().err.splitlines() == [
        f"cramp-journal: {wrong}: nothing was imported. Fix these and try again:",
        f"nights[3] (night {night}), cramps[0].severity: must be between 0 and 10",
    ]
    document["nights"][3]["cramps"] = [{"severity": 10}]
    wrong.write_text(json.dumps(document))
    assert main(["--db", sqlite_url, "import", str(wrong)]) == 1
    err = capsys.readouterr().err
    assert f"night {night}: already in the journal with different data" in err
    assert "--replace" in err
    wrong.write_bytes(b"\xff\xfe not utf-8")
    assert main(["--db", sqlite_url, "import", str(wrong)]) == 1
    assert "not UTF-8 JSON text" in capsys.readouterr().err
    assert dump(sqlite_engine) == before


# --- The format stays documented --------------------------------------------------------------


def test_every_key_is_documented_and_has_a_kind() -> None:
    docs = (PROJECT_ROOT / "docs" / "json-format.md").read_text()
    keys = {*TOP_KEYS, *NIGHT_KEYS, *CRAMP_KEYS, *PROFILE_KEYS, *EXPERIMENT_KEYS}
    assert {k for k in keys if f"`{k}`" not in docs} == set()
    no_kind = {"format", "version", "profile", "nights", "cramps", "red_flags", "experiments"}
    assert {k for k in keys if k not in KINDS} == no_kind


def test_experiments_in_a_file_are_checked_like_new_plans(sqlite_engine: Engine) -> None:
    fill(sqlite_engine)
    document = json.loads(export_json(sqlite_engine, now=NOW))
    assert [e["habit"] for e in document["experiments"]] == ["stretching", "water", "legs up"]
    assert document["experiments"][2]["stopped"] == days_ago(300).isoformat()
    document["experiments"][2]["stopped"] = days_ago(304).isoformat()
    document["experiments"][0]["habit"] = "extra salt"
    document["experiments"][1]["blocks"] = 3
    with pytest.raises(JsonError) as refused:
        read_json(json.dumps(document))
    message = str(refused.value)
    assert "experiments[0]" in message and "salt is not advised" in message
    assert "experiments[1]" in message and "even number of blocks" in message
    assert "experiments[2], stopped: The last night must be the day before the first" in message


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("blocks", 2_000_000, "blocks: Use an even number of blocks, from 4 to 16 (this plan has"),
        ("blocks", 18, "blocks: Use an even number of blocks, from 4 to 16"),
        ("blocks", -4, "blocks: Use an even number"),
        ("seed", -1, "seed: The seed must be a whole number from 0 to 2,147,483,647"),
        ("seed", 2**63, "seed: The seed must be a whole number"),
        ("target", 1e308, "target: The water target must be 500 to 5000 ml"),
        ("start", "9999-12-31", "start: The first night must be between 01 Jan 1950 and"),
        ("start", "0001-01-01", "start: The first night must be between"),
        ("stopped", "0001-01-01", "stopped: The last night must be the day before"),
        ("habit", "x" * 101, "habit: The habit's name is too long: at most 100 characters"),
        ("habit", "legs\nup", "habit: The habit's name contains an invisible control character"),
    ],
)
def test_a_plan_outside_the_bounds_is_refused_naming_the_field(
    sqlite_engine: Engine, key: str, value: Any, said: str
) -> None:
    """A backup with 2,000,000 blocks imported, then bricked every page, export and summary."""
    fill(sqlite_engine)
    document = json.loads(export_json(sqlite_engine, now=NOW))
    document["experiments"][1][key] = value
    before = dump(sqlite_engine)
    with pytest.raises(JsonError) as refused:
        read_json(json.dumps(document))
    assert f"experiments[1], {said}" in str(refused.value)
    assert dump(sqlite_engine) == before


def test_importing_experiments_twice_adds_them_once(sqlite_engine: Engine) -> None:
    fill(sqlite_engine)
    backup = read_json(export_json(sqlite_engine, now=NOW))
    before = dump(sqlite_engine)
    with Session(sqlite_engine) as session:
        import_json(session=session, backup=backup)
    assert dump(sqlite_engine) == before  # the same plans are not added again


def test_an_older_file_without_plan_kept_or_stopped_still_restores(sqlite_engine: Engine) -> None:
    fill(sqlite_engine)
    document = json.loads(export_json(sqlite_engine, now=NOW))
    odd = next(n for n in document["nights"] if n["night"] == ODD_NIGHT.isoformat())
    assert odd["plan_kept"] is True
    for night in document["nights"]:
        del night["plan_kept"]
    for plan in document["experiments"]:
        del plan["stopped"]
    wipe(sqlite_engine)
    with Session(sqlite_engine) as session:
        import_json(session=session, backup=read_json(json.dumps(document)))
    with sqlite_engine.connect() as conn:  # absent: not said, not stopped
        assert conn.execute(text("SELECT DISTINCT plan_kept FROM night")).all() == [(None,)]
        assert conn.execute(text("SELECT DISTINCT stopped FROM experiment")).all() == [(None,)]
