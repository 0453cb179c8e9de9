"""Which documents apply to one person: an item's list resolved with what is known.

A document line is always needed (``required``), needed when its decidable condition
holds (``when``: the sub-item, the applicant type, an agent applying on someone's
behalf), or needed in a case only described in words (``condition`` without ``when``).
:func:`resolve` sorts the lines by what the facts decide, and names the one fact whose
answer would decide the most of the rest, so the assistant asks at most one short
question. The chat answer, the kiosk checklist and the booking confirmation all use it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from chuangkou.catalog.model import BusinessType, DocumentRequirement, When

APPLICANTS = ("企业", "个人")


@dataclass(frozen=True)
class Facts:
    """What is known about the applicant and the case (None: not known)."""

    sub_item: str | None = None
    applicant: str | None = None
    agent: bool | None = None


@dataclass(frozen=True)
class Resolved:
    """An item's documents for one person.

    Attributes:
        needed: Lines that apply for sure (required, or their condition holds).
        undecided: Lines whose condition is unknown or only described in words.
        ask: The fact (``applicant``, ``agent``, ``sub_item``) that would decide the
            most undecided lines, or None when none would.
    """

    needed: tuple[DocumentRequirement, ...]
    undecided: tuple[DocumentRequirement, ...]
    ask: str | None

    @property
    def to_bring(self) -> tuple[DocumentRequirement, ...]:
        """Needed lines a person brings (免提交 ones are checked online or held already)."""
        return tuple(d for d in self.needed if not d.not_submitted)

    @property
    def not_submitted(self) -> tuple[DocumentRequirement, ...]:
        """Needed lines nobody brings: checked online or already held by the government."""
        return tuple(d for d in self.needed if d.not_submitted)


def _holds(when: When, facts: Facts) -> bool | None:
    """True / False when the facts decide the condition, None when one is unknown."""
    results: list[bool | None] = []
    if when.sub_items:
        results.append(None if facts.sub_item is None else facts.sub_item in when.sub_items)
    if when.applicant is not None:
        results.append(None if facts.applicant is None else facts.applicant == when.applicant)
    if when.agent is not None:
        results.append(None if facts.agent is None else facts.agent == when.agent)
    if any(r is False for r in results):
        return False
    if any(r is None for r in results):
        return None
    return True


def _unknown_facts(when: When, facts: Facts) -> list[str]:
    unknown = []
    if when.sub_items and facts.sub_item is None:
        unknown.append("sub_item")
    if when.applicant is not None and facts.applicant is None:
        unknown.append("applicant")
    if when.agent is not None and facts.agent is None:
        unknown.append("agent")
    return unknown


def resolve(btype: BusinessType, facts: Facts) -> Resolved:
    """Resolve a business type's document list with the known facts.

    Args:
        btype: The business type (its documents).
        facts: What is known.

    Returns:
        The needed and undecided lines, and the fact worth asking.
    """
    needed: list[DocumentRequirement] = []
    undecided: list[DocumentRequirement] = []
    deciders: Counter[str] = Counter()
    for doc in btype.documents:
        if doc.required:
            needed.append(doc)
            continue
        if doc.when is None:
            undecided.append(doc)
            continue
        holds = _holds(doc.when, facts)
        if holds is True:
            needed.append(doc)
        elif holds is None:
            undecided.append(doc)
            deciders.update(_unknown_facts(doc.when, facts))
    # Whom the person applies for is asked before whether they are sent: it usually
    # decides more lines, and people answer it in a word.
    order = {"applicant": 0, "agent": 1, "sub_item": 2}
    ask = min(deciders, key=lambda f: (-deciders[f], order[f])) if deciders else None
    return Resolved(tuple(needed), tuple(undecided), ask)
