"""No overbooking under concurrency, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from chuangkou.booking.service import BookingError, create_booking
from chuangkou.booking.tables import Booking, SlotSeat
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from tests.booking.conftest import slot
from tests.utils.postgres import temporary_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of each kind."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    with temporary_database() as url:
        eng = make_engine(url)
        upgrade(eng)
        yield eng
        eng.dispose()


def _attempt(engine: Engine, phone: str, key: str | None = None) -> Callable[[], str]:
    def run() -> str:
        try:
            return create_booking(
                engine,
                slot=slot(),
                capacity=50,
                item_code="FW01",
                item_name="特种设备使用登记",
                citizen_name="并发",
                phone=phone,
                channel="test",
                actor="test",
                idempotency_key=key,
            ).ref
        except BookingError as exc:
            return exc.code

    return run


def _run_all(calls: list[Callable[[], str]]) -> list[str]:
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda call: call(), calls))


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Booking)) or 0


def test_200_attempts_on_the_last_10_seats(engine: Engine) -> None:
    # Fill the slot to 40 of 50 seats, then race 200 people for the last 10.
    for i in range(40):
        _attempt(engine, f"1370000{i:04d}")()
    results = _run_all([_attempt(engine, f"1380000{i:04d}") for i in range(200)])
    made = [r for r in results if r != "slot_full"]
    assert len(made) == 10 and results.count("slot_full") == 190
    assert _count(engine) == 50
    with Session(engine) as session:
        assert session.scalar(select(SlotSeat.taken)) == 50


def test_50_confirms_of_one_key_make_one_booking(engine: Engine) -> None:
    results = _run_all([_attempt(engine, "13912345678", key="conv:confirm-1") for _ in range(50)])
    assert len(set(results)) == 1 and _count(engine) == 1
    with Session(engine) as session:
        assert session.scalar(select(SlotSeat.taken)) == 1
