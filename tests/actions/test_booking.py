"""Booking actions with the real domain: form extraction, confirm once, manage by ref+phone."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from actions.booking import (
    ActionConfirmBooking,
    ActionManageBooking,
    ValidateBookingForm,
)
from chuangkou.booking.tables import Booking
from chuangkou.settings import PROJECT_ROOT
from common.privacy import seal

SECRET = "test-secret"
PHONE = "13812344567"


@pytest.fixture(autouse=True)
def _env(loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", str(loaded_engine.url))
    monkeypatch.setenv("CHUANGKOU_SECRET", SECRET)


@pytest.fixture
def form_domain(domain: dict[str, Any]) -> dict[str, Any]:
    forms = yaml.safe_load((PROJECT_ROOT / "bot/domain/booking.yml").read_text("utf-8"))["forms"]
    return {**domain, "forms": forms}


def _tracker(
    text: str,
    intent: str,
    slots: dict[str, Any],
    metadata: dict[str, Any] | None = None,
    sender: str = "conv-1",
) -> Tracker:
    return Tracker(
        sender,
        dict(slots),
        {"text": text, "intent": {"name": intent}, "entities": [], "metadata": metadata or {}},
        [{"event": "user", "text": text}],
        False,
        None,
        {"name": "booking_form"},
        "action_listen",
    )


def _set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def _validate(
    form_domain: dict[str, Any],
    text: str,
    intent: str,
    slots: dict[str, Any],
    metadata: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateBookingForm().run(
        dispatcher, _tracker(text, intent, slots, metadata), form_domain
    )
    return _set(events), dispatcher.messages


BASE = {"item_code": "FW01", "office_code": "MC"}


async def test_time_expression_fills_a_bookable_slot(form_domain: dict[str, Any]) -> None:
    slots, messages = await _validate(
        form_domain, "下周二上午十点", "inform_datetime", {**BASE, "requested_slot": "booking_slot"}
    )
    assert slots["booking_slot"].endswith("10:00") and not messages


async def test_past_time_is_refused_with_suggestions(form_domain: dict[str, Any]) -> None:
    slots, messages = await _validate(
        form_domain, "昨天", "inform_datetime", {**BASE, "requested_slot": "booking_slot"}
    )
    assert "booking_slot" not in slots and slots["booking_prompted"] is True
    assert messages[0]["response"] == "utter_slot_suggestions"
    assert "已经过去" in messages[0]["reason"] and messages[0]["buttons"]


async def test_question_during_form_is_left_to_its_rule(form_domain: dict[str, Any]) -> None:
    slots, messages = await _validate(
        form_domain, "要带什么材料", "ask_requirements", {**BASE, "requested_slot": "booking_slot"}
    )
    assert slots == {} and messages == []  # the form rejects; the digression rule answers


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张三", "张三"),
        ("我叫李娟", "李娟"),
        ("姓名：王小明", "王小明"),
        ("John Smith", "John Smith"),
    ],
)
async def test_names(form_domain: dict[str, Any], text: str, name: str) -> None:
    slots, _ = await _validate(
        form_domain, text, "inform_name", {**BASE, "requested_slot": "citizen_name"}
    )
    assert slots["citizen_name"] == name


@pytest.mark.parametrize("text", ["<script>x</script>", "'; DROP TABLE bookings; --", "张三123"])
async def test_injection_looking_names_are_re_asked(form_domain: dict[str, Any], text: str) -> None:
    slots, messages = await _validate(
        form_domain, text, "inform_name", {**BASE, "requested_slot": "citizen_name"}
    )
    assert slots.get("citizen_name") is None
    assert messages[0]["response"] == "utter_name_invalid"


@pytest.mark.parametrize(
    ("raw", "response"),
    [("0713-1234567", "utter_phone_landline"), ("12345678", "utter_phone_invalid")],
)
async def test_bad_phones(form_domain: dict[str, Any], raw: str, response: str) -> None:
    slots, messages = await _validate(
        form_domain,
        "071****4567",
        "inform_phone",
        {**BASE, "requested_slot": "phone_masked"},
        {"sealed_phone": seal(raw, SECRET)},
    )
    assert "phone_masked" not in slots and messages[0]["response"] == response


async def test_good_phone_is_kept_masked_and_sealed(form_domain: dict[str, Any]) -> None:
    sealed = seal(PHONE, SECRET)
    slots, _ = await _validate(
        form_domain,
        "138****4567",
        "inform_phone",
        {**BASE, "requested_slot": "phone_masked"},
        {"sealed_phone": sealed},
    )
    assert slots["phone_masked"] == "138****4567" and slots["phone_sealed"] == sealed
    assert PHONE not in str(slots)


async def _filled_form(form_domain: dict[str, Any], *, name: str, token: str) -> dict[str, Any]:
    """The slots of a completed booking form, as the summary leaves them."""
    form = await _validate(
        form_domain, "下周三上午十点", "inform_datetime", {**BASE, "requested_slot": "booking_slot"}
    )
    return {
        **BASE,
        "booking_slot": form[0]["booking_slot"],
        "citizen_name": name,
        "phone_masked": "138****4567",
        "phone_sealed": seal(PHONE, SECRET),
        "booking_token": token,
    }


async def test_confirm_twice_books_once_then_manage(
    form_domain: dict[str, Any], loaded_engine: Engine
) -> None:
    slots = await _filled_form(form_domain, name="张三", token="tok-1")
    refs = []
    for _ in range(2):  # a double tap on 确认预约
        dispatcher = CollectingDispatcher()
        events = await ActionConfirmBooking().run(
            dispatcher, _tracker("/affirm", "affirm", slots), form_domain
        )
        assert dispatcher.messages[0]["response"] == "utter_booking_confirmed"
        assert "特种设备使用登记表" in dispatcher.messages[0]["checklist"]
        refs.append(_set(events)["booking_ref"])
    assert refs[0] == refs[1]
    with Session(loaded_engine) as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 1

    wrong = CollectingDispatcher()
    await ActionManageBooking().run(
        wrong,
        _tracker(
            f"取消预约 {refs[0]}",
            "cancel_appointment",
            {},
            {"sealed_phone": seal("13900001111", SECRET)},
            sender="someone-else",
        ),
        form_domain,
    )
    assert wrong.messages[0]["response"] == "utter_booking_not_found"

    right = CollectingDispatcher()
    await ActionManageBooking().run(
        right,
        _tracker(
            f"取消预约 {refs[0]}",
            "cancel_appointment",
            {},
            {"sealed_phone": seal(PHONE, SECRET)},
            sender="owner",
        ),
        form_domain,
    )
    assert right.messages[0]["response"] == "utter_booking_cancelled"


async def test_reschedule_in_conversation_moves_atomically(
    form_domain: dict[str, Any], loaded_engine: Engine
) -> None:
    slots = await _filled_form(form_domain, name="李四", token="tok-2")
    events = await ActionConfirmBooking().run(
        CollectingDispatcher(), _tracker("/affirm", "affirm", slots), form_domain
    )
    ref = _set(events)["booking_ref"]
    state = {"booking_ref": ref, "phone_sealed": seal(PHONE, SECRET)}
    asked = CollectingDispatcher()
    events = await ActionManageBooking().run(
        asked, _tracker("我想改约", "reschedule_appointment", state), form_domain
    )
    assert asked.messages[0]["response"] == "utter_ask_new_time"
    assert _set(events)["booking_op"] == "reschedule"
    moved = CollectingDispatcher()
    await ActionManageBooking().run(
        moved,
        _tracker("下周四下午三点", "inform_datetime", {**state, "booking_op": "reschedule"}),
        form_domain,
    )
    assert moved.messages[0]["response"] == "utter_booking_rescheduled"
    with Session(loaded_engine) as session:
        row = session.scalar(select(Booking).where(Booking.ref == ref))
        assert row is not None and row.slot_time == "15:00" and row.status == "booked"
