"""Staff sessions kept in the store, so that logging out ends them; accounts are no longer
locked (wrong passwords pause the place they come from instead).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("staff_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("password_print", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_staff_session_account_id", "staff_session", ["account_id"])
    # A plain ALTER TABLE (SQLite 3.35 or later): rebuilding the table would
    # set every quality assessment's staff account to NULL on the way.
    op.drop_column("staff_account", "locked_until")


def downgrade() -> None:
    op.add_column(
        "staff_account", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.drop_index("ix_staff_session_account_id", "staff_session")
    op.drop_table("staff_session")
