"""The public API: relay, catalog, slots, errors, headers, OpenAPI kept true."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from chuangkou.gateway.app import CSP
from chuangkou.gateway.keys import LIMITER
from chuangkou.gateway.openapi import spec
from tests.gateway.conftest import FakeEngine

Client = TestClient[web.Request, web.Application]


async def test_chat_relays_with_one_conversation_per_session(
    client: Client, fake_engine: tuple[FakeEngine, str]
) -> None:
    fake, _ = fake_engine
    first = await (await client.post("/api/chat", json={"message": "你好"})).json()
    session = first["session_id"]
    await client.post("/api/chat", json={"message": "叉车证", "session_id": session})
    assert [r["sender"] for r in fake.received] == [f"widget-{session}"] * 2
    assert first["messages"][0]["buttons"][0]["title"] == "新办"
    assert set(first["messages"][0]) == {"text", "buttons"}


async def test_engine_down_is_a_polite_200(
    client: Client, fake_engine: tuple[FakeEngine, str]
) -> None:
    fake, _ = fake_engine
    fake.reply = "not a list"  # type: ignore[assignment]
    resp = await client.post("/api/chat", json={"message": "你好"})
    data = await resp.json()
    assert resp.status == 200 and data["available"] is False
    assert "繁忙" in data["messages"][0]["text"]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "not json", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": "message=hi", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"json": ["a", "list"]}, 400),
        ({"json": {"message": 42}}, 400),
        ({"json": {"message": "hi", "session_id": "<script>"}}, 400),
        ({"json": {"message": "x" * 5001}}, 413),
        ({"data": "x" * 70_000, "headers": {"Content-Type": "application/json"}}, 413),
        ({"json": {"message": "hi", "channel": "sms"}}, 400),
    ],
)
async def test_bad_chat_requests_are_clear_4xx(
    client: Client, kwargs: dict[str, Any], status: int
) -> None:
    resp = await client.post("/api/chat", **kwargs)
    assert resp.status == status
    body = await resp.json()
    assert body["error"] and body["message"] and "Traceback" not in body["message"]


async def test_rate_limit(client: Client) -> None:
    client.app[LIMITER].limit = 3
    codes = [
        (await client.post("/api/chat", json={"message": "hi", "session_id": "sess12345"})).status
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


async def test_catalog_item_and_search(client: Client) -> None:
    item = await (await client.get("/api/catalog/items/电梯登记")).json()
    assert item["code"] == "FW01" and item["business_types"]
    by_code = await client.get("/api/catalog/items/fw01")
    assert (await by_code.json())["code"] == "FW01"
    ambiguous = await client.get("/api/catalog/items/电梯")
    assert ambiguous.status == 409 and len((await ambiguous.json())["candidates"]) >= 2
    missing = await client.get("/api/catalog/items/护照")
    assert missing.status == 404
    found = await (await client.get("/api/catalog/search", params={"q": "CMA"})).json()
    assert found["results"][0]["code"] == "SP10"
    assert (await client.get("/api/catalog/search")).status == 400


async def test_offices_and_slots(client: Client) -> None:
    offices = (await (await client.get("/api/offices")).json())["offices"]
    assert len(offices) == 10
    slots = await client.get(
        "/api/slots", params={"office": "麻城", "window": "行政服务", "date": "2030-12-02"}
    )
    data = await slots.json()
    assert data["office"] == "MC" and data["slots"][0]["time"] == "08:30"
    bad = await client.get(
        "/api/slots", params={"office": "火星", "window": "行政服务", "date": "2030-12-02"}
    )
    assert bad.status == 400
    bad_date = await client.get(
        "/api/slots", params={"office": "HG", "window": "行政服务", "date": "2030-02-30"}
    )
    assert bad_date.status == 400


async def test_unknown_route_and_method(client: Client) -> None:
    assert (await client.get("/nope")).status == 404
    resp = await client.get("/api/chat")
    assert resp.status == 405 and (await resp.json())["error"] == "method_not_allowed"


async def test_security_headers(client: Client) -> None:
    resp = await client.get("/api/offices")
    assert resp.headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"


async def test_openapi_matches_the_routes(client: Client) -> None:
    served = await (await client.get("/api/openapi.json")).json()
    assert served == spec()
    routes = {
        (r.method.lower(), r.resource.canonical)
        for r in client.app.router.routes()
        if r.resource is not None
        and r.resource.canonical.startswith("/api/")
        and r.method != "HEAD"
    }
    documented = {(m, p) for p, ops in served["paths"].items() for m in ops}
    assert routes == documented


async def _free_slot(client: Client) -> str:
    from datetime import date, timedelta

    for offset in range(1, 15):
        day = (date.today() + timedelta(days=offset)).isoformat()
        data = await (
            await client.get(
                "/api/slots", params={"office": "HG", "window": "行政服务", "date": day}
            )
        ).json()
        free = [s for s in data["slots"] if s["free"]]
        if free:
            return f"{day} {free[0]['time']}"
    raise AssertionError("no free slot in the horizon")


async def test_kiosk_booking_once_per_key(client: Client) -> None:
    slot = await _free_slot(client)
    body = {
        "item_code": "FW01",
        "office": "HG",
        "slot": slot,
        "name": "张三",
        "phone": "13812344567",
        "key": "kiosk-key-0001",
        "channel": "kiosk",
    }
    first = await client.post("/api/bookings", json=body)
    again = await client.post("/api/bookings", json=body)
    assert first.status == 201 and again.status == 201
    a, b = await first.json(), await again.json()
    assert a["ref"] == b["ref"] and a["phone_masked"] == "138****4567"
    assert "13812344567" not in str(a)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"phone": "0713-8661204"}, "booking_phone_landline"),
        ({"phone": "12345"}, "booking_phone_invalid"),
        ({"phone": ""}, "missing_phone"),
        ({"name": "<script>"}, "booking_bad_name"),
        ({"slot": "2026-02-30 09:00"}, "missing_slot"),
        ({"slot": "下周二"}, "missing_slot"),
        ({"slot": "2020-01-06 09:00"}, "booking_beyond_horizon"),
        ({"slot": "2030-12-02 09:00"}, "booking_beyond_horizon"),
        ({"item_code": "FW05"}, "booking_item_stopped"),
        ({"item_code": ""}, "missing_item_code"),
        ({"item_code": "FW09", "office": "HA"}, "booking_office_not_accepting"),
        ({"item_code": "SP10"}, "booking_item_not_here"),
        ({"office": "火星"}, "missing_office"),
        ({"key": "x"}, "missing_key"),
    ],
)
async def test_kiosk_booking_bad_input(client: Client, change: dict[str, str], error: str) -> None:
    body = {
        "item_code": "FW01",
        "office": "HG",
        "slot": await _free_slot(client),
        "name": "张三",
        "phone": "13812344567",
        "key": "kiosk-key-0002",
    } | change
    resp = await client.post("/api/bookings", json=body)
    data = await resp.json()
    assert resp.status in (400, 409) and data["error"] == error
    # Every refusal says what to do in words: no programmer text, no field names.
    assert not any(ch.isascii() and ch.isalpha() for ch in data["message"]), data["message"]


async def test_kiosk_booking_without_a_name(client: Client) -> None:
    body = {
        "item_code": "FW01",
        "office": "HG",
        "slot": await _free_slot(client),
        "phone": "13812349999",
        "key": "kiosk-key-0003",
        "have": [],
        "applicant": "企业",
    }
    resp = await client.post("/api/bookings", json=body)
    data = await resp.json()
    assert resp.status == 201 and data["citizen_name"] == ""
    # What surely applies to a firm and was not ticked is recorded for the clerk.
    assert data["missing_docs"] == ["特种设备使用登记表", "营业执照"]
    held = {**body, "key": "kiosk-key-0004", "have": ["特种设备使用登记表"], "phone": "13812349998"}
    second = await (await client.post("/api/bookings", json=held)).json()
    assert second["missing_docs"] == ["营业执照"]


async def test_checklist_qr_is_an_svg_of_our_own_checklist_url(client: Client) -> None:
    resp = await client.get("/api/checklist-qr", params={"item": "FW01", "type": "新办"})
    assert resp.status == 200 and resp.content_type == "image/svg+xml"
    assert (await resp.text()).lstrip().startswith("<?xml") or "<svg" in await resp.text()
    bad = await client.get("/api/checklist-qr", params={"item": "https://evil.example"})
    assert bad.status == 400


async def test_silence_from_the_engine_is_a_polite_retry(
    client: Client, fake_engine: tuple[FakeEngine, str]
) -> None:
    fake, _ = fake_engine
    fake.reply = []  # e.g. the action server died during the turn
    data = await (await client.post("/api/chat", json={"message": "/affirm"})).json()
    assert data["available"] is False and "稍后再试" in data["messages"][0]["text"]
    restart = await (await client.post("/api/chat", json={"message": "/restart"})).json()
    assert restart["available"] is True and restart["messages"] == []
