"""Booking fixtures: a migrated database, a calendar, a slot book, a fixed "now"."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import Engine

from chuangkou.booking.calendar import WorkCalendar
from chuangkou.booking.service import SlotKey
from chuangkou.booking.slots import SlotBook
from chuangkou.settings import PROJECT_ROOT

# Friday 2026-11-27 15:10, Asia/Shanghai
NOW = datetime(2026, 11, 27, 15, 10)
MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    """The real calendar data file."""
    return WorkCalendar.from_file(PROJECT_ROOT / "catalog" / "calendar.yml")


@pytest.fixture
def book(sqlite_engine: Engine, calendar: WorkCalendar) -> SlotBook:
    """Slot arithmetic over an empty SQLite database."""
    return SlotBook(sqlite_engine, calendar)


def slot(
    day: date = MONDAY, hhmm: str = "09:00", office: str = "HG", window: str = "行政服务"
) -> SlotKey:
    """A slot key."""
    hour, minute = map(int, hhmm.split(":"))
    return SlotKey(office, window, day, time(hour, minute))
