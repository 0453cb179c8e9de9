"""Work out what a turn is about: the item, sub-item, business type and office.

The latest message wins when it names something; otherwise the conversation's slots
(what was said earlier) are used. Button payloads ("/select_item{...}") carry their
values as entities, which Rasa has already put into the slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from chuangkou.catalog.matcher import ItemCandidate, ItemMatch
from chuangkou.catalog.model import Item
from chuangkou.services import Services

SLOT_ITEM = "item_code"
SLOT_SUB_ITEM = "sub_item_code"
SLOT_BUSINESS_TYPE = "business_type"
SLOT_OFFICE = "office_code"
SLOT_PENDING = "pending_question"
SLOT_DOCS = "docs_state"


def user_text(tracker: Tracker) -> str:
    """The latest user text, or "" for a button payload (its values are in the slots)."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.startswith("/") else text


@dataclass
class TurnContext:
    """What this turn is about, and the slot events that record it."""

    services: Services
    text: str
    item: Item | None = None
    sub_item_code: str | None = None
    business_type: str | None = None
    office_code: str | None = None
    match: ItemMatch | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def candidates(self) -> tuple[ItemCandidate, ...]:
        """Items to offer when the text was ambiguous."""
        return self.match.candidates if self.match and self.match.ambiguous else ()


def resolve(tracker: Tracker, services: Services) -> TurnContext:
    """Resolve the item, business type and office of this turn.

    Args:
        tracker: The conversation.
        services: Catalog and matcher.

    Returns:
        The context, with slot events for anything newly learnt.
    """
    catalog, matcher = services.catalog, services.matcher
    text = user_text(tracker)
    ctx = TurnContext(services, text)
    item = catalog.item(tracker.get_slot(SLOT_ITEM))
    sub_code = tracker.get_slot(SLOT_SUB_ITEM)
    if text:
        ctx.match = matcher.match_items(text)
        best = ctx.match.best
        if best is not None:
            new_item = catalog.item(best.item_code)
            if new_item is not None and (item is None or new_item.code != item.code):
                ctx.events += [SlotSet(SLOT_ITEM, new_item.code), SlotSet(SLOT_BUSINESS_TYPE, None)]
                item, sub_code = new_item, best.sub_item_code
                ctx.events.append(SlotSet(SLOT_SUB_ITEM, sub_code))
            elif best.sub_item_code:
                sub_code = best.sub_item_code
                ctx.events.append(SlotSet(SLOT_SUB_ITEM, sub_code))
        elif ctx.match.ambiguous:
            item = None
    ctx.item = item
    ctx.sub_item_code = sub_code if item and item.sub_item(sub_code) else None

    business_type = (
        None
        if any(e.get("name") == SLOT_BUSINESS_TYPE for e in ctx.events)
        else (tracker.get_slot(SLOT_BUSINESS_TYPE))
    )
    if text:
        named = matcher.targets(text, "business_type")
        if item is not None:
            named = [b for b in named if item.business_type(b) is not None]
        if named:
            business_type = named[0]
            ctx.events.append(SlotSet(SLOT_BUSINESS_TYPE, business_type))
    if item is not None and (business_type is None or item.business_type(business_type) is None):
        only = item.business_type(None)
        business_type = only.type if only else None
    ctx.business_type = business_type

    office = tracker.get_slot(SLOT_OFFICE)
    if text:
        offices = matcher.targets(text, "office")
        if offices:
            office = offices[0]
            ctx.events.append(SlotSet(SLOT_OFFICE, office))
    ctx.office_code = office if catalog.office(office) else None
    return ctx
