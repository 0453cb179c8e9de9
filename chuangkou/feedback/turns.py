"""What one answered turn of a conversation was, read from the engine's tracker events.

The widget numbers the turns it got an answer to (1 = the greeting); the tracker's events
are counted the same way: a turn is a user message followed by at least one bot message,
so a message the engine took but did not answer (the action server failing) is no turn
on either side. Counting runs over every event of the conversation, across restarts and
session starts, because the widget's count does not restart either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The slot holding the conversation's memory (``chuangkou.dialogue.state.State``).
STATE_SLOT = "dialogue_state"
ITEM_CODE = re.compile(r"^[A-Z]{2}\d{2}$")
# Response variables that show the answer is about one item.
_ITEM_VARIABLES = ("item_name", "item_label")


@dataclass(frozen=True)
class TurnFacts:
    """What the dashboard needs of an answer: never the person's words.

    Attributes:
        turn: The answered turn's number (1-based).
        intent: What the message was understood as (``ask_requirements``).
        responses: The response names of the answer, in order.
        item_code: The item the answer was about, or None.
    """

    turn: int
    intent: str
    responses: tuple[str, ...]
    item_code: str | None


@dataclass
class _Open:
    intent: str
    responses: list[str] = field(default_factory=list)
    item_names: list[str] = field(default_factory=list)
    answered: bool = False
    mentions_item: bool = False


def _code(value: Any) -> str | None:
    return value if isinstance(value, str) and ITEM_CODE.match(value) else None


def _item(
    turn: _Open, state: Mapping[str, Any], code_of_name: Callable[[str], str | None]
) -> str | None:
    """The item of an answer: the one it names, else the one under discussion.

    An answer about a booking names the booking's item, which need not be the item the
    conversation was discussing; so a name is looked up first. A booking in progress is
    about its item even where a question ("您的姓名？") names none.
    """
    for name in turn.item_names:
        code = code_of_name(name)
        if code is not None:
            return code
    booking = state.get("booking")
    if isinstance(booking, Mapping) and _code(booking.get("item")):
        return _code(booking.get("item"))
    return _code(state.get("item")) if turn.mentions_item else None


def answered_turn(
    events: Iterable[Any],
    turn: int,
    *,
    code_of_name: Callable[[str], str | None] = lambda _name: None,
) -> TurnFacts | None:
    """The ``turn``-th answered turn of a conversation's events.

    Args:
        events: The tracker's events (``GET /conversations/{id}/tracker``), oldest first.
        turn: Which answered turn (1-based).
        code_of_name: The item code of an item name (the catalog's), None if unknown.

    Returns:
        Its facts, or None when the conversation has no such turn.
    """
    state: Mapping[str, Any] = {}
    current: _Open | None = None
    count = 0

    def close() -> TurnFacts | None:
        nonlocal count
        if current is None or not current.answered:
            return None
        count += 1
        if count != turn:
            return None
        return TurnFacts(
            turn, current.intent, tuple(current.responses), _item(current, state, code_of_name)
        )

    for event in events:
        if not isinstance(event, Mapping):
            continue
        kind = event.get("event")
        if kind in ("user", "restart", "session_started"):
            found = close()
            if found is not None:
                return found
            current = None
            if kind == "user":
                parse = event.get("parse_data")
                intent = parse.get("intent") if isinstance(parse, Mapping) else None
                name = intent.get("name") if isinstance(intent, Mapping) else None
                current = _Open(intent=str(name or "")[:80])
            else:
                state = {}  # a restart and a new session both start with empty slots
        elif kind == "bot" and current is not None:
            current.answered = True
            metadata = event.get("metadata")
            if not isinstance(metadata, Mapping):
                continue
            response = metadata.get("utter_action")
            if isinstance(response, str) and response:
                current.responses.append(response[:80])
            name = metadata.get("item_name")
            if isinstance(name, str) and name:
                current.item_names.append(name)
            current.mentions_item |= any(metadata.get(v) for v in _ITEM_VARIABLES)
        elif kind == "slot" and event.get("name") == STATE_SLOT:
            value = event.get("value")
            state = value if isinstance(value, Mapping) else {}
    return close()
