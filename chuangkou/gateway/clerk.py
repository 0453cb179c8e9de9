"""Clerk console API: login, today's bookings, status changes, the audit log.

Every route but login needs a session cookie (HttpOnly, SameSite=Strict); every state
change also needs the session's CSRF token in ``X-CSRF-Token``. A clerk reads and changes
only the bookings of its own office (403 for any other); a supervisor account is granted
every office explicitly when it is made. Phone numbers are masked in lists; the full
number only on one booking's own page. Times are sent aware, in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from aiohttp import web
from sqlalchemy import Engine

from chuangkou.booking.service import (
    REF_SHAPE,
    UNDO_WINDOW,
    BookingError,
    BookingView,
    audit_log,
    booking_phone,
    find_booking,
    list_bookings,
    mark_booking,
    recent_events,
    search_bookings,
    undo_mark,
)
from chuangkou.booking.slots import TZ
from chuangkou.clerks import ClerkError, ClerkView, login, logout, session_clerk
from chuangkou.db import engine_for
from chuangkou.gateway.api import _error, client_ip, read_json
from chuangkou.gateway.keys import CLERK, LIMITER, SETTINGS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COOKIE = "ck_clerk"
PUBLIC = {("POST", "/clerk/api/login")}
STATUSES = {"arrived", "served", "no_show"}
# What a refused change means to the clerk (the message keys in messages.yml).
REFUSALS = {
    "not_found": 404,
    "bad_transition": 409,
    "not_today": 409,
    "too_early": 409,
    "nothing_to_undo": 409,
    "undo_expired": 409,
    "slot_full": 409,
}


def _db(request: web.Request) -> Engine:
    return engine_for(request.app[SETTINGS].database_url)


@web.middleware
async def clerk_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 without a session, 403 without the CSRF token on a state change."""
    if not request.path.startswith("/clerk/api/") or (request.method, request.path) in PUBLIC:
        return await handler(request)
    clerk = session_clerk(_db(request), request.cookies.get(COOKIE))
    if clerk is None:
        raise _error(401, "clerk_login_required")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent or sent != clerk.csrf_token:
            raise _error(403, "clerk_csrf")
    request[CLERK] = clerk
    return await handler(request)


async def login_route(request: web.Request) -> web.Response:
    """Check the password (with lock-out) and set the session cookie."""
    body = await read_json(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise _error(400, "bad_field", field="username/password")
    if not request.app[LIMITER].allow(f"login:{client_ip(request)}"):
        raise _error(429, "rate_limited")
    try:
        token, clerk = login(_db(request), username=username[:40], password=password[:200])
    except ClerkError as exc:
        raise _error(429 if exc.code == "locked" else 401, f"clerk_{exc.code}") from None
    response = web.json_response(_whoami(clerk))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=request.app[SETTINGS].secure_cookies,
        max_age=10 * 3600,
    )
    return response


async def logout_route(request: web.Request) -> web.Response:
    """End the session."""
    logout(_db(request), request.cookies.get(COOKIE, ""))
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    """Who is logged in (and the CSRF token for the page's state changes)."""
    return web.json_response(_whoami(request[CLERK]))


def _whoami(clerk: ClerkView) -> dict[str, object]:
    return {
        "username": clerk.username,
        "name": clerk.display_name,
        "office": clerk.office_code,
        "role": clerk.role,
        "csrf_token": clerk.csrf_token,
        # The bureaus' date and zone: the console opens on today there, whatever the
        # clock of the computer it runs on is set to.
        "today": datetime.now(TZ).date().isoformat(),
        "time_zone": str(TZ),
        "undo_seconds": int(UNDO_WINDOW.total_seconds()),
    }


def _office_in_scope(clerk: ClerkView, asked: str | None) -> str | None:
    """The office a request is about, refused (403) when the clerk may not see it.

    None means every office (a supervisor who named none).
    """
    office = (asked or clerk.office_code or "")[:4].upper() or None
    if office is None and clerk.supervisor:
        return None
    if not clerk.may_see(office):
        raise _error(403, "clerk_forbidden_office")
    return office


def _own_booking(request: web.Request) -> BookingView:
    """The booking named in the URL, if it belongs to an office the clerk may see."""
    clerk: ClerkView = request[CLERK]
    try:
        view = find_booking(_db(request), ref=request.match_info["ref"][:12], phone=None)
    except BookingError:
        raise _error(404, "booking_not_found") from None
    if not clerk.may_see(view.office_code):
        raise _error(403, "clerk_forbidden_office")
    return view


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise _error(400, "bad_field", field="date") from None


async def bookings(request: web.Request) -> web.Response:
    """Bookings of an office on a day (phones masked); the clerk's own office by default."""
    clerk: ClerkView = request[CLERK]
    office = _office_in_scope(clerk, request.query.get("office"))
    if office is None:
        raise _error(400, "bad_field", field="office")
    rows = list_bookings(
        _db(request),
        office_code=office,
        day=_day(request.query.get("date")),
        window_type=request.query.get("window") or None,
    )
    return web.json_response({"office": office, "bookings": [r.as_dict() for r in rows]})


async def search(request: web.Request) -> web.Response:
    """Find bookings by reference, the phone's last four digits or a name."""
    clerk: ClerkView = request[CLERK]
    query = request.query.get("q", "").strip()[:20]
    if not query:
        raise _error(400, "bad_field", field="q")
    if REF_SHAPE.match(query.upper()):
        try:
            view = find_booking(_db(request), ref=query.upper(), phone=None)
        except BookingError:
            return web.json_response({"bookings": []})
        if not clerk.may_see(view.office_code):
            raise _error(403, "clerk_forbidden_office")
        return web.json_response({"bookings": [view.as_dict()]})
    office = None if clerk.supervisor else _office_in_scope(clerk, None)
    rows = search_bookings(_db(request), query=query, office_code=office)
    return web.json_response({"bookings": [r.as_dict() for r in rows]})


async def booking_page(request: web.Request) -> web.Response:
    """One booking with the full phone number and its audit trail."""
    view = _own_booking(request)
    data = view.as_dict() | {
        "phone": booking_phone(_db(request), ref=view.ref),
        "audit": audit_log(_db(request), ref=view.ref),
    }
    return web.json_response(data)


def _refused(exc: BookingError) -> web.HTTPException:
    return _error(REFUSALS.get(exc.code, 409), f"booking_{exc.code}")


async def set_status(request: web.Request) -> web.Response:
    """Mark arrived / served / no-show; written to the audit log with the clerk's name."""
    clerk: ClerkView = request[CLERK]
    view = _own_booking(request)
    body = await read_json(request)
    status = body.get("status")
    if status not in STATUSES:
        raise _error(400, "bad_field", field="status")
    try:
        view = mark_booking(
            _db(request), ref=view.ref, status=str(status), actor=f"clerk:{clerk.username}"
        )
    except BookingError as exc:
        raise _refused(exc) from None
    return web.json_response(view.as_dict())


async def undo_status(request: web.Request) -> web.Response:
    """Take back this clerk's last mark on a booking, within the undo window (audited)."""
    clerk: ClerkView = request[CLERK]
    view = _own_booking(request)
    try:
        view = undo_mark(_db(request), ref=view.ref, actor=f"clerk:{clerk.username}")
    except BookingError as exc:
        raise _refused(exc) from None
    return web.json_response(view.as_dict())


async def audit(request: web.Request) -> web.Response:
    """The newest audit events of the clerk's office (a supervisor: any or all)."""
    clerk: ClerkView = request[CLERK]
    office = _office_in_scope(clerk, request.query.get("office"))
    return web.json_response({"events": recent_events(_db(request), office_code=office)})


def setup_routes(app: web.Application) -> None:
    """Register the clerk API."""
    app.router.add_post("/clerk/api/login", login_route)
    app.router.add_post("/clerk/api/logout", logout_route)
    app.router.add_get("/clerk/api/me", me)
    app.router.add_get("/clerk/api/bookings", bookings)
    app.router.add_get("/clerk/api/search", search)
    app.router.add_get("/clerk/api/bookings/{ref}", booking_page)
    app.router.add_post("/clerk/api/bookings/{ref}/status", set_status)
    app.router.add_post("/clerk/api/bookings/{ref}/undo", undo_status)
    app.router.add_get("/clerk/api/audit", audit)
