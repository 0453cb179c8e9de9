"""Booking throughput for ``make bench``: through the library and through the chat.

Measured on SQLite and on PostgreSQL in the same run, so the two can be compared.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from bench.pgtemp import temporary_database
from chuangkou.booking.desk import BookingRequest, Desk, calendar_for
from chuangkou.booking.records import BookingError
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from chuangkou.settings import Settings

# A fixed "now" (a Friday afternoon) and the working week after it: the desk validates
# the horizon, the calendar and the lead time against it, the same in every run.
NOW = datetime(2026, 11, 27, 15, 10)
WEEK = tuple(date(2026, 11, 30) + timedelta(days=d) for d in range(5))


def with_staff(catalog: Catalog, *, office: str, window: str, staff: int) -> Catalog:
    """The catalog with one window's staffing (its seats per slot) changed."""
    offices = tuple(
        replace(
            o, windows=tuple(replace(w, staff=staff) if w.type == window else w for w in o.windows)
        )
        if o.code == office
        else o
        for o in catalog.offices
    )
    return replace(catalog, offices=offices, _by_code={})


def bench_desk(engine: Engine, *, staff: int) -> Desk:
    """The booking desk over ``engine`` (catalog loaded here), 黄冈's 行政服务 with ``staff``.

    The seats are widened so that throughput, not capacity, is what is measured.
    """
    settings = Settings.from_env()
    catalog = read_catalog(settings.catalog_dir)
    load_catalog(engine, catalog, source="bench")
    wide = with_staff(catalog, office="HG", window="行政服务", staff=staff)
    return Desk(
        wide,
        Matcher(wide),
        sessionmaker(engine, expire_on_commit=False),
        calendar_for(settings.catalog_dir),
    )


def _request(phone: str, day: date, at: clock) -> BookingRequest:
    return BookingRequest(
        item_code="FW01",
        office_code="HG",
        day=day,
        start=at,
        name="压测",
        phone=phone,
        channel="bench",
        actor="bench",
    )


def library_throughput(url: str, *, count: int = 300, threads: int = 1) -> float:
    """Bookings per second made through the desk (distinct phones and slots).

    Each booking is the whole use case: name, phone, item, office and slot validated,
    per-phone limits checked, a seat claimed, the row and its audit entry written.

    Args:
        url: A database URL (migrated here).
        count: How many bookings.
        threads: Concurrent callers.

    Returns:
        Bookings per second.
    """
    engine = make_engine(url)
    upgrade(engine)
    desk = bench_desk(engine, staff=10_000)
    run = uuid.uuid4().int % 10_000
    office = desk.office("HG")
    # The window's own slots of each day (its hours and lunch break are the catalog's).
    starts = {day: [s.start for s in desk.slots(office, "行政服务", day, NOW)] for day in WEEK}

    def book(i: int) -> None:
        day = WEEK[i % len(WEEK)]
        at = starts[day][(i // len(WEEK)) % len(starts[day])]
        desk.book(_request(f"13{run:04d}{i:05d}", day, at), now=NOW)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(book, range(count)))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count / elapsed


def race(url: str, *, attempts: int = 200, seats: int = 10, capacity: int = 50) -> dict[str, int]:
    """Race ``attempts`` people (32 threads) for the last ``seats`` seats of one slot.

    Args:
        url: A database URL (migrated here).
        attempts: People trying at once.
        seats: Seats left when the race starts.
        capacity: The slot's seats.

    Returns:
        How many were booked, refused as full, and failed otherwise; and the seats taken
        afterwards according to the database.
    """
    engine = make_engine(url)
    upgrade(engine)
    desk = bench_desk(engine, staff=capacity)

    def attempt(phone: str) -> str:
        try:
            desk.book(_request(phone, WEEK[0], clock(9, 0)), now=NOW)
        except BookingError as exc:
            return exc.code
        return "booked"

    for i in range(capacity - seats):
        attempt(f"1370000{i:04d}")
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(attempt, (f"1380000{i:04d}" for i in range(attempts))))
    with engine.connect() as conn:
        taken = conn.exec_driver_sql("SELECT SUM(taken) FROM slot_seats").scalar_one()
    engine.dispose()
    booked = results.count("booked")
    full = results.count("slot_full")
    return {
        "booked": booked,
        "slot_full": full,
        "other": len(results) - booked - full,
        "seats_taken": int(taken),
    }


DAYS = ("下周一", "下周二", "下周三", "下周四", "下周五")


async def _conversation(session: aiohttp.ClientSession, base: str, phone: str, index: int) -> bool:
    sender = f"bench-book-{uuid.uuid4().hex[:10]}"

    async def say(message: str) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": message}
        async with session.post(f"{base}/webhooks/rest/webhook", json=body) as resp:
            data: list[dict[str, Any]] = await resp.json()
            return data

    await say("我想预约电梯使用登记")
    await say('/choose{"kind": "office", "value": "HG"}')
    # Spread people over days and slots: a slot has only as many seats as the window staff.
    asked = await say(DAYS[index % len(DAYS)])
    buttons = [b for m in asked for b in (m.get("buttons") or [])]
    if not buttons:
        return False
    await say(str(buttons[(index // len(DAYS)) % len(buttons)]["payload"]))
    await say("张三")
    await say(phone)
    await say("/affirm")
    return True


async def chat_throughput(
    base: str, database_url: str, *, conversations: int = 12, concurrency: int = 4
) -> float:
    """Bookings per second made through whole chat conversations (7 turns each).

    Success is judged by the bookings table (one row per conversation's phone), not by
    what the bot says.

    Args:
        base: The engine's URL.
        database_url: The stack's database.
        conversations: How many bookings to make.
        concurrency: Conversations at once.

    Returns:
        Successful bookings per second.
    """
    run = uuid.uuid4().int % 1000
    phones = [f"139{run:03d}{i:05d}" for i in range(conversations)]
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def one(index: int, phone: str) -> bool:
            async with semaphore:
                return await _conversation(session, base, phone, index)

        started = time.perf_counter()
        await asyncio.gather(*(one(i, p) for i, p in enumerate(phones)))
        elapsed = time.perf_counter() - started
    made = booked_phones(database_url, phones)
    if made != len(phones):
        raise RuntimeError(f"only {made} of {len(phones)} chat bookings were made")
    return made / elapsed


def booked_phones(database_url: str, phones: list[str]) -> int:
    """How many of these phones hold a booking in the database."""
    from chuangkou.booking.tables import Booking

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).select_from(Booking).where(Booking.phone.in_(phones))
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def temporary_postgres() -> Any:
    """A PostgreSQL database of the benchmark's own, dropped afterwards."""
    return temporary_database("ck_bench")


def sqlite_url(folder: Path, name: str) -> str:
    """A SQLite file URL in a folder."""
    return f"sqlite:///{folder / name}"


def as_json(results: dict[str, float]) -> str:
    """The results as JSON text."""
    return json.dumps(results, indent=2)
