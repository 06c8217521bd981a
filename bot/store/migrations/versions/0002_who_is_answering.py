"""Who is answering: a young person's age band, and answers given with help.

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


def downgrade() -> None:
    with op.batch_alter_table("review_response") as batch:
        batch.drop_column("with_help")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("age_band")
