"""A TCP proxy for fault tests: cut a link and restore it, or fire a fault mid-request.

The PostgreSQL and Redis servers are shared with other work on this machine, so a test
cannot stop them; it puts this proxy between the stack and the server and cuts that link
instead. The same proxy, with a tap, lets a test kill the action server at an exact
moment of one request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.utils.stack import free_port


@dataclass
class Tap:
    """Fire ``fault`` once, on the first request whose bytes contain ``marker``.

    ``when="request"``: as soon as the request is seen, before it reaches the server
    (the server never does the work). ``when="response"``: after the server did the
    work and answered, before the answer reaches the client (the work is done, the
    client never hears of it). Either way the client's connection is then dropped.
    """

    marker: bytes
    when: Literal["request", "response"]
    fault: Callable[[], None]
    fired: threading.Event = field(default_factory=threading.Event)


class TcpProxy:
    """Listens on a free 127.0.0.1 port and relays every connection to ``upstream``."""

    def __init__(self, upstream_port: int, *, tap: Tap | None = None) -> None:
        self.port = free_port()
        self.upstream_port = upstream_port
        self.tap = tap
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def __exit__(self, *_exc: object) -> None:
        self._call(self._close_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def cut(self) -> None:
        """Refuse new connections and drop every open one (the server is 'gone')."""
        self._call(self._close_all())

    def restore(self) -> None:
        """Accept connections again (the server is 'back')."""
        self._call(self._listen())

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True
            )

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        marked = asyncio.Event()

        async def to_server() -> None:
            seen = b""
            while data := await reader.read(65536):
                tap = self.tap
                if tap is not None and not tap.fired.is_set() and not marked.is_set():
                    seen += data
                    if tap.marker in seen:
                        if tap.when == "request":
                            tap.fired.set()
                            await asyncio.to_thread(tap.fault)
                            writer.transport.abort()
                            up_writer.transport.abort()
                            return
                        marked.set()
                up_writer.write(data)
                await up_writer.drain()
            if up_writer.can_write_eof():
                up_writer.write_eof()

        async def to_client() -> None:
            while data := await up_reader.read(65536):
                tap = self.tap
                if marked.is_set() and tap is not None and not tap.fired.is_set():
                    tap.fired.set()
                    await asyncio.to_thread(tap.fault)
                    writer.transport.abort()
                    up_writer.transport.abort()
                    return
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

        try:
            await asyncio.gather(to_server(), to_client())
        except (ConnectionError, OSError):
            pass
        finally:
            for w in (writer, up_writer):
                w.transport.abort()
                self._writers.discard(w)
