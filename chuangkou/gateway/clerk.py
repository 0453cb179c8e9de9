"""Clerk console API: login, the day's bookings, search, status changes, the audit log.

Every route but login needs a session cookie (HttpOnly, SameSite=Strict); every state
change also needs the session's CSRF token in ``X-CSRF-Token``. A clerk reads and changes
only the bookings of its own office (403 for any other); a supervisor account is granted
every office explicitly when it is made. Phone numbers are masked in lists; the full
number only on one booking's own page. Times are sent aware, in Asia/Shanghai. Password
checks and database work run in worker threads, off the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from aiohttp import web
from sqlalchemy import Engine

from chuangkou.booking.calendar import TZ
from chuangkou.booking.desk import UNDO_WINDOW
from chuangkou.booking.records import REF_SHAPE, BookingError, BookingView
from chuangkou.clerks import ClerkError, ClerkView, login, logout, session_clerk
from chuangkou.db import engine_for
from chuangkou.gateway.api import client_ip, read_json
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import CLERK, LIMITER, SETTINGS
from chuangkou.gateway.work import blocking, with_services
from chuangkou.services import Services

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
    token = request.cookies.get(COOKIE)
    engine = _db(request)
    clerk = await blocking(lambda: session_clerk(engine, token))
    if clerk is None:
        raise http_error(401, "clerk_login_required")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent or sent != clerk.csrf_token:
            raise http_error(403, "clerk_csrf")
    request[CLERK] = clerk
    return await handler(request)


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


async def login_route(request: web.Request) -> web.Response:
    """Check the password (with lock-out) and set the session cookie."""
    body = await read_json(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise http_error(400, "bad_field", field="username/password")
    if not request.app[LIMITER].allow(f"login:{client_ip(request)}"):
        raise http_error(429, "rate_limited")
    engine = _db(request)
    try:
        # argon2 is slow on purpose: never on the loop.
        token, clerk = await blocking(
            lambda: login(engine, username=username[:40], password=password[:200])
        )
    except ClerkError as exc:
        raise http_error(429 if exc.code == "locked" else 401, f"clerk_{exc.code}") from None
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
    engine, token = _db(request), request.cookies.get(COOKIE, "")
    await blocking(lambda: logout(engine, token))
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    """Who is logged in (and the CSRF token for the page's state changes)."""
    return web.json_response(_whoami(request[CLERK]))


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise http_error(400, "bad_field", field="date") from None


def _office_in_scope(clerk: ClerkView, asked: str | None) -> str | None:
    """The office a request is about, refused (403) when the clerk may not see it.

    None means every office (a supervisor who named none).
    """
    office = (asked or clerk.office_code or "")[:4].upper() or None
    if office is None and clerk.supervisor:
        return None
    if not clerk.may_see(office):
        raise http_error(403, "clerk_forbidden_office")
    return office


def _refused(exc: BookingError) -> web.HTTPException:
    return http_error(REFUSALS.get(exc.code, 409), f"booking_{exc.code}")


async def _own_booking(request: web.Request) -> BookingView:
    """The booking named in the URL, if it belongs to an office the clerk may see."""
    clerk: ClerkView = request[CLERK]
    ref = request.match_info["ref"][:12]
    try:
        view = await with_services(request, lambda svc: svc.desk.find(ref, None))
    except BookingError:
        raise http_error(404, "booking_not_found") from None
    if not clerk.may_see(view.office_code):
        raise http_error(403, "clerk_forbidden_office")
    return view


async def bookings(request: web.Request) -> web.Response:
    """Bookings of an office on a day (phones masked); the clerk's own office by default."""
    clerk: ClerkView = request[CLERK]
    office = _office_in_scope(clerk, request.query.get("office"))
    if office is None:
        raise http_error(400, "bad_field", field="office")
    day, window = _day(request.query.get("date")), request.query.get("window") or None
    rows = await with_services(request, lambda svc: svc.desk.list_day(office, day, window))
    return web.json_response({"office": office, "bookings": [r.as_dict() for r in rows]})


async def search(request: web.Request) -> web.Response:
    """Find bookings by reference, the phone's last four digits or a name."""
    clerk: ClerkView = request[CLERK]
    query = request.query.get("q", "").strip()[:20]
    if not query:
        raise http_error(400, "bad_field", field="q")
    if REF_SHAPE.match(query.upper()):
        try:
            view = await with_services(request, lambda svc: svc.desk.find(query, None))
        except BookingError:
            return web.json_response({"bookings": []})
        if not clerk.may_see(view.office_code):
            raise http_error(403, "clerk_forbidden_office")
        return web.json_response({"bookings": [view.as_dict()]})
    office = None if clerk.supervisor else _office_in_scope(clerk, None)
    rows = await with_services(request, lambda svc: svc.desk.search(query, office))
    return web.json_response({"bookings": [r.as_dict() for r in rows]})


async def booking_page(request: web.Request) -> web.Response:
    """One booking with the full phone number and its audit trail."""
    view = await _own_booking(request)

    def page(svc: Services) -> dict[str, object]:
        return view.as_dict() | {
            "phone": svc.desk.phone_of(view.ref),
            "audit": svc.desk.audit(view.ref),
        }

    return web.json_response(await with_services(request, page))


async def set_status(request: web.Request) -> web.Response:
    """Mark arrived / served / no-show; written to the audit log with the clerk's name."""
    clerk: ClerkView = request[CLERK]
    view = await _own_booking(request)
    body = await read_json(request)
    status = body.get("status")
    if status not in STATUSES:
        raise http_error(400, "bad_field", field="status")
    actor = f"clerk:{clerk.username}"
    try:
        view = await with_services(request, lambda svc: svc.desk.mark(view.ref, str(status), actor))
    except BookingError as exc:
        raise _refused(exc) from None
    return web.json_response(view.as_dict())


async def undo_status(request: web.Request) -> web.Response:
    """Take back this clerk's last mark on a booking, within the undo window (audited)."""
    clerk: ClerkView = request[CLERK]
    view = await _own_booking(request)
    actor = f"clerk:{clerk.username}"
    try:
        view = await with_services(request, lambda svc: svc.desk.undo(view.ref, actor))
    except BookingError as exc:
        raise _refused(exc) from None
    return web.json_response(view.as_dict())


async def audit(request: web.Request) -> web.Response:
    """The newest audit events of the clerk's office (a supervisor: any or all)."""
    clerk: ClerkView = request[CLERK]
    office = _office_in_scope(clerk, request.query.get("office"))
    events = await with_services(request, lambda svc: svc.desk.recent_events(office))
    return web.json_response({"events": events})


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
