"""Charter pledges, concerns for staff, and an outbox of messages for people.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ACTIVE = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "pledge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pseudonym", sa.String(128), nullable=True, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("charter", sa.String(64), nullable=False),
        sa.Column("signer_kind", sa.String(32), nullable=False),
        sa.Column("signer_key", sa.String(300), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=True),
        sa.Column("representative", sa.String(200), nullable=True),
        sa.Column("representative_role", sa.String(200), nullable=True),
        sa.Column("first_name", sa.String(60), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "pledge_one_active",
        "pledge",
        ["charter", "signer_kind", "signer_key"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pseudonym", sa.String(128), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("charter", sa.String(64), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("principle", sa.String(64), nullable=True),
        sa.Column("wants_reply", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pseudonym", sa.String(128), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("outbox_message")
    op.drop_table("concern")
    op.drop_index("pledge_one_active", table_name="pledge")
    op.drop_table("pledge")
