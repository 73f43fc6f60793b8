"""`cramp-journal serve`: the app on this machine (or the home network with --lan)."""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import (
    CommandFailed,
)
from tracker.journal.config import (  # noqa: F401 (the flags stay importable from serve)
    LIMIT_DEFAULTS,
    LOOPBACK_HOSTS,
    PRIVATE_DEFAULTS,
    PROJECT_ROOT,
    SPEED_DEFAULTS,
    server_flags,
)

STOP_GRACE_S = 8.0  # how long the app may take to stop when asked


def serve_command(extra: list[str], hosts: list[str] | None = None) -> list[str]:
    """The `streamlit run` command line for the app behind its guard, private defaults first."""
    app = PROJECT_ROOT / "server_app.py"
    return [sys.executable, "-m", "streamlit", "run", str(app), *server_flags(hosts), *extra]


def network_addresses() -> list[str]:
    """The addresses this machine uses on the network (IPv4 first); none when offline."""
    import socket

    found = []
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:  # connecting a UDP socket picks the route and sends nothing
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.append(udp.getsockname()[0].split("%")[0])
        except OSError:
            pass
    return found


def own_host_names() -> list[str]:
    """This machine's names and addresses, as a phone on the network may use them."""
    import socket

    names = {socket.gethostname(), socket.getfqdn()}
    names |= {f"{name.split('.')[0]}.local" for name in set(names) if name}
    names |= set(network_addresses())
    with contextlib.suppress(OSError, UnicodeError):  # from /etc/hosts, never the network
        names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    names -= {"localhost.local", "localhost.localdomain.local"}
    return sorted(n.split("%")[0].lower() for n in names if n)


def _allowed_hosts(args: argparse.Namespace) -> list[str]:
    hosts = list(LOOPBACK_HOSTS)
    if getattr(args, "lan", False):
        hosts += own_host_names()
    hosts += [name.strip().lower() for name in args.host or [] if name.strip()]
    return list(dict.fromkeys(hosts))


def _stop_with_parent() -> None:
    """In the app's process (Linux): get SIGTERM if serve dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_app(command: list[str], env: dict[str, str]) -> int:
    """Run the app as a child; forward SIGTERM, SIGINT and SIGHUP to it and wait until it stops."""
    import signal

    process = subprocess.Popen(  # its own process group: a Ctrl+C reaches it once, from us
        command, cwd=PROJECT_ROOT, env=env, process_group=0, preexec_fn=_stop_with_parent
    )
    stopping: list[float] = []  # when each stop signal came

    def forward(signum: int, frame: object) -> None:
        stopping.append(time.monotonic())
        if process.poll() is None:  # SIGHUP too becomes a clean stop of the app
            process.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    try:
        while (code := process.poll()) is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
            if stopping and time.monotonic() - stopping[0] > STOP_GRACE_S:
                process.kill()  # asked to stop and still running: it must not keep serving
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process.poll() is None:
            process.kill()
            process.wait()
    return 0 if stopping else code  # stopped because she asked (Streamlit then says 1)


def run_serve(args: argparse.Namespace, engine: Engine) -> int:
    """Run the app until it stops; its exit code is ours."""
    from tracker.app.guard import HOSTS_ENV
    from tracker.app.passphrase import LAN_ENV, has_passphrase

    env = {**os.environ, "DATABASE_URL": args.url}
    extra = list(args.extra)
    env.pop("CRAMP_JOURNAL_ACCOUNTS", None)
    if getattr(args, "accounts", False):
        from tracker.cli.serve_accounts import hosted_settings

        env |= hosted_settings(args, engine)
    if getattr(args, "lan", False):
        if not has_passphrase():
            raise CommandFailed(
                _(
                    "serve --lan opens the journal to your home network, so it needs a "
                    "passphrase first: run `cramp-journal passphrase`, then try again."
                )
            )
        env[LAN_ENV] = "1"
        extra = ["--server.address", "0.0.0.0", *extra]
        if addresses := network_addresses():  # else Streamlit asks a web service for her IP
            extra = ["--browser.serverAddress", addresses[0], *extra]
    else:
        env.pop(LAN_ENV, None)
    hosts = _allowed_hosts(args)
    env[HOSTS_ENV] = ",".join(hosts)
    env["FORWARDED_ALLOW_IPS"] = ""  # no client may claim another address (X-Forwarded-For)
    return run_app(serve_command(extra, hosts), env)


def add_serve(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `serve`: run the app with Streamlit."""
    parser = subparsers.add_parser(
        "serve",
        parents=[common],
        help=_("start the app (other options go to `streamlit run`)"),
        description=_(
            "Start the app. Further options go to `streamlit run`, e.g. --server.port 8502. The "
            "app answers only to this machine's own names (localhost; with --lan also its "
            "network addresses and host name) and to --host."
        ),
    )
    parser.add_argument(
        "--lan",
        action="store_true",
        help=_(
            "also listen on your home network (asks for the passphrase in every new browser "
            "session; set it first with `cramp-journal passphrase`)"
        ),
    )
    parser.add_argument(
        "--accounts",
        action="store_true",
        help=_(
            "a practice's server: sign-in through its identity provider ([auth] secrets), one "
            "journal per person, on PostgreSQL prepared by `cramp-journal hosting`"
        ),
    )
    parser.add_argument(
        "--host",
        action="append",
        metavar=_("NAME"),
        help=_("another name the app is opened by (e.g. journal.home.arpa); repeatable"),
    )
    parser.set_defaults(run=run_serve, passthrough=True)
