"""Table definitions (SQLAlchemy 2 declarative). Alembic migrations create them.

Catalog rows keep each item, office and document as the JSON of its dataclass, plus the
columns and the term index that lookups filter on: the catalog is read whole and cached
by version, so a normalised copy of every list would be cost without benefit.
"""

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
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table."""


class CatalogMeta(Base):
    """Key/value facts about the loaded catalog (version, load time, lexicon)."""

    __tablename__ = "catalog_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class CatalogItem(Base):
    """A major item; ``data`` is the item JSON."""

    __tablename__ = "catalog_items"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    category: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(10))
    data: Mapped[Any] = mapped_column(JSON)


class CatalogOffice(Base):
    """An office; ``data`` is the office JSON."""

    __tablename__ = "catalog_offices"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    level: Mapped[str] = mapped_column(String(8))
    data: Mapped[Any] = mapped_column(JSON)


class CatalogDocument(Base):
    """A canonical document of the shared vocabulary."""

    __tablename__ = "catalog_documents"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)


class CatalogTerm(Base):
    """Every name and alias, normalised, pointing at what it names."""

    __tablename__ = "catalog_terms"
    __table_args__ = (Index("ix_catalog_terms_term", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    term: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(80))
    item_code: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_items.code", ondelete="CASCADE"), nullable=True
    )


class CatalogLoad(Base):
    """History of catalog loads (痕迹化: who changed the answers, and when)."""

    __tablename__ = "catalog_loads"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    items: Mapped[int]
    sub_items: Mapped[int]
    source: Mapped[str] = mapped_column(Text)


# -- booking -------------------------------------------------------------------------

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


# -- clerks ----------------------------------------------------------------------------


class Clerk(Base):
    """A clerk account for the console (password hashed with argon2)."""

    __tablename__ = "clerks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    office_code: Mapped[str | None] = mapped_column(String(4))
    # "clerk": sees and changes only its own office's bookings; "supervisor": every
    # office, granted explicitly when the account is made.
    role: Mapped[str] = mapped_column(String(12), default="clerk")
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClerkSession(Base):
    """A console session; only a hash of the cookie's token is stored."""

    __tablename__ = "clerk_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerks.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
