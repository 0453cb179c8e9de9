"""Fixes to Rasa 3.6 (ENGINE runtime), applied at engine start.

1. Tracker store outage (scale-out profile, trackers in PostgreSQL). Rasa's fail-safe
   store already *saves* to memory when the database fails, but *reads* nothing back,
   so every turn during an outage started a new conversation and no booking form could
   get past its first question. Reads now fall back to the same memory, so a
   conversation carries on (on its engine: the gateway keeps it there) and the actions
   can tell the person what needs the database. Turns made during the outage are not
   written to the database afterwards; the engine log records the outage.

2. The SQL tracker store's pool checks a connection before using it, so that after a
   PostgreSQL outage the engine recovers by itself instead of failing a turn per stale
   pooled connection (Rasa's own ``create_engine_kwargs`` sets no ``pool_pre_ping``).

3. One measured fix to the hot path.

Profiling a chat turn with a custom action (py-spy, ``make bench``) showed ~65% of the
engine's time in ``RemoteAction._validate_action_result``: it calls
``jsonschema.validate``, which re-checks the (constant) response schema against the JSON
Schema meta-schema on every action call. This replaces it with the same validation —
same schema, same error chosen by ``best_match``, same message — using a validator built
once. Imported by ``bot.channels.rest``, which Rasa loads at start-up.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import rasa.core.tracker_store as tracker_store
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.trackers import DialogueStateTracker


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every action call
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
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


RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


_rasa_engine_kwargs = tracker_store.create_engine_kwargs


def _engine_kwargs(url: Any) -> dict[str, Any]:
    kwargs = _rasa_engine_kwargs(url)
    if tracker_store.is_postgresql_url(url):
        kwargs["pool_pre_ping"] = True
    return kwargs


tracker_store.create_engine_kwargs = _engine_kwargs


async def _retrieve(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as exc:  # as broad as Rasa's own save(): any store failure
        self.on_tracker_store_retrieve_error(exc)
        return await self.fallback_tracker_store.retrieve(sender_id)


FailSafeTrackerStore.retrieve = _retrieve  # type: ignore[method-assign]
