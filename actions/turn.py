"""The one action: every turn goes to the conversation (chuangkou.dialogue) and back.

Rasa classified the intent; this adapter reads the turn from the tracker (text, intent
ranking, the sealed phone the channel put in the metadata), lets
:class:`~chuangkou.dialogue.manager.Dialogue` decide, sends its replies by response name
(the words are the domain's) and stores the conversation's memory in one slot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CatalogAction, Events
from chuangkou.dialogue.manager import Dialogue
from chuangkou.dialogue.state import State
from chuangkou.dialogue.turn import Turn, read_payload
from chuangkou.services import Services

STATE_SLOT = "dialogue_state"


def turn_of(tracker: Tracker, now: datetime) -> Turn:
    """The turn the tracker's latest message is, at local time ``now``."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    payload = read_payload(text) if text.startswith("/") else None
    ranking = message.get("intent_ranking") or []
    if not ranking and message.get("intent"):
        ranking = [message["intent"]]
    intents = tuple(
        (str(r.get("name") or ""), float(r.get("confidence") or 0.0))
        for r in ranking
        if isinstance(r, dict)
    )
    metadata = message.get("metadata") or {}
    sealed = metadata.get("sealed_phone") if isinstance(metadata, dict) else None
    return Turn(
        text="" if payload is not None else text,
        payload=payload,
        intents=intents,
        sealed_phone=sealed if isinstance(sealed, str) else None,
        sender=str(tracker.sender_id),
        channel=str(tracker.get_latest_input_channel() or "rest")[:20],
        now=now,
    )


class ActionTurn(CatalogAction):
    """Answer one turn; the conversation's memory goes back into its slot."""

    action_name = "action_turn"

    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Hand the turn to the dialogue and its replies to Rasa."""
        state = State.from_json(tracker.get_slot(STATE_SLOT))
        replies, state = Dialogue(svc).handle(turn_of(tracker, svc.now()), state)
        for reply in replies:
            dispatcher.utter_message(
                response=reply.response, buttons=reply.buttons or None, **reply.values
            )
        return [SlotSet(STATE_SLOT, state.to_json())]
