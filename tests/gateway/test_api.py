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
