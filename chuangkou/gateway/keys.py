"""Typed application keys of the gateway."""

from __future__ import annotations

from aiohttp import web

from chuangkou.clerks import ClerkView
from chuangkou.gateway.engine_client import EngineClient
from chuangkou.gateway.ratelimit import RateLimiter
from chuangkou.services import Runtime
from chuangkou.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", EngineClient)
LIMITER = web.AppKey("limiter", RateLimiter)
# The database, calendar and catalog cache: built in the app's cleanup context.
RUNTIME = web.AppKey("runtime", Runtime)
CLERK = web.RequestKey("clerk", ClerkView)
