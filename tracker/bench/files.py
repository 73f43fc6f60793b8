"""Exports, imports and the cold PDF as she runs them: each `cramp-journal` command in a fresh
process of its own, timed from start to exit, with its peak memory.

The command is started by a bare Python probe (`python -S`, a few MB) and waited for with
os.wait4, whose ru_maxrss is the peak of that one child. (A child started straight from the
bench could carry the bench's own high-water mark across exec on Linux.)

The app refuses nights before 1950, so a journal reaching further back (36,500 nights ending
last night start in 1926) cannot be imported. Its imports are measured on the largest journal
the app accepts instead: every night since 1 Jan 1950, with more cramps a night so that it holds
at least as many rows (nights and cramps) as the journal it stands in for.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

from tracker.bench.measure import build_journal
from tracker.bench.servers import cramp_journal

PEAK_MB = 400  # export and import peak memory goal, at 36,500 nights
GOAL_NIGHTS = 36_500
PDF_WEEKS = 12
EARLIEST_NIGHT = dt.date(1950, 1, 1)  # tracker.journal.entries.validate_night refuses older ones
STEPS = ("export_csv", "export_json", "import_csv", "import_json")

PROBE = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
scale = 2**20 if sys.platform == "darwin" else 2**10
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "exit": os.waitstatus_to_exitcode(status),
                  "peak_mb": usage.ru_maxrss / scale}))
"""


def run_command(args: list[str], log: Path) -> dict:
    """Run `cramp-journal ARGS` in a fresh process: seconds and peak MB, and what it said
    ("failed") when it exited non-zero: a refusal is a figure too, not the end of the bench."""
    command = [*cramp_journal(), *args]
    if not Path(command[0]).is_absolute():
        raise RuntimeError(f"no cramp-journal command at {command[0]}")
    done = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, *command], capture_output=True, text=True, check=True
    )
    with open(log, "a") as out:
        out.write(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    measured = {"seconds": round(result["seconds"], 2), "peak_mb": round(result["peak_mb"], 1)}
    if result["exit"] != 0:
        said = [line for line in done.stderr.splitlines() if line.strip()]
        measured["failed"] = f"exit {result['exit']}: " + " / ".join(said[:2] + said[-1:])[:300]
    return measured


def _nights_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM night").fetchone()[0]


def journal_shape(path: Path) -> dict:
    """A journal's nights, cramps, rows (the two together) and its first and last nights."""
    with sqlite3.connect(path) as conn:
        nights, first, last = conn.execute(
            "SELECT COUNT(*), MIN(night), MAX(night) FROM night"
        ).fetchone()
        cramps = conn.execute("SELECT COUNT(*) FROM cramp").fetchone()[0]
    return {
        "nights": nights,
        "cramps": cramps,
        "rows": nights + cramps,
        "first": first,
        "last": last,
    }


def import_stand_in(journal: Path, folder: Path) -> dict | None:
    """The largest journal the app accepts, in place of one that starts before 1950 (None when
    the app accepts every night): every night since 1950 up to the same last night, with more
    cramps a night, so that it has at least as many rows (nights + cramps)."""
    source = journal_shape(journal)
    if dt.date.fromisoformat(source["first"]) >= EARLIEST_NIGHT:
        return None
    last = dt.date.fromisoformat(source["last"])
    nights = (last - EARLIEST_NIGHT).days + 1
    per_night = math.ceil((source["rows"] - nights) / nights * 10) / 10  # cramps a night
    path = folder / f"import-journal-{source['nights']}.db"
    while True:  # the counts are random: a tenth more a night until the rows are enough
        path.unlink(missing_ok=True)
        build_journal(path, nights, cramps_per_night=per_night)
        if (built := journal_shape(path))["rows"] >= source["rows"]:
            break
        per_night = round(per_night + 0.1, 1)
    return {
        "path": str(path),
        **built,
        "cramps_per_night": per_night,
        "instead_of": {k: source[k] for k in ("nights", "cramps", "rows", "first")},
        "why": f"the app refuses nights before {EARLIEST_NIGHT:%d %b %Y} and the "
        f"{source['nights']:,}-night journal starts on {source['first']}",
    }


def _import(export: Path, fresh: Path, expected: int, log: Path) -> dict:
    """`cramp-journal import` of one export into an empty journal, checked night by night."""
    done = run_command(["--db", f"sqlite:///{fresh}", "import", str(export)], log)
    if "failed" not in done and (found := _nights_in(fresh)) != expected:
        done["failed"] = f"imported {found} nights, not {expected}"
    return done


def time_files(journal: Path, nights: int, folder: Path) -> dict:
    """Export CSV and JSON, then import each into an empty journal, at one size. A journal the
    app would refuse is imported as its stand-in (import_stand_in), exported the same way."""
    log = folder / "files.log"
    row: dict = {"nights": nights}
    stand_in = import_stand_in(journal, folder)
    if stand_in is not None:
        row["import_stand_in"] = stand_in
    imported = Path(stand_in["path"]) if stand_in else journal
    for kind in ("csv", "json"):
        out = folder / f"export-{nights}.{kind}"
        row[f"export_{kind}"] = run_command(
            ["--db", f"sqlite:///{journal}", "export", str(out)], log
        )
        if out.exists():
            row[f"export_{kind}"]["mb_on_disk"] = round(out.stat().st_size / 2**20, 1)
        if stand_in:
            out = folder / f"export-stand-in-{stand_in['nights']}.{kind}"
            made = run_command(["--db", f"sqlite:///{imported}", "export", str(out)], log)
            stand_in[f"export_{kind}"] = made
        if not out.exists():
            row[f"import_{kind}"] = {"seconds": 0.0, "peak_mb": 0.0, "failed": "no export"}
            continue
        fresh = folder / f"import-{nights}-{kind}.db"
        row[f"import_{kind}"] = _import(out, fresh, _nights_in(imported), log)
        row[f"import_{kind}"]["nights"] = stand_in["nights"] if stand_in else nights
    return row


def time_pdf_cold(journal: Path, nights: int, folder: Path) -> dict:
    """`cramp-journal export summary.pdf` of the last 12 weeks in a fresh process."""
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=7 * PDF_WEEKS - 1)
    out = folder / f"summary-{nights}.pdf"
    args = ["--db", f"sqlite:///{journal}", "export", str(out)]
    args += ["--from", start.isoformat(), "--to", end.isoformat()]
    return {"nights": nights, "weeks": PDF_WEEKS, **run_command(args, folder / "files.log")}


def startup(folder: Path) -> dict:
    """`cramp-journal --help`: what starting the command costs before any work."""
    return run_command(["--help"], folder / "files.log")


def skipped(why: str) -> dict:
    """The result when exports and imports are not measured: every goal says why."""
    return {
        "skipped": why,
        "goals": [
            {"goal": _goal_text(step), "measured": f"not measured: {why}", "pass": None}
            for step in STEPS
        ],
    }


def _goal_text(step: str) -> str:
    return f"{step.replace('_', ' ')} peak < {PEAK_MB} MB at {GOAL_NIGHTS:,} nights"


def _measured(row: dict, step: str) -> str:
    done, stand_in = row[step], row.get("import_stand_in")
    if step.startswith("import") and stand_in:
        measured = (
            f"{done['peak_mb']:.0f} MB importing {stand_in['nights']:,} nights since "
            f"{EARLIEST_NIGHT:%Y} ({stand_in['rows']:,} rows, as many as {row['nights']:,} "
            f"nights' {stand_in['instead_of']['rows']:,}: the app refuses older nights)"
        )
    else:
        measured = f"{done['peak_mb']:.0f} MB at {row['nights']:,} nights"
    return f"FAILED ({done['failed']}); {measured}" if "failed" in done else measured


def run(journals: dict[int, Path], pdf_size: int, folder: Path) -> dict:
    """Exports and imports at every size, and the cold PDF at `pdf_size`."""
    sizes = [time_files(path, n, folder) for n, path in journals.items()]
    largest = sizes[-1]
    goals = []
    for step in STEPS:
        done = largest[step]
        goals.append(
            {
                "goal": _goal_text(step),
                "measured": _measured(largest, step),
                "pass": None if "failed" in done else done["peak_mb"] < PEAK_MB,
                "at_goal_size": largest["nights"] >= GOAL_NIGHTS,
            }
        )
    return {
        "startup": startup(folder),
        "sizes": sizes,
        "pdf_cold": time_pdf_cold(journals[pdf_size], pdf_size, folder),
        "goals": goals,
    }


def _cell(done: dict) -> str:
    mark = "!" if "failed" in done else " "
    return f"{done['seconds']:>6.2f}s{mark}{done['peak_mb']:>4.0f}MB"


def report_lines(result: dict) -> list[str]:
    """Exports and imports as a table: seconds from start to exit, and peak memory."""
    if "skipped" in result:
        return [f"Exports, imports and the cold PDF: not measured: {result['skipped']}."]
    start = result["startup"]
    lines = [
        "Exports and imports, each `cramp-journal` command in a fresh process "
        f"(seconds from start to exit; peak memory; starting the command alone: "
        f"{start['seconds']:.2f} s, {start['peak_mb']:.0f} MB):",
        f"  {'nights':>7}  {'export csv':>14}  {'export json':>14}  {'import csv':>14}  "
        f"{'import json':>14}",
    ]
    for row in result["sizes"]:
        cells = (row[k] for k in STEPS)
        lines.append(f"  {row['nights']:>7,}  " + "  ".join(_cell(c) for c in cells))
        lines += [
            f"  {'':>7}  {step.replace('_', ' ')} FAILED: {row[step]['failed']}"
            for step in STEPS
            if "failed" in row[step]
        ]
        if stand_in := row.get("import_stand_in"):
            lines.append(
                f"  {'':>7}  imports at {row['nights']:,}: {stand_in['why']}, so the imports are "
                f"of the largest journal it accepts: {stand_in['nights']:,} nights from "
                f"{stand_in['first']} with {stand_in['cramps_per_night']:g} cramps a night, "
                f"{stand_in['cramps']:,} cramps, {stand_in['rows']:,} rows (against "
                f"{stand_in['instead_of']['rows']:,})"
            )
    pdf = result["pdf_cold"]
    lines.append(
        f"Appointment PDF of {pdf['weeks']} weeks at {pdf['nights']:,} nights, cold "
        f"(`cramp-journal export summary.pdf` in a fresh process): {pdf['seconds']:.2f} s, "
        f"{pdf['peak_mb']:.0f} MB" + (f"; FAILED: {pdf['failed']}" if "failed" in pdf else "")
    )
    return lines
