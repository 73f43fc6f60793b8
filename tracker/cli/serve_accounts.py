"""`cramp-journal serve --accounts`: the checks and settings of a practice's server."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.care.language import _
from tracker.cli.common import CommandFailed
from tracker.journal.config import PROJECT_ROOT

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def secrets_files(extra: list[str]) -> list[Path]:
    """The secrets files Streamlit will read: --secrets.files (repeatable, or a comma list),
    else .streamlit/secrets.toml beside the app."""
    named: list[str] = []
    for i, arg in enumerate(extra):
        if arg == "--secrets.files" and i + 1 < len(extra):
            named += extra[i + 1].split(",")
        elif arg.startswith("--secrets.files="):
            named += arg.split("=", 1)[1].split(",")
    if named:
        return [Path(name.strip()) for name in named if name.strip()]
    return [PROJECT_ROOT / ".streamlit" / "secrets.toml"]


def auth_problem(files: list[Path]) -> str | None:
    """What is missing from the [auth] secrets sign-in needs (None when all is there)."""
    auth: dict = {}
    for path in files:
        try:
            auth |= tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {})
        except FileNotFoundError:
            continue
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return _("the secrets file {path} cannot be read ({kind})").format(
                path=path, kind=type(exc).__name__
            )
    missing = [key for key in AUTH_KEYS if not auth.get(key)]
    if missing:
        where = ", ".join(str(p) for p in files)
        return _(
            "sign-in needs Streamlit's [auth] secrets ({keys}); missing {missing} in {where} "
            "(pass your file with --secrets.files FILE)"
        ).format(keys=", ".join(AUTH_KEYS), missing=", ".join(missing), where=where)
    return None


def hosted_settings(args: argparse.Namespace, engine: Engine) -> dict[str, str]:
    """Refuse a server that could not keep people apart; else the environment it runs with."""
    from tracker.app.signin import ACCOUNTS_ENV
    from tracker.journal.hosting import app_role_problem

    if getattr(args, "lan", False):
        raise CommandFailed(_("--accounts and --lan do not go together: a practice signs in"))
    problem = app_role_problem(engine)
    if problem is None:
        problem = auth_problem(secrets_files(list(args.extra)))
    if problem:
        raise CommandFailed(_("serve --accounts refused: {problem}").format(problem=problem))
    return {ACCOUNTS_ENV: "1"}
