"""好差评: ``POST /api/feedback`` records whether one answer helped.

The page sends only which of its answered turns the vote is about; what that answer was
(its response names, the intent, the item) is read here from the engine's tracker, so a
page can neither invent it nor has to carry it. See :mod:`chuangkou.feedback` for what a
row keeps and why.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.db import session_factory
from chuangkou.feedback.store import MAX_COMMENT_CHARS, Vote, conversation_hash, erase_comments
from chuangkou.feedback.store import record as record_vote
from chuangkou.feedback.turns import answered_turn
from chuangkou.gateway.api import CHANNELS, SESSION_ID, client_ip, read_json
from chuangkou.gateway.engine_client import EngineClient, EngineUnavailable
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import ENGINE, LIMITER, RUNTIME, SETTINGS
from chuangkou.gateway.texts import text
from chuangkou.gateway.work import blocking, daily
from chuangkou.services import Runtime

logger = logging.getLogger(__name__)
FIELDS = frozenset({"session_id", "turn", "helpful", "comment", "channel"})
# Far more answered turns than any conversation has: a bigger number is a wrong request.
MAX_TURN = 10_000


class TrackerReader:
    """Reads a conversation's events from the engine's HTTP API (on loopback only).

    The chat's engine client only sends messages; reading a tracker is this feature's
    need, so it has its own small connection pool, routed to the same engine.
    """

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.engine.timeout_s),
            connector=aiohttp.TCPConnector(limit=8, keepalive_timeout=3),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()

    async def events(self, sender: str) -> list[Any]:
        """Every event of a conversation, restarts included (the page's count spans them).

        Raises:
            EngineUnavailable: On timeout, connection failure or an error status.
        """
        assert self._session is not None, "TrackerReader.start() was not awaited"
        # ``sender`` is a channel name, "-" and a checked session id: safe in a path.
        url = f"{self.engine.url_for(sender)}/conversations/{sender}/tracker"
        try:
            async with self._session.get(url, params={"include_events": "ALL"}) as resp:
                if resp.status >= 400:
                    raise EngineUnavailable(f"engine answered {resp.status}")
                data = await resp.json()
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise EngineUnavailable(str(exc) or type(exc).__name__) from exc
        events = data.get("events") if isinstance(data, dict) else None
        return events if isinstance(events, list) else []


TRACKERS = web.AppKey("feedback_trackers", TrackerReader)


def _item_codes(runtime: Runtime) -> dict[str, str]:
    """Item codes by item name (answers name their item); empty without a catalog."""
    try:
        catalog = runtime.services().catalog
    except CatalogNotLoaded:
        return {}
    return {item.name: item.code for item in catalog.items}


def _checked(body: dict[str, Any]) -> tuple[str, int, bool, str | None, str]:
    """The request's fields, strictly: right types and ranges, nothing else."""
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise http_error(400, "bad_field", field=unknown[0][:40])
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise http_error(400, "bad_field", field="session_id")
    turn = body.get("turn")
    # bool is an int to Python; true is not a turn number.
    if type(turn) is not int or not 1 <= turn <= MAX_TURN:
        raise http_error(400, "bad_field", field="turn")
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise http_error(400, "bad_field", field="helpful")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise http_error(400, "bad_field", field="comment")
    comment = (comment or "").strip() or None
    # Refused, not cut: the person sees why and can shorten it.
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise http_error(400, "feedback_comment_too_long", limit=str(MAX_COMMENT_CHARS))
    channel = body.get("channel", "widget")
    if channel not in CHANNELS:
        raise http_error(400, "bad_field", field="channel")
    return session_id, turn, helpful, comment, str(channel)


async def feedback(request: web.Request) -> web.Response:
    """Record 有用 / 没用 (and an optional comment) on one answered turn."""
    session_id, turn, helpful, comment, channel = _checked(await read_json(request))
    limiter = request.app[LIMITER]
    # Its own keys: voting must not use up the budget of the chat it rates.
    if not (
        limiter.allow(f"feedback-ip:{client_ip(request)}")
        and limiter.allow(f"feedback-s:{session_id}")
    ):
        raise http_error(429, "rate_limited")
    sender = f"{channel}-{session_id}"  # the engine's conversation id, as /api/chat names it
    try:
        events = await request.app[TRACKERS].events(sender)
    except EngineUnavailable:
        raise http_error(503, "engine_unavailable") from None
    codes = await blocking(lambda: _item_codes(request.app[RUNTIME]))
    facts = answered_turn(events, turn, code_of_name=codes.get)
    if facts is None:
        raise http_error(404, "feedback_unknown_turn")
    settings = request.app[SETTINGS]
    vote = Vote(
        conversation=conversation_hash(sender, settings.secret),
        channel=channel,
        facts=facts,
        helpful=helpful,
        comment=comment,
    )
    replaced = await blocking(lambda: record_vote(session_factory(settings.database_url), vote))
    return web.json_response(
        {"stored": True, "replaced": replaced, "turn": turn, "message": text("feedback_thanks")}
    )


async def feedback_ctx(app: web.Application) -> AsyncIterator[None]:
    """The tracker reader's pool, and comments erased past the retention period daily."""
    settings = app[SETTINGS]
    await app[TRACKERS].start()

    sessions = session_factory(settings.database_url)

    def erase() -> int:
        before = datetime.now(UTC) - timedelta(days=settings.retention_days)
        return erase_comments(sessions, before)

    async with daily(erase, "feedback comments"):
        yield
    await app[TRACKERS].close()


def setup_routes(app: web.Application) -> None:
    """Register ``POST /api/feedback`` and what it needs while the app runs."""
    app[TRACKERS] = TrackerReader(app[ENGINE])
    app.cleanup_ctx.append(feedback_ctx)
    app.router.add_post("/api/feedback", feedback)
