"""Test data: bookings written straight into a database, for any day (yesterday too).

The desk refuses past and far-off days, as it should; tests of what clerks see on such
days need bookings there all the same, so they are seeded with the data functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from chuangkou.booking import records
from chuangkou.booking.records import SlotKey


def seed_booking(
    engine: Engine,
    *,
    office: str,
    day: date,
    phone: str,
    at: time = time(9, 0),
    window: str = "行政服务",
    item_code: str = "FW01",
    item_name: str = "特种设备使用登记",
    name: str = "张三",
) -> str:
    """A booked seat with its audit entry; returns the reference."""
    key = SlotKey(office, window, day, at)
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        records.ensure_slot(session=session, key=key, capacity=3)
        records.claim_seat(session=session, key=key)
        row = records.insert_booking(
            session=session,
            key=key,
            item_code=item_code,
            item_name=item_name,
            citizen_name=name,
            phone=phone,
            channel="test",
            idempotency_key=None,
            missing_docs=(),
            now=now,
        )
        records.add_event(session=session, row=row, actor="citizen:test", action="created", now=now)
        return row.ref
