"""Framework reviews: a charter's whole framework is reviewed on a clock, not each pledge.

Birmingham's charter: "Hold a review of the Co-production Framework after six
months, and thereafter at least annually". Staff record each review held; the
next one is due a year after it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "framework_review",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("charter", sa.String(64), nullable=False, index=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("framework_review")
