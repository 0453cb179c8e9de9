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

2. A new HTTP session per call (~9%). ``EndpointConfig.request`` opened an aiohttp
   session, hence a new connection, for every action call. Calls now share one session
   per endpoint and event loop. Its idle connections are closed after
   ``KEEPALIVE_S``, well before the action server's keep-alive (120 s in rasa-sdk)
   would close them, so a call never goes out on a connection the server has dropped.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from functools import lru_cache
from typing import Any

import aiohttp
from aiohttp import ContentTypeError
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

KEEPALIVE_S = 10.0


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


def _shared_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    # Kept on the endpoint itself: one per endpoint, remade if the loop changed or the
    # session was closed.
    loop = asyncio.get_running_loop()
    cached: tuple[Any, aiohttp.ClientSession] | None = getattr(endpoint, "_ck_session", None)
    if cached is not None and cached[0] is loop and not cached[1].closed:
        return cached[1]
    auth = (
        aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
        if endpoint.basic_auth
        else None
    )
    session = aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
    )
    endpoint._ck_session = (loop, session)  # type: ignore[attr-defined]
    return session


async def _request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    # Rasa's own EndpointConfig.request, line for line, but on the shared session.
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs["headers"])
        del kwargs["headers"]
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from e
    session = _shared_session(self)
    async with session.request(
        method,
        url,
        headers=headers,
        params=self.combine_parameters(kwargs),
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
EndpointConfig.request = _request  # type: ignore[method-assign]
