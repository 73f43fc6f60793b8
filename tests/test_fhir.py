"""The FHIR export: a valid R4 Bundle (checked with fhir.resources) of patient-reported data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import days_ago, make_cramp, make_entry, make_profile
from tracker.care.safety import RED_FLAGS
from tracker.cli import main
from tracker.exchange.fhir import export_fhir
from tracker.journal.demo import fill_demo
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Profile
from tracker.journal.store import save_night, save_profile

LONDON = ZoneInfo("Europe/London")
LAST_YEAR = dt.date.today().year - 1
WINTER, SUMMER = dt.date(LAST_YEAR, 1, 14), dt.date(LAST_YEAR, 7, 14)
CANARY = "canary-7f3e-private-words"


def exported(
    engine: Engine, *nights: NightEntry, profile: Profile | None = None, tz: Any = LONDON
) -> dict[str, Any]:
    """Save the nights (and profile), export, validate as FHIR R4, return the JSON."""
    with Session(engine) as session:
        for night in nights:
            save_night(session=session, entry=night)
        if profile is not None:
            save_profile(session=session, profile=profile)
    text = export_fhir(engine, tz=tz)
    Bundle.model_validate_json(text)  # raises on anything R4 does not allow
    return json.loads(text)


def resources(bundle: dict[str, Any], kind: str = "Observation") -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def with_code(bundle: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [r for r in resources(bundle) if r["code"]["coding"][0]["code"] == code]


def component(observation: dict[str, Any], text: str) -> dict[str, Any] | None:
    found = [c for c in observation.get("component", []) if c["code"].get("text", "") == text]
    return found[0] if found else None


def test_the_whole_journal_is_a_valid_r4_collection(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        demo = fill_demo(session=session, seed=4)
    bundle = exported(sqlite_engine, profile=make_profile(name="Zoë", due_date=demo.due_date))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Zoë"}]
    cramps = sum(len(n.cramps) for n in demo.nights)
    flags = sum(len(n.red_flags) for n in demo.nights)
    assert len(with_code(bundle, "75325-1")) == cramps + flags
    assert len(with_code(bundle, "49051-6")) == len(demo.nights)  # all during the pregnancy
    patient_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is patient)
    for observation in resources(bundle):
        assert observation["subject"] == {"reference": patient_url}
        assert observation["performer"] == [{"reference": patient_url}]
        assert observation["category"][0]["coding"][0]["code"] == "survey"
        assert observation["status"] == "final"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])


def test_a_cramp_is_a_symptom_with_its_time_place_and_severity(sqlite_engine: Engine) -> None:
    cramp = make_cramp(time=dt.time(2, 40), duration_min=1.5, severity=7, relief="flex_foot")
    bundle = exported(sqlite_engine, make_entry(WINTER, cramps=[cramp]))
    (symptom,) = with_code(bundle, "75325-1")
    assert symptom["valueCodeableConcept"] == {"text": "Leg cramp"}
    morning = WINTER + dt.timedelta(days=1)  # 02:40 is the morning after the evening it began
    assert symptom["effectivePeriod"] == {
        "start": f"{morning}T02:40:00+00:00",
        "end": f"{morning}T02:41:30+00:00",
    }
    assert symptom["bodySite"] == {
        "coding": [{"system": "http://snomed.info/sct", "code": "53840002"}],
        "text": "Calf, left leg",
    }
    severity = symptom["component"][0]
    assert severity["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert severity["valueInteger"] == 7
    assert component(symptom, "Woke from sleep")["valueBoolean"] is True
    assert component(symptom, "What was done for relief")["valueString"] == (
        "Pulled foot and toes towards my head"
    )
    assert component(symptom, "Duration")["valueQuantity"]["code"] == "min"


def test_an_evening_cramp_stays_on_its_date_and_summer_time_shows(sqlite_engine: Engine) -> None:
    bundle = exported(sqlite_engine, make_entry(SUMMER, cramps=[make_cramp(time=dt.time(23, 10))]))
    (symptom,) = with_code(bundle, "75325-1")
    assert symptom["effectivePeriod"]["start"] == f"{SUMMER}T23:10:00+01:00"


def test_what_was_not_recorded_is_left_out(sqlite_engine: Engine) -> None:
    cramps = [
        CrampEntry(),
        make_cramp(time=None, severity=None, woke=False, leg="both", muscle="shin"),
    ]
    bundle = exported(sqlite_engine, make_entry(WINTER, cramps=cramps))
    blank, shin = with_code(bundle, "75325-1")
    night_after = (WINTER + dt.timedelta(days=1)).isoformat()
    assert blank["effectivePeriod"] == {"start": WINTER.isoformat(), "end": night_after}
    assert "bodySite" not in blank and "component" not in blank
    assert shin["bodySite"] == {"text": "Shin, both legs"}  # no code we could check for shin
    assert component(shin, "Woke from sleep")["valueBoolean"] is False  # a no is kept
    assert all("72514-3" not in json.dumps(c) for c in shin["component"])
    assert with_code(bundle, "49051-6") == []  # no due date, no gestational age


def test_gestational_age_is_in_weeks_only_during_the_pregnancy(sqlite_engine: Engine) -> None:
    pregnant, after_birth = days_ago(20), days_ago(2)
    profile = make_profile(due_date=pregnant + dt.timedelta(days=280 - 221), birth_date=days_ago(5))
    bundle = exported(sqlite_engine, make_entry(pregnant), make_entry(after_birth), profile=profile)
    (age,) = with_code(bundle, "49051-6")
    assert age["effectiveDateTime"] == pregnant.isoformat()
    assert age["valueQuantity"] == {
        "value": 31.57,
        "unit": "wk",
        "system": "http://unitsofmeasure.org",
        "code": "wk",
    }
    assert age["note"][0]["text"].startswith("31+4 ")


def test_each_warning_sign_is_a_symptom_in_her_words(sqlite_engine: Engine) -> None:
    entry = make_entry(WINTER, cramps=0, red_flags=["one_leg_swelling", "fever"])
    bundle = exported(sqlite_engine, entry)
    signs = [o["valueCodeableConcept"]["text"] for o in with_code(bundle, "75325-1")]
    assert signs == [RED_FLAGS["fever"][0], RED_FLAGS["one_leg_swelling"][0]]


def test_her_free_text_is_never_sent(sqlite_engine: Engine) -> None:
    entry = make_entry(WINTER, notes=f"*{CANARY}*", side_effects=CANARY, magnesium_form="citrate")
    bundle = exported(sqlite_engine, entry, profile=make_profile(name=None))
    assert CANARY not in json.dumps(bundle)
    assert "name" not in resources(bundle, "Patient")[0]


def test_the_cli_writes_fhir_and_refuses_to_import_it(
    tmp_path: Path, sqlite_engine: Engine, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(sqlite_engine) as session:
        save_night(session=session, entry=make_entry(WINTER, cramps=2))
    target = tmp_path / "for-the-clinic.FHIR.json"
    assert main(["--db", sqlite_url, "export", str(target)]) == 0
    assert f"Exported 2 FHIR observations to {target}." in capsys.readouterr().out
    assert Bundle.model_validate_json(target.read_text()).type == "collection"
    assert target.stat().st_mode & 0o777 == 0o600
    assert main(["--db", sqlite_url, "import", str(target)]) == 1
    assert "cannot be imported" in capsys.readouterr().err


def test_the_validator_catches_what_r4_forbids(sqlite_engine: Engine) -> None:
    bundle = exported(sqlite_engine, make_entry(WINTER))
    symptom = with_code(bundle, "75325-1")[0]
    symptom["effectivePeriod"]["start"] = symptom["effectivePeriod"]["start"][:19]  # no offset
    with pytest.raises(ValueError, match="effectivePeriod.start"):
        Bundle.model_validate(bundle)
