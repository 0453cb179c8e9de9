"""Actions that answer a question about an item: documents, time limit, fee, place, process.

They share one flow (:class:`ItemQuestion`): find the item (or ask, with candidate
buttons), explain a stopped item, ask the business type when the answer depends on it,
then answer. The question asked last is remembered in ``pending_question`` so that a
button tap or a bare item name ("CMA") resumes it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, Events
from actions.context import SLOT_DOCS, SLOT_PENDING, TurnContext, resolve
from actions.render import Renderer
from chuangkou.catalog.doccheck import check, merge_state, read_possessions
from chuangkou.catalog.model import Item
from chuangkou.services import Services


def item_buttons(ctx: TurnContext, render: Renderer) -> list[dict[str, str]]:
    """One button per candidate item, naming the sub-item when one was matched."""
    buttons = []
    for cand in ctx.candidates:
        item = ctx.services.catalog.item(cand.item_code)
        if item is None:
            continue
        sub = item.sub_item(cand.sub_item_code)
        title = render.item_label(item, sub.code if sub else None)
        entities = f'"item_code":"{item.code}"'
        if sub:
            entities += f',"sub_item_code":"{sub.code}"'
        buttons.append({"title": title, "payload": f"/select_item{{{entities}}}"})
    return buttons


class ItemQuestion(CatalogAction, ABC):
    """Shared flow of every question about an item."""

    question: ClassVar[str]
    needs_business_type: ClassVar[bool] = False

    def name(self) -> str:
        """The action name: ``action_<question>``."""
        return f"action_{self.question}"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Resolve the item and answer, or ask what is missing to answer."""
        return self.respond(dispatcher, tracker, Renderer(domain), resolve(tracker, svc))

    def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
    ) -> Events:
        """The shared flow once the context is known (also used by the resume action)."""
        events = list(ctx.events)
        item = ctx.item
        if item is None:
            if ctx.candidates:
                dispatcher.utter_message(
                    response="utter_item_candidates", buttons=item_buttons(ctx, render)
                )
            else:
                dispatcher.utter_message(response="utter_ask_which_item")
            return [*events, SlotSet(SLOT_PENDING, self.question)]
        if item.stopped:
            dispatcher.utter_message(
                response="utter_item_stopped",
                item_name=item.name,
                status_note=item.status_note,
                redirect=item.redirect,
            )
            return [*events, SlotSet(SLOT_PENDING, None)]
        if self.needs_business_type and ctx.business_type is None and item.lists_differ():
            dispatcher.utter_message(
                response="utter_ask_business_type",
                item_label=render.item_label(item, ctx.sub_item_code),
                buttons=[
                    {
                        "title": b.type,
                        "payload": f'/choose_business_type{{"business_type":"{b.type}"}}',
                    }
                    for b in item.business_types
                ],
            )
            return [*events, SlotSet(SLOT_PENDING, self.question)]
        return [
            *events,
            SlotSet(SLOT_PENDING, None),
            *self.answer(dispatcher, tracker, render, ctx, item),
        ]

    @abstractmethod
    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """Answer the question about a resolved, active item."""


class ActionRequirements(ItemQuestion):
    """What documents an item needs, with time limit, fee and where to go."""

    question = "requirements"
    needs_business_type = True

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """List the documents of the chosen business type, and the practical facts."""
        btype = item.business_type(ctx.business_type) or item.business_types[0]
        limit = item.time_limit_for(btype.type)
        always = [d for d in btype.documents if d.required]
        dispatcher.utter_message(
            response="utter_requirements",
            item_label=render.item_label(item, ctx.sub_item_code),
            business_type=render.business_type_label(btype.type),
            documents=render.document_lines(always),
            conditional=render.conditional_block(d for d in btype.documents if not d.required),
            promised_days=limit.promised_days,
            statutory=render.statutory(limit.statutory_days),
            fee=render.fee(item.fee),
            window=item.window,
            where=render.where(ctx.services.catalog, item),
        )
        return []


class ActionTimeLimit(ItemQuestion):
    """How long an item takes (promised and statutory working days)."""

    question = "time_limit"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """State the time limit of the business type (or the item's)."""
        limit = item.time_limit_for(ctx.business_type)
        dispatcher.utter_message(
            response="utter_time_limit",
            item_label=render.item_label(item, ctx.sub_item_code),
            business_type=render.business_type_label(ctx.business_type),
            promised_days=limit.promised_days,
            statutory=render.statutory(limit.statutory_days),
            note=limit.note or "",
        )
        return []


class ActionFee(ItemQuestion):
    """What an item costs and why."""

    question = "fee"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """State the fee with its basis."""
        dispatcher.utter_message(
            response="utter_fee",
            item_label=render.item_label(item, ctx.sub_item_code),
            fee=render.fee(item.fee),
        )
        return []


class ActionLocation(ItemQuestion):
    """Where an item is accepted, with address, window and hours."""

    question = "location"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """Name the accepting offices; detail the person's office (or the city bureau)."""
        catalog = ctx.services.catalog
        accepting = catalog.accepting_offices(item)
        office = catalog.office(ctx.office_code)
        if office is None or office not in accepting:
            office = accepting[0] if len(accepting) == 1 else catalog.city_office()
            if office not in accepting:
                office = accepting[0]
        dispatcher.utter_message(
            response="utter_location",
            item_label=render.item_label(item, ctx.sub_item_code),
            where=render.where(catalog, item),
            office_line=render.office_line(office, item.window),
            hours=render.hours(office),
            buttons=[
                {"title": o.region, "payload": f'/choose_office{{"office_code":"{o.code}"}}'}
                for o in accepting
                if o.code != office.code
            ][:10],
        )
        return [SlotSet("pending_question", "location")]


class ActionProcess(ItemQuestion):
    """The steps of an item and who decides."""

    question = "process"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """List the process steps."""
        dispatcher.utter_message(
            response="utter_process",
            item_label=render.item_label(item, ctx.sub_item_code),
            steps=render.steps(item),
            authority=item.deciding_authority,
        )
        return []


class ActionCheckDocuments(ItemQuestion):
    """Compare what the person says they have with the item's list; say what is missing."""

    question = "check_documents"
    needs_business_type = True

    def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
    ) -> Events:
        """Record the documents mentioned first, so nothing said is lost while we ask."""
        said = read_possessions(ctx.text, ctx.services.matcher) if ctx.text else {}
        state = merge_state(tracker.get_slot(SLOT_DOCS), said)
        if ctx.text and not said and ctx.item is None:
            dispatcher.utter_message(response="utter_docs_none_recognized")
            return list(ctx.events)
        ctx.events.append(SlotSet(SLOT_DOCS, state))
        return super().respond(dispatcher, tracker, render, ctx)

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        render: Renderer,
        ctx: TurnContext,
        item: Item,
    ) -> Events:
        """Say exactly what is missing (with conditions), or that everything is there."""
        state: dict[str, Any] = {}
        for event in ctx.events:
            if event.get("name") == SLOT_DOCS:
                state = event["value"]
        btype = item.business_type(ctx.business_type) or item.business_types[0]
        result = check(btype.documents, state)
        common = {
            "item_label": render.item_label(item, ctx.sub_item_code),
            "business_type": render.business_type_label(btype.type),
            "conditional": render.conditional_block(result.conditional),
            "not_needed": render.fragment(
                "utter_fmt_not_needed", docs=render.join(result.not_needed)
            )
            if result.not_needed
            else "",
        }
        if result.complete:
            dispatcher.utter_message(
                response="utter_docs_complete",
                count=len(result.present),
                window=item.window,
                **common,
            )
        else:
            dispatcher.utter_message(
                response="utter_docs_missing",
                count=len(result.missing),
                missing=render.gap_lines(result.missing),
                **common,
            )
        return []


QUESTIONS: dict[str, type[ItemQuestion]] = {
    cls.question: cls
    for cls in (
        ActionRequirements,
        ActionTimeLimit,
        ActionFee,
        ActionLocation,
        ActionProcess,
        ActionCheckDocuments,
    )
}


class ActionResumeQuestion(CatalogAction):
    """Answer the pending question after a tap or a bare answer (item, business type, office).

    With nothing pending, a bare item name asks what the item needs.
    """

    action_name = "action_resume_question"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Run the pending question's flow with the values just given."""
        pending = tracker.get_slot(SLOT_PENDING) or "requirements"
        action = QUESTIONS.get(pending, ActionRequirements)()
        return action.act(dispatcher, tracker, domain, svc)
