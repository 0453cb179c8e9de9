"""Gateway fixtures: the app over a loaded catalog, and a fake engine to relay to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from chuangkou.gateway.app import create_app
from chuangkou.settings import Settings


class FakeEngine:
    """Stands in for the engine's REST channel; records what it was sent."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.reply: list[dict[str, Any]] = [
            {
                "text": "好的",
                "buttons": [
                    {"title": "新办", "payload": '/choose_business_type{"business_type":"新办"}'}
                ],
            }
        ]
        self.delay_s = 0.0

    def app(self) -> web.Application:
        """The fake engine's web application."""

        async def webhook(request: web.Request) -> web.Response:
            import asyncio

            self.received.append(await request.json())
            await asyncio.sleep(self.delay_s)
            return web.json_response(self.reply)

        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", webhook)
        return app


@pytest.fixture
async def fake_engine() -> AsyncIterator[tuple[FakeEngine, str]]:
    fake = FakeEngine()
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def client(
    fake_engine: tuple[FakeEngine, str], loaded_engine: Engine
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    _, url = fake_engine
    settings = replace(
        Settings(),
        database_url=str(loaded_engine.url),
        engine_port=int(url.rsplit(":", 1)[1]),
        wechat_token="test-token",
        chat_rate_per_minute=1000,
    )
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client
