"""The booking desk: the one use case behind every booking, whoever makes it.

The chat, the kiosk API and the CLI all book, look up, cancel and reschedule through
:class:`Desk`, and the clerks' console marks through it. It is the only place that
validates a name, a phone number, an item at an office, a slot (horizon, opening day,
hours, lead time, free seat) and the per-phone limits, and it opens the unit of work
(``with sessions.begin()``) in which the data functions of :mod:`.records` run, so that
"check, then book" is one transaction.

Refusals are :class:`~chuangkou.booking.records.BookingError` with one of these codes:
``bad_name``, ``phone_invalid``, ``phone_landline``, ``item_unknown``, ``item_stopped``,
``item_not_here``, ``office_not_accepting``, ``beyond_horizon``, ``closed``,
``outside_hours``, ``too_soon``, ``slot_full``, ``same_item_day``, ``too_many``,
``not_found``, ``bad_transition``, ``not_today``, ``too_early``, ``nothing_to_undo``,
``undo_expired``, ``conflict``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chuangkou.booking import records
from chuangkou.booking.calendar import TZ, DayStatus, WorkCalendar
from chuangkou.booking.records import BookingError, BookingView, SlotKey
from chuangkou.booking.slots import BookingPolicy, Slot, SlotBook, hours_on
from chuangkou.booking.tables import Booking
from chuangkou.booking.timeparse import TimeRequest
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog, Item, Office
from common.folding import normalize
from common.privacy import check_mobile

# Letters of a name: Chinese (with the middle dot of minority names) or Latin.
_CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff·•]{2,10}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,39}$")
# Characters of everyday grammar that no Chinese name holds ("要带什么" is not a name).
_NOT_IN_NAMES = frozenset(
    "么吗呢吧啥呀了的什怎哪谁几多少请问要带办理是有在和给把被让想能会可以就都也还再这那个些"
)


def plausible_name(text: str) -> bool:
    """Whether a text could be a name at all (no digits, no grammar words)."""
    name = text.strip()
    return bool(_CHINESE_NAME.match(name) or _LATIN_NAME.match(name)) and not (
        _NOT_IN_NAMES & set(name)
    )


TRANSITIONS: dict[str, tuple[str, ...]] = {
    "booked": ("arrived", "no_show", "cancelled"),
    "arrived": ("served",),
}
# A clerk's mis-tap can be taken back by the same clerk for this long; the status goes
# back to what it was before the mark, and the undo is audited like the mark.
UNDO_WINDOW = timedelta(minutes=10)
UNDO_TO = {"arrived": "booked", "no_show": "booked", "served": "arrived"}


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
class BookingRequest:
    """Everything a booking needs, as the person gave it (the desk validates it all)."""

    item_code: str
    office_code: str
    day: date
    start: time
    name: str
    phone: str
    channel: str
    actor: str
    idempotency_key: str | None = None
    missing_docs: Sequence[str] = ()


# Every ``now`` the desk takes is aware, or naive meaning the bureaus' local time; None is
# the clock. Tests pass a fixed one.


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return (now if now.tzinfo else now.replace(tzinfo=TZ)).astimezone(UTC)


def _local(now: datetime | None) -> datetime:
    """A naive Asia/Shanghai time (what the slot arithmetic compares with)."""
    if now is None:
        return datetime.now(TZ).replace(tzinfo=None)
    return now.astimezone(TZ).replace(tzinfo=None) if now.tzinfo else now


@dataclass(frozen=True)
class Desk:
    """Booking operations over one catalog version and database."""

    catalog: Catalog
    matcher: Matcher
    sessions: sessionmaker[Session]
    calendar: WorkCalendar
    policy: BookingPolicy = field(default_factory=BookingPolicy)

    @property
    def slot_book(self) -> SlotBook:
        """Slot arithmetic (the calendar, the policy, the seats it is given)."""
        return SlotBook(self.calendar, self.policy)

    # -- what people name --------------------------------------------------------------

    def office(self, text: str) -> Office:
        """An office from its code, name or alias ("麻城", "HG", "团风县质监局").

        Raises:
            DeskError: ``unknown_office``.
        """
        by_code = self.catalog.office(text.strip().upper())
        if by_code:
            return by_code
        found = self.matcher.targets(text, "office")
        office = self.catalog.office(found[0]) if found else None
        if office is None:
            raise DeskError("unknown_office", text)
        return office

    def window(self, text: str) -> str:
        """A window type from its name ("行政审批", "行政审批窗口").

        Raises:
            DeskError: ``unknown_window``.
        """
        for category in self.catalog.window_types:
            if category in text:
                return category
        raise DeskError("unknown_window", text)

    def capacity(self, office: Office, window_type: str) -> int:
        """Seats per slot: the window's staffing."""
        window = office.window(window_type)
        return window.staff if window else 1

    # -- validation: the only place ------------------------------------------------

    def check_name(self, raw: str) -> str:
        """A person's name as it will be booked.

        Chinese names of 2–10 characters (a middle dot allowed) or Latin names; never a
        word the conversation uses for something else (确认, 是的, 好 … from the
        lexicon's ``not_names``), nor an item or office name.

        Raises:
            BookingError: ``bad_name``.
        """
        name = re.sub(r"\s+", " ", raw.strip().strip("，,。.：:"))
        if not (_CHINESE_NAME.match(name) or _LATIN_NAME.match(name)):
            raise BookingError("bad_name")
        if _NOT_IN_NAMES & set(name):
            raise BookingError("bad_name")
        key = normalize(name)
        if key in {normalize(w) for w in self.catalog.lexicon.cue("not_names")}:
            raise BookingError("bad_name")
        if self.matcher.targets(name, "office") or self.matcher.match_items(name).best:
            raise BookingError("bad_name")
        return name

    @staticmethod
    def check_phone(raw: str) -> str:
        """A mainland mobile number's eleven digits.

        Raises:
            BookingError: ``phone_landline`` or ``phone_invalid``.
        """
        checked = check_mobile(raw)
        if checked.problem is not None:
            raise BookingError(f"phone_{checked.problem}")
        return checked.digits

    def check_item_at(self, item: Item | None, office: Office | None) -> tuple[Item, Office]:
        """An item that can be booked, at an office whose window accepts it.

        Raises:
            BookingError: ``item_unknown``, ``item_stopped``, ``item_not_here`` (no
                window of ours takes it) or ``office_not_accepting``.
        """
        if item is None or office is None:
            raise BookingError("item_unknown")
        if item.stopped:
            raise BookingError("item_stopped", item.code)
        accepting = self.catalog.accepting_offices(item)
        if not accepting:
            raise BookingError("item_not_here", item.code)
        if office not in accepting:
            raise BookingError("office_not_accepting", f"{item.code} at {office.code}")
        return item, office

    def check_slot(
        self,
        office: Office,
        window_type: str,
        day: date,
        start: time,
        now: datetime | None = None,
        *,
        session: Session | None = None,
    ) -> Slot:
        """The slot starting at ``start`` that day, if it can be booked now.

        Raises:
            BookingError: ``beyond_horizon``, ``closed``, ``outside_hours``, ``too_soon``
                or ``slot_full``.
        """
        local = _local(now)
        book = self.slot_book
        if not book.in_horizon(day, local):
            raise BookingError("beyond_horizon", day.isoformat())
        if not book.day_status(office, day).open:
            raise BookingError("closed", day.isoformat())
        if datetime.combine(day, start) < local + self.policy.min_lead:
            raise BookingError("too_soon", f"{day} {start:%H:%M}")
        with self._reading(session) as reading:
            slots = book.slots(office, window_type, day, local, session=reading)
        chosen = next((s for s in slots if s.start == start), None)
        if chosen is None:
            raise BookingError("outside_hours", f"{day} {start:%H:%M}")
        if not chosen.free:
            raise BookingError("slot_full", f"{day} {start:%H:%M}")
        return chosen

    # -- finding a time ----------------------------------------------------------------

    def slots(self, office: Office, window_type: str, day: date, now: datetime) -> list[Slot]:
        """Every slot of the window that day still ahead, with its seats."""
        with self.sessions() as session:
            return self.slot_book.slots(office, window_type, day, _local(now), session=session)

    def nearest_free(
        self,
        office: Office,
        window_type: str,
        now: datetime,
        *,
        after: datetime | None = None,
        between: tuple[time, time] | None = None,
        limit: int = 6,
    ) -> list[Slot]:
        """Up to ``limit`` nearest free slots (see :meth:`SlotBook.nearest_free`)."""
        with self.sessions() as session:
            return self.slot_book.nearest_free(
                office,
                window_type,
                _local(now),
                after=after,
                between=between,
                limit=limit,
                session=session,
            )

    def day_view(
        self, office: Office, window_type: str, day: date, now: datetime
    ) -> dict[str, Any]:
        """A window's day as JSON: open or why not, and the seats of each slot.

        The public API and ``chuangkou slots`` both answer with this.
        """
        status = self.slot_book.day_status(office, day)
        slots = self.slots(office, window_type, day, now)
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
        now = _local(now)
        book = self.slot_book
        status = book.day_status(office, request.day)

        def suggest(reason: str, after: datetime | None = None) -> SlotDecision:
            between = (request.start, request.end) if request.start and request.end else None
            found = self.nearest_free(office, window_type, now, after=after, between=between)
            return SlotDecision(None, tuple(found), reason if found else "no_slots", status)

        if not book.in_horizon(request.day, now):
            return suggest("beyond_horizon")
        if not status.open:
            return suggest("closed", datetime.combine(request.day, time(0, 0)))
        slots = self.slots(office, window_type, request.day, now)
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
        return _local(now).date() + timedelta(days=self.policy.horizon_days)

    # -- the unit of work ----------------------------------------------------------------

    def book(self, request: BookingRequest, now: datetime | None = None) -> BookingView:
        """Validate everything and book, in one transaction; the same key twice books once.

        Raises:
            BookingError: Any validation code (the name and phone are checked first).
        """
        # A name is optional only where the person was told so (the kiosk); the clerks'
        # list then shows that none was given.
        name = self.check_name(request.name) if request.name.strip() else ""
        phone = self.check_phone(request.phone)
        item, office = self.check_item_at(
            self.catalog.item(request.item_code), self.catalog.office(request.office_code)
        )
        key = SlotKey(office.code, item.window, request.day, request.start)
        stamp = _utc(now)
        if request.idempotency_key and (earlier := self._by_key(request.idempotency_key)):
            return earlier
        try:
            with self.sessions.begin() as session:
                records.lock_phone(session=session, phone=phone)
                if request.idempotency_key:
                    again = records.by_key(session=session, key=request.idempotency_key)
                    if again is not None:
                        return records.view(again)
                self.check_slot(office, item.window, key.day, key.start, now, session=session)
                if records.active_count(
                    session=session, phone=phone, item_code=item.code, day=key.day
                ):
                    raise BookingError("same_item_day")
                if records.active_count(session=session, phone=phone) >= (
                    self.policy.max_active_per_phone
                ):
                    raise BookingError("too_many")
                records.ensure_slot(
                    session=session, key=key, capacity=self.capacity(office, item.window)
                )
                records.claim_seat(session=session, key=key)
                row = records.insert_booking(
                    session=session,
                    key=key,
                    item_code=item.code,
                    item_name=item.name,
                    citizen_name=name,
                    phone=phone,
                    channel=request.channel[:20],
                    idempotency_key=request.idempotency_key,
                    missing_docs=list(request.missing_docs),
                    now=stamp,
                )
                records.add_event(
                    session=session,
                    row=row,
                    actor=request.actor,
                    action="created",
                    now=stamp,
                    slot=f"{key.day} {key.hhmm}",
                )
                return records.view(row)
        except IntegrityError as exc:
            # A concurrent confirm with the same key won the race: return its booking.
            if request.idempotency_key and (earlier := self._by_key(request.idempotency_key)):
                return earlier
            code = "same_item_day" if "phone" in str(exc.orig) else "conflict"
            raise BookingError(code) from exc

    def find(self, ref: str, phone: str | None) -> BookingView:
        """A booking by reference, checked against the phone (None: clerk access).

        Raises:
            BookingError: ``not_found`` for an unknown reference or a wrong phone alike.
        """
        with self.sessions() as session:
            return records.view(_owned(session, ref, phone))

    def active_for(self, phone: str) -> list[BookingView]:
        """A phone's active bookings, soonest first."""
        with self.sessions() as session:
            return [records.view(r) for r in records.active_of_phone(session=session, phone=phone)]

    def cancel(
        self, ref: str, phone: str | None, actor: str, now: datetime | None = None
    ) -> BookingView:
        """Cancel a booking and free its seat at once.

        Raises:
            BookingError: ``not_found`` or ``bad_transition`` (already cancelled or served).
        """
        stamp = _utc(now)
        with self.sessions.begin() as session:
            row = _owned(session, ref, phone)
            if row.status != "booked":
                raise BookingError("bad_transition", row.status)
            records.release_seat(session=session, row=row)
            row.status, row.updated_at = "cancelled", stamp
            records.add_event(session=session, row=row, actor=actor, action="cancelled", now=stamp)
            return records.view(row)

    def reschedule(
        self,
        ref: str,
        phone: str | None,
        day: date,
        start: time,
        actor: str,
        now: datetime | None = None,
    ) -> BookingView:
        """Move a booking to another slot of its office and window, atomically.

        The new seat is taken before the old one is freed, in one transaction, so a failure
        leaves the old booking untouched.

        Raises:
            BookingError: ``not_found``, ``bad_transition`` or a slot code.
        """
        stamp = _utc(now)
        with self.sessions.begin() as session:
            row = _owned(session, ref, phone)
            if row.status != "booked":
                raise BookingError("bad_transition", row.status)
            office = self.catalog.office(row.office_code)
            if office is None:
                raise BookingError("conflict", row.office_code)
            self.check_slot(office, row.window_type, day, start, now, session=session)
            key = SlotKey(row.office_code, row.window_type, day, start)
            old = f"{row.slot_date} {row.slot_time}"
            records.ensure_slot(
                session=session, key=key, capacity=self.capacity(office, row.window_type)
            )
            records.claim_seat(session=session, key=key)
            records.release_seat(session=session, row=row)
            row.slot_date, row.slot_time, row.updated_at = key.day, key.hhmm, stamp
            records.add_event(
                session=session,
                row=row,
                actor=actor,
                action="rescheduled",
                now=stamp,
                old=old,
                new=f"{key.day} {key.hhmm}",
            )
            return records.view(row)

    # -- the clerks' side ------------------------------------------------------------

    def mark(self, ref: str, status: str, actor: str, now: datetime | None = None) -> BookingView:
        """A clerk marks a booking arrived, served or no-show.

        Marks that cannot be right are refused: 到达 only on the booking's day, 未到 only once
        the slot has started, 办结 only after 到达.

        Raises:
            BookingError: ``not_found``, ``bad_transition``, ``not_today`` or ``too_early``.
        """
        stamp = _utc(now)
        with self.sessions.begin() as session:
            row = _owned(session, ref, None)
            if status not in TRANSITIONS.get(row.status, ()) or status == "cancelled":
                raise BookingError("bad_transition", f"{row.status} → {status}")
            if status == "arrived" and row.slot_date != stamp.astimezone(TZ).date():
                raise BookingError("not_today", str(row.slot_date))
            if status == "no_show" and stamp < records.slot_start(row.slot_date, row.slot_time):
                raise BookingError("too_early", f"{row.slot_date} {row.slot_time}")
            if status == "no_show":
                records.release_seat(session=session, row=row)
            row.status, row.updated_at = status, stamp
            records.add_event(
                session=session,
                row=row,
                actor=actor,
                action=status,
                now=stamp,
                **{"from": UNDO_TO[status]},
            )
            return records.view(row)

    def undo(self, ref: str, actor: str, now: datetime | None = None) -> BookingView:
        """Take back the last mark on a booking, if the same clerk made it moments ago.

        Raises:
            BookingError: ``not_found``, ``nothing_to_undo`` (the last change was not a mark
                by this actor), ``undo_expired`` (older than :data:`UNDO_WINDOW`) or
                ``slot_full`` (a no-show's freed seat was taken meanwhile).
        """
        stamp = _utc(now)
        with self.sessions.begin() as session:
            row = _owned(session, ref, None)
            last = records.last_event(session=session, row=row)
            if last is None or last.action not in UNDO_TO or last.actor != actor:
                raise BookingError("nothing_to_undo")
            if last.action != row.status:
                raise BookingError("nothing_to_undo")
            if records.aware(last.at) < stamp - UNDO_WINDOW:
                raise BookingError("undo_expired")
            if row.status == "no_show":
                # Its seat was freed by the no-show; the person is expected after all.
                records.claim_seat(session=session, key=records.key_of(row))
            back = UNDO_TO[row.status]
            records.add_event(
                session=session,
                row=row,
                actor=actor,
                action="undo",
                now=stamp,
                undid=row.status,
                to=back,
            )
            row.status, row.updated_at = back, stamp
            return records.view(row)

    def list_day(
        self, office_code: str, day: date, window_type: str | None = None
    ) -> list[BookingView]:
        """Bookings of an office on a day (optionally one window), by time; phones masked."""
        with self.sessions() as session:
            rows = records.of_day(
                session=session, office_code=office_code, day=day, window_type=window_type
            )
            return [records.view(r) for r in rows]

    def search(self, query: str, office_code: str | None, limit: int = 50) -> list[BookingView]:
        """Bookings by the phone's last four digits or part of the name (one office or all)."""
        with self.sessions() as session:
            rows = records.search(
                session=session, query=query, office_code=office_code, limit=limit
            )
            return [records.view(r) for r in rows]

    def audit(self, ref: str) -> list[dict[str, Any]]:
        """A booking's audit events, oldest first (times aware, Asia/Shanghai).

        Raises:
            BookingError: ``not_found``.
        """
        with self.sessions() as session:
            return records.events_of(session=session, row=_owned(session, ref, None))

    def phone_of(self, ref: str) -> str:
        """The clear phone number of one booking, for the clerk's page of that booking only.

        Raises:
            BookingError: ``not_found``.
        """
        with self.sessions() as session:
            return _owned(session, ref, None).phone

    def recent_events(
        self, office_code: str | None, limit: int = 100, **filters: Any
    ) -> list[dict[str, Any]]:
        """The newest audit events (of one office, or all), newest first."""
        with self.sessions() as session:
            return records.recent_events(
                session=session, office_code=office_code, limit=limit, **filters
            )

    def event_actors(self, office_code: str | None, prefix: str = "clerk:") -> list[str]:
        """Who appears in an office's audit log (of one kind, e.g. clerks), sorted."""
        with self.sessions() as session:
            return records.event_actors(session=session, office_code=office_code, prefix=prefix)

    def erase_expired(self, before: date, actor: str = "system:retention") -> int:
        """Erase names and phones of bookings for days before ``before`` (retention)."""
        with self.sessions.begin() as session:
            return records.erase(session=session, before=before, actor=actor, now=_utc(None))

    # -- helpers ---------------------------------------------------------------------

    def _by_key(self, key: str) -> BookingView | None:
        with self.sessions() as session:
            row = records.by_key(session=session, key=key)
            return records.view(row) if row else None

    def _reading(self, session: Session | None) -> AbstractContextManager[Session]:
        """The caller's session, or a short read-only one of our own."""
        return nullcontext(session) if session is not None else self.sessions()


def _owned(session: Session, ref: str, phone: str | None) -> Booking:
    row = records.by_ref(session=session, ref=ref)
    # Wrong reference and wrong phone look the same: never confirm someone else's booking.
    if row is None or (phone is not None and row.phone != phone):
        raise BookingError("not_found")
    return row


def calendar_for(catalog_dir: Path) -> WorkCalendar:
    """The working-day calendar from the catalog folder's ``calendar.yml``."""
    return WorkCalendar.from_file(catalog_dir / "calendar.yml")
