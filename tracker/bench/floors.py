"""The floors of issue 25: each figure against what the same output costs at the least.

- The summary against the one query it needs (its nights, raw in sqlite3) plus the Poisson fits
  statsmodels does on the same data (designs built in advance by patsy): goal (c), 1.5x.
- The browser's floors (the prepared page, a blank app's first load) are measured in
  tracker.bench.browser; here they become targets named "floor: ...", as the JSON gives them.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from tracker.bench.noise import shown
from tracker.insights.adjusted import MAX_ITERATIONS, MIN_SPLINE_NIGHTS, SPLINE_DF
from tracker.insights.frames import (  # the statement load_nights runs, as it is
    _nights_statement,
    load_nights,
    load_profile,
    period_params,
)
from tracker.insights.summary import habit_split, summarise
from tracker.journal.db import make_engine

SUMMARY_FLOOR_X = 1.5  # (c): the summary within 1.5x of its nights query + statsmodels' fits
PAGE_FLOOR_X = 1.25  # (a): Trends warm, after a save, and the save, within 1.25x the prepared
FIRST_LOAD_X = 1.3  # (b): Last night's first load, cold, within 1.3x a blank app's first load
PAGE_FLOORS = {  # browser figure: what it is, in the target's words
    "trends_warm": "Trends warm (click to every chart drawn)",
    "trends_after_save": "Trends after a save",
    "save": 'the save (click to "Saved")',
}


def model_inputs(nights: pd.DataFrame, comparison) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """The cramps and the model's design (intercept, habit, time by patsy) of one comparison,
    on the nights it keeps: what statsmodels is given to fit."""
    import patsy

    recorded, exposed = habit_split(nights, comparison)
    kept = nights[recorded]
    weeks = kept["gestational_days"].to_numpy("float64", na_value=np.nan)
    if len(weeks) and not np.isnan(weeks).any():
        t = weeks
    else:
        t = (pd.to_datetime(kept["night"]) - pd.Timestamp("2000-01-01")).dt.days.to_numpy(float)
    curve = len(t) >= MIN_SPLINE_NIGHTS and len(np.unique(t)) >= 2 * SPLINE_DF
    formula = f"habit + cr(t, df={SPLINE_DF}, constraints='center')" if curve else "habit + t"
    frame = {"habit": exposed[recorded].astype(float), "t": t}
    design = np.asarray(patsy.dmatrix(formula, frame, return_type="matrix"))
    return kept["cramps"].to_numpy("float64"), design


def _fit_all(models: list[tuple[np.ndarray, np.ndarray]]) -> None:
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    with np.errstate(all="ignore"), warnings.catch_warnings():  # as the app's: read, not said
        warnings.simplefilter("ignore")
        for y, x in models:
            GLM(y, x, family=Poisson()).fit(maxiter=MAX_ITERATIONS)


def interleaved(steps: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median ms of each step, timed in turn in every round (after one warm-up round), so a
    change in the machine's load reaches them all alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(rounds + 1):
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            if round_:
                times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(found) for name, found in times.items()}


def nights_query(engine) -> tuple[str, list]:  # noqa: ANN001
    """The SQL of the summary's one read of the nights, and its parameters, for sqlite3."""
    compiled = _nights_statement(False, False).compile(dialect=engine.dialect)
    params = compiled.construct_params(period_params(None, None))
    return str(compiled), [params[name] for name in compiled.positiontup]


def summary_floor(url: str, nights: int, repeat: int) -> dict:
    """summarise() on the whole journal against its nights query in sqlite3 plus the
    statsmodels fits of the comparisons it fitted, on the same nights."""
    engine = make_engine(url)
    raw = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        summary = summarise(session_or_engine=engine)
        with engine.connect() as conn:
            read = load_nights(conn, None, None, load_profile(conn))
        fitted = [c for c in summary.comparisons if c.adjusted and c.adjusted.fitted]
        models = [model_inputs(read, c) for c in fitted]
        sql, params = nights_query(engine)
        steps = {
            "query": lambda: raw.execute(sql, params).fetchall(),
            "fits": lambda: _fit_all(models),
            "summary": lambda: summarise(session_or_engine=engine),
        }
        query_ms, fits_ms, summary_ms = interleaved(steps, max(repeat, 5)).values()
    finally:
        raw.close()
        engine.dispose()
    floor = query_ms + fits_ms
    return {
        "nights": nights,
        "summary_ms": round(summary_ms, 2),
        "query_ms": round(query_ms, 2),
        "fits_ms": round(fits_ms, 2),
        "fits": len(models),
        "floor_ms": round(floor, 2),
        "ratio": round(summary_ms / floor, 2),
        "goal_x": SUMMARY_FLOOR_X,
        "pass": summary_ms / floor <= SUMMARY_FLOOR_X,
    }


def _target(name: str, measured: str, passed: bool | None) -> dict:
    return {"target": "floor: " + name, "measured": measured, "pass": passed}


def summary_targets(rows: list[dict]) -> list[dict]:
    """Goal (c) at each size."""
    return [
        _target(
            f"summary within {SUMMARY_FLOOR_X:g}x of its nights query + statsmodels' fits at "
            f"{row['nights']:,} nights",
            f"{row['ratio']:.2f}x ({row['summary_ms']:.1f} ms against {row['floor_ms']:.1f} ms: "
            f"query {row['query_ms']:.1f} + {row['fits']} fits {row['fits_ms']:.1f})",
            row["pass"],
        )
        for row in rows
    ]


def _page_name(name: str) -> str:
    return f"{PAGE_FLOORS[name]} within {PAGE_FLOOR_X:g}x of the prepared page"


FIRST_LOAD = f"Last night's first load on a phone, cold, within {FIRST_LOAD_X:g}x of a blank app's"


def browser_targets(result: dict) -> list[dict]:
    """Goals (a) and (b) at each size, or why they were not measured."""
    if "skipped" in result:
        why = f"not measured: {result['skipped']}"
        names = [_page_name(name) for name in PAGE_FLOORS] + [FIRST_LOAD]
        return [_target(name, why, None) for name in names]
    found = []
    for size in result["sizes"]:
        at = f" at {size['nights']:,} nights"
        for name in PAGE_FLOORS:
            f = size["floors"][name]
            found.append(_target(_page_name(name) + at, _pair_words(f, "prepared"), f["pass"]))
        f = size["first_load"]
        found.append(_target(FIRST_LOAD + at, _pair_words(f, "blank"), f["pass"]))
    return found


def _pair_words(f: dict, against: str) -> str:
    return (
        f"{f['ratio']:.2f}x ({f['app_ms']:.0f} ms against {f['blank_ms']:.0f} ms {against}; "
        f"spread {shown(f['app_spread'])} / {shown(f['blank_spread'])})"
    )
