"""Clerk accounts and console sessions. Alembic migrations create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from chuangkou.db import Base


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
