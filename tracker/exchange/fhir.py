"""The journal as a FHIR R4 Bundle for clinical systems: patient-reported observations.

Each cramp is a symptom Observation shaped like the HL7 Symptoms IG's (code LOINC 75325-1
"Symptom", when as effectivePeriod, where as bodySite, severity as a LOINC 72514-3
component); each night with a known due date adds a gestational age (LOINC 49051-6), and
each ticked warning sign a symptom Observation of its own. Only codes we could check are
sent; anything else is a text-only CodeableConcept. Free-text notes are left out: FHIR
renders Annotation.text as markdown. docs/json-format.md explains the choices.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.care.pregnancy import dating
from tracker.care.safety import red_flag_label
from tracker.journal.entries import CrampEntry
from tracker.journal.models import RELIEF_LABELS, Night, Profile
from tracker.journal.store import get_profile, list_nights

LOINC, SNOMED, UCUM = "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

SYMPTOM = {"coding": [{"system": LOINC, "code": "75325-1", "display": "Symptom"}]}
PAIN_SEVERITY = {
    "coding": [
        {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ],
    "text": "Severity (0 no pain, 10 worst imaginable)",
}
GESTATIONAL_AGE = {
    "coding": [{"system": LOINC, "code": "49051-6", "display": "Gestational age in weeks"}]
}
# Observation.performer = the Patient is how R4 (and the Symptoms IG) says "she reported it";
# the survey category groups patient-answered observations.
PATIENT_REPORTED = {
    "coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}],
    "text": "Patient-reported (Cramp Journal)",
}
# SNOMED CT body structures we could verify; shin and "other" go as text only.
BODY_STRUCTURES = {"calf": "53840002", "foot": "56459004", "thigh": "68367000"}
MUSCLE_TEXT = {"calf": "Calf", "foot": "Foot", "thigh": "Thigh", "shin": "Shin",
               "other": "Other muscle"}  # fmt: skip
NIGHT_SWITCH = dt.time(12)  # a time before noon is the morning after the night's date


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _local(moment: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """A wall-clock time made aware: in tz, else in this computer's zone on that date."""
    return moment.replace(tzinfo=tz) if tz else moment.astimezone()


def cramp_period(night: dt.date, cramp: CrampEntry, tz: dt.tzinfo | None = None) -> dict[str, str]:
    """When the cramp was: start at its time (next day if before noon), end after its duration."""
    if cramp.time is None:  # some time during that night: its date and the morning after
        return {"start": night.isoformat(), "end": (night + dt.timedelta(days=1)).isoformat()}
    day = night + dt.timedelta(days=1) if cramp.time < NIGHT_SWITCH else night
    start = _local(dt.datetime.combine(day, cramp.time), tz)
    period = {"start": start.isoformat(timespec="seconds")}
    if cramp.duration_min is not None:
        end = start + dt.timedelta(seconds=round(cramp.duration_min * 60))
        period["end"] = end.isoformat(timespec="seconds")
    return period


def body_site(leg: str | None, muscle: str | None) -> dict[str, Any] | None:
    """Where the cramp was: a SNOMED CT structure when known, the side always in the text."""
    if leg is None and muscle is None:
        return None
    side = {"both": "both legs", None: "leg"}.get(leg, f"{leg} leg")
    site: dict[str, Any] = {}
    if muscle in BODY_STRUCTURES:
        site["coding"] = [{"system": SNOMED, "code": BODY_STRUCTURES[muscle]}]
    return site | {"text": f"{MUSCLE_TEXT[muscle]}, {side}" if muscle else side.capitalize()}


def _components(cramp: CrampEntry) -> list[dict[str, Any]]:
    """Severity (LOINC), then duration, waking and relief as text-coded components."""
    minutes = cramp.duration_min
    duration = None if minutes is None else {"value": minutes, "unit": "min", "system": UCUM,
                                             "code": "min"}  # fmt: skip
    relief = None if cramp.relief is None else RELIEF_LABELS[cramp.relief]
    parts = [
        (PAIN_SEVERITY, "valueInteger", cramp.severity),
        ({"text": "Duration"}, "valueQuantity", duration),
        ({"text": "Woke from sleep"}, "valueBoolean", cramp.woke),
        ({"text": "What was done for relief"}, "valueString", relief),
        ({"text": "Relief worked"}, "valueBoolean", cramp.relieved),
    ]
    return [{"code": code, key: value} for code, key, value in parts if value is not None]


class _Builder:
    """Collects the bundle's entries, every one about (and reported by) the same patient."""

    def __init__(self, profile: Profile):
        self.entries: list[dict[str, Any]] = []
        patient: dict[str, Any] = {"resourceType": "Patient"}
        if profile.name:
            patient["name"] = [{"text": profile.name}]
        self.patient = {"reference": self.add(patient)}

    def add(self, resource: dict[str, Any]) -> str:
        """Add a resource with a fresh id; returns its full URL for references."""
        resource_id = str(uuid.uuid4())
        full_url = f"urn:uuid:{resource_id}"
        resource = {"resourceType": resource["resourceType"], "id": resource_id, **resource}
        self.entries.append({"fullUrl": full_url, "resource": resource})
        return full_url

    def observation(self, night: Night, code: dict[str, Any], **fields: Any) -> None:
        """Add a final, patient-reported Observation."""
        self.add({
            "resourceType": "Observation",
            "status": "final",
            "category": [PATIENT_REPORTED],
            "code": code,
            "subject": self.patient,
            **fields,
            "issued": _instant(night.updated_at),
            "performer": [self.patient],
        })  # fmt: skip


def _add_night(builder: _Builder, night: Night, profile: Profile, tz: dt.tzinfo | None) -> None:
    for cramp in sorted(night.cramps, key=lambda c: c.position):
        entry = CrampEntry(**{k: getattr(cramp, k) for k in CrampEntry.__dataclass_fields__})
        fields: dict[str, Any] = {
            "effectivePeriod": cramp_period(night.night, entry, tz),
            "valueCodeableConcept": {"text": "Leg cramp"},
        }
        if site := body_site(entry.leg, entry.muscle):
            fields["bodySite"] = site
        if components := _components(entry):
            fields["component"] = components
        builder.observation(night, SYMPTOM, **fields)
    whole_night = cramp_period(night.night, CrampEntry())
    for flag in sorted(night.red_flags, key=lambda f: f.code):
        label = {"text": red_flag_label(flag.code)}
        builder.observation(night, SYMPTOM, effectivePeriod=whole_night, valueCodeableConcept=label)
    age = dating(night.night, profile.due_date, profile.birth_date)
    if age.days is not None:
        weeks = {"value": round(age.days / 7, 2), "unit": "wk", "system": UCUM, "code": "wk"}
        note = [{"text": f"{age.label} (weeks+days), from the due date she entered"}]
        builder.observation(night, GESTATIONAL_AGE, effectiveDateTime=night.night.isoformat(),
                            valueQuantity=weeks, note=note)  # fmt: skip


def fhir_bundle(
    profile: Profile, nights: list[Night], *, now: dt.datetime, tz: dt.tzinfo | None = None
) -> dict[str, Any]:
    """A FHIR R4 collection Bundle: the Patient, then each night's observations."""
    builder = _Builder(profile)
    for night in sorted(nights, key=lambda n: n.night):
        _add_night(builder, night, profile, tz)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now)},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": builder.entries,
    }


def export_fhir(
    source: Engine | Session, *, now: dt.datetime | None = None, tz: dt.tzinfo | None = None
) -> str:
    """The journal as FHIR R4 Bundle JSON text (times in tz, default this computer's zone)."""
    now = now or dt.datetime.now(dt.UTC)
    if isinstance(source, Engine):
        with Session(source) as session:
            return export_fhir(session, now=now, tz=tz)
    profile = get_profile(session=source)
    bundle = fhir_bundle(profile, list_nights(session=source), now=now, tz=tz)
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
