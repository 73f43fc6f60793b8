"""A real Chromium opens Trends on the sample pregnancy: every chart is drawn, on a phone and a
desktop screen, by date and by week of pregnancy, with nothing fetched from elsewhere, no
console errors and no sideways scrolling. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlmodel import Session

from tests.browser_support import (
    Guard,
    require_chromium,
    running_app,
    screenshot,
    wait_for_app,
)
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema

pytestmark = pytest.mark.browser
# The sample has a due date and cramps: per night, per week, calendar, severity and duration,
# time of night, where, habits.
CHARTS = 7
CONTENT_WIDTH = 704  # the main column of Streamlit's centred layout on a wide screen
CHART = "[data-testid=stVegaLiteChart]"
DRAWING = "canvas, svg.marks"  # Vega draws into a canvas (its default) or an svg
BOXES = f"""() => [...document.querySelectorAll('{CHART}')].map(chart => {{
    const drawn = chart.querySelector('{DRAWING}');
    const box = drawn ? drawn.getBoundingClientRect() : {{width: 0, height: 0, right: 0}};
    return {{width: box.width, height: box.height, right: box.right}};
}})"""
ALL_DRAWN = (
    f"() => document.querySelectorAll('{CHART}').length >= {CHARTS} && "
    f"[...document.querySelectorAll('{CHART}')].every(c => c.querySelector('{DRAWING}'))"
)
# Opened straight at /trends, Streamlit first looks for its server under /trends/_stcore/ and
# gets a 404 before trying the root (streamlit/streamlit#7074): those, and nothing else, are
# forgiven, with the console error each one logs.
PROBES = ("/trends/_stcore/health", "/trends/_stcore/host-config")
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@dataclass
class Watch:
    """What the browser saw besides the page: failed requests and Vega's warnings."""

    failed: list[str] = field(default_factory=list)
    vega_warnings: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    require_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('trends') / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as session:
        fill_demo(session=session)
    engine.dispose()
    with running_app(url) as base:
        yield base


def open_trends(browser, base: str, width: int, height: int):  # noqa: ANN001
    page = browser.new_page(viewport={"width": width, "height": height}, is_mobile=width < 500)
    guard, watch = Guard(), Watch()
    guard.attach(page, base)
    page.on("response", lambda r: r.status >= 400 and watch.failed.append(r.url[len(base) :]))
    # Vega logs a spec it cannot honour (a bar width it ignores, say) as "WARN ...".
    page.on(
        "console",
        lambda m: m.type == "warning" and "WARN" in m.text and watch.vega_warnings.append(m.text),
    )
    page.goto(f"{base}/trends")
    wait_for_app(page)
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    page.wait_for_timeout(500)  # let Vega finish its first draw
    return page, guard, watch


def check_page(page, width: int) -> None:  # noqa: ANN001
    boxes = page.evaluate(BOXES)
    assert len(boxes) == CHARTS
    for box in boxes:
        assert box["width"] > 0.5 * min(width, CONTENT_WIDTH), f"a chart is squashed: {boxes}"
        assert box["height"] > 50, f"a chart has no height: {boxes}"
        assert box["right"] <= width + 1, f"a chart runs off the screen: {boxes}"
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, "the page scrolls sideways"


def check_quiet(guard: Guard, watch: Watch) -> None:
    assert guard.foreign_requests == []
    probes = [url for url in watch.failed if url in PROBES]
    assert watch.failed == probes, "a request failed"
    assert [error for error in guard.console_errors if error != NOT_FOUND] == []
    assert guard.console_errors.count(NOT_FOUND) <= len(probes)
    assert watch.vega_warnings == []


@pytest.mark.parametrize(("width", "height", "name"), [(390, 844, "phone"), (1280, 900, "desktop")])
def test_trends_charts_render(app, browser, width: int, height: int, name: str) -> None:
    page, guard, watch = open_trends(browser, app, width, height)
    screenshot(page, f"trends-{name}")  # kept for a human to look at, even when a check fails
    assert page.get_by_text("What your own data says").is_visible()
    check_page(page, width)
    weeks = page.get_by_role("radio", name="week of pregnancy")
    weeks.click()
    wait_for_app(page)
    assert weeks.get_attribute("aria-checked") == "true"
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    page.wait_for_timeout(500)
    screenshot(page, f"trends-{name}-weeks")
    check_page(page, width)
    check_quiet(guard, watch)
    page.close()
