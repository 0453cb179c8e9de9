"""A PostgreSQL database of its own for one test run, dropped afterwards.

CI shares the server with other work, so each run creates ``ck_test_<random>`` on the
server at ``CHUANGKOU_TEST_PG`` (default: 127.0.0.1:5432, database ``test``) and drops it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("CHUANGKOU_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create a fresh database and yield its URL; drop it on exit."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ck_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {ADMIN_URL} is required for this test: {exc}")
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
