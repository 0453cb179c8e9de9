"""The cost of calling the action server, which every custom action pays.

1. Response validation (~65% of a turn before the first fix, ~12% after it). Rasa calls
   ``jsonschema.validate`` on every action response: it re-checks the constant schema
   against the meta-schema, then tries each event against all 23 event schemas of a
   ``oneOf``. The validator is now built once; and since every ``oneOf`` branch pins
   ``event`` to a distinct constant, an event can only match the branch of its own type,
   so each event is checked against that branch alone (written out in Python for
   ``slot`` events, the most common). Whenever that quick check finds
   anything wrong, the full validation runs, so the error raised (chosen by
   ``best_match``) and its message are exactly Rasa's.

2. A new HTTP session per call (~9%). ``EndpointConfig.request`` opens its session with
   ``async with self.session() as session``, so every action call made a new aiohttp
   session, hence a new connection. Only that seam is replaced: ``EndpointConfig.session``
   now lends one shared session per endpoint and event loop, made by Rasa's own
   ``session()`` (same headers, auth and timeout), and leaving the ``async with`` keeps it
   open. ``EndpointConfig.request`` itself runs unchanged (it is fingerprinted as a
   reliance, since the sharing depends on it opening its session through ``session()``).
   Idle connections are closed after aiohttp's keep-alive (15 s), well before the action
   server's (120 s in rasa-sdk) would close them, so a call never goes out on a
   connection the server has dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import aiohttp
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every action call
    return cls(schema)


@lru_cache(maxsize=1)
def _event_validators() -> dict[str, Any]:
    """One validator per event type: the event schema with only its own branch."""
    events = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]
    base = {k: v for k, v in events.items() if k != "oneOf"}
    out: dict[str, Any] = {}
    for branch in events["oneOf"]:
        event_type = branch["properties"]["event"]["const"]
        schema = {"allOf": [base, branch]}
        out[event_type] = validator_for(schema)(schema)
    return out


def _is_number_or_null(value: Any) -> bool:
    # JSON Schema's "number" is int or float but not bool (jsonschema's own rule).
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _slot_event_valid(event: dict[str, Any]) -> bool:
    """The event schema with the ``slot`` branch, written out (most events are slots)."""
    return (
        isinstance(event.get("name"), str)
        and "value" in event
        and ("timestamp" not in event or _is_number_or_null(event["timestamp"]))
        and (
            "metadata" not in event
            or event["metadata"] is None
            or isinstance(event["metadata"], dict)
        )
    )


def _quick_valid(result: Any) -> bool:
    """True only when the full schema would accept ``result``; False means 'check fully'."""
    if not isinstance(result, dict):
        return False
    responses = result.get("responses", [])
    if not isinstance(responses, list) or not all(isinstance(r, dict) for r in responses):
        return False
    events = result.get("events", [])
    if not isinstance(events, list):
        return False
    validators = _event_validators()
    for event in events:
        if not isinstance(event, dict):
            return False
        event_type = event.get("event")
        if event_type == "slot":
            if not _slot_event_valid(event):
                return False
            continue
        validator = validators.get(event_type) if isinstance(event_type, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if _quick_valid(result):
        return True
    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def validate_action_result(_rasa: Callable[..., bool]) -> Callable[..., bool]:
    """``RemoteAction._validate_action_result``'s replacement (the quick check first)."""
    return _validate_action_result


class _Lent:
    """A shared session lent to one ``async with``: leaving it does not close the session.

    Anything else asked of it is the session's (``endpoint.session().get(...)`` works as
    with Rasa's own), so no caller of ``session()`` can tell the difference but that.
    """

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def shared_session(
    rasa_session: Callable[[EndpointConfig], aiohttp.ClientSession],
) -> Callable[[EndpointConfig], Any]:
    """``EndpointConfig.session``'s replacement: one session per endpoint and event loop."""

    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside a loop there is nothing to share: Rasa's own
            return rasa_session(self)
        # Kept on the endpoint itself; made again when the loop changed or it was closed.
        cached: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = self.__dict__.get(
            "_ck_session"
        )
        if cached is None or cached[0] is not loop or cached[1].closed:
            cached = (loop, rasa_session(self))
            self.__dict__["_ck_session"] = cached
        return _Lent(cached[1])

    session.__doc__ = "Lend the endpoint's shared aiohttp session (see bot.engine_patches)."
    return session
