"""Chinese date/time expressions → a requested day and time, relative to "now".

jionlp's time parser does the language ("下周二下午三点半", "大后天", "10月8号"); this
module only adds what a booking needs on top: the expression is found inside a sentence,
dates that a person clearly means in the future are rolled forward (a bare "10月8号" in
November is next October, "8号" after the 8th is next month, "周一" on a Friday is next
Monday), an afternoon hour said without 下午 ("三点") is read as office time, and
impossible or past dates are reported, never guessed.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from common.folding import to_simplified

# Words jionlp does not know, rewritten to words it does (parsing vocabulary, not UI text).
REWRITES = {
    "明早": "明天上午",
    "明晚": "明天晚上",
    "今早": "今天上午",
    "大后儿": "大后天",
    "明儿": "明天",
    "后儿": "后天",
    "今儿": "今天",
    "礼拜": "周",
    "星期天": "周日",
    "钟头": "小时",
}
PAST_WORDS = ("昨", "前天", "上周", "上个", "上星期", "去年")
WEEK_WORDS = ("周", "星期")
MORNING_WORDS = ("上午", "早上", "早晨", "凌晨", "早")
# Festivals come round every year: a bare "元旦" in December is the next one.
FESTIVAL_WORDS = (
    "元旦",
    "春节",
    "除夕",
    "元宵",
    "清明",
    "劳动节",
    "五一",
    "端午",
    "中秋",
    "国庆",
)
# "十一" and "五一" are festivals only standing alone: not in 十一点, 二十一号, 十一月.
_NUMBER_FESTIVAL = re.compile(
    r"(?<![0-9一二三四五六七八九十])(?:十一|五一)(?![0-9一二三四五六七八九十点时号日月分:：])"
)
# A phrase with none of these names no day: "9点", "九点半吧" are a time on the day under
# discussion (or the next one still ahead).
DAY_WORDS = (
    "今",
    "明",
    "后天",
    "昨",
    "前天",
    "周",
    "星期",
    "月",
    "号",
    "日",
    "天",
    "节",
    "元旦",
    "春节",
    "除夕",
    "清明",
    "端午",
    "中秋",
    "国庆",
    "十一",
    "年",
    "下个",
    "这个",
    "本",
)
_ISO_DATE = re.compile(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])")
_DAYS_LATER = re.compile(r"([0-9一二两三四五六七八九十]+)\s*天\s*(以后|之后)")
_RANGE = re.compile(
    r"(?P<a>[^到至~～]+?)\s*(?:到|至|~|～|-)\s*(?P<b>[^到至~～]+?)(?:之间|中间|左右)?$"
)


@dataclass(frozen=True)
class TimeRequest:
    """What a person asked for: a day, and an exact time or a time range on it."""

    day: date
    start: time | None = None  # exact time, or the start of a range ("下午" → 13:00)
    end: time | None = None  # end of a range; None with start set means an exact time
    text: str = ""

    @property
    def exact(self) -> bool:
        """Whether a precise time (not just a day or a half-day) was given."""
        return self.start is not None and self.end is None


@dataclass(frozen=True)
class TimeProblem:
    """Why an expression could not be used.

    ``none``: no time in it; ``invalid``: such a date does not exist; ``past``.
    """

    reason: str
    text: str = ""


@cache
def _jionlp() -> Any:
    # jionlp prints a banner on import; keep stdout clean for the CLI and logs.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp


def _rewrite(text: str) -> str:
    text = to_simplified(text)
    for old, new in REWRITES.items():
        text = text.replace(old, new)
    # Numeric dates as words jionlp reads the same way every time: 2026-12-10, 12/10.
    text = _ISO_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日 ", text)
    text = _SLASH_DATE.sub(lambda m: f"{int(m[1])}月{int(m[2])}日 ", text)
    text = re.sub(r"两(?=点|个?小时)", "2", text)  # "下周一两点" reads as 下周一 2点
    return _DAYS_LATER.sub(lambda m: f"{m[1]}天后", text)


def _names_festival(text: str) -> bool:
    return any(w in text for w in FESTIVAL_WORDS) or bool(_NUMBER_FESTIVAL.search(text))


def _roll_forward(day: date, text: str, today: date) -> date | None:
    """Move a date the person means in the future past today, or None if it is past."""
    if day >= today:
        return day
    if any(w in text for w in PAST_WORDS):
        return None
    if any(w in text for w in WEEK_WORDS):
        while day < today:
            day += timedelta(days=7)
        return day
    if "月" in text or _names_festival(text):
        try:
            return day.replace(year=day.year + 1)
        except ValueError:
            return None
    if "号" in text or "日" in text:
        month, year = (day.month % 12) + 1, day.year + (day.month == 12)
        with contextlib.suppress(ValueError):
            return day.replace(year=year, month=month)
        return None
    return None


def parse_time_request(
    text: str, now: datetime, *, context_day: date | None = None
) -> TimeRequest | TimeProblem:
    """Read the day and time a person asks for.

    Args:
        text: The message ("我想下周二下午去", "明早九点半", "10月8号", "9点").
        now: The current local time (Asia/Shanghai).
        context_day: The day under discussion: a time said without a day ("九点半吧")
            means that day; without one, the next such time still ahead.

    Returns:
        The request, or the problem with it.
    """
    source = _rewrite(text)[:200]
    if _impossible_month_day(source, now.year):
        return TimeProblem("invalid", text)
    ranged = _range(source, now, context_day)
    if ranged is not None:
        return ranged
    found = _extract(source, now)
    if found is None:
        return TimeProblem("invalid", text)
    points = [f for f in found if f.get("type") == "time_point" and f.get("detail")]
    if not points:
        return TimeProblem("invalid" if _looks_like_date(source) else "none", text)
    entity = points[0]
    phrase = str(entity["text"])
    start_s, end_s = entity["detail"]["time"][:2]
    start = datetime.fromisoformat(start_s)
    end = datetime.fromisoformat(end_s)
    day = _roll_forward(start.date(), phrase, now.date())
    if day is None:
        return TimeProblem("past", phrase)
    whole_day = start.time() == time(0, 0) and end.time() >= time(23, 59)
    if whole_day:
        return TimeRequest(day, text=phrase)
    begin = start.time()
    dayless = not any(w in phrase for w in DAY_WORDS)
    if entity["detail"]["definition"] == "accurate" and (end - start) <= timedelta(hours=1):
        if begin.hour < 7 and not any(w in phrase for w in MORNING_WORDS):
            begin = time(begin.hour + 12, begin.minute)  # "三点" at a window means 15:00
        if dayless:
            day = _day_of_bare_time(begin, now, context_day)
        return TimeRequest(day, begin, None, phrase)
    if dayless and context_day is not None:
        day = context_day  # "下午那个" while a day is under discussion
    return TimeRequest(day, begin, end.time(), phrase)


def _extract(source: str, now: datetime) -> list[dict[str, Any]] | None:
    jio = _jionlp()
    try:
        found: list[dict[str, Any]] = jio.ner.extract_time(
            source, time_base=now.timestamp(), with_parsing=True
        )
    except Exception:
        return None
    return found


def _day_of_bare_time(at: time, now: datetime, context_day: date | None) -> date:
    """The day a time said alone means: the day in discussion, or the next one ahead."""
    if context_day is not None:
        return context_day
    today = now.date()
    return today if datetime.combine(today, at) > now else today + timedelta(days=1)


def _range(source: str, now: datetime, context_day: date | None) -> TimeRequest | None:
    """A day and a range of times ("九点到十点之间", "明天9点-10点"), or None."""
    found = _RANGE.search(source)
    if found is None or not any(ch.isdigit() or ch in "一二三四五六七八九十点" for ch in source):
        return None
    first = parse_time_request(found["a"], now, context_day=context_day)
    second = parse_time_request(found["b"], now, context_day=context_day)
    if not (isinstance(first, TimeRequest) and isinstance(second, TimeRequest)):
        return None
    if not (first.exact and second.exact) or first.start is None or second.start is None:
        return None
    end = second.start
    if end <= first.start and end.hour < 12:
        end = time(end.hour + 12, end.minute)  # "两点到四点" in the afternoon
    if end <= first.start:
        return None
    return TimeRequest(first.day, first.start, end, source)


def _looks_like_date(text: str) -> bool:
    """A date-shaped phrase jionlp rejected (e.g. 2月30号) is invalid, not absent."""
    return any(ch.isdigit() for ch in text) and any(w in text for w in ("月", "号", "日"))


#: Chinese numerals up to ten (the dialogue's ordinals use them too).
NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_MONTH_DAY = re.compile(
    r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})月([0-9]{1,2}|[一二三四五六七八九十]{1,3})[号日]"
)


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + _number(token[1:]) if len(token) > 1 else 10
    if "十" in token:
        tens, _, ones = token.partition("十")
        return NUMERALS[tens] * 10 + (NUMERALS[ones] if ones else 0)
    return NUMERALS.get(token, 0)


def _impossible_month_day(text: str, year: int) -> bool:
    """Whether the text names a month/day that exists in no year near this one."""
    for month_s, day_s in _MONTH_DAY.findall(text):
        month, day = _number(month_s), _number(day_s)
        valid = False
        for candidate in (year, year + 1):
            try:
                date(candidate, month, day)
                valid = True
            except ValueError:
                continue
        if not valid:
            return True
    return False
