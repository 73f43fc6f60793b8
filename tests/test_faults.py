"""Faults: a writer killed mid-save, commits that fail, locks, a restarted server, live backups.

Each test breaks something real (a SIGKILL, SQLite's own disk-full and read-only errors, a
PostgreSQL restart) and checks that every confirmed save is kept, nothing is half written,
and the person sees a plain message with her typing still in the form.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import select
import shlex
import signal
import sqlite3
import subprocess
import threading
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

import tracker.app.web
import tracker.journal.db
from tests.factories import days_ago, make_cramp, make_entry
from tracker.cli import main
from tracker.journal.config import sqlite_path
from tracker.journal.db import ATTEMPTS, is_transient, make_engine
from tracker.journal.entries import NightEntry
from tracker.journal.schema import backup_sqlite, ensure_schema
from tracker.journal.store import NEW, entry_of, list_nights, save_night

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TABLES = ("profile", "night", "cramp", "redflag")


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, read through a fresh engine (no fault attached)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {table}"))), key=repr)
                for table in TABLES
            }
    finally:
        engine.dispose()


def journal_of(url: str) -> dict[dt.date, NightEntry]:
    """What the journal holds, after checking the file's integrity and its foreign keys."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        with Session(engine) as session:
            return {night.night: entry_of(night) for night in list_nights(session=session)}
    finally:
        engine.dispose()


# --- A writer killed with SIGKILL in the middle of its saves -----------------------------------

KILLS = 20


def operation(step: int) -> NightEntry:
    """The step-th save of the writers' stream: each night is created, then changed once."""
    night = days_ago(1 + step // 2)
    if step % 2 == 0:
        return make_entry(night, cramps=step % 3, notes=f"first written by save {step}")
    flags = ["fever"] if step % 3 == 0 else []
    return make_entry(night, cramps=1 + step % 4, notes=f"changed by save {step}", red_flags=flags)


def journal_after(steps: int) -> dict[dt.date, NightEntry]:
    """The journal once the first `steps` saves of the stream have been committed."""
    state: dict[dt.date, NightEntry] = {}
    for step in range(steps):
        entry = operation(step).normalised()
        state[entry.night] = entry
    return state


def save_until_killed(url: str, start: int, confirm_fd: int) -> None:
    """The child: save the stream from `start`, writing each step once it is committed."""
    engine = make_engine(url)
    with Session(engine) as session:
        for step in range(start, start + 5_000):
            save_night(session=session, entry=operation(step), expected_version=None)
            os.write(confirm_fd, f"{step}\n".encode())


def fork_writer(url: str, start: int) -> tuple[int, int]:
    """A child process saving the stream (forked: tracker is already imported); pid, pipe."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 1
        try:
            os.close(read_fd)
            save_until_killed(url, start, write_fd)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def first_confirmation(read_fd: int) -> bytes:
    """Wait until the child has committed its first save (so the kill falls mid-stream)."""
    received = b""
    deadline = time.monotonic() + 60
    while b"\n" not in received:
        assert time.monotonic() < deadline, "the writer confirmed nothing within a minute"
        if select.select([read_fd], [], [], 1)[0]:
            chunk = os.read(read_fd, 4096)
            assert chunk, "the writer stopped before its first save"
            received += chunk
    return received


def confirmed_steps(received: bytes, read_fd: int) -> list[int]:
    """Every step the dead child confirmed (its end of the pipe is closed now)."""
    with os.fdopen(read_fd, "rb") as pipe:
        lines = (received + pipe.read()).decode().split("\n")
    return [int(line) for line in lines[:-1]]  # the last piece is after the final newline


def test_a_writer_killed_mid_save_keeps_every_confirmed_night(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    engine.dispose()  # no open connection may cross a fork
    rng = random.Random(KILLS)
    done, in_flight_committed, started = 0, 0, time.perf_counter()
    for _ in range(KILLS):
        pid, read_fd = fork_writer(sqlite_url, start=done)
        received = first_confirmation(read_fd)
        time.sleep(rng.uniform(0, 0.25))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the writer stopped by itself before it was killed"
        confirmed = confirmed_steps(received, read_fd)
        assert confirmed == list(range(done, done + len(confirmed)))
        done += len(confirmed)
        stored = journal_of(sqlite_url)
        # The save in flight at the kill may have committed or not, but never half of it.
        assert stored in (journal_after(done), journal_after(done + 1))
        if stored == journal_after(done + 1):
            done, in_flight_committed = done + 1, in_flight_committed + 1
    seconds = time.perf_counter() - started
    print(
        f"\nkill -9: {KILLS} writers killed mid-stream, {done} saves kept "
        f"({in_flight_committed} committed just before the kill, unconfirmed), "
        f"integrity_check ok after each, {seconds:.1f} s"
    )


# --- A commit that fails: disk full, read-only journal, I/O error -------------------------------


class FailingCommit(sqlite3.Connection):
    """A SQLite connection whose COMMIT fails as a dying disk's would, while `fault` is armed."""

    fault: Fault

    def commit(self) -> None:
        if self.fault.armed:
            raise sqlite3.OperationalError("disk I/O error")
        super().commit()


class Fault:
    """One kind of storage failure, switched on and off on every connection of an engine."""

    MESSAGES = {
        "disk full": "database or disk is full",
        "read-only": "attempt to write a readonly database",
        "I/O error": "disk I/O error",
    }

    def __init__(self, kind: str):
        self.kind, self.armed, self.engine = kind, False, None

    def attach(self, engine: Engine) -> Engine:
        event.listen(engine, "do_connect", self._connect)
        event.listen(engine, "begin", self._begin)
        self.engine = engine
        return engine

    def arm(self, armed: bool = True) -> None:
        self.armed = armed
        self.engine.dispose()  # the next connection opens with (or without) the fault

    def _connect(self, dialect, record, cargs, cparams):  # noqa: ANN001, ANN202
        if self.kind == "read-only" and self.armed:
            # What SQLite does with a file it may not write (root ignores chmod 0400).
            cargs[0], cparams["uri"] = f"file:{cargs[0]}?mode=ro", True
        if self.kind == "I/O error":
            connection = sqlite3.connect(*cargs, factory=FailingCommit, **cparams)
            connection.fault = self
            return connection
        return None

    def _begin(self, connection) -> None:  # noqa: ANN001
        if self.kind == "disk full":
            # SQLite's own SQLITE_FULL: the file may not grow by a single page.
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
            limit = pages if self.armed else 1_073_741_823
            connection.exec_driver_sql(f"PRAGMA max_page_count = {limit}")


FAULTS = list(Fault.MESSAGES)
LONG_NOTE = "Woke at 3, left calf, walked it off. " * 300  # 11,100 characters: new pages


def seed(url: str) -> None:
    """A journal with one night already in it."""
    engine = make_engine(url)
    try:
        ensure_schema(engine)
        with Session(engine) as session:
            save_night(session=session, entry=make_entry(days_ago(6), cramps=2))
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", FAULTS)
def test_a_failed_commit_raises_writes_nothing_and_the_next_save_works(
    sqlite_url: str, kind: str
) -> None:
    seed(sqlite_url)
    before = dump(sqlite_url)
    fault = Fault(kind)
    engine = fault.attach(make_engine(sqlite_url))
    entry = make_entry(days_ago(1), cramps=3, notes=LONG_NOTE, red_flags=["fever"])
    try:
        fault.arm()
        with Session(engine) as session:
            with pytest.raises(OperationalError) as failed:
                save_night(session=session, entry=entry, expected_version=NEW)
            assert Fault.MESSAGES[kind] in str(failed.value.orig)
            assert not is_transient(failed.value)  # not retried: trying again cannot help
            assert dump(sqlite_url) == before
            fault.arm(False)  # the disk has room again, the file is writable again
            save_night(session=session, entry=entry, expected_version=NEW)  # same session
    finally:
        engine.dispose()
    assert journal_of(sqlite_url)[entry.night] == entry.normalised()


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def fill_in(at: AppTest) -> None:
    """Last night: one cramp at 03:10, water, and a long note."""
    at.button(key="ln_add").click().run()
    cid = at.session_state["ln_cramp_ids"][-1]
    at.button_group(key=f"ln_c{cid}_when").set_value("Other time").run()
    at.text_input(key=f"ln_c{cid}_time").input("03:10")
    at.button_group(key=f"ln_c{cid}_sev").set_value(8)
    at.button(key=f"ln_c{cid}_more_btn").click().run()
    at.text_input(key=f"ln_c{cid}_dur").input("4")
    at.text_input(key="ln_water").input("1750")
    at.text_area(key="ln_notes").input(LONG_NOTE)
    at.run()


def assert_form_kept(at: AppTest) -> None:
    cid = at.session_state["ln_cramp_ids"][0]
    assert at.text_input(key=f"ln_c{cid}_time").value == "03:10"
    assert at.button_group(key=f"ln_c{cid}_sev").value == 8
    assert at.text_input(key=f"ln_c{cid}_dur").value == "4"
    assert at.text_input(key="ln_water").value == "1750"
    assert at.text_area(key="ln_notes").value == LONG_NOTE


@pytest.mark.parametrize("kind", FAULTS)
def test_a_failed_save_on_the_page_says_so_and_keeps_the_form(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    seed(sqlite_url)
    before = dump(sqlite_url)
    fault = Fault(kind)
    monkeypatch.setattr(tracker.app.web, "make_engine", lambda url: fault.attach(make_engine(url)))
    at = open_app()
    fill_in(at)
    fault.arm()
    at.button(key="ln_save").click().run()
    assert not at.exception
    errors = [element.value for element in at.error]
    assert any("nothing was changed" in e and "What you typed is still here" in e for e in errors)
    assert not at.success
    assert_form_kept(at)
    assert dump(sqlite_url) == before
    fault.arm(False)
    at.button(key="ln_save").click().run()  # she tries again once the disk is fixed
    assert not at.exception
    assert any("Saved" in element.value for element in at.success)
    saved = journal_of(sqlite_url)[days_ago(1)]
    assert (saved.notes, saved.water_ml) == (LONG_NOTE, 1750)
    assert [(c.time, c.severity, c.duration_min) for c in saved.cramps] == [
        (dt.time(3, 10), 8, 4.0)
    ]


# --- Locks held too long: retried, then refused without writing --------------------------------


@pytest.fixture
def impatient_engine(sqlite_url: str, monkeypatch: pytest.MonkeyPatch):
    """A journal whose connections give up waiting for a lock after 0.1 s."""
    monkeypatch.setattr(tracker.journal.db, "BUSY_TIMEOUT_MS", 100)
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def hold_write_lock(url: str) -> sqlite3.Connection:
    """Another program's connection, holding the journal's write lock until rolled back."""
    holder = sqlite3.connect(sqlite_path(url), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_save_blocked_past_the_busy_timeout_is_retried(
    impatient_engine: Engine, sqlite_url: str
) -> None:
    holder = hold_write_lock(sqlite_url)
    locked: list[str] = []

    @event.listens_for(impatient_engine, "handle_error")
    def release_after_the_first_failure(context) -> None:  # noqa: ANN001
        locked.append(str(context.original_exception))
        if holder.in_transaction:
            holder.rollback()  # the other program finishes its write

    entry = make_entry(cramps=2)
    with Session(impatient_engine) as session:
        save_night(session=session, entry=entry, expected_version=NEW)
    holder.close()
    assert locked == ["database is locked"]
    assert journal_of(sqlite_url)[entry.night] == entry.normalised()


def test_a_lock_that_is_never_released_is_refused_after_the_retries(
    impatient_engine: Engine, sqlite_url: str
) -> None:
    before = dump(sqlite_url)
    holder = hold_write_lock(sqlite_url)
    failures: list[object] = []
    event.listen(impatient_engine, "handle_error", failures.append)
    try:
        with Session(impatient_engine) as session, pytest.raises(OperationalError) as failed:
            save_night(session=session, entry=make_entry(cramps=1), expected_version=NEW)
    finally:
        holder.rollback()
        holder.close()
    assert "database is locked" in str(failed.value.orig)
    assert len(failures) == ATTEMPTS
    assert dump(sqlite_url) == before


@pytest.mark.postgres
def test_a_postgres_serialization_failure_counts_as_transient(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    ensure_schema(engine)
    try:
        with Session(engine) as session:
            save_night(session=session, entry=make_entry(cramps=1))
        with engine.connect() as first, engine.connect() as second:
            first.execution_options(isolation_level="REPEATABLE READ")
            first.exec_driver_sql("SELECT notes FROM night").all()
            second.exec_driver_sql("UPDATE night SET notes = 'from the phone'")
            second.commit()
            with pytest.raises(OperationalError) as failed:
                first.exec_driver_sql("UPDATE night SET notes = 'from the laptop'")
        assert failed.value.orig.sqlstate == "40001"
        assert is_transient(failed.value)
    finally:
        engine.dispose()


# --- PostgreSQL restarted between two saves ---------------------------------------------------


def restart_postgres(server) -> None:  # noqa: ANN001 - conftest's PostgresServer
    """Restart the test server as an operator would (pg_ctl restart), and wait until it is up."""
    import psycopg

    with psycopg.connect(
        host=server.host, port=server.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])
    # postmaster.opts holds the server's command line; pg_ctl lives beside the binary.
    pg_ctl = Path(shlex.split((data / "postmaster.opts").read_text())[0]).parent / "pg_ctl"
    log = data.parent / "server.log"
    command = [str(pg_ctl), "-D", str(data), "-l", str(log), "-m", "fast", "-w", "-t", "60"]
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run([*command, "restart"], check=True, capture_output=True, timeout=90)


@pytest.mark.postgres
def test_a_save_after_a_postgres_restart_works(postgres_server, postgres_url: str) -> None:  # noqa: ANN001
    engine = make_engine(postgres_url)
    ensure_schema(engine)
    first, second = make_entry(days_ago(2), cramps=1), make_entry(days_ago(1), cramps=2)

    def save_and_ask_when_the_server_started(entry: NightEntry) -> dt.datetime:
        with Session(engine) as session:
            save_night(session=session, entry=entry, expected_version=NEW)
            return (
                session.connection().exec_driver_sql("SELECT pg_postmaster_start_time()").scalar()
            )

    try:
        started = save_and_ask_when_the_server_started(first)
        restart_postgres(postgres_server)
        assert save_and_ask_when_the_server_started(second) > started  # a new server process
        with Session(engine) as session:
            stored = [entry_of(night) for night in list_nights(session=session)]
    finally:
        engine.dispose()
    assert stored == [first.normalised(), second.normalised()]


# --- A backup taken while saves are running ---------------------------------------------------


def night_for_backup(day: int, changed: bool) -> NightEntry:
    cramps = [make_cramp(severity=day % 11) for _ in range(1 + day % 3 + changed)]
    return make_entry(days_ago(day), cramps=cramps, notes=f"day {day}, changed {changed}")


def test_backups_taken_during_saves_are_whole_journals(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    saved, stop = [0], threading.Event()

    def keep_saving() -> None:
        """Create a night, then change the one before it, until told to stop."""
        with Session(engine) as session:
            for day in range(1, 2_000):
                save_night(session=session, entry=night_for_backup(day, False))
                if day > 1:
                    save_night(session=session, entry=night_for_backup(day - 1, True))
                saved[0] = day
                if stop.is_set():
                    return

    writer = threading.Thread(target=keep_saving)
    writer.start()
    copies = []
    try:
        while saved[0] < 5:
            time.sleep(0.01)
        for number in range(6):
            copies.append(backup_sqlite(sqlite_path(sqlite_url), tmp_path / f"copy{number}.db"))
            time.sleep(0.05)
        copies.append(tmp_path / "cli-copy.db")
        assert main(["--db", sqlite_url, "backup", str(copies[-1])]) == 0
        last_copy = saved[0]
        while saved[0] < last_copy + 3:  # the writer is still going after the last copy
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(timeout=60)
        engine.dispose()
    counts = [assert_whole_journal(copy) for copy in copies]
    assert all(0 < count < saved[0] for count in counts)
    print(f"\nlive backup: {len(copies)} copies during {saved[0]} saves, nights {counts}")


def assert_whole_journal(copy: Path) -> int:
    """The copy opens as a current journal and holds only whole nights; how many."""
    engine = make_engine(f"sqlite:///{copy}")
    try:
        assert ensure_schema(engine) is None  # current already: nothing to upgrade
    finally:
        engine.dispose()
    nights = journal_of(f"sqlite:///{copy}")
    for night, entry in nights.items():
        day = (dt.date.today() - night).days
        assert entry in (night_for_backup(day, False), night_for_backup(day, True))
    return len(nights)
