"""Catalog tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the catalog tables."""
    op.create_table(
        "catalog_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.JSON()),
    )
    op.create_table(
        "catalog_items",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("category", sa.String(8), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "catalog_offices",
        sa.Column("code", sa.String(4), primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "catalog_documents",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "catalog_terms",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("term", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column(
            "item_code",
            sa.String(8),
            sa.ForeignKey("catalog_items.code", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    op.create_index("ix_catalog_terms_term", "catalog_terms", ["term"])
    op.create_table(
        "catalog_loads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("sub_items", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop the catalog tables."""
    for table in (
        "catalog_loads",
        "catalog_terms",
        "catalog_documents",
        "catalog_offices",
        "catalog_items",
        "catalog_meta",
    ):
        op.drop_table(table)
