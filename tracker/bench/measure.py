"""`cramp-journal bench`: how fast the summary and the Trends page are on big journals.

Builds synthetic journals (one pregnancy, 10 years, 100 years of nights) in temp SQLite files
with bulk inserts, then measures, in one run, medians of several repeats:
- summarise() against the floor: the same numbers from one hand-written SQL query in sqlite3;
- a warm rerun of the Trends page against a blank page, both in Streamlit's AppTest harness;
- the morning path: a one-cramp night saved on Last night, against a blank page (AppTest);
- the peak memory of loading the summary and the frames of the largest journal, in a
  subprocess of its own.
Speed is reported, not tested: each target is printed with PASS or MISS.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from tracker.insights.frames import CRAMPS, FLAGS, NIGHTS, PROFILES, pregnancy_window
from tracker.insights.summary import Summary, summarise
from tracker.journal.db import make_engine
from tracker.journal.schema import ensure_schema

PAGE_SIZE = 3_650  # the Trends page is timed on the 10-year journal (or the nearest size)
CRAMPS_PER_NIGHT = 3.0  # 10 years: about 11,000 cramps
FLOOR_RATIO, PAGE_RATIO, MEMORY_MB = 2.0, 3.0, 400
GROWTH_ALLOWANCE = 1.1  # timer noise allowed in "grows no faster than the data"
APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


# --- synthetic journals ----------------------------------------------------------------------


def _night_rows(rng: np.random.Generator, n: int, last: dt.date) -> list[dict]:
    first = last - dt.timedelta(days=n - 1)
    water = np.round(rng.normal(2000, 450, n) / 50) * 50
    stretch = rng.choice([0, 0, 5, 10, 15], n)
    magnesium = np.where(np.arange(n) >= n * 0.4, rng.choice([0, 300, 300, 300], n), 0)
    missing = rng.random((3, n)) < np.array([[0.08], [0.1], [0.15]])  # NULL: not recorded
    stamp = dt.datetime.now(dt.UTC)
    return [
        {
            "id": i + 1,
            "night": first + dt.timedelta(days=i),
            "water_ml": None if missing[0, i] else int(min(3500, max(800, water[i]))),
            "stretch_min": None if missing[1, i] else int(stretch[i]),
            "active_min": None if missing[2, i] else int(rng.integers(0, 75)),
            "magnesium_mg": int(magnesium[i]),
            "soreness": int(rng.integers(0, 6)),
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for i in range(n)
    ]


def _cramp_rows(rng: np.random.Generator, n: int, per_night: float) -> list[dict]:
    counts = rng.poisson(per_night, n)
    night_ids = np.repeat(np.arange(1, n + 1), counts)
    total = len(night_ids)
    minutes = (23 * 60 + rng.integers(0, 7 * 60, total)) % (24 * 60)
    duration = rng.choice([0.5, 1, 1, 1.5, 2, 2, 3, 5], total)
    severity = rng.integers(2, 11, total)
    legs, muscles = (
        rng.choice(["left", "right", "both"], total),
        rng.choice(["calf", "foot"], total),
    )
    woke, relieved = rng.random(total) < 0.85, rng.random(total) < 0.8
    position = np.concatenate([np.arange(c) for c in counts]) if total else np.zeros(0, int)
    return [
        {
            "night_id": int(night_ids[i]),
            "position": int(position[i]),
            "time": dt.time(int(minutes[i]) // 60, int(minutes[i]) % 60),
            "duration_min": float(duration[i]),
            "severity": int(severity[i]),
            "leg": str(legs[i]),
            "muscle": str(muscles[i]),
            "woke": bool(woke[i]),
            "relief": "flex_foot",
            "relieved": bool(relieved[i]),
        }
        for i in range(total)
    ]


@dataclass(frozen=True)
class Built:
    """A synthetic journal on disk."""

    url: str
    nights: int
    cramps: int
    due_date: dt.date


def build_journal(
    path: Path, nights: int, seed: int = 1, cramps_per_night: float = CRAMPS_PER_NIGHT
) -> Built:
    """A journal of `nights` nights ending last night, due 20 days later, in a new file."""
    return build_at(f"sqlite:///{path}", nights, seed, cramps_per_night)


def build_at(
    url: str, nights: int, seed: int = 1, cramps_per_night: float = CRAMPS_PER_NIGHT
) -> Built:
    """The same journal in the empty database at `url` (bulk inserts, schema by the app);
    cramps_per_night is the mean of each night's Poisson count."""
    engine = make_engine(url)
    try:
        ensure_schema(engine)
        rng = np.random.default_rng(seed)
        last = dt.date.today() - dt.timedelta(days=1)
        cramps = _cramp_rows(rng, nights, cramps_per_night)
        flagged = rng.choice(nights, size=max(1, nights // 200), replace=False) + 1
        with engine.begin() as conn:
            conn.execute(insert(NIGHTS), _night_rows(rng, nights, last))
            conn.execute(insert(CRAMPS), cramps)
            conn.execute(
                insert(FLAGS), [{"night_id": int(i), "code": "tenderness"} for i in flagged]
            )
            due = last + dt.timedelta(days=20)
            conn.execute(insert(PROFILES), [{"id": 1, "due_date": due, "water_unit": "ml"}])
    finally:
        engine.dispose()
    return Built(url, nights, len(cramps), due)


# --- the floor: the summary's numbers from one hand-written query ------------------------------

FLOOR_SQL = """
WITH p AS (
  SELECT n.night, n.water_ml, n.stretch_min AS s, n.magnesium_mg AS m,
         (SELECT COUNT(*) FROM cramp c WHERE c.night_id = n.id) AS k
  FROM night n LIMIT -1 OFFSET 0),  -- not folded into w: k is counted once a night
f AS MATERIALIZED (SELECT MIN(CASE WHEN stretch_min > 0 THEN night END) AS s_first,
                          MIN(CASE WHEN magnesium_mg > 0 THEN night END) AS m_first FROM night),
w AS MATERIALIZED (
  SELECT water_ml, COUNT(*) AS nights, SUM(k) AS cramps, SUM(k > 0) AS with_cramps,
    MIN(night) AS first, MAX(night) AS last,
    MIN(CASE WHEN night BETWEEN :pf AND :pt THEN night END) AS pregnant_first,
    MAX(CASE WHEN night BETWEEN :pf AND :pt THEN night END) AS pregnant_last,
    SUM(s > 0) AS sw_n, SUM(CASE WHEN s > 0 THEN k ELSE 0 END) AS sw_k,
    SUM(s = 0) AS so_n, SUM(CASE WHEN s = 0 THEN k ELSE 0 END) AS so_k,
    SUM(night < s_first) AS sb_n, SUM(CASE WHEN night < s_first THEN k ELSE 0 END) AS sb_k,
    SUM(m > 0) AS mw_n, SUM(CASE WHEN m > 0 THEN k ELSE 0 END) AS mw_k,
    SUM(m = 0) AS mo_n, SUM(CASE WHEN m = 0 THEN k ELSE 0 END) AS mo_k,
    SUM(night < m_first) AS mb_n, SUM(CASE WHEN night < m_first THEN k ELSE 0 END) AS mb_k
  FROM p, f GROUP BY water_ml),
g AS MATERIALIZED (SELECT duration_min, COUNT(*) AS k, SUM(severity) AS severity_sum,
                          COUNT(severity) AS severity_count FROM cramp GROUP BY duration_min)
SELECT SUM(nights) AS nights, SUM(cramps) AS cramps, SUM(with_cramps) AS with_cramps,
  MIN(first) AS first, MAX(last) AS last,
  MIN(pregnant_first) AS pregnant_first, MAX(pregnant_last) AS pregnant_last,
  SUM(sw_n) AS stretching_with_nights, SUM(sw_k) AS stretching_with_cramps,
  SUM(so_n) AS stretching_without_nights, SUM(so_k) AS stretching_without_cramps,
  SUM(sb_n) AS stretching_before_nights, SUM(sb_k) AS stretching_before_cramps,
  SUM(mw_n) AS magnesium_with_nights, SUM(mw_k) AS magnesium_with_cramps,
  SUM(mo_n) AS magnesium_without_nights, SUM(mo_k) AS magnesium_without_cramps,
  SUM(mb_n) AS magnesium_before_nights, SUM(mb_k) AS magnesium_before_cramps,
  (SELECT s_first FROM f) AS s_first, (SELECT m_first FROM f) AS m_first,
  (SELECT SUM(severity_sum) FROM g) AS severity_sum,
  (SELECT SUM(severity_count) FROM g) AS severity_count,
  (SELECT COUNT(DISTINCT night_id) FROM cramp WHERE woke) AS woke_nights,
  (SELECT json_group_array(json_array(duration_min, k)) FROM g
   WHERE duration_min IS NOT NULL) AS durations,
  json_group_array(json_array(water_ml, nights, cramps)) FILTER (WHERE water_ml IS NOT NULL)
    AS water,
  (SELECT json_group_array(json_array(n.night, r.code))
   FROM redflag r JOIN night n ON n.id = r.night_id) AS flags
FROM w
"""


def floor_numbers(conn: sqlite3.Connection, window: tuple[dt.date, dt.date]) -> dict:
    """The summary's counts for the whole journal, from FLOOR_SQL."""
    conn.row_factory = sqlite3.Row
    params = {"pf": window[0].isoformat(), "pt": window[1].isoformat()}
    return dict(conn.execute(FLOOR_SQL, params).fetchone())


def _listed(value: str | list) -> list:
    """A JSON array from the database: text from SQLite, already a list from PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def agrees(floor: dict, summary: Summary) -> bool:
    """Whether the floor query and summarise() counted the same things."""
    stretching, magnesium = summary.comparison("stretching"), summary.comparison("magnesium")
    severity = floor["severity_sum"] / floor["severity_count"] if floor["severity_count"] else None
    return (
        floor["nights"] == summary.nights_logged
        and floor["cramps"] == summary.cramps
        and floor["with_cramps"] == summary.nights_with_cramps
        and floor["woke_nights"] == summary.woke_nights
        and severity == summary.mean_severity
        and floor["stretching_with_cramps"] == stretching.with_.cramps
        and floor["magnesium_without_nights"] == magnesium.without.nights
        and len(_listed(floor["flags"])) == len(summary.red_flag_nights)
    )


# --- timing ----------------------------------------------------------------------------------


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls, after one warm-up call, in milliseconds."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def time_summary(journal: Built, repeat: int) -> dict:
    """summarise() on an engine against the floor query in sqlite3, for one journal."""
    engine = make_engine(journal.url)
    conn = sqlite3.connect(journal.url.removeprefix("sqlite:///"))
    window = pregnancy_window(journal.due_date)
    nights = journal.nights
    try:
        summary = summarise(session_or_engine=engine)
        summary_ms = median_ms(lambda: summarise(session_or_engine=engine), repeat)
        floor_ms = median_ms(lambda: floor_numbers(conn, window), repeat)
        same = agrees(floor_numbers(conn, window), summary)
    finally:
        conn.close()
        engine.dispose()
    return {
        "nights": nights,
        "cramps": journal.cramps,
        "summary_ms": round(summary_ms, 2),
        "floor_ms": round(floor_ms, 2),
        "ratio": round(summary_ms / floor_ms, 2),
        "summary_ms_per_1000_nights": round(summary_ms / nights * 1000, 3),
        "floor_ms_per_1000_nights": round(floor_ms / nights * 1000, 3),
        "same_numbers": same,
    }


BLANK = "import streamlit as st\n\nst.title('Blank')\n"


@contextmanager
def app_test_on(journal: Built) -> Iterator[None]:
    """AppTest runs on this journal, quietly; its engine and caches are dropped afterwards."""
    import logging

    import streamlit as st
    from streamlit import logger

    level = logging.getLogger("streamlit").getEffectiveLevel()
    logger.set_log_level("error")  # AppTest's "no runtime" notes would fill the terminal
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = journal.url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before
        logger.set_log_level("error")
        st.cache_resource.clear()  # drop the cached engine of the temp journal
        st.cache_data.clear()
        logger.set_log_level(level)


def blank_page_ms(repeat: int) -> float:
    """A blank page's rerun in AppTest: what any page costs at the least."""
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    logger.set_log_level("error")  # each AppTest sets it back from its config
    blank = AppTest.from_string(BLANK, default_timeout=300).run()
    return median_ms(blank.run, repeat)


def time_page(journal: Built, repeat: int) -> dict:
    """A warm rerun of the Trends page against a blank page, both in AppTest."""
    from streamlit.testing.v1 import AppTest

    with app_test_on(journal):
        trends = AppTest.from_file(str(APP), default_timeout=300).run()
        trends.switch_page("pages/trends.py").run()
        if trends.exception or [t.value for t in trends.title] != ["Trends"]:
            raise RuntimeError(f"the Trends page failed: {trends.exception}")
        trends_ms = median_ms(trends.run, repeat)
        blank_ms = blank_page_ms(repeat)
    return {
        "nights": journal.nights,
        "trends_ms": round(trends_ms, 1),
        "blank_ms": round(blank_ms, 1),
        "ratio": round(trends_ms / blank_ms, 2),
    }


SAVE_RATIO = 1.5  # the morning save: one cramp saved, within 1.5x of a blank page's rerun


def time_morning(journal: Built, repeat: int) -> dict:
    """The morning path in AppTest: a one-cramp night saved, against a blank page's rerun.

    Each save is a new night (before the journal's first), so every one writes for real.
    """
    from streamlit.testing.v1 import AppTest

    first = dt.date.today() - dt.timedelta(days=journal.nights)
    nights = iter(first - dt.timedelta(days=i + 1) for i in range(repeat + 1))
    times: list[float] = []
    with app_test_on(journal):
        at = AppTest.from_file(str(APP), default_timeout=300).run()
        for _ in range(repeat + 1):
            at.date_input(key="ln_night").set_value(next(nights)).run()
            at.button(key="ln_add").click().run()
            cid = at.session_state["ln_cramp_ids"][-1]
            at.button_group(key=f"ln_c{cid}_when").set_value("2 am")
            at.button_group(key=f"ln_c{cid}_sev").set_value(6)
            at.button_group(key=f"ln_c{cid}_leg").set_value("left")
            started = time.perf_counter()
            at.button(key="ln_save").click().run()
            times.append((time.perf_counter() - started) * 1000)
            if at.exception or not any("Saved" in m.value for m in at.success):
                raise RuntimeError(f"the morning save failed: {at.exception}")
        blank_ms = blank_page_ms(repeat)
    save_ms = statistics.median(times[1:])  # the first one warms up
    return {
        "nights": journal.nights,
        "save_ms": round(save_ms, 1),
        "blank_ms": round(blank_ms, 1),
        "ratio": round(save_ms / blank_ms, 2),
    }


PDF_WEEKS, PDF_SECONDS = 12, 1.5  # the appointment summary of 12 weeks: aim for 1.5 s warm


def time_pdf(journal: Built, repeat: int) -> dict:
    """The appointment PDF of the last 12 weeks, warm (the warm-up starts vl-convert)."""
    from tracker.exchange.report import appointment_pdf

    engine = make_engine(journal.url)
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=7 * PDF_WEEKS - 1)
    try:
        pdf_ms = median_ms(lambda: appointment_pdf(engine, start=start, end=end), repeat)
    finally:
        engine.dispose()
    return {"nights": journal.nights, "weeks": PDF_WEEKS, "pdf_seconds": round(pdf_ms / 1000, 2)}


# ru_maxrss of a child started by subprocess can carry the parent's high-water mark across
# exec (Linux), so on Linux the probe reads its own VmHWM (tracemalloc is not used: its own
# bookkeeping would swell the very peak being measured).
MEMORY_PROBE = """
import json, resource, sys
from pathlib import Path
from tracker.journal.db import make_engine
from tracker.insights.frames import load_journal
from tracker.insights.summary import summarise

def peak_mb():
    status = Path("/proc/self/status")
    if status.exists():
        line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10

engine = make_engine(sys.argv[1])
baseline = peak_mb()
summary = summarise(session_or_engine=engine)
journal = load_journal(engine)
print(json.dumps({"peak_mb": round(peak_mb(), 1), "imports_mb": round(baseline, 1),
                  "nights": len(journal.nights), "cramps": len(journal.cramps)}))
"""


def measure_memory(journal: Built) -> dict:
    """Peak memory of a fresh process loading the summary and the frames of a journal."""
    root = str(APP.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, journal.url],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------------


def _target(name: str, measured: str, passed: bool) -> dict:
    return {"target": name, "measured": measured, "pass": passed}


def targets(summary: list[dict], memory: dict) -> list[dict]:
    """Each target with what was measured and whether it was met."""
    per_1000 = [row["summary_ms_per_1000_nights"] for row in summary]
    grows = all(b <= a * GROWTH_ALLOWANCE for a, b in zip(per_1000, per_1000[1:], strict=False))
    return [
        _target(
            "summary time grows no faster than the data (ms per 1,000 nights does not rise "
            f"by more than {GROWTH_ALLOWANCE - 1:.0%} from one size to the next)",
            " -> ".join(f"{value:.2f}" for value in per_1000) + " ms per 1,000 nights",
            grows,
        ),
        _target(
            f"peak memory of the summary and frames under {MEMORY_MB} MB",
            f"{memory['peak_mb']:.0f} MB at {memory['nights']:,} nights "
            f"(imports alone {memory['imports_mb']:.0f} MB)",
            memory["peak_mb"] < MEMORY_MB,
        ),
    ]


def reference(summary: list[dict], page: dict, morning: dict) -> list[dict]:
    """Issue 11's ratios against a one-row query and a blank page: printed, no longer goals
    (issue 25: no real page can meet them; tracker.bench.floors has the goals now)."""
    worst = max(summary, key=lambda row: row["ratio"])
    return [
        {
            "figure": f"summary against one hand-written SQL query (was <= {FLOOR_RATIO:g}x)",
            "measured": f"worst {worst['ratio']:.2f}x at {worst['nights']:,} nights",
        },
        {
            "figure": f"Trends page warm rerun against a blank page (was <= {PAGE_RATIO:g}x)",
            "measured": f"{page['ratio']:.1f}x at {page['nights']:,} nights "
            f"({page['trends_ms']:.0f} ms against {page['blank_ms']:.0f} ms)",
        },
        {
            "figure": f"morning save (one cramp) against a blank page (was <= {SAVE_RATIO:g}x)",
            "measured": f"{morning['ratio']:.1f}x at {morning['nights']:,} nights "
            f"({morning['save_ms']:.0f} ms against {morning['blank_ms']:.0f} ms)",
        },
    ]


def run(sizes: tuple[int, ...], repeat: int, folder: Path) -> dict:
    """Build each journal in folder, time everything, and return the results as JSON values."""
    built = {n: build_journal(folder / f"journal-{n}.db", n) for n in sizes}
    summary = [time_summary(built[n], repeat) for n in sizes]
    page_size = min(sizes, key=lambda n: abs(n - PAGE_SIZE))
    page = time_page(built[page_size], repeat)
    pdf = time_pdf(built[page_size], repeat)
    # and at the largest size: 12 weeks should cost about the same whatever the journal's size
    pdf_largest = time_pdf(built[max(sizes)], repeat) if max(sizes) != page_size else pdf
    morning = time_morning(built[min(sizes)], repeat)
    memory = measure_memory(built[max(sizes)])
    return {
        "sizes": list(sizes),
        "repeat": repeat,
        "environment": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
            "platform": platform.platform(terse=True),
        },
        "summary": summary,
        "page": page,
        "pdf": pdf,
        "pdf_largest": pdf_largest,
        "memory": memory,
        "morning": morning,
        "targets": targets(summary, memory),
        "reference": reference(summary, page, morning),
    }


def report_text(result: dict) -> str:
    """The results as a table and a list of targets, for a terminal."""
    env = result["environment"]
    lines = [
        f"Cramp Journal bench: median of {result['repeat']} runs after a warm-up "
        f"(Python {env['python']}, SQLite {env['sqlite']}, {env['cpus']} CPUs)",
        "",
        "Summary (summarise on an engine) against one hand-written SQL query (issue 11's floor):",
        f"{'nights':>8} {'cramps':>8} {'summary ms':>11} {'floor ms':>9} {'ratio':>6} "
        f"{'summary ms/1k nights':>21} {'floor ms/1k nights':>19} {'same numbers':>13}",
    ]
    for row in result["summary"]:
        lines.append(
            f"{row['nights']:>8,} {row['cramps']:>8,} {row['summary_ms']:>11.1f} "
            f"{row['floor_ms']:>9.1f} {row['ratio']:>5.2f}x "
            f"{row['summary_ms_per_1000_nights']:>21.2f} {row['floor_ms_per_1000_nights']:>19.2f} "
            f"{'yes' if row['same_numbers'] else 'NO':>13}"
        )
    page, memory, pdf, morning = (result[k] for k in ("page", "memory", "pdf", "morning"))
    lines += [
        "",
        f"Trends page, warm rerun in AppTest at {page['nights']:,} nights: "
        f"{page['trends_ms']:.0f} ms; blank page: {page['blank_ms']:.1f} ms "
        f"({page['ratio']:.1f}x)",
        f"Morning save of a one-cramp night in AppTest at {morning['nights']:,} nights: "
        f"{morning['save_ms']:.0f} ms; blank page: {morning['blank_ms']:.1f} ms "
        f"({morning['ratio']:.1f}x)",
        f"Appointment PDF of the last {pdf['weeks']} weeks at {pdf['nights']:,} nights, warm: "
        f"{pdf['pdf_seconds']:.2f} s"
        + (
            f"; at {largest['nights']:,} nights: {largest['pdf_seconds']:.2f} s"
            if (largest := result.get("pdf_largest", pdf))["nights"] != pdf["nights"]
            else ""
        )
        + f" (aim: at most {PDF_SECONDS:g} s)",
        f"Peak memory loading the summary and frames of {memory['nights']:,} nights "
        f"({memory['cramps']:,} cramps) in a fresh process: {memory['peak_mb']:.0f} MB "
        f"(imports alone {memory['imports_mb']:.0f} MB)",
        "",
        "Targets measured in this process (the pages in AppTest, without a browser):",
    ]
    lines += [
        f"  {'PASS' if t['pass'] else 'MISS'}  {t['target']}: {t['measured']}"
        for t in result["targets"]
        if not t["target"].startswith(("floor:", "hosted:"))  # in the goals (report.py)
    ]
    # issue 11's ratios (result["reference"]) are printed by tracker.bench.report
    return "\n".join(lines)
