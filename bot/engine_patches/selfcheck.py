"""Check, in the engine runtime, that the patched paths agree with Rasa's own.

Run by ``tests/engine/test_engine_patches.py`` with the engine's Python:
``python -m bot.engine_patches.selfcheck`` exits non-zero on the first disagreement.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot.engine_patches.action_calls import _quick_valid, _validate_action_result

_GOOD: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "booking_token", "value": "abc", "timestamp": None},
            {"event": "slot", "name": "docs", "value": {"营业执照": {"has": True}}},
            {"event": "slot", "name": "n", "value": None, "timestamp": 1.5, "metadata": {}},
            {"event": "slot", "name": "n", "value": [1], "timestamp": 3, "metadata": None},
            {"event": "followup", "name": "booking_form"},
            {"event": "active_loop", "name": None},
            {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
            {"event": "reset_slots"},
            {"event": "restart", "metadata": {"x": 1}},
            {"event": "bot", "text": "您好", "data": {"buttons": []}},
            {
                "event": "user",
                "text": "电梯",
                "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []},
            },
        ],
        "responses": [{"text": "好的", "buttons": [{"title": "是", "payload": "/affirm"}]}],
    },
]
_BAD: list[Any] = [
    [],
    {"events": {}},
    {"events": [1]},
    {"events": [{"name": "x"}]},
    {"events": [{"event": "slot", "value": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": ["slot"]}]},
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "slot", "name": "a"}]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": True}]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "metadata": []}]},
    {"events": [{"event": "slot", "name": None, "value": 1}]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "entities"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"start": 0}]}}]},
    {"responses": [1]},
    {"responses": None},
]


def _rasa_says(result: Any) -> str | None:
    try:
        validate(result, RemoteAction.action_response_format_spec())
    except ValidationError as e:
        return e.message
    return None


def _patched_says(result: Any) -> str | None:
    try:
        _validate_action_result(None, copy.deepcopy(result))  # type: ignore[arg-type]
    except ValidationError as e:
        return e.message.split(". Failed to validate", 1)[0]
    return None


def main() -> int:
    """Compare the patched validation with Rasa's own on good and bad responses."""
    failures = []
    for result in [*_GOOD, *_BAD]:
        rasa, patched = _rasa_says(result), _patched_says(result)
        if rasa != patched or (_quick_valid(result) and rasa is not None):
            failures.append((json.dumps(result, ensure_ascii=False), rasa, patched))
    for result in _GOOD:
        if not _quick_valid(result):
            failures.append((json.dumps(result, ensure_ascii=False), "quick path", "not taken"))
    for failure in failures:
        print("DISAGREE", *failure, sep="\n  ")
    print(f"checked {len(_GOOD) + len(_BAD)} responses, {len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
