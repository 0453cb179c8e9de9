"""A sliding-window rate limit per key (IP address, chat session, WeChat user)."""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    """At most ``limit`` events per ``window_s`` seconds for each key."""

    def __init__(self, limit: int, window_s: float, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record an event for ``key``; False when it exceeds the limit.

        Args:
            key: Who is acting.
            now: The current monotonic time (tests pass their own).

        Returns:
            Whether the event is allowed.
        """
        now = time.monotonic() if now is None else now
        if len(self._events) > self._max_keys:
            # Forget idle keys rather than grow without bound under a flood of addresses.
            self._events = {
                k: v for k, v in self._events.items() if v and v[-1] > now - self.window_s
            }
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True
