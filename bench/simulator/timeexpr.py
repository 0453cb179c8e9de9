"""Say a slot's day and time the way people do, relative to "now" (Asia/Shanghai).

The meaning of every phrase is fixed here, by the simulator's own calendar arithmetic
(weeks start on Monday; "周五" alone only when that Friday is later this week; "下周四" is
the Thursday of next week; a bare "10号" is the next 10th), never by asking the bot's
parser. The tests check that the project's parser agrees.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

CN_DIGITS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
WEEKDAY_CN = ("一", "二", "三", "四", "五", "六", "日")
RELATIVE_DAYS = {0: ("今天",), 1: ("明天",), 2: ("后天",), 3: ("大后天",)}
WEEK_PREFIXES = {
    0: ("周", "星期", "礼拜", "这周", "本周"),
    1: ("下周", "下星期", "下礼拜"),
    2: ("下下周",),
}
MORNING, AFTERNOON = "上午", "下午"

# Families of day phrases; the styles choose among them.
DAY_FAMILIES = ("relative", "weekday", "month_day", "bare_day", "slash", "full_date", "iso_date")
SHORT_FAMILIES = ("relative", "weekday", "slash", "bare_day", "iso_date")
LONG_FAMILIES = ("relative", "weekday", "month_day", "full_date")
# Families written with a space before the clock, and never with a bare hour.
SPACED = ("slash", "full_date", "iso_date")


@dataclass(frozen=True)
class TimeExpr:
    """A rendered time expression and what it means."""

    text: str
    day: date
    start: time | None  # the exact time; None for a half-day
    half: str | None  # 上午 / 下午 for a vague expression
    family: str

    @property
    def vague(self) -> bool:
        """Whether only a day and half-day were said."""
        return self.start is None


def half_of(start: time) -> str:
    """上午 or 下午 for a slot start."""
    return MORNING if start.hour < 12 else AFTERNOON


def _cn_hour(hour: int) -> str:
    return "两" if hour == 2 else CN_DIGITS[hour]


def day_phrases(day: date, today: date) -> dict[str, list[str]]:
    """Every phrase naming ``day`` unambiguously, by family.

    Args:
        day: The day to name.
        today: The day it is now.

    Returns:
        Family name → phrases (families that cannot name that day are left out).
    """
    out: dict[str, list[str]] = {}
    delta = (day - today).days
    if delta in RELATIVE_DAYS:
        out["relative"] = list(RELATIVE_DAYS[delta])
    weeks = (day - (today - timedelta(days=today.weekday()))).days // 7
    wd = WEEKDAY_CN[day.weekday()]
    if weeks in WEEK_PREFIXES and not (weeks == 0 and delta <= 0):
        out["weekday"] = [f"{p}{wd}" for p in WEEK_PREFIXES[weeks]]
    out["month_day"] = [f"{day.month}月{day.day}号", f"{day.month}月{day.day}日"]
    if 0 < delta < 28:  # "10号" is the next 10th
        out["bare_day"] = [f"{day.day}号"]
    out["slash"] = [f"{day.month}/{day.day}"]
    out["full_date"] = [f"{day.year}年{day.month}月{day.day}日"]
    out["iso_date"] = [day.isoformat()]
    return out


def clock_phrases(start: time) -> dict[str, list[str]]:
    """Every phrase naming a slot's start time, by kind.

    ``spoken`` has 上午/下午 and Chinese or Arabic numerals ("下午两点半"), ``digits`` is
    a 24-hour clock ("14:30"), ``bare`` is an hour without 上午/下午 ("3点半": at a window
    an hour from 1 to 6 means the afternoon).

    Args:
        start: The slot's start (on the hour or the half hour).

    Returns:
        Kind → phrases.
    """
    hour, minute = start.hour, start.minute
    half = half_of(start)
    h12 = hour - 12 if hour > 12 else hour
    tail_cn = "半" if minute == 30 else ""
    tail_ar = "半" if minute == 30 else ""
    spoken = [
        f"{half}{_cn_hour(h12)}点{tail_cn}",
        f"{half}{h12}点{tail_ar}",
        f"{half}{h12}:{minute:02d}",
    ]
    if hour < 10:
        spoken.append(f"早上{h12}点{tail_ar}")
    digits = [f"{hour}:{minute:02d}"]
    if minute == 0:
        digits.append(f"{hour}点")
    else:
        digits.append(f"{hour}点{minute}")
    bare: list[str] = []
    if 7 <= hour < 12 or 13 <= hour < 19:
        bare.append(f"{h12}点{tail_ar}")
    return {"spoken": spoken, "digits": digits, "bare": bare}


def _joiner(family: str) -> str:
    return " " if family in SPACED else ""


def exact_variants(day: date, start: time, today: date) -> list[TimeExpr]:
    """Every exact expression of a slot (the tests check each of them).

    Args:
        day: The slot's day.
        start: Its start time.
        today: The day it is now.

    Returns:
        All renderings.
    """
    out: list[TimeExpr] = []
    clocks = clock_phrases(start)
    for family, phrases in day_phrases(day, today).items():
        for phrase in phrases:
            for kind, clock_list in clocks.items():
                if family in SPACED and kind == "bare":
                    continue
                for clock in clock_list:
                    out.append(TimeExpr(phrase + _joiner(family) + clock, day, start, None, family))
    return out


def vague_variants(day: date, half: str, today: date) -> list[TimeExpr]:
    """Every day + half-day expression ("明天上午", "下周四下午", "12月10号上午").

    Args:
        day: The day.
        half: 上午 or 下午.
        today: The day it is now.

    Returns:
        All renderings.
    """
    out: list[TimeExpr] = []
    for family, phrases in day_phrases(day, today).items():
        if family in SPACED:
            continue
        out += [TimeExpr(p + half, day, None, half, family) for p in phrases]
    return out


def render_exact(
    day: date, start: time, now: datetime, rng: random.Random, *, short: bool = False
) -> TimeExpr:
    """One exact expression of a slot, chosen at random.

    Args:
        day: The slot's day.
        start: Its start.
        now: The local time it is said at.
        rng: The dialogue's random source.
        short: Prefer short forms ("明天9点", "12/10 9:30") over spoken ones.

    Returns:
        The expression.
    """
    days = day_phrases(day, now.date())
    families = [f for f in (SHORT_FAMILIES if short else LONG_FAMILIES) if f in days]
    family = rng.choice(families or list(days))
    phrase = rng.choice(days[family])
    clocks = clock_phrases(start)
    kinds = ["digits", "bare"] if short else ["spoken", "spoken", "digits"]
    if family in SPACED:
        kinds = ["digits"]
    kinds = [k for k in kinds if clocks[k]]
    clock = rng.choice(clocks[rng.choice(kinds)])
    return TimeExpr(phrase + _joiner(family) + clock, day, start, None, family)


def render_explicit_date(day: date, start: time) -> TimeExpr:
    """The least ambiguous rendering ("12月10号上午9点半"), used when repeating."""
    clock = clock_phrases(start)["spoken"][1]
    return TimeExpr(f"{day.month}月{day.day}号{clock}", day, start, None, "month_day")


def render_vague(day: date, half: str, now: datetime, rng: random.Random) -> TimeExpr:
    """A day and half-day, chosen at random among the unambiguous renderings.

    Args:
        day: The day.
        half: 上午 or 下午.
        now: The local time it is said at.
        rng: The dialogue's random source.

    Returns:
        The expression.
    """
    return rng.choice(vague_variants(day, half, now.date()))


def slot_title_fits(day: date, start: time, wanted_day: date, half: str) -> bool:
    """Whether an offered slot fits a vague request (same day, same half-day)."""
    return day == wanted_day and half_of(start) == half
