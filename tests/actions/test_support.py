"""Complaint and hand-off actions: the answer comes from the catalog's offices and items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine

from actions.support import ActionComplain, ActionHumanHandoff
from chuangkou.catalog.model import Catalog
from tests.utils.trackers import tracker


@pytest.fixture(autouse=True)
def _catalog_db(loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", str(loaded_engine.url))


async def test_complaint_points_to_12365_and_the_window(
    domain: dict[str, Any], catalog: Catalog
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionComplain().run(dispatcher, tracker("我要投诉假冒伪劣", "complain"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_complain"
    assert "12365" in message["summary"] + message["steps"]
    window = catalog.city_office().window("咨询投诉")
    assert window is not None and window.phone in message["office_line"]


async def test_complaint_in_a_county(domain: dict[str, Any], catalog: Catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionComplain().run(
        dispatcher, tracker("武穴的加油站缺斤少两，我要举报", "complain"), domain
    )
    office = catalog.office("WX")
    assert office is not None
    assert office.name in dispatcher.messages[0]["office_line"]


async def test_handoff_uses_the_item_window(domain: dict[str, Any], catalog: Catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionHumanHandoff().run(
        dispatcher, tracker("转人工", "human_handoff", {"item_code": "SP01"}), domain
    )
    message = dispatcher.messages[0]
    window = catalog.city_office().window("行政审批")
    assert window is not None
    assert message["window"] == "行政审批" and window.phone in message["office_line"]
    assert message["hours"]


async def test_catalog_missing_is_a_polite_answer(
    domain: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    dispatcher = CollectingDispatcher()
    await ActionHumanHandoff().run(dispatcher, tracker("转人工", "human_handoff"), domain)
    assert dispatcher.messages[0]["response"] == "utter_catalog_unavailable"
