"""Chinese date/time expressions against a fixed "now" (Friday 2026-11-27 15:10)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from chuangkou.booking.timeparse import TimeProblem, TimeRequest, parse_time_request

NOW = datetime(2026, 11, 27, 15, 10)  # a Friday afternoon
AM, PM = (time(7, 0), time(11, 59, 59)), (time(13, 0), time(17, 59, 59))

# (expression, day, start, end)  — end None with a start means an exact time
CASES: list[tuple[str, date, time | None, time | None]] = [
    ("今天", date(2026, 11, 27), None, None),
    ("明天", date(2026, 11, 28), None, None),
    ("后天", date(2026, 11, 29), None, None),
    ("大后天", date(2026, 11, 30), None, None),
    ("明天上午", date(2026, 11, 28), *AM),
    ("明天下午", date(2026, 11, 28), *PM),
    ("明早", date(2026, 11, 28), *AM),
    ("今天下午", date(2026, 11, 27), *PM),
    ("下周一", date(2026, 11, 30), None, None),
    ("下周二", date(2026, 12, 1), None, None),
    ("下周三上午", date(2026, 12, 2), *AM),
    ("下周五下午", date(2026, 12, 4), *PM),
    ("周一", date(2026, 11, 30), None, None),
    ("星期一", date(2026, 11, 30), None, None),
    ("礼拜一", date(2026, 11, 30), None, None),
    ("周五下午", date(2026, 11, 27), *PM),
    ("下午三点半", date(2026, 11, 27), time(15, 30), None),  # still ahead today
    # A time said without a day, nothing under discussion: the next one still ahead.
    ("九点半", date(2026, 11, 28), time(9, 30), None),
    ("三点", date(2026, 11, 28), time(15, 0), None),
    ("下午3点", date(2026, 11, 28), time(15, 0), None),
    ("五点", date(2026, 11, 27), time(17, 0), None),
    ("明儿上午", date(2026, 11, 28), *AM),
    ("三天以后", date(2026, 11, 30), None, None),
    ("两天之后下午", date(2026, 11, 29), *PM),
    ("九点到十点之间", date(2026, 11, 28), time(9, 0), time(10, 0)),
    ("下周一两点到四点", date(2026, 11, 30), time(14, 0), time(16, 0)),
    ("下周二9点-10点", date(2026, 12, 1), time(9, 0), time(10, 0)),
    ("2026-12-02 8:30", date(2026, 12, 2), time(8, 30), None),
    ("12/2 8:30", date(2026, 12, 2), time(8, 30), None),
    ("12/11 8:30", date(2026, 12, 11), time(8, 30), None),
    ("2026-12-10（周四）09:00", date(2026, 12, 10), time(9, 0), None),  # a button title
    ("明天早上九点半", date(2026, 11, 28), time(9, 30), None),
    ("明天上午10点", date(2026, 11, 28), time(10, 0), None),
    ("后天下午两点", date(2026, 11, 29), time(14, 0), None),
    ("下周二下午三点半", date(2026, 12, 1), time(15, 30), None),
    ("下周一上午十点", date(2026, 11, 30), time(10, 0), None),
    ("12月1日", date(2026, 12, 1), None, None),
    ("12月1号上午", date(2026, 12, 1), *AM),
    ("12月十五号", date(2026, 12, 15), None, None),
    ("十二月三号", date(2026, 12, 3), None, None),
    ("10月8号", date(2027, 10, 8), None, None),  # already passed this year → next year
    ("1月2号", date(2027, 1, 2), None, None),  # year rollover
    ("8号上午", date(2026, 12, 8), *AM),  # 8th passed this month → next month
    ("30号", date(2026, 11, 30), None, None),
    ("下个月3号", date(2026, 12, 3), None, None),
    ("我想明天上午去办", date(2026, 11, 28), *AM),
    ("帮我约下周二下午三点半", date(2026, 12, 1), time(15, 30), None),
    ("那就12月2号吧", date(2026, 12, 2), None, None),
    ("明天下午4点可以吗", date(2026, 11, 28), time(16, 0), None),
    ("後天下午", date(2026, 11, 29), *PM),  # Traditional characters
    ("１２月１日", date(2026, 12, 1), None, None),  # full-width digits
]


@pytest.mark.parametrize(("text", "day", "start", "end"), CASES)
def test_expressions(text: str, day: date, start: time | None, end: time | None) -> None:
    result = parse_time_request(text, NOW)
    assert isinstance(result, TimeRequest), result
    assert (result.day, result.start, result.end) == (day, start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2月30号", "invalid"),
        ("二月三十号", "invalid"),
        ("13月1号", "invalid"),
        ("昨天", "past"),
        ("前天下午", "past"),
        ("上周三", "past"),
        ("随便哪天都行", "none"),
        ("", "none"),
        ("<script>alert(1)</script>", "none"),
        ("😀😀", "none"),
    ],
)
def test_problems(text: str, reason: str) -> None:
    result = parse_time_request(text, NOW)
    assert isinstance(result, TimeProblem) and result.reason == reason


@pytest.mark.parametrize(
    ("text", "start"),
    [("9点", time(9, 0)), ("九点半吧", time(9, 30)), ("10点那个", time(10, 0))],
)
def test_a_bare_time_means_the_day_under_discussion(text: str, start: time) -> None:
    thursday = date(2026, 12, 10)
    result = parse_time_request(text, NOW, context_day=thursday)
    assert isinstance(result, TimeRequest) and (result.day, result.start) == (thursday, start)
    afternoon = parse_time_request("下午那个", NOW, context_day=thursday)
    assert isinstance(afternoon, TimeRequest) and afternoon.day == thursday
    named = parse_time_request("下周一9点", NOW, context_day=thursday)  # a day said wins
    assert isinstance(named, TimeRequest) and named.day == date(2026, 11, 30)


def test_festivals_come_round_again() -> None:
    result = parse_time_request("元旦那天", datetime(2026, 12, 1, 10, 0))
    assert isinstance(result, TimeRequest) and result.day == date(2027, 1, 1)
    slash = parse_time_request("1/5", datetime(2026, 12, 28, 10, 0))
    assert isinstance(slash, TimeRequest) and slash.day == date(2027, 1, 5)


def test_december_rolls_into_january() -> None:
    result = parse_time_request("1月3号上午", datetime(2026, 12, 28, 10, 0))
    assert isinstance(result, TimeRequest) and result.day == date(2027, 1, 3)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # 十一 in a clock time or a day number is not National Day.
        ("1号上午十一点半", date(2027, 1, 1)),
        ("4号十一点", date(2027, 1, 4)),
        ("二十一号上午", date(2026, 12, 21)),
        ("五一那天上午", date(2027, 5, 1)),
    ],
)
def test_numbers_that_look_like_festivals(text: str, day: date) -> None:
    result = parse_time_request(
        text, datetime(2026, 12, 18, 8, 0) if "二十一" in text else datetime(2026, 12, 28, 8, 0)
    )
    assert isinstance(result, TimeRequest) and result.day == day
