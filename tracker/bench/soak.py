"""The server's memory over a morning's worth of use many times over: `bench --soak N`.

N saves on Last night with a Trends visit after about every third (each one after a save, so
every visit rebuilds the views), in real Chromium through `cramp-journal serve`. The server's
resident memory (VmRSS of its Streamlit process, read from /proc) is sampled before the first
action and after every 10 saves. The first 10 saves and their visits are the warm-up (caches,
imports, the first chart renders); what the server still grows after them is the figure.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from tracker.bench.browser_page import AppTab
from tracker.bench.servers import peak_mb, real_app, status_mb

SOAK_SIZE = 3_650  # nights: the soak runs on the journal nearest ten years
SAMPLE_EVERY = 10  # saves between two samples; the first 10 are the warm-up
VISITS_PER_SAVE = 0.3  # 100 saves, 30 Trends visits
GROWTH_MB = 50  # goal: the server grows less than this after the warm-up


def rss_mb(pid: int) -> float | None:
    """A process's resident memory now (VmRSS), in MB; None where /proc is missing."""
    return status_mb(pid, "VmRSS")


def visits_after(save: int, saves: int) -> int:
    """How many Trends visits follow save number `save` (1-based): spread evenly, in all
    round(saves * VISITS_PER_SAVE)."""
    total = round(saves * VISITS_PER_SAVE)
    return save * total // saves - (save - 1) * total // saves


def growth(samples: list[dict]) -> dict:
    """RSS before, after the warm-up, at the end and its growth after the warm-up (MB)."""
    known = [s for s in samples if s["rss_mb"] is not None]
    if len(known) < 3:  # before, after the warm-up, and at least one sample after it
        return {"growth_mb": None, "pass": None}
    warm, end = known[1]["rss_mb"], known[-1]["rss_mb"]
    return {
        "start_mb": known[0]["rss_mb"],
        "warm_mb": warm,
        "end_mb": end,
        "growth_mb": round(end - warm, 1),
        "pass": end - warm < GROWTH_MB,
    }


def run_soak(journal_url: str, nights: int, saves: int, browser, folder: Path) -> dict:  # noqa: ANN001
    """`saves` saves and their Trends visits on one server, its RSS sampled every 10 saves."""
    visit_ms: list[float] = []
    save_ms: list[float] = []
    visits = 0
    with real_app(journal_url, folder) as server:
        app = AppTab(browser, server.url)
        try:
            charts = app.count_charts()
            samples = [{"saves": 0, "visits": 0, "rss_mb": rss_mb(server.pid)}]
            for save in range(1, saves + 1):
                save_ms.append(app.save())
                for _ in range(visits_after(save, saves)):
                    visit_ms.append(app.to_trends())
                    visits += 1
                if save % SAMPLE_EVERY == 0 or save == saves:
                    samples.append({"saves": save, "visits": visits, "rss_mb": rss_mb(server.pid)})
            errors = list(app.errors)
        finally:
            app.close()
        # VmHWM lags VmRSS (the kernel syncs its per-thread RSS counters lazily): a sample
        # can read a little above it, so the peak is at least the highest sample.
        sampled = [s["rss_mb"] for s in samples if s["rss_mb"] is not None]
        server_peak = max(
            [m for m in (peak_mb(server.pid), *sampled) if m is not None], default=None
        )
    return {
        "nights": nights,
        "saves": saves,
        "visits": visits,
        "charts": charts,
        "samples": samples,
        "peak_mb": server_peak,
        "save_ms_median": round(statistics.median(save_ms), 1),
        "visit_ms_median": round(statistics.median(visit_ms), 1) if visit_ms else None,
        "page_errors": errors,
        "goal_mb": GROWTH_MB,
        **growth(samples),
    }


def report_lines(result: dict) -> list[str]:
    """The soak as lines: each sample, then the growth after the warm-up against its goal."""
    if "skipped" in result:
        return [f"Memory soak: not measured: {result['skipped']}."]
    lines = [
        f"Memory soak at {result['nights']:,} nights: {result['saves']} saves and "
        f"{result['visits']} Trends visits (each after a save) in Chromium, the server's RSS "
        f"(VmRSS of its Streamlit process) every {SAMPLE_EVERY} saves; medians: save "
        f"{result['save_ms_median']:.0f} ms, Trends {result['visit_ms_median'] or 0:.0f} ms:",
        "  "
        + "  ".join(f"{s['saves']}/{s['visits']}: {s['rss_mb']} MB" for s in result["samples"])
        + "  (saves/visits: RSS)",
    ]
    if result["growth_mb"] is None:
        lines.append("  growth after the warm-up: not known (too few samples or no /proc)")
        return lines
    lines.append(
        f"  {result['start_mb']:.0f} MB before, {result['warm_mb']:.0f} MB after the warm-up "
        f"({SAMPLE_EVERY} saves), {result['end_mb']:.0f} MB at the end: growth after the "
        f"warm-up {result['growth_mb']:+.0f} MB (goal < {GROWTH_MB} MB); peak "
        f"{result['peak_mb']} MB; {len(result['page_errors'])} page errors"
    )
    return lines
