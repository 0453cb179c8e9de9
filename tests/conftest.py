"""Shared fixtures: the real catalog, a loaded SQLite database, the real domain."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.training import train_if_stale
from tests.utils.domain import load_domain

CATALOG_DIR = PROJECT_ROOT / "catalog"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real catalog, parsed and validated."""
    return read_catalog(CATALOG_DIR)


@pytest.fixture(scope="session")
def matcher(catalog: Catalog) -> Matcher:
    """A matcher over the real catalog."""
    return Matcher(catalog)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The real domain, merged from bot/domain/."""
    return load_domain()


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A private copy of the catalog folder that a test may edit."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated SQLite database in a temporary file."""
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def loaded_engine(sqlite_engine: Engine, catalog: Catalog) -> Engine:
    """A SQLite database holding the real catalog."""
    load_catalog(sqlite_engine, catalog, source="test")
    return sqlite_engine


@pytest.fixture(scope="session")
def model() -> Path:
    """The trained model (trained here only if `make model` has not done it)."""
    settings = Settings()
    train_if_stale(settings)
    return settings.model_path
