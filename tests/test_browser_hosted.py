"""A practice's server in real Chromium: two people sign in through a real OpenID provider,
each logs her night and sees only her own journal; someone not on the list reaches nothing and
leaves no row behind; a session that has not signed in sees only the sign-in page.

One practice serves the whole module (its database, provider and server take 10-25 s to
start): a test that counts what is in someone's journal or record has people of its own."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests.browser_support import PHONE, require_chromium, screenshot, wait_for_app
from tests.conftest import PostgresServer
from tests.hosted_support import (
    Provider,
    hosted_app,
    identity_provider,
    own_database,
    practice_database,
)
from tracker.journal.accounts import acting_as
from tracker.journal.db import make_engine
from tracker.journal.hosting import JOURNAL_TABLES
from tracker.journal.store import entry_of, list_nights

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
SAM, ALEX, STRANGER = "sam@practice.example", "alex@practice.example", "eve@elsewhere.example"
KIM, JO = "kim@practice.example", "jo@practice.example"  # the pages-and-downloads test's own
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def practice(postgres_server: PostgresServer, tmp_path_factory):  # noqa: ANN001, ANN201
    require_chromium()
    with own_database(postgres_server) as url:
        database = practice_database(postgres_server, url, SAM, ALEX, KIM, JO)
        with identity_provider() as provider:
            for sub, email in (("sam", SAM), ("alex", ALEX), ("eve", STRANGER), ("kim", KIM),
                               ("jo", JO)):  # fmt: skip
                provider.person(sub, email)
            provider.person("unverified", SAM, verified=False)
            with hosted_app(
                database.app_url, tmp_path_factory.mktemp("practice"), provider
            ) as base:
                yield base, database, provider
        postgres_server.admin(f"DROP OWNED BY {database.role}")


def sign_in(browser, base: str, sub: str, name: str):  # noqa: ANN001, ANN201
    """A new phone signs in as `sub` at the provider; returns the page on the app."""
    page = browser.new_page(**PHONE)
    page.goto(base)
    wait_for_app(page)
    button = page.get_by_role("button", name="Sign in")
    screenshot(page, f"hosted-{name}-sign-in")
    button.click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.locator("input[name=sub]").fill(sub)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(f"{base}/**", timeout=30_000)
    try:
        wait_for_app(page)
    except Exception:
        screenshot(page, f"hosted-{name}-after-sign-in-FAILED")
        print("URL", page.url, "TEXT", page.locator("body").inner_text()[:2000])
        raise
    return page


def tap(page, locator) -> None:  # noqa: ANN001
    locator.scroll_into_view_if_needed()
    locator.tap()
    wait_for_app(page)


def pill(page, group: str, option: str):  # noqa: ANN001, ANN201
    return page.get_by_role("radiogroup", name=group).last.get_by_role(
        "radio", name=option, exact=True
    )


def log_one_cramp(page, note: str) -> None:  # noqa: ANN001
    """Last night with one cramp, how long it lasted, and a note; saved."""
    tap(page, page.get_by_role("button", name="Add a cramp"))
    tap(page, pill(page, "When", "2 am"))
    tap(page, pill(page, "How bad (0 = no pain, 10 = worst)", "6"))
    tap(page, pill(page, "Leg", "left"))
    tap(page, page.get_by_role("button", name="More: how long, where, what helped"))
    page.get_by_label("How long, in minutes").fill("2")
    page.get_by_label("How long, in minutes").press("Enter")
    wait_for_app(page)
    tap(page, page.locator("summary").filter(has_text="This morning"))
    page.get_by_label("Notes").fill(note)
    tap(page, page.get_by_role("button", name="Save", exact=True))
    page.get_by_text("Saved").first.wait_for(timeout=30_000)


def notes_of(app_url: str, account_email: str, owner_url: str) -> list[str | None]:
    owner = make_engine(owner_url)
    app = make_engine(app_url)
    try:
        with owner.connect() as conn:
            account = conn.execute(
                text("SELECT id FROM account WHERE email = :e"), {"e": account_email}
            ).scalar_one()
        with acting_as(account), Session(app) as session:
            return [entry_of(n).notes for n in list_nights(session=session)]
    finally:
        app.dispose()
        owner.dispose()


def test_two_people_each_log_and_see_only_their_own_journal(practice, browser) -> None:  # noqa: ANN001
    base, database, _ = practice
    sam = sign_in(browser, base, "sam", "sam")
    assert sam.get_by_role("heading", name="Last night", level=1).count() == 1
    log_one_cramp(sam, "Sam's calf")
    screenshot(sam, "hosted-sam-saved")
    alex = sign_in(browser, base, "alex", "alex")
    tap(alex, alex.get_by_role("button", name="No cramps"))
    alex.get_by_text("Saved").first.wait_for(timeout=30_000)
    assert notes_of(database.app_url, SAM, database.owner_url) == ["Sam's calf"]
    assert notes_of(database.app_url, ALEX, database.owner_url) == [None]
    for page, mine, hers in ((sam, "1 cramp", "no cramps"), (alex, "no cramps", "1 cramp")):
        page.goto(f"{base}/history")  # a new browser session: her sign-in still holds
        wait_for_app(page)
        page.get_by_role("heading", name="History", level=1).wait_for()
        body = page.locator("[data-testid=stMain]").inner_text().lower()
        assert mine in body and hers not in body
        screenshot(page, f"hosted-history-{mine.replace(' ', '-')}")
    sam.goto(base)
    wait_for_app(sam)
    tap(sam, sam.locator("summary").filter(has_text="This morning"))
    assert sam.get_by_label("Notes").input_value() == "Sam's calf"
    signed_out = sam.get_by_role("button", name="Sign out")
    assert signed_out.count() == 1
    signed_out.click()
    sam.wait_for_url("**/end_session**", timeout=30_000)  # the provider ends its session too
    sam.goto(base)
    wait_for_app(sam)
    assert sam.get_by_role("button", name="Sign in").count() == 1
    assert "Sam's calf" not in sam.locator("body").inner_text()


def test_someone_not_on_the_list_reaches_nothing_and_leaves_no_row(practice, browser) -> None:  # noqa: ANN001
    base, database, _ = practice
    owner = make_engine(database.owner_url)
    try:
        with owner.connect() as conn:
            before = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in (*JOURNAL_TABLES, "account", "access")}  # fmt: skip
        page = sign_in(browser, base, "eve", "stranger")
        page.get_by_text("Ask your practice to add you").wait_for()
        screenshot(page, "hosted-stranger")
        assert page.get_by_role("link", name="History").count() == 0
        assert page.get_by_role("button", name="Add a cramp").count() == 0
        page.goto(f"{base}/history")
        wait_for_app(page)
        assert page.get_by_role("button", name="Add a cramp").count() == 0
        assert "not open to you" in page.locator("[data-testid=stMain]").inner_text()
        with owner.connect() as conn:
            after = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in (*JOURNAL_TABLES, "account", "access")}  # fmt: skip
        assert after == before
    finally:
        owner.dispose()


def test_an_unverified_email_is_refused(practice, browser) -> None:  # noqa: ANN001
    base, _, _ = practice
    page = sign_in(browser, base, "unverified", "unverified")
    page.get_by_text("not confirmed").first.wait_for()
    assert page.get_by_role("button", name="Add a cramp").count() == 0


def test_serving_a_practice_as_the_owner_is_refused(
    postgres_server, postgres_url, tmp_path
) -> None:  # noqa: ANN001, E501
    import subprocess
    import sys

    from tests.browser_support import ROOT

    database = practice_database(postgres_server, postgres_url, SAM)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tracker.cli", "--db", database.owner_url, "serve", "--accounts"],  # noqa: E501
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        )  # fmt: skip
        assert result.returncode != 0
        assert "superuser" in result.stderr and "Traceback" not in result.stderr
        sqlite = subprocess.run(
            [sys.executable, "-m", "tracker.cli", "--db", f"sqlite:///{tmp_path / 'j.db'}",
             "serve", "--accounts"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr
    finally:
        postgres_server.admin(f"DROP OWNED BY {database.role}")


@pytest.fixture
def provider_only() -> Provider:  # pragma: no cover - kept for protocol tests
    with identity_provider() as provider:
        yield provider


def give_a_long_journal_with_an_experiment(database, email: str) -> None:  # noqa: ANN001
    """The demo's months of nights (warning signs among them) and a stretching plan, in this
    person's journal (as the app role: the database keeps them hers)."""
    from tracker.journal.demo import fill_demo
    from tracker.journal.plan_store import save_plan
    from tracker.journal.plans import Plan

    owner, app = make_engine(database.owner_url), make_engine(database.app_url)
    try:
        with owner.connect() as conn:
            other = conn.execute(
                text("SELECT id FROM account WHERE email = :e"), {"e": email}
            ).scalar_one()
        with acting_as(other), Session(app) as session:
            fill_demo(session=session)
        with acting_as(other), app.begin() as conn:
            save_plan(conn, Plan(habit="stretching", start=LAST_NIGHT, seed=7))
    finally:
        app.dispose()
        owner.dispose()


def open_at(page, path: str, heading: str, drawn: str | None = None) -> str:  # noqa: ANN001
    """The page's text once its title (and `drawn`, a text it draws last) are on screen."""
    page.goto(path)
    wait_for_app(page)
    page.get_by_role("heading", name=heading, level=1).wait_for()
    if drawn:
        page.get_by_text(drawn).first.wait_for(timeout=30_000)
    return page.locator("[data-testid=stMain]").inner_text()


def test_her_pages_and_downloads_hold_only_her_journal_and_are_in_her_record(
    practice, browser, tmp_path
) -> None:  # noqa: ANN001
    base, database, _ = practice  # Kim and Jo: this test's own people on the shared practice
    give_a_long_journal_with_an_experiment(database, JO)
    kim = sign_in(browser, base, "kim", "kim-download")
    log_one_cramp(kim, "Kim's calf")
    # Jo's months of nights, warning signs and plan are in the same tables: none shows.
    trends = open_at(kim, f"{base}/trends", "Trends", "Nights logged")
    assert "Nights logged\n\n1 of 1" in trends and "1 of 1 night logged" in trends
    assert "warning sign" not in trends.lower()
    experiments = open_at(kim, f"{base}/experiments", "Experiments")
    assert "Plan an experiment" in experiments and "Your experiment" not in experiments
    summary = open_at(kim, f"{base}/summary", "Summary for your appointment", "Nights logged")
    assert ": 1 logged." in summary and "Nights logged\n\n1 of 28" in summary
    with kim.expect_download(timeout=60_000) as download:
        kim.get_by_role("button", name="Summary PDF").click()
    pdf = tmp_path / "kim.pdf"
    download.value.save_as(pdf)
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "(28 nights, 1 logged)" in words and "No warning signs were noted" in words
    with kim.expect_download(timeout=60_000) as download:
        kim.get_by_role("button", name="Diary (CSV)").click()
    diary = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Kim's calf" in diary and len(diary.strip().splitlines()) == 2
    kim.goto(f"{base}/settings")
    wait_for_app(kim)
    kim.get_by_role("heading", name="Who opened your journal").wait_for()
    record = kim.locator("[data-testid=stMain]").inner_text()
    screenshot(kim, "hosted-settings-record-of-access")
    assert "downloaded cramp-diary-" in record and "downloaded cramp-summary-" in record
    assert record.count("signed in") == 1, record  # once per sign-in, not once per tab


def test_the_sign_in_and_refusal_pages_are_big_enough_and_accessible(practice, browser) -> None:  # noqa: ANN001, E501
    from tests.browser_support import axe_violations, require_axe, touch_targets

    require_axe()
    base, _, _ = practice
    for screen in ({"viewport": {"width": 1280, "height": 800}}, PHONE):
        page = browser.new_page(**screen)
        page.goto(base)
        wait_for_app(page)
        width = screen["viewport"]["width"]
        screenshot(page, f"hosted-sign-in-{width}")
        targets = touch_targets(page)
        assert not targets["small"] and not targets["close"], targets
        assert axe_violations(page) == []
        page.close()
    stranger = sign_in(browser, base, "eve", "stranger-axe")
    assert axe_violations(stranger) == []
    targets = touch_targets(stranger)
    assert not targets["small"] and not targets["close"], targets
