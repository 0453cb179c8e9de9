"""Loading: atomic, idempotent, and readable back into the same catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from chuangkou.catalog.files import CatalogError, read_catalog
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import (
    CatalogCache,
    CatalogNotLoaded,
    fetch_catalog,
    load_catalog,
)
from chuangkou.catalog.tables import CatalogItem, CatalogLoad, CatalogTerm


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(CatalogItem)) or 0,
            session.scalar(select(func.count()).select_from(CatalogTerm)) or 0,
            session.scalar(select(func.count()).select_from(CatalogLoad)) or 0,
        )


def test_load_round_trips(sqlite_engine: Engine, catalog: Catalog) -> None:
    assert load_catalog(sqlite_engine, catalog, source="test") is True
    with Session(sqlite_engine) as session:
        back = fetch_catalog(session)
    assert back.version == catalog.version
    assert back.items == catalog.items
    assert {o.code: o for o in back.offices} == {o.code: o for o in catalog.offices}
    assert back.lexicon == catalog.lexicon


def test_load_is_idempotent(sqlite_engine: Engine, catalog: Catalog) -> None:
    load_catalog(sqlite_engine, catalog, source="test")
    first = _counts(sqlite_engine)
    assert load_catalog(sqlite_engine, catalog, source="test") is False
    assert _counts(sqlite_engine) == first
    assert load_catalog(sqlite_engine, catalog, source="test", force=True) is True
    items, terms, loads = _counts(sqlite_engine)
    assert (items, terms) == first[:2] and loads == first[2] + 1


def test_invalid_catalog_leaves_the_loaded_one(
    loaded_engine: Engine, catalog: Catalog, catalog_copy: Path
) -> None:
    before = _counts(loaded_engine)
    (catalog_copy / "items" / "SP03.yml").write_text("name: 42\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(loaded_engine, read_catalog(catalog_copy), source="bad")
    assert _counts(loaded_engine) == before
    with Session(loaded_engine) as session:
        assert fetch_catalog(session).version == catalog.version


def test_cache_follows_the_stored_version(loaded_engine: Engine, catalog_copy: Path) -> None:
    cache = CatalogCache(loaded_engine)
    first = cache.get()
    assert cache.get() is first  # unchanged version: no re-read
    path = catalog_copy / "items" / "FW06.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    new_days = data["time_limit"]["promised_days"] + 1
    data["time_limit"]["promised_days"] = new_days
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_catalog(loaded_engine, read_catalog(catalog_copy), source="edit")
    second = cache.get()
    assert second.version != first.version
    item = second.item("FW06")
    assert item is not None and item.time_limit.promised_days == new_days


def test_empty_database_says_not_loaded(sqlite_engine: Engine) -> None:
    with pytest.raises(CatalogNotLoaded):
        CatalogCache(sqlite_engine).get()
