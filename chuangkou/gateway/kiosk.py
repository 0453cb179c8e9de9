"""The hall kiosk's own API: its office, what it accepts, free days, and finding a booking.

The kiosk stands in one office's hall (``/kiosk?office=CODE``). Everything it offers is
decided here, from the catalog and the booking desk, so that the page never has to
guess: which items this office accepts, why one cannot be booked here and where to go
instead, which days and times are free (with their end and half of the day), and a
booking found or cancelled by its reference and the phone it was made with.

Every refusal is a JSON error whose ``message`` (from ``messages.yml``) tells a person
what to do next; no code or field name is ever meant to be shown.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from chuangkou.booking.desk import Desk
from chuangkou.booking.records import (
    REF_ALPHABET,
    REF_LENGTH,
    REF_SHAPE,
    BookingError,
    BookingView,
)
from chuangkou.booking.slots import hours_on
from chuangkou.catalog.model import Catalog, Item, Office
from chuangkou.catalog.views import item_json, item_summary, office_json
from chuangkou.gateway.api import client_ip, read_json
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import LIMITER, SETTINGS
from chuangkou.gateway.texts import site_info, text
from chuangkou.gateway.work import with_services
from chuangkou.services import Services
from common.folding import normalize

ITEM_CODE = re.compile(r"^[A-Za-z]{2}\d{2}$")
OFFICE_CODE = re.compile(r"^[A-Za-z]{2}$")
# With one or two offices that accept an item, the refusal gives their addresses; with
# more, the addresses would make it too long to read standing up, so names only.
ADDRESSES_UP_TO = 2


def _office_of(svc: Services, raw: str | None) -> Office:
    """The kiosk's office from its ``?office=`` code.

    Raises:
        web.HTTPException: 400 or 404 ``kiosk_no_office`` (the page shows the message).
    """
    code = (raw or "").strip()
    if not code:
        raise http_error(400, "kiosk_no_office")
    office = svc.catalog.office(code.upper()) if OFFICE_CODE.match(code) else None
    if office is None:
        raise http_error(404, "kiosk_no_office")
    return office


def _item_of(svc: Services, raw: str) -> Item:
    """An item by its code (the kiosk only ever sends codes it was given).

    Raises:
        web.HTTPException: 404 ``booking_item_unknown``.
    """
    item = svc.catalog.item(raw.strip().upper()) if ITEM_CODE.match(raw.strip()) else None
    if item is None:
        raise http_error(404, "booking_item_unknown")
    return item


def shortcuts(catalog: Catalog, office: Office) -> list[dict[str, str]]:
    """The common names on the home screen, each an alias of an item this office accepts.

    The names come from ``kiosk_shortcuts`` in ``messages.yml`` (a deployment's own
    choice of what people ask for most); each is kept only if it is, word for word, an
    alias or name of an item in the catalog, so a shortcut can never lead nowhere or to
    an item the office does not take.

    Args:
        catalog: The catalog.
        office: The kiosk's office.

    Returns:
        ``[{"label": alias, "code": item code}]`` in the configured order.
    """
    found: list[dict[str, str]] = []
    for label in re.split(r"[、,，\s]+", text("kiosk_shortcuts")):
        if not label:
            continue
        key = normalize(label)
        item = next(
            (i for i in catalog.items if key in {normalize(a) for a in (i.name, *i.aliases)}),
            None,
        )
        if item and not item.stopped and office in catalog.accepting_offices(item):
            found.append({"label": label, "code": item.code})
    return found


def refusal(svc: Services, item: Item, office: Office) -> tuple[str, str] | None:
    """Why the item cannot be booked at this office, in words, or None if it can.

    The desk's own check (:meth:`Desk.check_item_at`) decides; this only words it.

    Returns:
        ``(code, message)``: ``item_stopped``, ``item_not_here`` or
        ``office_not_accepting``.
    """
    try:
        svc.desk.check_item_at(item, office)
    except BookingError as exc:
        if exc.code == "item_stopped":
            return exc.code, text("kiosk_stopped", item=item.name)
        if exc.code == "item_not_here":
            where = item.apply_at or item.deciding_authority
            return exc.code, text("kiosk_not_here", item=item.name, where=where)
        accepting = svc.catalog.accepting_offices(item)
        if len(accepting) <= ADDRESSES_UP_TO:
            names = text("kiosk_offices_joiner_long").join(
                text("kiosk_office_with_address", office=o.name, address=o.address)
                for o in accepting
            )
        else:
            names = text("kiosk_offices_joiner").join(o.name for o in accepting)
        return exc.code, text("kiosk_not_accepting", office=office.name, offices=names)
    return None


def _window_json(office: Office, window_type: str) -> dict[str, str] | None:
    window = office.window(window_type)
    if window is None:
        return None
    return {"type": window.type, "location": window.location, "phone": window.phone}


def _shows_complaint_hotline(item: Item, hotline: str) -> bool:
    """Whether the item is about complaints that the complaint hotline also takes."""
    if not hotline:
        return False
    said = [*item.aliases, item.summary, *(c.name for c in item.online)]
    return any(hotline in words for words in said)


async def start(request: web.Request) -> web.Response:
    """What the kiosk shows first: its office, shortcuts, and every item marked here or not."""

    def view(svc: Services) -> dict[str, Any]:
        office = _office_of(svc, request.query.get("office"))
        items = []
        for item in svc.catalog.items:
            row = item_summary(item)
            row["here"] = office in svc.catalog.accepting_offices(item)
            items.append(row)
        return {
            "office": office_json(office),
            "shortcuts": shortcuts(svc.catalog, office),
            "items": items,
            # The on-screen keys for a reference: exactly the letters references use.
            "ref_alphabet": REF_ALPHABET,
            "ref_length": REF_LENGTH,
        }

    return web.json_response(await with_services(request, view))


async def item_for_kiosk(request: web.Request) -> web.Response:
    """The item JSON with what this kiosk can do with it (book, or why not and where)."""
    hotline = site_info(request.app[SETTINGS].site_file)["complaint_hotline"]

    def view(svc: Services) -> dict[str, Any]:
        office = _office_of(svc, request.query.get("office"))
        item = _item_of(svc, request.match_info["code"])
        refused = refusal(svc, item, office)
        data = item_json(svc.catalog, item)
        data["kiosk"] = {
            "bookable": refused is None,
            "refusal": refused[0] if refused else None,
            "message": refused[1] if refused else None,
            "window": _window_json(office, item.window),
            "complaint_hotline": _shows_complaint_hotline(item, hotline),
        }
        return data

    return web.json_response(await with_services(request, view))


def _period(office: Office, start_at: time, day: date) -> str:
    """Morning or afternoon: slots from the afternoon session's opening on are afternoon."""
    hours = hours_on(office, day)
    afternoon = datetime.strptime(hours.afternoon[0], "%H:%M").time()
    return "afternoon" if start_at >= afternoon else "morning"


async def days(request: web.Request) -> web.Response:
    """The days with free seats in the horizon, each with its free slots (end, half-day).

    An item this office does not take is refused here, before any time is chosen.
    """

    def view(svc: Services) -> tuple[int, dict[str, Any]]:
        office = _office_of(svc, request.query.get("office"))
        item = _item_of(svc, request.query.get("item", ""))
        refused = refusal(svc, item, office)
        if refused:
            return 409, {"error": refused[0], "message": refused[1]}
        desk, now = svc.desk, svc.now()
        book, step = desk.slot_book, timedelta(minutes=desk.policy.slot_minutes)
        found = []
        with desk.sessions() as session:
            for offset in range(desk.policy.horizon_days + 1):
                day = now.date() + timedelta(days=offset)
                free = [
                    {
                        "time": s.start.strftime("%H:%M"),
                        "end": (datetime.combine(day, s.start) + step).strftime("%H:%M"),
                        "free": s.free,
                        "period": _period(office, s.start, day),
                    }
                    for s in book.slots(office, item.window, day, now, session=session)
                    if s.free
                ]
                if free:
                    found.append({"date": day.isoformat(), "slots": free})
        window = office.window(item.window)
        phone = window.phone if window else office.phone
        return 200, {
            "office": office.code,
            "window": item.window,
            "days": found,
            "message": None if found else text("kiosk_no_days", phone=phone),
        }

    status, data = await with_services(request, view)
    return web.json_response(data, status=status)


def _ref_and_phone(body: dict[str, Any]) -> tuple[str, str]:
    """The reference and phone of a lookup, checked for shape before any database read.

    Raises:
        web.HTTPException: 400 with a message saying what to type.
    """
    ref, phone = body.get("ref"), body.get("phone")
    if not isinstance(ref, str) or not REF_SHAPE.match(ref.strip().upper()[:20]):
        raise http_error(400, "kiosk_bad_ref")
    if not isinstance(phone, str) or not phone.strip():
        raise http_error(400, "missing_phone")
    try:
        digits = Desk.check_phone(phone[:30])
    except BookingError as exc:
        raise http_error(400, f"booking_{exc.code}") from None
    return ref.strip().upper(), digits


def booking_json(svc: Services, booking: BookingView) -> dict[str, Any]:
    """A booking as the kiosk shows it: with its office, address, window and end time."""
    data = booking.as_dict()
    office = svc.catalog.office(booking.office_code)
    window = office.window(booking.window_type) if office else None
    start_at = datetime.strptime(f"{booking.day} {booking.start}", "%Y-%m-%d %H:%M")
    data |= {
        "office_name": office.name if office else "",
        "address": office.address if office else "",
        "window_location": window.location if window else "",
        "window_phone": window.phone if window else "",
        "end": (start_at + timedelta(minutes=svc.policy.slot_minutes)).strftime("%H:%M"),
    }
    return data


async def _owned(request: web.Request, act: str) -> web.Response:
    """Find (``act="find"``) or cancel a booking by reference and phone.

    A wrong phone and an unknown reference get the same answer, so the kiosk never
    confirms that a reference exists. Both are rate-limited per kiosk and per reference
    (the same limiter as the chat), so phones cannot be tried one after another.
    """
    body = await read_json(request)
    limiter = request.app[LIMITER]
    if not limiter.allow(f"kiosk-find:{client_ip(request)}"):
        raise http_error(429, "rate_limited")
    ref, phone = _ref_and_phone(body)
    if not limiter.allow(f"kiosk-ref:{ref}"):
        raise http_error(429, "rate_limited")

    def run(svc: Services) -> dict[str, Any]:
        desk = svc.desk
        if act == "cancel":
            return booking_json(svc, desk.cancel(ref, phone, actor="citizen:kiosk"))
        return booking_json(svc, desk.find(ref, phone))

    try:
        return web.json_response(await with_services(request, run))
    except BookingError as exc:
        if exc.code == "bad_transition":
            raise http_error(409, "kiosk_cannot_cancel") from None
        raise http_error(404, "kiosk_lookup_not_found") from None


async def lookup(request: web.Request) -> web.Response:
    """A booking by its reference and the phone it was made with."""
    return await _owned(request, "find")


async def cancel(request: web.Request) -> web.Response:
    """Cancel a booking by its reference and the phone it was made with."""
    return await _owned(request, "cancel")


def setup_routes(app: web.Application) -> None:
    """Register the kiosk's routes."""
    app.router.add_get("/api/kiosk/start", start)
    app.router.add_get("/api/kiosk/items/{code}", item_for_kiosk)
    app.router.add_get("/api/kiosk/days", days)
    app.router.add_post("/api/kiosk/lookup", lookup)
    app.router.add_post("/api/kiosk/cancel", cancel)
