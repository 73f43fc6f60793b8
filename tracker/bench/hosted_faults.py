"""Faults during the morning rush (issue 25, item 3): one app process killed by its PID, its
people back through the proxy on the other process, still signed in; then PostgreSQL stopped
mid-rush and started again, saves meanwhile refused with the page's own message, and saving
working again with the same app processes."""

from __future__ import annotations

import os
import signal
import time

from websockets.exceptions import InvalidHandshake

from tracker.bench.hosted_client import Gone, Light
from tracker.bench.hosted_load import Rush, in_pool, outcome_of, rush
from tracker.bench.hosted_stack import Stack, connections, postgres_start, postgres_stop

LATE = 10  # people who tap Save while PostgreSQL is down (at most a third of them)
REOPEN_S = 60.0


def _when_answered(found: Rush, share: float, of: int, seconds: float = 10.0) -> None:
    """Wait until this share of the rush's clicks were answered (or a while passed)."""
    deadline = time.monotonic() + seconds
    while len(found.outcomes) < share * of and time.monotonic() < deadline:
        time.sleep(0.01)


def reopen(stack: Stack, light: Light) -> None:
    """Her tab again through the proxy (as her browser reconnects), retrying while the proxy
    finds the stopped process gone."""
    deadline = time.monotonic() + REOPEN_S
    while True:
        try:
            light.open(stack)
            return
        except (OSError, InvalidHandshake, Gone):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def signed_in(light: Light) -> bool:
    """Her tab shows her own pages, not the sign-in page."""
    widgets = light.tab.widgets
    return "signin_in" not in widgets and ("ln_save" in widgets or "Patients" in light.tab.pages)


def back(stack: Stack, light: Light) -> tuple[bool, bool]:
    """Her tab after a fault: a plain rerun, or reopened when its process is gone; (reopened,
    signed in)."""
    try:
        light.crashed += light.tab.run().crashed
        return False, signed_in(light)
    except Gone:
        reopen(stack, light)
        return True, signed_in(light)


def save_again(light: Light) -> str:
    """Her night saved again after a fault (the newer version shown first if the page says a
    save went through elsewhere meanwhile)."""
    if "ln_reload" in light.tab.drawn:
        light.crashed += light.tab.run("ln_reload").crashed
    light.prepare()
    return outcome_of(light)[0]


def kill_one_process(stack: Stack, lights: list[Light], staff: list[Light]) -> dict:
    """The rush, with the app process holding the most sessions killed (SIGKILL) once a
    quarter of the clicks were answered; then everyone's tab back, and her night saved."""
    held = {app.port: connections(app.port) for app in stack.apps}
    victim = max(stack.apps, key=lambda app: held[app.port])

    def kill(found: Rush) -> None:
        _when_answered(found, 0.25, len(lights))
        os.kill(victim.pid, signal.SIGKILL)

    found = rush(stack, lights, staff, during=kill)
    start = time.perf_counter()
    came_back = in_pool(lambda light: back(stack, light), lights + staff)
    seconds = time.perf_counter() - start
    after = in_pool(save_again, lights)
    moved = [light for light, (reopened, _) in zip(lights + staff, came_back, strict=True)
             if reopened]  # fmt: skip
    return {
        "killed_port": victim.port,
        "killed_pid": victim.pid,
        "connections_held": held[victim.port],
        "during": {o: found.count(o) for o in sorted(set(found.outcomes.values()))},
        "reconnected": len(moved),
        "reconnected_signed_in": sum(1 for (r, s) in came_back if r and s),
        "not_signed_in": sum(1 for (_, s) in came_back if not s),
        "back_seconds": round(seconds, 1),
        "left_on_killed": connections(victim.port),
        "saved_after": after.count("saved"),
        "not_saved_after": len(after) - after.count("saved"),
    }


def restart_postgres(stack: Stack, lights: list[Light]) -> dict:
    """The rush with PostgreSQL stopped (fast: open transactions cut) as the clicks go out; a
    few people tap Save while it is down; it starts again; everyone's
    page reruns and her night is saved again, by the same app processes."""
    late_count = min(LATE, max(1, len(lights) // 3))
    early, late = lights[:-late_count], lights[-late_count:]
    pids = {app.pid for app in stack.apps if _alive(app.pid)}
    state: dict = {}

    def outage(found: Rush) -> None:  # as the taps go out: some cut mid-save
        state["opts"] = postgres_stop(stack)
        state["late"] = in_pool(lambda light: outcome_of(light)[0], late)
        state["late_text_ok"] = all(light.crashed == 0 for light in late)

    try:
        found = rush(stack, early, during=outage)
    finally:
        if "opts" in state:
            postgres_start(stack, state["opts"])
    came_back = in_pool(lambda light: back(stack, light), lights)
    after = in_pool(save_again, lights)
    return {
        "during": {o: found.count(o) for o in sorted(set(found.outcomes.values()))},
        "while_down": len(late),
        "refused_while_down": state["late"].count("refused"),
        "reopened": sum(1 for r, _ in came_back if r),
        "saved_after": after.count("saved"),
        "not_saved_after": len(after) - after.count("saved"),
        "same_app_processes": pids == {app.pid for app in stack.apps if _alive(app.pid)},
    }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
