"""The gateway application: ``create_app(settings)`` and its middlewares.

One aiohttp process serves the public API (chat relay, catalog, offices, free slots, the
OpenAPI document) and the WeChat Official Account connector. The engine and the action
server stay on 127.0.0.1; only this process is meant to face people.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from sqlalchemy.exc import DBAPIError

from chuangkou.booking.slots import now_local
from chuangkou.gateway import api, clerk, feedback, pages, wechat
from chuangkou.gateway.engine_client import EngineClient
from chuangkou.gateway.errors import error_response
from chuangkou.gateway.keys import ENGINE, LIMITER, RUNTIME, SETTINGS
from chuangkou.gateway.ratelimit import RateLimiter
from chuangkou.gateway.texts import text
from chuangkou.gateway.work import daily
from chuangkou.services import Runtime
from chuangkou.settings import Settings

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
# No inline script or style anywhere: the pages load their own files from this origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_STATUS_MESSAGES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_type",
}


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error becomes a clear JSON answer; no stack trace ever reaches a person."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        key = _STATUS_MESSAGES.get(exc.status)
        if key is None:
            raise
        return error_response(exc.status, key, text(key))
    except DBAPIError:
        # The database is unreachable (or failing): the gateway stays up and says so;
        # the pool reconnects by itself when the database is back.
        logger.warning("database unavailable on %s %s", request.method, request.path)
        response = error_response(503, "database_unavailable", text("database_unavailable"))
        response.headers["Retry-After"] = "30"
        return response
    except Exception:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", text("internal"))


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CSP without inline script, no MIME sniffing, no framing, no referrer leaks."""
    response = await handler(request)
    if request.path in pages.EMBEDDABLE:
        response.headers["Content-Security-Policy"] = CSP.replace(
            "frame-ancestors 'none'", "frame-ancestors *"
        )
    else:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
    """The database (migrated), calendar and catalog cache, for the app's whole life."""
    app[RUNTIME] = await asyncio.to_thread(Runtime, app[SETTINGS])
    yield


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Erase names and phones past the retention period: at start, then once a day."""
    settings, runtime = app[SETTINGS], app[RUNTIME]

    def erase() -> int:
        before = now_local().date() - timedelta(days=settings.retention_days)
        return runtime.services().desk.erase_expired(before)

    async with daily(erase, "personal data of bookings"):
        yield


def create_app(settings: Settings, *, engine: EngineClient | None = None) -> web.Application:
    """Build the gateway.

    Args:
        settings: Where the engine, database and catalog are.
        engine: The engine client (tests pass one pointing at a fake engine).

    Returns:
        The application.
    """
    app = web.Application(
        middlewares=[errors, security_headers, clerk.clerk_guard], client_max_size=MAX_BODY_BYTES
    )
    app[SETTINGS] = settings
    app[ENGINE] = engine or EngineClient(settings.engine_url, more_urls=settings.engine_urls)
    app[LIMITER] = RateLimiter(settings.chat_rate_per_minute, 60.0)

    async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
        await app[ENGINE].start()
        yield
        await app[ENGINE].close()

    app.cleanup_ctx.append(engine_ctx)
    app.cleanup_ctx.append(runtime_ctx)
    app.cleanup_ctx.append(retention_ctx)
    api.setup_routes(app)
    feedback.setup_routes(app)
    clerk.setup_routes(app)
    wechat.setup_routes(app)
    pages.setup_routes(app)
    return app
