"""Clerk console API: guarded routes, office scope, CSRF, status rules, undo, local times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from chuangkou.booking.calendar import TZ
from chuangkou.booking.tables import Booking
from chuangkou.clerks import MAX_FAILURES, add_clerk
from chuangkou.clerks.tables import Clerk
from tests.utils.bookings import seed_booking

Client = TestClient[web.Request, web.Application]
PASSWORD = "correct horse battery"


def _today() -> date:
    return datetime.now(TZ).date()


def _book(engine: Engine, office: str, day: date, phone: str) -> str:
    return seed_booking(engine, office=office, day=day, phone=phone)


@dataclass(frozen=True)
class Refs:
    """Bookings of two offices: 黄冈 (HG) today and tomorrow, 红安 (HA) yesterday."""

    hg_today: str
    hg_tomorrow: str
    ha_yesterday: str


@pytest.fixture
def refs(loaded_engine: Engine) -> Refs:
    for username, office, role in (
        ("wang", "HG", "clerk"),
        ("zhou", "HG", "clerk"),
        ("li", "HA", "clerk"),
        ("sup", None, "supervisor"),
    ):
        add_clerk(
            loaded_engine,
            username=username,
            password=PASSWORD,
            display_name=username,
            office_code=office,
            role=role,
        )
    today = _today()
    return Refs(
        hg_today=_book(loaded_engine, "HG", today, "13812344567"),
        hg_tomorrow=_book(loaded_engine, "HG", today + timedelta(days=1), "13812344568"),
        ha_yesterday=_book(loaded_engine, "HA", today - timedelta(days=1), "13812344569"),
    )


@pytest.fixture
def booking_ref(refs: Refs) -> str:
    return refs.hg_today


async def _login(client: Client, username: str = "wang") -> str:
    resp = await client.post("/clerk/api/login", json={"username": username, "password": PASSWORD})
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
    day = _today().isoformat()
    listed = await (await client.get("/clerk/api/bookings", params={"date": day})).json()
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


async def test_a_clerk_sees_and_changes_only_its_own_office(
    client: Client, refs: Refs, loaded_engine: Engine
) -> None:
    csrf = await _login(client, "li")  # a 红安 clerk
    headers = {"X-CSRF-Token": csrf}
    day = _today().isoformat()
    other = await client.get("/clerk/api/bookings", params={"office": "HG", "date": day})
    assert other.status == 403 and "本单位" in (await other.json())["message"]
    lower = await client.get("/clerk/api/bookings", params={"office": "hg", "date": day})
    assert lower.status == 403
    own = await client.get(
        "/clerk/api/bookings",
        params={"date": (_today() - timedelta(days=1)).isoformat()},
    )
    assert [b["ref"] for b in (await own.json())["bookings"]] == [refs.ha_yesterday]
    page = await client.get(f"/clerk/api/bookings/{refs.hg_today}")
    assert page.status == 403 and "13812344567" not in await page.text()
    for action, body in (("status", {"status": "no_show"}), ("undo", {})):
        changed = await client.post(
            f"/clerk/api/bookings/{refs.hg_tomorrow}/{action}", json=body, headers=headers
        )
        assert changed.status == 403, action
    with Session(loaded_engine) as session:  # the foreign booking is unchanged
        status = session.scalar(select(Booking.status).where(Booking.ref == refs.hg_tomorrow))
    assert status == "booked"
    audit_other = await client.get("/clerk/api/audit", params={"office": "HG"})
    assert audit_other.status == 403
    events = (await (await client.get("/clerk/api/audit")).json())["events"]
    assert {e["ref"] for e in events} == {refs.ha_yesterday}
    missing = await client.get("/clerk/api/bookings/ZZZZZZZZ")
    assert missing.status == 404


async def test_a_supervisor_is_granted_every_office(client: Client, refs: Refs) -> None:
    await _login(client, "sup")
    for office, day, ref in (
        ("HG", _today(), refs.hg_today),
        ("HA", _today() - timedelta(days=1), refs.ha_yesterday),
    ):
        listed = await client.get(
            "/clerk/api/bookings", params={"office": office, "date": day.isoformat()}
        )
        assert ref in [b["ref"] for b in (await listed.json())["bookings"]]
        assert (await client.get(f"/clerk/api/bookings/{ref}")).status == 200
    events = (await (await client.get("/clerk/api/audit")).json())["events"]
    assert {refs.hg_today, refs.ha_yesterday} <= {e["ref"] for e in events}


async def test_an_account_without_office_sees_nothing(
    client: Client, refs: Refs, loaded_engine: Engine
) -> None:
    # Accounts made before roles existed may have no office: they get no office's data.
    with Session(loaded_engine) as session, session.begin():
        session.execute(update(Clerk).where(Clerk.username == "zhou").values(office_code=None))
    await _login(client, "zhou")
    day = _today().isoformat()
    assert (await client.get("/clerk/api/bookings", params={"date": day})).status == 403
    assert (await client.get(f"/clerk/api/bookings/{refs.hg_today}")).status == 403
    assert (await client.get("/clerk/api/audit")).status == 403


async def test_status_changes_that_cannot_be_right(client: Client, refs: Refs) -> None:
    headers = {"X-CSRF-Token": await _login(client)}

    async def mark(ref: str, status: str) -> tuple[int, str]:
        resp = await client.post(
            f"/clerk/api/bookings/{ref}/status", json={"status": status}, headers=headers
        )
        return resp.status, (await resp.json()).get("error", "")

    assert await mark(refs.hg_tomorrow, "no_show") == (409, "booking_too_early")
    assert await mark(refs.hg_tomorrow, "arrived") == (409, "booking_not_today")
    assert await mark(refs.hg_today, "served") == (409, "booking_bad_transition")
    assert (await mark(refs.hg_today, "arrived"))[0] == 200
    assert (await mark(refs.hg_today, "served"))[0] == 200


async def test_undo_by_the_same_clerk_is_audited(client: Client, refs: Refs) -> None:
    wang = {"X-CSRF-Token": await _login(client)}
    marked = await client.post(
        f"/clerk/api/bookings/{refs.hg_today}/status", json={"status": "arrived"}, headers=wang
    )
    assert marked.status == 200
    await client.post("/clerk/api/logout", headers=wang)
    zhou = {"X-CSRF-Token": await _login(client, "zhou")}
    refused = await client.post(f"/clerk/api/bookings/{refs.hg_today}/undo", headers=zhou)
    assert refused.status == 409
    await client.post("/clerk/api/logout", headers=zhou)
    wang = {"X-CSRF-Token": await _login(client)}
    undone = await client.post(f"/clerk/api/bookings/{refs.hg_today}/undo", headers=wang)
    assert undone.status == 200 and (await undone.json())["status"] == "booked"
    page = await (await client.get(f"/clerk/api/bookings/{refs.hg_today}")).json()
    assert [(e["action"], e["actor"]) for e in page["audit"]][-2:] == [
        ("arrived", "clerk:wang"),
        ("undo", "clerk:wang"),
    ]


async def test_times_are_sent_aware_in_asia_shanghai(client: Client, refs: Refs) -> None:
    await _login(client)
    me = await (await client.get("/clerk/api/me")).json()
    assert me["today"] == _today().isoformat() and me["time_zone"] == "Asia/Shanghai"
    events = (await (await client.get("/clerk/api/audit")).json())["events"]
    at = datetime.fromisoformat(events[0]["at"])
    assert at.utcoffset() == timedelta(hours=8)
    assert abs(at - datetime.now(UTC)) < timedelta(minutes=2)
