"""Goals of simulated citizens, sampled from the catalog and the free slots.

Only goals the system can satisfy are drawn: an active item, an office that accepts it, a
slot that is free, on a working day, within the booking horizon and far enough from now.
Each goal has its own seed (from the run's seed and its index), so a run is repeatable.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol

from bench.simulator.grammar import COLLOQUIAL_CLAUSES, COLLOQUIAL_ITEMS, GIVEN, SURNAMES
from bench.simulator.scoring import ExpectedDocs, expected_missing
from bench.simulator.styles import STYLE_NAMES, STYLES
from bench.simulator.surface import to_traditional
from bench.simulator.world import CatalogView, FreeSlot, ItemView, OfficeView

# A slot must start at least this much later than the bot's minimum lead, so that it is
# still bookable when the person gets to say it.
SAFETY = timedelta(minutes=45)
SlotKey = tuple[str, str, date, time]


class SlotSource(Protocol):
    """Where free slots come from (the :class:`~bench.simulator.world.World`)."""

    horizon_days: int
    min_lead: timedelta

    def free_slots(self, office_code: str, window: str, now: datetime) -> list[FreeSlot]:
        """Free slots of a window from now to the end of the horizon."""
        ...

    def phone_taken(self, phone: str) -> bool:
        """Whether a booking already uses this phone number (an earlier run's)."""
        ...


@dataclass(frozen=True)
class Correction:
    """One wrong value the person gives first and corrects later.

    Attributes:
        field: office, time, name or phone (booking); btype, doc_lacks or doc_has (docs).
        wrong: The wrong value (an office code, ``YYYY-MM-DD HH:MM``, a name, a phone,
            a business type, or a document name).
        moment: ``next_turn`` (right after) or ``summary`` (when the summary shows it).
    """

    field: str
    wrong: str
    moment: str


@dataclass(frozen=True)
class BookingGoal:
    """Book a slot for an item at an office, under a name and a mobile number."""

    index: int
    seed: str
    style: str
    item_code: str
    item_name: str
    item_ref: str
    item_ref_kind: str  # canonical | alias | colloquial | clause
    item_np: str  # a noun phrase for templates like "办{item}" (item_ref unless a clause)
    window: str
    business_type: str | None
    office_code: str
    office_name: str
    office_ref: str
    day: date
    start: time
    vague: bool  # only the day and half-day are said; the slot is picked from buttons
    name: str
    phone: str
    correction: Correction | None = None
    kind: Literal["booking"] = "booking"

    @property
    def slot_label(self) -> str:
        """``2026-12-10 09:30``."""
        return f"{self.day.isoformat()} {self.start.strftime('%H:%M')}"

    @property
    def slot_key(self) -> SlotKey:
        """The planned slot, as the ledger keys it."""
        return (self.office_code, self.window, self.day, self.start)


@dataclass(frozen=True)
class DocGoal:
    """Learn which documents are still missing for an item's business type."""

    index: int
    seed: str
    style: str
    item_code: str
    item_name: str
    item_ref: str
    item_ref_kind: str
    item_np: str
    business_type: str
    say_business_type: bool  # in the first message (else only when asked)
    held: tuple[str, ...]  # canonical names of the documents the person has
    held_refs: tuple[str, ...]  # how the person names them
    lacking: tuple[str, ...]  # required documents the person says they lack
    lacking_refs: tuple[str, ...]
    expected: ExpectedDocs  # the missing-document list a correct report gives
    correction: Correction | None = None
    kind: Literal["docs"] = "docs"

    def ref(self, doc: str) -> str:
        """How the person names a document."""
        pairs = (
            *zip(self.held, self.held_refs, strict=True),
            *zip(self.lacking, self.lacking_refs, strict=True),
        )
        for name, ref in pairs:
            if name == doc:
                return ref
        return doc


Goal = BookingGoal | DocGoal


class SlotLedger:
    """Seats promised to dialogues still running, so two goals never want the last seat."""

    def __init__(self) -> None:
        """An empty ledger."""
        self._held: Counter[SlotKey] = Counter()
        self._lock = threading.Lock()

    def reserved(self, key: SlotKey) -> int:
        """Seats of a slot promised to running dialogues."""
        with self._lock:
            return self._held[key]

    def reserve(self, key: SlotKey) -> None:
        """Promise one seat."""
        with self._lock:
            self._held[key] += 1

    def release(self, key: SlotKey) -> None:
        """A dialogue ended: its seat is no longer promised."""
        with self._lock:
            self._held[key] -= 1
            if self._held[key] <= 0:
                del self._held[key]


def _words_of_other_items(catalog: CatalogView, item: ItemView) -> set[str]:
    words: set[str] = set()
    for other in catalog.items:
        if other.code != item.code:
            words.add(other.name)
            words.update(other.aliases)
    return words


def item_refs(catalog: CatalogView, item: ItemView) -> dict[str, list[str]]:
    """Ways to name an item: its name, its unambiguous aliases, colloquial descriptions.

    An alias that another item also uses, or that is a business-type word ("年检" is an
    alias and a kind of 检定), is left out: a person saying it means two things.

    Args:
        catalog: The catalog.
        item: The item.

    Returns:
        Kind → phrases: canonical, alias, colloquial (noun phrases that fit "办{item}")
        and clause (a sentence of its own: "公司叉车要上牌").
    """
    taken = _words_of_other_items(catalog, item)
    type_words = set(catalog.business_type_aliases)
    for words in catalog.business_type_aliases.values():
        type_words.update(words)
    aliases = [a for a in item.aliases if a not in taken and a not in type_words and len(a) > 1]
    out = {
        "canonical": [item.name],
        "alias": aliases,
        "colloquial": list(COLLOQUIAL_ITEMS.get(item.code, ())),
        "clause": list(COLLOQUIAL_CLAUSES.get(item.code, ())),
    }
    return {k: v for k, v in out.items() if v}


def office_refs(office: OfficeView) -> list[str]:
    """Ways to name an office: full name, aliases, region."""
    return list(dict.fromkeys([office.name, *office.aliases, office.region]))


def doc_refs(catalog: CatalogView, doc: str) -> list[str]:
    """Ways to name a document: its canonical name and its aliases.

    Aliases that are also have/lack cues or original/copy words ("照片" is a copy word)
    or that name an item are left out.
    """
    item_words = {i.name for i in catalog.items} | {a for i in catalog.items for a in i.aliases}
    aliases = [
        a
        for a in catalog.document_aliases.get(doc, ())
        if a not in catalog.cue_words and a not in item_words and len(a) > 1
    ]
    return [doc, *aliases]


def business_type_refs(catalog: CatalogView, btype: str) -> list[str]:
    """Ways to name a business type: its name and aliases that carry no cue word.

    "证丢了" says 补办 but also "lack" (丢了) to the document reader; such words are left out.
    """
    items = {a for i in catalog.items for a in (i.name, *i.aliases)}
    aliases = [
        a
        for a in catalog.business_type_aliases.get(btype, ())
        if not any(c in a for c in catalog.cue_words) and a not in items and len(a) > 1
    ]
    return [btype, *aliases]


def random_name(rng: random.Random) -> str:
    """A synthetic Chinese name: a common surname and one or two given characters."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def random_phone(rng: random.Random) -> str:
    """A random valid mainland mobile number, ``1[3-9]`` and nine digits."""
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


class GoalSampler:
    """Draws goals the system can satisfy, one per dialogue index."""

    def __init__(
        self,
        catalog: CatalogView,
        slots: SlotSource,
        seed: int,
        *,
        styles: tuple[str, ...] = STYLE_NAMES,
        docs_share: float = 0.4,
        ledger: SlotLedger | None = None,
    ) -> None:
        """Prepare a sampler.

        Args:
            catalog: The catalog.
            slots: Where free slots come from.
            seed: The run's seed.
            styles: Styles to cycle through (dialogue i gets ``styles[i % len]``).
            docs_share: Share of document-check goals (the rest are bookings).
            ledger: Seats promised to running dialogues.
        """
        self.catalog = catalog
        self.slots = slots
        self.seed = seed
        self.styles = styles
        self.docs_share = docs_share
        self.ledger = ledger or SlotLedger()
        self.items = tuple(i for i in catalog.items if i.active and i.offices)
        self._phones: set[str] = set()
        self._lock = threading.Lock()

    def _phone(self, rng: random.Random) -> str:
        with self._lock:
            while True:
                phone = random_phone(rng)
                if phone not in self._phones and not self.slots.phone_taken(phone):
                    self._phones.add(phone)
                    return phone

    def sample(self, index: int, now: datetime) -> Goal:
        """The goal of dialogue ``index``.

        Args:
            index: The dialogue's number in the run.
            now: The local time the dialogue starts at.

        Returns:
            A booking goal (its slot promised in the ledger) or a document-check goal.
        """
        seed = f"{self.seed}:{index}"
        rng = random.Random(seed)
        style = self.styles[index % len(self.styles)]
        if rng.random() < self.docs_share:
            return self._docs(index, seed, style, rng)
        for _ in range(20):
            goal = self._booking(index, seed, style, rng, now)
            if goal is not None:
                self.ledger.reserve(goal.slot_key)
                return goal
        return self._docs(index, seed, style, rng)

    def _item_ref(self, item: ItemView, rng: random.Random) -> tuple[str, str, str]:
        """(kind, how the person names the item, a noun phrase for "办{item}")."""
        refs = item_refs(self.catalog, item)
        weights = {"canonical": 1.0, "alias": 2.0, "colloquial": 1.0, "clause": 0.7}
        kinds = list(refs)
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        ref = rng.choice(refs[kind])
        if kind != "clause":
            return kind, ref, ref
        nouns = refs.get("alias", []) + refs.get("colloquial", []) or [item.name]
        return kind, ref, rng.choice(nouns)

    def _free(self, office: str, window: str, now: datetime) -> list[FreeSlot]:
        earliest = now + self.slots.min_lead + SAFETY
        last_day = now.date() + timedelta(days=self.slots.horizon_days - 1)
        return [
            s
            for s in self.slots.free_slots(office, window, now)
            if datetime.combine(s.day, s.start) >= earliest
            and s.day <= last_day
            and s.free - self.ledger.reserved((office, window, s.day, s.start)) > 0
        ]

    @staticmethod
    def _pick_slot(free: list[FreeSlot], rng: random.Random) -> FreeSlot:
        days = sorted({s.day for s in free})
        day = rng.choice(days)
        return rng.choice([s for s in free if s.day == day])

    def _booking(
        self, index: int, seed: str, style: str, rng: random.Random, now: datetime
    ) -> BookingGoal | None:
        item = rng.choice(self.items)
        office_code = rng.choice(item.offices)
        free = self._free(office_code, item.window, now)
        if not free:
            return None
        slot = self._pick_slot(free, rng)
        office = self.catalog.office(office_code)
        ref_kind, item_ref, item_np = self._item_ref(item, rng)
        name = random_name(rng)
        if STYLES[style].script:
            name = to_traditional(name)
        btype = rng.choice(item.type_names) if rng.random() < 0.2 else None
        vague = rng.random() < STYLES[style].vague_share
        phone = self._phone(rng)
        correction = None
        if STYLES[style].correction:
            correction = self._booking_correction(item, office_code, slot, free, name, phone, rng)
        return BookingGoal(
            index=index,
            seed=seed,
            style=style,
            item_code=item.code,
            item_name=item.name,
            item_ref=item_ref,
            item_ref_kind=ref_kind,
            item_np=item_np,
            window=item.window,
            business_type=btype,
            office_code=office_code,
            office_name=office.name,
            office_ref=rng.choice(office_refs(office)),
            day=slot.day,
            start=slot.start,
            vague=vague and correction is None,
            name=name,
            phone=phone,
            correction=correction,
        )

    def _booking_correction(
        self,
        item: ItemView,
        office_code: str,
        slot: FreeSlot,
        free: list[FreeSlot],
        name: str,
        phone: str,
        rng: random.Random,
    ) -> Correction:
        fields = ["time", "name", "phone"]
        others = [o for o in item.offices if o != office_code]
        if others:
            fields.append("office")
        choice = rng.choice(fields)
        if choice == "office":
            return Correction("office", rng.choice(others), "next_turn")
        if choice == "time":
            alternatives = [s for s in free if s.day != slot.day] or [s for s in free if s != slot]
            if alternatives:
                wrong = rng.choice(alternatives)
                label = f"{wrong.day.isoformat()} {wrong.start.strftime('%H:%M')}"
                return Correction("time", label, rng.choice(("next_turn", "summary")))
            choice = "name"
        if choice == "name":
            wrong_name = name
            while wrong_name == name:
                wrong_name = name[0] + "".join(rng.choice(GIVEN) for _ in range(len(name) - 1))
            return Correction("name", wrong_name, rng.choice(("next_turn", "summary")))
        wrong_phone = self._phone(rng)
        while wrong_phone[-4:] == phone[-4:]:
            wrong_phone = self._phone(rng)
        return Correction("phone", wrong_phone, rng.choice(("next_turn", "summary")))

    def _docs(self, index: int, seed: str, style: str, rng: random.Random) -> DocGoal:
        item = rng.choice(self.items)
        btype = rng.choice(item.type_names)
        docs = item.documents(btype)
        # What a person may hold or lack: lines they bring (not 免提交 or 容缺 ones).
        required = [d.name for d in docs if d.required and d.brought]
        optional = [d.name for d in docs if not d.required and d.brought]
        mode = rng.choices(("all", "some", "none"), weights=(0.2, 0.65, 0.15))[0]
        if mode == "all" or (len(required) < 2 and mode == "some"):
            held = list(required)
        elif mode == "some":
            held = rng.sample(required, rng.randint(1, len(required) - 1))
        else:
            held = []
        if optional and (rng.random() < 0.3 or (not held and not required)):
            held.append(rng.choice(optional))
        missing = [d for d in required if d not in held]
        lacking: list[str] = []
        if missing and STYLES[style].bundle:  # says everything at once, what is lacking too
            lacking = list(missing)
        elif missing and (not held or rng.random() < 0.4):
            lacking = rng.sample(missing, min(len(missing), rng.choice((1, 1, 2))))
        if not held and not lacking and optional:
            held = [rng.choice(optional)]
        if not held and not lacking:  # an item with no documents at all: say one lacks one
            lacking = [docs[0].name] if docs else []
        ref_kind, item_ref, item_np = self._item_ref(item, rng)
        correction = None
        if STYLES[style].correction:
            correction = self._docs_correction(item, btype, held, missing, rng)
        held_t = tuple(held)
        return DocGoal(
            index=index,
            seed=seed,
            style=style,
            item_code=item.code,
            item_name=item.name,
            item_ref=item_ref,
            item_ref_kind=ref_kind,
            item_np=item_np,
            business_type=btype,
            say_business_type=len(item.business_types) > 1
            and rng.random() < 0.6
            and not STYLES[style].ordinal,
            held=held_t,
            held_refs=tuple(rng.choice(doc_refs(self.catalog, d)) for d in held),
            lacking=tuple(lacking),
            lacking_refs=tuple(rng.choice(doc_refs(self.catalog, d)) for d in lacking),
            expected=expected_missing(item, btype, held_t),
            correction=correction,
        )

    @staticmethod
    def _docs_correction(
        item: ItemView, btype: str, held: list[str], missing: list[str], rng: random.Random
    ) -> Correction | None:
        options: list[Correction] = []
        if item.lists_differ:
            wrong = [t for t in item.type_names if item.documents(t) != item.documents(btype)]
            if wrong:
                options.append(Correction("btype", rng.choice(wrong), "next_turn"))
        if missing:
            options.append(Correction("doc_lacks", rng.choice(missing), "next_turn"))
        if held:
            options.append(Correction("doc_has", rng.choice(held), "next_turn"))
        return rng.choice(options) if options else None
