"""Clerk console API: every route guarded, CSRF on changes, lock-out, audit trail."""

from __future__ import annotations

from datetime import date, time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine

from chuangkou.booking.service import SlotKey, create_booking
from chuangkou.clerks import MAX_FAILURES, add_clerk

Client = TestClient[web.Request, web.Application]
PASSWORD = "correct horse battery"


@pytest.fixture
def booking_ref(loaded_engine: Engine) -> str:
    add_clerk(
        loaded_engine, username="wang", password=PASSWORD, display_name="王", office_code="HG"
    )
    return create_booking(
        loaded_engine,
        slot=SlotKey("HG", "行政服务", date(2030, 12, 2), time(9, 0)),
        capacity=3,
        item_code="FW01",
        item_name="特种设备使用登记",
        citizen_name="张三",
        phone="13812344567",
        channel="test",
        actor="citizen:test",
    ).ref


async def _login(client: Client) -> str:
    resp = await client.post("/clerk/api/login", json={"username": "wang", "password": PASSWORD})
    assert resp.status == 200
    assert (
        "HttpOnly" in resp.headers["Set-Cookie"] and "SameSite=Strict" in resp.headers["Set-Cookie"]
    )
    return str((await resp.json())["csrf_token"])


def _clerk_routes(client: Client) -> list[tuple[str, str]]:
    routes = []
    for route in client.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/clerk/api/") and route.method != "HEAD" and path != "/clerk/api/login":
            routes.append((route.method, path.replace("{ref}", "ABCDEFGH")))
    return routes


async def test_every_clerk_route_needs_a_session(client: Client, booking_ref: str) -> None:
    routes = _clerk_routes(client)
    assert len(routes) >= 6
    for method, path in routes:
        resp = await client.request(method, path, json={})
        assert resp.status == 401, (method, path)


async def test_state_changes_need_the_csrf_token(client: Client, booking_ref: str) -> None:
    csrf = await _login(client)
    for method, path in _clerk_routes(client):
        if method == "POST":
            resp = await client.request(method, path, json={"status": "arrived"})
            assert resp.status == 403, (method, path)
            wrong = await client.request(
                method, path, json={"status": "arrived"}, headers={"X-CSRF-Token": csrf + "x"}
            )
            assert wrong.status == 403


async def test_mark_served_and_see_the_audit(client: Client, booking_ref: str) -> None:
    csrf = await _login(client)
    headers = {"X-CSRF-Token": csrf}
    listed = await (await client.get("/clerk/api/bookings", params={"date": "2030-12-02"})).json()
    assert [(b["ref"], b["phone_masked"]) for b in listed["bookings"]] == [
        (booking_ref, "138****4567")
    ]
    assert "13812344567" not in str(listed)
    page = await (await client.get(f"/clerk/api/bookings/{booking_ref}")).json()
    assert page["phone"] == "13812344567"  # the full number on the booking's own page only
    for status in ("arrived", "served"):
        resp = await client.post(
            f"/clerk/api/bookings/{booking_ref}/status", json={"status": status}, headers=headers
        )
        assert resp.status == 200
    again = await client.post(
        f"/clerk/api/bookings/{booking_ref}/status", json={"status": "no_show"}, headers=headers
    )
    assert again.status == 409
    events = (await (await client.get("/clerk/api/audit")).json())["events"]
    assert [(e["action"], e["actor"]) for e in events[:2]] == [
        ("served", "clerk:wang"),
        ("arrived", "clerk:wang"),
    ]


async def test_lock_out_after_repeated_failures(client: Client, booking_ref: str) -> None:
    for _ in range(MAX_FAILURES):
        bad = await client.post("/clerk/api/login", json={"username": "wang", "password": "nope"})
        assert bad.status == 401
    locked = await client.post("/clerk/api/login", json={"username": "wang", "password": PASSWORD})
    assert locked.status == 429 and "锁定" in (await locked.json())["message"]


async def test_unknown_user_looks_like_wrong_password(client: Client, booking_ref: str) -> None:
    resp = await client.post("/clerk/api/login", json={"username": "nobody", "password": "x" * 12})
    assert resp.status == 401 and (await resp.json())["error"] == "clerk_bad_login"


async def test_logout_ends_the_session(client: Client, booking_ref: str) -> None:
    csrf = await _login(client)
    await client.post("/clerk/api/logout", headers={"X-CSRF-Token": csrf})
    assert (await client.get("/clerk/api/me")).status == 401
