"""Fixtures for tests that run the engine runtime: the trained model and a running stack."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog_at
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import StackConfig, running_stack
from tests.utils.stack import stack_settings

pytestmark = pytest.mark.engine

StackFactory = Callable[[Path, Path], AbstractContextManager[str]]


@pytest.fixture(scope="session")
def start_stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> StackFactory:
    """Start a stack on free ports against a catalog folder and a SQLite file."""

    def _start(catalog_dir: Path, db_file: Path) -> AbstractContextManager[str]:
        url = f"sqlite:///{db_file}"
        load_catalog_at(url, read_catalog(catalog_dir), source=str(catalog_dir))
        cfg = StackConfig.from_settings(
            stack_settings(url), log_dir=tmp_path_factory.mktemp("stack-logs")
        )
        return running_stack(cfg)

    return _start


@pytest.fixture(scope="session")
def engine_url(
    start_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One running stack over the real catalog, shared by the end-to-end tests."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    with start_stack(PROJECT_ROOT / "catalog", db) as base:
        yield base
