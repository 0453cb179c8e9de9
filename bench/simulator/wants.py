"""What the bot wants from the person, read from the names of its responses.

THE one table of response names (``bot/domain/*.yml``). When the conversation is
rewritten and its responses are renamed, only :data:`RESPONSE_WANTS` changes. A name that
is not in it is read as "the bot did not understand" (:attr:`Want.NOT_UNDERSTOOD`).
"""

from __future__ import annotations

from enum import StrEnum


class Want(StrEnum):
    """What a bot message asks for, or what it means for the person."""

    ITEM = "item"
    ITEM_CANDIDATES = "item_candidates"  # pick one item among buttons
    OFFICE = "office"
    TIME = "time"
    TIME_OPTIONS = "time_options"  # pick one slot among buttons (after a vague/full time)
    NAME = "name"
    PHONE = "phone"
    CONFIRM = "confirm"  # a summary waiting for yes
    BUSINESS_TYPE = "business_type"
    DOCS = "docs"  # say again which documents one has
    DONE_BOOKING = "done_booking"
    DONE_DOCS = "done_docs"
    INFO = "info"  # an answer to a question; nothing asked
    REFUSED = "refused"  # the bot cannot do it: nothing the person can say helps
    ABORTED = "aborted"  # the booking was dropped; one may start again
    NOT_UNDERSTOOD = "not_understood"


# Response name → what it wants. Keep in step with bot/domain/*.yml.
RESPONSE_WANTS: dict[str, Want] = {
    # booking
    "utter_ask_item_code": Want.ITEM,
    "utter_ask_office_code": Want.OFFICE,
    "utter_office_not_accepting": Want.OFFICE,
    "utter_ask_booking_slot": Want.TIME,
    "utter_slot_suggestions": Want.TIME_OPTIONS,
    "utter_booking_slot_taken": Want.TIME,
    "utter_ask_citizen_name": Want.NAME,
    "utter_name_invalid": Want.NAME,
    "utter_ask_phone_masked": Want.PHONE,
    "utter_phone_invalid": Want.PHONE,
    "utter_phone_landline": Want.PHONE,
    "utter_booking_summary": Want.CONFIRM,
    "utter_ask_what_to_fix": Want.CONFIRM,
    "utter_booking_confirmed": Want.DONE_BOOKING,
    "utter_booking_aborted": Want.ABORTED,
    "utter_booking_continue": Want.INFO,
    "utter_not_understood_booking": Want.NOT_UNDERSTOOD,
    "utter_slot_none": Want.REFUSED,
    "utter_booking_same_item_day": Want.REFUSED,
    "utter_booking_too_many": Want.REFUSED,
    "utter_booking_failed": Want.REFUSED,
    "utter_database_unavailable": Want.REFUSED,
    "utter_catalog_unavailable": Want.REFUSED,
    "utter_item_elsewhere": Want.REFUSED,
    # item questions
    "utter_ask_which_item": Want.ITEM,
    "utter_item_candidates": Want.ITEM_CANDIDATES,
    "utter_ask_business_type": Want.BUSINESS_TYPE,
    "utter_ask_applicant": Want.INFO,
    "utter_ask_agent": Want.INFO,
    "utter_docs_missing": Want.DONE_DOCS,
    "utter_docs_complete": Want.DONE_DOCS,
    # our goals are active items: "stopped" means it heard another item; say it again
    "utter_item_stopped": Want.ITEM,
    "utter_sub_item_abolished": Want.ITEM,
    "utter_requirements": Want.INFO,
    "utter_time_limit": Want.INFO,
    "utter_fee": Want.INFO,
    "utter_location": Want.INFO,
    "utter_process": Want.INFO,
    "utter_item_card": Want.INFO,
    "utter_office_hours": Want.INFO,
    "utter_office_weekend": Want.INFO,
    "utter_office_lunch": Want.INFO,
    "utter_office_address": Want.INFO,
    "utter_office_phone": Want.INFO,
    # small talk and hand-off: answers, nothing asked
    "utter_greet": Want.INFO,
    "utter_help": Want.INFO,
    "utter_thank": Want.INFO,
    "utter_affirm_ack": Want.INFO,
    "utter_deny_ack": Want.INFO,
    "utter_goodbye": Want.INFO,
    "utter_complain": Want.INFO,
    "utter_handoff": Want.INFO,
    "utter_restarted": Want.INFO,
    # the bot did not understand
    "utter_default": Want.NOT_UNDERSTOOD,
    "utter_handoff_offer": Want.NOT_UNDERSTOOD,
    "utter_out_of_scope": Want.NOT_UNDERSTOOD,
    "utter_referral": Want.NOT_UNDERSTOOD,
    "utter_empty": Want.NOT_UNDERSTOOD,
    "utter_only_symbols": Want.NOT_UNDERSTOOD,
    "utter_internal_error": Want.NOT_UNDERSTOOD,
    # booking management: not what a simulated person asked for
    "utter_ask_drop_booking": Want.NOT_UNDERSTOOD,
    "utter_ask_booking_both": Want.NOT_UNDERSTOOD,
    "utter_ask_booking_ref": Want.NOT_UNDERSTOOD,
    "utter_ask_booking_phone": Want.NOT_UNDERSTOOD,
    "utter_forgot_ref": Want.NOT_UNDERSTOOD,
    "utter_booking_not_found": Want.NOT_UNDERSTOOD,
    "utter_ask_new_time": Want.NOT_UNDERSTOOD,
    "utter_reschedule_confirm": Want.NOT_UNDERSTOOD,
    "utter_booking_status": Want.NOT_UNDERSTOOD,
    "utter_booking_cancelled": Want.NOT_UNDERSTOOD,
    "utter_booking_cannot_change": Want.NOT_UNDERSTOOD,
    "utter_booking_rescheduled": Want.NOT_UNDERSTOOD,
}

# Wants that ask the person for something (as opposed to answers and dead ends).
ASKING = frozenset(
    {
        Want.ITEM,
        Want.ITEM_CANDIDATES,
        Want.OFFICE,
        Want.TIME,
        Want.TIME_OPTIONS,
        Want.NAME,
        Want.PHONE,
        Want.CONFIRM,
        Want.BUSINESS_TYPE,
        Want.DOCS,
    }
)
# When one turn holds several messages, the most telling one decides the turn's want.
_RANK = {
    Want.DONE_BOOKING: 0,
    Want.DONE_DOCS: 1,
    Want.REFUSED: 2,
    Want.ABORTED: 3,
}


def want_of(response: str | None) -> Want:
    """What one response wants; unknown or missing names read as not understood.

    Args:
        response: The response name from the message metadata.

    Returns:
        The want.
    """
    return RESPONSE_WANTS.get(response or "", Want.NOT_UNDERSTOOD)


def turn_want(responses: list[str | None]) -> Want:
    """What a whole bot turn wants.

    Outcomes (done, refused, aborted) win; otherwise the LAST question asked (a form
    re-asks after answering a digression), then an answer, then "not understood".

    Args:
        responses: The response names of the turn's messages, in order.

    Returns:
        The turn's want.
    """
    wants = [want_of(r) for r in responses]
    final = sorted((w for w in wants if w in _RANK), key=lambda w: _RANK[w])
    if final:
        return final[0]
    asking = [w for w in wants if w in ASKING]
    if asking:
        return asking[-1]
    if Want.INFO in wants:
        return Want.INFO
    return Want.NOT_UNDERSTOOD
