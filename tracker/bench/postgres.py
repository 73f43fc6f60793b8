"""The summary on PostgreSQL against one hand-written SQL query, when a server is reachable.

`--postgres URL` names a server and a database to connect to; the journals are built in
scratch databases of their own (CREATE DATABASE, so the role needs CREATEDB), analysed, timed
and dropped again: nothing in the database named by the URL is read or changed.
"""

from __future__ import annotations

import os
import statistics
import time

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

from tracker.bench.measure import FLOOR_RATIO, agrees, build_at, median_ms
from tracker.insights.frames import pregnancy_window
from tracker.insights.summary import summarise
from tracker.journal.db import make_engine

# The summary's counts for the whole journal, as measure.FLOOR_SQL, in PostgreSQL's words
# (cramps counted by a grouped join: the fastest plan there).
FLOOR_SQL = """
WITH k AS (SELECT night_id, COUNT(*) AS k FROM cramp GROUP BY night_id),
p AS (SELECT n.night, n.water_ml, n.stretch_min AS s, n.magnesium_mg AS m,
             COALESCE(k.k, 0) AS k FROM night n LEFT JOIN k ON k.night_id = n.id),
f AS MATERIALIZED (SELECT MIN(CASE WHEN stretch_min > 0 THEN night END) AS s_first,
                          MIN(CASE WHEN magnesium_mg > 0 THEN night END) AS m_first FROM night),
w AS MATERIALIZED (
  SELECT water_ml, COUNT(*) AS nights, SUM(k) AS cramps, COUNT(*) FILTER (WHERE k > 0)
    AS with_cramps, MIN(night) AS first, MAX(night) AS last,
    MIN(night) FILTER (WHERE night BETWEEN %(pf)s AND %(pt)s) AS pregnant_first,
    MAX(night) FILTER (WHERE night BETWEEN %(pf)s AND %(pt)s) AS pregnant_last,
    COUNT(*) FILTER (WHERE s > 0) AS sw_n, COALESCE(SUM(k) FILTER (WHERE s > 0), 0) AS sw_k,
    COUNT(*) FILTER (WHERE s = 0) AS so_n, COALESCE(SUM(k) FILTER (WHERE s = 0), 0) AS so_k,
    COUNT(*) FILTER (WHERE night < s_first) AS sb_n,
    COALESCE(SUM(k) FILTER (WHERE night < s_first), 0) AS sb_k,
    COUNT(*) FILTER (WHERE m > 0) AS mw_n, COALESCE(SUM(k) FILTER (WHERE m > 0), 0) AS mw_k,
    COUNT(*) FILTER (WHERE m = 0) AS mo_n, COALESCE(SUM(k) FILTER (WHERE m = 0), 0) AS mo_k,
    COUNT(*) FILTER (WHERE night < m_first) AS mb_n,
    COALESCE(SUM(k) FILTER (WHERE night < m_first), 0) AS mb_k
  FROM p, f GROUP BY water_ml),
g AS MATERIALIZED (SELECT duration_min, COUNT(*) AS k, SUM(severity) AS severity_sum,
                          COUNT(severity) AS severity_count FROM cramp GROUP BY duration_min)
SELECT SUM(nights)::bigint AS nights, SUM(cramps)::bigint AS cramps,
  SUM(with_cramps)::bigint AS with_cramps, MIN(first) AS first, MAX(last) AS last,
  MIN(pregnant_first) AS pregnant_first, MAX(pregnant_last) AS pregnant_last,
  SUM(sw_n)::bigint AS stretching_with_nights, SUM(sw_k)::bigint AS stretching_with_cramps,
  SUM(so_n)::bigint AS stretching_without_nights, SUM(so_k)::bigint AS stretching_without_cramps,
  SUM(sb_n)::bigint AS stretching_before_nights, SUM(sb_k)::bigint AS stretching_before_cramps,
  SUM(mw_n)::bigint AS magnesium_with_nights, SUM(mw_k)::bigint AS magnesium_with_cramps,
  SUM(mo_n)::bigint AS magnesium_without_nights, SUM(mo_k)::bigint AS magnesium_without_cramps,
  SUM(mb_n)::bigint AS magnesium_before_nights, SUM(mb_k)::bigint AS magnesium_before_cramps,
  (SELECT s_first FROM f) AS s_first, (SELECT m_first FROM f) AS m_first,
  (SELECT SUM(severity_sum) FROM g)::bigint AS severity_sum,
  (SELECT SUM(severity_count) FROM g)::bigint AS severity_count,
  (SELECT COUNT(DISTINCT night_id) FROM cramp WHERE woke) AS woke_nights,
  (SELECT json_agg(json_build_array(duration_min, k)) FROM g
   WHERE duration_min IS NOT NULL) AS durations,
  json_agg(json_build_array(water_ml, nights, cramps)) FILTER (WHERE water_ml IS NOT NULL)
    AS water,
  (SELECT COALESCE(json_agg(json_build_array(n.night, r.code)), '[]'::json)
   FROM redflag r JOIN night n ON n.id = r.night_id) AS flags
FROM w
"""


def _psycopg(url: str) -> URL:
    """The URL with the psycopg (3) driver, which the app's [postgres] extra installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _floor(raw, window: tuple) -> dict:  # noqa: ANN001
    """The floor query's row on a DBAPI connection, as a dict."""
    with raw.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"pf": window[0], "pt": window[1]})
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _time_size(admin, server: URL, nights: int, repeat: int) -> dict:  # noqa: ANN001
    name = f"cramp_journal_bench_{os.getpid()}_{nights}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        started = time.perf_counter()
        built = build_at(url, nights)
        build_s = time.perf_counter() - started
        engine = make_engine(url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))  # as autovacuum would soon: a steady plan
            window = pregnancy_window(built.due_date)
            summary = summarise(session_or_engine=engine)
            summary_ms = median_ms(lambda: summarise(session_or_engine=engine), repeat)
            raw = engine.raw_connection()
            try:
                floor_ms = median_ms(lambda: _floor(raw, window), repeat)
                same = agrees(_floor(raw, window), summary)
            finally:
                raw.close()
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    ratio = summary_ms / floor_ms
    return {
        "nights": nights,
        "cramps": built.cramps,
        "build_s": round(build_s, 1),
        "summary_ms": round(summary_ms, 2),
        "floor_ms": round(floor_ms, 2),
        "ratio": round(ratio, 2),
        "same_numbers": same,
        "was_goal_x": FLOOR_RATIO,  # issue 11's goal, now a reference (floors.summary_floor)
    }


def run(url: str | None, sizes: tuple[int, ...], repeat: int) -> dict:
    """Each size on the server at `url`; {"skipped": why} without one or when it refuses."""
    if not url:
        return {"skipped": "no --postgres URL given"}
    server = _psycopg(url)
    shown = server.render_as_string(hide_password=True)
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
    except Exception as exc:  # noqa: BLE001 (a missing driver, a bad URL: say so and go on)
        return {"skipped": f"cannot use {shown}: {exc}"}
    try:
        with admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        rows = [_time_size(admin, server, n, repeat) for n in sizes]
    except Exception as exc:  # noqa: BLE001 (unreachable, no CREATEDB: skip with the reason)
        said = (str(exc).splitlines() or [""])[0][:300]
        return {"skipped": f"PostgreSQL at {shown}: {type(exc).__name__}: {said}"}
    finally:
        admin.dispose()
    worst = max(rows, key=lambda row: row["ratio"])
    return {
        "server": shown,
        "version": version,
        "sizes": rows,
        "worst_ratio": worst["ratio"],
        "median_ratio": round(statistics.median(r["ratio"] for r in rows), 2),
    }


def report_lines(result: dict) -> list[str]:
    """The PostgreSQL rows of the summary table, or why they are missing."""
    if "skipped" in result:
        return [f"Summary on PostgreSQL: not measured: {result['skipped']}."]
    lines = [
        f"Summary on PostgreSQL {result['version']} ({result['server']}; scratch databases, "
        "analysed) against one hand-written SQL query (for reference, no goal):",
        f"  {'':4} {'nights':>7} {'cramps':>8} {'summary ms':>11} {'floor ms':>9} {'ratio':>6} "
        f"{'was':>6} {'same numbers':>13}",
    ]
    for row in result["sizes"]:
        lines.append(
            f"  {'':4} {row['nights']:>7,} {row['cramps']:>8,} "
            f"{row['summary_ms']:>11.1f} {row['floor_ms']:>9.1f} {row['ratio']:>5.2f}x "
            f"{'<=' + format(row['was_goal_x'], 'g') + 'x':>6} "
            f"{'yes' if row['same_numbers'] else 'NO':>13}"
        )
    return lines
