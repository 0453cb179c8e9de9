"""Database engine and session factory: one engine per process, made on demand."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every table (each feature keeps its tables next to it)."""


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock when a transaction starts, not when it first writes: a booking
    # reads the seat count and then writes, and upgrading a read lock later could fail
    # with "database is locked" instead of waiting its turn.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    # WAL lets the action server read while `chuangkou catalog load` writes; the busy
    # timeout makes a writer wait instead of failing when another holds the lock.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for a URL, with the settings each backend needs.

    Args:
        url: SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``).

    Returns:
        The engine.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@cache
def engine_for(url: str) -> Engine:
    """The process-wide engine for a URL (built on first use, never at import)."""
    return make_engine(url)


@cache
def session_factory(url: str) -> sessionmaker[Session]:
    """The process-wide session factory for a URL (its units of work: ``.begin()``)."""
    return sessionmaker(engine_for(url), expire_on_commit=False)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database a URL names, if it does not exist yet.

    Args:
        url: A PostgreSQL URL; other URLs are left alone.
    """
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        return
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
