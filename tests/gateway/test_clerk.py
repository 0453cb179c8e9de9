"""Clerk console API: guards, office scope, CSRF, status rules, undo, times, audit filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from chuangkou.booking import records
from chuangkou.booking.calendar import TZ
from chuangkou.booking.tables import Booking
from chuangkou.catalog.model import Catalog
from chuangkou.clerks import MAX_FAILURES, add_clerk
from chuangkou.clerks.tables import Clerk
from chuangkou.gateway.clerk import actor_label, channel_label
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


def _add_event(engine: Engine, ref: str, actor: str, at: datetime, action: str = "note") -> None:
    """An audit event at a chosen moment (the desk stamps its own with the clock)."""
    with Session(engine) as session, session.begin():
        row = records.by_ref(session=session, ref=ref)
        assert row is not None
        records.add_event(session=session, row=row, actor=actor, action=action, now=at)


async def _events(client: Client, **params: str) -> list[dict[str, Any]]:
    resp = await client.get("/clerk/api/audit", params=params)
    assert resp.status == 200, await resp.text()
    events: list[dict[str, Any]] = (await resp.json())["events"]
    return events


async def test_audit_filters_narrow_the_log(
    client: Client, refs: Refs, loaded_engine: Engine
) -> None:
    headers = {"X-CSRF-Token": await _login(client)}
    marked = await client.post(
        f"/clerk/api/bookings/{refs.hg_today}/status", json={"status": "arrived"}, headers=headers
    )
    assert marked.status == 200
    everything = await _events(client)
    assert {e["ref"] for e in everything} == {refs.hg_today, refs.hg_tomorrow}
    by_ref = await _events(client, ref=refs.hg_today.lower())  # any case
    assert {e["ref"] for e in by_ref} == {refs.hg_today} and len(by_ref) == 2
    by_clerk = await _events(client, clerk="wang")
    assert [(e["ref"], e["action"]) for e in by_clerk] == [(refs.hg_today, "arrived")]
    today, tomorrow = _today(), _today() + timedelta(days=1)
    assert len(await _events(client, since=today.isoformat(), until=today.isoformat())) == 3
    assert await _events(client, since=tomorrow.isoformat()) == []
    assert await _events(client, until=(today - timedelta(days=1)).isoformat()) == []
    assert len(await _events(client, limit="1")) == 1


async def test_audit_days_are_the_bureaus_days(
    client: Client, refs: Refs, loaded_engine: Engine
) -> None:
    # 07:30 in Huanggang is still the day before in UTC: the filter goes by the bureau's day.
    day = _today() - timedelta(days=3)
    early = datetime.combine(day, time(7, 30), tzinfo=TZ).astimezone(UTC)
    late = datetime.combine(day, time(23, 59, 59, 500_000), tzinfo=TZ).astimezone(UTC)
    _add_event(loaded_engine, refs.hg_today, "clerk:zhou", early, "early")
    _add_event(loaded_engine, refs.hg_today, "clerk:zhou", late, "late")
    await _login(client)
    iso = day.isoformat()
    that_day = await _events(client, since=iso, until=iso)
    assert [e["action"] for e in that_day] == ["late", "early"]
    assert datetime.fromisoformat(that_day[1]["at"]).hour == 7
    before = (day - timedelta(days=1)).isoformat()
    assert await _events(client, since=before, until=before) == []
    after = (day + timedelta(days=1)).isoformat()
    assert await _events(client, since=after, until=after) == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"since": "2026-13-01"}, "clerk_bad_date"),
        ({"since": "2026-02-30"}, "clerk_bad_date"),
        ({"until": "20261201"}, "clerk_bad_date"),
        ({"since": "yesterday"}, "clerk_bad_date"),
        ({"until": "2026-12-01T00:00"}, "clerk_bad_date"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "clerk_bad_range"),
        ({"ref": "ABC"}, "clerk_bad_ref"),
        ({"ref": "ABCDEFG0"}, "clerk_bad_ref"),
        ({"clerk": "Wang Wu"}, "clerk_bad_clerk"),
        ({"clerk": "x" * 41}, "clerk_bad_clerk"),
        ({"limit": "0"}, "bad_field"),
        ({"limit": "501"}, "bad_field"),
        ({"limit": "ten"}, "bad_field"),
        ({"from": "2026-12-01"}, "clerk_bad_filter"),
        ([("ref", "ABCDEFGH"), ("ref", "HGFEDCBA")], "bad_field"),
    ],
)
async def test_audit_filters_refuse_bad_input_politely(
    client: Client, refs: Refs, params: dict[str, str] | list[tuple[str, str]], error: str
) -> None:
    await _login(client)
    resp = await client.get("/clerk/api/audit", params=params)
    assert resp.status == 400
    body = await resp.json()
    assert body["error"] == error
    # A sentence for the clerk, not a trace.
    assert body["message"] and "Traceback" not in body["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


async def test_audit_filters_stay_in_the_clerks_office(
    client: Client, refs: Refs, loaded_engine: Engine
) -> None:
    wang = {"X-CSRF-Token": await _login(client)}
    await client.post(
        f"/clerk/api/bookings/{refs.hg_today}/status", json={"status": "arrived"}, headers=wang
    )
    await client.post("/clerk/api/logout", headers=wang)
    await _login(client, "li")  # 红安
    foreign = await client.get("/clerk/api/audit", params={"ref": refs.hg_today})
    assert foreign.status == 403 and "本单位" in (await foreign.json())["message"]
    assert (await client.get("/clerk/api/audit", params={"office": "HG"})).status == 403
    # A clerk of another office: none of that clerk's work here shows.
    assert await _events(client, clerk="wang") == []
    assert {e["ref"] for e in await _events(client)} == {refs.ha_yesterday}
    assert await _events(client, ref="ZZZZZZZZ") == []  # no such booking: nothing, not 403
    clerks = await (await client.get("/clerk/api/audit/clerks")).json()
    assert clerks["clerks"] == []
    assert (await client.get("/clerk/api/audit/clerks", params={"office": "HG"})).status == 403


async def test_a_supervisor_filters_any_office(client: Client, refs: Refs) -> None:
    wang = {"X-CSRF-Token": await _login(client)}
    await client.post(
        f"/clerk/api/bookings/{refs.hg_today}/status", json={"status": "arrived"}, headers=wang
    )
    await client.post("/clerk/api/logout", headers=wang)
    await _login(client, "sup")
    by_ref = await _events(client, ref=refs.hg_today)
    assert {e["ref"] for e in by_ref} == {refs.hg_today}
    assert [e["ref"] for e in await _events(client, clerk="wang")] == [refs.hg_today]
    assert await _events(client, office="HA", clerk="wang") == []
    clerks = await (await client.get("/clerk/api/audit/clerks", params={"office": "HG"})).json()
    assert clerks["clerks"] == [{"username": "wang", "name": "wang"}]


async def test_audit_actors_are_readable(client: Client, refs: Refs, loaded_engine: Engine) -> None:
    add_clerk(
        loaded_engine,
        username="chen",
        password=PASSWORD,
        display_name="陈晓",
        office_code="HG",
    )
    now = datetime.now(UTC)
    for actor in ("citizen:kiosk", "citizen:widget-abc123", "citizen:wx-o6_x", "clerk:chen"):
        _add_event(loaded_engine, refs.hg_tomorrow, actor, now)
    _add_event(loaded_engine, refs.hg_tomorrow, "system:retention", now, "erased")
    await _login(client)
    events = await _events(client, ref=refs.hg_tomorrow)
    labels = {e["actor"]: e["actor_label"] for e in events}
    assert labels == {
        "citizen:test": "其他渠道（test）",  # the seeded booking's own channel
        "citizen:kiosk": "大厅自助机",
        "citizen:widget-abc123": "网上咨询",
        "citizen:wx-o6_x": "微信",
        "clerk:chen": "工作人员 陈晓",
        "system:retention": "系统（到期清除个人信息）",
    }
    clerks = await (await client.get("/clerk/api/audit/clerks")).json()
    assert {"username": "chen", "name": "陈晓"} in clerks["clerks"]


def test_actor_labels_without_a_database() -> None:
    names = {"li": "李"}
    assert actor_label("clerk:li", "widget", names) == "工作人员 李"
    assert actor_label("clerk:gone", "widget", names) == "工作人员 gone"
    assert actor_label("citizen:8f2e", "wechat", names) == "微信"  # by the booking's channel
    assert actor_label("citizen:kiosk-77", "widget", names) == "大厅自助机"
    assert actor_label("system:nightly", "", names) == "系统"
    assert channel_label("kiosk") == "大厅自助机" and channel_label("odd") == "其他渠道（odd）"


async def test_the_booking_page_says_where_and_how(
    client: Client, refs: Refs, loaded_engine: Engine, catalog: Catalog
) -> None:
    with Session(loaded_engine) as session, session.begin():
        session.execute(
            update(Booking)
            .where(Booking.ref == refs.hg_today)
            .values(channel="kiosk", missing_docs=["营业执照", "授权委托书"])
        )
    await _login(client)
    page = await (await client.get(f"/clerk/api/bookings/{refs.hg_today}")).json()
    office = catalog.office("HG")
    assert office is not None
    window = office.window("行政服务")  # FW01's category
    assert window is not None
    assert page["window"] == "行政服务" and page["window_location"] == window.location
    assert page["window_phone"] == window.phone and page["office_name"] == office.name
    assert page["channel"] == "kiosk" and page["channel_label"] == "大厅自助机"
    assert page["missing_docs"] == ["营业执照", "授权委托书"]
    # The seeded "citizen:test" names no channel: the booking's own says where it was.
    assert page["audit"][0]["actor_label"] == "大厅自助机"
    day = _today().isoformat()
    listed = await (await client.get("/clerk/api/bookings", params={"date": day})).json()
    assert listed["office_name"] == office.name and listed["date"] == day
    assert datetime.fromisoformat(listed["as_of"]).utcoffset() == timedelta(hours=8)
    row = listed["bookings"][0]
    assert row["channel_label"] == "大厅自助机" and row["missing_docs"] == [
        "营业执照",
        "授权委托书",
    ]
    assert "phone" not in row and row["phone_masked"] == "138****4567"


async def test_search_by_the_phones_last_digits_is_masked_and_scoped(
    client: Client, refs: Refs
) -> None:
    await _login(client)
    found = await (await client.get("/clerk/api/search", params={"q": "4567"})).json()
    assert [(b["ref"], b["phone_masked"]) for b in found["bookings"]] == [
        (refs.hg_today, "138****4567")
    ]
    assert "13812344567" not in str(found)
    other = await (await client.get("/clerk/api/search", params={"q": "4569"})).json()
    assert other["bookings"] == []  # 红安's booking
    refused = await client.get("/clerk/api/search", params={"q": refs.ha_yesterday})
    assert refused.status == 403
