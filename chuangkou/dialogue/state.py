"""What a conversation remembers between turns, as one JSON value.

The whole state travels in one Rasa slot (``dialogue_state``, not featurised): the engine
keeps it in its tracker store, the action server reads it, changes it and sets it again.
Everything here is plain data (strings, numbers, lists, dicts) with defaults, so an old or
partial state reads back safely.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# What the assistant asked last, that a bare answer refers to.
ASK_ITEM = "item"  # which item (candidates offered)
ASK_BUSINESS_TYPE = "business_type"
ASK_APPLICANT = "applicant"  # 企业 or 个人
ASK_AGENT = "agent"  # applying for someone else?
ASK_OFFICE = "office"  # which office (a question about an office)
ASK_DROP = "drop_booking"  # drop the booking in progress for another request?
ASK_FIX = "which_fix"  # at the summary: what should change?


@dataclass
class Option:
    """One offered choice: what the person sees, and what it means."""

    title: str
    value: str
    kind: str  # slot | office | item | business_type | fix | applicant | agent | question


@dataclass
class Draft:
    """A booking in progress. Values are codes and labels; the phone only sealed."""

    item: str | None = None
    sub_item: str | None = None
    office: str | None = None
    day: str | None = None  # the day under discussion (ISO), for bare times like "9点"
    slot: str | None = None  # "YYYY-MM-DD HH:MM"
    name: str | None = None
    phone_masked: str | None = None
    phone_sealed: str | None = None
    token: str | None = None  # set when the summary was shown; the idempotency key part
    asked: str | None = None  # the field asked last

    def missing(self) -> str | None:
        """The next field to ask for, in the order a window needs them."""
        for name in ("item", "office", "slot", "name", "phone_masked"):
            if getattr(self, name) is None:
                return name
        return None


@dataclass
class Manage:
    """Checking, cancelling or moving an existing booking."""

    op: str = "check"  # check | cancel | reschedule
    ref: str | None = None
    phone_sealed: str | None = None
    failures: int = 0
    new_slot: str | None = None  # a reschedule shown and waiting for a yes
    day: str | None = None


@dataclass
class State:
    """The conversation's memory."""

    item: str | None = None  # the item under discussion
    sub_item: str | None = None
    business_type: str | None = None
    office: str | None = None
    question: str | None = None  # the kind of question asked last (for "那条形码呢")
    applicant: str | None = None  # 企业 | 个人
    agent: bool | None = None
    facts_asked: list[str] = field(default_factory=list)  # asked once; not asked again
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # what is held
    asking: str | None = None  # ASK_* the last reply asked
    resume: str | None = None  # the question to answer once the ask is answered
    candidates: list[str] = field(default_factory=list)  # item codes offered
    offer: list[Option] = field(default_factory=list)  # the last offered choices
    booking: Draft | None = None
    manage: Manage | None = None
    stash: dict[str, Any] | None = None  # a request waiting for "drop the booking?"
    misses: int = 0  # turns in a row the assistant did not understand
    last: list[dict[str, Any]] = field(default_factory=list)  # the last replies, for 再说一遍
    turns: int = 0

    def to_json(self) -> dict[str, Any]:
        """The state as JSON (what the slot holds)."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> State:
        """Read a stored state; anything missing or malformed falls back to the default."""
        if not isinstance(raw, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in raw.items() if k in known}
        try:
            state = cls(**data)
            state.offer = [Option(**o) for o in raw.get("offer") or [] if isinstance(o, dict)]
            state.booking = _sub(Draft, raw.get("booking"))
            state.manage = _sub(Manage, raw.get("manage"))
            state.docs = {str(k): dict(v) for k, v in (raw.get("docs") or {}).items()}
        except (TypeError, ValueError, AttributeError):
            return cls()
        return state


def _sub(kind: type[Any], raw: Any) -> Any:
    if not isinstance(raw, dict):
        return None
    known = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in raw.items() if k in known})
