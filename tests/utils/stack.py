"""Settings of a test's own stack: free ports, its own database, no chat rate limit."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

from chuangkou.settings import Settings


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports nothing listens on (engines take a run)."""
    while True:
        base = free_port()
        if base + count >= 65536:
            continue
        try:
            for offset in range(1, count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base


def stack_settings(database_url: str, **changes: Any) -> Settings:
    """The defaults (not this shell's environment) with free ports and ``database_url``.

    Pages and load tests come from one address; the rate limit has its own test.
    """
    profile = str(changes.get("profile", "embedded"))
    engines = int(changes.get("engines", 2 if profile == "cluster" else 1))
    base = replace(
        Settings(),
        profile=profile,
        engines=engines,
        database_url=database_url,
        engine_port=free_ports(engines),
        actions_port=free_port(),
        gateway_port=free_port(),
        chat_rate_per_minute=100_000,
        lock_prefix="cktest",
    )
    return replace(base, **changes)
