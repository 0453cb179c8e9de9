"""Booking data functions: keyword-only, each works inside the session it is given.

None of them opens a session or a transaction: the booking desk
(:class:`chuangkou.booking.desk.Desk`) opens the unit of work and calls these, so that
"check, then book" is one transaction. Overbooking is impossible by construction: a seat
is taken with ``UPDATE slot_seats SET taken = taken + 1 WHERE … AND taken < capacity``, a
statement the database serialises per slot row (row lock on PostgreSQL, the write lock
on SQLite), and ``taken <= capacity`` is also a CHECK constraint.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from chuangkou.booking.calendar import TZ
from chuangkou.booking.tables import ACTIVE_STATUSES, Booking, BookingEvent, SlotSeat
from common.privacy import mask_number

# Booking references avoid characters people confuse when reading them out: 0/O, 1/I/L.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REF_LENGTH = 8
REF_SHAPE = re.compile(f"^[{REF_ALPHABET}]{{{REF_LENGTH}}}$")
ERASED_PREFIX = "erased:"


class BookingError(Exception):
    """A booking could not be made or changed; ``code`` says why (see the desk's list)."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class SlotKey:
    """Which slot: office, window, day and start time."""

    office_code: str
    window_type: str
    day: date
    start: time

    @property
    def hhmm(self) -> str:
        """The start as HH:MM."""
        return self.start.strftime("%H:%M")


@dataclass(frozen=True)
class BookingView:
    """A booking as shown to clerks and citizens: the phone masked."""

    ref: str
    status: str
    office_code: str
    window_type: str
    item_code: str
    item_name: str
    day: date
    start: str
    citizen_name: str
    phone_masked: str
    channel: str
    missing_docs: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        data = dict(vars(self))
        data["day"] = self.day.isoformat()
        data["missing_docs"] = list(self.missing_docs)
        return data


def view(row: Booking) -> BookingView:
    """The shown form of a booking row."""
    return BookingView(
        ref=row.ref,
        status=row.status,
        office_code=row.office_code,
        window_type=row.window_type,
        item_code=row.item_code,
        item_name=row.item_name,
        day=row.slot_date,
        start=row.slot_time,
        citizen_name=row.citizen_name,
        phone_masked=row.phone_masked,
        channel=row.channel,
        missing_docs=tuple(row.missing_docs or ()),
    )


def aware(moment: datetime) -> datetime:
    """A stored time as an aware datetime (SQLite gives naive ones; they were UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_iso(moment: datetime) -> str:
    """A stored time in the bureaus' zone with its offset: ``2026-12-01T15:39:49+08:00``."""
    return aware(moment).astimezone(TZ).isoformat(timespec="seconds")


def slot_start(day: date, hhmm: str) -> datetime:
    """When a slot starts, as an aware datetime in the bureaus' zone."""
    hour, minute = hhmm.split(":")
    return datetime.combine(day, time(int(hour), int(minute)), tzinfo=TZ)


def new_ref() -> str:
    """A random booking reference without ambiguous characters.

    It has at least two letters, so it never holds a run of seven digits, which the
    masking rule (``common.privacy``) would take for a phone number.
    """
    while True:
        ref = "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
        if sum(ch.isalpha() for ch in ref) >= 2:
            return ref


# -- seats ------------------------------------------------------------------------


def seats_of_day(
    *, session: Session, office_code: str, window_type: str, day: date
) -> dict[str, tuple[int, int]]:
    """Capacity and seats taken per slot start (``HH:MM``) that has a row yet."""
    rows = session.execute(
        select(SlotSeat.slot_time, SlotSeat.capacity, SlotSeat.taken).where(
            SlotSeat.office_code == office_code,
            SlotSeat.window_type == window_type,
            SlotSeat.slot_date == day,
        )
    ).all()
    return {r.slot_time: (r.capacity, r.taken) for r in rows}


def ensure_slot(*, session: Session, key: SlotKey, capacity: int) -> None:
    """Create the slot's seat row if it has none (``capacity`` seats, none taken)."""
    values = {
        "office_code": key.office_code,
        "window_type": key.window_type,
        "slot_date": key.day,
        "slot_time": key.hhmm,
        "capacity": capacity,
        "taken": 0,
    }
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(SlotSeat).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(SlotSeat).values(**values).on_conflict_do_nothing())


def claim_seat(*, session: Session, key: SlotKey) -> None:
    """Take one seat of a slot whose row exists.

    Raises:
        BookingError: ``slot_full`` when no seat is free.
    """
    result = session.execute(
        update(SlotSeat)
        .where(
            SlotSeat.office_code == key.office_code,
            SlotSeat.window_type == key.window_type,
            SlotSeat.slot_date == key.day,
            SlotSeat.slot_time == key.hhmm,
            SlotSeat.taken < SlotSeat.capacity,
        )
        .values(taken=SlotSeat.taken + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise BookingError("slot_full", key.hhmm)


def release_seat(*, session: Session, row: Booking) -> None:
    """Give a booking's seat back."""
    session.execute(
        update(SlotSeat)
        .where(
            SlotSeat.office_code == row.office_code,
            SlotSeat.window_type == row.window_type,
            SlotSeat.slot_date == row.slot_date,
            SlotSeat.slot_time == row.slot_time,
            SlotSeat.taken > 0,
        )
        .values(taken=SlotSeat.taken - 1)
    )


def key_of(row: Booking) -> SlotKey:
    """The slot a booking row holds."""
    hour, minute = row.slot_time.split(":")
    return SlotKey(row.office_code, row.window_type, row.slot_date, time(int(hour), int(minute)))


# -- bookings ------------------------------------------------------------------------


def lock_phone(*, session: Session, phone: str) -> None:
    """Serialise changes per phone (advisory lock on PostgreSQL; SQLite runs one at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:p))"), {"p": phone})


def by_key(*, session: Session, key: str) -> Booking | None:
    """The booking made with an idempotency key."""
    return session.scalar(select(Booking).where(Booking.idempotency_key == key))


def by_ref(*, session: Session, ref: str) -> Booking | None:
    """The booking with a reference (any case, spaces around allowed)."""
    return session.scalar(select(Booking).where(Booking.ref == ref.strip().upper()))


def active_count(
    *, session: Session, phone: str, item_code: str | None = None, day: date | None = None
) -> int:
    """Active bookings of a phone (of one item on one day, when given)."""
    query = (
        select(func.count())
        .select_from(Booking)
        .where(Booking.phone == phone, Booking.status.in_(ACTIVE_STATUSES))
    )
    if item_code is not None:
        query = query.where(Booking.item_code == item_code)
    if day is not None:
        query = query.where(Booking.slot_date == day)
    return int(session.scalar(query) or 0)


def insert_booking(
    *,
    session: Session,
    key: SlotKey,
    item_code: str,
    item_name: str,
    citizen_name: str,
    phone: str,
    channel: str,
    idempotency_key: str | None,
    missing_docs: Sequence[str],
    now: datetime,
) -> Booking:
    """Add a booking row with a fresh reference (its seat is the caller's to claim)."""
    ref = new_ref()
    while session.scalar(select(Booking.id).where(Booking.ref == ref)) is not None:
        ref = new_ref()
    row = Booking(
        ref=ref,
        status="booked",
        office_code=key.office_code,
        window_type=key.window_type,
        item_code=item_code,
        item_name=item_name,
        slot_date=key.day,
        slot_time=key.hhmm,
        citizen_name=citizen_name,
        phone=phone,
        phone_masked=mask_number(phone),
        channel=channel,
        idempotency_key=idempotency_key,
        missing_docs=list(missing_docs),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def add_event(
    *, session: Session, row: Booking, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    """Write one audit event (痕迹化: who did what to which booking, and when)."""
    session.add(BookingEvent(booking_id=row.id, at=now, actor=actor, action=action, detail=detail))


def last_event(*, session: Session, row: Booking) -> BookingEvent | None:
    """A booking's newest audit event."""
    return session.scalar(
        select(BookingEvent)
        .where(BookingEvent.booking_id == row.id)
        .order_by(BookingEvent.id.desc())
        .limit(1)
    )


def active_of_phone(*, session: Session, phone: str) -> list[Booking]:
    """A phone's active bookings, soonest first."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.phone == phone, Booking.status.in_(ACTIVE_STATUSES))
            .order_by(Booking.slot_date, Booking.slot_time)
        )
    )


def of_day(
    *, session: Session, office_code: str, day: date, window_type: str | None = None
) -> list[Booking]:
    """Bookings of an office on a day (optionally one window), by time."""
    query = select(Booking).where(Booking.office_code == office_code, Booking.slot_date == day)
    if window_type:
        query = query.where(Booking.window_type == window_type)
    return list(session.scalars(query.order_by(Booking.slot_time, Booking.id)))


def search(*, session: Session, query: str, office_code: str | None, limit: int) -> list[Booking]:
    """Bookings by the phone's last four digits or part of the name, newest day first."""
    text_ = query.strip()
    if not text_:
        return []
    if text_.isdigit() and len(text_) == 4:
        condition = Booking.phone.endswith(text_)
    else:
        condition = Booking.citizen_name.contains(text_[:20], autoescape=True)
    rows = select(Booking).where(condition)
    if office_code is not None:
        rows = rows.where(Booking.office_code == office_code)
    rows = rows.order_by(Booking.slot_date.desc(), Booking.slot_time, Booking.id).limit(limit)
    return list(session.scalars(rows))


def events_of(*, session: Session, row: Booking) -> list[dict[str, Any]]:
    """The audit events of one booking, oldest first."""
    events = session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id == row.id).order_by(BookingEvent.id)
    )
    return [
        {"at": local_iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
        for e in events
    ]


def recent_events(
    *,
    session: Session,
    office_code: str | None,
    limit: int,
    since: date | None = None,
    until: date | None = None,
    ref: str | None = None,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """The newest audit events, newest first, filtered by office, dates, booking, actor.

    Args:
        session: The session to read in.
        office_code: Only this office's bookings (None: every office).
        limit: At most this many events.
        since: From the start of this day (Asia/Shanghai).
        until: To the end of this day (Asia/Shanghai), inclusive.
        ref: Only this booking's events.
        actor: Only events of this actor (``clerk:wang``).

    Returns:
        JSON-ready events with the booking's reference, office and channel.
    """
    query = (
        select(BookingEvent, Booking.ref, Booking.office_code, Booking.channel)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .order_by(BookingEvent.id.desc())
        .limit(limit)
    )
    if office_code:
        query = query.where(Booking.office_code == office_code)
    # Day bounds are the bureaus' midnights, compared in UTC: SQLite keeps the stored UTC
    # wall time and drops a bound's offset, so a +08:00 bound would be 8 hours off there.
    if since is not None:
        query = query.where(BookingEvent.at >= _local_midnight(since))
    if until is not None:
        query = query.where(BookingEvent.at < _local_midnight(until + timedelta(days=1)))
    if ref:
        query = query.where(Booking.ref == ref.strip().upper())
    if actor:
        query = query.where(BookingEvent.actor == actor)
    return [
        {
            "ref": ref_,
            "office": office,
            "channel": channel,
            "at": local_iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "detail": e.detail,
        }
        for e, ref_, office, channel in session.execute(query)
    ]


def _local_midnight(day: date) -> datetime:
    """The start of a day in the bureaus' zone, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=TZ).astimezone(UTC)


def event_actors(*, session: Session, office_code: str | None, prefix: str) -> list[str]:
    """The distinct actors starting with ``prefix`` in an office's audit log (None: all)."""
    query = (
        select(BookingEvent.actor)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .where(BookingEvent.actor.startswith(prefix, autoescape=True))
        .distinct()
        .order_by(BookingEvent.actor)
    )
    if office_code:
        query = query.where(Booking.office_code == office_code)
    return list(session.scalars(query))


def erase(*, session: Session, before: date, actor: str, now: datetime) -> int:
    """Erase name and phone of bookings for days before ``before``; keep the rest.

    The phone column gets a per-row marker, so no two erased rows can collide in the
    one-active-booking-per-phone index.
    """
    rows = session.scalars(
        select(Booking).where(Booking.slot_date < before, ~Booking.phone.startswith(ERASED_PREFIX))
    ).all()
    for row in rows:
        row.phone = f"{ERASED_PREFIX}{row.id}"
        row.phone_masked = "***"
        row.citizen_name = (row.citizen_name[:1] + "*") if row.citizen_name else "*"
        row.updated_at = now
        add_event(session=session, row=row, actor=actor, action="erased", now=now)
    return len(rows)
