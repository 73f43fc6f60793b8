"""The practice's deployment the hosted bench runs against: deploy/try-it's own pieces
(PostgreSQL in a temp folder prepared by `hosting`, the test identity provider, two
`serve --accounts` processes and Caddy over HTTPS with the sticky cookie), started by try-it's
own code, with K patients and a few clinicians on the practice's list.

try-it is a script beside the package (standard library only), so it is loaded from its file;
an install without the repository's deploy/ folder says so instead of measuring.
"""

from __future__ import annotations

import datetime as dt
import importlib.machinery
import importlib.util
import json
import shlex
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TRY_IT = Path(__file__).resolve().parents[2] / "deploy" / "try-it"
CLINICIANS_SHARED = 20  # patients who share their journal with each clinician
DOMAIN = "practice.example"


@dataclass
class Person:
    """One person on the practice's list: her email, the name she gives the provider (sub)."""

    sub: str
    email: str
    kind: str  # "patient" or "clinician"
    account: int = 0
    cramps: int = 0  # how many cramps her morning log says (every save of hers says the same)


@dataclass
class App:
    """One app process: its port, `serve`'s process and the Streamlit process it runs."""

    port: int
    serve: subprocess.Popen
    pid: int = 0  # the Streamlit server (what holds the sessions)


@dataclass
class Stack:
    trial: object  # try-it's Trial: what it started, and how to stop it
    base: str  # https://localhost:PORT, through Caddy
    port: int
    tls: ssl.SSLContext  # trusts Caddy's test authority only
    provider: str
    owner_url: str
    app_url: str
    apps: list[App]
    people: list[Person] = field(default_factory=list)
    clinicians: list[Person] = field(default_factory=list)


def try_it():  # noqa: ANN201
    """deploy/try-it as a module (its Trial, free ports, what is missing)."""
    loader = importlib.machinery.SourceFileLoader("cramp_journal_try_it", str(TRY_IT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def missing() -> str | None:
    """Why the hosted bench cannot run here, or None."""
    if not TRY_IT.exists():
        return f"no deploy/try-it beside the package ({TRY_IT}): run it from the repository"
    for module in ("websockets", "psycopg", "authlib"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[hosted,test]')"
    return try_it().missing(Path(sys.prefix))


def streamlit_pid(serve_pid: int, seconds: float = 30) -> int:
    """The Streamlit process `serve` started (its child)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == serve_pid:
                return int(stat.parent.name)
        time.sleep(0.1)
    raise RuntimeError(f"serve ({serve_pid}) started no app process")


def _put_person(provider: str, person: Person) -> None:
    """Tell the test provider who this sub is (a verified email), as a practice's would."""
    body = json.dumps({"email": person.email, "email_verified": True}).encode()
    request = urllib.request.Request(
        f"{provider}/users/{person.sub}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def _add_people(stack: Stack, patients: int, clinicians: int, seed_nights: int) -> None:
    """The practice's list (as the owner), each patient's past nights and due date, and her
    shares with the clinicians (as herself: only she may share)."""
    from sqlmodel import Session

    from tracker.journal.accounts import acting_as, add_account
    from tracker.journal.db import make_engine
    from tracker.journal.entries import NightEntry
    from tracker.journal.importing import import_nights
    from tracker.journal.models import Profile
    from tracker.journal.sharing import share_with
    from tracker.journal.store import save_profile

    owner, app = make_engine(stack.owner_url), make_engine(stack.app_url)
    people = [Person(f"p{i:04d}", f"p{i:04d}@{DOMAIN}", "patient", cramps=i % 3)
              for i in range(patients)]  # fmt: skip
    staff = [Person(f"c{i:02d}", f"c{i:02d}@{DOMAIN}", "clinician") for i in range(clinicians)]
    today = dt.date.today()
    try:
        with Session(owner) as s:
            for person in people + staff:
                person.account = add_account(
                    session=s, email=person.email, name=None, kind=person.kind
                ).id
        for i, person in enumerate(people):
            nights = [
                NightEntry(night=today - dt.timedelta(days=d), water_ml=1500, cramps=[])
                for d in range(2, 2 + seed_nights)
            ]
            with acting_as(person.account), Session(app) as s:
                due = today + dt.timedelta(weeks=8 + i % 10)
                save_profile(session=s, profile=Profile(due_date=due), expected_version=0)
                if nights:
                    import_nights(session=s, entries=nights)
                for c, clinician in enumerate(staff):
                    if (i + c) % max(1, patients // CLINICIANS_SHARED) == 0:
                        share_with(session=s, clinician_id=clinician.account)
    finally:
        owner.dispose()
        app.dispose()
    for person in people + staff:
        _put_person(stack.provider, person)
    stack.people, stack.clinicians = people, staff


@contextmanager
def deployment(patients: int, clinicians: int, seed_nights: int) -> Iterator[Stack]:
    """try-it's deployment with these people on its list; everything stopped afterwards."""
    t = try_it()
    trial = t.Trial(Path(sys.prefix))
    try:
        _, owner_url, app_url = trial.postgres()
        trial.owner(owner_url, "hosting", "--app-role", "cramp_app")
        provider_port, _ = trial.provider()
        https_port = t.free_port()
        started = trial.apps(app_url, https_port, provider_port, t.FIRST_APP_PORT)
        apps = [App(port, process) for port, process in started]
        provider = f"http://localhost:{provider_port}"
        trial.wait_for(f"{provider}/.well-known/openid-configuration", "test provider", 60)
        for app in apps:
            trial.wait_for(f"http://127.0.0.1:{app.port}/_stcore/health", "app", 120)
            app.pid = streamlit_pid(app.serve.pid)
        _, root_cert = trial.caddy(https_port, [app.port for app in apps])
        trial.wait_for_caddy(https_port, root_cert)
        stack = Stack(
            trial=trial,
            base=f"https://localhost:{https_port}",
            port=https_port,
            tls=ssl.create_default_context(cafile=str(root_cert)),
            provider=provider,
            owner_url=owner_url,
            app_url=app_url,
            apps=apps,
        )
        _add_people(stack, patients, clinicians, seed_nights)
        yield stack
    finally:
        trial.stop()


def postgres_stop(stack: Stack) -> list[str]:
    """Stop the practice's PostgreSQL (fast: open transactions are cut); the options to start
    it again with."""
    trial = stack.trial
    opts = shlex.split((trial.pg_data / "postmaster.opts").read_text())[1:]
    if "-D" in opts:  # pg_ctl gives the data folder itself
        i = opts.index("-D")
        del opts[i : i + 2]
    pg_ctl = str(trial.pg_bin / "pg_ctl")
    trial.run(trial.as_postgres([pg_ctl, "-D", str(trial.pg_data), "-m", "fast", "-w", "stop"]),
              "PostgreSQL's stop")  # fmt: skip
    return opts


def postgres_start(stack: Stack, opts: list[str]) -> None:
    trial = stack.trial
    log = str(trial.pg_data.parent / "server.log")
    pg_ctl = str(trial.pg_bin / "pg_ctl")
    command = [pg_ctl, "-D", str(trial.pg_data), "-l", log, "-w", "-t", "60",
               "-o", shlex.join(opts), "start"]  # fmt: skip
    trial.run(trial.as_postgres(command), "PostgreSQL's start")


def rss_mb(pid: int) -> float | None:
    """A process's resident memory in MB (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def connections(port: int) -> int:
    """Open TCP connections to a local port (the proxy's to one app process: its websockets,
    one per open session), from /proc/net/tcp."""
    found = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                found += 1
    return found


def last_nights(stack: Stack, people: list[Person]) -> dict[str, list[int]]:
    """Each person's last night as the database keeps it, read as the owner one person at a
    time (row-level security is forced on the owner too): the cramps of each row (empty: no
    row; a night is one row)."""
    from sqlalchemy import text

    from tracker.journal.accounts import acting_as
    from tracker.journal.db import make_engine

    night = dt.date.today() - dt.timedelta(days=1)
    query = text(
        "SELECT n.id, count(c.id) FROM night n LEFT JOIN cramp c ON c.night_id = n.id "
        "WHERE n.night = :night GROUP BY n.id"
    )
    owner = make_engine(stack.owner_url)
    found = {}
    try:
        for person in people:
            with acting_as(person.account), owner.begin() as conn:
                found[person.sub] = [row[1] for row in conn.execute(query, {"night": night})]
    finally:
        owner.dispose()
    return found
