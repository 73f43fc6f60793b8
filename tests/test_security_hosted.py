"""An attacker against a practice's server (`serve --accounts`), at the protocol level: a
websocket that has not signed in, or carries a forged identity cookie, gets only the sign-in
page whatever it sends; a signed-in person who sends another person's page, widget ids or
download ids gets nothing of hers.

One practice serves the whole module (it takes 10-25 s to start); each test's victim is a
person of its own (Sam, Kim, Jo), so what one test saved cannot make another's pass or fail."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from tests.browser_support import require_chromium
from tests.conftest import PostgresServer
from tests.hosted_support import hosted_app, identity_provider, own_database, practice_database
from tests.test_browser_hosted import log_one_cramp, sign_in
from tests.test_security_protocol import Client

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
SAM, ALEX = "sam@practice.example", "alex@practice.example"
KIM, JO = "kim@practice.example", "jo@practice.example"
SAMS_NOTE = "Sam's private note"


@pytest.fixture(scope="module")
def practice(postgres_server: PostgresServer, tmp_path_factory):  # noqa: ANN001, ANN201
    require_chromium()
    folder = tmp_path_factory.mktemp("practice")
    with own_database(postgres_server) as url:
        database = practice_database(postgres_server, url, SAM, ALEX, KIM, JO)
        with identity_provider() as provider:
            for sub, email in (("sam", SAM), ("alex", ALEX), ("kim", KIM), ("jo", JO)):
                provider.person(sub, email)
            with hosted_app(database.app_url, folder, provider) as base:
                yield SimpleNamespace(base=base, database=database, secrets=folder / "secrets.toml")
        postgres_server.admin(f"DROP OWNED BY {database.role}")


def cookie_header(page) -> str:  # noqa: ANN001
    return "; ".join(
        f"{c['name']}={c['value']}"
        for c in page.context.cookies()
        if c["name"].startswith("_streamlit_user")
    )


def client(base: str, cookie: str | None = None) -> Client:
    """A raw websocket as the browser opens it: its XSRF pair, and the given cookies."""
    token = generate_xsrf_token_string()
    cookies = f"_streamlit_xsrf={token}" + (f"; {cookie}" if cookie else "")
    return Client(
        urlsplit(base).port,
        host="localhost",
        headers={"Cookie": cookies},
        subprotocols=["streamlit", token],
    )


def signed_in_client(browser, base: str, sub: str) -> tuple[Client, object]:  # noqa: ANN001
    page = sign_in(browser, base, sub, f"protocol-{sub}")
    return client(base, cookie_header(page)), page


def everything_of(c: Client) -> tuple[dict[str, str], list[str], list]:
    """The pages, every widget id and every download the client was shown."""
    widgets = []
    for m in c.messages:
        if m.WhichOneof("type") != "delta" or m.delta.WhichOneof("type") != "new_element":
            continue
        kind = m.delta.new_element.WhichOneof("type")
        widget_id = getattr(getattr(m.delta.new_element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id:
            widgets.append(widget_id)
    return c.pages(), widgets, c.elements("download_button")


def test_no_sign_in_and_a_forged_cookie_get_only_the_sign_in_page(practice, browser) -> None:  # noqa: ANN001
    base = practice.base
    sam, page = signed_in_client(browser, base, "sam")
    log_one_cramp(page, SAMS_NOTE)
    sam.run()
    pages = sam.pages()
    for name in ("Summary", "History", "Trends", "Last night"):
        sam.run(page=pages[name])
    pages, widgets, downloads = everything_of(sam)
    assert "1 cramp" in "\n".join(str(m) for m in sam.messages)  # what there is to take
    assert {"Summary", "History", "Trends"} <= set(pages)
    triggers = [{"id": w, "trigger_value": True} for w in widgets]
    for cookie in (None, "_streamlit_user=forged-value", "_streamlit_user=" + "A" * 400):
        stranger = client(base, cookie)
        out = stranger.run()
        for name in ("Last night", "Summary", "History", "Trends", "Settings"):
            out += stranger.run(triggers, page=pages[name])
        assert "Sign in" in out
        assert SAMS_NOTE not in out and "1 cramp" not in out
        assert "/media/" not in out and "deferred_file_id" not in out
        assert not stranger.elements("download_button")
        headings = {e.body for e in stranger.elements("heading")}
        assert headings == {"Cramp Journal"}, headings
        stranger.close()
    sam.close()


def test_another_persons_pages_widgets_and_downloads_give_nothing_of_hers(
    practice,  # noqa: ANN001
    browser,  # noqa: ANN001
) -> None:
    base = practice.base  # Kim is this test's victim; Alex has never logged anything
    kim, page = signed_in_client(browser, base, "kim")
    log_one_cramp(page, SAMS_NOTE)
    kim.run()
    pages = kim.pages()
    for name in ("Summary", "Settings", "History"):
        kim.run(page=pages[name])
    _, widgets, downloads = everything_of(kim)
    deferred = [d.deferred_file_id for d in downloads if d.deferred_file_id]
    alex, _ = signed_in_client(browser, base, "alex")
    out = alex.run()
    assert "Last night" in out
    triggers = [{"id": w, "trigger_value": True} for w in widgets]
    for name in ("Summary", "Settings", "History", "Trends", "Last night"):
        out += alex.run(triggers, page=pages[name])
    assert SAMS_NOTE not in out and "1 cramp" not in out
    for file_id in deferred:
        alex.send(
            backend_operation_request={"request_id": f"r-{file_id[:8]}",
                                       "deferred_file": {"file_id": file_id}}
        )  # fmt: skip
    assert "/media/" not in "\n".join(str(m) for m in alex.messages[-5:])
    alex.close()
    kim.close()


def identity_cookie(secrets: Path, base: str, email: str, *, days_old: float) -> str:
    """The identity cookie Streamlit sets after a sign-in, made with the server's own secret and
    dated `days_old` days ago (what a browser holding an old one would send)."""
    import itsdangerous
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    secret = tomllib.loads(secrets.read_text())["auth"]["cookie_secret"]

    class Dated(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(super().get_timestamp() - days_old * 86400)

    claims = {"origin": base, "is_logged_in": True, "email": email, "email_verified": True}
    serializer = itsdangerous.URLSafeTimedSerializer(secret, salt=USER_COOKIE_NAME, signer=Dated)
    value = serializer.dumps(json.dumps(claims))
    return f"{USER_COOKIE_NAME}={value}"


def test_an_expired_identity_cookie_gets_only_the_sign_in_page(practice) -> None:  # noqa: ANN001
    from sqlmodel import Session

    from tests.factories import days_ago, make_entry
    from tracker.journal.accounts import acting_as, find_account
    from tracker.journal.db import make_engine
    from tracker.journal.store import save_night

    owner, app = make_engine(practice.database.owner_url), make_engine(practice.database.app_url)
    try:
        with Session(owner) as session:
            jo = find_account(session=session, email=JO).id
        with acting_as(jo), Session(app) as session:
            entry = make_entry(days_ago(1), notes=SAMS_NOTE)
            save_night(session=session, entry=entry, expected_version=0)
    finally:
        app.dispose()
        owner.dispose()
    base = practice.base
    # The same cookie made today opens her journal: the test's cookie is the real thing.
    fresh = client(base, identity_cookie(practice.secrets, base, JO, days_old=0))
    out = fresh.run()
    out += fresh.run(page=fresh.pages()["History"])
    assert "1 cramp" in out and "Sign in" not in out
    fresh.close()
    for days_old in (32, 400):  # Streamlit keeps a sign-in 30 days, plus a day's grace
        stale = client(base, identity_cookie(practice.secrets, base, JO, days_old=days_old))
        out = stale.run()
        for name in ("history", "summary", "trends", "settings"):
            out += stale.run(page_name=name)
        assert "Sign in" in out and "1 cramp" not in out and SAMS_NOTE not in out
        assert {e.body for e in stale.elements("heading")} == {"Cramp Journal"}
        assert not stale.elements("download_button")
        stale.close()
