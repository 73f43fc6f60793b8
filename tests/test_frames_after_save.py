"""After a save of one night, the whole-journal frames are the previous version's with that night
read again (frames.with_night_read_again), and only when nothing else changed in between:
they are then exactly what a new read of every night gives."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import days_ago, make_cramp, make_entry
from tracker.app import ahead, web
from tracker.insights import frames
from tracker.insights.frames import Journal, load_journal, with_night_read_again
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema
from tracker.journal.store import SAVED_NIGHT, delete_night, journal_stamp, save_night

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def assert_same(got: Journal, read: Journal) -> None:
    """The same nights (in order) and the same cramps (in any order: no view depends on it)."""
    pd.testing.assert_frame_equal(got.nights, read.nights)
    order = ["night_id", "position"]
    pd.testing.assert_frame_equal(
        got.cramps.sort_values(order).reset_index(drop=True),
        read.cramps.sort_values(order).reset_index(drop=True),
    )
    assert got.profile == read.profile


def saved(engine: Engine, entry, expected=None):  # noqa: ANN001, ANN201
    with Session(engine) as s:
        save_night(session=s, entry=entry, expected_version=expected)
        return s.info[SAVED_NIGHT]


def test_each_kind_of_save_gives_the_frames_a_new_read_gives(engine: Engine) -> None:
    for days in (30, 20, 10, 5):
        saved(engine, make_entry(days_ago(days), cramps=2))
    journal = load_journal(engine)
    flagged = make_entry(days_ago(10), cramps=4, notes="worse")
    flagged.red_flags.append("tenderness")
    saves = [
        make_entry(days_ago(15), cramps=3),  # a new night between two others
        flagged,  # more cramps, and a warning sign
        make_entry(days_ago(10), cramps=0),  # every cramp removed, the sign too
        make_entry(days_ago(1), cramps=[make_cramp(duration_min=None, woke=None)]),  # a new last
        make_entry(days_ago(40), cramps=1, water_ml=None, stretch_min=0),  # a new first night
        make_entry(days_ago(40), cramps=1, water_ml=None, stretch_min=0),  # the same again
    ]
    for entry in saves:
        with Session(engine) as s:
            before = journal_stamp(s)
        change = saved(engine, entry)
        with engine.connect() as conn:
            assert (change.night, change.before, change.after) == (
                entry.night,
                before,
                journal_stamp(conn),
            )
            journal = with_night_read_again(journal, conn, entry.night)
        assert_same(journal, load_journal(engine))
    assert change.before == change.after  # a repeated save writes nothing


@pytest.fixture
def demo():  # noqa: ANN201
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_schema(engine)
    with Session(engine) as s:
        fill_demo(session=s)
    yield engine
    engine.dispose()


def reads_of_every_night(monkeypatch) -> list[int]:  # noqa: ANN001
    """From here on, each whole-journal read (frames.load_journal) is counted."""
    reads: list[int] = []
    real = frames.load_journal
    monkeypatch.setattr(frames, "load_journal", lambda *a, **k: reads.append(1) or real(*a, **k))
    return reads


def cached_frames(engine: Engine) -> Journal:
    """The app's whole-journal frames of the journal as it is now."""
    with Session(engine) as s:
        stamp = journal_stamp(s)
    return web._journal(os.environ["DATABASE_URL"], stamp)


def test_a_save_on_last_night_reads_only_that_night_again(demo, monkeypatch) -> None:
    with Session(demo) as s:
        assert delete_night(session=s, night=days_ago(1))
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/trends.py").run()  # the frames of this version are read
    assert not at.exception
    reads = reads_of_every_night(monkeypatch)
    at.switch_page("pages/last_night.py").run()
    at.button(key="ln_zero").click().run()  # "No cramps last night": a new night
    assert not at.exception
    ahead.wait()
    at.switch_page("pages/trends.py").run()
    assert not at.exception and at.get("vega_lite_chart")
    assert reads == [], "the save read every night again"
    assert_same(cached_frames(demo), load_journal(demo))


def test_a_write_by_another_program_after_the_save_reads_everything(demo, monkeypatch) -> None:
    """The check above can fail: when anything else changed the journal after the save (here
    a night written by another program before the frames were built), every night is read."""
    with Session(demo) as s:
        assert delete_night(session=s, night=days_ago(1))
    monkeypatch.setattr(web, "build_trends_ahead", lambda: None)  # built when Trends opens
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/trends.py").run()
    at.switch_page("pages/last_night.py").run()
    at.button(key="ln_zero").click().run()
    assert not at.exception
    saved(demo, make_entry(days_ago(2), cramps=5, notes="from another device"), expected=None)
    reads = reads_of_every_night(monkeypatch)
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    assert reads == [1]
    assert_same(cached_frames(demo), load_journal(demo))
    assert (cached_frames(demo).nights["night"] == pd.Timestamp(days_ago(2))).sum() == 1


def test_erasing_forgets_what_was_last_read(demo) -> None:
    cached_frames(demo)
    assert web._last_read
    web.forget_journal()
    assert not web._last_read and not web._changes


def test_two_saves_before_the_frames_are_built_read_everything(demo, monkeypatch) -> None:
    """Only the change from the version last read is applied: after two saves, all is read."""
    monkeypatch.setattr(web, "build_trends_ahead", lambda: None)
    cached_frames(demo)
    url = os.environ["DATABASE_URL"]
    for cramps in (1, 2):
        with web.session(writing=True) as s:
            save_night(session=s, entry=make_entry(days_ago(1), cramps=cramps))
    reads = reads_of_every_night(monkeypatch)
    assert_same(cached_frames(demo), load_journal(demo))
    assert reads == [1]
    assert (url, 1) in web._last_read
