"""The public JSON API: chat relay, catalog search and items, offices, free slots, kiosk booking.

Handlers are thin: they read and check the request, hand blocking work to a thread
(:mod:`.work`) and turn refusals into JSON errors whose message tells a person what to
do next.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import segno
from aiohttp import web

from chuangkou.booking.desk import BookingRequest, DeskError
from chuangkou.booking.records import REF_SHAPE, BookingError
from chuangkou.booking.slots import now_local
from chuangkou.catalog.matcher import describe
from chuangkou.catalog.requirements import APPLICANTS, Facts, resolve
from chuangkou.catalog.views import item_json, item_summary, office_json
from chuangkou.gateway.engine_client import EngineUnavailable
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import ENGINE, LIMITER, SETTINGS
from chuangkou.gateway.openapi import spec
from chuangkou.gateway.texts import site_info, text
from chuangkou.gateway.work import with_services
from chuangkou.services import Services
from common.privacy import MASK_PATTERNS, mask_text

MAX_MESSAGE_CHARS = 5000
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CHANNELS = ("widget", "kiosk", "clerk", "api")
SILENT_COMMANDS = frozenset({"/restart"})
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def client_ip(request: web.Request) -> str:
    """The client's address (the gateway is the public edge; no proxy headers trusted)."""
    return request.remote or "unknown"


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx with a clear message."""
    if request.content_type != "application/json":
        raise http_error(415, "unsupported_type")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise http_error(400, "bad_json") from None
    if not isinstance(body, dict):
        raise http_error(400, "bad_json")
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
        raise http_error(400, "bad_field", field="message")
    if len(message) > MAX_MESSAGE_CHARS:
        raise http_error(413, "too_large")
    session_id = body.get("session_id") or uuid.uuid4().hex
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise http_error(400, "bad_field", field="session_id")
    channel = body.get("channel", "widget")
    if channel not in CHANNELS:
        raise http_error(400, "bad_field", field="channel")
    limiter = request.app[LIMITER]
    if not (limiter.allow(f"ip:{client_ip(request)}") and limiter.allow(f"s:{session_id}")):
        raise http_error(429, "rate_limited")
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
    """What every page needs to know.

    Who runs the site, the privacy notice, the masking rule, and the longest message the
    chat takes.
    """
    settings = request.app[SETTINGS]
    return web.json_response(
        {
            "site": site_info(settings.site_file),
            "max_message_chars": MAX_MESSAGE_CHARS,
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
        raise http_error(400, "bad_field", field="q")
    rows = await with_services(
        request, lambda svc: describe(svc.matcher.search(query), svc.catalog)
    )
    return web.json_response({"query": query, "results": rows})


def _item_answer(svc: Services, ref: str) -> tuple[int, dict[str, Any]]:
    item = svc.catalog.item(ref.upper())
    if item is None and len(ref) <= 100:
        match = svc.matcher.match_items(ref)
        if match.ambiguous:
            return 409, {
                "error": "ambiguous",
                "message": text("ambiguous"),
                "candidates": describe(match, svc.catalog),
            }
        item = svc.catalog.item(match.best.item_code) if match.best else None
    if item is None:
        return 404, {"error": "item_not_found", "message": text("item_not_found")}
    return 200, item_json(svc.catalog, item)


async def catalog_item(request: web.Request) -> web.Response:
    """The item JSON by code, name or alias; 409 with candidates when ambiguous."""
    ref = request.match_info["ref"]
    status, data = await with_services(request, lambda svc: _item_answer(svc, ref))
    return web.json_response(data, status=status)


async def offices(request: web.Request) -> web.Response:
    """All offices with their windows, hours and addresses."""
    rows = await with_services(request, lambda svc: [office_json(o) for o in svc.catalog.offices])
    return web.json_response({"offices": rows})


async def catalog_items(request: web.Request) -> web.Response:
    """All items, by window (for browsing without typing)."""
    rows = await with_services(request, lambda svc: [item_summary(i) for i in svc.catalog.items])
    return web.json_response({"items": rows})


async def slots(request: web.Request) -> web.Response:
    """Free seats per slot of a window on a day."""
    query = request.query
    for name in ("office", "window", "date"):
        if not query.get(name):
            raise http_error(400, "bad_field", field=name)
    try:
        day = datetime.strptime(query["date"], "%Y-%m-%d").date()
    except ValueError:
        raise http_error(400, "bad_field", field="date") from None

    def view(svc: Services) -> dict[str, Any]:
        desk = svc.desk
        office, window = desk.office(query["office"][:40]), desk.window(query["window"][:20])
        return desk.day_view(office, window, day, now_local())

    try:
        return web.json_response(await with_services(request, view))
    except DeskError as exc:
        raise http_error(400, "bad_field", field=exc.code) from None


def _text_field(body: dict[str, Any], name: str, *, limit: int, optional: bool = False) -> str:
    value = body.get(name)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or (not value.strip() and not optional):
        raise http_error(400, f"missing_{name}")
    return value.strip()[:limit]


async def create_booking_route(request: web.Request) -> web.Response:
    """Book a slot from the kiosk (the chat books through its own conversation).

    Everything is validated by the booking desk, the same as for the chat; a refusal
    says what to do next in words.
    """
    body = await read_json(request)
    if not request.app[LIMITER].allow(f"book:{client_ip(request)}"):
        raise http_error(429, "rate_limited")
    item_code = _text_field(body, "item_code", limit=8).upper()
    office_text = _text_field(body, "office", limit=40)
    slot = _text_field(body, "slot", limit=16)
    phone = _text_field(body, "phone", limit=30)
    key = _text_field(body, "key", limit=64)
    name = _text_field(body, "name", limit=40, optional=True)
    have = body.get("have") or []
    if not KEY_RE.match(key):
        raise http_error(400, "missing_key")
    if not isinstance(have, list):
        raise http_error(400, "bad_json")
    try:
        moment = datetime.strptime(slot, "%Y-%m-%d %H:%M")
    except ValueError:
        raise http_error(400, "missing_slot") from None
    channel = str(body.get("channel") or "kiosk")[:20]
    held = {str(h)[:60] for h in have[:50]}
    applicant = body.get("applicant") if body.get("applicant") in APPLICANTS else None

    def book(svc: Services) -> dict[str, Any]:
        desk = svc.desk
        item = svc.catalog.item(item_code)
        office = desk.office(office_text)
        lacking: list[str] = []
        if item is not None:
            chosen = item.business_type(body.get("business_type")) or item.business_types[0]
            # Only what is sure to apply: the kiosk asks no questions about the case.
            needed = resolve(chosen, Facts(applicant=applicant)).to_bring
            lacking = [d.name for d in needed if d.name not in held]
        return desk.book(
            BookingRequest(
                item_code=item_code,
                office_code=office.code,
                day=moment.date(),
                start=moment.time(),
                name=name,
                phone=phone,
                channel=channel,
                actor="citizen:kiosk",
                idempotency_key=f"api:{key}",
                missing_docs=lacking,
            )
        ).as_dict()

    try:
        booking = await with_services(request, book)
    except DeskError:
        raise http_error(400, "missing_office") from None
    except BookingError as exc:
        status = 400 if exc.code in ("bad_name", "phone_invalid", "phone_landline") else 409
        raise http_error(status, f"booking_{exc.code}") from None
    return web.json_response(booking, status=201)


def checklist_url(base: str, query: Mapping[str, str]) -> str:
    """The checklist page's address for a QR code, from checked query values only.

    Args:
        base: The public address people reach the gateway at (no trailing slash).
        query: The request's query: ``item`` (code), ``type``, ``have`` and, on a booking
            ticket, ``office`` (code) and ``ref`` (booking reference).

    Returns:
        ``{base}/checklist?…``.

    Raises:
        web.HTTPException: 400 when a value is not of its shape (nothing foreign is ever
            encoded into a code people will scan).
    """
    item = query.get("item", "")[:8]
    if not re.match(r"^[A-Z]{2}\d{2}$", item):
        raise http_error(400, "bad_field", field="item")
    values = {k: query.get(k, "")[:300] for k in ("item", "type", "have")}
    office, ref = query.get("office", "")[:8], query.get("ref", "")[:20]
    if office:
        if not re.match(r"^[A-Z]{2}$", office):
            raise http_error(400, "bad_field", field="office")
        values["office"] = office
    if ref:
        if not REF_SHAPE.match(ref):
            raise http_error(400, "bad_field", field="ref")
        values["ref"] = ref
    return f"{base}/checklist?{urlencode(values)}"


async def checklist_qr(request: web.Request) -> web.Response:
    """A QR code (SVG) that opens this checklist (or a booking's ticket) on a phone.

    It points at the configured public address, falling back to the address this request
    came to (a kiosk in the hall reaches the gateway the way phones will).
    """
    base = request.app[SETTINGS].public_url.rstrip("/") or f"{request.scheme}://{request.host}"
    url = checklist_url(base, request.query)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2)
    return web.Response(body=buffer.getvalue(), content_type="image/svg+xml")


async def openapi(_request: web.Request) -> web.Response:
    """The OpenAPI document of the public API."""
    return web.json_response(spec())


def setup_routes(app: web.Application) -> None:
    """Register the API routes, the hall kiosk's own included."""
    # The kiosk module builds on this one's request helpers, so it can only be imported
    # once this module is complete: here, not at the top.
    from chuangkou.gateway import kiosk

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
    kiosk.setup_routes(app)
