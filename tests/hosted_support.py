"""A practice's server for tests: PostgreSQL prepared by `hosting`, people on its list, a real
OpenID provider (oidc-provider-mock) on loopback, and `cramp-journal serve --accounts`."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser_support import ROOT, free_port, wait_until_serving
from tests.conftest import PostgresServer
from tracker.cli import main


@dataclass(frozen=True)
class Provider:
    """The identity provider: its address, and who it says people are."""

    base: str

    def person(self, sub: str, email: str, verified: bool = True) -> None:
        body = json.dumps({"email": email, "email_verified": verified}).encode()
        request = urllib.request.Request(
            f"{self.base}/users/{sub}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204


@contextmanager
def identity_provider() -> Iterator[Provider]:
    """oidc-provider-mock on a free loopback port, for this block."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0) as server:
        yield Provider(f"http://localhost:{server.server_port}")


@dataclass(frozen=True)
class PracticeDatabase:
    owner_url: str
    app_url: str
    role: str


@contextmanager
def own_database(server: PostgresServer) -> Iterator[str]:
    """A brand-new database on the session's server for a longer block than one test (such as
    a module's shared practice); dropped after it."""
    name = f"test_{uuid.uuid4().hex}"
    server.admin(f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def practice_database(server: PostgresServer, owner_url: str, *emails: str) -> PracticeDatabase:
    """A database prepared for a practice (`hosting`), an app role, these people added."""
    role = f"app_{uuid.uuid4().hex[:12]}"
    server.admin(f"CREATE ROLE {role} LOGIN")
    assert main(["--db", owner_url, "hosting", "--app-role", role]) == 0
    for email in emails:
        assert main(["--db", owner_url, "accounts", "add", email]) == 0
    return PracticeDatabase(owner_url, owner_url.replace("postgres@", f"{role}@", 1), role)


def secrets_file(folder: Path, port: int, provider: Provider) -> Path:
    """Streamlit's [auth] secrets for this server and provider (any client id works there)."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "cramp-journal"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider.base}/.well-known/openid-configuration"\n'
    )
    path.chmod(0o600)
    return path


@contextmanager
def hosted_app(app_url: str, folder: Path, provider: Provider) -> Iterator[str]:
    """`cramp-journal serve --accounts` as the app role; yields its http://localhost address."""
    port = free_port()
    secrets_path = secrets_file(folder, port, provider)
    log_path = folder / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tracker.cli",
                "--db",
                app_url,
                "serve",
                "--accounts",
                "--server.port",
                str(port),
                "--secrets.files",
                str(secrets_path),
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(port, process, log_path)
            yield f"http://localhost:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
