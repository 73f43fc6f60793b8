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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, false, func
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from tracker.journal.models import Access, Account, JournalVersion

PERSONAL = 1  # the personal journal's account (migration 0007)
SETTING = "cramp.account_id"
KINDS = ("personal", "patient", "clinician")

_UNSET = object()
_acting: ContextVar[object] = ContextVar("cramp_journal_account", default=_UNSET)
_reading: ContextVar[object] = ContextVar("cramp_journal_reading", default=_UNSET)
_fallback: list[int | None] = [PERSONAL]  # personal mode: every transaction is account 1's
_session_account: list[Callable[[], int | None] | None] = [None]
_session_journal: list[Callable[[], int | None] | None] = [None]


def current_account() -> int | None:
    """The account this thread's transactions work on (None: no journal at all): the one
    `acting_as` names, else the signed-in browser session's (a practice's server), else the
    personal journal's (personal mode)."""
    acting = _acting.get()
    if acting is not _UNSET:
        return acting  # type: ignore[return-value]
    if _session_account[0] is not None:
        return _session_account[0]()
    return _fallback[0]


@contextmanager
def acting_as(account_id: int | None) -> Iterator[None]:
    """Work on this account's journal inside the block (None: nobody's), in this context."""
    token = _acting.set(account_id)
    try:
        yield
    finally:
        _acting.reset(token)


def current_journal() -> int | None:
    """Whose journal this thread's reads are about: the one `reading` names (a clinician
    reading a journal shared with her), else the acting account's own."""
    reading = _reading.get()
    if reading is not _UNSET:
        return reading  # type: ignore[return-value]
    if _acting.get() is _UNSET and _session_journal[0] is not None:
        viewing = _session_journal[0]()
        if viewing is not None:
            return viewing
    return current_account()


@contextmanager
def reading(account_id: int | None) -> Iterator[None]:
    """Read this account's journal inside the block, still acting as the current account: the
    database decides whether the acting account may see it (row-level security)."""
    token = _reading.set(account_id)
    try:
        yield
    finally:
        _reading.reset(token)


def mine(column: ColumnElement) -> ColumnElement:
    """The app's own condition that a row belongs to the journal being read: a second line
    behind row-level security (which alone decides on a practice's server). With no journal
    at all it matches nothing (never `IS NULL`)."""
    journal = current_journal()
    return false() if journal is None else column == journal


def hosted_process() -> None:
    """From now on a transaction with no account said is nobody's (a practice's server)."""
    _fallback[0] = None


def use_session_account(find: Callable[[], int | None]) -> None:
    """How to find the signed-in person of the code running now (the app's browser session)."""
    _session_account[0] = find


def use_session_journal(find: Callable[[], int | None]) -> None:
    """How to find the journal the browser session running now is reading, when it is not
    her own (a clinician's session: the patient she opened; None: her own)."""
    _session_journal[0] = find


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


def record_access(*, session: Session, what: str, by_account: int | None = None) -> None:
    """Add a line to the current account's record of access, in the open transaction."""
    session.add(Access(what=what[:200], by_account=by_account))
    session.flush()


def access_record(*, session: Session, limit: int = 200) -> list[Access]:
    """The current account's record of access, newest first."""
    statement = (
        select(Access)
        .where(Access.account_id == current_account())
        .order_by(Access.at.desc(), Access.id.desc())
        .limit(limit)
    )
    return list(session.exec(statement).all())
