"""Slots of an office window on a day, and which of them can still be booked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from chuangkou.booking.calendar import TZ, DayStatus, WorkCalendar
from chuangkou.booking.records import seats_of_day
from chuangkou.catalog.model import Hours, Office


@dataclass(frozen=True)
class BookingPolicy:
    """Booking rules a bureau may tune."""

    slot_minutes: int = 30
    horizon_days: int = 14
    min_lead: timedelta = timedelta(hours=1)
    max_active_per_phone: int = 3
    retention_days: int = 180  # name and phone erased this long after the booked day


@dataclass(frozen=True)
class Slot:
    """One bookable slot and its seats."""

    day: date
    start: time
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        """Seats still free."""
        return max(self.capacity - self.taken, 0)

    @property
    def label(self) -> str:
        """``2026-12-01 09:30``."""
        return f"{self.day.isoformat()} {self.start.strftime('%H:%M')}"


def now_local() -> datetime:
    """The current time in Asia/Shanghai (naive, for comparisons with slot times)."""
    return datetime.now(TZ).replace(tzinfo=None)


def _hm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def hours_on(office: Office, day: date) -> Hours:
    """The office's hours on a day: summer hours inside their season, else the default."""
    summer = office.summer_hours
    if summer and summer.season_from and summer.season_to:
        key = day.strftime("%m-%d")
        if summer.season_from <= key <= summer.season_to:
            return summer
    return office.hours


def slot_times(office: Office, day: date, slot_minutes: int) -> list[time]:
    """Start times of every slot in the morning and afternoon sessions (lunch excluded)."""
    hours = hours_on(office, day)
    starts: list[time] = []
    for begin_s, end_s in (hours.morning, hours.afternoon):
        begin = datetime.combine(day, _hm(begin_s))
        end = datetime.combine(day, _hm(end_s))
        while begin + timedelta(minutes=slot_minutes) <= end:
            starts.append(begin.time())
            begin += timedelta(minutes=slot_minutes)
    return starts


@dataclass(frozen=True)
class SlotBook:
    """Slot arithmetic: the calendar and the policy; seats are read in the given session."""

    calendar: WorkCalendar
    policy: BookingPolicy = field(default_factory=BookingPolicy)

    def day_status(self, office: Office, day: date) -> DayStatus:
        """Whether the office works that day."""
        return self.calendar.status(day, office.code)

    def in_horizon(self, day: date, now: datetime) -> bool:
        """Whether a day is inside the booking horizon."""
        return now.date() <= day <= now.date() + timedelta(days=self.policy.horizon_days)

    def slots(
        self, office: Office, window_type: str, day: date, now: datetime, *, session: Session
    ) -> list[Slot]:
        """Every slot of the window that day that starts at least ``min_lead`` from now.

        Args:
            office: The office.
            window_type: The window (category).
            day: The day.
            now: The current local time.
            session: Where the seats taken are read.

        Returns:
            Slots with their seats (full ones included, so callers can say "full").
        """
        window = office.window(window_type)
        if window is None or not self.day_status(office, day).open:
            return []
        earliest = now + self.policy.min_lead
        seats = seats_of_day(
            session=session, office_code=office.code, window_type=window_type, day=day
        )
        result = []
        for start in slot_times(office, day, self.policy.slot_minutes):
            if datetime.combine(day, start) < earliest:
                continue
            capacity, taken = seats.get(start.strftime("%H:%M"), (window.staff, 0))
            result.append(Slot(day, start, capacity, taken))
        return result

    def nearest_free(
        self,
        office: Office,
        window_type: str,
        now: datetime,
        *,
        after: datetime | None = None,
        between: tuple[time, time] | None = None,
        limit: int = 6,
        session: Session,
    ) -> list[Slot]:
        """Up to ``limit`` nearest free slots from ``after`` (default: now) in the horizon.

        Args:
            office: The office.
            window_type: The window.
            now: The current local time.
            after: Start looking from this time.
            between: Prefer slots whose start falls in this range (e.g. an afternoon).
            limit: How many.
            session: Where the seats taken are read.

        Returns:
            Free slots, soonest first; those in ``between`` first when given.
        """
        start_from = max(after or now, now)
        found: list[Slot] = []
        day = start_from.date()
        last = now.date() + timedelta(days=self.policy.horizon_days)
        while day <= last and len(found) < limit * 3:
            for slot in self.slots(office, window_type, day, now, session=session):
                if slot.free and datetime.combine(day, slot.start) >= start_from:
                    found.append(slot)
            day += timedelta(days=1)
        if between:
            preferred = [s for s in found if between[0] <= s.start <= between[1]]
            found = preferred + [s for s in found if s not in preferred]
        return found[:limit]
