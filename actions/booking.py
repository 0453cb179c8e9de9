"""Booking a window in conversation: the form, its questions, confirmation and changes.

Thin adapters over :mod:`chuangkou.booking`: the form validation turns what people say into
slot values (item, office, a bookable time, name, phone), the summary waits for a "yes",
and the confirmation books with an idempotency key so a double tap books once. Phone
numbers arrive masked in the text and sealed in the metadata (see ``common.privacy``);
the tracker only ever holds the masked and the sealed form.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.base import CatalogAction, Events
from actions.context import SLOT_DOCS, SLOT_ITEM, SLOT_OFFICE, TurnContext, user_text
from actions.questions import item_buttons
from actions.render import Renderer
from chuangkou.booking.desk import BookingRequest, Desk, SlotDecision
from chuangkou.booking.records import REF_ALPHABET, REF_LENGTH, BookingError, BookingView
from chuangkou.booking.slots import Slot, now_local
from chuangkou.booking.timeparse import TimeProblem, parse_time_request
from chuangkou.catalog.model import Item, Office
from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.services import Services, services
from common.privacy import check_mobile, mask_number, unseal

SLOT_TIME = "booking_slot"
SLOT_NAME = "citizen_name"
SLOT_PHONE = "phone_masked"
SLOT_SEALED = "phone_sealed"
SLOT_TOKEN = "booking_token"
SLOT_REF = "booking_ref"
SLOT_OP = "booking_op"
SLOT_PROMPTED = "booking_prompted"
FORM_SLOTS = (SLOT_ITEM, SLOT_OFFICE, SLOT_TIME, SLOT_NAME, SLOT_PHONE)

# Intents that are questions: during the form they are digressions, answered by their own
# rule, after which the form resumes. Nothing is extracted from them.
QUESTION_INTENTS = frozenset(
    {
        "ask_requirements",
        "ask_time_limit",
        "ask_fee",
        "ask_location",
        "ask_process",
        "inform_documents",
        "ask_help",
        "human_handoff",
        "complain",
        "deny",
    }
)
REF_PATTERN = re.compile(f"(?<![A-Z0-9])[{REF_ALPHABET}]{{{REF_LENGTH}}}(?![A-Z0-9])")
# Ways of introducing oneself, stripped before a name is checked (parsing words).
NAME_PREFIXES = (
    "我的名字是",
    "我的名字叫",
    "名字是",
    "名字叫",
    "姓名是",
    "姓名",
    "名字",
    "我叫",
    "我是",
    "叫",
)
SLOT_FORMAT = "%Y-%m-%d %H:%M"


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def _sealed_phone(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    sealed = metadata.get("sealed_phone") if isinstance(metadata, dict) else None
    return sealed if isinstance(sealed, str) else None


def slot_label(slot: Slot) -> str:
    """The value of the ``booking_slot`` slot for a slot."""
    return f"{slot.day.isoformat()} {slot.start.strftime('%H:%M')}"


def parse_slot_label(value: Any) -> tuple[date, time] | None:
    """``2026-12-01 09:30`` → (date, time); None for anything else."""
    try:
        moment = datetime.strptime(str(value), SLOT_FORMAT)
    except ValueError:
        return None
    return moment.date(), moment.time()


def when(render: Renderer, day: date, hhmm: str) -> str:
    """Date, weekday and time of a slot, in the domain's words."""
    weekdays = render.fragment("utter_fmt_weekdays").split(",")
    weekday = weekdays[day.weekday()] if len(weekdays) == 7 else ""
    return render.fragment("utter_fmt_when", date=day.isoformat(), weekday=weekday, time=hhmm)


def slot_buttons(render: Renderer, slots: tuple[Slot, ...] | list[Slot]) -> list[dict[str, str]]:
    """One button per free slot."""
    return [
        {
            "title": when(render, s.day, s.start.strftime("%H:%M")),
            "payload": f'/choose_slot{{"booking_slot":"{slot_label(s)}"}}',
        }
        for s in slots
    ]


def reason_text(
    render: Renderer, decision: SlotDecision | None, reason: str, desk: Desk, office: Office
) -> str:
    """Why the asked time cannot be booked, in the domain's words."""
    status = decision.day_status if decision else None
    name = reason
    if reason == "closed" and status is not None:
        name = f"closed_{status.reason}"
    hours = render.hours(office)
    text = render.fragment(
        f"utter_fmt_reason_{name}",
        detail=status.detail if status else "",
        hours=hours,
        days=desk.policy.horizon_days,
    )
    if status is not None and not status.schedule_known:
        text += render.fragment("utter_fmt_reason_schedule_unknown")
    return text


def offer(
    dispatcher: CollectingDispatcher,
    render: Renderer,
    desk: Desk,
    office: Office,
    window: str,
    decision: SlotDecision | None,
    reason: str,
) -> None:
    """Say why, and offer up to six nearest free slots as buttons."""
    suggestions = (
        decision.suggestions if decision else tuple(desk.nearest_free(office, window, now_local()))
    )
    why = reason_text(render, decision, reason, desk, office)
    if suggestions:
        dispatcher.utter_message(
            response="utter_slot_suggestions", reason=why, buttons=slot_buttons(render, suggestions)
        )
    else:
        dispatcher.utter_message(
            response="utter_slot_none",
            reason=why,
            days=desk.policy.horizon_days,
            office_name=office.name,
            window=window,
        )


def _item_office(svc: Services, tracker: Tracker) -> tuple[Item | None, Office | None]:
    item = svc.catalog.item(tracker.get_slot(SLOT_ITEM))
    office = svc.catalog.office(tracker.get_slot(SLOT_OFFICE))
    return item, office


class ValidateBookingForm(FormValidationAction):
    """Extract and validate the booking form's slots from what people type or tap."""

    def name(self) -> str:
        """The validation action of ``booking_form``."""
        return "validate_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Extract and validate, keeping the helper slots the SDK would drop.

        rasa-sdk returns only the form's own slots; the sealed phone and the "already
        prompted" flag set during extraction must survive too.
        """
        extracted = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extracted)
        validated: Events = await self._extract_validation_events(dispatcher, tracker, domain)
        named = {e.get("name") for e in validated}
        extras = [
            e
            for e in extracted
            if e.get("name") in (SLOT_PROMPTED, SLOT_SEALED) and e.get("name") not in named
        ]
        return [*validated, *extras]

    @staticmethod
    def _listening(tracker: Tracker, slot: str) -> bool:
        """Whether this turn may fill ``slot``.

        It may when the slot was asked for (or the form just started) and the message is
        not a question to answer first.
        """
        requested = tracker.get_slot("requested_slot")
        return (requested in (slot, None)) and _intent(tracker) not in QUESTION_INTENTS

    async def extract_item_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An item named in the message; candidates as buttons when it is ambiguous."""
        text = user_text(tracker)
        if not text or tracker.get_slot(SLOT_ITEM) or not self._listening(tracker, SLOT_ITEM):
            return {}
        svc = services()
        match = svc.matcher.match_items(text)
        if match.best is not None:
            return {SLOT_ITEM: match.best.item_code}
        if match.ambiguous and tracker.get_slot("requested_slot") == SLOT_ITEM:
            ctx = TurnContext(svc, text, match=match)
            dispatcher.utter_message(
                response="utter_item_candidates", buttons=item_buttons(ctx, Renderer(domain))
            )
            return {SLOT_PROMPTED: True}
        return {}

    async def validate_item_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An existing item that is still handled."""
        item = services().catalog.item(str(value) if value else None)
        if item is None:
            return {SLOT_ITEM: None}
        if item.stopped:
            dispatcher.utter_message(
                response="utter_item_stopped",
                item_name=item.name,
                status_note=item.status_note,
                redirect=item.redirect,
            )
            return {SLOT_ITEM: None, SLOT_PROMPTED: True}
        return {SLOT_ITEM: item.code}

    async def extract_office_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An office (county or city) named in the message."""
        text = user_text(tracker)
        if not text or not self._listening(tracker, SLOT_OFFICE):
            return {}
        offices = services().matcher.targets(text, "office")
        return {SLOT_OFFICE: offices[0]} if offices else {}

    async def validate_office_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An office whose window accepts the item (otherwise the accepting ones are offered)."""
        svc = services()
        office = svc.catalog.office(str(value) if value else None)
        item = svc.catalog.item(tracker.get_slot(SLOT_ITEM))
        if office is None:
            return {SLOT_OFFICE: None}
        if item is not None and office not in svc.catalog.accepting_offices(item):
            return {SLOT_OFFICE: None}
        return {SLOT_OFFICE: office.code}

    async def extract_booking_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A bookable time from Chinese expressions, or suggestions and the reason."""
        text = user_text(tracker)
        if not text or not self._listening(tracker, SLOT_TIME):
            return {}
        svc = services()
        item, office = _item_office(svc, tracker)
        asked = tracker.get_slot("requested_slot") == SLOT_TIME
        if item is None or office is None:
            return {}
        render, desk, now = Renderer(domain), svc.desk, now_local()
        request = parse_time_request(text, now)
        if isinstance(request, TimeProblem):
            if not asked or (request.reason == "none" and _intent(tracker) != "inform_datetime"):
                return {}
            offer(dispatcher, render, desk, office, item.window, None, request.reason)
            return {SLOT_PROMPTED: True}
        decision = desk.decide(office, item.window, request, now)
        if decision.slot is not None:
            return {SLOT_TIME: slot_label(decision.slot)}
        offer(dispatcher, render, desk, office, item.window, decision, decision.reason or "full")
        return {SLOT_PROMPTED: True}

    async def validate_booking_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The slot must still be bookable and free (a tapped suggestion may have filled)."""
        svc = services()
        item, office = _item_office(svc, tracker)
        parsed = parse_slot_label(value)
        if item is None or office is None or parsed is None:
            return {SLOT_TIME: None}
        day, start = parsed
        try:
            free = svc.desk.check_slot(office, item.window, day, start)
        except BookingError:
            offer(dispatcher, Renderer(domain), svc.desk, office, item.window, None, "full")
            return {SLOT_TIME: None, SLOT_PROMPTED: True}
        return {SLOT_TIME: slot_label(free)}

    async def extract_citizen_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The name typed when it was asked for."""
        text = user_text(tracker).strip()
        if tracker.get_slot("requested_slot") != SLOT_NAME or not text:
            return {}
        if _intent(tracker) in QUESTION_INTENTS:
            return {}
        return {SLOT_NAME: text}

    async def validate_citizen_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Letters only (Chinese or Latin), 1–20 characters; anything else is re-asked."""
        name = str(value or "").strip()
        for prefix in NAME_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix) :].strip(" ：:，,")
                break
        try:
            return {SLOT_NAME: services().desk.check_name(name)}
        except BookingError:
            dispatcher.utter_message(response="utter_name_invalid")
            return {SLOT_NAME: None, SLOT_PROMPTED: True}

    async def extract_phone_masked(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The sealed number from the channel, opened and checked; the reason if it is wrong."""
        if tracker.get_slot("requested_slot") != SLOT_PHONE:
            return {}
        sealed = _sealed_phone(tracker)
        if sealed is None:
            if _intent(tracker) in QUESTION_INTENTS:
                return {}
            dispatcher.utter_message(response="utter_phone_missing")
            return {SLOT_PROMPTED: True}
        raw = unseal(sealed, services().secret)
        checked = check_mobile(raw or "")
        if raw is None or checked.problem == "invalid":
            dispatcher.utter_message(response="utter_phone_invalid")
            return {SLOT_PROMPTED: True}
        if checked.problem == "landline":
            dispatcher.utter_message(response="utter_phone_landline")
            return {SLOT_PROMPTED: True}
        return {SLOT_PHONE: mask_number(checked.digits), SLOT_SEALED: sealed}


class _AskAction(CatalogAction):
    """Ask for a form slot, unless this turn already answered with a reason and buttons."""

    slot: str = ""

    def name(self) -> str:
        """``action_ask_<slot>``."""
        return f"action_ask_{self.slot}"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Ask, or stay quiet after a prompt the validation already gave."""
        if tracker.get_slot(SLOT_PROMPTED):
            return [SlotSet(SLOT_PROMPTED, False)]
        self.ask(dispatcher, tracker, Renderer(domain), svc)
        return []

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, render: Renderer, svc: Services
    ) -> None:
        """The question itself."""
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")


class ActionAskItemCode(_AskAction):
    """Which item to book for."""

    slot = SLOT_ITEM


class ActionAskCitizenName(_AskAction):
    """The person's name, with the notice of what is done with it."""

    slot = SLOT_NAME

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, render: Renderer, svc: Services
    ) -> None:
        """Ask for the name; say why it is collected, who sees it and for how long."""
        dispatcher.utter_message(response="utter_ask_citizen_name", days=svc.policy.retention_days)


class ActionAskPhoneMasked(_AskAction):
    """The person's mobile number."""

    slot = SLOT_PHONE


class ActionAskOfficeCode(_AskAction):
    """Which office, with one button per office that accepts the item."""

    slot = SLOT_OFFICE

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, render: Renderer, svc: Services
    ) -> None:
        """Offer the accepting offices."""
        item = svc.catalog.item(tracker.get_slot(SLOT_ITEM))
        offices = svc.catalog.accepting_offices(item) if item else svc.catalog.offices
        dispatcher.utter_message(
            response="utter_ask_office_code",
            item_name=item.name if item else "",
            buttons=[
                {"title": o.name, "payload": f'/choose_office{{"office_code":"{o.code}"}}'}
                for o in offices
            ],
        )


class ActionAskBookingSlot(_AskAction):
    """When to come, with the nearest free slots as buttons."""

    slot = SLOT_TIME

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, render: Renderer, svc: Services
    ) -> None:
        """Ask for a day and time; offer the nearest free slots."""
        item, office = _item_office(svc, tracker)
        if item is None or office is None:
            return
        nearest = svc.desk.nearest_free(office, item.window, now_local())
        dispatcher.utter_message(
            response="utter_ask_booking_slot",
            office_name=office.name,
            window=item.window,
            buttons=slot_buttons(render, nearest),
        )


class ActionBookingSummary(CatalogAction):
    """Show what will be booked and wait for a yes; a fresh key makes the confirm idempotent."""

    action_name = "action_booking_summary"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Summarise the form's values."""
        item, office = _item_office(svc, tracker)
        parsed = parse_slot_label(tracker.get_slot(SLOT_TIME))
        if item is None or office is None or parsed is None:
            dispatcher.utter_message(response="utter_booking_failed")
            return []
        render = Renderer(domain)
        window = office.window(item.window)
        dispatcher.utter_message(
            response="utter_booking_summary",
            item_name=item.name,
            office_name=office.name,
            window=item.window,
            location=window.location if window else "",
            when=when(render, parsed[0], parsed[1].strftime("%H:%M")),
            citizen_name=tracker.get_slot(SLOT_NAME),
            phone_masked=tracker.get_slot(SLOT_PHONE),
        )
        return [SlotSet(SLOT_TOKEN, uuid.uuid4().hex)]


def _checklist(render: Renderer, item: Item, docs_state: Any) -> str:
    """The item's document list (first business type), marking what the person lacks."""
    btype = item.business_types[0]
    state = docs_state if isinstance(docs_state, dict) else {}
    lines = []
    for index, doc in enumerate((d for d in btype.documents if d.required), 1):
        entry = state.get(doc.name)
        lacking = not (isinstance(entry, dict) and entry.get("has"))
        lines.append(
            render.fragment(
                "utter_fmt_checklist_line",
                index=index,
                name=doc.name,
                form=doc.form,
                copies=doc.copies,
                missing=render.fragment("utter_fmt_checklist_missing") if lacking and state else "",
            )
        )
    return "\n".join(lines)


def _form_reset() -> Events:
    return [SlotSet(s, None) for s in (SLOT_TIME, SLOT_TOKEN)]


class ActionConfirmBooking(CatalogAction):
    """Book after the person said yes: one transaction, idempotent per summary."""

    action_name = "action_confirm_booking"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Create the booking and give the reference, place, time and checklist."""
        item, office = _item_office(svc, tracker)
        parsed = parse_slot_label(tracker.get_slot(SLOT_TIME))
        sealed = tracker.get_slot(SLOT_SEALED)
        phone = unseal(sealed, svc.secret) if isinstance(sealed, str) else None
        checked = check_mobile(phone or "")
        token = tracker.get_slot(SLOT_TOKEN)
        if item is None or office is None or parsed is None or checked.problem or not token:
            dispatcher.utter_message(response="utter_booking_failed")
            return _form_reset()
        render = Renderer(domain)
        desk = svc.desk
        try:
            booking = desk.book(
                BookingRequest(
                    item_code=item.code,
                    office_code=office.code,
                    day=parsed[0],
                    start=parsed[1],
                    name=str(tracker.get_slot(SLOT_NAME)),
                    phone=checked.digits,
                    channel=str(tracker.get_latest_input_channel() or "rest"),
                    actor=f"citizen:{tracker.sender_id}",
                    idempotency_key=f"{tracker.sender_id}:{token}",
                    missing_docs=_lacking(tracker.get_slot(SLOT_DOCS)),
                )
            )
        except BookingError as exc:
            return self._refused(dispatcher, desk, exc)
        window = office.window(item.window)
        dispatcher.utter_message(
            response="utter_booking_confirmed",
            ref=booking.ref,
            when=when(render, booking.day, booking.start),
            office_name=office.name,
            address=office.address,
            window=item.window,
            location=window.location if window else "",
            phone=window.phone if window else "",
            item_name=item.name,
            checklist=_checklist(render, item, tracker.get_slot(SLOT_DOCS)),
        )
        return [*_form_reset(), SlotSet(SLOT_REF, booking.ref)]

    @staticmethod
    def _refused(dispatcher: CollectingDispatcher, desk: Desk, exc: BookingError) -> Events:
        if exc.code == "slot_full":
            dispatcher.utter_message(response="utter_booking_slot_taken")
            return [*_form_reset(), FollowupAction("booking_form")]
        if exc.code == "same_item_day":
            dispatcher.utter_message(response="utter_booking_same_item_day")
        elif exc.code == "too_many":
            dispatcher.utter_message(
                response="utter_booking_too_many", max=desk.policy.max_active_per_phone
            )
        else:
            dispatcher.utter_message(response="utter_booking_failed")
        return _form_reset()


def _lacking(docs_state: Any) -> list[str]:
    if not isinstance(docs_state, dict):
        return []
    return sorted(n for n, e in docs_state.items() if isinstance(e, dict) and not e.get("has"))


class ActionBookingAborted(CatalogAction):
    """The person does not want to book now: forget the form's values."""

    action_name = "action_booking_aborted"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Say so and clear the booking slots."""
        dispatcher.utter_message(response="utter_booking_aborted")
        return [*_form_reset(), SlotSet("requested_slot", None)]


OPS = {
    "cancel_appointment": "cancel",
    "check_appointment": "check",
    "reschedule_appointment": "reschedule",
}


class ActionManageBooking(CatalogAction):
    """Check, cancel or reschedule a booking by reference + phone (or this conversation's)."""

    action_name = "action_manage_booking"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Collect reference and phone, then do the operation; never reveal others' bookings."""
        events: Events = []
        op = OPS.get(_intent(tracker)) or tracker.get_slot(SLOT_OP)
        if op is None:
            return [FollowupAction("booking_form")]
        text = user_text(tracker).upper()
        ref_match = REF_PATTERN.search(text)
        ref = ref_match.group(0) if ref_match else tracker.get_slot(SLOT_REF)
        sealed = _sealed_phone(tracker) or tracker.get_slot(SLOT_SEALED)
        if ref_match:
            events.append(SlotSet(SLOT_REF, ref))
        if _sealed_phone(tracker):
            events.append(SlotSet(SLOT_SEALED, sealed))
        phone = unseal(sealed, svc.secret) if isinstance(sealed, str) else None
        if not ref or not phone:
            dispatcher.utter_message(response="utter_ask_booking_ref")
            return [*events, SlotSet(SLOT_OP, op)]
        digits = check_mobile(phone).digits
        render = Renderer(domain)
        try:
            booking = svc.desk.find(ref, digits)
        except BookingError:
            dispatcher.utter_message(response="utter_booking_not_found")
            return [*events, SlotSet(SLOT_OP, None), SlotSet(SLOT_REF, None)]
        if op == "check":
            self._say(dispatcher, render, svc, booking, "utter_booking_status")
            return [*events, SlotSet(SLOT_OP, None)]
        if booking.status != "booked":
            self._say(dispatcher, render, svc, booking, "utter_booking_cannot_change")
            return [*events, SlotSet(SLOT_OP, None)]
        if op == "cancel":
            svc.desk.cancel(booking.ref, digits, f"citizen:{tracker.sender_id}")
            self._say(dispatcher, render, svc, booking, "utter_booking_cancelled")
            return [*events, SlotSet(SLOT_OP, None)]
        return [*events, *self._reschedule(dispatcher, tracker, render, svc, booking, digits)]

    def _reschedule(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        svc: Services,
        booking: BookingView,
        phone: str,
    ) -> Events:
        office = svc.catalog.office(booking.office_code)
        if office is None:
            dispatcher.utter_message(response="utter_booking_failed")
            return [SlotSet(SLOT_OP, None)]
        desk, now = svc.desk, now_local()
        chosen = (
            parse_slot_label(tracker.get_slot(SLOT_TIME))
            if _intent(tracker) == "choose_slot"
            else None
        )
        decision: SlotDecision | None = None
        if chosen is None:
            request = parse_time_request(user_text(tracker), now)
            if isinstance(request, TimeProblem):
                if request.reason == "none":
                    dispatcher.utter_message(response="utter_ask_new_time")
                else:
                    offer(
                        dispatcher, render, desk, office, booking.window_type, None, request.reason
                    )
                return [SlotSet(SLOT_OP, "reschedule")]
            decision = desk.decide(office, booking.window_type, request, now)
            if decision.slot is None:
                offer(
                    dispatcher,
                    render,
                    desk,
                    office,
                    booking.window_type,
                    decision,
                    decision.reason or "full",
                )
                return [SlotSet(SLOT_OP, "reschedule")]
            chosen = (decision.slot.day, decision.slot.start)
        try:
            moved = desk.reschedule(
                booking.ref, phone, chosen[0], chosen[1], f"citizen:{tracker.sender_id}"
            )
        except BookingError:
            offer(dispatcher, render, desk, office, booking.window_type, None, "full")
            return [SlotSet(SLOT_OP, "reschedule"), SlotSet(SLOT_TIME, None)]
        self._say(dispatcher, render, svc, moved, "utter_booking_rescheduled")
        return [SlotSet(SLOT_OP, None), SlotSet(SLOT_TIME, None)]

    @staticmethod
    def _say(
        dispatcher: CollectingDispatcher,
        render: Renderer,
        svc: Services,
        booking: BookingView,
        response: str,
    ) -> None:
        office = svc.catalog.office(booking.office_code)
        window = office.window(booking.window_type) if office else None
        dispatcher.utter_message(
            response=response,
            ref=booking.ref,
            item_name=booking.item_name,
            when=when(render, booking.day, booking.start),
            office_name=office.name if office else booking.office_code,
            window=booking.window_type,
            location=window.location if window else "",
            status=render.fragment(f"utter_fmt_status_{booking.status}"),
        )


__all__ = ["CatalogNotLoaded"]
