"""whether she kept her experiment's plan on a night, and the night an experiment was stopped

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("night", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_kept", sa.Boolean(), nullable=True))
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.drop_column("stopped")
    # Not recreated: with foreign keys on, SQLite's DROP TABLE of a copied `night` would
    # delete every cramp and warning sign with it (ON DELETE CASCADE). SQLite 3.35+ drops
    # the column in place.
    with op.batch_alter_table("night", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("plan_kept")
