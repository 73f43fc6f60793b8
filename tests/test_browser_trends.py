"""A real Chromium opens Trends on the sample pregnancy: every chart is drawn, on a phone and a
desktop screen, by date and by week of pregnancy, with nothing fetched from elsewhere, no
console errors and no sideways scrolling. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from sqlmodel import Session

from tests.browser_support import (
    PHONE,
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
# The sample has a due date and cramps: every tab has its charts (only the open tab's are drawn).
CHARTS = {"Over time": 2, "Calendar": 1, "Severity": 1, "Time and place": 2, "Habits": 1}
CONTENT_WIDTH = 704  # the main column of Streamlit's centred layout on a wide screen
CHART = "[data-testid=stVegaLiteChart]"
DRAWING = "canvas, svg.marks"  # Vega draws into a canvas (its default) or an svg
BOXES = f"""() => [...document.querySelectorAll('{CHART}')].map(chart => {{
    const drawn = chart.querySelector('{DRAWING}');
    const box = drawn ? drawn.getBoundingClientRect() : {{width: 0, height: 0, right: 0}};
    return {{width: box.width, height: box.height, right: box.right}};
}})"""


def all_drawn(count: int) -> str:
    """JS: exactly `count` charts on the page, each drawn."""
    return (
        f"() => document.querySelectorAll('{CHART}').length === {count} && "
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
    page.wait_for_function(all_drawn(CHARTS["Over time"]), timeout=30_000)
    page.wait_for_timeout(500)  # let Vega finish its first draw
    return page, guard, watch


def check_page(page, width: int, charts: int) -> None:  # noqa: ANN001
    boxes = page.evaluate(BOXES)
    assert len(boxes) == charts
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


def open_tab(page, group: str) -> None:  # noqa: ANN001
    """Tap a chart tab and wait until its charts, and only they, are drawn."""
    tab = page.get_by_role("tab", name=group, exact=True)
    tab.click()
    wait_for_app(page)
    assert tab.get_attribute("aria-selected") == "true"
    page.wait_for_function(all_drawn(CHARTS[group]), timeout=30_000)
    page.wait_for_timeout(500)
    # She tapped the tab: its charts start on her screen, not somewhere below it.
    top = page.evaluate(f"() => document.querySelector('{CHART}').getBoundingClientRect().top")
    assert top < page.viewport_size["height"], f"{group}: the first chart is below the screen"


@pytest.mark.parametrize(("width", "height", "name"), [(390, 844, "phone"), (1280, 900, "desktop")])
def test_trends_charts_render(app, browser, width: int, height: int, name: str) -> None:
    page, guard, watch = open_trends(browser, app, width, height)
    screenshot(page, f"trends-{name}")  # kept for a human to look at, even when a check fails
    assert page.get_by_text("What your own data says").is_visible()
    check_page(page, width, CHARTS["Over time"])
    for group in list(CHARTS)[1:]:
        open_tab(page, group)
        screenshot(page, f"trends-{name}-{group.lower().replace(' ', '-')}")
        check_page(page, width, CHARTS[group])
    open_tab(page, "Over time")
    weeks = page.get_by_role("radio", name="week of pregnancy")
    weeks.click()
    wait_for_app(page)
    assert weeks.get_attribute("aria-checked") == "true"
    page.wait_for_function(all_drawn(CHARTS["Over time"]), timeout=30_000)
    page.wait_for_timeout(500)
    screenshot(page, f"trends-{name}-weeks")
    check_page(page, width, CHARTS["Over time"])
    open_tab(page, "Severity")
    check_page(page, width, CHARTS["Severity"])
    check_quiet(guard, watch)
    page.close()


# ------------------------------------------------------------------ issue 21: read right

VIEWPORTS = {"phone": PHONE, "desktop": {"viewport": {"width": 1280, "height": 800}}}
DELTAS = """() => [...document.querySelectorAll('[data-testid=stMetric]')].map(m => {
    const delta = m.querySelector('[data-testid=stMetricDelta]');
    const rgb = delta ? getComputedStyle(delta).color.match(/\\d+/g).map(Number) : null;
    return {label: m.querySelector('[data-testid=stMetricLabel]').innerText.trim(),
            value: m.querySelector('[data-testid=stMetricValue]').innerText.trim(),
            delta: delta ? delta.innerText.trim() : null, rgb: rgb,
            arrow: delta ? !!delta.querySelector('svg, [data-testid=stIconMaterial]') : false};
})"""


def headline_in(browser, base: str, kind: str):  # noqa: ANN001
    """Trends on a phone or a desktop screen, first tab drawn: the page and its numbers."""
    page = browser.new_context(**{"locale": "en-GB", **VIEWPORTS[kind]}).new_page()
    page.goto(f"{base}/trends")
    wait_for_app(page)
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{CHART}')].every(c => c.querySelector("
        f"'{DRAWING}')) && document.querySelectorAll('{CHART}').length > 0",
        timeout=30_000,
    )
    page.wait_for_timeout(500)
    return page, {m["label"]: m for m in page.evaluate(DELTAS)}


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_the_badges_say_what_they_compare_in_colours_that_fit(app, browser, kind: str) -> None:
    page, shown = headline_in(browser, app, kind)
    screenshot(page, f"trends-21-demo-{kind}")
    for label in ("Cramps per week", "Nights with cramps", "Average severity"):
        m = shown[label]
        assert m["delta"].endswith("the 4 weeks before"), m  # said on the badge, not a tooltip
        assert not m["delta"].startswith(("+", "-", "↑", "↓")), m
        red, green, _ = m["rgb"]
        if m["delta"].startswith("About the same"):
            assert abs(red - green) < 40 and not m["arrow"], m  # grey, no arrow
        elif " fewer " in m["delta"] or " lower " in m["delta"]:
            assert green > red, f"a fall in cramps is shown in red: {m}"
        else:
            assert red > green, m
    assert page.get_by_text("Before and after starting magnesium (whole diary).").is_visible()
    body = page.inner_text("[data-testid=stMain]")
    assert not re.search(r"\d,\d\d\d", body), "a thousands comma the form would refuse"
    page.context.close()


@pytest.fixture(scope="module")
def three_nights(tmp_path_factory):
    """A journal of three nights ending last night, across two weeks of pregnancy."""
    from tests.factories import make_entry, make_profile
    from tracker.journal.store import save_night, save_profile

    require_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('three') / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    last = dt.date.today() - dt.timedelta(days=1)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(due_date=last + dt.timedelta(days=63)))
        for days, cramps in ((2, 2), (1, 1), (0, 1)):
            night = last - dt.timedelta(days=days)
            save_night(session=s, entry=make_entry(night, cramps=cramps, water_ml=2050))
    engine.dispose()
    with running_app(url) as base:
        yield base


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_three_nights_are_too_few_to_tell_and_fill_the_chart(three_nights, browser, kind) -> None:
    page, shown = headline_in(browser, three_nights, kind)
    screenshot(page, f"trends-21-three-nights-{kind}")
    week = shown["Cramps per week"]
    assert (week["value"], week["delta"], week["arrow"]) == ("–", "Too few nights to tell", False)
    assert shown["Nights with cramps"]["value"] == "3 of 3"
    assert shown["Nights logged"]["value"] == "3 of 3"
    assert "too few nights to tell." in page.inner_text("[data-testid=stMain]")  # its weeks
    body = page.inner_text("[data-testid=stMain]")
    assert "3 of 3 nights logged" in body  # the chart's words: it holds only her nights
    assert "orange" not in body.lower()
    width = VIEWPORTS[kind]["viewport"]["width"]
    for box in page.evaluate(BOXES):
        assert box["width"] > 0.5 * min(width, CONTENT_WIDTH) and box["right"] <= width + 1
    page.context.close()
