"""Safety triage and alerts: a flag's level, cards, score, check, acknowledgement and
staff mark; the alerts sent about it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("safeguarding_flag") as batch:
        batch.add_column(sa.Column("level", sa.String(16), nullable=False, server_default="severe"))
        batch.add_column(sa.Column("cards", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("check_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("context", sa.Text(), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("staff_mark", sa.String(16), nullable=True))
        batch.add_column(sa.Column("marked_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "safeguarding_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "flag_id",
            sa.Integer(),
            sa.ForeignKey("safeguarding_flag.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("target", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(120), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_safeguarding_alert_flag_id", "safeguarding_alert", ["flag_id"])
    op.create_index(
        "ix_safeguarding_alert_due", "safeguarding_alert", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_safeguarding_alert_due", "safeguarding_alert")
    op.drop_index("ix_safeguarding_alert_flag_id", "safeguarding_alert")
    op.drop_table("safeguarding_alert")
    with op.batch_alter_table("safeguarding_flag") as batch:
        for name in (
            "marked_at",
            "marked_by",
            "staff_mark",
            "acknowledged_by",
            "acknowledged_at",
            "context",
            "check_state",
            "score",
            "cards",
            "level",
        ):
            batch.drop_column(name)
