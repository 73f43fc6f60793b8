"""The server's start: import what the pages use, then freeze the heap it made.

Python's automatic collection of the oldest generation walks every tracked object. After
pandas, Altair and SciPy are imported that is over 200,000 objects, and a collection
started while a page reads ten years of nights cost 70-150 ms (seen in the bench as spikes of a
Trends visit). gc.freeze() moves the objects alive at start-up into a permanent generation
that collections skip; objects made afterwards are collected as before.
"""

from __future__ import annotations

import gc
import importlib

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
