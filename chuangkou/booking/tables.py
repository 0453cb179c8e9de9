"""Booking tables: seats per slot, bookings, and the audit log. Alembic migrations create them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chuangkou.db import Base

ACTIVE_STATUSES = ("booked", "arrived")


class SlotSeat(Base):
    """Seats of one slot.

    ``taken <= capacity`` is a database constraint: overbooking is impossible whatever the
    application does, on SQLite and on PostgreSQL alike.
    """

    __tablename__ = "slot_seats"
    __table_args__ = (
        CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_slot_seats_capacity"),
    )

    office_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    window_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    slot_date: Mapped[date] = mapped_column(Date, primary_key=True)
    slot_time: Mapped[str] = mapped_column(String(5), primary_key=True)
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)


class Booking(Base):
    """A booking. The only place where a citizen's clear phone number is stored."""

    __tablename__ = "bookings"
    __table_args__ = (
        # One active booking per phone, item and day, enforced by the database too.
        Index(
            "ux_bookings_phone_item_day",
            "phone",
            "item_code",
            "slot_date",
            unique=True,
            sqlite_where=text("status IN ('booked', 'arrived')"),
            postgresql_where=text("status IN ('booked', 'arrived')"),
        ),
        Index("ix_bookings_office_day", "office_code", "slot_date", "window_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(12), unique=True)
    status: Mapped[str] = mapped_column(String(10))
    office_code: Mapped[str] = mapped_column(String(4))
    window_type: Mapped[str] = mapped_column(String(8))
    item_code: Mapped[str] = mapped_column(String(8))
    item_name: Mapped[str] = mapped_column(String(80))
    slot_date: Mapped[date] = mapped_column(Date)
    slot_time: Mapped[str] = mapped_column(String(5))
    citizen_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    phone_masked: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    missing_docs: Mapped[Any] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BookingEvent(Base):
    """Audit log (痕迹化): every state change of a booking, with time and actor."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
