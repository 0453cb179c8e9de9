"""Booking fixtures: a database with the catalog, the calendar, the desk, a fixed "now"."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from chuangkou.booking.calendar import WorkCalendar
from chuangkou.booking.desk import Desk
from chuangkou.booking.records import SlotKey
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog
from chuangkou.settings import PROJECT_ROOT

# Friday 2026-11-27 15:10, Asia/Shanghai
NOW = datetime(2026, 11, 27, 15, 10)
MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    """The real calendar data file."""
    return WorkCalendar.from_file(PROJECT_ROOT / "catalog" / "calendar.yml")


def desk_over(engine: Engine, catalog: Catalog, calendar: WorkCalendar) -> Desk:
    """The booking desk over a database holding ``catalog``."""
    return Desk(catalog, Matcher(catalog), sessionmaker(engine, expire_on_commit=False), calendar)


@pytest.fixture
def desk(loaded_engine: Engine, catalog: Catalog, calendar: WorkCalendar) -> Desk:
    """The booking desk over a SQLite database with the real catalog."""
    return desk_over(loaded_engine, catalog, calendar)


def slot(
    day: date = MONDAY, hhmm: str = "09:00", office: str = "HG", window: str = "行政服务"
) -> SlotKey:
    """A slot key."""
    hour, minute = map(int, hhmm.split(":"))
    return SlotKey(office, window, day, time(hour, minute))
