"""A PostgreSQL database of its own for one test, dropped afterwards (see bench.pgtemp)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import OperationalError

from bench import pgtemp
from chuangkou.settings import Settings


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create ``ck_test_<random>`` and yield its URL; fail clearly when there is no server."""
    try:
        manager = pgtemp.temporary_database("ck_test")
        url = manager.__enter__()
    except OperationalError as exc:
        server = Settings.from_env().test_pg_url
        pytest.fail(f"PostgreSQL at {server} is required for this test: {exc}")
    try:
        yield url
    finally:
        manager.__exit__(None, None, None)
