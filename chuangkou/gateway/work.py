"""Blocking work of the gateway's handlers, run off the event loop.

Database queries, password hashing and the catalog's version check all block; on the
loop they would hold up every other conversation. Handlers hand them to a worker thread
with :func:`blocking` or, when they need the current catalog and desk, :func:`with_services`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import TypeVar

from aiohttp import web
from sqlalchemy.exc import DBAPIError

from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import RUNTIME
from chuangkou.services import Services

T = TypeVar("T")
logger = logging.getLogger(__name__)
DAY_S = 24 * 3600


async def blocking(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a worker thread and wait for it without blocking the loop."""
    return await asyncio.to_thread(fn)


async def with_services(request: web.Request, fn: Callable[[Services], T]) -> T:
    """Run ``fn`` with the current services (catalog, matcher, desk) in a worker thread.

    Raises:
        web.HTTPServiceUnavailable: When no catalog is loaded yet.
    """
    runtime = request.app[RUNTIME]
    try:
        return await asyncio.to_thread(lambda: fn(runtime.services()))
    except CatalogNotLoaded:
        raise http_error(503, "catalog_unavailable") from None


@asynccontextmanager
async def daily(job: Callable[[], int], what: str) -> AsyncIterator[None]:
    """Run ``job`` off the loop at start and then once a day, while the context is open.

    Args:
        job: Blocking work returning how many rows it changed (logged when any).
        what: What the rows are, for the log ("personal data of bookings").
    """

    async def loop() -> None:
        while True:
            try:
                # Off the event loop: a slow database must not hold up the chat.
                changed = await asyncio.to_thread(job)
                if changed:
                    logger.info("retention: erased %s: %d", what, changed)
            except (DBAPIError, CatalogNotLoaded):
                logger.warning("retention: database or catalog unavailable (%s); tomorrow", what)
            await asyncio.sleep(DAY_S)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
