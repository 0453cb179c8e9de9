"""Relay chat turns to the engine's REST channel, with a timeout and a polite failure."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import aiohttp


class EngineUnavailable(Exception):
    """The engine did not answer in time, or answered with an error."""


@dataclass
class EngineClient:
    """A pooled HTTP client to the engine(s) (one per gateway process).

    With several engines (cluster profile) each conversation goes to the engine its id
    hashes to; any engine could serve it (trackers and locks are shared), so this only
    spreads the load.
    """

    base_url: str
    timeout_s: float = 8.0
    more_urls: tuple[str, ...] = ()
    _session: aiohttp.ClientSession | None = None

    def url_for(self, sender: str) -> str:
        """The engine a conversation goes to."""
        urls = (self.base_url, *[u for u in self.more_urls if u != self.base_url])
        return urls[zlib.crc32(sender.encode("utf-8")) % len(urls)]

    async def start(self) -> None:
        """Open the connection pool."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout_s),
            connector=aiohttp.TCPConnector(limit=64, keepalive_timeout=3),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()

    async def send(
        self, sender: str, message: str, *, channel: str, timeout_s: float | None = None
    ) -> list[dict[str, Any]]:
        """Send one user message; return the bot's messages.

        Raises:
            EngineUnavailable: On timeout, connection failure or an error status.
        """
        assert self._session is not None, "EngineClient.start() was not awaited"
        body = {"sender": sender, "message": message, "input_channel": channel}
        timeout = aiohttp.ClientTimeout(total=timeout_s or self.timeout_s)
        try:
            async with self._session.post(
                f"{self.url_for(sender)}/webhooks/rest/webhook", json=body, timeout=timeout
            ) as resp:
                if resp.status >= 400:
                    raise EngineUnavailable(f"engine answered {resp.status}")
                data = await resp.json()
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise EngineUnavailable(str(exc) or type(exc).__name__) from exc
        if not isinstance(data, list):
            raise EngineUnavailable("unexpected engine answer")
        return [m for m in data if isinstance(m, dict)]

    async def restart_conversation(self, sender: str) -> None:
        """Start the conversation afresh (the kiosk's idle wipe)."""
        await self.send(sender, "/restart", channel="kiosk")
