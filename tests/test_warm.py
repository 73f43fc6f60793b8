"""The server freezes the heap of its imports at start (tracker.app.warm), in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import gc, runpy, sys
assert gc.get_freeze_count() == 0
runpy.run_path(sys.argv[1])  # what `cramp-journal serve` runs, up to the server starting
assert {"pandas", "altair", "tracker.insights.charts"} <= set(sys.modules)
frozen = gc.get_freeze_count()
young = len(gc.get_objects())  # what collections still walk
print(frozen, young)
"""


def test_serving_freezes_what_the_everyday_imports_made() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(ROOT / "server_app.py")],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    frozen, young = map(int, done.stdout.split()[-2:])
    assert frozen > 100_000  # pandas and Altair alone make far more than that
    assert young < frozen / 10  # collections no longer walk them


STARTS = """
import asyncio, json, runpy, sys
app = runpy.run_path(sys.argv[1])["app"]  # what `cramp-journal serve` runs
from tracker.app import ahead, web
from tracker.insights import frames, trends

async def main():
    inbox, sent, built = asyncio.Queue(), [], []
    await inbox.put({"type": "lifespan.startup"})

    async def send(message):
        sent.append(message["type"])

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    serving = asyncio.create_task(app(scope, inbox.get, send))
    while not sent:
        await asyncio.sleep(0.05)
    started = ahead.last is not None
    if started:
        ahead.last.join(120)
    for module, name in ((frames, "load_journal"), (trends, "view_of"), (trends, "charts_of")):
        real = getattr(module, name)
        setattr(module, name, lambda *a, _r=real, _n=name, **k: built.append(_n) or _r(*a, **k))
    # What a first Trends visit asks the caches for, in the server's own runtime.
    web.build_trends(web.database_url(), trends.DEFAULT_PERIOD, trends.SHOW_BY[0], None)
    await inbox.put({"type": "lifespan.shutdown"})
    await serving
    print(json.dumps({"sent": sent, "started": started, "built": built}))

asyncio.run(main())
"""


def test_the_server_builds_trends_first_view_as_it_starts(tmp_path) -> None:
    """The server's lifespan (st.App) builds Trends' first view once its runtime has started,
    into the caches the page reads: the first visit then builds nothing."""
    import json
    import os

    from sqlmodel import Session

    from tracker.journal.db import make_engine
    from tracker.journal.demo import fill_demo
    from tracker.journal.schema import ensure_schema

    url = f"sqlite:///{tmp_path / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        fill_demo(session=s)
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-c", STARTS, str(ROOT / "server_app.py")],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
        env={**os.environ, "DATABASE_URL": url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["sent"] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert found["started"], "no build was started as the server started"
    assert found["built"] == [], f"the first visit would still build {found['built']}"
