"""What she waits for in a real browser: the real server, headless Chromium, a phone's screen.

For each journal size, against the blank reference app (tracker.bench.servers), as interleaved
A/B pairs (the order flips every pair), timed in the page from a click until the result shows:
- save: Save on Last night until "Saved the night of" shows (blank: Save until "Saved N");
- trends_after_save: the Trends link until every chart is drawn, right after a save (the
  first visit each morning: the caches are cold); blank: a switch to its other page;
- trends_warm: the same again, nothing saved in between;
- trends_first: Trends' first visit after the server starts (a new tab opens the app, then
  Trends), against a later visit (another new tab on the same server, so the browser starts
  as cold and only the server is warm), on FIRST_STARTS fresh servers: until every chart is
  drawn, and until the first number shows.
The floors of issue 25 (goals; the blank page's ratios above stay as a reference, no goal):
- the save and Trends (warm, after a save) against the prepared pages (tracker.bench.prepared:
  the same elements and chart specs drawn from data captured at bench start), timed in the
  same interleaved rounds as the app and the blank page: within floors.PAGE_FLOOR_X;
- first_load: Last night's first load on a phone, cold (a new browser context), against the
  blank app's first load, interleaved pairs: within floors.FIRST_LOAD_X.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path

from sqlalchemy import text

from tracker.bench import prepared, soak
from tracker.bench.browser_page import AppTab, BlankTab, PreparedTab, first_load
from tracker.bench.floors import FIRST_LOAD_X, PAGE_FLOOR_X
from tracker.bench.measure import Built
from tracker.bench.noise import pairs_figures, shown
from tracker.bench.servers import blank_app, peak_mb, prepared_app, real_app
from tracker.journal.db import make_engine

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GOALS = {"save": 1.5, "trends_warm": 3.0, "trends_after_save": 5.0}  # x blank: a reference
FIRST_GOAL = 1.5  # Trends' first visit after a start, x a later visit (issue 21: 2.7 s vs 0.5)
FIRST_STARTS = 3  # fresh servers, a first and a later visit on each


def missing() -> str | None:
    """Why the browser figures cannot be measured here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def without_last_night(source: Path, copy: Path) -> str:
    """A copy of the journal without last night, so the first save writes a new night."""
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    last = dt.date.today() - dt.timedelta(days=1)
    try:
        with engine.begin() as conn:
            ids = "SELECT id FROM night WHERE night = :last"
            for table in ("cramp", "redflag"):
                conn.execute(text(f"DELETE FROM {table} WHERE night_id IN ({ids})"), {"last": last})
            conn.execute(text("DELETE FROM night WHERE night = :last"), {"last": last})
    finally:
        engine.dispose()
    return url


def _one_round(name: str, tabs: tuple[AppTab, BlankTab, PreparedTab], i: int) -> list[float]:
    """One timing of `name` on each tab (app, blank, prepared), starting from a different tab
    each round."""
    app, blank, floor = tabs
    actions = {
        "save": (app.save, blank.save, floor.save),
        "trends_after_save": (app.to_trends, blank.switch, floor.to_trends),
        "trends_warm": (app.to_trends, blank.switch, floor.to_trends),
    }[name]
    found: list[float] = [0.0, 0.0, 0.0]
    for k in range(3):
        which = (i + k) % 3
        found[which] = actions[which]()
    return found


def capture(journal: Path, nights: int, folder: Path) -> Path:
    """The prepared app for this journal: its pages captured from the real ones (on a copy
    without last night, so that the capture's first save writes a new night, as here)."""
    url = without_last_night(journal, folder / f"prepared-{nights}.db")
    pages = prepared.capture_pages(Built(url, nights, 0, dt.date.today()))
    (place := folder / f"prepared-{nights}").mkdir(exist_ok=True)
    return prepared.write_pages(pages, place)


def first_loads(browser, app_url: str, blank_url: str, pairs: int) -> dict:  # noqa: ANN001
    """Last night's first load against the blank app's, cold, as interleaved pairs."""
    found = []
    for i in range(pairs):
        loads = [lambda: first_load(browser, app_url, "Last night"),
                 lambda: first_load(browser, blank_url, "Blank")]  # fmt: skip
        if i % 2:
            blank_ms, app_ms = loads[1](), loads[0]()
        else:
            app_ms, blank_ms = loads[0](), loads[1]()
        found.append((app_ms, blank_ms))
    figures = pairs_figures(found)
    return figures | {"goal_x": FIRST_LOAD_X, "pass": figures["ratio"] <= FIRST_LOAD_X}


def time_size(journal: Path, nights: int, pairs: int, browser, blank: BlankTab, folder: Path):  # noqa: ANN001, ANN201
    """The figures at one size: medians of `pairs` interleaved rounds (app, blank page,
    prepared page), their spread, and the first loads."""
    url = without_last_night(journal, folder / f"browser-{nights}.db")
    script = capture(journal, nights, folder)
    with real_app(url, folder) as server, prepared_app(script) as floor_server:
        app, floor = AppTab(browser, server.url), PreparedTab(browser, floor_server.url)
        try:
            charts = app.count_charts()
            floor_charts = floor.count_charts()
            for tab in (app, floor):  # warm-up: the first save and the Trends visits after it
                tab.save()
                tab.to_trends()
                tab.to_trends()
            blank.save()
            blank.switch()
            found: dict[str, list[list[float]]] = {name: [] for name in GOALS}
            for i in range(pairs):
                for name in ("save", "trends_after_save", "trends_warm"):  # the write comes first
                    found[name].append(_one_round(name, (app, blank, floor), i))
            errors = list(app.errors) + list(floor.errors)
        finally:
            app.close()
            floor.close()
        loads = first_loads(browser, server.url, blank.url, pairs)
        server_mb = peak_mb(server.pid)
    figures = {name: pairs_figures([(a, b) for a, b, _ in found[name]]) for name in GOALS}
    floors = {name: pairs_figures([(a, p) for a, _, p in found[name]]) for name in GOALS}
    for name, goal in GOALS.items():
        figures[name]["goal_x"] = goal  # the old goal against the blank page: a reference
        floors[name] |= {"goal_x": PAGE_FLOOR_X, "pass": floors[name]["ratio"] <= PAGE_FLOOR_X}
    return {
        "nights": nights,
        "charts": charts,
        "prepared_charts": floor_charts,
        "page_errors": errors,
        "server_peak_mb": server_mb,
        **figures,
        "floors": floors,
        "first_load": loads,
        "trends_first": first_visits(journal, nights, browser, folder),
    }


def first_visits(source: Path, nights: int, browser, folder: Path, starts: int = FIRST_STARTS):  # noqa: ANN001, ANN201
    """Trends' first visit after the server starts against a later visit, on `starts` fresh
    servers: medians of the (first, later) pairs, until every chart is drawn and until the
    first number."""
    url = without_last_night(source, folder / f"first-{nights}.db")
    drawn, number = [], []
    for _ in range(starts):
        with real_app(url, folder) as server:
            visits = []
            for _ in ("first", "later"):  # each from a new tab: Last night opens, then Trends
                tab = AppTab(browser, server.url)
                try:
                    visits.append(tab.visit_trends())
                finally:
                    tab.close()
        (first_number, first_drawn), (later_number, later_drawn) = visits
        drawn.append((first_drawn, later_drawn))
        number.append((first_number, later_number))
    figures = pairs_figures(drawn)  # app_ms: the first visit, blank_ms: the later one
    numbers = pairs_figures(number)
    return {
        **figures,
        "starts": starts,
        "first_number_ms": numbers["app_ms"],
        "later_number_ms": numbers["blank_ms"],
        "number_ratio": numbers["ratio"],
        "goal_x": FIRST_GOAL,
        "pass": figures["ratio"] <= FIRST_GOAL,
    }


def _failed(exc: Exception) -> str:
    said = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"the browser run failed: {type(exc).__name__}: {said}"


def _soak(journals: dict[int, Path], saves: int, browser, folder: Path) -> dict:  # noqa: ANN001
    """The memory soak at the size nearest ten years, or why it did not run."""
    if not saves:
        return {"skipped": "off (run it with --soak N)"}
    nights = min(journals, key=lambda n: abs(n - soak.SOAK_SIZE))
    url = without_last_night(journals[nights], folder / f"soak-{nights}.db")
    try:
        return soak.run_soak(url, nights, saves, browser, folder)
    except Exception as exc:  # noqa: BLE001 (the pairs still count)
        return {"skipped": _failed(exc)}


def run(journals: dict[int, Path], pairs: int, folder: Path, soak_saves: int = 0) -> dict:
    """Every size in Chromium against one blank server, then the memory soak when asked for;
    {"skipped": why} when it cannot run."""
    if why := missing():
        return {"skipped": why}
    from playwright.sync_api import sync_playwright

    try:
        with blank_app(folder) as blank_server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                blank = BlankTab(browser, blank_server.url)
                sizes = [
                    time_size(p, n, pairs, browser, blank, folder) for n, p in journals.items()
                ]
                soaked = _soak(journals, soak_saves, browser, folder)
            finally:
                browser.close()
    except Exception as exc:  # noqa: BLE001 (the other figures still count: say what failed)
        return {"skipped": _failed(exc)}
    return {"pairs": pairs, "chromium": CHROMIUM, "sizes": sizes, "soak": soaked}


def report_lines(result: dict) -> list[str]:
    """The browser figures as lines of a table: the floors with their goals, the blank page's
    ratios for reference."""
    if "skipped" in result:
        return [f"Real browser: not measured: {result['skipped']}; AppTest figures only."]
    lines = [
        f"Real browser (Chromium headless, phone screen, `cramp-journal serve`), medians of "
        f"{result['pairs']} interleaved rounds (spread = IQR/median); the floors (goals): the "
        "prepared page drawing the same elements, a blank app's first load:",
        f"  {'':4} {'nights':>7} {'action':<18} {'app ms':>7} {'spread':>6} {'floor ms':>8} "
        f"{'spread':>6} {'ratio':>6} {'goal':>6}",
    ]
    for size in result["sizes"]:
        for name in GOALS:
            lines.append(_line(size["nights"], name, size["floors"][name], True))
        lines.append(_line(size["nights"], "first_load", size["first_load"], True))
        lines.append(first_line(size["nights"], size["trends_first"]))
        lines.append(
            f"  {'':4} {size['nights']:>7,} server peak memory {size['server_peak_mb']} MB, "
            f"{size['charts']} charts (prepared page: {size['prepared_charts']}), "
            f"{len(size['page_errors'])} page errors"
        )
    lines.append("  For reference, no goal: the same against a one-element blank page (issue 11):")
    for size in result["sizes"]:
        lines += [_line(size["nights"], name, size[name], False) for name in GOALS]
    return lines


def _line(nights: int, name: str, f: dict, goal: bool) -> str:
    verdict = ("PASS" if f["pass"] else "MISS") if goal else ""
    return (
        f"  {verdict:4} {nights:>7,} {name:<18} {f['app_ms']:>7.0f} {shown(f['app_spread']):>6} "
        f"{f['blank_ms']:>8.0f} {shown(f['blank_spread']):>6} {f['ratio']:>5.2f}x "
        + (f"<={f['goal_x']:g}x" if goal else f"(was <={f['goal_x']:g}x)")
    )


def first_line(nights: int, f: dict) -> str:
    """Trends' first visit after a start as a line of the table: the later visit is its blank."""
    return (
        f"  {'PASS' if f['pass'] else 'MISS'} {nights:>7,} {'trends_first':<18} "
        f"{f['app_ms']:>7.0f} {shown(f['app_spread']):>6} {f['blank_ms']:>8.0f} "
        f"{shown(f['blank_spread']):>6} {f['ratio']:>5.1f}x <={f['goal_x']:g}x  (against a later "
        f"visit, {f['starts']} starts; first number {f['first_number_ms']:.0f} ms against "
        f"{f['later_number_ms']:.0f})"
    )
