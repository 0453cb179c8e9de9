"""Check, in the engine runtime, the tracker stores of ``bot/tracker_stores.py``.

Run by ``tests/engine/test_engine_tracker_store.py`` with the engine's Python:
``python -m bot.engine_patches.storecheck`` exits non-zero on the first failed check.
It needs no database server: the store runs on a SQLite file, and an outage is made by
pointing the store's sessions at a database file that cannot be opened (the real cut
PostgreSQL link is ``tests/cluster/test_postgres_outage.py``). It checks that

- Rasa builds the store named in ``bot/endpoints.cluster.yml`` (Rasa silently falls back
  to memory for a type it cannot load), through its own factory and fail-safe wrapper;
- its pool pings before use;
- while the database is unreachable a conversation's turns are kept and read back
  (Rasa's own SQL store, under the same wrapper, reads nothing back);
- when it is back, the database is read and written again and the memory copy dropped;
- with ``CHUANGKOU_ENGINE_PATCHES=off`` the store is Rasa's SQL store again;
- both profiles' stores (in memory, SQL) hand out the last turns with the memory slot,
  keep every event exactly as Rasa's own store of the same kind does (no event lost or
  written twice, however often a tracker is saved), and are Rasa's own when switched off.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import class_from_module_path
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.engine_patches import SWITCH
from bot.tracker_stores import (
    RECENT_TURNS,
    OutageTolerantSQLTrackerStore,
    RecentTurnsInMemoryTrackerStore,
)

ENDPOINTS = "bot/endpoints.cluster.yml"
EMBEDDED_ENDPOINTS = "bot/endpoints.yml"
STATE_SLOT = "dialogue_state"
LONG = 12  # turns of the long conversation
# What the stack derives for the endpoints file; only needed to read it here.
_ENDPOINT_VARIABLES = {
    "CHUANGKOU_ACTIONS_PORT": "5055",
    "CHUANGKOU_PG_HOST": "127.0.0.1",
    "CHUANGKOU_PG_PORT": "5432",
    "CHUANGKOU_TRACKER_DB": "chuangkou_trackers",
    "CHUANGKOU_PG_USER": "postgres",
    "CHUANGKOU_PG_PASSWORD": "",
    "CHUANGKOU_REDIS_HOST": "127.0.0.1",
    "CHUANGKOU_REDIS_PORT": "6379",
    "CHUANGKOU_REDIS_DB": "0",
    "CHUANGKOU_LOCK_PREFIX": "check",
}


class Failed(AssertionError):
    """One check failed (the message says which)."""


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise Failed(what)
    print("ok", what)


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))


def _texts(tracker: DialogueStateTracker | None) -> list[str]:
    if tracker is None:
        return []
    return [str(e.text) for e in tracker.events if isinstance(e, UserUttered)]


def _cut(store: SQLTrackerStore, folder: Path) -> Callable[[], None]:
    """Make ``store``'s database unreachable; returns what restores it."""
    sessionmaker = store.sessionmaker
    gone = sa.create_engine(f"sqlite:///{folder / 'no such folder' / 'trackers.db'}")
    store.sessionmaker = sa.orm.session.sessionmaker(bind=gone)

    def restore() -> None:
        store.sessionmaker = sessionmaker

    return restore


def _rows(store: SQLTrackerStore, sender: str) -> int:
    with store.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")
        return int(conn.execute(query, {"s": sender}).scalar() or 0)


def _make(domain: Domain, db: Path) -> tuple[Any, TrackerStore]:
    """The store named in the cluster endpoints, made by Rasa, on ``db``; and its wrapper."""
    endpoint = read_endpoint_config(ENDPOINTS, "tracker_store")
    assert endpoint is not None and endpoint.type is not None
    sqlite = EndpointConfig(type=endpoint.type, dialect="sqlite", db=str(db))
    store = TrackerStore.create(sqlite, domain)
    return store, Agent._create_tracker_store(store, domain)


async def _checks(folder: Path) -> None:
    os.environ.update({k: v for k, v in _ENDPOINT_VARIABLES.items() if k not in os.environ})
    os.environ[SWITCH] = "1"
    endpoint = read_endpoint_config(ENDPOINTS, "tracker_store")
    _check(
        endpoint is not None
        and endpoint.type is not None
        and class_from_module_path(endpoint.type) is OutageTolerantSQLTrackerStore,
        f"{ENDPOINTS} names bot.tracker_stores.OutageTolerantSQLTrackerStore",
    )
    domain = Domain.load("bot/domain")
    store, failsafe = _make(domain, folder / "trackers.db")
    _check(
        type(store) is OutageTolerantSQLTrackerStore,
        f"Rasa builds it from the endpoint (got {type(store).__name__})",
    )
    _check(store.engine.pool._pre_ping is True, "its pool pings a connection before use")
    _check(store.domain is domain, "it has the domain Rasa gave it")

    before = await failsafe.get_or_create_tracker("before")
    _turn(before, "电梯")
    await failsafe.save(before)
    _check(_texts(await failsafe.retrieve("before")) == ["电梯"], "database up: read back")
    _check(_rows(store, "before") > 0, "database up: written to the database")

    rasa_store = SQLTrackerStore(domain, dialect="sqlite", db=str(folder / "rasa.db"))
    rasa_failsafe = Agent._create_tracker_store(rasa_store, domain)
    restore, restore_rasa = _cut(store, folder), _cut(rasa_store, folder)
    during = await failsafe.get_or_create_tracker("during")
    _turn(during, "我想预约")
    await failsafe.save(during)
    during = await failsafe.get_or_create_tracker("during")
    _turn(during, "电梯使用登记")
    await failsafe.save(during)
    _check(
        _texts(await failsafe.retrieve("during")) == ["我想预约", "电梯使用登记"],
        "database down: a conversation's turns are kept and read back",
    )
    rasa_tracker = await rasa_failsafe.get_or_create_tracker("during")
    _turn(rasa_tracker, "我想预约")
    await rasa_failsafe.save(rasa_tracker)
    _check(
        await rasa_failsafe.retrieve("during") is None,
        "database down: Rasa's own SQL store reads nothing back (why the store exists)",
    )
    restore_rasa()

    restore()
    _check(_texts(await failsafe.retrieve("before")) == ["电梯"], "database back: read again")
    after = await failsafe.get_or_create_tracker("during")
    _check(_texts(after) == [], "database back: turns of the outage were not written to it")
    _turn(after, "叉车证")
    await failsafe.save(after)
    _check(
        _rows(store, "during") > 0 and "during" not in store._outage.store,
        "database back: written to the database, the memory copy dropped",
    )

    os.environ[SWITCH] = "off"
    plain, plain_failsafe = _make(domain, folder / "plain.db")
    _check(
        plain.engine.pool._pre_ping is False,
        f"{SWITCH}=off: Rasa's engine options (no ping)",
    )
    _cut(plain, folder)
    tracker = await plain_failsafe.get_or_create_tracker("off")
    _turn(tracker, "我想预约")
    await plain_failsafe.save(tracker)
    _check(
        await plain_failsafe.retrieve("off") is None,
        f"{SWITCH}=off: Rasa's own behaviour in an outage",
    )


async def _talk(store: TrackerStore, sender: str, turns: int) -> None:
    """``turns`` turns, each setting the memory slot, each tracker saved twice."""
    for i in range(turns):
        tracker = await store.get_or_create_tracker(sender)
        _turn(tracker, f"第{i}句")
        tracker.update(SlotSet(STATE_SLOT, {"turn": i}))
        await store.save(tracker)
        await store.save(tracker)  # a second save of the same tracker adds nothing


def _kinds(tracker: DialogueStateTracker | None) -> list[str]:
    return [e.type_name for e in tracker.events] if tracker is not None else []


async def _recent_checks(folder: Path, domain: Domain) -> None:
    os.environ[SWITCH] = "1"
    endpoint = read_endpoint_config(EMBEDDED_ENDPOINTS, "tracker_store")
    assert endpoint is not None
    memory = Agent._create_tracker_store(TrackerStore.create(endpoint, domain), domain)
    sql, _ = _make(domain, folder / "recent.db")
    sql_failsafe = Agent._create_tracker_store(sql, domain)
    _check(
        type(memory._tracker_store) is RecentTurnsInMemoryTrackerStore,
        f"{EMBEDDED_ENDPOINTS} names bot.tracker_stores.RecentTurnsInMemoryTrackerStore",
    )
    rasa_memory = InMemoryTrackerStore(domain)
    rasa_sql = SQLTrackerStore(domain, dialect="sqlite", db=str(folder / "rasa-recent.db"))
    said = [f"第{i}句" for i in range(LONG)]
    for name, store, rasa in (
        ("in memory", memory, rasa_memory),
        ("SQL", sql_failsafe, rasa_sql),
    ):
        await _talk(store, "long", LONG)
        # Rasa's own store of the same kind, saved once a turn (twice would duplicate).
        for i in range(LONG):
            tracker = await rasa.get_or_create_tracker("long")
            _turn(tracker, said[i])
            tracker.update(SlotSet(STATE_SLOT, {"turn": i}))
            await rasa.save(tracker)
        recent = await store.retrieve("long")
        _check(
            _texts(recent) == said[-RECENT_TURNS:]
            and recent is not None
            and recent.get_slot(STATE_SLOT) == {"turn": LONG - 1},
            f"{name}: the last {RECENT_TURNS} turns are handed out, with the memory slot",
        )
        full = await store.retrieve_full_tracker("long")
        theirs = await rasa.retrieve_full_tracker("long")
        _check(
            _texts(full) == said and _kinds(full) == _kinds(theirs),
            f"{name}: every event kept once, as Rasa's own store keeps them",
        )
    os.environ[SWITCH] = "off"
    plain = TrackerStore.create(endpoint, domain)
    await _talk(plain, "off", 4)
    _check(
        _texts(await plain.retrieve("off")) == [f"第{i}句" for i in range(4)],
        f"{SWITCH}=off: Rasa's in-memory store (every turn handed out again)",
    )


def main() -> int:
    """Run the checks in a temporary folder; 1 on the first failure."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            asyncio.run(_checks(Path(folder)))
            asyncio.run(_recent_checks(Path(folder), Domain.load("bot/domain")))
        except Failed as e:
            print("FAILED", e)
            return 1
    print("tracker store: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
