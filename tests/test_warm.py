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
