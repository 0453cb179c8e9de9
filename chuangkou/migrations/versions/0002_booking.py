"""Booking tables: seats per slot, bookings, audit events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('booked', 'arrived')")


def upgrade() -> None:
    """Create the booking tables."""
    op.create_table(
        "slot_seats",
        sa.Column("office_code", sa.String(4), primary_key=True),
        sa.Column("window_type", sa.String(8), primary_key=True),
        sa.Column("slot_date", sa.Date(), primary_key=True),
        sa.Column("slot_time", sa.String(5), primary_key=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_slot_seats_capacity"),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(12), nullable=False, unique=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("office_code", sa.String(4), nullable=False),
        sa.Column("window_type", sa.String(8), nullable=False),
        sa.Column("item_code", sa.String(8), nullable=False),
        sa.Column("item_name", sa.String(80), nullable=False),
        sa.Column("slot_date", sa.Date(), nullable=False),
        sa.Column("slot_time", sa.String(5), nullable=False),
        sa.Column("citizen_name", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("phone_masked", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=True, unique=True),
        sa.Column("missing_docs", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bookings_phone", "bookings", ["phone"])
    op.create_index(
        "ix_bookings_office_day", "bookings", ["office_code", "slot_date", "window_type"]
    )
    op.create_index(
        "ux_bookings_phone_item_day",
        "bookings",
        ["phone", "item_code", "slot_date"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_table(
        "booking_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
    )
    op.create_index("ix_booking_events_booking_id", "booking_events", ["booking_id"])


def downgrade() -> None:
    """Drop the booking tables."""
    op.drop_table("booking_events")
    op.drop_table("bookings")
    op.drop_table("slot_seats")
