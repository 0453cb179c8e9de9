"""Blocking work of the gateway's handlers, run off the event loop.

Database queries, password hashing and the catalog's version check all block; on the
loop they would hold up every other conversation. Handlers hand them to a worker thread
with :func:`blocking` or, when they need the current catalog and desk, :func:`with_services`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.gateway.errors import http_error
from chuangkou.gateway.keys import RUNTIME
from chuangkou.services import Services

T = TypeVar("T")


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
