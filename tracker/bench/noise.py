"""How noisy a run was: the spread of paired timings and the machine's load."""

from __future__ import annotations

import os
import statistics


def spread(values: list[float]) -> float | None:
    """Interquartile range over the median (None for fewer than 4 values)."""
    if len(values) < 4:
        return None
    q = statistics.quantiles(values, n=4, method="inclusive")
    return round((q[2] - q[0]) / statistics.median(values), 2)


def pairs_figures(pairs: list[tuple[float, float]]) -> dict:
    """Medians of A/B pairs (app, blank), their spreads and the ratio of the medians."""
    app, blank = [p[0] for p in pairs], [p[1] for p in pairs]
    return {
        "app_ms": round(statistics.median(app), 1),
        "app_spread": spread(app),
        "blank_ms": round(statistics.median(blank), 1),
        "blank_spread": spread(blank),
        "ratio": round(statistics.median(app) / statistics.median(blank), 2),
        "median_pair_ratio": round(statistics.median(a / b for a, b in pairs), 2),
        "app_all_ms": [round(x, 1) for x in app],
        "blank_all_ms": [round(x, 1) for x in blank],
    }


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages (None where the system has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def shown(value: float | None) -> str:
    """A spread for a table: two decimals, or "-" when there were too few values."""
    return "-" if value is None else f"{value:.2f}"
