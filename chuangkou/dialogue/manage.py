"""Checking, cancelling and moving a booking: the reference and the phone, in any order.

Nothing about a booking is shown or changed without both the reference and the phone
number it was made with; a wrong pair looks exactly like an unknown reference, and a
forgotten reference is answered with the way to the window, never with what the phone
number alone would reveal. A new time is shown and confirmed before the booking moves.
"""

from __future__ import annotations

from datetime import date, datetime

from chuangkou.booking.records import BookingError, BookingView
from chuangkou.booking.slots import Slot
from chuangkou.booking.timeparse import TimeProblem
from chuangkou.catalog.model import Office
from chuangkou.dialogue.context import Ctx
from chuangkou.dialogue.reading import read_time
from chuangkou.dialogue.slotnames import slot_label, when
from chuangkou.dialogue.state import Manage, Option
from common.privacy import check_mobile, unseal

OPS = (("manage_cancel", "cancel"), ("manage_reschedule", "reschedule"), ("manage_check", "check"))
OP_INTENTS = {
    "cancel_appointment": "cancel",
    "reschedule_appointment": "reschedule",
    "check_appointment": "check",
}
GIVE_UP_AFTER = 2


def requested_op(ctx: Ctx) -> str | None:
    """The operation a message asks for ("取消预约 K7M3Q9XA"), if any."""
    for cue, op in OPS:
        if cue in ctx.reading.cues:
            return op
    intent = OP_INTENTS.get(ctx.turn.intent)
    return intent if intent and ctx.turn.confidence >= 0.5 else None


def start(ctx: Ctx, op: str) -> None:
    """Begin managing a booking, with what this message already gives."""
    ctx.state.manage = Manage(op=op)
    ctx.understood = True
    take_turn(ctx)


def _contact_office(ctx: Ctx) -> Office:
    return ctx.office() or ctx.catalog.city_office()


def forgot(ctx: Ctx) -> None:
    """A forgotten reference: where it is written, and the window that can help."""
    office = _contact_office(ctx)
    ctx.say(
        "utter_forgot_ref",
        office_name=office.name,
        phone=office.phone,
        hours=ctx.render.hours(office),
    )


def take_turn(ctx: Ctx) -> None:
    """One turn of managing a booking."""
    manage = ctx.state.manage
    assert manage is not None
    reading = ctx.reading
    if reading.says("forgot_ref"):
        ctx.state.manage = None
        forgot(ctx)
        return
    op = requested_op(ctx)
    if op:
        manage.op = op
    if reading.ref:
        manage.ref = reading.ref
    if reading.phone:
        manage.phone_sealed = reading.phone
    if reading.ref or reading.phone:
        ctx.understood = True
    if manage.ref is None or manage.phone_sealed is None:
        _ask_missing(ctx, manage)
        return
    phone = unseal(manage.phone_sealed, ctx.svc.secret) or ""
    try:
        booking = ctx.desk.find(manage.ref, check_mobile(phone).digits)
    except BookingError:
        _not_found(ctx, manage)
        return
    if manage.op == "check":
        _say(ctx, booking, "utter_booking_status")
        ctx.state.manage = None
    elif booking.status != "booked":
        _say(ctx, booking, "utter_booking_cannot_change")
        ctx.state.manage = None
    elif manage.op == "cancel":
        ctx.desk.cancel(booking.ref, check_mobile(phone).digits, f"citizen:{ctx.turn.sender}")
        _say(ctx, booking, "utter_booking_cancelled")
        ctx.state.manage = None
    else:
        _reschedule(ctx, manage, booking, check_mobile(phone).digits)


def _ask_missing(ctx: Ctx, manage: Manage) -> None:
    if not ctx.understood:
        manage.failures += 1
        if manage.failures > GIVE_UP_AFTER:
            ctx.state.manage = None
            forgot(ctx)
            return
    missing = "both"
    if manage.ref is not None:
        missing = "phone"
    elif manage.phone_sealed is not None:
        missing = "ref"
    ctx.say(f"utter_ask_booking_{missing}")


def _not_found(ctx: Ctx, manage: Manage) -> None:
    manage.failures += 1
    manage.ref, manage.phone_sealed = None, None
    office = _contact_office(ctx)
    ctx.say("utter_booking_not_found", office_name=office.name, phone=office.phone)
    if manage.failures >= GIVE_UP_AFTER:
        ctx.state.manage = None


def _say(ctx: Ctx, booking: BookingView, response: str) -> None:
    office = ctx.catalog.office(booking.office_code)
    window = office.window(booking.window_type) if office else None
    ctx.say(
        response,
        ref=booking.ref,
        item_name=booking.item_name,
        when=when(ctx.render, booking.day, booking.start),
        office_name=office.name if office else booking.office_code,
        window=booking.window_type,
        location=window.location if window else "",
        status=ctx.render.fragment(f"utter_fmt_status_{booking.status}"),
    )


def _reschedule(ctx: Ctx, manage: Manage, booking: BookingView, phone: str) -> None:
    """Propose a new time, then move the booking once the person says yes."""
    reading, desk = ctx.reading, ctx.desk
    office = ctx.catalog.office(booking.office_code)
    if office is None:
        ctx.say("utter_booking_failed")
        ctx.state.manage = None
        return
    if manage.new_slot and (
        reading.says("affirm")
        or (ctx.turn.payload is not None and ctx.turn.payload.intent == "affirm")
    ):
        moment = datetime.strptime(manage.new_slot, "%Y-%m-%d %H:%M")
        try:
            moved = desk.reschedule(
                booking.ref,
                phone,
                moment.date(),
                moment.time(),
                f"citizen:{ctx.turn.sender}",
                ctx.turn.now,
            )
        except BookingError as exc:
            manage.new_slot = None
            ctx.say(
                "utter_slot_suggestions",
                reason=ctx.render.reason(None, _why(exc), desk, office),
                buttons=_slots(ctx, office, booking.window_type),
            )
            return
        _say(ctx, moved, "utter_booking_rescheduled")
        ctx.state.manage = None
        return
    choice = reading.choice
    proposal: str | None = None
    if choice is not None and choice.kind == "slot":
        proposal = choice.value
    else:
        context = date.fromisoformat(manage.day) if manage.day else None
        request = read_time(reading, ctx.turn.now, context)
        if isinstance(request, TimeProblem):
            if request.reason != "none":
                ctx.say(
                    "utter_slot_suggestions",
                    reason=ctx.render.reason(None, request.reason, desk, office),
                    buttons=_slots(ctx, office, booking.window_type),
                )
            else:
                ctx.say("utter_ask_new_time", buttons=_slots(ctx, office, booking.window_type))
            return
        manage.day = request.day.isoformat()
        decision = desk.decide(office, booking.window_type, request, ctx.turn.now)
        if decision.slot is None:
            ctx.say(
                "utter_slot_suggestions",
                reason=ctx.render.reason(decision, decision.reason or "full", desk, office),
                buttons=_slots(ctx, office, booking.window_type, decision.suggestions),
            )
            return
        proposal = slot_label(decision.slot)
    manage.new_slot = proposal
    day, hhmm = proposal.split(" ")
    ctx.say(
        "utter_reschedule_confirm",
        buttons=[
            {"title": ctx.render.fragment("utter_fmt_button_confirm_move"), "payload": "/affirm"}
        ],
        ref=booking.ref,
        old=when(ctx.render, booking.day, booking.start),
        new=when(ctx.render, date.fromisoformat(day), hhmm),
    )


def _why(exc: BookingError) -> str:
    return "full" if exc.code == "slot_full" else exc.code


def _slots(
    ctx: Ctx, office: Office, window: str, found: tuple[Slot, ...] | None = None
) -> list[dict[str, str]]:
    slots = list(found) if found else ctx.desk.nearest_free(office, window, ctx.turn.now)
    return ctx.offer(
        [
            Option(when(ctx.render, s.day, s.start.strftime("%H:%M")), slot_label(s), "slot")
            for s in slots
        ]
    )
