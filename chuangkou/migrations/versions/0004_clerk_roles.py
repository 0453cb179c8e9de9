"""Clerk roles: a clerk works at one office; a supervisor is granted every office.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``clerks.role`` (existing accounts are office clerks)."""
    with op.batch_alter_table("clerks") as batch:
        batch.add_column(sa.Column("role", sa.String(12), nullable=False, server_default="clerk"))


def downgrade() -> None:
    """Drop ``clerks.role``."""
    with op.batch_alter_table("clerks") as batch:
        batch.drop_column("role")
