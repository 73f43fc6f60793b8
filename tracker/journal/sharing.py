"""Sharing on a practice's server: she shares her journal with a clinician of her practice,
sees with whom, and stops sharing whenever she likes; the clinician reads what is shared with
her, never writes, and each look is a line in the patient's record of access.

Row-level security (tracker.journal.hosting) is what holds all of it; the conditions here say
the same thing again so that a query never asks for more than it may have.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.care.language import _
from tracker.journal.accounts import current_account, mine
from tracker.journal.models import Access, Account, Night, RedFlag, Share

LOOKED = "looked at your "  # the start of a clinician's line in her record of access


class NotAClinician(ValueError):
    """Sharing is only with a clinician of this practice."""


def clinicians(*, session: Session) -> list[Account]:
    """The practice's clinicians, by name then email (whom she may share with)."""
    statement = select(Account).where(Account.kind == "clinician", Account.email.is_not(None))
    return sorted(session.exec(statement).all(), key=lambda a: (shown_name(a).lower(), a.email))


def shown_name(account: Account) -> str:
    """How a person is named on screen: the name the practice gave, else the email."""
    return account.name or account.email or _("account {number}").format(number=account.id)


def shared_with(*, session: Session) -> list[Account]:
    """The clinicians the current account shares her journal with, by name."""
    statement = (
        select(Account)
        .join(Share, Share.clinician_id == Account.id)
        .where(Share.patient_id == current_account())
    )
    return sorted(session.exec(statement).all(), key=lambda a: shown_name(a).lower())


def share_with(*, session: Session, clinician_id: int) -> bool:
    """Share the current account's journal with this clinician (commits); False when it was
    already shared. A clinician or an unknown account is refused."""
    clinician = session.get(Account, clinician_id)
    if clinician is None or clinician.kind != "clinician":
        raise NotAClinician(_("that is not a clinician of this practice"))
    me = current_account()
    have = session.exec(
        select(Share.id).where(Share.patient_id == me, Share.clinician_id == clinician_id)
    ).first()
    if have is not None:
        return False
    session.add(Share(patient_id=me, clinician_id=clinician_id))
    session.commit()
    return True


def stop_sharing(*, session: Session, clinician_id: int) -> bool:
    """Stop sharing the current account's journal with this clinician (commits); False when
    it was not shared."""
    share = session.exec(
        select(Share).where(
            Share.patient_id == current_account(), Share.clinician_id == clinician_id
        )
    ).first()
    if share is None:
        return False
    session.delete(share)
    session.commit()
    return True


def patients(*, session: Session) -> list[Account]:
    """The people who share their journal with the current account (a clinician)."""
    statement = (
        select(Account)
        .join(Share, Share.patient_id == Account.id)
        .where(Share.clinician_id == current_account(), Account.kind == "patient")
    )
    return sorted(session.exec(statement).all(), key=lambda a: shown_name(a).lower())


def may_read(*, session: Session, patient_id: int) -> bool:
    """Whether the current account (a clinician) may read this journal now."""
    return (
        session.exec(
            select(Share.id).where(
                Share.patient_id == patient_id, Share.clinician_id == current_account()
            )
        ).first()
        is not None
    )


def record_look(*, session: Session, patient_id: int, what: str) -> None:
    """A line in her record of access, by the current account (a clinician): what she did,
    e.g. looks_at("Trends") (commits)."""
    session.add(Access(account_id=patient_id, by_account=current_account(), what=what[:200]))
    session.commit()


def looks_at(page: str) -> str:
    """A clinician's look at a page of her journal, as her record of access says it."""
    return f"{LOOKED}{page}"


def last_looks(*, session: Session) -> dict[int, dt.datetime]:
    """When the current account (a clinician) last opened each patient's journal."""
    statement = (
        select(Access.account_id, func.max(Access.at))
        .where(Access.by_account == current_account())
        .group_by(Access.account_id)
    )
    return {account: at for account, at in session.exec(statement).all()}


def names(*, session: Session, ids: set[int]) -> dict[int, str]:
    """The shown names of these accounts (those the current account may see)."""
    if not ids:
        return {}
    rows = session.exec(select(Account).where(Account.id.in_(ids))).all()
    return {a.id: shown_name(a) for a in rows}


def signs_logged_since(
    *, session: Session, since: dt.datetime | None, first_night: dt.date
) -> list[tuple[dt.date, tuple[str, ...]]]:
    """The nights of the journal being read with a warning sign, saved after `since` (the
    clinician's last look; None: never looked, then those from first_night on)."""
    statement = (
        select(Night.night, RedFlag.code)
        .join(RedFlag, RedFlag.night_id == Night.id)
        .where(mine(Night.account_id))
    )
    if since is None:
        statement = statement.where(Night.night >= first_night)
    else:
        statement = statement.where(Night.updated_at > since)
    found: dict[dt.date, list[str]] = {}
    for night, code in session.exec(statement.order_by(Night.night, RedFlag.code)).all():
        found.setdefault(night, []).append(code)
    return [(night, tuple(codes)) for night, codes in found.items()]
