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

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chuangkou.booking.slots import TZ
from chuangkou.booking.tables import ACTIVE_STATUSES, Booking, BookingEvent, SlotSeat
from common.privacy import mask_number

# Booking references avoid characters people confuse when reading them out: 0/O, 1/I/L.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REF_LENGTH = 8
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "booked": ("arrived", "no_show", "cancelled"),
    "arrived": ("served",),
}
# A clerk's mis-tap can be taken back by the same clerk for this long; the status goes
# back to what it was before the mark, and the undo is audited like the mark.
UNDO_WINDOW = timedelta(minutes=10)
UNDO_TO = {"arrived": "booked", "no_show": "booked", "served": "arrived"}


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
    """A random booking reference without ambiguous characters.

    It has at least two letters, so it never holds a run of seven digits, which the
    masking rule (``common.privacy``) would take for a phone number.
    """
    while True:
        ref = "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
        if sum(ch.isalpha() for ch in ref) >= 2:
            return ref


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
    _claim_seat(session, key.office_code, key.window_type, key.day, key.hhmm)


def _claim_seat(session: Session, office_code: str, window_type: str, day: date, hhmm: str) -> None:
    result = session.execute(
        update(SlotSeat)
        .where(
            SlotSeat.office_code == office_code,
            SlotSeat.window_type == window_type,
            SlotSeat.slot_date == day,
            SlotSeat.slot_time == hhmm,
            SlotSeat.taken < SlotSeat.capacity,
        )
        .values(taken=SlotSeat.taken + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise BookingError("slot_full", hhmm)


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
                phone_masked=mask_number(phone),
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


def mark_booking(
    engine: Engine, *, ref: str, status: str, actor: str, now: datetime | None = None
) -> BookingView:
    """A clerk marks a booking arrived, served or no-show.

    Marks that cannot be right are refused: 到达 only on the booking's day, 未到 only once
    the slot has started, 办结 only after 到达.

    Args:
        engine: The database.
        ref: The booking.
        status: ``arrived``, ``served`` or ``no_show``.
        actor: Who marks it, for the audit log.
        now: The current time (aware); the clock when omitted.

    Returns:
        The booking after the change.

    Raises:
        BookingError: ``not_found``, ``bad_transition``, ``not_today`` or ``too_early``.
    """
    now = now or datetime.now(UTC)
    with Session(engine) as session, session.begin():
        row = _owned(session, ref, None)
        if status not in TRANSITIONS.get(row.status, ()) or status == "cancelled":
            raise BookingError("bad_transition", f"{row.status} → {status}")
        if status == "arrived" and row.slot_date != now.astimezone(TZ).date():
            raise BookingError("not_today", str(row.slot_date))
        if status == "no_show" and now < slot_start(row.slot_date, row.slot_time):
            raise BookingError("too_early", f"{row.slot_date} {row.slot_time}")
        if status == "no_show":
            _free_seat(session, row)
        row.status, row.updated_at = status, now
        _audit(session, row, actor, status, **{"from": UNDO_TO[status]})
        return _view(row)


def undo_mark(engine: Engine, *, ref: str, actor: str, now: datetime | None = None) -> BookingView:
    """Take back the last mark on a booking, if the same clerk made it moments ago.

    Args:
        engine: The database.
        ref: The booking.
        actor: Who asks (must be who marked).
        now: The current time (aware); the clock when omitted.

    Returns:
        The booking with its status before the mark.

    Raises:
        BookingError: ``not_found``, ``nothing_to_undo`` (the last change was not a mark
            by this actor), ``undo_expired`` (older than :data:`UNDO_WINDOW`) or
            ``slot_full`` (a no-show's freed seat was taken meanwhile).
    """
    now = now or datetime.now(UTC)
    with Session(engine) as session, session.begin():
        row = _owned(session, ref, None)
        last = session.scalar(
            select(BookingEvent)
            .where(BookingEvent.booking_id == row.id)
            .order_by(BookingEvent.id.desc())
            .limit(1)
        )
        if last is None or last.action not in UNDO_TO or last.actor != actor:
            raise BookingError("nothing_to_undo")
        if last.action != row.status:
            raise BookingError("nothing_to_undo")
        if aware(last.at) < now - UNDO_WINDOW:
            raise BookingError("undo_expired")
        if row.status == "no_show":
            # Its seat was freed by the no-show; the person is expected after all.
            _claim_seat(session, row.office_code, row.window_type, row.slot_date, row.slot_time)
        back = UNDO_TO[row.status]
        _audit(session, row, actor, "undo", undid=row.status, to=back)
        row.status, row.updated_at = back, now
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


REF_SHAPE = re.compile(f"^[{REF_ALPHABET}]{{{REF_LENGTH}}}$")


def search_bookings(
    engine: Engine, *, query: str, office_code: str | None, limit: int = 50
) -> list[BookingView]:
    """Bookings by the last four digits of the phone or part of the name, newest day first.

    A reference is looked up with :func:`find_booking` (it names one booking); this is the
    clerks' search when the person has no reference at hand.

    Args:
        engine: The database.
        query: Four digits (end of the phone number) or part of a name.
        office_code: Only this office's bookings; None for every office (supervisors).
        limit: At most this many rows.

    Returns:
        The bookings found (phones masked).
    """
    text = query.strip()
    if not text:
        return []
    if text.isdigit() and len(text) == 4:
        condition = Booking.phone.endswith(text)
    else:
        condition = Booking.citizen_name.contains(text[:20], autoescape=True)
    select_rows = select(Booking).where(condition)
    if office_code is not None:
        select_rows = select_rows.where(Booking.office_code == office_code)
    select_rows = select_rows.order_by(
        Booking.slot_date.desc(), Booking.slot_time, Booking.id
    ).limit(limit)
    with Session(engine) as session:
        return [_view(r) for r in session.scalars(select_rows)]


def audit_log(engine: Engine, *, ref: str) -> list[dict[str, Any]]:
    """The audit events of one booking, oldest first."""
    with Session(engine) as session:
        row = _owned(session, ref, None)
        events = session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id == row.id).order_by(BookingEvent.id)
        )
        return [
            {"at": local_iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in events
        ]


def booking_phone(engine: Engine, *, ref: str) -> str:
    """The clear phone number of one booking, for the clerk's page of that booking only.

    Raises:
        BookingError: ``not_found``.
    """
    with Session(engine) as session:
        return _owned(session, ref, None).phone


ERASED_PREFIX = "erased:"


def erase_expired(engine: Engine, *, before: date, actor: str = "system:retention") -> int:
    """Erase the name and phone number of bookings for days before ``before``.

    The booking, its slot and its audit trail stay (every case is kept for review); the
    person's data goes. The phone column gets a per-row marker, so no two erased rows can
    collide in the one-active-booking-per-phone index.

    Args:
        engine: The database.
        before: Bookings for days before this one are erased.
        actor: Written to the audit log.

    Returns:
        How many bookings were erased.
    """
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        rows = session.scalars(
            select(Booking).where(
                Booking.slot_date < before, ~Booking.phone.startswith(ERASED_PREFIX)
            )
        ).all()
        for row in rows:
            row.phone = f"{ERASED_PREFIX}{row.id}"
            row.phone_masked = "***"
            row.citizen_name = (row.citizen_name[:1] + "*") if row.citizen_name else "*"
            row.updated_at = now
            _audit(session, row, actor, "erased")
        return len(rows)


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
                "at": local_iso(e.at),
                "actor": e.actor,
                "action": e.action,
                "detail": e.detail,
            }
            for e, ref, office in session.execute(query)
        ]
