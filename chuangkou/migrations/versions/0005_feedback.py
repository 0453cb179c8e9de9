"""Answer feedback (好差评): one vote per answered turn, with its item and intent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``answer_feedback``."""
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(80), nullable=False),
        sa.Column("responses", sa.String(400), nullable=False),
        sa.Column("intent", sa.String(80), nullable=False),
        sa.Column("item_code", sa.String(8), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(200), nullable=True),
        sa.UniqueConstraint("conversation", "turn", name="ux_answer_feedback_turn"),
    )
    op.create_index("ix_answer_feedback_item", "answer_feedback", ["item_code", "response"])


def downgrade() -> None:
    """Drop ``answer_feedback``."""
    op.drop_table("answer_feedback")
