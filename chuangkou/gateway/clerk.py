"""Clerk console API: login, the day's bookings, search, status changes, the audit log.

Every route but login needs a session cookie (HttpOnly, SameSite=Strict); every state
change also needs the session's CSRF token in ``X-CSRF-Token``. A clerk reads and changes
only the bookings of its own office (403 for any other); a supervisor account is granted
every office explicitly when it is made. Phone numbers are masked in lists; the full
number only on one booking's own page. Times are sent aware, in Asia/Shanghai. Password
checks and database work run in worker threads, off the event loop.

Channels and audit actors are sent with readable labels (``channel_label``,
``actor_label``) whose words are in ``messages.yml``; the raw values stay alongside.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import Engine, select

from chuangkou.booking.calendar import TZ
from chuangkou.booking.desk import UNDO_WINDOW
from chuangkou.booking.records import REF_SHAPE, BookingError, BookingView
from chuangkou.catalog.model import Catalog
from chuangkou.clerks import USERNAME, ClerkError, ClerkView, login, logout, session_clerk
from chuangkou.clerks.tables import Clerk
from chuangkou.db import engine_for
from chuangkou.gateway.api import client_ip, read_json
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import CLERK, LIMITER, SETTINGS
from chuangkou.gateway.texts import messages, text
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
# The audit log's filters; anything else is refused rather than ignored, so that a
# mistyped filter never passes for an unfiltered log.
AUDIT_FILTERS = frozenset({"office", "since", "until", "ref", "clerk", "limit"})
AUDIT_LIMIT = 500
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A chat sender is "<channel>-<session>" (the gateway names them so; WeChat's are
# "wx-<openid>"); the kiosk's booking form acts as "citizen:kiosk" itself.
SENDER_CHANNELS = {
    "widget": "widget",
    "kiosk": "kiosk",
    "wx": "wechat",
    "wechat": "wechat",
    "clerk": "clerk",
    "api": "api",
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


def channel_label(channel: str) -> str:
    """Where a booking was made, in words (网上咨询, 大厅自助机, 微信 …)."""
    key = f"clerk_channel_{channel}"
    return text(key) if key in messages() else text("clerk_channel_other", channel=channel)


def actor_label(actor: str, channel: str, names: Mapping[str, str]) -> str:
    """Who did something to a booking, in words.

    Args:
        actor: The audit actor: ``clerk:<username>``, ``citizen:<sender>``, ``system:…``.
        channel: The booking's channel, for a citizen whose sender names none.
        names: Clerks' display names by username.

    Returns:
        The clerk's display name, the channel a citizen used, or the system's part.
    """
    kind, _, who = actor.partition(":")
    if kind == "clerk":
        return text("clerk_actor_clerk", name=names.get(who) or who)
    if kind == "citizen":
        return channel_label(SENDER_CHANNELS.get(who.split("-", 1)[0], channel))
    if kind == "system":
        key = f"clerk_actor_system_{who}"
        return text(key) if key in messages() else text("clerk_actor_system")
    return actor


def _clerk_names(svc: Services, actors: Iterable[str]) -> dict[str, str]:
    """Display names of the clerks among audit actors, by username."""
    usernames = sorted({a.partition(":")[2] for a in actors if a.startswith("clerk:")})
    if not usernames or svc.sessions is None:
        return {}
    with svc.sessions() as session:
        rows = session.execute(
            select(Clerk.username, Clerk.display_name).where(Clerk.username.in_(usernames))
        )
        return {username: name for username, name in rows}


def _labelled(
    svc: Services, events: list[dict[str, Any]], channel: str = ""
) -> list[dict[str, Any]]:
    """Audit events with ``actor_label`` added (``channel``: the booking's, if one)."""
    names = _clerk_names(svc, (e["actor"] for e in events))
    return [
        e | {"actor_label": actor_label(e["actor"], e.get("channel") or channel, names)}
        for e in events
    ]


def _row(view: BookingView) -> dict[str, Any]:
    """A booking for a list: phone masked, channel in words."""
    return view.as_dict() | {"channel_label": channel_label(view.channel)}


def _where(catalog: Catalog, view: BookingView) -> dict[str, str]:
    """Office, window and its location for a booking (the catalog's offices).

    The window is the one of the item's category at the booking's office; a booking of
    an item the catalog no longer has keeps the window it was booked at.
    """
    office = catalog.office(view.office_code)
    item = catalog.item(view.item_code)
    window_type = item.window if item is not None else view.window_type
    window = office.window(window_type) if office is not None else None
    return {
        "office_name": office.name if office is not None else view.office_code,
        "office_address": office.address if office is not None else "",
        "window": window_type,
        "window_location": window.location if window is not None else "",
        "window_phone": window.phone if window is not None else "",
    }


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

    def listed(svc: Services) -> dict[str, object]:
        found = svc.catalog.office(office)
        return {
            "office": office,
            "office_name": found.name if found is not None else office,
            "date": day.isoformat(),
            # When the list was read: the printed list says how fresh it is.
            "as_of": datetime.now(TZ).isoformat(timespec="seconds"),
            "bookings": [_row(r) for r in svc.desk.list_day(office, day, window)],
        }

    return web.json_response(await with_services(request, listed))


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
        return web.json_response({"bookings": [_row(view)]})
    office = None if clerk.supervisor else _office_in_scope(clerk, None)
    rows = await with_services(request, lambda svc: svc.desk.search(query, office))
    return web.json_response({"bookings": [_row(r) for r in rows]})


async def booking_page(request: web.Request) -> web.Response:
    """One booking with the full phone number, where it is served, and its audit trail."""
    view = await _own_booking(request)

    def page(svc: Services) -> dict[str, object]:
        return (
            _row(view)
            | _where(svc.catalog, view)
            | {
                "phone": svc.desk.phone_of(view.ref),
                "audit": _labelled(svc, svc.desk.audit(view.ref), view.channel),
            }
        )

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


def _filter_day(request: web.Request, name: str) -> date | None:
    """A date filter: strictly ``YYYY-MM-DD`` (400 otherwise), None when not given."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    if not ISO_DAY.match(raw):
        raise http_error(400, "clerk_bad_date", field=name)
    try:
        return date.fromisoformat(raw)
    except ValueError:  # 2026-02-30
        raise http_error(400, "clerk_bad_date", field=name) from None


def _audit_filters(request: web.Request) -> dict[str, Any]:
    """The audit log's filters from the query, checked (400 for anything malformed)."""
    unknown = sorted(set(request.query) - AUDIT_FILTERS)
    if unknown:
        raise http_error(400, "clerk_bad_filter", field=unknown[0][:20])
    twice = sorted(k for k in set(request.query) if len(request.query.getall(k)) > 1)
    if twice:  # ref=A&ref=B: which one was meant is not ours to guess
        raise http_error(400, "bad_field", field=twice[0])
    since, until = _filter_day(request, "since"), _filter_day(request, "until")
    if since is not None and until is not None and since > until:
        raise http_error(400, "clerk_bad_range")
    filters: dict[str, Any] = {"since": since, "until": until}
    ref = request.query.get("ref", "").strip().upper()
    if ref:
        if not REF_SHAPE.match(ref):
            raise http_error(400, "clerk_bad_ref")
        filters["ref"] = ref
    username = request.query.get("clerk", "").strip()
    if username:
        if not USERNAME.match(username):
            raise http_error(400, "clerk_bad_clerk")
        filters["actor"] = f"clerk:{username}"
    limit = request.query.get("limit", "").strip()
    if limit:
        if not limit.isdigit() or not 1 <= int(limit) <= AUDIT_LIMIT:
            raise http_error(400, "bad_field", field="limit")
        filters["limit"] = int(limit)
    return filters


async def audit(request: web.Request) -> web.Response:
    """The newest audit events of the clerk's office (a supervisor: any or all).

    Query: ``since``/``until`` (days, inclusive, Asia/Shanghai), ``ref`` (one booking),
    ``clerk`` (a username), ``limit`` (1–500, default 100), ``office`` (supervisors).
    """
    clerk: ClerkView = request[CLERK]
    office = _office_in_scope(clerk, request.query.get("office"))
    filters = _audit_filters(request)
    ref = filters.get("ref")

    def read(svc: Services) -> list[dict[str, Any]]:
        if ref is not None and not clerk.supervisor:
            # Another office's booking is refused as everywhere in the console, not
            # passed off as a booking without events.
            try:
                owner = svc.desk.find(ref, None).office_code
            except BookingError:
                return []
            if not clerk.may_see(owner):
                raise http_error(403, "clerk_forbidden_office")
        return _labelled(svc, svc.desk.recent_events(office, **filters))

    events = await with_services(request, read)
    shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items()}
    return web.json_response({"office": office, "filters": shown, "events": events})


async def audit_clerks(request: web.Request) -> web.Response:
    """The clerks who appear in the office's audit log, for the log's clerk filter."""
    clerk: ClerkView = request[CLERK]
    office = _office_in_scope(clerk, request.query.get("office"))

    def read(svc: Services) -> list[dict[str, str]]:
        actors = svc.desk.event_actors(office, "clerk:")
        names = _clerk_names(svc, actors)
        usernames = [a.partition(":")[2] for a in actors]
        return [{"username": u, "name": names.get(u) or u} for u in usernames]

    return web.json_response({"office": office, "clerks": await with_services(request, read)})


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
    app.router.add_get("/clerk/api/audit/clerks", audit_clerks)
