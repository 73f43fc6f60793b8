"""The morning rush: every light client clicks at the same moment, clinicians reload Patients
meanwhile, and the real browsers time their own saves beside them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tracker.bench.hosted_client import REFUSED, Gone, Light
from tracker.bench.hosted_stack import Stack

STALE = "changed in another tab"  # Last night's words for a night saved elsewhere since


@dataclass
class Rush:
    """What one rush brought: each click's outcome and time, the clinicians' page loads, and
    the browsers' click-to-"Saved" that ended while the rush went on."""

    outcomes: dict[str, str] = field(default_factory=dict)  # sub -> saved/refused/gone/...
    light_ms: list[float] = field(default_factory=list)  # the saved ones
    seconds: float = 0.0  # from the click to the last answer
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


def rush(
    stack: Stack,
    lights: list[Light],
    staff: list[Light] = (),
    tabs: list = (),
    during: Callable[[Rush], None] | None = None,
) -> Rush:
    """All `lights` click at once; `staff` reload Patients until the last answer; each browser
    tab saves again and again meanwhile; `during` (a fault) runs once the clicks are sent."""
    found = Rush()
    go, over = threading.Event(), threading.Event()
    ends: list[float] = []

    def person(light: Light) -> None:
        go.wait()
        outcome, ms = outcome_of(light)
        found.outcomes[light.person.sub] = outcome
        ends.append(time.perf_counter())
        if outcome == "saved":
            found.light_ms.append(ms)

    def clinician(light: Light) -> None:
        go.wait()
        patients = light.tab.pages.get("Patients", "")
        while True:  # at least once, however short the rush
            try:
                run = light.tab.run(page=patients)
            except Gone:
                return
            light.crashed += run.crashed
            found.patients_ms.append(run.ms)
            if over.is_set():
                return

    with ThreadPoolExecutor(len(lights) + len(staff)) as pool:
        people = [pool.submit(person, light) for light in lights]
        clinicians = [pool.submit(clinician, light) for light in staff]
        for tab in tabs:  # each browser's form ready to save (untimed)
            tab.prepare()
        time.sleep(0.5)  # every thread waiting at the start line
        start = time.perf_counter()
        go.set()
        if during is not None:
            during(found)
        for tab in tabs:  # each browser taps at the same moment as everyone
            tab.start_save()
        found.browser_ms += [tab.finish_save() for tab in tabs]
        while tabs and not all(f.done() for f in people):  # and again while the rush lasts
            for tab in tabs:
                tab.prepare()  # untimed
                if all(f.done() for f in people):
                    break
                found.browser_ms.append(tab.click_save())  # tapped during the rush
        for f in people:
            f.result()
        over.set()
        for f in clinicians:
            f.result()
    found.seconds = (max(ends) - start) if ends else 0.0
    return found
