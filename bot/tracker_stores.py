"""The scale-out profile's tracker store: Rasa's SQL store, surviving a PostgreSQL outage.

``bot/endpoints.cluster.yml`` names it as its tracker store's ``type``. Rasa builds a
custom store from that file with the endpoint's ``url`` as ``host`` and every other key
(``dialect``, ``port``, ``db``, ``username``, ``password``) as keyword arguments, exactly
as for its own SQL store, and wraps it, like every store, in its
``FailSafeTrackerStore``. Two things go wrong with Rasa's own store and wrapper when the
database goes away:

1. The fail-safe wrapper *saves* to memory when the database fails, but *reads* nothing
   back (its ``retrieve`` returns None), so every turn during an outage started a new
   conversation and no booking form could get past its first question. This store keeps
   what it could not write in memory and reads it back while the database is
   unreachable, so a conversation carries on (on its engine: the gateway keeps it there)
   and the actions can tell the person what needs the database. Turns made during the
   outage are not written to the database afterwards (the engine log records the
   outage), and a conversation's memory copy is dropped once the database takes its
   turns again, so a later outage never resumes from a stale one.

2. Rasa's engine options (``create_engine_kwargs``) set no ``pool_pre_ping``, so after an
   outage every stale pooled connection failed one turn. This store's pool checks a
   connection before using it, so the engine recovers by itself.

With ``CHUANGKOU_ENGINE_PATCHES=off`` (bisecting) it is exactly Rasa's ``SQLTrackerStore``.
The Rasa code it relies on is fingerprinted in :mod:`bot.engine_patches` and checked at
start; ``bot.engine_patches.storecheck`` checks the behaviour.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.engine_patches import enabled

logger = logging.getLogger(__name__)


class OutageTolerantSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with a pinging pool and reads that survive an outage."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        """Connect as Rasa's SQL store does (same keyword arguments), then rebuild the pool.

        Args:
            domain: The assistant's domain (Rasa sets it again when a model loads).
            kwargs: Rasa's ``SQLTrackerStore`` arguments (``host``, ``dialect``,
                ``port``, ``db``, ``username``, ``password``, ``event_broker`` …).
        """
        self._fixes = enabled()
        super().__init__(domain, **kwargs)
        # Where turns go while the database is unreachable (no event broker: Rasa's
        # save has streamed the events already before it failed to write them).
        self._outage = InMemoryTrackerStore(self._domain)
        if self._fixes:
            # The engine Rasa made (tables created, database made from ``login_db`` if
            # asked), rebuilt with the same URL and options plus a ping before each use.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, **create_engine_kwargs(url), pool_pre_ping=True)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    @property
    def domain(self) -> Domain:
        """The domain, shared with the memory kept during an outage."""
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        # Rasa sets it on every model load, through its fail-safe wrapper.
        self._domain = domain or Domain.empty()
        self._outage.domain = self._domain

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation from the database; while it is unreachable, from memory."""
        if not self._fixes:
            return await super().retrieve(sender_id)
        try:
            return await super().retrieve(sender_id)
        except Exception as e:  # as broad as Rasa's fail-safe wrapper: any store failure
            logger.error(
                "Could not read conversation %s from the tracker store (%s); "
                "reading the turns kept in memory instead.",
                sender_id,
                e,
            )
            return await self._outage.retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the turns to the database; while it is unreachable, keep them in memory."""
        if not self._fixes:
            await super().save(tracker)
            return
        try:
            await super().save(tracker)
        except Exception as e:  # as broad as Rasa's fail-safe wrapper: any store failure
            logger.error(
                "Could not write conversation %s to the tracker store (%s); "
                "keeping its turns in memory until the database is back.",
                tracker.sender_id,
                e,
            )
            await self._outage.save(tracker)
        else:
            self._outage.store.pop(tracker.sender_id, None)
