"""Who is answering (a young person's age band, answers given with help), and tallies.

Tallies keep the counts of answers whose rows the retention policy deleted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("respondent") as batch:
        batch.add_column(sa.Column("age_band", sa.String(16), nullable=True))
    with op.batch_alter_table("review_response") as batch:
        batch.add_column(
            sa.Column("with_help", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "answer_tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("review.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("review_id", "question_id", "value", "role", "channel"),
    )
    op.create_table(
        "response_tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("review.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("review_id", "role", "channel"),
    )


def downgrade() -> None:
    op.drop_table("response_tally")
    op.drop_table("answer_tally")
    with op.batch_alter_table("review_response") as batch:
        batch.drop_column("with_help")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("age_band")
