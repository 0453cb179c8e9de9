"""Question actions with the real domain and CollectingDispatcher."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine

from actions.questions import (
    ActionCheckDocuments,
    ActionFee,
    ActionLocation,
    ActionProcess,
    ActionRequirements,
    ActionResumeQuestion,
    ActionTimeLimit,
)
from chuangkou.catalog.model import Catalog
from chuangkou.services import services
from chuangkou.settings import Settings
from tests.utils.trackers import tracker


@pytest.fixture(autouse=True)
def _catalog_db(loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the action runtime at a database holding the real catalog."""
    url = str(loaded_engine.url)
    monkeypatch.setenv("DATABASE_URL", url)
    services(Settings.from_env())  # warm the per-settings runtime


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_requirements_asks_business_type_with_buttons(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionRequirements().run(
        dispatcher, tracker("电梯使用登记需要什么材料", "ask_requirements"), domain
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_business_type"]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["新办", "变更", "注销", "补办"]
    slots = _slots(events)
    assert slots["item_code"] == "FW01" and slots["sub_item_code"] == "FW01-01"
    assert slots["pending_question"] == "requirements"


async def test_requirements_lists_catalog_documents(
    domain: dict[str, Any], catalog: Catalog
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionRequirements().run(
        dispatcher, tracker("电梯使用登记新办需要什么材料", "ask_requirements"), domain
    )
    message = dispatcher.messages[0]
    assert message["response"] == "utter_requirements"
    item = catalog.item("FW01")
    assert item is not None
    btype = item.business_type("新办")
    assert btype is not None
    for doc in btype.documents:
        block = message["documents"] if doc.required else message["conditional"]
        assert doc.name in block
    assert str(item.time_limit.promised_days) == str(message["promised_days"])
    assert "（电梯）" in message["item_label"]


async def test_resume_after_business_type_button(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"item_code": "FW01", "business_type": "注销", "pending_question": "requirements"}
    await ActionResumeQuestion().run(
        dispatcher,
        tracker('/choose_business_type{"business_type":"注销"}', "choose_business_type", slots),
        domain,
    )
    assert dispatcher.messages[0]["response"] == "utter_requirements"
    assert "注销" in dispatcher.messages[0]["business_type"]


async def test_ambiguous_name_offers_candidates(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionRequirements().run(
        dispatcher, tracker("电梯需要什么材料", "ask_requirements"), domain
    )
    assert dispatcher.messages[0]["response"] == "utter_item_candidates"
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert len(payloads) >= 2 and all(p.startswith("/select_item{") for p in payloads)
    assert "item_code" not in _slots(events)


async def test_no_item_asks_which(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionFee().run(dispatcher, tracker("要多少钱", "ask_fee"), domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_which_item"
    assert _slots(events)["pending_question"] == "fee"


async def test_stopped_item_is_explained(domain: dict[str, Any], catalog: Catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionRequirements().run(
        dispatcher, tracker("组织机构代码证怎么办", "ask_requirements"), domain
    )
    message = dispatcher.messages[0]
    item = catalog.item("FW05")
    assert item is not None
    assert message["response"] == "utter_item_stopped"
    assert message["redirect"] == item.redirect


@pytest.mark.parametrize(
    ("action", "response", "key"),
    [
        (ActionTimeLimit, "utter_time_limit", "promised_days"),
        (ActionFee, "utter_fee", "fee"),
        (ActionLocation, "utter_location", "office_line"),
        (ActionProcess, "utter_process", "steps"),
    ],
)
async def test_facts_for_item_in_context(
    domain: dict[str, Any], action: type, response: str, key: str
) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"item_code": "SP10"}
    await action().run(dispatcher, tracker("这个呢", "ask_x", slots), domain)
    message = dispatcher.messages[0]
    assert message["response"] == response
    assert message[key]
    assert "检验检测机构资质认定" in message["item_label"]


async def test_location_uses_the_named_county(domain: dict[str, Any], catalog: Catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionLocation().run(dispatcher, tracker("强检在麻城哪里办", "ask_location"), domain)
    office = catalog.office("MC")
    assert office is not None
    assert office.address in dispatcher.messages[0]["office_line"]


async def test_document_check_over_two_turns(domain: dict[str, Any], catalog: Catalog) -> None:
    item = catalog.item("FW01")
    assert item is not None
    btype = item.business_type("新办")
    assert btype is not None
    required = [d.name for d in btype.documents if d.required]
    slots = {"item_code": "FW01", "business_type": "新办"}

    dispatcher = CollectingDispatcher()
    events = await ActionCheckDocuments().run(
        dispatcher, tracker(f"我有{required[0]}", "inform_documents", slots), domain
    )
    first = dispatcher.messages[0]
    assert first["response"] == "utter_docs_missing"
    assert first["count"] == len(required) - 1
    state = _slots(events)["docs_state"]
    assert state[required[0]]["has"] is True

    dispatcher = CollectingDispatcher()
    rest = "、".join(required[1:])
    await ActionCheckDocuments().run(
        dispatcher,
        tracker(f"{rest}也都有了", "inform_documents", {**slots, "docs_state": state}),
        domain,
    )
    assert dispatcher.messages[0]["response"] == "utter_docs_complete"


async def test_documents_without_item_are_kept_until_item_known(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCheckDocuments().run(
        dispatcher, tracker("我有营业执照，没有委托书", "inform_documents"), domain
    )
    assert dispatcher.messages[0]["response"] == "utter_ask_which_item"
    slots = _slots(events)
    assert slots["pending_question"] == "check_documents"
    assert slots["docs_state"]["授权委托书"]["has"] is False


async def test_every_response_used_exists_in_domain(domain: dict[str, Any]) -> None:
    from pathlib import Path

    used: set[str] = set()
    for path in Path("actions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used.update(
            part.split('"')[0]
            for part in text.split('"utter_')[1:]
            if part.split('"')[0].replace("_", "").isalnum()
        )
    missing = {f"utter_{u}" for u in used} - set(domain["responses"])
    # reason fragments are looked up by name; "absent" deliberately has no text
    assert missing <= {"utter_fmt_reason_"}, missing
