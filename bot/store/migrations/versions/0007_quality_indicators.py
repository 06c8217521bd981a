"""Quality indicators: staff's self-assessments of organisations, their scores and next steps.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("charter", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("organisation_key", sa.String(800), nullable=False),
        sa.Column("assessed_on", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "staff_account_id",
            sa.Integer(),
            sa.ForeignKey("staff_account.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
        sa.UniqueConstraint("organisation_key", "charter", "assessed_on"),
    )
    op.create_table(
        "quality_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey("quality_assessment.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("going_well", sa.Text(), nullable=True),
        sa.Column("could_be_better", sa.Text(), nullable=True),
        sa.UniqueConstraint("assessment_id", "indicator_id"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)"),
    )
    op.create_table(
        "quality_next_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey("quality_assessment.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("principle", sa.String(64), nullable=False),
        sa.Column("needs_now", sa.Text(), nullable=True),
        sa.Column("involves", sa.Text(), nullable=True),
        sa.Column("how_coproduced", sa.Text(), nullable=True),
        sa.UniqueConstraint("assessment_id", "principle"),
    )


def downgrade() -> None:
    op.drop_table("quality_next_steps")
    op.drop_table("quality_rating")
    op.drop_table("quality_assessment")
