"""sharing: a patient shares her journal with a clinician of the practice, and can stop

One row per (patient, clinician) she shares with; deleting either account deletes it. On a
practice's server, row-level security (`cramp-journal hosting`) lets a clinician read the
journals shared with her and nothing else, and lets only the patient add or remove a share.
A personal journal never has one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["clinician_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patient_id", "clinician_id", name="uq_share_patient_clinician"),
    )
    op.create_index("ix_share_clinician_id", "share", ["clinician_id"])


def downgrade() -> None:
    op.drop_index("ix_share_clinician_id", table_name="share")
    op.drop_table("share")
