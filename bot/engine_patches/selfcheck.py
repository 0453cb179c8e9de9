"""Check, in the engine runtime, that the action-call patches agree with Rasa's own.

Run by ``tests/engine/test_engine_patches.py`` with the engine's Python:
``python -m bot.engine_patches.selfcheck`` exits non-zero on any disagreement.

- The response-validation shortcut, on responses built to hit each of its branches,
  good and bad: the same verdict and the same error message as ``jsonschema.validate``.
- The shared session: Rasa's own ``EndpointConfig.request`` answers, headers and errors
  are the same through it as with Rasa's session per call, and two calls go out on one
  connection (with Rasa's own, on two).
"""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import sys
from collections.abc import Callable
from typing import Any

from aiohttp import web
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.engine_patches import install, installed
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


async def _calls(session: Callable[..., Any]) -> dict[str, Any]:
    """Three calls through Rasa's ``EndpointConfig.request`` with ``session`` as its seam."""
    seen: list[tuple[int, str | None, str | None]] = []

    async def webhook(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen.append((peer[1] if peer else 0, request.headers.get("X-Ck"), request.content_type))
        return web.json_response({"events": [], "got": await request.json()})

    async def broken(_request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    app.router.add_post("/webhook/broken", broken)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    rasa_session = EndpointConfig.session
    EndpointConfig.session = session  # type: ignore[method-assign]
    try:
        endpoint = EndpointConfig(
            f"http://127.0.0.1:{sock.getsockname()[1]}/webhook", headers={"X-Ck": "1"}
        )
        answers = [await endpoint.request(json={"n": n}) for n in (1, 2)]
        try:
            await endpoint.request(subpath="broken", json={})
            error = "no error"
        except ClientResponseError as e:
            error = f"{type(e).__name__} {e.status} {e}"
        lent = endpoint.__dict__.get("_ck_session")
        if lent is not None:
            await lent[1].close()
    finally:
        EndpointConfig.session = rasa_session  # type: ignore[method-assign]
        await runner.cleanup()
    return {
        "answers": answers,
        "error": error,
        "headers": [(key, ctype) for _, key, ctype in seen],
        "connections": len({port for port, _, _ in seen}),
    }


def _session_failures() -> list[tuple[str, Any, Any]]:
    patch = installed()["action_calls.shared_session"]
    rasa = asyncio.run(_calls(patch.original))
    shared = asyncio.run(_calls(patch.replacement))
    failures = [
        (f"shared session: {key}", rasa[key], shared[key])
        for key in ("answers", "error", "headers")
        if rasa[key] != shared[key]
    ]
    if (rasa["connections"], shared["connections"]) != (2, 1):
        failures.append(("connections for two calls", rasa["connections"], shared["connections"]))
    return failures


def main() -> int:
    """Compare the patched validation and session with Rasa's own."""
    install()
    failures = _session_failures()
    for result in [*_GOOD, *_BAD]:
        rasa, patched = _rasa_says(result), _patched_says(result)
        if rasa != patched or (_quick_valid(result) and rasa is not None):
            failures.append((json.dumps(result, ensure_ascii=False), rasa, patched))
    for result in _GOOD:
        if not _quick_valid(result):
            failures.append((json.dumps(result, ensure_ascii=False), "quick path", "not taken"))
    for failure in failures:
        print("DISAGREE", *failure, sep="\n  ")
    print(
        f"checked {len(_GOOD) + len(_BAD)} responses and the shared session, "
        f"{len(failures)} disagreements"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
