"""`cramp-journal bench` runs end to end on tiny journals. Speed is reported, never asserted."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.factories import count_rows
from tracker.bench.measure import agrees, build_journal, floor_numbers, report_text
from tracker.cli import main
from tracker.insights.frames import pregnancy_window
from tracker.insights.summary import summarise
from tracker.journal.db import make_engine

LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
SUMMARY_KEYS = {
    "nights",
    "cramps",
    "summary_ms",
    "floor_ms",
    "ratio",
    "summary_ms_per_1000_nights",
    "floor_ms_per_1000_nights",
    "same_numbers",
}


def test_synthetic_journal_is_real_rows_in_the_real_schema(tmp_path: Path) -> None:
    built = build_journal(tmp_path / "j.db", 120)
    engine = make_engine(built.url)
    try:
        assert count_rows(engine, "night") == 120
        assert count_rows(engine, "cramp") == built.cramps > 120  # about 3 a night
        assert count_rows(engine, "redflag") >= 1
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert head  # made by ensure_schema, so the app can open it
        summary = summarise(session_or_engine=engine)
    finally:
        engine.dispose()
    assert (summary.first_night, summary.last_night) == (
        LAST_NIGHT - dt.timedelta(days=119),
        LAST_NIGHT,
    )
    assert summary.cramps == built.cramps
    assert summary.gestational_weeks is not None  # the due date puts the nights in pregnancy
    with sqlite3.connect(tmp_path / "j.db") as conn:
        floor = floor_numbers(conn, pregnancy_window(built.due_date))
    assert agrees(floor, summary)
    assert not agrees({**floor, "cramps": floor["cramps"] + 1}, summary)


def test_bench_runs_end_to_end_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--sizes", "30,60", "--repeat", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sizes"] == [30, 60] and result["repeat"] == 1
    assert [row["nights"] for row in result["summary"]] == [30, 60]
    for row in result["summary"]:
        assert set(row) == SUMMARY_KEYS
        assert row["same_numbers"] is True  # the floor query counts what the summary counts
    assert set(result["page"]) == {"nights", "trends_ms", "blank_ms", "ratio"}
    assert result["page"]["nights"] == 60  # the size nearest ten years
    assert set(result["memory"]) == {"peak_mb", "imports_mb", "nights", "cramps"}
    assert result["memory"]["nights"] == 60  # the largest size
    assert set(result["morning"]) == {"nights", "save_ms", "blank_ms", "ratio"}
    assert result["morning"]["save_ms"] > 0 and result["morning"]["nights"] == 30
    assert len(result["targets"]) == 5
    assert all(isinstance(t["pass"], bool) and t["measured"] for t in result["targets"])
    report = report_text(result)
    assert report.count("PASS") + report.count("MISS") == 5
    assert "Morning save" in report
    assert "floor" in report and "blank page" in report and "Peak memory" in report


@pytest.mark.parametrize("option", [["--sizes", "ten"], ["--sizes", "0"], ["--repeat", "0"]])
def test_bad_options_are_a_usage_error(option: list[str]) -> None:
    assert main(["bench", *option]) == 2
