"""Booking rules: capacity, per-phone limits, idempotency, cancel, reschedule, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from chuangkou.booking.service import (
    REF_ALPHABET,
    BookingError,
    audit_log,
    cancel_booking,
    create_booking,
    find_booking,
    list_bookings,
    mark_booking,
    reschedule_booking,
    undo_mark,
)
from chuangkou.booking.tables import Booking, SlotSeat
from tests.booking.conftest import MONDAY, slot

PHONE = "13812344567"


def _book(
    engine: Engine,
    *,
    phone: str = PHONE,
    item: str = "FW01",
    at: str = "09:00",
    day: date = MONDAY,
    key: str | None = None,
    capacity: int = 2,
) -> str:
    return create_booking(
        engine,
        slot=slot(day, at),
        capacity=capacity,
        item_code=item,
        item_name=item,
        citizen_name="张三",
        phone=phone,
        channel="test",
        actor="citizen:test",
        idempotency_key=key,
    ).ref


def _taken(engine: Engine, at: str = "09:00") -> int:
    with Session(engine) as session:
        return session.scalar(select(SlotSeat.taken).where(SlotSeat.slot_time == at)) or 0


def test_booking_reference_is_unambiguous(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    assert len(ref) == 8 and set(ref) <= set(REF_ALPHABET)
    assert not set(ref) & set("0O1IL")


def test_capacity_is_never_exceeded(sqlite_engine: Engine) -> None:
    _book(sqlite_engine, phone="13800000001")
    _book(sqlite_engine, phone="13800000002")
    with pytest.raises(BookingError) as err:
        _book(sqlite_engine, phone="13800000003")
    assert err.value.code == "slot_full" and _taken(sqlite_engine) == 2


def test_one_booking_per_item_per_day(sqlite_engine: Engine) -> None:
    _book(sqlite_engine)
    with pytest.raises(BookingError) as err:
        _book(sqlite_engine, at="10:00")
    assert err.value.code == "same_item_day"
    _book(sqlite_engine, item="SP01", at="10:00")  # another item that day is fine


def test_at_most_three_active_bookings(sqlite_engine: Engine) -> None:
    for i, day in enumerate((date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2))):
        _book(sqlite_engine, day=day, at=f"0{9 + 0 * i}:00")
    with pytest.raises(BookingError) as err:
        _book(sqlite_engine, day=date(2026, 12, 3))
    assert err.value.code == "too_many"


def test_same_idempotency_key_makes_one_booking(sqlite_engine: Engine) -> None:
    first = _book(sqlite_engine, key="conv-1:tok")
    again = _book(sqlite_engine, key="conv-1:tok")
    assert first == again and _taken(sqlite_engine) == 1


def test_cancel_frees_the_seat_at_once(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine, capacity=1)
    cancel_booking(sqlite_engine, ref=ref, phone=PHONE, actor="citizen:test")
    assert _taken(sqlite_engine) == 0
    _book(sqlite_engine, phone="13900000000", capacity=1)  # the seat is bookable again


def test_wrong_phone_looks_like_wrong_reference(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    for ref_, phone in ((ref, "13900000000"), ("ZZZZZZZZ", PHONE)):
        with pytest.raises(BookingError) as err:
            find_booking(sqlite_engine, ref=ref_, phone=phone)
        assert err.value.code == "not_found"
    assert find_booking(sqlite_engine, ref=ref.lower(), phone=PHONE).ref == ref


def test_reschedule_is_atomic(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    _book(sqlite_engine, phone="13900000001", at="10:00", capacity=1)  # 10:00 now full
    with pytest.raises(BookingError):
        reschedule_booking(
            sqlite_engine,
            ref=ref,
            phone=PHONE,
            slot=slot(hhmm="10:00"),
            capacity=1,
            actor="citizen:test",
        )
    kept = find_booking(sqlite_engine, ref=ref, phone=PHONE)
    assert kept.start == "09:00" and _taken(sqlite_engine, "09:00") == 1
    moved = reschedule_booking(
        sqlite_engine,
        ref=ref,
        phone=PHONE,
        slot=slot(hhmm="11:00"),
        capacity=2,
        actor="citizen:test",
    )
    assert moved.start == "11:00"
    assert _taken(sqlite_engine, "09:00") == 0 and _taken(sqlite_engine, "11:00") == 1


# Monday 2026-11-30 09:40 in Asia/Shanghai: after the 09:00 slot started.
MONDAY_0940 = datetime(2026, 11, 30, 1, 40, tzinfo=UTC)


def test_clerk_marks_and_audit_log(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    mark_booking(sqlite_engine, ref=ref, status="arrived", actor="clerk:wang", now=MONDAY_0940)
    mark_booking(sqlite_engine, ref=ref, status="served", actor="clerk:wang", now=MONDAY_0940)
    with pytest.raises(BookingError):
        mark_booking(sqlite_engine, ref=ref, status="no_show", actor="clerk:wang", now=MONDAY_0940)
    log = audit_log(sqlite_engine, ref=ref)
    assert [(e["action"], e["actor"]) for e in log] == [
        ("created", "citizen:test"),
        ("arrived", "clerk:wang"),
        ("served", "clerk:wang"),
    ]


def test_lists_show_masked_phone_only(sqlite_engine: Engine) -> None:
    _book(sqlite_engine)
    rows = list_bookings(sqlite_engine, office_code="HG", day=MONDAY, window_type="行政服务")
    assert [r.phone_masked for r in rows] == ["138****4567"]
    assert PHONE not in str([r.as_dict() for r in rows])
    with Session(sqlite_engine) as session:  # the clear number is in the booking row only
        assert session.scalar(select(Booking.phone)) == PHONE


def test_no_show_frees_seat_and_slot_time_kept(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    view = mark_booking(sqlite_engine, ref=ref, status="no_show", actor="clerk:li", now=MONDAY_0940)
    assert view.status == "no_show" and view.start == "09:00" and _taken(sqlite_engine) == 0
    assert time(9, 0).strftime("%H:%M") == view.start


@pytest.mark.parametrize(
    ("status", "now", "code"),
    [
        # 到达 only on the booking's own day in Asia/Shanghai: not the day before, not after.
        ("arrived", datetime(2026, 11, 29, 8, 0, tzinfo=UTC), "not_today"),
        ("arrived", datetime(2026, 12, 1, 1, 0, tzinfo=UTC), "not_today"),
        # 未到 not before the slot has started (08:59 local).
        ("no_show", datetime(2026, 11, 30, 0, 59, tzinfo=UTC), "too_early"),
        # 办结 not before 到达.
        ("served", MONDAY_0940, "bad_transition"),
    ],
)
def test_marks_that_cannot_be_right_are_refused(
    sqlite_engine: Engine, status: str, now: datetime, code: str
) -> None:
    ref = _book(sqlite_engine)
    with pytest.raises(BookingError) as refused:
        mark_booking(sqlite_engine, ref=ref, status=status, actor="clerk:wang", now=now)
    assert refused.value.code == code
    assert find_booking(sqlite_engine, ref=ref, phone=None).status == "booked"


def test_arrival_on_the_local_day(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    sunday_utc_monday_local = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    view = mark_booking(
        sqlite_engine, ref=ref, status="arrived", actor="clerk:wang", now=sunday_utc_monday_local
    )
    assert view.status == "arrived"


def test_undo_a_mis_tap(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    seats = _taken(sqlite_engine)
    mark_booking(sqlite_engine, ref=ref, status="no_show", actor="clerk:wang", now=MONDAY_0940)
    assert _taken(sqlite_engine) == seats - 1
    # Another clerk cannot take back wang's mark; wang can, within the window.
    with pytest.raises(BookingError) as other:
        undo_mark(sqlite_engine, ref=ref, actor="clerk:li", now=MONDAY_0940)
    assert other.value.code == "nothing_to_undo"
    view = undo_mark(
        sqlite_engine, ref=ref, actor="clerk:wang", now=MONDAY_0940 + timedelta(minutes=2)
    )
    assert view.status == "booked" and _taken(sqlite_engine) == seats
    log = audit_log(sqlite_engine, ref=ref)
    assert (log[-1]["action"], log[-1]["actor"]) == ("undo", "clerk:wang")
    assert log[-1]["detail"] == {"undid": "no_show", "to": "booked"}
    # An undo is not itself undone.
    with pytest.raises(BookingError):
        undo_mark(sqlite_engine, ref=ref, actor="clerk:wang", now=MONDAY_0940)


def test_undo_window_is_short(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    mark_booking(sqlite_engine, ref=ref, status="arrived", actor="clerk:wang", now=MONDAY_0940)
    mark_booking(sqlite_engine, ref=ref, status="served", actor="clerk:wang", now=MONDAY_0940)
    later = datetime.now(UTC) + timedelta(minutes=11)
    with pytest.raises(BookingError) as late:
        undo_mark(sqlite_engine, ref=ref, actor="clerk:wang", now=later)
    assert late.value.code == "undo_expired"
    back = undo_mark(sqlite_engine, ref=ref, actor="clerk:wang")
    assert back.status == "arrived"


def test_audit_times_are_aware_and_local(sqlite_engine: Engine) -> None:
    ref = _book(sqlite_engine)
    at = datetime.fromisoformat(audit_log(sqlite_engine, ref=ref)[0]["at"])
    assert at.utcoffset() == timedelta(hours=8)
    assert abs(at - datetime.now(UTC)) < timedelta(minutes=1)
