"""Every table of the journal. NULL always means "not recorded", never zero."""

# No `from __future__ import annotations` here: SQLModel relationships need real types.

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, FetchedValue, ForeignKey, Integer, UniqueConstraint, false
from sqlmodel import Field, Relationship, SQLModel

from tracker.care.language import N_


class Leg(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


class Muscle(StrEnum):
    CALF = "calf"
    FOOT = "foot"
    THIGH = "thigh"
    SHIN = "shin"
    OTHER = "other"


class Relief(StrEnum):
    FLEX_FOOT = "flex_foot"
    STRETCH = "stretch"
    MASSAGE = "massage"
    WALK = "walk"
    HEAT = "heat"
    OTHER = "other"
    NONE = "none"


RELIEF_LABELS = {  # in English; shown in her language with tracker.care.language._
    Relief.FLEX_FOOT: N_("Pulled foot and toes towards my head"),
    Relief.STRETCH: N_("Stretched"),
    Relief.MASSAGE: N_("Massage"),
    Relief.WALK: N_("Walked about"),
    Relief.HEAT: N_("Heat"),
    Relief.OTHER: N_("Something else"),
    Relief.NONE: N_("Nothing"),
}

WATER_UNITS = {"ml": 1.0, "litres": 1000.0, "fl oz": 29.5735, "glasses (250 ml)": 250.0}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Account(SQLModel, table=True):
    """One person on this journal's database: the personal journal is account 1 (no email);
    a practice's server adds one per patient or clinician (migration 0007)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=320, unique=True)
    name: str | None = Field(default=None, max_length=200)
    kind: str = Field(default="patient", max_length=20)  # personal, patient or clinician
    created_at: dt.datetime = Field(default_factory=utcnow)


def account_column(*, index: bool = True) -> Column:
    """The owning account: filled by the database (1 on SQLite; on PostgreSQL the
    transaction's `cramp.account_id`), so an insert never names it."""
    return Column(
        Integer,
        ForeignKey("account.id", ondelete="CASCADE"),
        nullable=False,
        index=index,
        server_default=FetchedValue(),
    )


class Profile(SQLModel, table=True):
    """The person whose journal this is: one row per account."""

    __table_args__ = (UniqueConstraint("account_id", name="uq_profile_account"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column(index=False))
    name: str | None = Field(default=None, max_length=200)
    due_date: dt.date | None = None
    birth_date: dt.date | None = None
    water_unit: str = Field(default="ml", max_length=20)
    last_appointment: dt.date | None = None
    # Numbers for the warning-sign cards' tap-to-call links (digits, spaces, +, -, parentheses).
    emergency_number: str | None = Field(default=None, max_length=20)
    care_phone: str | None = Field(default=None, max_length=30)
    # The app's language she chose in Settings (a catalog's code, e.g. "es"); None: her browser's.
    language: str | None = Field(default=None, max_length=20)
    version: int = Field(default=1)  # bumped on every save, so a stale Settings tab is refused


class Night(SQLModel, table=True):
    """One night, keyed by the evening it began, with the day before's habits."""

    __table_args__ = (UniqueConstraint("account_id", "night", name="uq_night_account_night"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column(index=False))
    night: dt.date
    water_ml: int | None = None
    stretch_min: int | None = None
    active_min: int | None = None
    magnesium_mg: int | None = None
    magnesium_form: str | None = Field(default=None, max_length=100)
    magnesium_clinician_agreed: bool | None = None
    side_effects: str | None = None
    soreness: int | None = None
    notes: str | None = None
    plan_kept: bool | None = None  # kept her experiment's plan for a habit she named herself
    version: int = Field(default=1)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)

    cramps: list["Cramp"] = Relationship(
        back_populates="night_row",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Cramp.position"},
    )
    red_flags: list["RedFlag"] = Relationship(
        back_populates="night_row",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "RedFlag.code"},
    )


class Cramp(SQLModel, table=True):
    """One cramp in a night."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column())
    night_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("night.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    time: dt.time | None = None
    duration_min: float | None = None
    severity: int | None = None
    leg: str | None = Field(default=None, max_length=10)
    muscle: str | None = Field(default=None, max_length=10)
    woke: bool | None = None
    relief: str | None = Field(default=None, max_length=20)
    relieved: bool | None = None

    night_row: Night | None = Relationship(back_populates="cramps")


class RedFlag(SQLModel, table=True):
    """A warning sign she ticked for a night (a code from tracker.care.safety)."""

    __table_args__ = (UniqueConstraint("night_id", "code", name="uq_redflag_night_code"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column())
    night_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("night.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code: str = Field(max_length=40)

    night_row: Night | None = Relationship(back_populates="red_flags")


class Experiment(SQLModel, table=True):
    """A personal experiment she planned: a habit on and off in blocks drawn from a seed.

    Only the plan is kept: the schedule is drawn again from its seed, and what happened is
    read from the nights she logged (tracker.insights.experiments).
    """

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column())
    habit: str = Field(max_length=100)
    start: dt.date
    seed: int
    blocks: int
    target: float | None = None
    clinician_agreed: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    stopped: dt.date | None = None  # the last night, when she stopped it early (migration 0005)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Access(SQLModel, table=True):
    """Her record of access: each sign-in, export and clinician's look at her journal, kept
    for her to see (append-only on a practice's server: the app may add, never change)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column())
    at: dt.datetime = Field(default_factory=utcnow)
    by_account: int | None = None  # who looked (None: she herself)
    what: str = Field(max_length=200)


class Share(SQLModel, table=True):
    """She shares her journal with a clinician of her practice (read-only; hers to take back)."""

    __table_args__ = (
        UniqueConstraint("patient_id", "clinician_id", name="uq_share_patient_clinician"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    clinician_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class JournalVersion(SQLModel, table=True):
    """One row whose version every write to the other tables increases (database triggers,
    migration 0006), so a view computed at one version stays right until it changes."""

    __tablename__ = "journal_version"

    __table_args__ = (UniqueConstraint("account_id", name="uq_journal_version_account"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, sa_column=account_column(index=False))
    version: int = 0
    token: str = Field(max_length=32)  # tells two journals at the same version apart
