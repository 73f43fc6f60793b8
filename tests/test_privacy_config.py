"""Streamlit settings that keep the journal private: no telemetry, this machine only."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def config() -> dict:
    with CONFIG.open("rb") as file:
        return tomllib.load(file)


def test_no_usage_statistics_are_sent(config: dict) -> None:
    assert config["browser"]["gatherUsageStats"] is False


def test_the_app_listens_on_this_machine_only(config: dict) -> None:
    assert config["server"]["address"] == "127.0.0.1"


def test_the_toolbar_is_minimal(config: dict) -> None:
    assert config["client"]["toolbarMode"] == "minimal"


def test_error_details_are_not_shown_to_the_browser(config: dict) -> None:
    assert config["client"]["showErrorDetails"] == "none"


def test_the_app_answers_only_to_this_machine_s_names(config: dict) -> None:
    from tracker.cli.serve import LOOPBACK_HOSTS

    assert config["server"]["allowedHosts"] == list(LOOPBACK_HOSTS)
    assert config["server"]["enableAgentApi"] is False


def test_no_full_garbage_collection_after_every_run(config: dict) -> None:
    """Speed, not privacy: `cramp-journal serve` passes the same (tracker.cli.serve)."""
    from tracker.cli.serve import SPEED_DEFAULTS

    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert SPEED_DEFAULTS == [
        "--runner.postScriptGC", "false", "--server.fileWatcherType", "none"
    ]  # fmt: skip


def test_uploads_and_messages_are_as_small_as_streamlit_allows(config: dict) -> None:
    """No file uploader, a few kilobytes a message: 1 MB each, here and in `serve`."""
    from tracker.cli.serve import LIMIT_DEFAULTS

    assert config["server"]["maxUploadSize"] == config["server"]["maxMessageSize"] == 1
    assert LIMIT_DEFAULTS == ["--server.maxUploadSize", "1", "--server.maxMessageSize", "1"]
