"""Tracker store outage (scale-out profile, trackers in PostgreSQL).

1. Rasa's fail-safe store already *saves* to memory when the database fails, but *reads*
   nothing back, so every turn during an outage started a new conversation and no
   booking form could get past its first question. Reads now fall back to the same
   memory, so a conversation carries on (on its engine: the gateway keeps it there) and
   the actions can tell the person what needs the database. Turns made during the outage
   are not written to the database afterwards; the engine log records the outage.

2. The SQL tracker store's pool checks a connection before using it, so that after an
   outage the engine recovers by itself instead of failing a turn per stale pooled
   connection (Rasa's own ``create_engine_kwargs`` sets no ``pool_pre_ping``).
"""

from __future__ import annotations

from typing import Any

import rasa.core.tracker_store as rasa_tracker_store
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

_rasa_engine_kwargs = rasa_tracker_store.create_engine_kwargs


def _engine_kwargs(url: Any) -> dict[str, Any]:
    kwargs = _rasa_engine_kwargs(url)
    if rasa_tracker_store.is_postgresql_url(url):
        kwargs["pool_pre_ping"] = True
    return kwargs


async def _retrieve(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as exc:  # as broad as Rasa's own save(): any store failure
        self.on_tracker_store_retrieve_error(exc)
        return await self.fallback_tracker_store.retrieve(sender_id)


rasa_tracker_store.create_engine_kwargs = _engine_kwargs
FailSafeTrackerStore.retrieve = _retrieve  # type: ignore[method-assign]
