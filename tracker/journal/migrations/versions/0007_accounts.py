"""accounts: every journal row belongs to one person's account

A personal journal is account 1 (kind "personal", no email), and every row it already has is
moved into it. A practice's server holds one journal per account in one PostgreSQL database;
there the account column fills itself from the transaction's setting `cramp.account_id`
(which the app sets at the start of every transaction), so most code never passes it around,
and row-level security (`cramp-journal hosting`) keeps each person to her own rows. On SQLite,
a one-person journal, the column's default is 1.

SQLite rebuilds the tables to add the constraints; tracker.journal.schema runs migrations there
with foreign keys off (then checks them), so dropping the old `night` deletes no cramp with it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = ("night", "cramp", "redflag", "profile", "experiment")
EVENTS = ("INSERT", "UPDATE", "DELETE")
UNIQUE = {  # tables whose account column leads a unique constraint instead of an index
    "profile": ("uq_profile_account", ["account_id"]),
    "journal_version": ("uq_journal_version_account", ["account_id"]),
    "night": ("uq_night_account_night", ["account_id", "night"]),
}
INDEXED = ("cramp", "redflag", "experiment")
# The transaction's account: '' (none) after a reset, hence NULLIF; NULL fails NOT NULL.
CURRENT = "NULLIF(current_setting('cramp.account_id', true), '')::integer"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.execute(
        "INSERT INTO account (id, email, name, kind, created_at) "
        "VALUES (1, NULL, NULL, 'personal', CURRENT_TIMESTAMP)"
    )
    op.create_table(
        "access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_account", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_account_id", "access", ["account_id"])
    for table in (*WATCHED, "journal_version"):
        with op.batch_alter_table(table, recreate="always" if not postgres else "auto") as batch:
            # Existing rows are the personal journal's (account 1).
            batch.add_column(
                sa.Column("account_id", sa.Integer(), nullable=False, server_default="1")
            )
            batch.create_foreign_key(
                f"fk_{table}_account", "account", ["account_id"], ["id"], ondelete="CASCADE"
            )
            if table == "night":
                batch.drop_constraint("uq_night_night", type_="unique")
            if table in UNIQUE:
                batch.create_unique_constraint(*UNIQUE[table])
            else:
                batch.create_index(f"ix_{table}_account_id", ["account_id"])
    if postgres:
        _postgresql_accounts()
    else:
        _sqlite_triggers()


def _postgresql_accounts() -> None:
    for table in (*WATCHED, "journal_version", "access"):
        op.alter_column(table, "account_id", server_default=sa.text(CURRENT))
    # Rows written with an explicit id 1 never moved their sequences on: the next account's
    # rows must not take id 1 again.
    for table in ("account", "profile", "journal_version"):
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 1), (SELECT count(*) > 0 FROM {table}))"
        )
    # Each account's version moves on its own: the statement's account is the transaction's.
    op.execute(
        "CREATE OR REPLACE FUNCTION journal_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN UPDATE journal_version SET version = version + 1 "
        f"WHERE account_id = {CURRENT}; RETURN NULL; END $$"
    )


def _sqlite_triggers() -> None:
    # The rebuilt tables lost 0006's triggers; each row now bumps its own account's version.
    for table in WATCHED:
        for event in EVENTS:
            row = "OLD" if event == "DELETE" else "NEW"
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_bumps_version")
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_bumps_version AFTER {event} ON {table} "
                "BEGIN UPDATE journal_version SET version = version + 1 "
                f"WHERE account_id = {row}.account_id; END"
            )


def downgrade() -> None:
    raise NotImplementedError("accounts cannot be folded back into one journal")
