"""The morning rush: K people each tap their morning log once, clinicians reload Patients
meanwhile, and real browsers time their own saves beside them.

Two shapes of rush. The morning as it is (`spread_s` > 0): each person's tap comes at a time
drawn uniformly at random over the window, seeded. K arrival times drawn uniformly and
independently over a window are exactly a Poisson process of arrivals conditioned on K of them
in it: people who do not coordinate, each saving once somewhere in the minute, with the
clumps and gaps chance makes, and exactly K of them (so every round has the same K). The
Chromium tabs tap at their own random times in the same window, and each clinician opens
Patients at random moments too, PATIENTS_PER_MINUTE times a minute (a person reading the list,
not a script reloading it back to back: that alone took most of a process's CPU). The burst
(`spread_s` = 0): all K tap in the same instant while the clinicians reload Patients back to
back, the worst case, no real morning's shape.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tracker.bench.hosted_client import REFUSED, Gone, Light
from tracker.bench.hosted_stack import Stack

STALE = "changed in another tab"  # Last night's words for a night saved elsewhere since
PATIENTS_PER_MINUTE = 6  # each clinician's Patients loads during a spread rush


@dataclass
class Rush:
    """What one rush brought: each click's outcome and time, the clinicians' page loads, and
    the browsers' click-to-"Saved" that ended while the rush went on."""

    outcomes: dict[str, str] = field(default_factory=dict)  # sub -> saved/refused/gone/...
    light_ms: list[float] = field(default_factory=list)  # the saved ones
    seconds: float = 0.0  # from the start to the last answer
    patients_ms: list[float] = field(default_factory=list)
    browser_ms: list[float] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)


def outcome_of(light: Light) -> tuple[str, float]:
    """The click's outcome (saved, refused with the page's message, stale, gone with its
    process, or other) and how long it took."""
    try:
        run = light.log()
    except Gone:
        return "gone", 0.0
    if run.saved() is not None:
        return "saved", run.ms
    if REFUSED in run.text:
        return "refused", run.ms
    return ("stale" if STALE in run.text else "other"), run.ms


def in_pool(work: Callable, items: list, threads: int = 16) -> list:
    """work(item) for every item, `threads` at a time; the results in order."""
    if not items:
        return []
    with ThreadPoolExecutor(max(1, min(threads, len(items)))) as pool:
        return list(pool.map(work, items))


def arrivals(count: int, spread_s: float, rng: random.Random) -> list[float]:
    """Each tap's seconds after the rush starts: uniform over the window (0: all at once)."""
    return [rng.uniform(0, spread_s) if spread_s > 0 else 0.0 for _ in range(count)]


def _wait_until(moment: float) -> None:
    if (left := moment - time.perf_counter()) > 0:
        time.sleep(left)


def rush(
    stack: Stack,
    lights: list[Light],
    staff: list[Light] = (),
    tabs: list = (),
    during: Callable[[Rush], None] | None = None,
    spread_s: float = 0.0,
    seed: int = 0,
    browser_taps: int = 10,
) -> Rush:
    """Every one of `lights` taps once: all at once, or at random times over `spread_s`
    seconds (seeded); `staff` load Patients at their own random moments (or, in a burst, back
    to back until the last answer); each browser tab saves
    meanwhile (at once, then again and again while the burst lasts; or `browser_taps` times
    at random moments of the window); `during` (a fault) runs once the clicks are sent."""
    found = Rush()
    go, over = threading.Event(), threading.Event()
    ends: list[float] = []
    rng = random.Random(seed)
    when = arrivals(len(lights), spread_s, rng)
    loads = max(1, round(PATIENTS_PER_MINUTE * spread_s / 60))
    visits = [sorted(arrivals(loads, spread_s, rng)) for _ in staff]
    taps = sorted((at, i) for i in range(len(tabs)) for at in arrivals(browser_taps, spread_s, rng))
    start = 0.0

    def person(light: Light, at: float) -> None:
        go.wait()
        _wait_until(start + at)
        outcome, ms = outcome_of(light)
        found.outcomes[light.person.sub] = outcome
        ends.append(time.perf_counter())
        if outcome == "saved":
            found.light_ms.append(ms)

    def clinician(light: Light, moments: list[float]) -> None:
        go.wait()
        patients = light.tab.pages.get("Patients", "")
        moments = list(moments)
        while True:  # at least once, however short the rush
            if spread_s > 0:  # her own moments; back to back in a burst
                if not moments:
                    return
                _wait_until(start + moments.pop(0))
            try:
                run = light.tab.run(page=patients)
            except Gone:
                return
            light.crashed += run.crashed
            found.patients_ms.append(run.ms)
            if over.is_set():
                return

    with ThreadPoolExecutor(len(lights) + len(staff)) as pool:
        people = [pool.submit(person, light, at) for light, at in zip(lights, when, strict=True)]
        clinicians = [pool.submit(clinician, c, v) for c, v in zip(staff, visits, strict=True)]
        for tab in tabs:  # each browser's form ready to save (untimed)
            tab.prepare()
        time.sleep(0.5)  # every thread waiting at the start line
        start = time.perf_counter()
        go.set()
        if during is not None:
            during(found)
        if spread_s > 0:
            _browsers_spread(tabs, taps, start, found)
        else:
            _browsers_burst(tabs, people, found)
        for f in people:
            f.result()
        over.set()
        for f in clinicians:
            f.result()
    found.seconds = (max(ends) - start) if ends else 0.0
    return found


def _browsers_spread(tabs: list, taps: list[tuple[float, int]], start: float, found: Rush) -> None:
    """Each browser tab taps at its own random moments of the window (one tap at a time: a
    moment already past is tapped at once)."""
    for at, i in taps:
        tabs[i].prepare()  # untimed, before the moment
        _wait_until(start + at)
        found.browser_ms.append(tabs[i].click_save())


def _browsers_burst(tabs: list, people: list, found: Rush) -> None:
    """Each browser taps at the same moment as everyone, then again and again while the
    burst lasts."""
    for tab in tabs:
        tab.start_save()
    found.browser_ms += [tab.finish_save() for tab in tabs]
    while tabs and not all(f.done() for f in people):
        for tab in tabs:
            tab.prepare()  # untimed
            if all(f.done() for f in people):
                break
            found.browser_ms.append(tab.click_save())  # tapped during the burst
