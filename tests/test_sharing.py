"""Sharing on a practice's database: she shares her journal with a clinician and stops; the
clinician reads only what is shared with her, writes nothing, cannot share anyone's journal,
and each look is a line in the patient's record of access that nobody can change. PostgreSQL's
row-level security holds all of it (the app role, as `serve --accounts` connects)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlmodel import Session

from tests.factories import days_ago, make_profile
from tests.test_hosting import ALEX, SAM, Practice, log, practice  # noqa: F401 (fixture)
from tracker.cli import main
from tracker.journal.accounts import access_record, acting_as, reading
from tracker.journal.sharing import (
    NotAClinician,
    clinicians,
    last_looks,
    looks_at,
    may_read,
    patients,
    record_look,
    share_with,
    shared_with,
    stop_sharing,
)
from tracker.journal.store import entry_of, get_profile, list_nights, save_profile

pytestmark = pytest.mark.postgres
DOCTOR, OTHER_DOCTOR = "dr.lee@practice.example", "dr.kim@practice.example"


@pytest.fixture
def clinic(practice: Practice, capsys) -> Practice:  # noqa: ANN001, F811
    for email, name in ((DOCTOR, "Dr Lee"), (OTHER_DOCTOR, "Dr Kim")):
        assert main(["--db", practice.owner_url, "accounts", "add", email, "--clinician",
                     "--name", name]) == 0  # fmt: skip
    assert "clinician" in capsys.readouterr().out
    log(practice, SAM, 2, "Sam's night")
    log(practice, ALEX, 2, "Alex's night")
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        save_profile(session=session, profile=make_profile(name="Sam"))
    return practice


def notes(clinic: Practice, email: str, read: str) -> list[str | None]:
    who, whose = clinic.account(email), clinic.account(read)
    with acting_as(who), reading(whose), Session(clinic.app) as session:
        return [entry_of(n).notes for n in list_nights(session=session)]


def test_nothing_is_shared_until_she_shares_and_then_only_hers(clinic: Practice) -> None:
    sam, doctor = clinic.account(SAM), clinic.account(DOCTOR)
    assert notes(clinic, DOCTOR, SAM) == [] and notes(clinic, DOCTOR, ALEX) == []
    with acting_as(doctor), Session(clinic.app) as session:
        assert patients(session=session) == []
    with acting_as(sam), Session(clinic.app) as session:
        assert [c.name for c in clinicians(session=session)] == ["Dr Kim", "Dr Lee"]
        assert share_with(session=session, clinician_id=doctor)
        assert not share_with(session=session, clinician_id=doctor)  # twice: no change
        assert [c.name for c in shared_with(session=session)] == ["Dr Lee"]
    assert notes(clinic, DOCTOR, SAM) == ["Sam's night"]
    assert notes(clinic, DOCTOR, ALEX) == []  # Alex never shared
    assert notes(clinic, OTHER_DOCTOR, SAM) == []  # shared with Dr Lee only
    with acting_as(doctor), reading(sam), Session(clinic.app) as session:
        assert get_profile(session=session).name == "Sam"
        assert [p.email for p in patients(session=session)] == [SAM]
        assert may_read(session=session, patient_id=sam)
        assert not may_read(session=session, patient_id=clinic.account(ALEX))
    with acting_as(sam), Session(clinic.app) as session:
        assert stop_sharing(session=session, clinician_id=doctor)
        assert not stop_sharing(session=session, clinician_id=doctor)
        assert shared_with(session=session) == []
    assert notes(clinic, DOCTOR, SAM) == []  # taken back: nothing of hers
    with acting_as(doctor), reading(sam), Session(clinic.app) as session:
        assert get_profile(session=session).name is None
        assert patients(session=session) == []


def test_a_clinician_can_write_nothing_of_hers_and_share_nothing(clinic: Practice) -> None:
    sam, doctor = clinic.account(SAM), clinic.account(DOCTOR)
    with acting_as(sam), Session(clinic.app) as session:
        share_with(session=session, clinician_id=doctor)
        night_id = list_nights(session=session)[0].id
    with acting_as(doctor), clinic.app.connect() as conn:
        with pytest.raises(DBAPIError, match="row-level security"):
            conn.execute(
                text(
                    "INSERT INTO night (account_id, night, version, created_at, updated_at) "
                    "VALUES (:sam, :night, 1, now(), now())"
                ),
                {"sam": sam, "night": days_ago(9)},
            )
        conn.rollback()
        for sql in (
            "UPDATE night SET notes = 'changed' WHERE id = :id",
            "DELETE FROM cramp WHERE night_id = :id",
            "DELETE FROM night WHERE id = :id",
        ):
            assert conn.execute(text(sql), {"id": night_id}).rowcount == 0, sql
        conn.commit()
        for sql in (  # a clinician shares nobody's journal, not even her own (she has none)
            f"INSERT INTO share (patient_id, clinician_id, created_at) VALUES ({sam}, "
            f"{clinic.account(OTHER_DOCTOR)}, now())",
            f"INSERT INTO share (patient_id, clinician_id, created_at) VALUES ({doctor}, "
            f"{clinic.account(OTHER_DOCTOR)}, now())",
        ):
            with pytest.raises(DBAPIError, match="row-level security"):
                conn.execute(text(sql))
            conn.rollback()
        assert conn.execute(text("DELETE FROM share")).rowcount == 0  # nor takes one back
        conn.commit()
    assert notes(clinic, SAM, SAM) == ["Sam's night"]
    with acting_as(sam), Session(clinic.app) as session:
        with pytest.raises(NotAClinician):  # she shares only with a clinician
            share_with(session=session, clinician_id=clinic.account(ALEX))
        assert [c.email for c in shared_with(session=session)] == [DOCTOR]


def test_each_look_is_in_her_record_and_nobody_can_change_that_record(clinic: Practice) -> None:
    sam, doctor = clinic.account(SAM), clinic.account(DOCTOR)
    refused = pytest.raises(DBAPIError, match="row-level security")
    with acting_as(doctor), Session(clinic.app) as session, refused:  # not shared: no line
        record_look(session=session, patient_id=sam, what=looks_at("Trends"))
    with acting_as(sam), Session(clinic.app) as session:
        share_with(session=session, clinician_id=doctor)
    with acting_as(doctor), Session(clinic.app) as session:
        record_look(session=session, patient_id=sam, what=looks_at("Trends"))
        assert set(last_looks(session=session)) == {sam}
        assert access_record(session=session) == []  # her record is not the clinician's
    with acting_as(sam), Session(clinic.app) as session:
        lines = [(a.what, a.by_account) for a in access_record(session=session)]
        assert ("looked at your Trends", doctor) in lines
    for who in (SAM, DOCTOR):
        with acting_as(clinic.account(who)), clinic.app.connect() as conn:
            for sql in ("UPDATE access SET what = 'nothing'", "DELETE FROM access"):
                with pytest.raises(ProgrammingError, match="permission denied"):
                    conn.execute(text(sql))
                conn.rollback()
    with clinic.owner.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM access WHERE by_account = :d"), {"d": doctor}
            ).scalar_one()
            == 1
        )
