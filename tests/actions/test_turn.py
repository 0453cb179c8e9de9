"""The one action over a real tracker.

Registered as the domain says, its memory in one slot, and a database that fails
mid-turn answered politely with nothing half-kept.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from actions.turn import STATE_SLOT, ActionTurn
from chuangkou.booking.tables import Booking
from chuangkou.services import _runtime
from common.privacy import mask_and_seal

SECRET = "test-secret"
PHONE = "13812344567"
TABLES = ("bookings", "slot_seats")


@pytest.fixture(autouse=True)
def _env(loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", str(loaded_engine.url))
    monkeypatch.setenv("CHUANGKOU_SECRET", SECRET)
    # Each test gets a runtime over its own database, not one cached by an earlier test.
    _runtime.cache_clear()


def _tracker(said: str, intent: str, state: Any) -> Tracker:
    masked, sealed = mask_and_seal(said, SECRET)
    metadata = {"sealed_phone": sealed} if sealed else {}
    message = {
        "text": masked,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": [],
        "metadata": metadata,
    }
    return Tracker(
        "turn-test",
        {STATE_SLOT: state},
        message,
        [{"event": "user", "text": masked}],
        False,
        None,
        {},
        "action_listen",
    )


async def _turn(
    domain: dict[str, Any], said: str, intent: str, state: Any = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionTurn().run(dispatcher, _tracker(said, intent, state), domain)
    return dispatcher.messages, events


def _state_of(events: list[dict[str, Any]]) -> Any:
    values = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == STATE_SLOT]
    return values[-1] if values else None


def test_registered_actions_are_the_domain_actions(domain: dict[str, Any]) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])
    assert STATE_SLOT in domain["slots"]


async def test_a_turn_answers_by_response_name_and_keeps_its_memory(
    domain: dict[str, Any],
) -> None:
    messages, events = await _turn(domain, "电梯使用登记需要什么材料", "ask_requirements")
    assert messages and all(m["response"] in domain["responses"] for m in messages)
    state = _state_of(events)
    assert isinstance(state, dict) and state.get("item") == "FW01"
    # The next turn reads that memory: a bare follow-up is about the same item.
    follow, _ = await _turn(domain, "多久能办好", "ask_time_limit", _state_of(events))
    assert any(m["response"] == "utter_time_limit" for m in follow)


async def test_the_phone_reaches_the_booking_only(
    domain: dict[str, Any], loaded_engine: Engine
) -> None:
    _, events = await _turn(
        domain, f"下周二上午十点在麻城办电梯使用登记，我叫李娜，电话{PHONE}", "book_appointment"
    )
    state = _state_of(events)
    assert state is not None and PHONE not in json.dumps(state)
    messages, events = await _turn(domain, "/affirm", "affirm", state)
    assert any(m["response"] == "utter_booking_confirmed" for m in messages), messages
    assert PHONE not in json.dumps(messages, ensure_ascii=False)
    with Session(loaded_engine) as session:
        assert session.scalar(select(Booking.phone)) == PHONE


async def test_database_failing_mid_turn_is_answered_and_nothing_is_kept(
    domain: dict[str, Any], loaded_engine: Engine
) -> None:
    _, events = await _turn(domain, "我想预约电梯使用登记，在麻城", "book_appointment")
    before = _state_of(events)
    assert before is not None
    # The catalog still reads; the booking tables are gone, as in a half-failed database.
    with loaded_engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    messages, events = await _turn(domain, "下周二上午十点", "inform", before)
    assert [m["response"] for m in messages] == ["utter_database_unavailable"]
    assert _state_of(events) is None  # the conversation's memory is left as it was
    with loaded_engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))
    messages, events = await _turn(domain, "下周二上午十点", "inform", before)
    assert "utter_database_unavailable" not in [m["response"] for m in messages]
    with Session(loaded_engine) as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 0
