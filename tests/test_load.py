"""Many writers at once: every night saved, nothing lost, no error reaches the caller.

Fifty writers each save twenty different nights through save_night, as fifty browser tabs or
app servers would: threads sharing one engine, and separate processes each with its own engine
(fifty connections at once), on SQLite and on PostgreSQL. Run with -s to see the figures.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import count_rows, days_ago, make_entry
from tracker.journal.db import make_engine
from tracker.journal.entries import NightEntry
from tracker.journal.schema import ensure_schema
from tracker.journal.store import NEW, entry_of, list_nights, save_night

WRITERS, SAVES = 50, 20


def night_of(writer: int, save: int) -> dt.date:
    """The night a writer saves at its save-th turn: distinct for every (writer, save)."""
    return days_ago(1 + writer * SAVES + save)


def entry_for(writer: int, save: int) -> NightEntry:
    """What a writer saves: 1 to 3 cramps and a note naming the writer."""
    return make_entry(
        night_of(writer, save), cramps=1 + (writer + save) % 3, notes=f"writer {writer} #{save}"
    )


def write_nights(engine: Engine, writer: int) -> int:
    """One writer's stream of saves, each in its own transaction; how many were saved."""
    with Session(engine) as session:
        for save in range(SAVES):
            save_night(session=session, entry=entry_for(writer, save), expected_version=NEW)
    return SAVES


def write_in_own_process(url_and_writer: tuple[str, int]) -> int:
    """A writer in its own process, with its own engine (as another app server would be)."""
    url, writer = url_and_writer
    engine = make_engine(url)
    try:
        return write_nights(engine, writer)
    finally:
        engine.dispose()


def assert_every_night_stored(engine: Engine) -> int:
    """Every writer's every night is stored exactly; the journal's row count."""
    with Session(engine) as session:
        stored = {night.night: entry_of(night) for night in list_nights(session=session)}
    expected = {
        night_of(w, s): entry_for(w, s).normalised() for w in range(WRITERS) for s in range(SAVES)
    }
    assert len(stored) == WRITERS * SAVES
    wrong = [night for night, entry in expected.items() if stored.get(night) != entry]
    assert wrong == []
    cramps = sum(len(entry.cramps) for entry in expected.values())
    assert count_rows(engine, "cramp") == cramps
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    return len(stored) + cramps


def report(kind: str, engine: Engine, rows: int, seconds: float) -> None:
    print(
        f"\nload [{engine.dialect.name}, {kind}]: {WRITERS} writers x {SAVES} saves = "
        f"{WRITERS * SAVES} nights ({rows} rows) in {seconds:.1f} s "
        f"({WRITERS * SAVES / seconds:.0f} saves/s)"
    )


def test_fifty_threads_save_a_thousand_nights(engine: Engine) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        saved = list(pool.map(lambda writer: write_nights(engine, writer), range(WRITERS)))
    seconds = time.perf_counter() - started
    assert saved == [SAVES] * WRITERS
    report("threads", engine, assert_every_night_stored(engine), seconds)


def test_fifty_processes_save_a_thousand_nights(journal_url: str) -> None:
    engine = make_engine(journal_url)
    ensure_schema(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            allowed = int(conn.exec_driver_sql("SHOW max_connections").scalar())
        assert allowed >= WRITERS + 10, f"the server allows only {allowed} connections"
    engine.dispose()  # no open connection may cross a fork
    # fork: the children start with tracker already imported (a fresh interpreter takes
    # over a second each on this machine); each makes its own engine and connection.
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(processes=WRITERS) as pool:
        saved = pool.map(write_in_own_process, [(journal_url, w) for w in range(WRITERS)], 1)
    seconds = time.perf_counter() - started
    assert saved == [SAVES] * WRITERS
    try:
        report("processes", engine, assert_every_night_stored(engine), seconds)
    finally:
        engine.dispose()
