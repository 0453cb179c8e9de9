"""Clerk accounts and console sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the clerk tables."""
    op.create_table(
        "clerks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(40), nullable=False, unique=True),
        sa.Column("display_name", sa.String(40), nullable=False),
        sa.Column("office_code", sa.String(4), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "clerk_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "clerk_id", sa.Integer(), sa.ForeignKey("clerks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_clerk_sessions_clerk_id", "clerk_sessions", ["clerk_id"])


def downgrade() -> None:
    """Drop the clerk tables."""
    op.drop_table("clerk_sessions")
    op.drop_table("clerks")
