"""The public API: relay, catalog, slots, errors, headers, OpenAPI kept true."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from chuangkou.catalog.model import Catalog
from chuangkou.gateway.app import CSP, create_app
from chuangkou.gateway.keys import LIMITER
from chuangkou.gateway.openapi import spec
from chuangkou.settings import Settings
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


# -- the hall kiosk's own API (chuangkou/gateway/kiosk.py) --------------------------------


def _polite(message: str) -> bool:
    """A message for people: words, no field names or codes (digits and dates are fine)."""
    return bool(message) and not re.search(r"[A-Za-z_]{2,}", message)


async def test_kiosk_start_offers_this_office_and_catalog_shortcuts(
    client: Client, catalog: Catalog
) -> None:
    data = await (await client.get("/api/kiosk/start", params={"office": "ha"})).json()
    assert data["office"]["code"] == "HA" and data["office"]["windows"]
    here = {row["code"]: row["here"] for row in data["items"]}
    assert here["FW01"] and not here["FW09"] and not here["SP10"]  # FW09 is the city's
    assert data["ref_alphabet"] and data["ref_length"] == 8
    labels = [s["label"] for s in data["shortcuts"]]
    assert labels[:3] == ["叉车证", "电梯登记", "强检"] and "投诉" in labels
    for shortcut in data["shortcuts"]:
        item = catalog.item(shortcut["code"])
        assert item is not None and shortcut["label"] in (item.name, *item.aliases)
        assert here[item.code]
    for code, shows in (("TS01", True), ("TS04", True), ("FW01", False)):
        item = await (await client.get(f"/api/kiosk/items/{code}", params={"office": "HA"})).json()
        assert item["kiosk"]["complaint_hotline"] is shows, code


def test_every_configured_shortcut_is_a_catalog_alias(catalog: Catalog) -> None:
    from chuangkou.gateway.kiosk import shortcuts
    from chuangkou.gateway.texts import text

    configured = [w for w in re.split(r"[、,，\s]+", text("kiosk_shortcuts")) if w]
    city = catalog.office("HG")
    assert city is not None
    assert [s["label"] for s in shortcuts(catalog, city)] == configured


@pytest.mark.parametrize("params", [{}, {"office": ""}, {"office": "XX"}, {"office": "<b>"}])
async def test_kiosk_without_a_known_office_says_so(client: Client, params: dict[str, str]) -> None:
    resp = await client.get("/api/kiosk/start", params=params)
    data = await resp.json()
    assert resp.status in (400, 404) and data["error"] == "kiosk_no_office"
    assert _polite(data["message"]) and "自助机" in data["message"]


@pytest.mark.parametrize(
    ("office", "code", "refusal", "words"),
    [
        ("HG", "FW01", None, None),
        ("HA", "FW09", "office_not_accepting", "黄冈市市场监督管理局（黄冈市黄州区东门路128号）"),
        ("HG", "SP10", "item_not_here", "湖北省市场监督管理局"),
        ("HG", "FW05", "item_stopped", "停止办理"),
    ],
)
async def test_kiosk_item_says_whether_it_can_be_booked_here(
    client: Client, office: str, code: str, refusal: str | None, words: str | None
) -> None:
    resp = await client.get(f"/api/kiosk/items/{code}", params={"office": office})
    data = await resp.json()
    assert resp.status == 200 and data["code"] == code
    kiosk = data["kiosk"]
    assert kiosk["bookable"] is (refusal is None) and kiosk["refusal"] == refusal
    assert kiosk["window"]["type"] == data["window"] and kiosk["window"]["location"]
    if words:
        assert words in kiosk["message"] and _polite(kiosk["message"]), kiosk["message"]


async def test_kiosk_item_bad_code_is_polite(client: Client) -> None:
    for code in ("ZZ99", "<script>", "x" * 300):
        resp = await client.get(f"/api/kiosk/items/{code}", params={"office": "HG"})
        assert resp.status == 404 and _polite((await resp.json())["message"])


async def test_kiosk_days_group_free_slots_with_their_end(client: Client) -> None:
    data = await (
        await client.get("/api/kiosk/days", params={"office": "HG", "item": "FW01"})
    ).json()
    assert data["window"] == "行政服务" and data["days"] and data["message"] is None
    day = data["days"][0]
    assert all(s["free"] > 0 for s in day["slots"])
    periods = {s["period"] for d in data["days"] for s in d["slots"]}
    assert periods == {"morning", "afternoon"}
    for d in data["days"]:
        for s in d["slots"]:
            hour, minute = map(int, s["time"].split(":"))
            end = hour * 60 + minute + 30
            assert s["end"] == f"{end // 60:02d}:{end % 60:02d}"
            assert (s["period"] == "afternoon") == (s["time"] >= "14:30")


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({"office": "HA", "item": "FW09"}, 409, "office_not_accepting"),
        ({"office": "HG", "item": "SP10"}, 409, "item_not_here"),
        ({"office": "HG", "item": "FW05"}, 409, "item_stopped"),
        ({"office": "HG", "item": ""}, 404, "booking_item_unknown"),
        ({"office": "HG"}, 404, "booking_item_unknown"),
        ({"item": "FW01"}, 400, "kiosk_no_office"),
    ],
)
async def test_kiosk_days_refuse_early(
    client: Client, params: dict[str, str], status: int, error: str
) -> None:
    resp = await client.get("/api/kiosk/days", params=params)
    data = await resp.json()
    assert resp.status == status and data["error"] == error and _polite(data["message"])


async def _kiosk_booking(client: Client, phone: str, key: str) -> dict[str, Any]:
    body = {
        "item_code": "FW01",
        "office": "HG",
        "slot": await _free_slot(client),
        "phone": phone,
        "key": key,
        "business_type": "新办",
        "have": ["特种设备使用登记表"],
    }
    resp = await client.post("/api/bookings", json=body)
    assert resp.status == 201
    return dict(await resp.json())


async def test_kiosk_lookup_and_cancel_need_the_right_phone(client: Client) -> None:
    booking = await _kiosk_booking(client, "13812340001", "kiosk-key-0101")
    ref = booking["ref"]
    found = await client.post(
        "/api/kiosk/lookup", json={"ref": ref.lower(), "phone": "13812340001"}
    )
    data = await found.json()
    assert found.status == 200 and data["ref"] == ref and data["status"] == "booked"
    assert data["office_name"] == "黄冈市市场监督管理局"
    assert data["window_location"] == "黄冈市民之家二楼 23号窗口" and data["end"]
    assert data["phone_masked"] == "138****0001" and "13812340001" not in str(data)

    # A wrong phone and an unknown reference get the very same answer: nothing revealed.
    wrong = await client.post("/api/kiosk/lookup", json={"ref": ref, "phone": "13812340002"})
    unknown = await client.post(
        "/api/kiosk/lookup", json={"ref": "ZZZZZZZZ", "phone": "13812340001"}
    )
    assert wrong.status == unknown.status == 404
    assert await wrong.json() == await unknown.json()
    assert ref not in await wrong.text() and _polite((await wrong.json())["message"])
    refused = await client.post("/api/kiosk/cancel", json={"ref": ref, "phone": "13812340002"})
    assert refused.status == 404 and await refused.json() == await unknown.json()

    cancelled = await client.post("/api/kiosk/cancel", json={"ref": ref, "phone": "13812340001"})
    assert cancelled.status == 200 and (await cancelled.json())["status"] == "cancelled"
    again = await client.post("/api/kiosk/cancel", json={"ref": ref, "phone": "13812340001"})
    body = await again.json()
    assert (
        again.status == 409 and body["error"] == "kiosk_cannot_cancel" and _polite(body["message"])
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"ref": "", "phone": "13812340001"}, "kiosk_bad_ref"),
        ({"ref": "<script>", "phone": "13812340001"}, "kiosk_bad_ref"),
        ({"ref": "ABCD0O1I", "phone": "13812340001"}, "kiosk_bad_ref"),
        ({"ref": 12345678, "phone": "13812340001"}, "kiosk_bad_ref"),
        ({"ref": "😀" * 8, "phone": "13812340001"}, "kiosk_bad_ref"),
        ({"ref": "ABCDEFGH" * 100, "phone": "13812340001"}, "kiosk_bad_ref"),
        ({"ref": "ABCDEFGH"}, "missing_phone"),
        ({"ref": "ABCDEFGH", "phone": "  "}, "missing_phone"),
        ({"ref": "ABCDEFGH", "phone": "12345"}, "booking_phone_invalid"),
        ({"ref": "ABCDEFGH", "phone": "0713-8661204"}, "booking_phone_landline"),
        ({"ref": "ABCDEFGH", "phone": ["13812340001"]}, "missing_phone"),
    ],
)
async def test_kiosk_lookup_bad_input_is_polite(
    client: Client, body: dict[str, Any], error: str
) -> None:
    for path in ("/api/kiosk/lookup", "/api/kiosk/cancel"):
        resp = await client.post(path, json=body)
        data = await resp.json()
        assert resp.status == 400 and data["error"] == error and _polite(data["message"])


async def test_kiosk_lookup_is_rate_limited(client: Client) -> None:
    client.app[LIMITER].limit = 3
    codes = [
        (
            await client.post(
                "/api/kiosk/lookup", json={"ref": "ABCDEFGH", "phone": f"1381234{n:04d}"}
            )
        ).status
        for n in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]
    limited = await (
        await client.post("/api/kiosk/cancel", json={"ref": "ABCDEFGH", "phone": "13812340001"})
    ).json()
    assert limited["error"] == "rate_limited" and _polite(limited["message"])


async def test_kiosk_lookup_limits_guesses_per_reference(client: Client) -> None:
    # Guesses at one reference are limited even when they come from many addresses.
    limiter = client.app[LIMITER]
    limiter.limit = 3
    for _ in range(3):
        assert limiter.allow("kiosk-ref:ABCDEFGH")
    resp = await client.post("/api/kiosk/lookup", json={"ref": "ABCDEFGH", "phone": "13812340001"})
    assert resp.status == 429


async def test_booking_ticket_qr_points_at_the_public_address(
    fake_engine: tuple[FakeEngine, str], loaded_engine: Engine
) -> None:
    import segno

    from chuangkou.gateway.api import checklist_url

    _, url = fake_engine
    settings = replace(
        Settings(),
        database_url=str(loaded_engine.url),
        engine_port=int(url.rsplit(":", 1)[1]),
        public_url="https://ck.example.gov.cn/",
    )
    query = {"item": "FW01", "type": "新办", "have": "营业执照", "office": "HG", "ref": "ABCD2345"}
    target = checklist_url("https://ck.example.gov.cn", query)
    assert target.startswith("https://ck.example.gov.cn/checklist?item=FW01&")
    assert "office=HG" in target and "ref=ABCD2345" in target
    async with TestClient(TestServer(create_app(settings))) as own:
        resp = await own.get("/api/checklist-qr", params=query)
        assert resp.status == 200 and resp.content_type == "image/svg+xml"
        expected = io.BytesIO()
        segno.make(target, error="m").save(expected, kind="svg", scale=6, border=2)
        assert await resp.read() == expected.getvalue()
        for bad in ({"ref": "<b>"}, {"office": "https://evil.example"}, {"ref": "abc"}):
            assert (await own.get("/api/checklist-qr", params=query | bad)).status == 400
