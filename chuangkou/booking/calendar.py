"""Which days an office is open: weekends, statutory holidays, 调休 and local closures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

# Every bureau works in this zone; slots, days and times shown are its local time.
TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DayStatus:
    """Whether an office works on a day, and why not when it does not."""

    open: bool
    reason: str | None = None  # weekend | holiday | closure | None
    detail: str | None = None  # holiday name or closure reason
    schedule_known: bool = True


class WorkCalendar:
    """Working days of an office.

    From chinesecalendar for the years it covers, the data file for later years, and
    local closures.
    """

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        data = data or {}
        self._years: dict[int, tuple[set[date], set[date]]] = {}
        for year, entry in (data.get("years") or {}).items():
            holidays = {date.fromisoformat(str(d)) for d in entry.get("holidays", [])}
            workdays = {date.fromisoformat(str(d)) for d in entry.get("workdays", [])}
            self._years[int(year)] = (holidays, workdays)
        self._fixed = tuple(str(d) for d in data.get("fixed_holidays", []))
        self._closures: dict[tuple[str, date], str] = {}
        for closure in data.get("closures") or []:
            key = (str(closure["office"]), date.fromisoformat(str(closure["date"])))
            self._closures[key] = str(closure.get("reason", ""))

    @classmethod
    def from_file(cls, path: Path) -> WorkCalendar:
        """Read the calendar data file (a missing file means no extra data)."""
        if not path.exists():
            return cls()
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def _official(self, day: date) -> tuple[bool, bool, str | None] | None:
        """(is_workday, schedule_known, holiday name) from an official schedule, if known."""
        if day.year in self._years:
            holidays, workdays = self._years[day.year]
            if day in workdays:
                return True, True, None
            if day in holidays:
                return False, True, None
            return day.weekday() < 5, True, None
        import chinese_calendar

        try:
            workday = chinese_calendar.is_workday(day)
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        return bool(workday), True, name

    def status(self, day: date, office_code: str) -> DayStatus:
        """Whether the office is open on ``day``.

        Args:
            day: The date.
            office_code: The office.

        Returns:
            The day's status; ``schedule_known`` is False for a year whose official holiday
            schedule is not published yet (only fixed holidays and weekends apply then).
        """
        for key in ((office_code, day), ("all", day)):
            if key in self._closures:
                return DayStatus(False, "closure", self._closures[key])
        official = self._official(day)
        if official is None:
            if day.strftime("%m-%d") in self._fixed:
                return DayStatus(False, "holiday", None, schedule_known=False)
            if day.weekday() >= 5:
                return DayStatus(False, "weekend", None, schedule_known=False)
            return DayStatus(True, schedule_known=False)
        workday, _, name = official
        if workday:
            return DayStatus(True)
        return DayStatus(False, "weekend" if day.weekday() >= 5 and not name else "holiday", name)
