"""`cramp-journal bench --hosted`: the morning rush on a practice's server (issue 25).

deploy/try-it's deployment (PostgreSQL, the test identity provider, two app processes, Caddy
over HTTPS with its sticky cookie) with K patients and a few clinicians on the list. Each
person signs in for real over plain HTTP and keeps a light tab speaking Streamlit's websocket
protocol through the proxy (tracker.bench.hosted_client). In each round the K people tap
their morning log once each at random moments spread over the minute (tracker.bench.hosted_load
says why uniform) while the clinicians reload Patients and real Chromium tabs tap at their own
random moments of that minute, timing click-to-"Saved"; one Chromium person alone, before each
round and after the last, is the baseline of the same run. Then one burst, all K in the same
instant, the worst case, printed for reference. Then the faults (tracker.bench.hosted_faults),
and every confirmed save looked for in the database as its owner.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.bench.hosted_stack import (
    Stack,
    connections,
    deployment,
    last_nights,
    missing,
    rss_mb,
)
from tracker.bench.noise import load_average

if TYPE_CHECKING:  # the light clients need websockets, imported once the bench runs
    from tracker.bench.hosted_client import Light
    from tracker.bench.hosted_load import Rush

GOAL_PEOPLE, GOAL_SECONDS = 200, 60.0
GOAL_X = 3.0  # p95 under load against one person alone
GOAL_MB = 2.0  # RSS per extra session after warm-up
NAMES = {
    "rush": f"hosted: {GOAL_PEOPLE} people saving within one minute, on 2 app processes "
    f"(spread over {GOAL_SECONDS:g} s; and all at once, every one answered within "
    f"{GOAL_SECONDS:g} s)",
    "p95": f"hosted: p95 click-to-Saved under load (the {GOAL_PEOPLE} spread over the minute) "
    f"within {GOAL_X:g}x one person alone (Chromium)",
    "missing": "hosted: 0 confirmed saves missing from the database",
    "whole": "hosted: nothing half-written (each night with all its cramps)",
    "rss": f"hosted: RSS per extra session < {GOAL_MB:g} MB after warm-up",
    "kill": "hosted: an app process killed by its PID: its sessions back through the proxy, "
    "still signed in, saving again",
    "postgres": "hosted: PostgreSQL restarted: saves refused with the page's message meanwhile, "
    "saving again afterwards without restarting the app",
}


@dataclass(frozen=True)
class HostedOptions:
    people: int = GOAL_PEOPLE
    browsers: int = 3  # Chromium tabs under load (one more person measures alone)
    clinicians: int = 3
    rounds: int = 3
    alone: int = 5  # saves of the person alone before each round and after the last
    spread_s: float = GOAL_SECONDS  # each round's taps at random moments over this window
    browser_taps: int = 10  # each Chromium tab's taps in a round, at random moments too
    burst: bool = True  # then one round with all K in the same instant (for reference)
    faults: bool = True
    seed_nights: int = 14  # each patient's nights before last night


def browser_missing() -> str | None:
    from tracker.bench.browser import missing as chromium_missing

    return chromium_missing()


def run(options: HostedOptions) -> dict:
    """Start the deployment, measure, stop it: every figure as JSON values (or why not)."""
    if problem := missing():
        return {"skipped": problem}
    start = load_average()
    extra = options.browsers + 1 if options.browsers and browser_missing() is None else 0
    try:
        with deployment(options.people + extra, options.clinicians, options.seed_nights) as s:
            result = measure(s, options, extra)
    except Exception as exc:  # noqa: BLE001 - the rest of the bench's figures still count
        traceback.print_exc()
        return {"skipped": f"failed: {type(exc).__name__}: {exc}"}
    result["load_average"] = {"start": start, "end": load_average()}
    return result


def _rss(stack: Stack) -> dict[int, float | None]:
    return {app.port: rss_mb(app.pid) for app in stack.apps}


def _held(stack: Stack) -> dict[int, int]:
    return {app.port: connections(app.port) for app in stack.apps}


def say(text: str) -> None:
    """Where the bench is (on stderr: it takes minutes)."""
    print(f"bench --hosted: {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: int) -> float | None:
    """The q-th percentile (inclusive method), None without values."""
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _open(stack: Stack, light: Light, save: bool = False) -> None:
    light.open(stack)
    light.prepare()
    if save:
        light.log()


def _figures(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "max_ms": max(values) if values else None,
    }


def _round(found: Rush, spread_s: float) -> dict:
    return {
        "spread_s": spread_s,
        "seconds": round(found.seconds, 1),
        "outcomes": dict(Counter(found.outcomes.values())),
        "light": _figures(found.light_ms),
        "patients": _figures(found.patients_ms),
        "browser": _figures(found.browser_ms),
    }


def measure(stack: Stack, o: HostedOptions, extra: int = 0) -> dict:
    """Every figure on a running deployment (`extra`: the Chromium people at the end of its
    list)."""
    from tracker.bench.hosted_client import Light
    from tracker.bench.hosted_faults import kill_one_process, restart_postgres
    from tracker.bench.hosted_load import in_pool, rush

    k = o.people
    lights = [Light(p) for p in stack.people[:k]]
    staff = [Light(c) for c in stack.clinicians]
    result: dict = {"people": k, "clinicians": len(staff), "processes": len(stack.apps),
                    "rounds": [], "rss_mb": {"start": _rss(stack)}}  # fmt: skip
    say(f"{k} people and {len(staff)} clinicians sign in")
    t = time.perf_counter()
    in_pool(lambda light: light.sign_in(stack), lights + staff, threads=8)
    result["sign_in_s"] = round(time.perf_counter() - t, 1)
    warm = lights[: max(2, k // 10)]  # the warm-up: a tenth open their tab and save once
    say(f"signed in in {result['sign_in_s']:g} s; {len(warm)} open their tab and save (warm-up)")
    in_pool(lambda light: _open(stack, light, save=True), warm)
    result["rss_mb"]["warm"], result["sessions_warm"] = _rss(stack), _held(stack)
    say("everyone else opens their tab")
    t = time.perf_counter()
    in_pool(lambda light: _open(stack, light), lights[len(warm) :] + staff)
    result["open_s"] = round(time.perf_counter() - t, 1)
    result["rss_mb"]["open"], result["sessions_open"] = _rss(stack), _held(stack)
    alone_ms: list[float] = []
    under_ms: list[float] = []
    browsers_seen: dict = {"tabs": 0, "page_errors": 0}
    with contextlib.ExitStack() as stop:
        say("the Chromium people sign in and save once")
        tabs, alone = _browsers(stack, stop, extra, browsers_seen)
        for i in range(o.rounds):
            say(f"round {i + 1} of {o.rounds}: {k} taps spread over {o.spread_s:g} s")
            alone_ms += [alone.save() for _ in range(o.alone)] if alone else []
            found = rush(stack, lights, staff, tabs, spread_s=o.spread_s, seed=i,
                         browser_taps=o.browser_taps)  # fmt: skip
            under_ms += found.browser_ms
            result["rounds"].append(_round(found, o.spread_s))
        alone_ms += [alone.save() for _ in range(o.alone)] if alone else []
        if o.burst:
            say(f"the burst: all {k} tap in the same instant")
            result["burst"] = _round(rush(stack, lights, staff, tabs), 0.0)
        result["rss_mb"]["end"], result["sessions_end"] = _rss(stack), _held(stack)
        result["cookie_groups"] = sorted(
            Counter(c.value for light in lights for c in light.jar if c.name == "cramp_lb")
            .values()
        )  # fmt: skip
        result["alone"], result["under_load"] = _figures(alone_ms), _figures(under_ms)
        if o.faults:
            say("faults: an app process killed, then PostgreSQL restarted")
            result["kill"] = kill_one_process(stack, lights, staff)
            result["postgres"] = restart_postgres(stack, lights)
        for tab in [*tabs, *([alone] if alone else [])]:
            browsers_seen["page_errors"] += len(tab.errors)
    result["browsers"] = browsers_seen
    result["crashes"] = sum(light.crashed for light in lights + staff)
    result["tab_retries"] = sum(light.retried for light in lights + staff)
    result["database"] = _database(stack, lights, [*tabs, *([alone] if alone else [])])
    return result


def _browsers(stack: Stack, stop: contextlib.ExitStack, extra: int, seen: dict):  # noqa: ANN202
    """The Chromium tabs under load and the one alone (none without Chromium)."""
    if not extra:
        seen["skipped"] = browser_missing() or "--browsers 0"
        return [], None
    from playwright.sync_api import sync_playwright

    from tracker.bench.browser import CHROMIUM, CHROMIUM_ARGS
    from tracker.bench.hosted_browser import HostedTab

    pw = stop.enter_context(sync_playwright())
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    stop.callback(browser.close)
    people = stack.people[-extra:]
    tabs = [HostedTab(browser, stack, person) for person in people]
    seen["tabs"] = len(tabs)
    return tabs[1:], tabs[0]


def _database(stack: Stack, lights: list[Light], tabs: list) -> dict:
    """Every confirmed save looked for as the owner: her last night, with all its cramps."""
    said = {light.person.sub: (light.person.cramps, light.confirmed) for light in lights}
    said |= {tab.person.sub: (tab.person.cramps, tab.confirmed) for tab in tabs}
    people = [light.person for light in lights] + [tab.person for tab in tabs]
    stored = last_nights(stack, people)
    confirmed = {sub for sub, (_, saves) in said.items() if saves}
    return {
        "confirmed_saves": sum(len(saves) for _, saves in said.values()),
        "people_confirmed": len(confirmed),
        "nights_found": sum(1 for rows in stored.values() if rows),
        "missing": sorted(sub for sub in confirmed if not stored[sub]),
        "half_written": sorted(
            sub
            for sub, rows in stored.items()
            if len(rows) > 1 or any(n != said[sub][0] for n in rows)
        ),  # fmt: skip
        "said_otherwise": sorted(
            sub for sub, (n, saves) in said.items() if any(s != n for s in saves)
        ),
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _ratio(result: dict) -> float | None:
    under, alone = result["under_load"]["p95_ms"], result["alone"]["p95_ms"]
    return None if under is None or not alone else under / alone


def _per_session(result: dict) -> dict[int, float | None]:
    """MB per session added after the warm-up, per process: its RSS after the rounds less its
    RSS after the warm-up, over the sessions (the proxy's open connections to it) added."""
    found = {}
    for port, end_mb in result["rss_mb"]["end"].items():
        warm_mb = result["rss_mb"]["warm"][port]
        added = result["sessions_end"][port] - result["sessions_warm"][port]
        found[port] = (end_mb - warm_mb) / added if added > 0 and end_mb and warm_mb else None
    return found


def targets(result: dict) -> list[dict]:
    """Issue 25's goals of the hosted bench as targets named "hosted: ..."."""
    if "skipped" in result:
        why = f"not measured: {result['skipped']}"
        return [{"target": name, "measured": why, "pass": None} for name in NAMES.values()]
    k, rounds, db = result["people"], result["rounds"], result["database"]
    burst = result.get("burst")
    slowest = max((r["seconds"] for r in rounds), default=0.0)
    longest = max((r["light"]["max_ms"] or 0.0 for r in rounds), default=0.0) / 1000
    everyone = all(r["outcomes"].get("saved", 0) == k for r in rounds)
    burst_ok = burst is None or (
        burst["outcomes"].get("saved", 0) == k and burst["seconds"] <= GOAL_SECONDS
    )
    rush_ok = everyone and longest <= GOAL_SECONDS and burst_ok
    size = "" if k >= GOAL_PEOPLE else f" (only {k} people: below the goal's {GOAL_PEOPLE})"
    spread = rounds[0]["spread_s"] if rounds else 0.0
    burst_said = (
        ""
        if burst is None
        else f"; all {k} at once: "
        f"{'all' if burst['outcomes'].get('saved', 0) == k else 'NOT all'} saved, the last "
        f"answered after {burst['seconds']:.1f} s"
    )
    ratio = _ratio(result)
    per = _per_session(result)
    rss_known = [v for v in per.values() if v is not None]
    found = [
        (NAMES["rush"], f"{k} people spread over {spread:g} s in each of {len(rounds)} rounds: "
         f"{'all' if everyone else 'NOT all'} saved, the last answered {slowest:.1f} s after "
         f"the start, the longest wait {longest:.1f} s{burst_said}{size}",
         rush_ok if k >= GOAL_PEOPLE else None),
        (NAMES["p95"], f"p95 {_ms(result['under_load']['p95_ms'])} under load "
         f"(n={result['under_load']['n']}) against {_ms(result['alone']['p95_ms'])} alone "
         f"(n={result['alone']['n']})" + (f": {ratio:.1f}x" if ratio else ""),
         None if ratio is None else ratio <= GOAL_X),
        (NAMES["missing"], f"{len(db['missing'])} missing; {db['people_confirmed']} people "
         f"confirmed {db['confirmed_saves']} saves, {db['nights_found']} nights found",
         not db["missing"]),
        (NAMES["whole"], f"{len(db['half_written'])} half-written, "
         f"{len(db['said_otherwise'])} said otherwise, {result['crashes']} crashed pages",
         not db["half_written"] and not db["said_otherwise"] and not result["crashes"]),
        (NAMES["rss"], ", ".join(f"{port}: {'-' if v is None else f'{v:.2f} MB'}"
                                 for port, v in per.items()),
         None if not rss_known else max(rss_known) < GOAL_MB),
    ]  # fmt: skip
    found += _fault_targets(result)
    return [{"target": t, "measured": m, "pass": p} for t, m, p in found]


def reference(result: dict) -> list[dict]:
    """The burst (all K tap in the same instant) against one person alone: no goal, for
    reference; no real morning has this shape, but it is the worst a server can be dealt."""
    burst = result.get("burst")
    if burst is None or "skipped" in result:
        return []
    alone, k = result["alone"], result["people"]
    light, chromium = burst["light"], burst["browser"]
    ratio = chromium["p95_ms"] / alone["p95_ms"] if chromium["p95_ms"] and alone["p95_ms"] else None
    return [
        {
            "figure": f"hosted burst: p95 click-to-Saved when all {k} tap in the same instant, "
            "against one person alone (Chromium; no goal)",
            "measured": f"p95 {_ms(chromium['p95_ms'])} (n={chromium['n']}) against "
            f"{_ms(alone['p95_ms'])} alone"
            + (f": {ratio:.1f}x" if ratio else "")
            + f"; the light clients' p50 {_ms(light['p50_ms'])}, p95 {_ms(light['p95_ms'])}; "
            f"the last of the {k} answered after {burst['seconds']:g} s",
        }
    ]


def _fault_targets(result: dict) -> list[tuple[str, str, bool | None]]:
    if "kill" not in result:
        return [(NAMES[n], "not measured: faults off", None) for n in ("kill", "postgres")]
    kill, pg = result["kill"], result["postgres"]
    return [
        (NAMES["kill"], f"{kill['reconnected']} light tabs (of {kill['connections_held']} "
         f"connections on the killed process) back in {kill['back_seconds']:g} s, "
         f"{kill['reconnected_signed_in']} signed in, {kill['not_signed_in']} asked to sign "
         f"in; {kill['saved_after']} saved after, {kill['not_saved_after']} not",
         kill["reconnected"] > 0 and kill["reconnected_signed_in"] == kill["reconnected"]
         and not kill["not_signed_in"] and not kill["not_saved_after"]
         and not kill["left_on_killed"]),
        (NAMES["postgres"], f"{pg['refused_while_down']} of {pg['while_down']} taps while it "
         f"was down refused with the message; {pg['saved_after']} saved after, "
         f"{pg['not_saved_after']} not; same app processes: {pg['same_app_processes']}",
         pg["refused_while_down"] == pg["while_down"] and not pg["not_saved_after"]
         and pg["same_app_processes"]),
    ]  # fmt: skip


def report_lines(result: dict) -> list[str]:
    """The hosted bench for a terminal."""
    if "skipped" in result:
        return [f"Hosted (--hosted): not measured: {result['skipped']}"]
    k, db = result["people"], result["database"]
    lines = [
        f"Hosted: {k} people and {result['clinicians']} clinicians on {result['processes']} app "
        "processes behind Caddy (HTTPS, sticky cookie), PostgreSQL; signed in through the test "
        f"provider in {result['sign_in_s']:g} s, tabs opened in {result['open_s']:g} s",
    ]
    rounds = [(f"round {i}", r) for i, r in enumerate(result["rounds"], 1)]
    for name, r in rounds + ([("burst", result["burst"])] if "burst" in result else []):
        light, pats, br = r["light"], r["patients"], r["browser"]
        shape = f"taps spread over {r['spread_s']:g} s" if r["spread_s"] else "all tap at once"
        lines.append(
            f"  {name}: {k} people, {shape}: {r['outcomes']}, last answer {r['seconds']:g} s "
            f"after the start; their click-to-Saved p50 {_ms(light['p50_ms'])}, p95 "
            f"{_ms(light['p95_ms'])}, max {_ms(light['max_ms'])}; Chromium {br['n']} saves, "
            f"p50 {_ms(br['p50_ms'])}, p95 {_ms(br['p95_ms'])}; clinicians' Patients "
            f"{pats['n']} loads, p50 {_ms(pats['p50_ms'])}, p95 {_ms(pats['p95_ms'])}"
        )
    under, alone = result["under_load"], result["alone"]
    burst = result.get("burst", {}).get("browser", {"p50_ms": None, "p95_ms": None, "n": 0})
    lines.append("  Chromium click-to-Saved, one run (alone between the rounds):")
    lines.append("                      p50        p95      n")
    for name, f in (("one person alone", alone), ("under load (spread)", under),
                    ("burst (all at once)", burst)):  # fmt: skip
        lines.append(f"    {name:<19} {_ms(f['p50_ms']):>9}  {_ms(f['p95_ms']):>9}  {f['n']:>5}")
    lines.append(f"    Chromium: {result['browsers']}")
    lines.append(
        f"  Saves confirmed {db['confirmed_saves']} by {db['people_confirmed']} people; nights "
        f"found in the database {db['nights_found']}; missing {len(db['missing'])}, "
        f"half-written {len(db['half_written'])}; crashed pages {result['crashes']}"
    )
    per = _per_session(result)
    rss = result["rss_mb"]
    for port in per:
        lines.append(
            f"  process {port}: RSS {rss['start'][port]:.0f} MB at start, "
            f"{rss['warm'][port]:.0f} MB with {result['sessions_warm'][port]} sessions, "
            f"{rss['open'][port]:.0f} MB with {result['sessions_open'][port]}, "
            f"{rss['end'][port]:.0f} MB after the rounds: "
            + ("-" if per[port] is None else f"{per[port]:.2f} MB per extra session")
        )
    lines.append(
        f"  The proxy's spread of sessions (open connections per process): "
        f"{result['sessions_end']}; people per sticky cookie: {result['cookie_groups']}"
    )
    if "kill" in result:
        kill, pg = result["kill"], result["postgres"]
        lines.append(
            f"  App process {kill['killed_port']} killed (pid {kill['killed_pid']}, "
            f"{kill['connections_held']} connections) during a rush: {kill['during']}; "
            f"{kill['reconnected']} tabs back through the proxy in {kill['back_seconds']:g} s, "
            f"{kill['reconnected_signed_in']} still signed in, {kill['not_signed_in']} asked to "
            f"sign in, {kill['left_on_killed']} left on it; then {kill['saved_after']} saved, "
            f"{kill['not_saved_after']} not"
        )
        lines.append(
            f"  PostgreSQL stopped as a rush's taps went out, then started: {pg['during']}; "
            f"{pg['refused_while_down']} of {pg['while_down']} taps while it was down refused "
            f"with the page's message; then {pg['saved_after']} saved, {pg['not_saved_after']} "
            f"not; same app processes: {pg['same_app_processes']}"
        )
    lines.append(f"  Tab openings tried again (no answer to the upgrade): {result['tab_retries']}")
    lines.append(
        f"  Load average at start {result['load_average']['start']}, at end "
        f"{result['load_average']['end']} (a shared machine: figures are noisy)"
    )
    return lines  # the goals, PASS or MISS: with the bench's other goals (report.py)
