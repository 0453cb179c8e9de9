"""Make, move, cancel and mark bookings: each one database transaction, audited.

Overbooking is impossible by construction: a seat is taken with
``UPDATE slot_seats SET taken = taken + 1 WHERE … AND taken < capacity``, a statement the
database serialises per slot row (row lock on PostgreSQL, the write lock on SQLite), and
``taken <= capacity`` is also a CHECK constraint. Per-phone limits are checked inside the
same transaction while that phone is locked (an advisory lock on PostgreSQL; SQLite's
transactions already run one at a time), and one active booking per phone, item and day
is a partial unique index as well.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chuangkou.tables import ACTIVE_STATUSES, Booking, BookingEvent, SlotSeat
from chuangkou.text import mask_phone

# Booking references avoid characters people confuse when reading them out: 0/O, 1/I/L.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REF_LENGTH = 8
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "booked": ("arrived", "no_show", "cancelled"),
    "arrived": ("served",),
}


class BookingError(Exception):
    """A booking could not be made or changed; ``code`` says why."""

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


def _view(row: Booking) -> BookingView:
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


def new_ref() -> str:
    """A random booking reference without ambiguous characters."""
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def _lock_phone(session: Session, phone: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:p))"), {"p": phone})


def _ensure_slot(session: Session, key: SlotKey, capacity: int) -> None:
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


def _take_seat(session: Session, key: SlotKey, capacity: int) -> None:
    _ensure_slot(session, key, capacity)
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


def _free_seat(session: Session, row: Booking) -> None:
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


def _audit(session: Session, row: Booking, actor: str, action: str, **detail: Any) -> None:
    session.add(
        BookingEvent(
            booking_id=row.id, at=datetime.now(UTC), actor=actor, action=action, detail=detail
        )
    )


def _by_key(engine: Engine, key: str) -> BookingView | None:
    with Session(engine) as session:
        row = session.scalar(select(Booking).where(Booking.idempotency_key == key))
        return _view(row) if row else None


def create_booking(
    engine: Engine,
    *,
    slot: SlotKey,
    capacity: int,
    item_code: str,
    item_name: str,
    citizen_name: str,
    phone: str,
    channel: str,
    actor: str,
    idempotency_key: str | None = None,
    missing_docs: Sequence[str] = (),
    max_active: int = 3,
) -> BookingView:
    """Book a seat, in one transaction.

    Args:
        engine: The database.
        slot: The slot to book.
        capacity: Seats of the slot (the window's staffing) if it has no row yet.
        item_code: The item the booking is for.
        item_name: Its name, kept with the booking for the clerks' lists.
        citizen_name: The person's name.
        phone: A validated mainland mobile number (stored only here, in clear).
        channel: Where the booking came from (rest, widget, kiosk, wechat, cli).
        actor: Who made it, for the audit log.
        idempotency_key: The same key twice makes one booking (double tap, retry).
        missing_docs: Documents the person said they still lack, for the checklist.
        max_active: Active bookings one phone may hold.

    Returns:
        The booking (the existing one when the key was seen before).

    Raises:
        BookingError: ``slot_full``, ``same_item_day`` or ``too_many``.
    """
    if idempotency_key and (existing := _by_key(engine, idempotency_key)):
        return existing
    now = datetime.now(UTC)
    try:
        with Session(engine) as session, session.begin():
            _lock_phone(session, phone)
            if idempotency_key:
                again = session.scalar(
                    select(Booking).where(Booking.idempotency_key == idempotency_key)
                )
                if again is not None:
                    return _view(again)
            active = (
                select(func.count())
                .select_from(Booking)
                .where(Booking.phone == phone, Booking.status.in_(ACTIVE_STATUSES))
            )
            if session.scalar(
                active.where(Booking.item_code == item_code, Booking.slot_date == slot.day)
            ):
                raise BookingError("same_item_day")
            if (session.scalar(active) or 0) >= max_active:
                raise BookingError("too_many")
            _take_seat(session, slot, capacity)
            ref = new_ref()
            while session.scalar(select(Booking.id).where(Booking.ref == ref)) is not None:
                ref = new_ref()
            row = Booking(
                ref=ref,
                status="booked",
                office_code=slot.office_code,
                window_type=slot.window_type,
                item_code=item_code,
                item_name=item_name,
                slot_date=slot.day,
                slot_time=slot.hhmm,
                citizen_name=citizen_name,
                phone=phone,
                phone_masked=mask_phone(phone),
                channel=channel,
                idempotency_key=idempotency_key,
                missing_docs=list(missing_docs),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            _audit(session, row, actor, "created", slot=f"{slot.day} {slot.hhmm}")
            return _view(row)
    except IntegrityError as exc:
        # A concurrent confirm with the same key won the race: return its booking.
        if idempotency_key and (existing := _by_key(engine, idempotency_key)):
            return existing
        raise BookingError("same_item_day" if "phone" in str(exc.orig) else "conflict") from exc


def _owned(session: Session, ref: str, phone: str | None) -> Booking:
    row = session.scalar(select(Booking).where(Booking.ref == ref.strip().upper()))
    # Wrong reference and wrong phone look the same: never confirm someone else's booking.
    if row is None or (phone is not None and row.phone != phone):
        raise BookingError("not_found")
    return row


def find_booking(engine: Engine, *, ref: str, phone: str | None) -> BookingView:
    """A booking by reference, checked against the phone (None: clerk access).

    Raises:
        BookingError: ``not_found`` for an unknown reference or a wrong phone alike.
    """
    with Session(engine) as session:
        return _view(_owned(session, ref, phone))


def active_bookings(engine: Engine, *, phone: str) -> list[BookingView]:
    """A phone's active bookings, soonest first."""
    with Session(engine) as session:
        rows = session.scalars(
            select(Booking)
            .where(Booking.phone == phone, Booking.status.in_(ACTIVE_STATUSES))
            .order_by(Booking.slot_date, Booking.slot_time)
        )
        return [_view(r) for r in rows]


def cancel_booking(engine: Engine, *, ref: str, phone: str | None, actor: str) -> BookingView:
    """Cancel a booking and free its seat at once.

    Raises:
        BookingError: ``not_found`` or ``bad_transition`` (already cancelled or served).
    """
    with Session(engine) as session, session.begin():
        row = _owned(session, ref, phone)
        if row.status != "booked":
            raise BookingError("bad_transition", row.status)
        _free_seat(session, row)
        row.status, row.updated_at = "cancelled", datetime.now(UTC)
        _audit(session, row, actor, "cancelled")
        return _view(row)


def reschedule_booking(
    engine: Engine, *, ref: str, phone: str | None, slot: SlotKey, capacity: int, actor: str
) -> BookingView:
    """Move a booking to another slot atomically.

    The new seat is taken before the old one is freed, in one transaction, so a failure
    leaves the old booking untouched.

    Raises:
        BookingError: ``not_found``, ``bad_transition`` or ``slot_full``.
    """
    with Session(engine) as session, session.begin():
        row = _owned(session, ref, phone)
        if row.status != "booked":
            raise BookingError("bad_transition", row.status)
        old = f"{row.slot_date} {row.slot_time}"
        _take_seat(session, slot, capacity)
        _free_seat(session, row)
        row.office_code, row.window_type = slot.office_code, slot.window_type
        row.slot_date, row.slot_time = slot.day, slot.hhmm
        row.updated_at = datetime.now(UTC)
        _audit(session, row, actor, "rescheduled", old=old, new=f"{slot.day} {slot.hhmm}")
        return _view(row)


def mark_booking(engine: Engine, *, ref: str, status: str, actor: str) -> BookingView:
    """A clerk marks a booking arrived, served or no-show.

    Raises:
        BookingError: ``not_found`` or ``bad_transition``.
    """
    with Session(engine) as session, session.begin():
        row = _owned(session, ref, None)
        if status not in TRANSITIONS.get(row.status, ()) or status == "cancelled":
            raise BookingError("bad_transition", f"{row.status} → {status}")
        if status == "no_show":
            _free_seat(session, row)
        row.status, row.updated_at = status, datetime.now(UTC)
        _audit(session, row, actor, status)
        return _view(row)


def list_bookings(
    engine: Engine, *, office_code: str, day: date, window_type: str | None = None
) -> list[BookingView]:
    """Bookings of an office on a day (optionally one window), by time; phones masked."""
    query = select(Booking).where(Booking.office_code == office_code, Booking.slot_date == day)
    if window_type:
        query = query.where(Booking.window_type == window_type)
    with Session(engine) as session:
        return [_view(r) for r in session.scalars(query.order_by(Booking.slot_time, Booking.id))]


def audit_log(engine: Engine, *, ref: str) -> list[dict[str, Any]]:
    """The audit events of one booking, oldest first."""
    with Session(engine) as session:
        row = _owned(session, ref, None)
        events = session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id == row.id).order_by(BookingEvent.id)
        )
        return [
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in events
        ]


def booking_phone(engine: Engine, *, ref: str) -> str:
    """The clear phone number of one booking, for the clerk's page of that booking only.

    Raises:
        BookingError: ``not_found``.
    """
    with Session(engine) as session:
        return _owned(session, ref, None).phone


def recent_events(
    engine: Engine, *, office_code: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest audit events (optionally of one office), newest first."""
    query = (
        select(BookingEvent, Booking.ref, Booking.office_code)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .order_by(BookingEvent.id.desc())
        .limit(limit)
    )
    if office_code:
        query = query.where(Booking.office_code == office_code)
    with Session(engine) as session:
        return [
            {
                "ref": ref,
                "office": office,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "detail": e.detail,
            }
            for e, ref, office in session.execute(query)
        ]
