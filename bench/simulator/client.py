"""Talk to the engine: send a message on the REST channel, read the bot's turn back.

What the bot *asked* is read from the conversation tracker, not from its words: each bot
event carries the response name (``utter_action`` or ``template``) and the template
variables in its metadata.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

RESPONSE_KEYS = ("utter_action", "template")


class EngineError(Exception):
    """The engine did not answer (down, timed out, or an HTTP error)."""


@dataclass(frozen=True)
class Button:
    """A quick-reply button."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One bot message as the tracker holds it."""

    response: str | None
    text: str
    buttons: tuple[Button, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def _bot_message(event: dict[str, Any]) -> BotMessage:
    meta = event.get("metadata") or {}
    response = next((meta[k] for k in RESPONSE_KEYS if isinstance(meta.get(k), str)), None)
    data = event.get("data") or {}
    buttons = tuple(
        Button(str(b.get("title", "")), str(b.get("payload", "")))
        for b in (data.get("buttons") or [])
        if isinstance(b, dict)
    )
    return BotMessage(response, str(event.get("text") or ""), buttons, dict(meta))


class EngineClient:
    """HTTP client of one engine (REST channel and tracker API)."""

    def __init__(self, base_url: str, *, timeout: float = 60) -> None:
        """Point the client at an engine.

        Args:
            base_url: The engine's base URL (``http://127.0.0.1:5005``).
            timeout: Seconds to wait for each answer.
        """
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _request(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            headers={"Content-Type": "application/json"},
            method="POST" if body is not None else "GET",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise EngineError(f"{path}: {exc}") from exc

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Send one message (text or a button payload) and return the channel's answer.

        Args:
            sender: The conversation id.
            message: What the person typed or the payload of the button tapped.

        Returns:
            The REST channel's messages.
        """
        answer = self._request("/webhooks/rest/webhook", {"sender": sender, "message": message})
        return list(answer) if isinstance(answer, list) else []

    def events(self, sender: str) -> list[dict[str, Any]]:
        """The conversation's tracker events."""
        quoted = urllib.parse.quote(sender, safe="")
        tracker = self._request(f"/conversations/{quoted}/tracker")
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return list(events or [])

    def last_bot_turn(self, sender: str) -> list[BotMessage]:
        """The bot messages after the person's last message."""
        events = self.events(sender)
        last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
        return [_bot_message(e) for e in events[last_user + 1 :] if e.get("event") == "bot"]

    def turn(self, sender: str, message: str) -> list[BotMessage]:
        """Send a message and read the bot's turn from the tracker.

        Args:
            sender: The conversation id.
            message: The text or payload.

        Returns:
            The bot's messages of this turn.
        """
        self.send(sender, message)
        return self.last_bot_turn(sender)
