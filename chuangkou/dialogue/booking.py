"""Booking a window in conversation: what people say, in any order, corrected at will.

Every turn of a booking reads every value the message carries (item, office, day and
time, name, phone, a picked option); a value given again replaces the old one (a
correction), and the fields still missing are asked one at a time. All validation is
the booking desk's (:class:`chuangkou.booking.desk.Desk`); this module only turns its
refusals into words and choices.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from chuangkou.booking.desk import BookingRequest, SlotDecision
from chuangkou.booking.records import BookingError
from chuangkou.booking.slots import Slot
from chuangkou.booking.timeparse import TimeProblem, TimeRequest
from chuangkou.catalog.model import Item, Office
from chuangkou.catalog.requirements import resolve
from chuangkou.dialogue import answers
from chuangkou.dialogue.context import Ctx
from chuangkou.dialogue.reading import read_time
from chuangkou.dialogue.slotnames import name_in, slot_label, when
from chuangkou.dialogue.state import ASK_FIX, Draft, Option
from chuangkou.dialogue.words import MASKED_PHONE
from common.folding import normalize
from common.privacy import check_mobile, mask_number, unseal

FIELDS = ("item", "office", "slot", "name", "phone_masked")
# An answer to "your name?" this short that holds nothing else was meant as the name.
NAME_ANSWER_CHARS = 30
FIX_FIELDS = (
    ("slot", "utter_fmt_fix_time"),
    ("office", "utter_fmt_fix_office"),
    ("name", "utter_fmt_fix_name"),
    ("phone_masked", "utter_fmt_fix_phone"),
)


def start(ctx: Ctx) -> None:
    """Begin a booking with what the conversation already knows, then take this turn."""
    state = ctx.state
    state.booking = draft = Draft()
    ctx.understood = True
    named = ctx.reading.item if ctx.reading.strong_item else None
    code = named or state.item
    if code is not None:
        sub = ctx.reading.sub_item if named else state.sub_item
        if not _set_item(ctx, draft, code, sub) or state.booking is None:
            state.booking = None if ctx.replies else state.booking
            if state.booking is None:
                return
    take_turn(ctx)


def take_turn(ctx: Ctx) -> None:
    """One turn of a booking in progress."""
    draft = ctx.state.booking
    assert draft is not None
    reading = ctx.reading
    if reading.says("abort_booking") and not _values_given(ctx):
        abort(ctx)
        return
    if draft.missing() is not None:
        draft.token = None  # a field was dropped since the summary: no yes confirms it
    if draft.token is not None and _confirming(ctx):
        confirm(ctx)
        return
    changed = _apply(ctx, draft)
    if ctx.state.booking is None:  # the booking ended (item elsewhere, refused …)
        return
    if _not_a_name(ctx, draft):
        ctx.say("utter_name_invalid")
    if draft.token is not None and not changed:
        if reading.says("deny", "correction"):
            ask_fix(ctx)
        elif not ctx.replies:
            summary(ctx, draft)
        return
    if ctx.replies and any(r.buttons for r in ctx.replies.items):
        return  # this turn already offered choices (slots, offices, items)
    missing = draft.missing()
    if missing is None:
        summary(ctx, draft)
    else:
        ask(ctx, draft, missing)


def _not_a_name(ctx: Ctx, draft: Draft) -> bool:
    """The name was asked and the answer is short text that is nothing else we read."""
    reading = ctx.reading
    said = reading.text.strip()
    return bool(
        draft.asked == "name"
        and said
        and len(said) <= NAME_ANSWER_CHARS
        and not ctx.replies
        and not _values_given(ctx)
        and not reading.questions
        and not reading.documents
        and not reading.says("affirm", "deny", "correction", "abort_booking")
    )


def _values_given(ctx: Ctx) -> bool:
    reading = ctx.reading
    draft = ctx.state.booking
    named = name_in(ctx, draft) if draft is not None else reading.name
    return bool(
        reading.item
        or reading.offices
        or reading.phone
        or named
        or reading.choice
        or isinstance(reading.time, TimeRequest)
    )


def _confirming(ctx: Ctx) -> bool:
    """A yes at the summary (tapped or typed), with nothing else to change."""
    reading, turn = ctx.reading, ctx.turn
    if turn.payload is not None and turn.payload.intent == "affirm":
        return True
    if _values_given(ctx) or reading.says("deny", "correction"):
        return False
    if _time_words(ctx) and isinstance(read_time(reading, turn.now, None), TimeRequest):
        return False  # "下周四上午十点可以吗": a time to check first, not a yes
    return reading.says("affirm") or (turn.intent == "affirm" and turn.confidence > 0.5)


def _apply(ctx: Ctx, draft: Draft) -> bool:
    """Take every value the message gives; say why one cannot be used. True if any changed."""
    reading = ctx.reading
    changed = False
    choice = reading.choice
    if choice is not None and choice.kind == "item" and choice.value != draft.item:
        changed |= _set_item(ctx, draft, choice.value, None)
    elif reading.item and reading.strong_item and reading.item != draft.item:
        changed |= _set_item(ctx, draft, reading.item, reading.sub_item)
    elif reading.candidates and draft.item is None:
        _offer_items(ctx, reading.candidates)
    if ctx.state.booking is None:
        return changed
    if (choice is not None and choice.kind == "office") or reading.offices:
        picked = choice is not None and choice.kind == "office"
        code = choice.value if picked and choice is not None else reading.offices[0]
        if code != draft.office:
            changed |= _set_office(ctx, draft, code)
    if choice is not None and choice.kind == "slot":
        changed |= _set_slot_label(ctx, draft, choice.value)
    elif draft.item and draft.office:
        changed |= _read_time(ctx, draft)
    changed |= _read_person(ctx, draft)
    _field_corrections(ctx, draft)
    if reading.documents:
        from chuangkou.catalog.doccheck import merge_state

        ctx.state.docs = merge_state(ctx.state.docs, reading.documents)
        ctx.understood = True
    return changed


def _item_and_office(ctx: Ctx, draft: Draft) -> tuple[Item | None, Office | None]:
    return ctx.catalog.item(draft.item), ctx.catalog.office(draft.office)


def _set_item(ctx: Ctx, draft: Draft, code: str, sub: str | None) -> bool:
    item = ctx.catalog.item(code)
    if item is None:
        return False
    ctx.understood = True
    if answers.refuse_unanswerable(ctx, item, sub):
        return False
    if not ctx.catalog.accepting_offices(item):
        ctx.say(
            "utter_item_elsewhere", item_name=item.name, apply_at=item.apply_at or "", online=""
        )
        ctx.state.booking = None
        return False
    draft.item, draft.sub_item = item.code, sub
    ctx.state.item, ctx.state.sub_item = item.code, sub
    office = ctx.catalog.office(draft.office)
    if office is not None and office not in ctx.catalog.accepting_offices(item):
        draft.office = None
    accepting = ctx.catalog.accepting_offices(item)
    if draft.office is None and len(accepting) == 1:
        draft.office = accepting[0].code
    if draft.slot and not _slot_still_free(ctx, draft):
        draft.slot = None  # another window: that time may be taken there
    return True


def _slot_still_free(ctx: Ctx, draft: Draft) -> bool:
    """Whether the chosen time can be booked at the draft's (new) item and office."""
    item, office = _item_and_office(ctx, draft)
    if item is None or office is None or draft.slot is None:
        return False
    moment = datetime.strptime(draft.slot, "%Y-%m-%d %H:%M")
    try:
        ctx.desk.check_slot(office, item.window, moment.date(), moment.time(), ctx.turn.now)
    except BookingError:
        return False
    return True


def _offer_items(ctx: Ctx, codes: list[str]) -> None:
    options = []
    for code in codes:
        item = ctx.catalog.item(code)
        if item is not None and not item.stopped:
            options.append(Option(item.name, item.code, "item"))
    if options:
        ctx.say("utter_item_candidates", buttons=ctx.offer(options))


def _set_office(ctx: Ctx, draft: Draft, code: str) -> bool:
    office = ctx.catalog.office(code)
    if office is None:
        return False
    ctx.understood = True
    item = ctx.catalog.item(draft.item)
    if item is not None and office not in ctx.catalog.accepting_offices(item):
        ctx.say(
            "utter_office_not_accepting",
            office_name=office.name,
            item_name=item.name,
            buttons=_office_buttons(ctx, item),
        )
        return False
    if draft.slot is not None and draft.office is not None:
        draft.slot = None  # another office, another day book: choose the time again
    draft.office = office.code
    ctx.state.office = office.code
    return True


def _office_buttons(ctx: Ctx, item: Item) -> list[dict[str, str]]:
    return ctx.offer(
        [Option(o.name, o.code, "office") for o in ctx.catalog.accepting_offices(item)][:10]
    )


def _set_slot_label(ctx: Ctx, draft: Draft, label: str) -> bool:
    item, office = _item_and_office(ctx, draft)
    try:
        moment = datetime.strptime(label, "%Y-%m-%d %H:%M")
    except ValueError:
        return False
    ctx.understood = True
    if item is None or office is None:
        return False
    try:
        ctx.desk.check_slot(office, item.window, moment.date(), moment.time(), ctx.turn.now)
    except BookingError as exc:
        _offer_times(ctx, draft, None, exc.code if exc.code != "slot_full" else "full")
        return False
    draft.slot, draft.day = label, moment.date().isoformat()
    return True


def _context_day(draft: Draft) -> date | None:
    return date.fromisoformat(draft.day) if draft.day else None


def _read_time(ctx: Ctx, draft: Draft) -> bool:
    """A day and time the message asks for, read against the day under discussion."""
    reading = ctx.reading
    if not _time_words(ctx):
        return False
    request = read_time(reading, ctx.turn.now, _context_day(draft))
    item, office = _item_and_office(ctx, draft)
    if item is None or office is None:
        return False
    if isinstance(request, TimeProblem):
        if request.reason == "none":
            return False
        ctx.understood = True
        _offer_times(ctx, draft, None, request.reason)
        return False
    ctx.understood = True
    draft.day = request.day.isoformat()
    decision = ctx.desk.decide(office, item.window, request, ctx.turn.now)
    if decision.slot is not None:
        draft.slot = slot_label(decision.slot)
        return True
    _offer_times(ctx, draft, decision, decision.reason or "full")
    return False


def _time_words(ctx: Ctx) -> bool:
    """Whether the message may carry a time (a cheap look before the parser runs)."""
    key = normalize(MASKED_PHONE.sub("", ctx.reading.text))
    if ctx.reading.ref:
        key = key.replace(ctx.reading.ref.lower(), "")
    return any(ch.isdigit() for ch in key) or any(
        w in key
        for w in (
            "点",
            "天",
            "周",
            "星期",
            "礼拜",
            "号",
            "月",
            "上午",
            "下午",
            "早",
            "晚",
            "元旦",
            "节",
            "中午",
        )
    )


def _offer_times(ctx: Ctx, draft: Draft, decision: SlotDecision | None, reason: str) -> None:
    """Say why the time cannot be booked and offer the nearest free slots as buttons."""
    item, office = _item_and_office(ctx, draft)
    if item is None or office is None:
        return
    suggestions: tuple[Slot, ...] | list[Slot] = (
        decision.suggestions
        if decision
        else ctx.desk.nearest_free(office, item.window, ctx.turn.now)
    )
    why = ctx.render.reason(decision, reason, ctx.desk, office)
    if suggestions:
        ctx.say("utter_slot_suggestions", reason=why, buttons=_slot_buttons(ctx, suggestions))
    else:
        ctx.say(
            "utter_slot_none",
            reason=why,
            days=ctx.desk.policy.horizon_days,
            office_name=office.name,
            window=item.window,
        )


def _slot_buttons(ctx: Ctx, slots: tuple[Slot, ...] | list[Slot]) -> list[dict[str, str]]:
    return ctx.offer(
        [
            Option(when(ctx.render, s.day, s.start.strftime("%H:%M")), slot_label(s), "slot")
            for s in slots
        ]
    )


def _read_person(ctx: Ctx, draft: Draft) -> bool:
    """The name and the phone number the message gives, validated by the desk."""
    reading = ctx.reading
    changed = False
    if reading.phone is not None:
        ctx.understood = True
        raw = unseal(reading.phone, ctx.svc.secret)
        checked = check_mobile(raw or "")
        if raw is None or checked.problem is not None:
            problem = checked.problem if raw is not None else "invalid"
            ctx.say(f"utter_phone_{problem}")
        elif draft.phone_masked != mask_number(checked.digits):
            draft.phone_masked, draft.phone_sealed = mask_number(checked.digits), reading.phone
            changed = True
    name = name_in(ctx, draft)
    if name is not None:
        ctx.understood = True
        try:
            valid = ctx.desk.check_name(name)
        except BookingError:
            if draft.asked == "name" or reading.says("name_intro"):
                ctx.say("utter_name_invalid")
        else:
            if valid != draft.name:
                draft.name, changed = valid, True
    return changed


def _field_corrections(ctx: Ctx, draft: Draft) -> None:
    """A field named for change without its new value ("改一下名字", "换个时间")."""
    reading = ctx.reading
    if not reading.says("correction") or _values_given(ctx):
        return
    for cue, name in (
        ("field_time", "slot"),
        ("field_office", "office"),
        ("field_name", "name"),
        ("field_phone", "phone_masked"),
    ):
        if cue in reading.cues:
            setattr(draft, name, None)
            draft.token = None
            ctx.understood = True
            ask(ctx, draft, name)
            return


def ask(ctx: Ctx, draft: Draft, field: str) -> None:
    """Ask for one missing field, with buttons where there are choices."""
    draft.asked = {"phone_masked": "phone"}.get(field, field)
    item, office = _item_and_office(ctx, draft)
    if field == "item":
        ctx.say("utter_ask_item_code")
    elif field == "office" and item is not None:
        ctx.say("utter_ask_office_code", item_name=item.name, buttons=_office_buttons(ctx, item))
    elif field == "slot" and item is not None and office is not None:
        nearest = ctx.desk.nearest_free(office, item.window, ctx.turn.now)
        ctx.say(
            "utter_ask_booking_slot",
            office_name=office.name,
            window=item.window,
            buttons=_slot_buttons(ctx, nearest),
        )
    elif field == "name":
        ctx.say("utter_ask_citizen_name", days=ctx.desk.policy.retention_days)
    else:
        ctx.say("utter_ask_phone_masked")


def summary(ctx: Ctx, draft: Draft) -> None:
    """Show what will be booked and wait for a yes (a fresh token: a fresh key)."""
    item, office = _item_and_office(ctx, draft)
    if item is None or office is None or draft.slot is None:
        return
    day, hhmm = draft.slot.split(" ")
    window = office.window(item.window)
    draft.token, draft.asked = uuid.uuid4().hex, None
    ctx.say(
        "utter_booking_summary",
        buttons=[
            {"title": ctx.render.fragment("utter_fmt_button_confirm"), "payload": "/affirm"},
            {
                "title": ctx.render.fragment("utter_fmt_button_change"),
                "payload": '/choose{"kind":"fix","value":"menu"}',
            },
            {
                "title": ctx.render.fragment("utter_fmt_button_abort"),
                "payload": '/choose{"kind":"abort","value":"booking"}',
            },
        ],
        item_name=item.name,
        office_name=office.name,
        window=item.window,
        location=window.location if window else "",
        when=when(ctx.render, date.fromisoformat(day), hhmm),
        citizen_name=draft.name,
        phone_masked=draft.phone_masked,
    )


def ask_fix(ctx: Ctx) -> None:
    """At the summary, "不对" with nothing new: what should change?"""
    ctx.state.asking = ASK_FIX
    options = [Option(ctx.render.fragment(label), name, "fix") for name, label in FIX_FIELDS]
    ctx.say("utter_ask_what_to_fix", buttons=ctx.offer(options))


def fix(ctx: Ctx, field: str) -> None:
    """The person chose what to change: clear it and ask for it again."""
    draft = ctx.state.booking
    if draft is None:
        return
    ctx.state.asking = None
    if field == "menu":
        ask_fix(ctx)
        return
    if field in dict(FIX_FIELDS):
        setattr(draft, field, None)
        draft.token = None
        ask(ctx, draft, field)


def abort(ctx: Ctx) -> None:
    """End the booking in progress and say so."""
    ctx.state.booking = None
    ctx.state.asking = None
    ctx.state.offer = []
    ctx.say("utter_booking_aborted")


def confirm(ctx: Ctx) -> None:
    """Book (idempotent per summary) and give the reference, place, time and checklist."""
    draft = ctx.state.booking
    assert draft is not None
    item, office = _item_and_office(ctx, draft)
    phone = unseal(draft.phone_sealed, ctx.svc.secret) if draft.phone_sealed else None
    if item is None or office is None or draft.slot is None or phone is None or not draft.name:
        ctx.say("utter_booking_failed")
        ctx.state.booking = None
        return
    moment = datetime.strptime(draft.slot, "%Y-%m-%d %H:%M")
    btype = item.business_type(ctx.state.business_type) or item.business_types[0]
    resolved = resolve(btype, ctx.facts(item))
    held = ctx.state.docs
    lacking = [d.name for d in resolved.to_bring if not (held.get(d.name) or {}).get("has")]
    try:
        booking = ctx.desk.book(
            BookingRequest(
                item_code=item.code,
                office_code=office.code,
                day=moment.date(),
                start=moment.time(),
                name=draft.name,
                phone=phone,
                channel=ctx.turn.channel,
                actor=f"citizen:{ctx.turn.sender}",
                idempotency_key=f"{ctx.turn.sender}:{draft.token}",
                missing_docs=lacking,
            ),
            ctx.turn.now,
        )
    except BookingError as exc:
        _refused(ctx, draft, exc)
        return
    window = office.window(item.window)
    ctx.say(
        "utter_booking_confirmed",
        ref=booking.ref,
        when=when(ctx.render, booking.day, booking.start),
        office_name=office.name,
        address=office.address,
        window=item.window,
        location=window.location if window else "",
        phone=window.phone if window else office.phone,
        item_name=item.name,
        checklist=ctx.render.checklist(resolved, held),
        not_submitted=ctx.render.not_submitted_line(resolved.not_submitted),
        conditional=ctx.render.conditional_block(resolved.undecided),
    )
    ctx.state.booking = None
    ctx.state.offer = []


def _refused(ctx: Ctx, draft: Draft, exc: BookingError) -> None:
    if exc.code in ("slot_full", "too_soon", "closed", "beyond_horizon", "outside_hours"):
        draft.slot, draft.token = None, None
        ctx.say("utter_booking_slot_taken")
        ask(ctx, draft, "slot")
        return
    ctx.state.booking = None
    if exc.code == "same_item_day":
        ctx.say("utter_booking_same_item_day")
    elif exc.code == "too_many":
        ctx.say("utter_booking_too_many", max=ctx.desk.policy.max_active_per_phone)
    else:
        ctx.say("utter_booking_failed")
