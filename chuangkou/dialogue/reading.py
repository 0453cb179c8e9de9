"""Read everything one message says, once: items, offices, types, documents, time, name.

Phone, reference, picked options, and the cues of what the message asks are read too.

Nothing here decides what to answer (that is :mod:`.manager`); a :class:`Reading` is the
evidence. Rasa's intent is one piece of it, never the only one: a message naming a
catalog item is about that item whatever the classifier thought.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from chuangkou.booking.desk import plausible_name
from chuangkou.booking.records import REF_ALPHABET, REF_LENGTH
from chuangkou.booking.timeparse import TimeProblem, TimeRequest, parse_time_request
from chuangkou.catalog.doccheck import Possession, read_possessions
from chuangkou.catalog.matcher import ItemMatch, Matcher, Mention
from chuangkou.catalog.model import Catalog, Item, Referral
from chuangkou.dialogue.state import Option, State
from chuangkou.dialogue.turn import Turn
from chuangkou.dialogue.words import (
    MASKED_PHONE,
    Words,
    as_typed,
    name_after,
    name_runs,
    ordinal,
    strip_particles,
)
from common.folding import normalize, to_simplified

REF = re.compile(f"(?<![A-Z0-9])[{REF_ALPHABET}]{{{REF_LENGTH}}}(?![A-Z0-9])")
# Shortest words that name an item (or one of its sub-items) on their own; shorter ones
# ("年检", "头盔", "瓷砖") need this domain's vocabulary or a second word beside them.
ITEM_WORD_CHARS = 3
SUB_ITEM_WORD_CHARS = 4
# Question kinds and the intents that say them.
QUESTIONS = ("requirements", "time_limit", "fee", "location", "process", "docs_check")
QUESTION_INTENTS = {
    "ask_requirements": "requirements",
    "ask_time_limit": "time_limit",
    "ask_fee": "fee",
    "ask_location": "location",
    "ask_process": "process",
    "inform_documents": "docs_check",
}
# Confidence above which an intent counts as evidence on its own.
SURE = 0.55
# What people type when they mean nothing in particular: never evidence of anything.
_READ_LIMIT = 2000


_WORDS: dict[str, Words] = {}


def words_of(catalog: Catalog) -> Words:
    """The word lists of one catalog version (folded once per version)."""
    words = _WORDS.get(catalog.version)
    if words is None or not catalog.version:
        words = Words(catalog.lexicon)
        if len(_WORDS) > 8:
            _WORDS.clear()
        _WORDS[catalog.version] = words
    return words


@dataclass
class Reading:
    """The evidence of one message."""

    text: str
    key: str
    items: ItemMatch | None = None
    named_items: list[str] = field(default_factory=list)  # every item named outright
    offices: list[str] = field(default_factory=list)
    business_type: str | None = None
    business_types: list[str] = field(default_factory=list)  # every type the words name
    documents: dict[str, Possession] = field(default_factory=dict)
    time: TimeRequest | TimeProblem | None = None
    name: str | None = None
    phone: str | None = None  # sealed
    ref: str | None = None
    choice: Option | None = None
    cues: set[str] = field(default_factory=set)
    questions: list[str] = field(default_factory=list)
    referral: Referral | None = None
    referral_covers: bool = False  # the referral's word holds every item word
    applicant: str | None = None
    agent: bool | None = None
    surface_is_cue: bool = False  # every item word was a complaint cue ("投诉")
    # The item words are evidence enough on their own (see _enough_evidence).
    evidence: bool = True

    @property
    def item(self) -> str | None:
        """The one item the message is clearly about."""
        best = self.items.best if self.items else None
        return best.item_code if best else None

    @property
    def sub_item(self) -> str | None:
        """The sub-item it named, with its item."""
        best = self.items.best if self.items else None
        return best.sub_item_code if best else None

    @property
    def strong_item(self) -> bool:
        """Whether the item was named outright, with evidence enough.

        Named: by a name, alias, sub-item or one typo; evidence: see ``evidence``.
        """
        best = self.items.best if self.items else None
        return best is not None and best.via in ("name", "sub_item", "typo") and self.evidence

    @property
    def item_is_cue(self) -> bool:
        """Whether the item was only named by a word that is a complaint cue ("投诉")."""
        best = self.items.best if self.items else None
        return best is not None and "complaint" in self.cues and self.surface_is_cue

    @property
    def candidates(self) -> list[str]:
        """Items to offer when the message fits several."""
        if not self.items or not self.items.ambiguous:
            return []
        return [c.item_code for c in self.items.candidates]

    def take(self, choice: Option) -> None:
        """An offered option picked (tapped, typed or by position).

        A fact it names counts as said: buttons of an earlier answer stay on the screen
        and people use them later.
        """
        self.choice = choice
        if choice.kind == "business_type":
            self.business_type = choice.value
        elif choice.kind == "applicant":
            self.applicant = choice.value
        elif choice.kind == "agent":
            self.agent = choice.value == "yes"

    def says(self, *cues: str) -> bool:
        """Whether any of these cue lists matched."""
        return any(c in self.cues for c in cues)


def _business_types(key: str, matcher: Matcher, words: Words) -> list[str]:
    """Every business type the message implies or names, implied first.

    What the words imply beats a type's name: "都没登记过，现在补办使用登记" is a first
    registration made late, not the reissue 补办 names.
    """
    named = matcher.targets(key, "business_type")
    implied = [name[3:] for name in words.lists if name.startswith("bt_") and words.has(name, key)]
    return list(dict.fromkeys([*implied, *named]))


def _business_type(types: list[str], item: Item | None) -> str | None:
    """The first of them the item has (any, when no item is known)."""
    for btype in types:
        if item is None or item.business_type(btype) is not None:
            return btype
    return None


def _enough_evidence(
    reading: Reading, mentions: list[Mention], catalog: Catalog, state: State
) -> bool:
    """Whether the words naming the best item show the message is about it.

    Lexical overlap alone must not resolve an item: "车子年检" is a car's inspection,
    "不戴头盔罚多少" is traffic, though 年检 and 头盔 are catalog words. Enough is this
    domain's vocabulary in the message, an item name or alias of three or more
    characters, a sub-item name of four or more, two words for the same item, or an
    answer to our own question about which item.
    """
    best = reading.items.best if reading.items else None
    if best is None and reading.items is not None and reading.items.candidates:
        best = reading.items.candidates[0]  # several fit: is any of them evidenced?
    if best is None or "domain" in reading.cues:
        return True
    if state.asking == "item" or (state.booking is not None and state.booking.asked == "item"):
        return True
    if best.via == "typo":
        return True  # a typo of a word of three or more characters
    supporting = [m for m in mentions if _supports(m, best.item_code, catalog)]
    if len({m.surface for m in supporting}) >= 2:
        return True
    for m in supporting:
        item_level = any(k == "item" and t == best.item_code for k, t in m.targets)
        if len(m.surface) >= (ITEM_WORD_CHARS if item_level else SUB_ITEM_WORD_CHARS):
            return True
    return False


def _supports(mention: Mention, code: str, catalog: Catalog) -> bool:
    item = catalog.item(code)
    for kind, target in mention.targets:
        if kind == "item" and target == code:
            return True
        if kind == "sub_item" and item is not None and item.sub_item(target) is not None:
            return True
    return False


def _only_in_documents(items: list[Mention], every: list[Mention]) -> bool:
    """Whether every item mention lies inside a longer document mention."""
    documents = [m for m in every if m.family == "document"]
    return all(
        any(d.start <= m.start and m.end <= d.end and d.length > m.length for d in documents)
        for m in items
    )


def _referral(key: str, catalog: Catalog) -> tuple[Referral, str] | None:
    """The department whose words the message uses, and the word (the longest wins)."""
    best: tuple[Referral, str] | None = None
    for ref in catalog.referrals:
        for word in ref.words:
            folded = normalize(word)
            if folded and folded in key and (best is None or len(folded) > len(best[1])):
                best = (ref, folded)
    return best


def _choice(text: str, key: str, state: State, words: Words) -> Option | None:
    """An offered option the message picks: by position, or its title typed."""
    if not state.offer:
        return None
    for option in state.offer:
        title = normalize(option.title)
        if title and (key == title or (len(title) >= 4 and title in key)):
            return option
    index = ordinal(text, words)
    if index is not None and -len(state.offer) <= index < len(state.offer):
        return state.offer[index]
    return None


# Word lists whose words are never part of a name, taken out before names are looked for.
_NOT_NAME_LISTS = (
    "not_names",
    "correction",
    "field_time",
    "field_office",
    "field_name",
    "field_phone",
    "affirm",
    "deny",
    "name_intro",
    "booking_request",
    "abort_booking",
    "repeat",
    "restart",
)


def _leftover(text: str, words: Words, matcher: Matcher) -> str:
    """The text without numbers, catalog names and conversation words: what a name can be."""
    plain = MASKED_PHONE.sub(" ", to_simplified(text))
    for mention in matcher.mentions(plain):
        plain = plain.replace(mention.surface, " ")
    for name in _NOT_NAME_LISTS:
        for word in words.of(name):
            if len(word) >= 2:
                plain = plain.replace(word, " ")
    return re.sub(r"[0-9０-９:：点号月日天周]", " ", plain)


def _name(text: str, state: State, words: Words, matcher: Matcher, has_phone: bool) -> str | None:
    """A name the message gives: introduced, next to a phone, or the answer when asked."""
    stops = (
        *words.of("not_names"),
        *words.of("correction"),
        "麻烦",
        "谢谢",
        "手机",
        "电话",
        "号码",
        "预约",
        "我的",
        "写",
        "错",
        "有误",
        "不对",
    )
    introduced = name_after(text, (*words.of("name_intro"), "俺叫", "我姓名"), stops)
    if introduced:
        return introduced
    asked = state.booking is not None and state.booking.asked == "name"
    if not (asked or has_phone):
        return None
    runs = [
        r
        for r in name_runs(_leftover(text, words, matcher))
        if normalize(r) not in words.of("not_names")
    ]
    runs = [r for r in runs if plausible_name(r)]
    if asked and len(runs) == 1:
        return strip_particles(runs[0]) if not runs[0].isascii() else runs[0]
    if has_phone and runs:
        # "张伟，138****4567": the words left beside the number.
        short = [r for r in runs if len(r) <= 4 or r.isascii()]
        return short[0] if len(short) == 1 else None
    return None


def read(turn: Turn, state: State, catalog: Catalog, matcher: Matcher) -> Reading:
    """Read one turn against the conversation's memory.

    Args:
        turn: What arrived.
        state: What the conversation remembers (for choices and the day in discussion).
        catalog: The current catalog.
        matcher: Its matcher.

    Returns:
        The evidence.
    """
    text = turn.text[:_READ_LIMIT]
    key = normalize(text)
    words = words_of(catalog)
    reading = Reading(text=text, key=key, phone=turn.sealed_phone)
    if not key:
        return reading
    reading.cues = {name for name in words.lists if words.has(name, key)}
    items = matcher.match_items(text)
    reading.items = items if items.candidates else None
    mentions = matcher.item_mentions(text)
    if mentions and _only_in_documents(mentions, matcher.mentions(text)):
        # "特种设备使用登记证我还没准备", "送检委托单我有了": a document, not an item; the
        # item is the one under discussion, or one whose list holds the document.
        reading.items, mentions = None, []
    reading.evidence = _enough_evidence(reading, mentions, catalog, state)
    complaint_words = set(words.of("complaint"))
    reading.surface_is_cue = bool(mentions) and all(m.surface in complaint_words for m in mentions)
    named = [t for m in mentions for k, t in sorted(m.targets) if k == "item"]
    reading.named_items = [t for t in dict.fromkeys(named) if catalog.item(t) is not None]
    reading.offices = matcher.targets(text, "office")
    context_item = catalog.item(reading.item or state.item)
    reading.business_types = _business_types(key, matcher, words)
    reading.business_type = _business_type(reading.business_types, context_item)
    reading.documents = read_possessions(text, matcher)
    ref = REF.search(to_simplified(text).upper())
    reading.ref = ref.group(0) if ref else None
    picked = _choice(text, key, state, words)
    name = _name(text, state, words, matcher, turn.sealed_phone is not None)
    reading.name = as_typed(name, text) if name else None
    reading.questions = [q for q in QUESTIONS if f"q_{q}" in reading.cues]
    intent_q = QUESTION_INTENTS.get(turn.intent)
    if intent_q and intent_q not in reading.questions and turn.confidence >= SURE:
        reading.questions.append(intent_q)
    if "requirements" in reading.questions and (
        "docs_check" in reading.questions or reading.documents
    ):
        # "还缺什么材料", "委托单还没得，要准备啥": the check names what is missing (and
        # what they said they have); the bare list would repeat it.
        reading.questions = [q for q in reading.questions if q != "requirements"]
        if "docs_check" not in reading.questions:
            reading.questions.insert(0, "docs_check")
    found = _referral(key, catalog)
    reading.referral = found[0] if found else None
    # "加装电梯…": the other department's word holds every word that named our item.
    reading.referral_covers = found is not None and all(m.surface in found[1] for m in mentions)
    if "applicant_firm" in reading.cues:
        reading.applicant = "企业"
    elif "applicant_person" in reading.cues:
        reading.applicant = "个人"
    if "agent_yes" in reading.cues:
        reading.agent = True
    elif "agent_no" in reading.cues:
        reading.agent = False
    if picked is not None:
        reading.take(picked)
    return reading


def read_time(reading: Reading, now: datetime, context: date | None) -> TimeRequest | TimeProblem:
    """The day and time the message asks for (a bare time means the day in discussion).

    Phone numbers (masked) and booking references are taken out first: their digits are
    not a date.
    """
    if reading.time is None:
        text = MASKED_PHONE.sub(" ", reading.text)
        if reading.ref:
            text = re.sub(reading.ref, " ", text, flags=re.IGNORECASE)
        reading.time = parse_time_request(text, now, context_day=context)
    return reading.time
