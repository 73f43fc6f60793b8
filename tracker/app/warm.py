"""The server's start: import what the pages use, then freeze the heap it made; once the
server runs, build Trends' first view (first_trends, st.App's lifespan).

Python's automatic collection of the oldest generation walks every tracked object. After
pandas, Altair and SciPy are imported that is over 200,000 objects, and a collection
started while a page reads ten years of nights cost 70-150 ms (seen in the bench as spikes of a
Trends visit). gc.freeze() moves the objects alive at start-up into a permanent generation
that collections skip; objects made afterwards are collected as before.

The first Trends visit after a start used to read the whole journal, fit its models and build
its charts while she waited (2.7 s with the sample journal; later visits 0.3-0.6 s). Once the
server's runtime has started, first_trends builds that view in the background (as a save
does, tracker.app.ahead), for the controls a new visit opens on, into the caches the page
reads; if she opens Trends sooner, the page waits on the same cache entries.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# What the everyday pages import (Last night, History, Trends, Summary). The PDF's renderer
# and fonts are left to the first export: most mornings make none.
EVERYDAY = (
    "pandas",
    "altair",
    "tracker.insights.charts",
    "tracker.insights.summary",
    "tracker.insights.adjusted",
    "tracker.insights.trends",
    "tracker.insights.wording",
    "tracker.journal.store",
)


def warm_up() -> int:
    """Import the everyday modules, collect once, and freeze: returns how many were frozen."""
    for name in EVERYDAY:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def build_first_trends() -> threading.Thread | None:
    """Build Trends' first view (default period and axis) in the background (tracker.app.ahead):
    the thread, or None if a build is already running."""
    from functools import partial

    from tracker.app import ahead, web
    from tracker.insights.trends import DEFAULT_PERIOD, SHOW_BY

    # For no session yet: its charts in English (the default); the frames and numbers, the
    # costly part, serve every language, so a first visit in Spanish builds only its charts.
    work = partial(web.build_trends, web.database_url(), DEFAULT_PERIOD, SHOW_BY[0], None)
    return ahead.start(work)


@asynccontextmanager
async def first_trends(_app: object) -> AsyncIterator[None]:
    """st.App's lifespan: once the runtime (and so its caches) has started, build Trends' first
    view; the server answers meanwhile."""
    from tracker.app.signin import hosted

    if not hosted():  # a practice's server: nobody's journal until someone signs in
        build_first_trends()
    yield
