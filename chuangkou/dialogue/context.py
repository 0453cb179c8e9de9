"""Everything one turn works with: services, the turn, the memory, the reading, the replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chuangkou.booking.desk import Desk
from chuangkou.catalog.model import Catalog, Item, Office
from chuangkou.catalog.requirements import Facts
from chuangkou.dialogue.reading import Reading, words_of
from chuangkou.dialogue.render import Renderer
from chuangkou.dialogue.replies import Replies
from chuangkou.dialogue.state import Option, State
from chuangkou.dialogue.turn import Turn, choose
from chuangkou.dialogue.words import Words
from chuangkou.services import Services


@dataclass
class Ctx:
    """One turn in progress."""

    svc: Services
    turn: Turn
    state: State
    reading: Reading
    render: Renderer
    replies: Replies = field(default_factory=Replies)
    # Set when the turn was understood as something; a turn that leaves it False counts
    # as a miss (two in a row offer the human window).
    understood: bool = False

    @property
    def catalog(self) -> Catalog:
        """The current catalog."""
        return self.svc.catalog

    @property
    def desk(self) -> Desk:
        """The booking desk."""
        return self.svc.desk

    @property
    def words(self) -> Words:
        """The conversation's word lists."""
        return words_of(self.svc.catalog)

    def item(self, code: str | None = None) -> Item | None:
        """An item by code; the one under discussion when no code is given."""
        return self.catalog.item(code or self.state.item)

    def office(self, code: str | None = None) -> Office | None:
        """An office by code; the one under discussion when no code is given."""
        return self.catalog.office(code or self.state.office)

    def facts(self, item: Item) -> Facts:
        """What is known about this person's case, for resolving document lists."""
        sub = self.state.sub_item if item.sub_item(self.state.sub_item) else None
        return Facts(sub_item=sub, applicant=self.state.applicant, agent=self.state.agent)

    def say(
        self, response: str, buttons: list[dict[str, str]] | None = None, **values: Any
    ) -> None:
        """Add a reply and count the turn as understood."""
        self.replies.say(response, buttons, **values)
        self.understood = True

    def offer(self, options: list[Option]) -> list[dict[str, str]]:
        """Remember these choices for "第一个"/typed titles and return them as buttons."""
        self.state.offer = options
        return [{"title": o.title, "payload": choose(o.kind, o.value)} for o in options]
