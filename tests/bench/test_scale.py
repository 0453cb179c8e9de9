"""The catalog grown to the reform's size: valid, loadable, and matched without mistakes."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.catalog import measure_catalog_scale
from bench.scale import (
    FIRST_GENERATED_NUMBER,
    GENERATED_NOTE,
    MARKER_FILE,
    PROBE_COUNT,
    Probe,
    generate_scaled_catalog,
)
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog, Item
from chuangkou.catalog.store import CatalogCache, fetch_catalog, load_catalog
from chuangkou.catalog.tables import CatalogItem, CatalogTerm
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from common.folding import normalize
from tests.catalog.test_matcher import ITEM_PHRASES
from tests.conftest import CATALOG_DIR

SIZE = 2000


@pytest.fixture(scope="module")
def scaled_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Probe]]:
    """The real catalog grown to 2,000 sub-items, generated once for the module."""
    root = tmp_path_factory.mktemp("scale") / "catalog"
    probes = generate_scaled_catalog(CATALOG_DIR, root, sub_items=SIZE)
    return root, probes


@pytest.fixture(scope="module")
def scaled(scaled_dir: tuple[Path, list[Probe]]) -> Catalog:
    """The generated catalog, read and validated."""
    return read_catalog(scaled_dir[0])


@pytest.fixture(scope="module")
def probes(scaled_dir: tuple[Path, list[Probe]]) -> list[Probe]:
    """The questions about generated sub-items."""
    return scaled_dir[1]


@pytest.fixture(scope="module")
def scaled_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An empty, migrated SQLite database for the module."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scale-db') / 'scaled.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def scaled_matcher(scaled_engine: Engine, scaled: Catalog) -> Matcher:
    """A matcher over the generated catalog as read back from the database."""
    load_catalog(scaled_engine, scaled, source="test-scale")
    with Session(scaled_engine) as session:
        return Matcher(fetch_catalog(session))


def _generated(scaled: Catalog, catalog: Catalog) -> list[tuple[Item, str, str]]:
    """(item, code, name) of every sub-item the generator added."""
    real = {s.code for i in catalog.items for s in i.sub_items}
    return [(i, s.code, s.name) for i in scaled.items for s in i.sub_items if s.code not in real]


def test_generated_catalog_is_valid_and_big(scaled: Catalog, catalog: Catalog) -> None:
    assert scaled.sub_item_count() >= SIZE
    assert [i.code for i in scaled.items] == [i.code for i in catalog.items]
    assert scaled.version != catalog.version


def test_real_content_is_kept(scaled: Catalog, catalog: Catalog) -> None:
    for real in catalog.items:
        grown = scaled.item(real.code)
        assert grown is not None
        # The real sub-items come first and unchanged; nothing else about the item moved.
        assert grown.sub_items[: len(real.sub_items)] == real.sub_items
        assert dataclasses.replace(grown, sub_items=real.sub_items) == real
    assert scaled.documents == catalog.documents
    assert scaled.offices == catalog.offices
    assert scaled.lexicon == catalog.lexicon


def test_generated_names_are_unique_and_new(scaled: Catalog, catalog: Catalog) -> None:
    generated = _generated(scaled, catalog)
    assert len(generated) == SIZE - catalog.sub_item_count()
    keys = Counter(normalize(name) for _, _, name in generated)
    assert [k for k, n in keys.items() if n > 1] == []
    existing: set[str] = set()
    for item in catalog.items:
        existing.update(normalize(w) for w in (item.code, item.name, *item.aliases))
        for sub in item.sub_items:
            existing.update(normalize(w) for w in (sub.code, sub.name, *sub.aliases))
    for doc in catalog.documents:
        existing.update(normalize(w) for w in (doc.name, *doc.aliases))
    for office in catalog.offices:
        existing.update(normalize(w) for w in (office.code, office.name, *office.aliases))
    for btype, aliases in catalog.lexicon.business_types.items():
        existing.update(normalize(w) for w in (btype, *aliases))
    assert sorted(set(keys) & existing) == []
    for item, code, name in generated:
        assert int(code.split("-")[1]) >= FIRST_GENERATED_NUMBER
        # A generated name narrows one of its own item's real sub-items.
        assert any(name.startswith(s.name.rstrip("）")) for s in item.sub_items)
        # A clause break inside a name would cut a question in two for the document check.
        assert not any(b in name for b in catalog.lexicon.clause_breaks)


def test_new_sub_items_follow_the_real_spread(scaled: Catalog, catalog: Catalog) -> None:
    extra = SIZE - catalog.sub_item_count()
    total = catalog.sub_item_count()
    for real in catalog.items:
        grown = scaled.item(real.code)
        assert grown is not None
        added = len(grown.sub_items) - len(real.sub_items)
        assert abs(added - extra * len(real.sub_items) / total) < 1


def test_generated_files_are_marked(scaled_dir: tuple[Path, list[Probe]], catalog: Catalog) -> None:
    root, _ = scaled_dir
    assert (root / MARKER_FILE).is_file()
    for item in catalog.items:
        text = (root / "items" / f"{item.code}.yml").read_text(encoding="utf-8")
        if item.sub_items:
            assert text.startswith(f"# {GENERATED_NOTE}\n")
            assert "\nsample_data: true\n" in text
        else:
            # Items without sub-items get none and stay byte for byte the real file.
            assert text == (CATALOG_DIR / "items" / f"{item.code}.yml").read_text("utf-8")


def test_generation_is_deterministic(
    tmp_path: Path, scaled_dir: tuple[Path, list[Probe]], probes: list[Probe]
) -> None:
    again = generate_scaled_catalog(CATALOG_DIR, tmp_path / "again", sub_items=SIZE)
    assert again == probes
    for path in sorted((scaled_dir[0] / "items").glob("*.yml")):
        assert path.read_bytes() == (tmp_path / "again" / "items" / path.name).read_bytes()


def test_destination_must_be_new(tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        generate_scaled_catalog(CATALOG_DIR, tmp_path, sub_items=SIZE)


def test_load_replaces_the_real_catalog_and_is_idempotent(
    sqlite_engine: Engine, catalog: Catalog, scaled: Catalog
) -> None:
    cache = CatalogCache(sqlite_engine)
    load_catalog(sqlite_engine, catalog, source="test")
    assert cache.get().version == catalog.version
    # A new catalog version is picked up by the next read: no restart, no retraining.
    assert load_catalog(sqlite_engine, scaled, source="test-scale") is True
    assert cache.get().sub_item_count() == scaled.sub_item_count()
    with Session(sqlite_engine) as session:
        terms = session.scalar(select(func.count()).select_from(CatalogTerm))
        items = session.scalar(select(func.count()).select_from(CatalogItem))
    assert load_catalog(sqlite_engine, scaled, source="test-scale") is False
    with Session(sqlite_engine) as session:
        assert session.scalar(select(func.count()).select_from(CatalogTerm)) == terms
        assert session.scalar(select(func.count()).select_from(CatalogItem)) == items
        back = fetch_catalog(session)
    assert back.version == scaled.version
    assert back.items == scaled.items


def test_probes_are_spread_over_items(probes: list[Probe], scaled: Catalog) -> None:
    assert len(probes) == PROBE_COUNT
    assert len({p.item_code for p in probes}) == PROBE_COUNT
    for probe in probes:
        item = scaled.item(probe.item_code)
        assert item is not None
        sub = item.sub_item(probe.sub_item_code)
        assert sub is not None and sub.name == probe.sub_item_name
        assert probe.sub_item_name in probe.text


def test_every_probe_finds_its_item(scaled_matcher: Matcher, probes: list[Probe]) -> None:
    wrong = []
    for probe in probes:
        best = scaled_matcher.match_items(probe.text).best
        found = (best.item_code, best.sub_item_code) if best else None
        if found != (probe.item_code, probe.sub_item_code):
            wrong.append((probe.text, found))
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("电梯使用登记需要什么材料", "FW01"),
        ("叉车证要带什么", "SP04"),
        ("强检在麻城哪里办", "JY01"),
        ("CMA资质认定多久能办好", "SP10"),
        ("电线电缆生产许可证怎么申请", "SP01"),
    ],
)
def test_real_questions_still_find_their_item(
    scaled_matcher: Matcher, text: str, code: str
) -> None:
    best = scaled_matcher.match_items(text).best
    assert best is not None and best.item_code == code


@pytest.mark.parametrize(
    "text",
    [
        *(t for t, _, _ in ITEM_PHRASES),
        "电梯需要什么材料",
        "锅炉",
        "压力容器的事",
        "特种设备的许可",
        "今天天气怎么样",
        "我有营业执照和身份证，还差委托书",
    ],
)
def test_no_new_guesses_on_real_questions(
    matcher: Matcher, scaled_matcher: Matcher, text: str
) -> None:
    real = matcher.match_items(text)
    grown = scaled_matcher.match_items(text)
    assert grown.ambiguous == real.ambiguous
    assert [(c.item_code, c.sub_item_code) for c in grown.candidates] == [
        (c.item_code, c.sub_item_code) for c in real.candidates
    ]


def test_measure_catalog_scale(tmp_path: Path) -> None:
    numbers = measure_catalog_scale(tmp_path, source=CATALOG_DIR, calls=20, rounds=1)
    assert numbers["real_sub_items"] < SIZE <= numbers["scaled_sub_items"]
    assert numbers["probes"] == PROBE_COUNT
    assert numbers["scaled_probe_accuracy"] == 1.0
    assert numbers["scaled_probe_sub_item_accuracy"] == 1.0
    assert numbers["scaled_questions_agreement"] == 1.0
    for key in ("read_s", "load_s", "fetch_s", "matcher_build_s", "questions_p95_ms"):
        assert numbers[f"scaled_{key}"] > 0 and numbers[f"real_{key}"] > 0
