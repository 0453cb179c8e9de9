"""No overbooking under concurrency through the desk, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.booking import with_staff
from chuangkou.booking.calendar import WorkCalendar
from chuangkou.booking.desk import BookingRequest, Desk
from chuangkou.booking.records import BookingError
from chuangkou.booking.tables import Booking, SlotSeat
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from tests.booking.conftest import MONDAY, NOW, desk_over
from tests.utils.postgres import temporary_database

SEATS = 50


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, catalog: Catalog) -> Iterator[Engine]:
    """A migrated database of each kind, holding the catalog."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
        upgrade(eng)
        load_catalog(eng, catalog, source="race")
        yield eng
        eng.dispose()
        return
    with temporary_database() as url:
        eng = make_engine(url)
        upgrade(eng)
        load_catalog(eng, catalog, source="race")
        yield eng
        eng.dispose()


@pytest.fixture
def desk(engine: Engine, catalog: Catalog, calendar: WorkCalendar) -> Desk:
    """The desk, with 黄冈's 行政服务 window staffed for 50 seats a slot."""
    wide = with_staff(catalog, office="HG", window="行政服务", staff=SEATS)
    return desk_over(engine, wide, calendar)


def _attempt(desk: Desk, phone: str, key: str | None = None) -> Callable[[], str]:
    request = BookingRequest(
        item_code="FW01",
        office_code="HG",
        day=MONDAY,
        start=NOW.replace(hour=9, minute=0).time(),
        name="并发",
        phone=phone,
        channel="test",
        actor="test",
        idempotency_key=key,
    )

    def run() -> str:
        try:
            return desk.book(request, now=NOW).ref
        except BookingError as exc:
            return exc.code

    return run


def _run_all(calls: list[Callable[[], str]]) -> list[str]:
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda call: call(), calls))


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Booking)) or 0


def test_200_attempts_on_the_last_10_seats(desk: Desk, engine: Engine) -> None:
    # Fill the slot to 40 of 50 seats, then race 200 people for the last 10.
    for i in range(SEATS - 10):
        _attempt(desk, f"1370000{i:04d}")()
    results = _run_all([_attempt(desk, f"1380000{i:04d}") for i in range(200)])
    made = [r for r in results if r != "slot_full"]
    assert len(made) == 10 and results.count("slot_full") == 190
    assert _count(engine) == SEATS
    with Session(engine) as session:
        assert session.scalar(select(SlotSeat.taken)) == SEATS


def test_50_confirms_of_one_key_make_one_booking(desk: Desk, engine: Engine) -> None:
    results = _run_all([_attempt(desk, "13912345678", key="conv:confirm-1") for _ in range(50)])
    assert len(set(results)) == 1 and _count(engine) == 1
    with Session(engine) as session:
        assert session.scalar(select(SlotSeat.taken)) == 1
