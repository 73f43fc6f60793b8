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
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path

from sqlalchemy import text

from tracker.bench import soak
from tracker.bench.browser_page import AppTab, BlankTab
from tracker.bench.noise import pairs_figures, shown
from tracker.bench.servers import blank_app, peak_mb, real_app
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
GOALS = {"save": 1.5, "trends_warm": 3.0, "trends_after_save": 5.0}  # x the blank page
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


def _one_pair(name: str, app: AppTab, blank: BlankTab, flip: bool) -> tuple[float, float]:
    actions = {
        "save": (app.save, blank.save),
        "trends_after_save": (app.to_trends, blank.switch),
        "trends_warm": (app.to_trends, blank.switch),
    }[name]
    if flip:
        b, a = actions[1](), actions[0]()
    else:
        a, b = actions[0](), actions[1]()
    return a, b


def time_size(journal: Path, nights: int, pairs: int, browser, blank: BlankTab, folder: Path):  # noqa: ANN001, ANN201
    """The three figures at one size: medians of `pairs` interleaved pairs, and their spread."""
    url = without_last_night(journal, folder / f"browser-{nights}.db")
    with real_app(url, folder) as server:
        app = AppTab(browser, server.url)
        try:
            charts = app.count_charts()
            app.save()  # warm-up: the first save (a new night) and the Trends visits after it
            app.to_trends()
            app.to_trends()
            blank.save()
            blank.switch()
            found: dict[str, list[tuple[float, float]]] = {name: [] for name in GOALS}
            for i in range(pairs):
                for name in ("save", "trends_after_save", "trends_warm"):  # the write comes first
                    found[name].append(_one_pair(name, app, blank, flip=i % 2 == 1))
            errors = list(app.errors)
        finally:
            app.close()
        server_mb = peak_mb(server.pid)
    figures = {name: pairs_figures(found[name]) for name in GOALS}
    for name, goal in GOALS.items():
        figures[name]["goal_x"] = goal
        figures[name]["pass"] = figures[name]["ratio"] <= goal
    return {
        "nights": nights,
        "charts": charts,
        "page_errors": errors,
        "server_peak_mb": server_mb,
        **figures,
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
    """The browser figures as lines of a table, each with its goal."""
    if "skipped" in result:
        return [f"Real browser: not measured: {result['skipped']}; AppTest figures only."]
    lines = [
        f"Real browser (Chromium headless, phone screen, `cramp-journal serve`), medians of "
        f"{result['pairs']} interleaved pairs against a blank page (spread = IQR/median):",
        f"  {'':4} {'nights':>7} {'action':<18} {'app ms':>7} {'spread':>6} {'blank ms':>8} "
        f"{'spread':>6} {'ratio':>6} {'goal':>6}",
    ]
    for size in result["sizes"]:
        for name in GOALS:
            f = size[name]
            lines.append(
                f"  {'PASS' if f['pass'] else 'MISS'} {size['nights']:>7,} {name:<18} "
                f"{f['app_ms']:>7.0f} {shown(f['app_spread']):>6} {f['blank_ms']:>8.0f} "
                f"{shown(f['blank_spread']):>6} {f['ratio']:>5.1f}x <={f['goal_x']:g}x"
            )
        lines.append(first_line(size["nights"], size["trends_first"]))
        lines.append(
            f"  {'':4} {size['nights']:>7,} server peak memory {size['server_peak_mb']} MB, "
            f"{size['charts']} charts, {len(size['page_errors'])} page errors"
        )
    return lines


def first_line(nights: int, f: dict) -> str:
    """Trends' first visit after a start as a line of the table: the later visit is its blank."""
    return (
        f"  {'PASS' if f['pass'] else 'MISS'} {nights:>7,} {'trends_first':<18} "
        f"{f['app_ms']:>7.0f} {shown(f['app_spread']):>6} {f['blank_ms']:>8.0f} "
        f"{shown(f['blank_spread']):>6} {f['ratio']:>5.1f}x <={f['goal_x']:g}x  (against a later "
        f"visit, {f['starts']} starts; first number {f['first_number_ms']:.0f} ms against "
        f"{f['later_number_ms']:.0f})"
    )
