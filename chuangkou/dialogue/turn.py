"""One turn as the conversation sees it: what was typed or tapped, and the intent ranking."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Our buttons send "/choose{"kind": …, "value": …}"; Rasa's own form is "/intent{json}".
_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<body>\{.*\})?$", re.DOTALL)


@dataclass(frozen=True)
class Payload:
    """A button tap: the intent it names and its values."""

    intent: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """What arrived this turn.

    Attributes:
        text: What the person typed (numbers masked by the channel); "" for a tap.
        payload: The button tapped, if any.
        intents: Rasa's intent ranking, best first, as (name, confidence).
        sealed_phone: The first phone number typed, sealed by the channel.
        sender: The conversation id.
        channel: Where it came from (widget, kiosk, wechat, rest …).
        now: The bureaus' local time (naive) when the turn arrived.
    """

    text: str
    payload: Payload | None
    intents: tuple[tuple[str, float], ...]
    sealed_phone: str | None
    sender: str
    channel: str
    now: datetime

    @property
    def intent(self) -> str:
        """The best intent ("" when none)."""
        return self.intents[0][0] if self.intents else ""

    @property
    def confidence(self) -> float:
        """Its confidence."""
        return self.intents[0][1] if self.intents else 0.0

    def score(self, intent: str) -> float:
        """The confidence of one intent (0 when it is not ranked)."""
        return next((c for name, c in self.intents if name == intent), 0.0)


def read_payload(text: str) -> Payload | None:
    """A button payload ("/choose{...}", "/affirm"), or None for typed text."""
    found = _PAYLOAD.match(text.strip())
    if found is None:
        return None
    values: dict[str, Any] = {}
    if found.group("body"):
        try:
            parsed = json.loads(found.group("body"))
        except json.JSONDecodeError:
            return None
        if not isinstance(parsed, dict):
            return None
        values = parsed
    return Payload(found.group("intent"), values)


def choose(kind: str, value: str) -> str:
    """The payload of one of our buttons."""
    return "/choose" + json.dumps({"kind": kind, "value": value}, ensure_ascii=False)
