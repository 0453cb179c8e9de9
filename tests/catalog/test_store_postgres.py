"""The catalog loads into, and is queried from, a real PostgreSQL database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import CatalogCache, fetch_catalog, load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from tests.utils.postgres import temporary_database

pytestmark = pytest.mark.postgres


def test_load_and_query_on_postgres(catalog: Catalog) -> None:
    with temporary_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            assert load_catalog(engine, catalog, source="pg-test") is True
            assert load_catalog(engine, catalog, source="pg-test") is False
            with Session(engine) as session:
                back = fetch_catalog(session)
            assert back.items == catalog.items
            current = CatalogCache(engine).get()
            best = Matcher(current).match_items("电梯使用登记需要什么材料").best
            assert best is not None and best.item_code == "FW01"
        finally:
            engine.dispose()
