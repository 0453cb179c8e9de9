"""The public JSON API: chat relay, catalog search and items, offices, free slots."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import segno
from aiohttp import web

from chuangkou.booking.desk import DeskError
from chuangkou.booking.service import BookingError, SlotKey, create_booking
from chuangkou.booking.slots import now_local
from chuangkou.catalog.matcher import describe
from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.catalog.views import item_json, item_summary, office_json
from chuangkou.gateway.engine_client import EngineUnavailable
from chuangkou.gateway.keys import ENGINE, LIMITER, SETTINGS
from chuangkou.gateway.openapi import spec
from chuangkou.gateway.texts import text
from chuangkou.services import Services, services
from common.privacy import MASK_PATTERNS, check_mobile, mask_text

MAX_MESSAGE_CHARS = 5000
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CHANNELS = ("widget", "kiosk", "clerk", "api")
SILENT_COMMANDS = frozenset({"/restart"})


def _error(status: int, code: str, **values: str) -> web.HTTPException:
    body = json.dumps({"error": code, "message": text(code, **values)}, ensure_ascii=False)
    return _http(status, body)


def _http(status: int, body: str) -> web.HTTPException:
    classes: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        409: web.HTTPConflict,
        413: web.HTTPRequestEntityTooLarge,
        415: web.HTTPUnsupportedMediaType,
        429: web.HTTPTooManyRequests,
        503: web.HTTPServiceUnavailable,
    }
    cls = classes[status]
    if cls is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(
            max_size=0, actual_size=0, text=body, content_type="application/json"
        )
    return cls(text=body, content_type="application/json")


def _services(request: web.Request) -> Services:
    try:
        return services(request.app[SETTINGS])
    except CatalogNotLoaded:
        raise _error(503, "engine_unavailable") from None


def client_ip(request: web.Request) -> str:
    """The client's address (the gateway is the public edge; no proxy headers trusted)."""
    return request.remote or "unknown"


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx with a clear message."""
    if request.content_type != "application/json":
        raise _error(415, "unsupported_type")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _error(400, "bad_json") from None
    if not isinstance(body, dict):
        raise _error(400, "bad_json")
    return body


def _bot_messages(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only what the pages render: text and buttons (title, payload)."""
    out = []
    for message in raw:
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in message.get("buttons") or []
            if isinstance(b, dict)
        ]
        out.append({"text": str(message.get("text") or ""), "buttons": buttons})
    return out


async def chat(request: web.Request) -> web.Response:
    """Relay one message to the engine; one conversation per browser or kiosk session."""
    body = await read_json(request)
    message = body.get("message")
    if not isinstance(message, str):
        raise _error(400, "bad_field", field="message")
    if len(message) > MAX_MESSAGE_CHARS:
        raise _error(413, "too_large")
    session_id = body.get("session_id") or uuid.uuid4().hex
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise _error(400, "bad_field", field="session_id")
    channel = body.get("channel", "widget")
    if channel not in CHANNELS:
        raise _error(400, "bad_field", field="channel")
    limiter = request.app[LIMITER]
    if not (limiter.allow(f"ip:{client_ip(request)}") and limiter.allow(f"s:{session_id}")):
        raise _error(429, "rate_limited")
    # The page shows and keeps the person's message as the server stores it: masked.
    you = None if message.startswith("/") else mask_text(message).text
    try:
        raw = await request.app[ENGINE].send(f"{channel}-{session_id}", message, channel=channel)
        if not raw and message not in SILENT_COMMANDS:
            # Every turn of ours answers something; silence means a part behind the engine
            # (the action server) failed. Say so instead of leaving the person waiting.
            raise EngineUnavailable("empty answer")
    except EngineUnavailable:
        # The gateway stays up and says so politely; the person can try again.
        return web.json_response(
            {
                "session_id": session_id,
                "available": False,
                "you": you,
                "messages": [{"text": text("engine_unavailable"), "buttons": []}],
            },
            status=200,
        )
    return web.json_response(
        {"session_id": session_id, "available": True, "you": you, "messages": _bot_messages(raw)}
    )


async def site(request: web.Request) -> web.Response:
    """What every page needs to know: the privacy notice and the masking rule."""
    settings = request.app[SETTINGS]
    return web.json_response(
        {
            "privacy_notice": text("privacy_notice", days=str(settings.retention_days)),
            "retention_days": settings.retention_days,
            # Pages hide numbers with the server's own patterns until the server's masked
            # echo of the message arrives: one rule, not a copy of it in JavaScript.
            "mask_patterns": [pattern for _name, pattern in MASK_PATTERNS],
        }
    )


async def catalog_search(request: web.Request) -> web.Response:
    """Items matching a search text (names, aliases, codes, partial names)."""
    query = request.query.get("q", "").strip()
    if not query or len(query) > 100:
        raise _error(400, "bad_field", field="q")
    svc = _services(request)
    rows = describe(svc.matcher.search(query), svc.catalog)
    return web.json_response({"query": query, "results": rows})


async def catalog_item(request: web.Request) -> web.Response:
    """The item JSON by code, name or alias; 409 with candidates when ambiguous."""
    ref = request.match_info["ref"]
    svc = _services(request)
    item = svc.catalog.item(ref.upper())
    if item is None and len(ref) <= 100:
        match = svc.matcher.match_items(ref)
        if match.ambiguous:
            return web.json_response(
                {
                    "error": "ambiguous",
                    "message": text("ambiguous"),
                    "candidates": describe(match, svc.catalog),
                },
                status=409,
            )
        item = svc.catalog.item(match.best.item_code) if match.best else None
    if item is None:
        raise _error(404, "item_not_found")
    return web.json_response(item_json(svc.catalog, item))


async def offices(request: web.Request) -> web.Response:
    """All offices with their windows, hours and addresses."""
    svc = _services(request)
    return web.json_response({"offices": [office_json(o) for o in svc.catalog.offices]})


async def slots(request: web.Request) -> web.Response:
    """Free seats per slot of a window on a day."""
    svc = _services(request)
    query = request.query
    for name in ("office", "window", "date"):
        if not query.get(name):
            raise _error(400, "bad_field", field=name)
    try:
        day = date.fromisoformat(query["date"])
    except ValueError:
        raise _error(400, "bad_field", field="date") from None
    desk = svc.desk
    try:
        office, window = desk.office(query["office"][:40]), desk.window(query["window"][:20])
    except DeskError as exc:
        raise _error(400, "bad_field", field=exc.code) from None
    return web.json_response(desk.day_view(office, window, day, now_local()))


async def catalog_items(request: web.Request) -> web.Response:
    """All items, by window (for browsing without typing)."""
    svc = _services(request)
    return web.json_response({"items": [item_summary(i) for i in svc.catalog.items]})


NAME_OK = re.compile(r"^[\u4e00-\u9fffA-Za-z·•. ]{1,20}$")
SLOT_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


async def create_booking_route(request: web.Request) -> web.Response:
    """Book a slot (the kiosk's booking; the chat books through its own form)."""
    body = await read_json(request)
    if not request.app[LIMITER].allow(f"book:{client_ip(request)}"):
        raise _error(429, "rate_limited")
    fields = {k: body.get(k) for k in ("item_code", "office", "slot", "name", "phone", "key")}
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            raise _error(400, "bad_field", field=name)
    checked = check_mobile(str(fields["phone"]))
    if checked.problem:
        raise _error(400, f"phone_{checked.problem}")
    if not NAME_OK.match(str(fields["name"])):
        raise _error(400, "bad_field", field="name")
    if not SLOT_RE.match(str(fields["slot"])) or not KEY_RE.match(str(fields["key"])):
        raise _error(400, "bad_field", field="slot/key")
    svc = _services(request)
    desk = svc.desk
    item = svc.catalog.item(str(fields["item_code"]).upper()[:8])
    try:
        office = desk.office(str(fields["office"])[:40])
        moment = datetime.strptime(str(fields["slot"]), "%Y-%m-%d %H:%M")
    except (DeskError, ValueError):
        raise _error(400, "bad_field", field="office/slot") from None
    if item is None or item.stopped or office not in svc.catalog.accepting_offices(item):
        raise _error(400, "bad_field", field="item_code")
    free = [
        s
        for s in desk.book.slots(office, item.window, moment.date(), now_local())
        if s.start == moment.time() and s.free
    ]
    if not free or not desk.book.in_horizon(moment.date(), now_local()):
        raise _error(409, "booking_slot_full")
    try:
        booking = create_booking(
            desk.engine,
            slot=SlotKey(office.code, item.window, moment.date(), moment.time()),
            capacity=desk.capacity(office, item.window),
            item_code=item.code,
            item_name=item.name,
            citizen_name=str(fields["name"]),
            phone=checked.digits,
            channel=str(body.get("channel") or "kiosk")[:20],
            actor="citizen:kiosk",
            idempotency_key=f"api:{fields['key']}",
            max_active=desk.policy.max_active_per_phone,
        )
    except BookingError as exc:
        raise _error(409, f"booking_{exc.code}") from None
    return web.json_response(booking.as_dict(), status=201)


async def checklist_qr(request: web.Request) -> web.Response:
    """A QR code (SVG) that opens this checklist on a phone."""
    item = request.query.get("item", "")[:8]
    if not re.match(r"^[A-Z]{2}\d{2}$", item):
        raise _error(400, "bad_field", field="item")
    query = urlencode({k: request.query.get(k, "")[:300] for k in ("item", "type", "have")})
    url = f"{request.scheme}://{request.host}/checklist?{query}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2)
    return web.Response(body=buffer.getvalue(), content_type="image/svg+xml")


async def openapi(_request: web.Request) -> web.Response:
    """The OpenAPI document of the public API."""
    return web.json_response(spec())


def setup_routes(app: web.Application) -> None:
    """Register the API routes."""
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/api/catalog/search", catalog_search)
    app.router.add_get("/api/catalog/items", catalog_items)
    app.router.add_post("/api/bookings", create_booking_route)
    app.router.add_get("/api/checklist-qr", checklist_qr)
    app.router.add_get("/api/catalog/items/{ref}", catalog_item)
    app.router.add_get("/api/offices", offices)
    app.router.add_get("/api/slots", slots)
    app.router.add_get("/api/site", site)
    app.router.add_get("/api/openapi.json", openapi)
