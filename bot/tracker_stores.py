"""Tracker stores: a turn costs the same at turn 200 as at turn 2, and surviving an outage.

**Recent turns.** Rasa rebuilt a conversation from every event it ever had on every turn
(the in-memory store even re-serialised the whole conversation on every save) and sent
all of them to the action server, so a turn of a 200-turn conversation took seven times
as long as the first. Nothing needs the old events: the turn action keeps the
conversation's memory in one slot, set again every turn, and the policy reads only the
latest message. :class:`RecentTurnsInMemoryTrackerStore` (embedded profile) and the SQL
store below therefore hand the engine a tracker of the last :data:`RECENT_TURNS` user
turns, and append on save only the events that tracker gained; every event is still
kept (``GET /conversations/{id}/tracker`` reads them all). The stores are named in
``bot/endpoints.yml`` and ``bot/endpoints.cluster.yml`` (Rasa's extension point);
``bot.engine_patches.storecheck`` checks the behaviour.

**The scale-out profile's store**: Rasa's SQL store, surviving a PostgreSQL outage.

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

With ``CHUANGKOU_ENGINE_PATCHES=off`` (bisecting) both stores are exactly Rasa's.
The Rasa code it relies on is fingerprinted in :mod:`bot.engine_patches` and checked at
start; ``bot.engine_patches.storecheck`` checks the behaviour.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.engine_patches import enabled

logger = logging.getLogger(__name__)

#: The user turns a retrieved tracker holds: the latest and the two before it.
RECENT_TURNS = 3
# How many of a tracker's events its store already holds (set on retrieve and save), so
# that a save appends only the rest.
_STORED = "_chuangkou_stored"


def recent(events: list[dict[str, Any]], turns: int = RECENT_TURNS) -> list[dict[str, Any]]:
    """The events of a conversation's last ``turns`` user turns (all, when it had fewer).

    The window starts at a user message, after the last session start, so that what the
    engine replays is whole turns of the current session.
    """
    start = 0
    users = []
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == SessionStarted.type_name:
            start, users = index, []
        elif kind == UserUttered.type_name:
            users.append(index)
    if len(users) > turns:
        start = users[-turns]
    return events[start:]


def _stored(tracker: DialogueStateTracker) -> int | None:
    value = getattr(tracker, _STORED, None)
    return value if isinstance(value, int) else None


class RecentTurnsInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory store, handing out the recent turns and appending on save."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        """As Rasa's in-memory store (same keyword arguments)."""
        self._recent = enabled()
        self._events: dict[str, list[dict[str, Any]]] = {}
        super().__init__(domain or Domain.empty(), **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events the tracker gained since it was retrieved (or last saved)."""
        if not self._recent:
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        stored = _stored(tracker)
        kept = self._events.setdefault(tracker.sender_id, [])
        if stored is None:
            kept.clear()  # a tracker this store did not hand out: it is the whole story
            stored = 0
        kept.extend(e.as_dict() for e in itertools.islice(tracker.events, stored, None))
        setattr(tracker, _STORED, len(tracker.events))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's recent turns."""
        if not self._recent:
            return await super().retrieve(sender_id)
        return self._tracker(sender_id, full=False)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """Every event of the conversation."""
        if not self._recent:
            return await super().retrieve_full_tracker(sender_id)
        return self._tracker(sender_id, full=True)

    async def keys(self) -> Iterable[str]:
        """The conversations held."""
        if not self._recent:
            return await super().keys()
        return list(self._events)

    def _tracker(self, sender_id: str, *, full: bool) -> DialogueStateTracker | None:
        kept = self._events.get(sender_id)
        if not kept:
            return None
        # Each event dict is copied through JSON: the tracker must not share the kept ones.
        events = json.loads(json.dumps(kept if full else recent(kept)))
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not full:
            setattr(tracker, _STORED, len(events))
        return tracker


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

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The current session's recent turns (all of them for the full tracker)."""
        if not self._fixes or fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            first = self._recent_start(session, sender_id)
            rows = (
                session.query(self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= first)
                .order_by(self.SQLEvent.id)
                .all()
            )
        events = [json.loads(data) for (data,) in rows]
        if not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, _STORED, len(events))
        return tracker

    def _recent_start(self, session: Any, sender_id: str) -> int:
        """The id where the recent turns begin.

        The third-last user message of the session, or the session's start when it has
        fewer.
        """
        event = self.SQLEvent
        mine = session.query(event.id).filter(event.sender_id == sender_id)
        started = mine.filter(event.type_name == SessionStarted.type_name)
        session_start = started.order_by(event.id.desc()).limit(1).scalar() or 0
        users = (
            mine.filter(event.type_name == UserUttered.type_name, event.id >= session_start)
            .order_by(event.id.desc())
            .offset(RECENT_TURNS - 1)
            .limit(1)
            .scalar()
        )
        return max(int(users or 0), int(session_start))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        """The events the tracker gained since it was retrieved (or last saved)."""
        stored = _stored(tracker) if self._fixes else None
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

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
            setattr(tracker, _STORED, len(tracker.events))
            self._outage.store.pop(tracker.sender_id, None)
