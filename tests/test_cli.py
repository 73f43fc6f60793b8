"""The cramp-journal command: serve, demo, import, export; exit codes and messages."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from statistics import mean

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.browser_support import free_port, listening_addresses, wait_until_serving
from tests.factories import days_ago, make_entry
from tracker.care.pregnancy import dating
from tracker.cli import main
from tracker.cli.serve import (
    LIMIT_DEFAULTS,
    LOOPBACK_HOSTS,
    PRIVATE_DEFAULTS,
    SPEED_DEFAULTS,
    serve_command,
)
from tracker.exchange.diary_csv import export_diary
from tracker.journal.config import PROJECT_ROOT
from tracker.journal.db import make_engine
from tracker.journal.demo import MAGNESIUM_FROM_WEEK, demo_journal
from tracker.journal.schema import current_revision, ensure_schema, head_revision, upgrade
from tracker.journal.store import get_profile, list_nights, save_night

TABLES = ("profile", "night", "cramp", "redflag")


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/journal.db"


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    """The journal behind `url`, with the current schema."""
    engine = make_engine(url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def dump(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
            for t in TABLES
        }


def write_csv(path: Path, *entries: object) -> Path:
    path.write_text(export_diary(entries), encoding="utf-8")
    return path


def nights_in(engine: Engine) -> list:
    with Session(engine) as session:
        return list_nights(session=session)


# --- import / export --------------------------------------------------------------------------


def test_export_import_export_through_the_cli_gives_the_same_file(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = f"sqlite:///{tmp_path}/other.db"
    assert main(["--db", url, "demo"]) == 0
    assert main(["--db", url, "export", str(tmp_path / "a.csv")]) == 0
    assert main(["--db", other, "import", str(tmp_path / "a.csv")]) == 0
    assert main(["export", str(tmp_path / "b.csv"), "--db", other]) == 0  # --db after the command
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    out = capsys.readouterr().out
    count = len(demo_journal().nights)
    assert f"Imported {tmp_path / 'a.csv'}: {count} nights added, 0 replaced" in out
    assert f"Exported {count} nights to {tmp_path / 'b.csv'}." in out
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o600


def test_import_lists_each_problem_by_row_and_column_and_writes_nothing(
    tmp_path: Path, url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(engine) as session:
        save_night(session=session, entry=make_entry(days_ago(20)))
    before = dump(engine)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"night,severity,duration_min\n{days_ago(2)},5,1\n{days_ago(1)},11,0\n")
    assert main(["--db", url, "import", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"cramp-journal: {bad}: nothing was imported. Fix these and try again:"
    assert err[1:] == [
        "row 3, column duration_min: must be more than 0 and at most 180 minutes (3 hours)",
        "row 3, column severity: must be between 0 and 10",
    ]
    assert dump(engine) == before


def test_a_conflict_needs_replace(
    tmp_path: Path, url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(engine) as session:
        save_night(session=session, entry=make_entry(days_ago(2), water_ml=1000))
    before = dump(engine)
    changed = write_csv(
        tmp_path / "d.csv", make_entry(days_ago(2), water_ml=2500), make_entry(days_ago(1))
    )
    assert main(["--db", url, "import", str(changed)]) == 1
    err = capsys.readouterr().err
    assert f"night {days_ago(2)}: already in the journal with different data" in err
    assert "--replace" in err
    assert dump(engine) == before
    assert main(["--db", url, "import", str(changed), "--replace"]) == 0
    assert "1 nights added, 1 replaced, 0 already" in capsys.readouterr().out
    assert [n.water_ml for n in nights_in(engine)] == [2500, 1500]


def test_import_names_ignored_columns(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    diary = tmp_path / "paper.csv"
    diary.write_text(f"night,severity,mood\n{days_ago(1)},4,ok\n")
    assert main(["--db", url, "import", str(diary)]) == 0
    assert "Ignored columns (not part of the diary format): mood" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "not a CSV text file"),
        ("night,notes\n2025-01-01,caf\xe9\n".encode("latin-1"), "row 2, column notes: "),
    ],
)
def test_unreadable_files_fail_with_a_message(
    tmp_path: Path,
    url: str,
    content: bytes | None,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    assert main(["--db", url, "import", str(path)]) == 1
    assert message in capsys.readouterr().err


def test_export_does_not_overwrite_without_force(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "keep.csv"
    target.write_text("precious")
    assert main(["--db", url, "export", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "precious"
    assert main(["--db", url, "export", str(target), "--force"]) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfnight,cramp_time,")


def installed_command() -> str | None:
    """The console script of the environment running the tests (not another one on PATH)."""
    beside = Path(sys.executable).parent / "cramp-journal"
    return str(beside) if beside.exists() else shutil.which("cramp-journal")


def test_the_cli_runs_as_an_installed_command(tmp_path: Path, url: str, engine: Engine) -> None:
    command = installed_command()
    assert command, "cramp-journal is not installed: pip install -e ."
    diary = write_csv(tmp_path / "in.csv", make_entry(days_ago(1), notes="=1+1"))
    env = {**os.environ, "DATABASE_URL": url}  # the journal comes from the environment here
    done = subprocess.run(
        [command, "import", str(diary)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "1 nights added" in done.stdout
    assert [n.notes for n in nights_in(engine)] == ["=1+1"]
    again = subprocess.run(
        [command, "import", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert again.returncode == 1
    assert "cannot read" in again.stderr


# --- journals that can't be used, usage errors -------------------------------------------------


def test_every_command_upgrades_an_old_journal_first(tmp_path: Path, url: str) -> None:
    old = make_engine(url)
    upgrade(old, "0001")
    assert main(["--db", url, "export", str(tmp_path / "out.csv")]) == 0
    assert current_revision(old) == head_revision(old)
    assert list((tmp_path / "backups").glob("journal-before-*.db"))
    old.dispose()


def test_a_journal_from_a_newer_version_is_refused_untouched(
    tmp_path: Path, url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = dump(engine)
    diary = write_csv(tmp_path / "in.csv", make_entry(days_ago(1)))
    assert main(["--db", url, "import", str(diary)]) == 2
    assert "newer version of Cramp Journal" in capsys.readouterr().err
    assert dump(engine) == before


def test_a_journal_that_cannot_be_opened_fails_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["--db", f"sqlite:///{tmp_path}/a-file/j.db", "export", "x.csv"]) == 1
    assert "could not be opened or written" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["export"],
        ["import", "a.csv", "--bogus"],
        ["demo", "--seed", "x"],
        ["--db", "not a url", "export", "x.csv"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("serve", "demo", "import", "export"))


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_is_twelve_weeks_from_week_24_ending_last_night() -> None:
    demo = demo_journal(seed=1)
    first, last = demo.nights[0].night, demo.nights[-1].night
    assert last == days_ago(1)
    assert (last - first).days == 83
    assert dating(first, demo.due_date).label == "24+0"
    assert dating(last, demo.due_date).label == "35+6"
    assert 76 <= len(demo.nights) <= 81  # a few nights were not logged


@pytest.mark.parametrize("seed", [1, 2, 3, 2024])
def test_demo_cramps_rise_with_gestational_week(seed: int) -> None:
    demo = demo_journal(seed=seed)
    per_night = {n.night: len(n.cramps) for n in demo.nights}
    week = {n.night: dating(n.night, demo.due_date).week for n in demo.nights}
    early = mean(c for d, c in per_night.items() if week[d] < 28)
    late = mean(c for d, c in per_night.items() if week[d] >= 32)
    assert late > early * 1.5


def test_demo_has_what_a_real_diary_has() -> None:
    demo = demo_journal(seed=7)
    nights = demo.nights
    before = [n for n in nights if dating(n.night, demo.due_date).week < MAGNESIUM_FROM_WEEK]
    after = [n for n in nights if dating(n.night, demo.due_date).week >= MAGNESIUM_FROM_WEEK]
    assert before and all(n.magnesium_mg == 0 for n in before)
    on = [n for n in after if n.magnesium_mg]
    assert len(on) > len(after) / 2
    assert all(n.magnesium_form and n.magnesium_clinician_agreed for n in on)
    assert 1 <= sum(bool(n.red_flags) for n in nights) <= 2
    assert any(n.stretch_min for n in nights) and any(n.stretch_min == 0 for n in nights)
    assert len({n.water_ml for n in nights}) > 10 and any(n.water_ml is None for n in nights)
    assert 5 < sum(bool(n.notes) for n in nights) < len(nights) / 2
    assert any(not n.cramps for n in nights)


def test_the_demo_is_the_same_for_the_same_seed() -> None:
    today = dt.date.today()
    assert demo_journal(seed=5, today=today) == demo_journal(seed=5, today=today)
    assert demo_journal(seed=5, today=today) != demo_journal(seed=6, today=today)


def test_demo_fills_the_journal_and_sets_the_due_date(url: str, engine: Engine) -> None:
    assert main(["--db", url, "demo", "--seed", "3"]) == 0
    expected = demo_journal(seed=3)
    stored = nights_in(engine)
    assert [n.night for n in stored] == [n.night for n in expected.nights]
    with Session(engine) as session:
        assert get_profile(session=session).due_date == expected.due_date


def test_demo_refuses_a_journal_with_nights_unless_forced(
    url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(engine) as session:
        save_night(session=session, entry=make_entry(days_ago(200)))
    before = dump(engine)
    assert main(["--db", url, "demo"]) == 1
    assert "already has 1 night." in capsys.readouterr().err
    assert dump(engine) == before
    assert main(["--db", url, "demo", "--force"]) == 0
    assert len(nights_in(engine)) == len(demo_journal().nights) + 1


# --- serve ------------------------------------------------------------------------------------


def test_serve_runs_streamlit_with_private_defaults_before_her_options() -> None:
    command = serve_command(["--server.port", "8502", "--server.address", "0.0.0.0"])
    assert command[1:5] == ["-m", "streamlit", "run", str(PROJECT_ROOT / "server_app.py")]
    n = len(PRIVATE_DEFAULTS) + len(SPEED_DEFAULTS) + len(LIMIT_DEFAULTS)
    assert command[5 : 5 + n] == PRIVATE_DEFAULTS + SPEED_DEFAULTS + LIMIT_DEFAULTS
    assert SPEED_DEFAULTS == [
        "--runner.postScriptGC", "false", "--server.fileWatcherType", "none"
    ]  # fmt: skip
    pinned = [a for host in LOOPBACK_HOSTS for a in ("--server.allowedHosts", host)]
    assert command[5 + n : 5 + n + len(pinned)] == pinned  # loopback names unless told more
    assert command[5 + n + len(pinned) :] == [
        "--server.port",
        "8502",
        "--server.address",
        "0.0.0.0",
    ]
    assert dict(zip(PRIVATE_DEFAULTS[::2], PRIVATE_DEFAULTS[1::2], strict=True)) == {
        "--browser.gatherUsageStats": "false",
        "--server.address": "127.0.0.1",
        "--client.toolbarMode": "minimal",
        "--client.showErrorDetails": "none",
        "--server.enableAgentApi": "false",
    }


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_serve_starts_the_app_on_this_machine_only(tmp_path: Path, url: str) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to look at the app's process")
    port = free_port()
    command = [
        installed_command() or "cramp-journal",
        "--db",
        url,
        "serve",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    with open(tmp_path / "serve.log", "w") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp_path
        )
    try:
        wait_until_serving(port, process, tmp_path / "serve.log", seconds=90)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
            assert r.read() == b"ok"
        (app,) = _children(process.pid)
        argv = Path(f"/proc/{app}/cmdline").read_bytes().split(b"\0")
        env = Path(f"/proc/{app}/environ").read_bytes().split(b"\0")
        assert [a.decode() for a in argv[1:-1]] == serve_command(
            ["--server.port", str(port), "--server.headless", "true"]
        )[1:]
        assert f"DATABASE_URL={url}".encode() in env
        assert Path(f"/proc/{app}/cwd").resolve() == PROJECT_ROOT
        assert listening_addresses(port) == {"127.0.0.1"}
        assert current_revision(make_engine(url)) is not None  # the journal was set up first
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
