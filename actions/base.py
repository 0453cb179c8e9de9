"""The base of every custom action: services resolved once, failures answered politely.

An exception inside an action would make the action server answer 500 and the person
would get silence; instead it is logged and the person is told to try again.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import DBAPIError

from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.services import Services, services

logger = logging.getLogger(__name__)
Events = list[dict[str, Any]]


class CatalogAction(Action, ABC):
    """An action that reads the catalog; subclasses implement :meth:`act`.

    Subclasses name themselves with ``action_name`` (or override :meth:`name`).
    """

    action_name: ClassVar[str] = ""

    def name(self) -> str:
        """The action's name in the domain."""
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Run :meth:`act` with the current catalog; answer politely on any failure."""
        try:
            return self.act(dispatcher, tracker, domain, services())
        except CatalogNotLoaded:
            dispatcher.utter_message(response="utter_catalog_unavailable")
        except DBAPIError:
            # Database unreachable: say so plainly; what is already booked is safe there.
            logger.warning("action %s: database unreachable", self.name())
            dispatcher.utter_message(response="utter_database_unavailable")
        except Exception:
            # Log the failure but not the message text: it may hold personal data.
            logger.exception("action %s failed (conversation %s)", self.name(), tracker.sender_id)
            dispatcher.utter_message(response="utter_internal_error")
        return []

    @abstractmethod
    def act(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        svc: Services,
    ) -> Events:
        """Do the action's work with the current catalog."""
