"""Her clinician sees what she shares, in real Chromium on a practice's server: she shares from
Settings, logs a night with a warning sign, and the clinician's Patients page lists her first
with the sign named; the clinician reads her History, Trends and PDF with no control that
writes; she stops sharing and the clinician's open tab shows nothing of hers on its next rerun;
a patient who never shared never appears; each look is in her record of access."""

from __future__ import annotations

import subprocess

import pytest

from tests.browser_support import PHONE, require_chromium, screenshot, wait_for_app
from tests.conftest import PostgresServer
from tests.hosted_support import hosted_app, identity_provider, practice_database
from tests.test_browser_hosted import log_one_cramp, open_at, sign_in, tap
from tracker.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
SAM, ALEX, DOCTOR = "sam@practice.example", "alex@practice.example", "dr.lee@practice.example"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
WRITES = ("Save", "Delete", "Import", "Erase", "Add a cramp", "No cramps", "Share", "Start")


@pytest.fixture
def clinic(postgres_server: PostgresServer, postgres_url: str, tmp_path):  # noqa: ANN001, ANN201
    require_chromium()
    database = practice_database(postgres_server, postgres_url, SAM, ALEX)
    assert main(["--db", database.owner_url, "accounts", "add", DOCTOR, "--clinician",
                 "--name", "Dr Lee"]) == 0  # fmt: skip
    with identity_provider() as provider:
        for sub, email in (("sam", SAM), ("alex", ALEX), ("drlee", DOCTOR)):
            provider.person(sub, email)
        with hosted_app(database.app_url, tmp_path, provider) as base:
            yield base
    postgres_server.admin(f"DROP OWNED BY {database.role}")


def main_text(page) -> str:  # noqa: ANN001
    return page.locator("[data-testid=stMain]").inner_text()


def open_page(page, name: str, heading: str) -> str:  # noqa: ANN001
    """Open a page from the app's own menu (at desktop width), in this browser session."""
    page.set_viewport_size(DESKTOP["viewport"])
    page.get_by_role("link", name=name).first.click()
    page.get_by_role("heading", name=heading, level=1).wait_for()
    wait_for_app(page)
    return main_text(page)


def on_phone(page, name: str) -> None:  # noqa: ANN001
    page.set_viewport_size(PHONE["viewport"])
    wait_for_app(page)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP["viewport"])
    screenshot(page, f"{name}-1280")


def no_control_that_writes(page) -> None:  # noqa: ANN001
    for name in WRITES:
        assert page.get_by_role("button", name=name).count() == 0, name
    assert page.get_by_role("link", name="Last night").count() == 0
    assert page.get_by_role("link", name="Settings").count() == 0
    assert page.get_by_role("link", name="Experiments").count() == 0


def test_she_shares_her_clinician_reads_it_and_then_it_is_taken_back(clinic, browser, tmp_path):  # noqa: ANN001, ANN201, E501
    from tests.browser_support import axe_violations, require_axe, touch_targets

    require_axe()
    base = clinic
    sam = sign_in(browser, base, "sam", "share-sam")
    alex = sign_in(browser, base, "alex", "share-alex")  # never shares
    log_one_cramp(alex, "Alex's night")
    open_at(sam, f"{base}/settings", "Settings")
    sam.get_by_role("heading", name="Share with your clinician").wait_for()
    tap(sam, sam.get_by_label("Clinician"))
    tap(sam, sam.get_by_role("option", name="Dr Lee"))
    tap(sam, sam.get_by_role("button", name="Share my journal"))
    sam.get_by_role("button", name="Stop sharing with Dr Lee").wait_for()
    screenshot(sam, "clinician-sam-shared")
    # Last night, with a warning sign.
    open_at(sam, base, "Last night")
    tap(sam, sam.get_by_text("Warning signs: tick anything you noticed"))
    tap(sam, sam.get_by_text("Swelling in one leg, especially the calf"))
    log_one_cramp(sam, "Sam's calf")

    doctor = sign_in(browser, base, "drlee", "share-doctor")
    doctor.set_viewport_size(DESKTOP["viewport"])
    doctor.get_by_role("heading", name="Patients", level=1).wait_for()
    listed = main_text(doctor)
    cards = doctor.locator("[class*=st-key-pa_card_]")
    assert cards.count() == 1, listed  # Alex never shared: never listed
    first = cards.first.inner_text()
    assert first.startswith("sam@practice.example")  # her name, as the practice gave it
    assert "Warning sign logged since you last looked" in first
    assert "Swelling in one leg" in first
    assert "Alex" not in listed and "alex@" not in listed
    no_control_that_writes(doctor)
    screenshot(doctor, "clinician-patients-1280")
    assert axe_violations(doctor) == []
    doctor.set_viewport_size(PHONE["viewport"])
    screenshot(doctor, "clinician-patients-390")
    targets = touch_targets(doctor)
    assert not targets["small"], targets
    assert axe_violations(doctor) == []

    doctor.set_viewport_size(DESKTOP["viewport"])
    doctor.get_by_role("button", name="Open").first.click()
    doctor.get_by_role("heading", name="History", level=1).wait_for()
    wait_for_app(doctor)
    history = main_text(doctor)
    assert "journal (read-only)" in history and "1 night logged" in history
    no_control_that_writes(doctor)
    on_phone(doctor, "clinician-history")
    assert axe_violations(doctor) == []
    open_page(doctor, "Trends", "Trends")
    doctor.get_by_text("Nights logged").first.wait_for()  # her numbers, once drawn
    trends = main_text(doctor)
    assert "journal (read-only)" in trends and "1 of 1" in trends
    no_control_that_writes(doctor)
    on_phone(doctor, "clinician-trends")
    assert axe_violations(doctor) == []
    open_page(doctor, "Summary", "Summary for your appointment")
    no_control_that_writes(doctor)
    assert doctor.get_by_role("button", name="Diary (CSV)").count() == 0
    with doctor.expect_download(timeout=60_000) as download:
        doctor.get_by_role("button", name="Summary PDF").click()
    pdf = tmp_path / "sam.pdf"
    download.value.save_as(pdf)
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert "Night-time leg cramps in pregnancy" in words and "Swelling in one leg" in words
    on_phone(doctor, "clinician-summary")
    open_page(doctor, "Trends", "Trends")

    # She takes it back; the clinician's open tab shows nothing of hers on its next rerun.
    open_at(sam, f"{base}/settings", "Settings")
    tap(sam, sam.get_by_role("button", name="Stop sharing with Dr Lee"))
    sam.get_by_role("button", name="Share my journal").wait_for()
    record = main_text(sam)
    assert "Dr Lee looked at your History" in record and "Dr Lee looked at your Trends" in record
    tap(doctor, doctor.get_by_role("radio", name="Last 2 weeks").first)
    doctor.get_by_role("heading", name="Patients", level=1).wait_for()
    after = main_text(doctor)
    assert "no longer shared with you" in after
    assert "sam@" not in after and "Swelling" not in after and "read-only" not in after
    assert doctor.get_by_role("link", name="Trends").count() == 0  # her pages are gone
    screenshot(doctor, "clinician-after-unshare-1280")
