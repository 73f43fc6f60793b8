"""An attacker against sharing on a practice's server, at the protocol level (raw websockets
with real identity cookies): a clinician nobody shares with, a clinician whose share was taken
back, and a patient trying the Patients page or another journal get nothing of hers, whatever
page names, widget ids (the Open button's included) or download ids they send."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlmodel import Session

from tests.factories import days_ago, make_entry
from tests.test_security_hosted import (  # noqa: F401 (practice: a fixture)
    ALEX,
    SAM,
    SAMS_NOTE,
    client,
    everything_of,
    identity_cookie,
    practice,
)
from tracker.cli import main
from tracker.journal.accounts import acting_as, find_account
from tracker.journal.db import make_engine
from tracker.journal.sharing import share_with, stop_sharing
from tracker.journal.store import save_night

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
LEE, KIM = "dr.lee@practice.example", "dr.kim@practice.example"
HER_PAGES = ("patients", "history", "trends", "summary", "last_night", "settings")


@pytest.fixture
def clinic(practice):  # noqa: ANN001, ANN201, F811
    owner_url, app_url = practice.database.owner_url, practice.database.app_url
    for email, name in ((LEE, "Dr Lee"), (KIM, "Dr Kim")):
        assert main(["--db", owner_url, "accounts", "add", email, "--clinician",
                     "--name", name]) == 0  # fmt: skip
    owner, app = make_engine(owner_url), make_engine(app_url)
    with Session(owner) as session:
        ids = {e: find_account(session=session, email=e).id for e in (SAM, ALEX, LEE, KIM)}
    sams = make_entry(days_ago(1), notes=SAMS_NOTE, red_flags=["one_leg_swelling"])
    alexs = make_entry(days_ago(1), cramps=2, notes="Alex's own note")  # told apart from Sam's
    for email, entry in ((SAM, sams), (ALEX, alexs)):
        with acting_as(ids[email]), Session(app) as session:
            save_night(session=session, entry=entry, expected_version=0)
    with acting_as(ids[SAM]), Session(app) as session:
        share_with(session=session, clinician_id=ids[LEE])

    def person(email: str):  # noqa: ANN202
        return client(practice.base, identity_cookie(practice.secrets, practice.base, email,
                                                     days_old=0))  # fmt: skip

    def unshare() -> None:
        with acting_as(ids[SAM]), Session(app) as session:
            stop_sharing(session=session, clinician_id=ids[LEE])

    yield SimpleNamespace(person=person, ids=ids, unshare=unshare)
    app.dispose()
    owner.dispose()


def hers(out: str) -> list[str]:
    """What of Sam's journal a run's messages gave away."""
    leaks = [SAMS_NOTE, "1 cramp", "logged since you last looked", "/media/"]
    found = [leak for leak in leaks if leak in out]
    return found + (["her email"] if re.search(r"\bsam\b", out) else [])


def all_of(c, triggers: list[dict]) -> str:  # noqa: ANN001
    out = c.run()
    for name in HER_PAGES:
        out += c.run(triggers, page_name=name)
    return out


def test_only_the_clinician_she_shares_with_reads_her_journal(clinic) -> None:  # noqa: ANN001
    sam = clinic.person(SAM)
    sam.run()
    sam.run(page=sam.pages()["Summary"])
    _, sams_widgets, downloads = everything_of(sam)
    deferred = [d.deferred_file_id for d in downloads if d.deferred_file_id]
    assert deferred
    lee = clinic.person(LEE)
    out = lee.run()
    assert "Warning sign logged since you last looked" in out and "Swelling in one leg" in out
    buttons = [b for b in lee.elements("button") if "pa_open_" in b.id]
    assert len(buttons) == 1  # Sam only: Alex never shared
    opened = lee.run([{"id": buttons[0].id, "trigger_value": True}])
    opened += lee.run(page_name="history")
    assert "1 cramp" in opened and "read-only" in opened  # the control: she may read it
    assert {"1 cramp", "her email"} <= set(hers(opened))  # and the leak finder finds it
    triggers = [{"id": w, "trigger_value": True} for w in (buttons[0].id, *sams_widgets)]

    kim = clinic.person(KIM)  # a clinician nobody shares with
    out = all_of(kim, triggers)
    assert "Nobody shares a journal with you yet" in out
    assert hers(out) == [] and "Alex's own note" not in out
    alex = clinic.person(ALEX)  # a patient: no Patients page, no other journal
    out = all_of(alex, triggers)
    assert hers(out) == [] and "Patients" not in {e.body for e in alex.elements("heading")}
    for c in (kim, alex):
        for file_id in deferred:
            c.send(backend_operation_request={"request_id": f"r-{file_id[:8]}",
                                              "deferred_file": {"file_id": file_id}})  # fmt: skip
        assert "/media/" not in "\n".join(str(m) for m in c.messages[-5:])
        c.close()

    clinic.unshare()  # taken back: Dr Lee's open session gets nothing more of hers
    lee.messages.clear()
    out = lee.run(page_name="history") + all_of(lee, triggers)
    assert hers(out) == [], hers(out)
    assert "no longer shared with you" in out
    for file_id in deferred:
        lee.send(backend_operation_request={"request_id": f"r-{file_id[:8]}",
                                            "deferred_file": {"file_id": file_id}})  # fmt: skip
    assert "/media/" not in "\n".join(str(m) for m in lee.messages[-5:])
    lee.close()
    sam.close()
