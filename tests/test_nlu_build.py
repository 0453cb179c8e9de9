"""Catalog-derived NLU artefacts: every name one jieba token, lookups complete."""

from __future__ import annotations

from pathlib import Path

import jieba
import yaml

from chuangkou.catalog.model import Catalog
from chuangkou.nlu_build import build_artefacts


def test_artefacts_cover_the_catalog(catalog: Catalog, tmp_path: Path) -> None:
    userdict, lookups = build_artefacts(catalog, tmp_path)
    words = {line.split(" ")[0] for line in userdict.read_text(encoding="utf-8").splitlines()}
    for item in catalog.items:
        assert item.name.replace(" ", "") in words
        assert all(a.replace(" ", "") in words for a in item.aliases)
    tables = {t["lookup"]: t["examples"] for t in yaml.safe_load(lookups.read_text())["nlu"]}
    assert set(tables) == {"catalog_item", "catalog_document", "catalog_office"}
    assert "- 检验检测机构资质认定\n" in tables["catalog_item"]


def test_names_stay_one_token(catalog: Catalog, tmp_path: Path) -> None:
    userdict, _ = build_artefacts(catalog, tmp_path)
    tok = jieba.Tokenizer()
    with userdict.open("rb") as handle:
        tok.load_userdict(handle)
    assert "特种设备使用登记" in tok.lcut("我想办特种设备使用登记需要什么")
    assert "叉车证" in tok.lcut("叉车证要带什么")


def test_unchanged_catalog_rewrites_nothing(catalog: Catalog, tmp_path: Path) -> None:
    paths = build_artefacts(catalog, tmp_path)
    stamps = [p.stat().st_mtime_ns for p in paths]
    build_artefacts(catalog, tmp_path)
    assert [p.stat().st_mtime_ns for p in paths] == stamps
