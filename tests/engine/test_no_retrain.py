"""A catalog change takes effect through the running engine + action server, no retraining."""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog
from chuangkou.chat import send
from chuangkou.db import make_engine
from tests.engine.conftest import StackFactory

NEW_DOC = "电梯维护保养合同"
NEW_ITEM_NAME = "电梯应急救援演练备案"
NEW_ALIAS = "困人演练备案"


def _texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def _edit(root: Path) -> None:
    """Add a document to FW01 新办, and a whole new item with an alias nobody trained on."""
    docs = root / "documents" / "services.yml"
    data = yaml.safe_load(docs.read_text(encoding="utf-8"))
    data["documents"].append({"name": NEW_DOC, "aliases": ["维保合同"]})
    docs.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    fw01 = root / "items" / "FW01.yml"
    item = yaml.safe_load(fw01.read_text(encoding="utf-8"))
    new_reg = next(b for b in item["business_types"] if b["type"] == "新办")
    new_reg["documents"].append(
        {
            "name": NEW_DOC,
            "form": "复印件",
            "copies": 1,
            "required": True,
            "note": None,
            "basis": "测试用：窗口新增的材料",
        }
    )
    fw01.write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")

    new = yaml.safe_load((root / "items" / "TS04.yml").read_text(encoding="utf-8"))
    new.update(code="TS05", name=NEW_ITEM_NAME, aliases=[NEW_ALIAS], sub_items=[])
    new["business_types"] = [
        {
            "type": "新办",
            "documents": [
                {
                    "name": NEW_DOC,
                    "form": "原件",
                    "copies": 2,
                    "required": True,
                    "note": "加盖公章",
                    "basis": "测试用：新事项的材料",
                }
            ],
        }
    ]
    (root / "items" / "TS05.yml").write_text(yaml.safe_dump(new, allow_unicode=True), "utf-8")


def test_catalog_change_without_retraining(
    start_stack: StackFactory, catalog_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "live.db"
    with start_stack(catalog_copy, db) as engine_url:
        sender = f"nr-{uuid.uuid4().hex[:8]}"
        before = _texts(send(engine_url, sender, "电梯使用登记新办需要什么材料"))
        assert "特种设备使用登记表" in before and NEW_DOC not in before
        unknown = _texts(send(engine_url, f"nr-{uuid.uuid4().hex[:8]}", f"{NEW_ALIAS}需要什么材料"))
        assert NEW_ITEM_NAME not in unknown

        _edit(catalog_copy)
        engine = make_engine(f"sqlite:///{db}")
        assert load_catalog(engine, read_catalog(catalog_copy), source="edited")
        engine.dispose()

        after = _texts(
            send(engine_url, f"nr-{uuid.uuid4().hex[:8]}", "电梯使用登记新办需要什么材料")
        )
        assert NEW_DOC in after
        new_item = _texts(
            send(engine_url, f"nr-{uuid.uuid4().hex[:8]}", f"{NEW_ALIAS}需要什么材料")
        )
        assert NEW_ITEM_NAME in new_item and NEW_DOC in new_item and "原件2份" in new_item
