"""`cramp-journal bench`, all of it: one run, every figure with its goal (issues 11, 21 and 25's
floors), issue 11's old ratios for reference, and how noisy the run was (the spread of the
browser pairs, the machine's load at start and end).

The AppTest, summary, PDF and memory figures come from tracker.bench.measure, the PostgreSQL
summary from tracker.bench.postgres, exports and imports from tracker.bench.files, the real
browser from tracker.bench.browser. A goal that could not be measured says why.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from pathlib import Path

from tracker.bench import browser, files, floors, hosted, measure, postgres, soak
from tracker.bench.noise import load_average, shown

BROWSER_REFERENCE = {  # issue 11's goals against a blank page: figures for reference now
    "save": 'save (click to "Saved") against a blank page\'s (was <= {goal:g}x)',
    "trends_warm": "Trends warm (click to every chart drawn) against a blank page switch "
    "(was <= {goal:g}x)",
    "trends_after_save": "Trends after a save (the first visit each morning) against a blank "
    "page switch (was <= {goal:g}x)",
}
FIRST_GOAL = "Trends' first visit after the server starts <= {goal:g}x a later visit"


@dataclass(frozen=True)
class Options:
    """What to measure: journal sizes, timed repeats, browser pairs, a PostgreSQL URL."""

    sizes: tuple[int, ...]
    repeat: int = 5
    pairs: int = 7
    use_browser: bool = True
    use_files: bool = True
    postgres_url: str | None = None
    soak_saves: int = 0  # the browser's memory soak: saves (0: off)
    hosted_people: int = 0  # --hosted: people in the practice's morning rush (0: off)


def _goal(goal: str, measured: str, passed: bool | None, **extra: object) -> dict:
    return {"goal": goal, "measured": measured, "pass": passed, **extra}


def _browser_goals(result: dict) -> list[dict]:
    goal = FIRST_GOAL.format(goal=browser.FIRST_GOAL)
    if "skipped" in result:
        return [_goal(goal, f"not measured: {result['skipped']}", None)]
    found = []
    for size in result["sizes"]:
        f = size["trends_first"]
        found.append(
            _goal(
                f"{goal} at {size['nights']:,} nights",
                f"{f['ratio']:.1f}x ({f['app_ms']:.0f} ms against {f['blank_ms']:.0f} ms; "
                f"spread {shown(f['app_spread'])} / {shown(f['blank_spread'])}); first number "
                f"{f['first_number_ms']:.0f} ms against {f['later_number_ms']:.0f} ms",
                f["pass"],
            )
        )
    return found


def _browser_reference(result: dict) -> list[dict]:
    found = []
    for name, text in BROWSER_REFERENCE.items():
        for size in result.get("sizes", []):
            f = size[name]
            found.append(
                {
                    "figure": f"{text.format(goal=f['goal_x'])} at {size['nights']:,} nights",
                    "measured": f"{f['ratio']:.1f}x ({f['app_ms']:.0f} ms against "
                    f"{f['blank_ms']:.0f} ms; spread {shown(f['app_spread'])} / "
                    f"{shown(f['blank_spread'])})",
                }
            )
    return found


SOAK_GOAL = (
    f"server RSS grows < {soak.GROWTH_MB} MB after a warm-up of {soak.SAMPLE_EVERY} saves, "
    "over many saves and Trends visits (--soak N)"
)


def _soak_goal(result: dict) -> dict:
    if "skipped" in result:
        return _goal(SOAK_GOAL, f"not measured: {result['skipped']}", None)
    if result["growth_mb"] is None:
        return _goal(SOAK_GOAL, "not measured: too few samples or no /proc", None)
    return _goal(
        SOAK_GOAL,
        f"{result['growth_mb']:+.0f} MB ({result['warm_mb']:.0f} -> {result['end_mb']:.0f} MB) "
        f"over {result['saves']} saves and {result['visits']} Trends visits at "
        f"{result['nights']:,} nights",
        result["pass"],
    )


def soak_result(browser_result: dict) -> dict:
    """The soak's result, or why there is none (the browser's own reason when it did not run)."""
    return browser_result.get("soak", {"skipped": browser_result.get("skipped", "not run")})


def _summary_reference(sqlite_rows: list[dict], pg: dict) -> list[dict]:
    rows = [("SQLite", row) for row in sqlite_rows]
    rows += [("PostgreSQL", row) for row in pg.get("sizes", [])]
    return [
        {
            "figure": f"summary against one hand-written SQL query on {engine} at "
            f"{row['nights']:,} nights (was <= {measure.FLOOR_RATIO:g}x)",
            "measured": f"{row['ratio']:.2f}x ({row['summary_ms']:.1f} ms against "
            f"{row['floor_ms']:.1f} ms)",
        }
        for engine, row in rows
    ]


def floor_targets(result: dict) -> list[dict]:
    """Issue 25's floors as targets named "floor: ...": (c) the summary at each size, (a) and
    (b) in the browser at each size (or why they were not measured)."""
    return floors.summary_targets(result["summary_floor"]) + floors.browser_targets(
        result["browser"]
    )


def goals(result: dict) -> list[dict]:
    """Every goal with what was measured and PASS (True), MISS or not measured (None): the
    floors first."""
    found = [
        _goal(t["target"], t["measured"], t["pass"])
        for t in result["targets"]
        if t["target"].startswith(("floor:", "hosted:"))
    ]
    found += _browser_goals(result["browser"])
    for goal in result["files"]["goals"]:
        note = "" if goal.get("at_goal_size", True) else " (smaller than the goal's size)"
        found.append(_goal(goal["goal"], goal["measured"] + note, goal["pass"]))
    pdfs = [result["pdf"]]  # at the size nearest ten years, and at the largest
    if (largest := result.get("pdf_largest")) and largest["nights"] != pdfs[0]["nights"]:
        pdfs.append(largest)
    for pdf in pdfs:
        found.append(
            _goal(
                f"PDF warm < {measure.PDF_SECONDS:g} s",
                f"{pdf['pdf_seconds']:.2f} s ({pdf['weeks']} weeks at {pdf['nights']:,} nights)",
                pdf["pdf_seconds"] < measure.PDF_SECONDS,
            )
        )
    found.append(_soak_goal(soak_result(result["browser"])))
    return found


def noise(result: dict, start: list | None, end: list | None) -> dict:
    """How far the run's figures can be trusted: pair spreads and the machine's load."""
    spreads = []
    for size in result["browser"].get("sizes", []):
        for f in [*(size[name] for name in browser.GOALS), *size["floors"].values()]:
            spreads += [s for s in (f["app_spread"], f["blank_spread"]) if s]
    return {
        "load_average_start": start,
        "load_average_end": end,
        "cpus": os.cpu_count(),
        "median_spread": round(statistics.median(spreads), 2) if spreads else None,
        "worst_spread": max(spreads) if spreads else None,
    }


def run(options: Options, folder: Path) -> dict:
    """Build the journals in folder, measure everything and return it as JSON values."""
    start = load_average()
    result = measure.run(options.sizes, options.repeat, folder)  # builds the journals
    journals = {n: folder / f"journal-{n}.db" for n in options.sizes}
    result["pairs"] = options.pairs
    result["summary_floor"] = [
        floors.summary_floor(f"sqlite:///{path}", n, options.repeat) for n, path in journals.items()
    ]
    result["postgres"] = postgres.run(options.postgres_url, options.sizes, options.repeat)
    if options.use_files:
        result["files"] = files.run(journals, result["pdf"]["nights"], folder)
    else:
        result["files"] = files.skipped("--no-files")
    if options.use_browser:
        result["browser"] = browser.run(journals, options.pairs, folder, options.soak_saves)
    else:
        result["browser"] = {"skipped": "--no-browser"}
    result["targets"] += floor_targets(result)
    result["reference"] += _browser_reference(result["browser"])
    result["reference"] += _summary_reference(result["summary"], result["postgres"])
    if options.hosted_people:  # issue 25: the morning rush on a practice's server
        result["hosted"] = hosted.run(hosted.HostedOptions(people=options.hosted_people))
        result["targets"] += hosted.targets(result["hosted"])
        result["reference"] += hosted.reference(result["hosted"])
    result["goals"] = goals(result)
    result["noise"] = noise(result, start, load_average())
    return result


def _verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "----"}[passed]


def report_text(result: dict) -> str:
    """Everything for a terminal: the tables, then each goal, the reference figures, the noise."""
    n = result["noise"]
    lines = [
        measure.report_text(result),
        "",
        *postgres.report_lines(result["postgres"]),
        "",
        *files.report_lines(result["files"]),
        "",
        *browser.report_lines(result["browser"]),
        *soak.report_lines(soak_result(result["browser"])),
        "",
        *([*hosted.report_lines(result["hosted"]), ""] if "hosted" in result else []),
        "Goals (issue 25's floors and the hosted rush, then issues 11 and 21):",
        *(f"  {_verdict(g['pass'])}  {g['goal']}: {g['measured']}" for g in result["goals"]),
        "",
        "For reference, no goal (issue 11's ratios against a blank page and one SQL query):",
        *(f"        {r['figure']}: {r['measured']}" for r in result["reference"]),
        "",
        f"Noise: load average (1, 5, 15 min) at start {n['load_average_start']}, at end "
        f"{n['load_average_end']}, on {n['cpus']} CPUs; spread of the browser pairs "
        f"(IQR/median): median {shown(n['median_spread'])}, worst {shown(n['worst_spread'])}. "
        "A load near the CPU count or a spread above 0.3 makes a ratio uncertain.",
    ]
    return "\n".join(lines)
