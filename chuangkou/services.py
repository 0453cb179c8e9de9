"""Process-wide services (catalog, matcher, booking desk), built on first use.

The action server and the gateway share these. rasa-sdk imports every action module at
start-up, so nothing here connects to a database or builds a matcher until first used.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from chuangkou.booking.calendar import WorkCalendar
from chuangkou.booking.desk import Desk, calendar_for
from chuangkou.booking.slots import BookingPolicy, now_local
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import CatalogCache
from chuangkou.db import engine_for, session_factory
from chuangkou.migrate import upgrade
from chuangkou.settings import Settings


@dataclass(frozen=True)
class Services:
    """What an action needs: the current catalog and its matcher, and the booking desk."""

    catalog: Catalog
    matcher: Matcher
    sessions: sessionmaker[Session] | None = None
    calendar: WorkCalendar | None = None
    secret: str = ""
    policy: BookingPolicy = field(default_factory=BookingPolicy)
    fixed_now: datetime | None = None

    def now(self) -> datetime:
        """Local time now (Asia/Shanghai, naive): the rehearsal clock when one is set."""
        return self.fixed_now or now_local()

    @property
    def desk(self) -> Desk:
        """Booking operations over this catalog version."""
        assert self.sessions is not None and self.calendar is not None
        return Desk(self.catalog, self.matcher, self.sessions, self.calendar, self.policy)


class Runtime:
    """One process's database, calendar and catalog cache; hands out current services."""

    def __init__(self, settings: Settings) -> None:
        engine = engine_for(settings.database_url)
        upgrade(engine)
        self._sessions = session_factory(settings.database_url)
        self._calendar = calendar_for(settings.catalog_dir)
        self._secret = settings.secret
        self._fixed_now = settings.fixed_now
        self._policy = BookingPolicy(
            slot_minutes=settings.slot_minutes,
            horizon_days=settings.horizon_days,
            retention_days=settings.retention_days,
        )
        self._cache = CatalogCache(engine)
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None

    def services(self) -> Services:
        """The services of the catalog version stored now (blocking: reads the version).

        Raises:
            chuangkou.catalog.store.CatalogNotLoaded: When the database holds no catalog.
        """
        catalog = self._cache.get()
        matcher = self._matcher
        if matcher is None or matcher.catalog.version != catalog.version:
            with self._lock:
                if self._matcher is None or self._matcher.catalog.version != catalog.version:
                    self._matcher = Matcher(catalog)
                matcher = self._matcher
        return Services(
            catalog,
            matcher,
            self._sessions,
            self._calendar,
            self._secret,
            self._policy,
            self._fixed_now,
        )


@cache
def _runtime(settings: Settings) -> Runtime:
    return Runtime(settings)


def services(settings: Settings | None = None) -> Services:
    """The current catalog and matcher (re-read when a new catalog version is loaded).

    Args:
        settings: Settings to use; read from the environment when omitted.

    Raises:
        chuangkou.catalog.store.CatalogNotLoaded: When the database holds no catalog.
    """
    return _runtime(settings or Settings.from_env()).services()
