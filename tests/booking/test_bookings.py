"""Bookings through the desk: validation, limits, idempotency, changes, marks, retention.

All with a fixed "now" (the desk takes one), so the calendar decides the same every day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from chuangkou.booking.desk import BookingRequest, Desk
from chuangkou.booking.records import REF_ALPHABET, BookingError
from chuangkou.booking.tables import Booking, SlotSeat
from tests.booking.conftest import MONDAY, NOW

PHONE = "13812344567"
# Monday 2026-11-30 09:40 in Asia/Shanghai: after the 09:00 slot started.
MONDAY_0940 = datetime(2026, 11, 30, 1, 40, tzinfo=UTC)


def _request(
    *,
    phone: str = PHONE,
    item: str = "FW01",
    office: str = "HG",
    at: str = "09:00",
    day: date = MONDAY,
    key: str | None = None,
    name: str = "张三",
) -> BookingRequest:
    hour, minute = map(int, at.split(":"))
    return BookingRequest(
        item_code=item,
        office_code=office,
        day=day,
        start=time(hour, minute),
        name=name,
        phone=phone,
        channel="test",
        actor="citizen:test",
        idempotency_key=key,
    )


def _book(desk: Desk, **changes: object) -> str:
    return desk.book(_request(**changes), now=NOW).ref  # type: ignore[arg-type]


def _refusal(desk: Desk, **changes: object) -> str:
    with pytest.raises(BookingError) as err:
        desk.book(_request(**changes), now=NOW)  # type: ignore[arg-type]
    return err.value.code


def _taken(engine: Engine, at: str = "09:00", office: str = "HG") -> int:
    with Session(engine) as session:
        query = select(SlotSeat.taken).where(
            SlotSeat.slot_time == at, SlotSeat.office_code == office
        )
        return session.scalar(query) or 0


def test_booking_reference_is_unambiguous(desk: Desk) -> None:
    ref = _book(desk)
    assert len(ref) == 8 and set(ref) <= set(REF_ALPHABET)
    assert not set(ref) & set("0O1IL") and sum(c.isalpha() for c in ref) >= 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": "确认"}, "bad_name"),
        ({"name": "是的"}, "bad_name"),
        ({"name": "好"}, "bad_name"),
        ({"name": "张三1"}, "bad_name"),
        ({"name": "<b>李</b>"}, "bad_name"),
        ({"name": "叉车证"}, "bad_name"),
        ({"phone": "0713-8661204"}, "phone_landline"),
        ({"phone": "1381234456"}, "phone_invalid"),
        ({"item": "SP08"}, "item_stopped"),
        ({"item": "ZZ99"}, "item_unknown"),
        ({"item": "FW09", "office": "HA"}, "office_not_accepting"),
        ({"item": "SP03"}, "item_not_here"),
        ({"day": date(2026, 11, 28)}, "closed"),  # a Saturday
        ({"day": date(2027, 1, 4)}, "beyond_horizon"),
        ({"day": date(2026, 11, 27), "at": "15:30"}, "too_soon"),
        ({"at": "12:30"}, "outside_hours"),
        ({"at": "09:10"}, "outside_hours"),
    ],
)
def test_the_desk_validates_everything(desk: Desk, changes: dict[str, object], code: str) -> None:
    assert _refusal(desk, **changes) == code


def test_names_people_write_are_accepted(desk: Desk) -> None:
    assert desk.check_name(" 欧阳娜娜 ") == "欧阳娜娜"
    assert desk.check_name("买买提·艾力") == "买买提·艾力"
    assert desk.check_name("John Smith") == "John Smith"


def test_capacity_is_never_exceeded(desk: Desk, loaded_engine: Engine) -> None:
    # 黄冈's 行政服务 window has 2 staff: two seats per slot.
    _book(desk, phone="13800000001")
    _book(desk, phone="13800000002")
    assert _refusal(desk, phone="13800000003") == "slot_full"
    assert _taken(loaded_engine) == 2


def test_one_booking_per_item_per_day(desk: Desk) -> None:
    _book(desk)
    assert _refusal(desk, at="10:00") == "same_item_day"
    _book(desk, item="FW02", at="10:00")  # another item that day is fine


def test_at_most_three_active_bookings(desk: Desk) -> None:
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)):
        _book(desk, day=day)
    assert _refusal(desk, day=date(2026, 12, 3)) == "too_many"


def test_same_idempotency_key_makes_one_booking(desk: Desk, loaded_engine: Engine) -> None:
    first = _book(desk, key="conv-1:tok")
    again = _book(desk, key="conv-1:tok")
    assert first == again and _taken(loaded_engine) == 1


def test_cancel_frees_the_seat_at_once(desk: Desk, loaded_engine: Engine) -> None:
    # 团风's 行政服务 window has one clerk: one seat per slot.
    ref = _book(desk, office="TF")
    assert _refusal(desk, office="TF", phone="13900000000") == "slot_full"
    desk.cancel(ref, PHONE, "citizen:test", now=NOW)
    assert _taken(loaded_engine, office="TF") == 0
    _book(desk, office="TF", phone="13900000000")  # the seat is bookable again


def test_wrong_phone_looks_like_wrong_reference(desk: Desk) -> None:
    ref = _book(desk)
    for ref_, phone in ((ref, "13900000000"), ("ZZZZZZZZ", PHONE)):
        with pytest.raises(BookingError) as err:
            desk.find(ref_, phone)
        assert err.value.code == "not_found"
    assert desk.find(ref.lower(), PHONE).ref == ref


def test_reschedule_is_atomic(desk: Desk, loaded_engine: Engine) -> None:
    ref = _book(desk, office="TF")
    _book(desk, office="TF", phone="13900000001", at="10:00")  # 10:00 now full
    with pytest.raises(BookingError) as err:
        desk.reschedule(ref, PHONE, MONDAY, time(10, 0), "citizen:test", now=NOW)
    assert err.value.code == "slot_full"
    kept = desk.find(ref, PHONE)
    assert kept.start == "09:00" and _taken(loaded_engine, "09:00", "TF") == 1
    moved = desk.reschedule(ref, PHONE, MONDAY, time(11, 0), "citizen:test", now=NOW)
    assert moved.start == "11:00"
    assert _taken(loaded_engine, "09:00", "TF") == 0 and _taken(loaded_engine, "11:00", "TF") == 1
    log = desk.audit(ref)
    assert log[-1]["action"] == "rescheduled" and log[-1]["detail"]["old"] == "2026-11-30 09:00"


def test_clerk_marks_and_audit_log(desk: Desk) -> None:
    ref = _book(desk)
    desk.mark(ref, "arrived", "clerk:wang", now=MONDAY_0940)
    desk.mark(ref, "served", "clerk:wang", now=MONDAY_0940)
    with pytest.raises(BookingError):
        desk.mark(ref, "no_show", "clerk:wang", now=MONDAY_0940)
    assert [(e["action"], e["actor"]) for e in desk.audit(ref)] == [
        ("created", "citizen:test"),
        ("arrived", "clerk:wang"),
        ("served", "clerk:wang"),
    ]


def test_lists_show_masked_phone_only(desk: Desk, loaded_engine: Engine) -> None:
    _book(desk)
    rows = desk.list_day("HG", MONDAY, "行政服务")
    assert [r.phone_masked for r in rows] == ["138****4567"]
    assert PHONE not in str([r.as_dict() for r in rows])
    with Session(loaded_engine) as session:  # the clear number is in the booking row only
        assert session.scalar(select(Booking.phone)) == PHONE


def test_no_show_frees_seat_and_slot_time_kept(desk: Desk, loaded_engine: Engine) -> None:
    ref = _book(desk)
    view = desk.mark(ref, "no_show", "clerk:li", now=MONDAY_0940)
    assert view.status == "no_show" and view.start == "09:00" and _taken(loaded_engine) == 0


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
    desk: Desk, status: str, now: datetime, code: str
) -> None:
    ref = _book(desk)
    with pytest.raises(BookingError) as refused:
        desk.mark(ref, status, "clerk:wang", now=now)
    assert refused.value.code == code
    assert desk.find(ref, None).status == "booked"


def test_arrival_on_the_local_day(desk: Desk) -> None:
    ref = _book(desk)
    sunday_utc_monday_local = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert desk.mark(ref, "arrived", "clerk:wang", now=sunday_utc_monday_local).status == "arrived"


def test_undo_a_mis_tap(desk: Desk, loaded_engine: Engine) -> None:
    ref = _book(desk)
    seats = _taken(loaded_engine)
    desk.mark(ref, "no_show", "clerk:wang", now=MONDAY_0940)
    assert _taken(loaded_engine) == seats - 1
    # Another clerk cannot take back wang's mark; wang can, within the window.
    with pytest.raises(BookingError) as other:
        desk.undo(ref, "clerk:li", now=MONDAY_0940)
    assert other.value.code == "nothing_to_undo"
    view = desk.undo(ref, "clerk:wang", now=MONDAY_0940 + timedelta(minutes=2))
    assert view.status == "booked" and _taken(loaded_engine) == seats
    log = desk.audit(ref)
    assert (log[-1]["action"], log[-1]["actor"]) == ("undo", "clerk:wang")
    assert log[-1]["detail"] == {"undid": "no_show", "to": "booked"}
    with pytest.raises(BookingError):  # an undo is not itself undone
        desk.undo(ref, "clerk:wang", now=MONDAY_0940)


def test_undo_window_is_short(desk: Desk) -> None:
    ref = _book(desk)
    desk.mark(ref, "arrived", "clerk:wang", now=MONDAY_0940)
    desk.mark(ref, "served", "clerk:wang", now=MONDAY_0940)
    with pytest.raises(BookingError) as late:
        desk.undo(ref, "clerk:wang", now=MONDAY_0940 + timedelta(minutes=11))
    assert late.value.code == "undo_expired"
    assert desk.undo(ref, "clerk:wang", now=MONDAY_0940 + timedelta(minutes=9)).status == "arrived"


def test_audit_times_are_aware_and_local(desk: Desk) -> None:
    ref = _book(desk)
    at = datetime.fromisoformat(desk.audit(ref)[0]["at"])
    assert at.utcoffset() == timedelta(hours=8)
    assert at.replace(tzinfo=None) == NOW  # the booking was made at the fixed local "now"


def test_search_by_phone_tail_or_name_within_an_office(desk: Desk) -> None:
    _book(desk, name="王芳")
    _book(desk, office="MC", phone="13900004567", name="王刚")
    assert [b.citizen_name for b in desk.search("4567", "HG")] == ["王芳"]
    assert {b.citizen_name for b in desk.search("王", None)} == {"王芳", "王刚"}
    assert desk.search("%", None) == [] and desk.search("", None) == []


def test_retention_erases_name_and_phone_not_the_booking(desk: Desk, loaded_engine: Engine) -> None:
    ref = _book(desk, name="王芳")
    assert desk.erase_expired(MONDAY) == 0
    assert desk.erase_expired(MONDAY + timedelta(days=1)) == 1
    kept = desk.find(ref, None)
    assert kept.citizen_name == "王*" and kept.phone_masked == "***"
    with Session(loaded_engine) as session:
        assert PHONE not in str(session.scalars(select(Booking.phone)).all())
    assert desk.audit(ref)[-1]["action"] == "erased"
    assert desk.erase_expired(MONDAY + timedelta(days=1)) == 0  # once only
