"""What the assistant says in a turn: responses of the domain with their values.

Every Chinese word the assistant says is in ``bot/domain/*.yml``; a :class:`Reply` names
a response and fills its variables, and the Rasa action hands it to Rasa's NLG. Lists of
variable length (documents, offices, steps) are composed from one-line fragment
responses by :class:`~chuangkou.dialogue.render.Renderer` first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Reply:
    """One bot message: a response name, its variables and buttons."""

    response: str
    values: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON form (kept in the state for "再说一遍")."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Reply:
        """Back from the state."""
        return cls(
            str(raw.get("response", "")),
            dict(raw.get("values") or {}),
            list(raw.get("buttons") or []),
        )


@dataclass
class Replies:
    """The replies of one turn, in order."""

    items: list[Reply] = field(default_factory=list)

    def say(
        self, response: str, buttons: list[dict[str, str]] | None = None, **values: Any
    ) -> Reply:
        """Add a reply."""
        reply = Reply(response, values, buttons or [])
        self.items.append(reply)
        return reply

    @property
    def names(self) -> list[str]:
        """The response names said so far."""
        return [r.response for r in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)
