"""Whose journal a transaction works on: the account, set once per transaction.

A personal journal is account 1 and nothing has to be said. On a practice's server the app
says whose journal each script run (or command) is working on with `acting_as`, and the engine
passes it to PostgreSQL at the start of every transaction (`set_config(..., true)`, which lasts
that transaction only, so a pooled connection never carries one person's account into the
next). Row-level security reads it; so does the account column's default. With no account set
in hosted mode a transaction sees no journal row at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.journal.models import Account, JournalVersion

PERSONAL = 1  # the personal journal's account (migration 0007)
SETTING = "cramp.account_id"
KINDS = ("personal", "patient", "clinician")

_acting: ContextVar[int | None] = ContextVar("cramp_journal_account", default=None)
_fallback: list[int | None] = [PERSONAL]  # personal mode: every transaction is account 1's


def current_account() -> int | None:
    """The account this thread's transactions work on (None: no journal at all)."""
    return _acting.get() or _fallback[0]


@contextmanager
def acting_as(account_id: int | None) -> Iterator[None]:
    """Work on this account's journal inside the block (this thread and context only)."""
    token = _acting.set(account_id)
    try:
        yield
    finally:
        _acting.reset(token)


def hosted_process() -> None:
    """From now on a transaction with no account said is nobody's (a practice's server)."""
    _fallback[0] = None


def install_account_setting(engine: Engine) -> None:
    """Say the transaction's account to PostgreSQL at the start of every transaction."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def on_begin(connection):  # noqa: ANN001
        account = current_account()
        connection.exec_driver_sql(
            "SELECT set_config(%s, %s, true)", (SETTING, "" if account is None else str(account))
        )


def normal_email(email: str) -> str:
    """An email as accounts keep it: trimmed, lower case."""
    return email.strip().lower()


def find_account(*, session: Session, email: str) -> Account | None:
    """The account with this email, if any."""
    return session.exec(select(Account).where(Account.email == normal_email(email))).first()


def list_accounts(*, session: Session) -> list[Account]:
    """Every account with an email (the people a practice added), by email."""
    statement = select(Account).where(Account.email.is_not(None)).order_by(Account.email)
    return list(session.exec(statement).all())


def add_account(*, session: Session, email: str, name: str | None, kind: str) -> Account:
    """Add a person (no journal rows yet: those start at her first sign-in); commits."""
    if kind not in KINDS[1:]:
        raise ValueError(f"kind must be one of {', '.join(KINDS[1:])}")
    email = normal_email(email)
    if "@" not in email or len(email) > 320 or any(ch.isspace() for ch in email):
        raise ValueError("that is not an email address")
    account = Account(email=email, name=(name or "").strip() or None, kind=kind)
    session.add(account)
    session.flush()
    if kind == "patient":
        with acting_as(account.id):
            session.commit()  # her journal version row is written as hers (row security)
            ensure_journal(session=session)
    session.commit()
    session.refresh(account)
    return account


def ensure_journal(*, session: Session) -> None:
    """Give the current account its journal version row (the one row every write of hers
    bumps), in the open transaction; idempotent."""
    have = session.exec(
        select(func.count())
        .select_from(JournalVersion)
        .where(JournalVersion.account_id == current_account())
    ).one()
    if not have:
        session.add(JournalVersion(version=0, token=secrets.token_hex(16)))
        session.flush()
