"""journal version: one number that every write to the journal's tables increases

Triggers on every table bump it, whichever program writes (the app, the command line, another
tab), so a view cached for one version is right until the number changes; reading it is one
row. The token tells apart two journals that happen to be at the same number.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = ("night", "cramp", "redflag", "profile", "experiment")  # our own constant names
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE journal_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "journal_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
    )
    first = sa.text("INSERT INTO journal_version (id, version, token) VALUES (1, 0, :token)")
    op.execute(first.bindparams(token=secrets.token_hex(16)))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION journal_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in WATCHED:  # once per statement, not per row: an import bumps it a few times
            op.execute(
                f"CREATE TRIGGER {table}_bumps_version AFTER INSERT OR UPDATE OR DELETE OR "
                f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION journal_version_bump()"
            )
        return
    for table in WATCHED:  # SQLite triggers are per row: a single-row update each
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_bumps_version AFTER {event} ON {table} "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS journal_version_bump()")
    else:
        for table in WATCHED:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_bumps_version")
    op.drop_table("journal_version")
