"""A real Chromium plans an experiment on a phone and on a desktop screen, through the app's
router (so with its touch styles): the habit as big buttons, only that habit's questions, the
block plan in words, Start and Stop answered in the viewport; every control at least 44x44 px
and 8 px apart on a phone, and axe-core finds nothing serious or critical in any state.
Screenshots of each state are kept in test-artifacts/experiments-*.png."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session

from tests.browser_support import (
    DESKTOP,
    PHONE,
    Guard,
    axe_violations,
    in_viewport,
    require_axe,
    require_chromium,
    running_app,
    screenshot,
    touch_targets,
    wait_for_app,
)
from tests.factories import journal_with_due_date
from tracker.insights.plan_words import block_plan
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.plan_store import load_plans, save_plan
from tracker.journal.plans import Plan, schedule
from tracker.journal.schema import ensure_schema

pytestmark = pytest.mark.browser
TODAY = dt.date.today()
HABIT = "What do you want to try?"
BLOCKS = "How many blocks of nights?"
QUESTIONS = {  # each habit's button, and the one question only it asks
    "Calf stretching before bed": None,
    "A water target": "Water to drink on the 'on' days",
    "Magnesium": "I have discussed magnesium with my clinician",
    "Another habit": "Another habit, in your words",
}
PLAN = re.compile(r"^(\d+) blocks of (\d+)(?: to (\d+))? nights: (\d+) nights")


def plans(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [plan for _, plan in load_plans(conn)]
    finally:
        engine.dispose()


@pytest.fixture
def app(tmp_path):
    """The whole app (router and all) on a journal with a due date and no experiment."""
    require_chromium()
    url = journal_with_due_date(f"sqlite:///{tmp_path / 'journal.db'}")
    with running_app(url) as base:
        yield base, url


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The app on the demo journal, with an experiment in its fourth week: one server for the
    phone and the desktop, which only look at it (the second finds it warm)."""
    require_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        fill_demo(session=s)
    with engine.begin() as conn:
        save_plan(
            conn, Plan(habit="water", start=TODAY - dt.timedelta(days=24), seed=5, target=2000)
        )
    engine.dispose()
    with running_app(url) as base:
        yield base, url


class Screen:
    """One browser tab on the Experiments page, checking each state it reaches."""

    def __init__(self, browser, base: str, context: dict, name: str) -> None:  # noqa: ANN001
        self.page = browser.new_page(**context)
        self.guard = Guard()
        self.guard.attach(self.page, base)
        self.name, self.phone = name, context is PHONE
        self.problems: dict[str, object] = {}
        self.page.goto(f"{base}/experiments")
        wait_for_app(self.page)

    def tap(self, locator) -> None:  # noqa: ANN001
        locator.scroll_into_view_if_needed()
        locator.tap() if self.phone else locator.click()
        wait_for_app(self.page)

    def choice(self, group: str, option: str):  # noqa: ANN201
        return self.page.get_by_role("radiogroup", name=group).get_by_role(
            "radio", name=option, exact=True
        )

    def check(self, state: str) -> None:
        """Screenshot this state; keep its small or crowded controls and axe's findings."""
        screenshot(self.page, f"experiments-{self.name}-{state}")
        if self.phone:
            found = touch_targets(self.page)
            self.problems[f"{state}: under 44 px"] = found["small"]
            self.problems[f"{state}: under 8 px apart"] = found["close"]
        self.problems[f"{state}: axe"] = axe_violations(self.page)

    def questions(self) -> set[str]:
        main = self.page.locator("[data-testid=stMain]")
        return {q for q in QUESTIONS.values() if q and main.get_by_text(q, exact=True).count()}

    def asks(self, expected: set[str]) -> bool:
        """Whether the page comes to ask exactly these questions (a rerun may still be on its
        way when the tap returns)."""
        for _ in range(50):
            if self.questions() == expected:
                return True
            self.page.wait_for_timeout(200)
        return False

    def said(self, words: str) -> None:
        """Her tap's outcome: a message in the viewport, and a toast."""
        message = self.page.locator("[data-testid=stAlert]").filter(has_text=words)
        message.wait_for()
        self.page.wait_for_timeout(1100)  # the app's own scroll runs up to 1 s after
        assert in_viewport(self.page, message), f"{words!r} is off screen"
        toast = self.page.locator("[data-testid=stToast]").filter(has_text=words)
        assert toast.count() == 1
        # Streamlit's toast is an alertdialog without an accessible name (axe: aria-dialog-name,
        # serious), on every page that shows one: the page is checked once it has gone.
        toast.wait_for(state="detached", timeout=20_000)

    def clean(self) -> None:
        assert self.guard.console_errors == [] and self.guard.foreign_requests == []
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], "the page scrolls sideways"


@pytest.mark.parametrize(("context", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_planning_an_experiment_in_a_real_browser(app, browser, context, name) -> None:
    require_axe()
    base, url = app
    screen = Screen(browser, base, context, name)
    page = screen.page
    assert screen.questions() == set()  # nothing asked before she picks
    assert page.get_by_role("button", name="Start this experiment").count() == 0
    screen.check("empty")
    for label, question in QUESTIONS.items():
        button = screen.choice(HABIT, label)
        screen.tap(button)
        assert button.get_attribute("aria-checked") == "true"
        assert screen.asks({question} if question else set()), (label, screen.questions())
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, f"{label}: {box}"
        screen.check(re.sub(r"\W+", "-", label.lower()))
    screen.tap(screen.choice(HABIT, "Magnesium"))  # the box not ticked: refused, said here
    screen.tap(page.get_by_role("button", name="Start this experiment"))
    screen.said("tick that you discussed it with your clinician")
    screen.check("magnesium-refused")
    assert plans(url) == []
    screen.tap(screen.choice(HABIT, "Calf stretching before bed"))
    screen.tap(screen.choice(BLOCKS, "6"))
    plan_said = page.locator("[data-testid=stAlert]").filter(has_text=" blocks of ")
    sentence = plan_said.locator("[data-testid=stMarkdownContainer]").inner_text()
    count, shortest, longest, total = PLAN.match(sentence.strip()).groups()
    assert count == "6" and 6 * int(shortest) <= int(total) <= 6 * int(longest or shortest)
    screen.tap(page.get_by_role("button", name="Start this experiment"))
    screen.said("Your experiment is saved. It starts tonight.")
    (plan,) = plans(url)
    assert (plan.habit, plan.blocks, plan.start) == ("stretching", 6, TODAY)
    assert block_plan(schedule(plan)) == sentence.strip()  # what she was shown is what runs
    assert page.get_by_text("Your experiment, block 1 of 6").is_visible()
    screen.check("running")
    screen.tap(page.get_by_role("button", name="Stop this experiment"))
    screen.check("stop-asked")
    screen.tap(page.get_by_role("button", name="Yes, stop it"))
    screen.said("Your experiment is stopped. Tonight has no plan.")
    screen.check("stopped")
    assert plans(url)[0].stopped == TODAY - dt.timedelta(days=1)
    screen.clean()
    bad = {state: found for state, found in screen.problems.items() if found}
    assert bad == {}, bad


@pytest.mark.parametrize(("context", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_running_experiment_with_nights_logged(demo, browser, context, name) -> None:
    require_axe()
    base, url = demo
    screen = Screen(browser, base, context, name)
    page = screen.page
    (plan,) = plans(url)
    main = page.locator("[data-testid=stMain]")
    main.get_by_text(block_plan(schedule(plan)), exact=True).wait_for()
    page.get_by_role("heading", name="So far").wait_for(timeout=120_000)  # a busy machine
    wait_for_app(page)
    assert page.get_by_role("radiogroup", name=HABIT).count() == 0  # one at a time
    screen.check("running-demo")
    screen.clean()
    bad = {state: found for state, found in screen.problems.items() if found}
    assert bad == {}, bad
