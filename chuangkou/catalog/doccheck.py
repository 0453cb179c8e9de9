"""Read which documents a person says they have or lack, and compare with an item's list.

"我有营业执照和身份证，还差委托书", "执照带了，法人身份证没带", "营业执照只有复印件":
the text is cut into clauses, documents and original/copy words are found with the
catalog matcher, and each document takes the polarity of the have/lack cue next to it.
Cues, forms and clause breaks come from the catalog's lexicon, not from code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chuangkou.catalog.matcher import Matcher, Mention
from chuangkou.catalog.model import DocumentRequirement, Lexicon
from common.folding import normalize, to_simplified

NEEDS_ORIGINAL = ("原件", "原件及复印件")
NEEDS_COPY = ("复印件", "原件及复印件")
# A cue this close after a document (in characters) is about that document ("执照都带了").
POST_CUE_REACH = 2


@dataclass(frozen=True)
class Possession:
    """What a person said about one document."""

    name: str
    has: bool
    forms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    positive: bool


@dataclass
class _Doc:
    mention: Mention
    name: str
    polarity: bool | None = None
    from_post: bool = False
    forms: set[str] = field(default_factory=set)


def _clauses(text: str, lexicon: Lexicon) -> list[str]:
    parts = [to_simplified(text)]
    for brk in sorted(lexicon.clause_breaks, key=len, reverse=True):
        parts = [piece for part in parts for piece in part.split(brk)]
    return [key for key in (normalize(p) for p in parts) if key]


def _cues(clause: str, blocked: set[int], lexicon: Lexicon) -> list[_Cue]:
    words = sorted(
        [(w, False) for w in lexicon.negation_cues] + [(w, True) for w in lexicon.positive_cues],
        key=lambda wp: -len(wp[0]),
    )
    found: list[_Cue] = []
    i = 0
    while i < len(clause):
        if i in blocked:
            i += 1
            continue
        for word, positive in words:
            key = normalize(word)
            if key and clause.startswith(key, i) and not blocked & set(range(i, i + len(key))):
                found.append(_Cue(i, i + len(key), positive))
                i += len(key)
                break
        else:
            i += 1
    return found


def _read_clause(clause: str, matcher: Matcher) -> list[_Doc]:
    mentions = matcher.mentions(clause, normalized=True)
    mentions = sorted(
        mentions + matcher.document_typos(clause, mentions), key=lambda m: (m.start, -m.end)
    )
    items = [m for m in mentions if m.family == "item"]
    obtain = tuple(normalize(w) for w in matcher.catalog.lexicon.words.get("obtain", ()))
    # A document's name inside a longer item name ("特种设备作业人员证复审") is the item;
    # one right after 办/申领 is what the person applies for.
    docs = [
        _Doc(m, sorted(t for k, t in m.targets if k == "document")[0])
        for m in mentions
        if m.family == "document"
        and not any(i.start <= m.start and m.end <= i.end and i.length > m.length for i in items)
        and not any(w and clause.endswith(w, 0, m.start) for w in obtain)
    ]
    # An original/copy word inside a document's name ("现场照片") is part of the name.
    forms = [
        m
        for m in mentions
        if m.family == "form"
        and not any(d.mention.start <= m.start and m.end <= d.mention.end for d in docs)
    ]
    blocked = {
        i for m in mentions if m.family in ("document", "form") for i in range(m.start, m.end)
    }
    cues = _cues(clause, blocked, matcher.catalog.lexicon)
    # A cue right before an original/copy word speaks of that form ("没有原件"), not the document.
    form_cues = {id(c) for c in cues for f in forms if c.end == f.start}
    for form in forms:
        owner = max(
            (d for d in docs if d.mention.end <= form.start),
            key=lambda d: d.mention.start,
            default=min(docs, key=lambda d: d.mention.start, default=None),
        )
        before = [c for c in cues if c.end == form.start]
        if owner is not None and not (before and not before[-1].positive):
            owner.forms.update(t for _, t in form.targets)
    # "还差啥", "还缺哪些": a cue followed by a question word asks; it says nothing of
    # the documents before it.
    asking = tuple(normalize(w) for w in matcher.catalog.lexicon.words.get("asking", ()))
    doc_cues = [
        c
        for c in cues
        if id(c) not in form_cues
        and not (not c.positive and any(clause.startswith(w, c.end) for w in asking if w))
    ]
    consumed: set[int] = set()
    for index, doc in enumerate(docs):
        lo = docs[index - 1].mention.end if index else 0
        hi = docs[index + 1].mention.start if index + 1 < len(docs) else len(clause)
        pre = [
            c
            for c in doc_cues
            if lo <= c.start and c.end <= doc.mention.start and id(c) not in consumed
        ]
        post = [c for c in doc_cues if doc.mention.end <= c.start and c.end <= hi]
        last = index + 1 == len(docs)
        if pre:
            doc.polarity = pre[-1].positive
        elif post and (last or post[0].start - doc.mention.end <= POST_CUE_REACH):
            doc.polarity, doc.from_post = post[0].positive, True
            consumed.add(id(post[0]))
    # "营业执照和身份证都没带": an unmarked document shares the cue of the group it is in.
    for index, doc in enumerate(docs):
        if doc.polarity is not None:
            continue
        following = next(
            (d for d in docs[index + 1 :] if d.polarity is not None and d.from_post), None
        )
        preceding = next((d for d in reversed(docs[:index]) if d.polarity is not None), None)
        source = following or preceding
        doc.polarity = source.polarity if source else True
    return docs


def read_possessions(text: str, matcher: Matcher) -> dict[str, Possession]:
    """What a message says the person has or lacks, by canonical document name.

    Args:
        text: The user's message.
        matcher: The matcher of the current catalog.

    Returns:
        One entry per document mentioned; a later mention overrides an earlier one.
    """
    result: dict[str, Possession] = {}
    for clause in _clauses(text, matcher.catalog.lexicon):
        for doc in _read_clause(clause, matcher):
            result[doc.name] = Possession(doc.name, bool(doc.polarity), frozenset(doc.forms))
    return result


def merge_state(state: Mapping[str, Any] | None, new: Mapping[str, Possession]) -> dict[str, Any]:
    """Fold new statements into the conversation's JSON state (kept in a slot).

    Args:
        state: The previous state: ``{name: {"has": bool, "forms": [..]}}``.
        new: What the latest message said.

    Returns:
        The new state; the latest statement about a document wins.
    """
    merged: dict[str, Any] = {k: dict(v) for k, v in (state or {}).items() if isinstance(v, dict)}
    for name, pos in new.items():
        merged[name] = {"has": pos.has, "forms": sorted(pos.forms)}
    return merged


@dataclass(frozen=True)
class Gap:
    """A required document that is still missing, and why."""

    requirement: DocumentRequirement
    reason: str  # absent | lacking | need_original | need_copy


@dataclass(frozen=True)
class CheckResult:
    """How a person's documents compare with an item's list."""

    missing: tuple[Gap, ...]
    conditional: tuple[DocumentRequirement, ...]
    present: tuple[DocumentRequirement, ...]
    not_needed: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every always-required document is there in the right form."""
        return not self.missing


def check(requirements: tuple[DocumentRequirement, ...], state: Mapping[str, Any]) -> CheckResult:
    """Compare a document list with what the person has.

    Args:
        requirements: The item's documents for the chosen business type.
        state: The conversation's document state (see :func:`merge_state`).

    Returns:
        What is missing (with the reason), conditional documents not yet mentioned,
        what is present, and mentioned documents this item does not need.
    """
    missing: list[Gap] = []
    conditional: list[DocumentRequirement] = []
    present: list[DocumentRequirement] = []
    for req in requirements:
        entry = state.get(req.name)
        if isinstance(entry, dict) and entry.get("has"):
            forms = set(entry.get("forms") or ())
            if forms and req.form in NEEDS_ORIGINAL and "原件" not in forms:
                missing.append(Gap(req, "need_original"))
            elif forms and req.form in NEEDS_COPY and "复印件" not in forms:
                missing.append(Gap(req, "need_copy"))
            else:
                present.append(req)
        elif req.required:
            said_lacking = isinstance(entry, dict) and entry.get("has") is False
            missing.append(Gap(req, "lacking" if said_lacking else "absent"))
        else:
            conditional.append(req)
    wanted = {r.name for r in requirements}
    extra = tuple(
        sorted(
            n for n, e in state.items() if n not in wanted and isinstance(e, dict) and e.get("has")
        )
    )
    return CheckResult(tuple(missing), tuple(conditional), tuple(present), extra)
