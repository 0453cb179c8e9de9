"""A PostgreSQL database of one's own for a test or benchmark run, dropped afterwards.

CI shares the server with other work, so nothing touches existing databases: a run
creates ``<prefix>_<random>`` and drops it (``WITH (FORCE)``) when done.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("CHUANGKOU_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def temporary_database(prefix: str = "ck_tmp", admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Create a fresh database and yield its URL; drop it on exit.

    Args:
        prefix: Start of the database name.
        admin_url: A server URL allowed to create databases.

    Yields:
        The new database's URL.
    """
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        admin.dispose()
        raise
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
