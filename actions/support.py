"""Complaints (12365 and the 咨询投诉 window) and hand-off to a person at a window."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, Events
from actions.context import resolve
from actions.render import Renderer
from chuangkou.catalog.model import Item, Office
from chuangkou.services import Services

COMPLAINT_CATEGORY = "咨询投诉"


def _office(svc: Services, code: str | None) -> Office:
    return svc.catalog.office(code) or svc.catalog.city_office()


class ActionComplain(CatalogAction):
    """Route a complaint: the matching 咨询投诉 item's channel, and the local window."""

    action_name = "action_complain"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Answer with the complaint item (from the catalog) and the window's contacts."""
        ctx = resolve(tracker, svc)
        complaint_items = [i for i in svc.catalog.items if i.category == COMPLAINT_CATEGORY]
        item: Item | None = (
            ctx.item if ctx.item and ctx.item.category == COMPLAINT_CATEGORY else None
        )
        if item is None and ctx.match is not None:
            hits = [svc.catalog.item(c.item_code) for c in ctx.match.candidates]
            item = next((i for i in hits if i and i.category == COMPLAINT_CATEGORY), None)
        item = item or (complaint_items[0] if complaint_items else None)
        office = _office(svc, ctx.office_code)
        render = Renderer(domain)
        window = office.window(COMPLAINT_CATEGORY)
        dispatcher.utter_message(
            response="utter_complain",
            item_name=item.name if item else "",
            summary=item.summary if item else "",
            steps=render.steps(item) if item else "",
            office_line=render.office_line(office, COMPLAINT_CATEGORY),
            hours=render.hours(office),
            window=window.type if window else COMPLAINT_CATEGORY,
        )
        return ctx.events


class ActionHumanHandoff(CatalogAction):
    """Give the phone, place and hours of the window that handles the current topic."""

    action_name = "action_human_handoff"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Answer with the window of the item in context, or the enquiries window."""
        ctx = resolve(tracker, svc)
        office = _office(svc, ctx.office_code)
        window_type = ctx.item.window if ctx.item else COMPLAINT_CATEGORY
        render = Renderer(domain)
        dispatcher.utter_message(
            response="utter_handoff",
            office_line=render.office_line(office, window_type),
            window=window_type,
            hours=render.hours(office),
        )
        return ctx.events
