"""A write builds the next Trends visit ahead (tracker.app.ahead): after a save, Trends opens
from the caches without reading the journal again or building a chart."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tracker.app import ahead, web
from tracker.insights import frames, trends
from tracker.journal.db import make_engine
from tracker.journal.demo import fill_demo
from tracker.journal.schema import ensure_schema
from tracker.journal.store import delete_night, journal_stamp

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.fixture
def demo():
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_schema(engine)
    with Session(engine) as s:
        fill_demo(session=s)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield engine
    engine.dispose()
    st.cache_data.clear()


def nothing_may_be_built(monkeypatch) -> list[str]:  # noqa: ANN001
    """From here on, reading the journal or building a view or chart is recorded as a miss."""
    misses: list[str] = []
    for module, name in ((frames, "load_journal"), (trends, "view_of"), (trends, "charts_of")):
        real = getattr(module, name)

        def record(*args, _real=real, _name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            misses.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, record)
    return misses


def test_a_save_on_last_night_builds_the_next_trends_visit(demo, monkeypatch) -> None:
    # Last night is deleted first, so that saving it is a real write (a new journal version).
    night = dt.date.today() - dt.timedelta(days=1)
    with Session(demo) as s:
        assert delete_night(session=s, night=night)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page("pages/trends.py").run()  # her choice of period is what is built ahead
    at.button_group(key="tr_period").set_value("Last 2 weeks").run()
    assert not at.exception
    with Session(demo) as s:
        before = journal_stamp(s)
    at.switch_page("pages/last_night.py").run()
    ahead.last = None
    at.button(key="ln_zero").click().run()  # "No cramps last night"
    assert not at.exception
    assert ahead.last is not None, "the save started no build ahead"
    ahead.last.join(30)
    with Session(demo) as s:
        assert journal_stamp(s) != before  # a new version, built ahead
    misses = nothing_may_be_built(monkeypatch)
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    assert at.button_group(key="tr_period").value == "Last 2 weeks"
    assert at.get("vega_lite_chart"), "Trends drew no chart"
    assert misses == [], f"Trends built {misses} after the build ahead"


def test_without_a_build_ahead_the_same_visit_builds_everything(demo, monkeypatch) -> None:
    """The check above can fail: with the build ahead off, the visit reads and builds."""
    monkeypatch.setattr(web, "build_trends_ahead", lambda: None)
    at = AppTest.from_file(APP, default_timeout=30).run()
    night = dt.date.today() - dt.timedelta(days=1)
    with Session(demo) as s:
        assert delete_night(session=s, night=night)
    at.run()
    at.button(key="ln_zero").click().run()
    assert not at.exception
    misses = nothing_may_be_built(monkeypatch)
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    assert set(misses) == {"load_journal", "view_of", "charts_of"}


def test_a_failed_build_ahead_is_logged_and_changes_nothing(demo, monkeypatch, caplog) -> None:
    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ahead, "DELAY_S", 0.0)
    monkeypatch.setattr(trends, "view_of", broken)
    thread = web.build_trends_ahead()
    assert thread is not None
    thread.join(30)
    assert "building Trends ahead failed: RuntimeError" in caplog.text
    assert web.build_trends_ahead() is not None  # the next write may build again
    ahead.last.join(30)


def test_a_build_reads_the_journal_it_was_started_for(demo, tmp_path, monkeypatch) -> None:
    """A build that runs on after DATABASE_URL points elsewhere (a test's next journal, say)
    reads its own journal and leaves the other alone."""
    url = os.environ["DATABASE_URL"]
    other = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("DATABASE_URL", other)
    stamp = web.build_trends(url, "Last 4 weeks", "date", None)
    with Session(demo) as s:
        assert stamp == journal_stamp(s)
    assert web._journal(url, stamp).nights.shape[0] > 0  # the demo's nights, from the cache
    assert not (tmp_path / "other.db").exists()  # the other journal was never opened


def test_the_view_built_as_the_server_starts_is_the_one_trends_opens_on(demo, monkeypatch) -> None:
    """Issue 21: the first Trends visit after a start read, fitted and drew everything (2.7 s
    with the sample journal, later visits 0.3-0.6 s). Built at start, it builds nothing."""
    from tracker.app import warm

    thread = warm.build_first_trends()
    assert thread is not None
    thread.join(60)
    misses = nothing_may_be_built(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page("pages/trends.py").run()  # a new visit: the default period and axis
    assert not at.exception
    assert at.get("vega_lite_chart") and at.metric, "Trends showed nothing"
    assert misses == [], f"the first Trends visit built {misses}"
