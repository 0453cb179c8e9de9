"""A PostgreSQL database of one's own for a test or benchmark run, dropped afterwards.

CI shares the server with other work, so nothing touches existing databases: a run
creates ``<prefix>_<random>`` and drops it (``WITH (FORCE)``) when done.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chuangkou.settings import Settings


@contextmanager
def temporary_database(prefix: str = "ck_tmp", admin_url: str | None = None) -> Iterator[str]:
    """Create a fresh database and yield its URL; drop it on exit.

    Args:
        prefix: Start of the database name.
        admin_url: A server URL allowed to create databases; the settings' test server
            (``CHUANGKOU_TEST_PG``) when omitted.

    Yields:
        The new database's URL.
    """
    admin_url = admin_url or Settings.from_env().test_pg_url
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
