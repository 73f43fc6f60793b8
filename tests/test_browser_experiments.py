"""A real Chromium plans an experiment on a phone and on a desktop screen: the plan is drawn,
tonight's part and the schedule shown, with no sideways scrolling and nothing fetched from
elsewhere. The page runs on its own (it is not in the router yet). Screenshots are kept in
test-artifacts/."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser_support import (
    DESKTOP,
    PHONE,
    ROOT,
    Guard,
    chromium,
    free_port,
    require_chromium,
    screenshot,
    wait_for_app,
    wait_until_serving,
)
from tracker.journal.db import make_engine
from tracker.journal.plan_store import load_plans
from tracker.journal.schema import ensure_schema

pytestmark = pytest.mark.browser


@pytest.fixture
def app(tmp_path):
    """The Experiments page served by `streamlit run` on a journal with the experiment table."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    port = free_port()
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "pages" / "experiments.py"),
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(port, proc, tmp_path / "streamlit.log")
        yield base, engine
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
        engine.dispose()


@pytest.mark.parametrize(("context", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_planning_an_experiment_in_a_real_browser(app, context: dict, name: str) -> None:
    base, engine = app
    with chromium() as browser:
        page = browser.new_context(**context).new_page()
        guard = Guard()
        guard.attach(page, base)
        page.goto(base)
        wait_for_app(page)
        screenshot(page, f"experiments-{name}-plan")
        page.get_by_text("Calf stretching before bed").click()
        page.get_by_role("button", name="Draw my schedule").click()
        page.get_by_text("Your experiment, block 1 of 12").wait_for(timeout=30_000)
        wait_for_app(page)
        screenshot(page, f"experiments-{name}-drawn")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= context["viewport"]["width"]  # no sideways scrolling
        assert page.get_by_text("So far").is_visible()
        assert guard.foreign_requests == [] and guard.console_errors == []
    with engine.connect() as conn:
        assert [plan.habit for _, plan in load_plans(conn)] == ["stretching"]
