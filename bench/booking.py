"""Booking throughput for ``make bench``: through the library and through the chat.

Measured on SQLite and on PostgreSQL in the same run, so the two can be compared.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import aiohttp

from bench.pgtemp import temporary_database
from chuangkou.booking.service import BookingError, SlotKey, create_booking
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade


def library_throughput(url: str, *, count: int = 300, threads: int = 1) -> float:
    """Bookings per second made with :func:`create_booking` (distinct phones and slots).

    Args:
        url: A database URL (migrated here).
        count: How many bookings.
        threads: Concurrent callers.

    Returns:
        Bookings per second.
    """
    engine = make_engine(url)
    upgrade(engine)
    run = uuid.uuid4().int % 10_000
    start_day = date(2031, 3, 3)

    def book(i: int) -> None:
        slot = SlotKey(
            "HG", "行政服务", start_day + timedelta(days=i % 5), clock(9 + (i // 5) % 8, 0)
        )
        create_booking(
            engine,
            slot=slot,
            capacity=10_000,
            item_code=f"I{i % 7}",
            item_name="bench",
            citizen_name="压测",
            phone=f"13{run:04d}{i:05d}",
            channel="bench",
            actor="bench",
        )

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
    key = SlotKey("HG", "行政服务", date(2031, 4, 7), clock(9, 0))

    def attempt(phone: str) -> str:
        try:
            create_booking(
                engine,
                slot=key,
                capacity=capacity,
                item_code="FW01",
                item_name="bench",
                citizen_name="压测",
                phone=phone,
                channel="bench",
                actor="bench",
            )
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
    await say('/choose_office{"office_code":"HG"}')
    # Spread people over days and slots: a slot has only as many seats as the window staff.
    asked = await say(DAYS[index % len(DAYS)])
    buttons = [b for m in asked for b in (m.get("buttons") or [])]
    if not buttons:
        return False
    await say(str(buttons[(index // len(DAYS)) % len(buttons)]["payload"]))
    await say("张三")
    await say(phone)
    done = await say("/affirm")
    return any("预约成功" in str(m.get("text", "")) for m in done)


async def chat_throughput(base: str, *, conversations: int = 12, concurrency: int = 4) -> float:
    """Bookings per second made through whole chat conversations (7 turns each).

    Args:
        base: The engine's URL.
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
        made = await asyncio.gather(*(one(i, p) for i, p in enumerate(phones)))
        elapsed = time.perf_counter() - started
    if not all(made):
        raise RuntimeError(f"only {sum(made)} of {len(made)} chat bookings succeeded")
    return len(made) / elapsed


def temporary_postgres() -> Any:
    """A PostgreSQL database of the benchmark's own, dropped afterwards."""
    return temporary_database("ck_bench")


def sqlite_url(folder: Path, name: str) -> str:
    """A SQLite file URL in a folder."""
    return f"sqlite:///{folder / name}"


def as_json(results: dict[str, float]) -> str:
    """The results as JSON text."""
    return json.dumps(results, indent=2)
