"""Clerk accounts: argon2 passwords, lock-out after repeated failures, server-side sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chuangkou.clerks.tables import Clerk, ClerkSession

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_FOR = timedelta(hours=10)  # one working day
USERNAME = re.compile(r"^[a-z0-9_.-]{2,40}$")
ROLES = ("clerk", "supervisor")
_hasher = PasswordHasher()


class ClerkError(Exception):
    """Why an account action failed.

    Codes: ``bad_username``, ``weak_password``, ``exists``, ``bad_login``, ``locked``,
    ``no_office`` (an office clerk needs an office), ``bad_role``.
    """

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class ClerkView:
    """The clerk behind a session."""

    id: int
    username: str
    display_name: str
    office_code: str | None
    csrf_token: str
    role: str = "clerk"

    @property
    def supervisor(self) -> bool:
        """Whether the account was granted every office."""
        return self.role == "supervisor"

    def may_see(self, office_code: str | None) -> bool:
        """Whether this clerk may read or change the bookings of an office.

        An office clerk sees its own office only; an account without an office (made
        before roles existed) sees nothing until it is given one.
        """
        if self.supervisor:
            return True
        return bool(office_code) and office_code == self.office_code


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def add_clerk(
    engine: Engine,
    *,
    username: str,
    password: str,
    display_name: str,
    office_code: str | None,
    role: str = "clerk",
) -> int:
    """Create an account.

    Args:
        engine: The database.
        username: Lower-case login name.
        password: At least 10 characters.
        display_name: Shown in the console and the audit log.
        office_code: The office the clerk works at (a supervisor may have one too).
        role: ``clerk`` (own office only) or ``supervisor`` (every office).

    Returns:
        The new account's id.

    Raises:
        ClerkError: ``bad_username``, ``weak_password`` (under 10 characters), ``exists``,
            ``bad_role`` or ``no_office`` (an office clerk without an office).
    """
    if not USERNAME.match(username):
        raise ClerkError("bad_username")
    if len(password) < 10:
        raise ClerkError("weak_password")
    if role not in ROLES:
        raise ClerkError("bad_role")
    if role == "clerk" and not office_code:
        raise ClerkError("no_office")
    try:
        with Session(engine) as session, session.begin():
            clerk = Clerk(
                username=username,
                display_name=display_name[:40] or username,
                office_code=office_code,
                role=role,
                password_hash=_hasher.hash(password),
                created_at=_now(),
            )
            session.add(clerk)
            session.flush()
            return clerk.id
    except IntegrityError:
        raise ClerkError("exists") from None


def _view(clerk: Clerk, csrf: str) -> ClerkView:
    return ClerkView(
        clerk.id, clerk.username, clerk.display_name, clerk.office_code, csrf, clerk.role
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(engine: Engine, *, username: str, password: str) -> tuple[str, ClerkView]:
    """Check a password and open a session.

    Returns:
        The session token (for the cookie) and the clerk.

    Raises:
        ClerkError: ``bad_login`` (unknown user and wrong password look the same) or
            ``locked`` after repeated failures.
    """
    with Session(engine) as session, session.begin():
        clerk = session.scalar(select(Clerk).where(Clerk.username == username))
        if clerk is None:
            _hasher.hash(password)  # same work as a real check: no timing hint of existence
            raise ClerkError("bad_login")
        locked = _aware(clerk.locked_until)
        if locked is not None and locked > _now():
            raise ClerkError("locked")
        try:
            _hasher.verify(clerk.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            clerk.failed_logins += 1
            if clerk.failed_logins >= MAX_FAILURES:
                clerk.locked_until, clerk.failed_logins = _now() + LOCK_FOR, 0
            failed = True
        else:
            failed = False
            clerk.failed_logins, clerk.locked_until = 0, None
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            session.execute(delete(ClerkSession).where(ClerkSession.expires_at < _now()))
            session.add(
                ClerkSession(
                    token_hash=_hash_token(token),
                    clerk_id=clerk.id,
                    csrf_token=csrf,
                    expires_at=_now() + SESSION_FOR,
                )
            )
            view = _view(clerk, csrf)
    if failed:
        raise ClerkError("bad_login")
    return token, view


def session_clerk(engine: Engine, token: str | None) -> ClerkView | None:
    """The clerk of a live session, or None."""
    if not token or len(token) > 100:
        return None
    with Session(engine) as session:
        row = session.get(ClerkSession, _hash_token(token))
        expires = _aware(row.expires_at) if row else None
        if row is None or expires is None or expires < _now():
            return None
        clerk = session.get(Clerk, row.clerk_id)
        if clerk is None:
            return None
        return _view(clerk, row.csrf_token)


def logout(engine: Engine, token: str) -> None:
    """End a session."""
    with Session(engine) as session, session.begin():
        session.execute(delete(ClerkSession).where(ClerkSession.token_hash == _hash_token(token)))
