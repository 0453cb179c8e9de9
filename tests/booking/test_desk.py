"""Turning a requested time into a slot or suggestions, with the reason."""

from __future__ import annotations

from datetime import date, datetime, time

from chuangkou.booking.calendar import WorkCalendar
from chuangkou.booking.desk import BookingRequest, Desk
from chuangkou.booking.slots import slot_times
from chuangkou.booking.timeparse import TimeRequest, parse_time_request
from chuangkou.catalog.model import Catalog, Office

FRIDAY_AFTERNOON = datetime(2026, 11, 27, 16, 45)


def _office(catalog: Catalog, code: str = "HG") -> Office:
    office = catalog.office(code)
    assert office is not None
    return office


def _request(text: str, now: datetime) -> TimeRequest:
    request = parse_time_request(text, now)
    assert isinstance(request, TimeRequest)
    return request


def test_friday_afternoon_today_offers_next_monday(desk: Desk, catalog: Catalog) -> None:
    decision = desk.decide(
        _office(catalog), "行政服务", _request("今天下午", FRIDAY_AFTERNOON), FRIDAY_AFTERNOON
    )
    assert decision.slot is None and decision.reason in ("too_soon", "outside_hours")
    assert decision.suggestions[0].day == date(2026, 11, 30)  # Monday
    assert len(decision.suggestions) == 6


def test_exact_free_time_is_booked(desk: Desk, catalog: Catalog) -> None:
    decision = desk.decide(
        _office(catalog), "行政服务", _request("下周二上午十点", FRIDAY_AFTERNOON), FRIDAY_AFTERNOON
    )
    assert decision.slot is not None
    assert (decision.slot.day, decision.slot.start) == (date(2026, 12, 1), time(10, 0))


def test_weekend_and_holiday_are_closed(desk: Desk, catalog: Catalog) -> None:
    saturday = desk.decide(
        _office(catalog), "行政服务", _request("明天上午十点", FRIDAY_AFTERNOON), FRIDAY_AFTERNOON
    )
    assert saturday.reason == "closed" and saturday.day_status is not None
    assert saturday.day_status.reason == "weekend"
    assert all(s.day.weekday() < 5 for s in saturday.suggestions)
    before_new_year = datetime(2026, 12, 30, 9, 0)
    new_year = desk.decide(
        _office(catalog), "行政服务", _request("1月1号", before_new_year), before_new_year
    )
    assert new_year.reason == "closed" and new_year.day_status is not None
    assert new_year.day_status.reason == "holiday"


def test_lunch_break_and_evening_are_outside_hours(desk: Desk, catalog: Catalog) -> None:
    for text in ("下周一中午12点半", "下周一晚上8点"):
        decision = desk.decide(
            _office(catalog), "行政服务", _request(text, FRIDAY_AFTERNOON), FRIDAY_AFTERNOON
        )
        assert decision.reason == "outside_hours", text
        assert decision.suggestions


def test_beyond_horizon(desk: Desk, catalog: Catalog) -> None:
    decision = desk.decide(
        _office(catalog), "行政服务", _request("10月8号", FRIDAY_AFTERNOON), FRIDAY_AFTERNOON
    )
    assert decision.reason == "beyond_horizon" and decision.suggestions


def test_full_slot_offers_the_nearest_others(desk: Desk, catalog: Catalog) -> None:
    office = _office(catalog)
    seats = desk.capacity(office, "行政服务")
    for i in range(seats):
        desk.book(
            BookingRequest(
                item_code="FW01",
                office_code="HG",
                day=date(2026, 12, 1),
                start=time(10, 0),
                name="张三",
                phone=f"1380000{i:04d}",
                channel="test",
                actor="test",
            ),
            now=FRIDAY_AFTERNOON,
        )
    decision = desk.decide(
        office, "行政服务", _request("下周二上午十点", FRIDAY_AFTERNOON), FRIDAY_AFTERNOON
    )
    assert decision.slot is None and decision.reason == "full"
    assert decision.suggestions[0].start == time(10, 30)


def test_unknown_year_keeps_fixed_holidays_and_says_so(catalog: Catalog) -> None:
    calendar = WorkCalendar({"fixed_holidays": ["01-01", "05-01", "10-01"]})
    status = calendar.status(date(2027, 5, 1), "HG")
    assert not status.open and status.reason == "holiday" and not status.schedule_known
    assert calendar.status(date(2027, 5, 6), "HG").open


def test_closure_from_data_file() -> None:
    calendar = WorkCalendar(
        {"closures": [{"office": "TF", "date": "2026-12-02", "reason": "停电"}]}
    )
    assert calendar.status(date(2026, 12, 2), "TF").detail == "停电"
    assert calendar.status(date(2026, 12, 2), "HG").open


def test_make_up_working_saturday_is_open(calendar: WorkCalendar) -> None:
    assert calendar.status(date(2026, 10, 10), "HG").open  # 调休 Saturday


def test_slot_times_skip_lunch_and_use_summer_hours(catalog: Catalog) -> None:
    office = _office(catalog)
    winter = slot_times(office, date(2026, 12, 1), 30)
    assert time(12, 0) not in winter and time(14, 30) in winter and winter[-1] == time(17, 0)
    if office.summer_hours is not None:
        summer = slot_times(office, date(2026, 7, 1), 30)
        assert summer != winter
