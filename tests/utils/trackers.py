"""Build rasa-sdk trackers for action tests without listing every slot."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest user message is ``text`` classified as ``intent``."""
    return Tracker(
        sender_id="test",
        slots=dict(slots or {}),
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
