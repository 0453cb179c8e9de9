"""The pages: the chat widget (/), its embed snippet and static files."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).with_name("static")
# The chat page may be embedded by other sites (that is what embed.js does); every other
# page keeps frame-ancestors 'none'.
EMBEDDABLE = frozenset({"/"})


async def chat_page(_request: web.Request) -> web.FileResponse:
    """The WeChat-style chat widget."""
    return web.FileResponse(STATIC / "chat.html")


async def clerk_page(_request: web.Request) -> web.FileResponse:
    """The clerk console (its API needs a session; the page itself shows only a login)."""
    return web.FileResponse(STATIC / "clerk.html")


async def kiosk_page(_request: web.Request) -> web.FileResponse:
    """The hall kiosk (touch only)."""
    return web.FileResponse(STATIC / "kiosk.html")


async def checklist_page(_request: web.Request) -> web.FileResponse:
    """A document checklist opened from the kiosk's QR code."""
    return web.FileResponse(STATIC / "checklist.html")


def setup_routes(app: web.Application) -> None:
    """Register the pages and the static files."""
    app.router.add_get("/kiosk", kiosk_page)
    app.router.add_get("/checklist", checklist_page)
    app.router.add_get("/", chat_page)
    app.router.add_get("/clerk", clerk_page)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
