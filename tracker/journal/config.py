"""Where the journal lives: one setting, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "journal.db"

# How Streamlit runs the app: `cramp-journal serve` (tracker.cli.serve) and the bench's servers
# beside it (tracker.bench.servers) take these from here, so the bench measures the app as she
# runs it. Passed before her own options, so the app stays private even without
# .streamlit/config.toml.
PRIVATE_DEFAULTS = [
    "--browser.gatherUsageStats", "false",
    "--server.address", "127.0.0.1",
    "--client.toolbarMode", "minimal",
    "--client.showErrorDetails", "none",
    "--server.enableAgentApi", "false",
]  # fmt: skip
# Streamlit runs a full garbage collection (gc.collect(2)) after every script run: most of a
# save's time on the server (~200 of ~290 ms at 3,650 nights). Python's automatic collection
# still runs; the server's memory stayed flat over 30 saves and 20 Trends visits without it.
# And no file watching, wherever it is started from (.streamlit/config.toml says the same, but
# only a server started in this folder reads it): after every script run Streamlit's watcher
# walks every imported module for every session, 36% of the app processes' busy time in a
# rush of 80 saves (py-spy, bench --hosted), for code that never changes while she uses it.
SPEED_DEFAULTS = ["--runner.postScriptGC", "false", "--server.fileWatcherType", "none"]
# The app has no file uploader (the front door refuses uploads outright), and its biggest
# websocket message either way is a few kilobytes (Trends' chart: 15.7 KB at 36,500 nights;
# from a browser, a form with a long note): the smallest sizes, in MB, Streamlit takes. A
# bigger message from a browser closes its socket (1009).
LIMIT_DEFAULTS = ["--server.maxUploadSize", "1", "--server.maxMessageSize", "1"]
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def server_flags(hosts: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """`streamlit run`'s flags for the app: the defaults above, then the host names it answers
    to (loopback's unless given)."""
    pinned = [arg for host in hosts or LOOPBACK_HOSTS for arg in ("--server.allowedHosts", host)]
    return [*PRIVATE_DEFAULTS, *SPEED_DEFAULTS, *LIMIT_DEFAULTS, *pinned]


def database_url(override: str | None = None) -> str:
    """The journal's database URL: the override, else DATABASE_URL, else SQLite in data/."""
    url = override or os.environ.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{DEFAULT_DB_PATH}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path.split("?", 1)[0])
