"""The booking desk: catalog + calendar + slots + bookings behind one object.

The CLI, the actions and (later) the gateway use this one implementation: it resolves an
office and window from what a person or clerk typed, lists free slots, and turns a
requested time into a bookable slot or into suggestions with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from chuangkou.booking.calendar import DayStatus, WorkCalendar
from chuangkou.booking.service import SlotKey
from chuangkou.booking.slots import BookingPolicy, Slot, SlotBook, hours_on
from chuangkou.booking.timeparse import TimeRequest
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog, Office


class DeskError(Exception):
    """An office or window that does not exist (``code`` says which)."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"{code}: {detail}")


@dataclass(frozen=True)
class SlotDecision:
    """The answer to "can I come then?": a slot, or suggestions and why."""

    slot: Slot | None
    suggestions: tuple[Slot, ...]
    reason: str | None  # None when slot is set; else vague|full|closed|outside_hours|
    # too_soon|beyond_horizon|no_slots
    day_status: DayStatus | None = None


@dataclass(frozen=True)
class Desk:
    """Booking operations over one catalog version and database."""

    catalog: Catalog
    matcher: Matcher
    engine: Engine
    calendar: WorkCalendar
    policy: BookingPolicy = field(default_factory=BookingPolicy)

    @property
    def book(self) -> SlotBook:
        """Slot arithmetic."""
        return SlotBook(self.engine, self.calendar, self.policy)

    def office(self, text: str) -> Office:
        """An office from its code, name or alias ("麻城", "HG", "团风县质监局")."""
        by_code = self.catalog.office(text.strip().upper())
        if by_code:
            return by_code
        found = self.matcher.targets(text, "office")
        office = self.catalog.office(found[0]) if found else None
        if office is None:
            raise DeskError("unknown_office", text)
        return office

    def window(self, text: str) -> str:
        """A window type from its name ("行政审批", "行政审批窗口")."""
        for category in self.catalog.window_types:
            if category in text:
                return category
        raise DeskError("unknown_window", text)

    def slot_key(self, office: Office, window_type: str, slot: Slot) -> SlotKey:
        """The key of a slot."""
        return SlotKey(office.code, window_type, slot.day, slot.start)

    def day_view(
        self, office: Office, window_type: str, day: date, now: datetime
    ) -> dict[str, Any]:
        """A window's day as JSON: open or why not, and the seats of each slot.

        The public API and ``chuangkou slots`` both answer with this.
        """
        status = self.book.day_status(office, day)
        slots = self.book.slots(office, window_type, day, now)
        return {
            "office": office.code,
            "window": window_type,
            "date": day.isoformat(),
            "open": status.open,
            "closed_reason": status.reason,
            "schedule_known": status.schedule_known,
            "slots": [
                {"time": s.start.strftime("%H:%M"), "capacity": s.capacity, "free": s.free}
                for s in slots
            ],
        }

    def capacity(self, office: Office, window_type: str) -> int:
        """Seats per slot: the window's staffing."""
        window = office.window(window_type)
        return window.staff if window else 1

    def decide(
        self, office: Office, window_type: str, request: TimeRequest, now: datetime
    ) -> SlotDecision:
        """Turn a requested time into a slot, or up to 6 nearest free slots and the reason.

        Args:
            office: The office.
            window_type: The window.
            request: What the person asked for.
            now: The current local time.

        Returns:
            The decision.
        """
        book = self.book
        status = book.day_status(office, request.day)

        def suggest(reason: str, after: datetime | None = None) -> SlotDecision:
            between = (request.start, request.end) if request.start and request.end else None
            found = book.nearest_free(office, window_type, now, after=after, between=between)
            return SlotDecision(None, tuple(found), reason if found else "no_slots", status)

        if not book.in_horizon(request.day, now):
            return suggest("beyond_horizon")
        if not status.open:
            return suggest("closed", datetime.combine(request.day, time(0, 0)))
        slots = book.slots(office, window_type, request.day, now)
        day_start = datetime.combine(request.day, time(0, 0))
        if request.exact:
            assert request.start is not None
            hours = hours_on(office, request.day)
            opening = [(h[0], h[1]) for h in (hours.morning, hours.afternoon)]
            wanted = request.start.strftime("%H:%M")
            if not any(a <= wanted < b for a, b in opening):
                return suggest("outside_hours", day_start)
            if datetime.combine(request.day, request.start) < now + self.policy.min_lead:
                return suggest("too_soon")
            # The slot that contains the requested minute.
            chosen = max(
                (s for s in slots if s.start <= request.start), key=lambda s: s.start, default=None
            )
            if chosen is not None and chosen.free:
                return SlotDecision(chosen, (), None, status)
            return suggest("full", datetime.combine(request.day, request.start))
        start = request.start or time(0, 0)
        end = request.end or time(23, 59)
        fitting = [s for s in slots if s.free and start <= s.start <= end]
        if fitting:
            return SlotDecision(None, tuple(fitting[:6]), "vague", status)
        if not [s for s in slots if start <= s.start <= end]:
            reason = "too_soon" if request.day == now.date() else "outside_hours"
            return suggest(reason, day_start)
        return suggest("full", day_start)

    def horizon_end(self, now: datetime) -> date:
        """The last bookable day."""
        return now.date() + timedelta(days=self.policy.horizon_days)


def calendar_for(catalog_dir: Path) -> WorkCalendar:
    """The working-day calendar from the catalog folder's ``calendar.yml``."""
    return WorkCalendar.from_file(catalog_dir / "calendar.yml")
