"""In-memory catalog: plain frozen dataclasses that every consumer reads.

The YAML files are parsed into these, stored in the database from these, and read back
into these; actions, the CLI and the gateway never see rows or YAML.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CATEGORIES: tuple[str, ...] = ("行政审批", "行政服务", "法定检验", "咨询投诉")


@dataclass(frozen=True)
class DocumentRequirement:
    """One line of an item's document list."""

    name: str
    form: str
    copies: int
    required: bool
    condition: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TimeLimit:
    """Statutory and promised time limits in working days."""

    statutory_days: int | None
    promised_days: int
    note: str | None = None


@dataclass(frozen=True)
class BusinessType:
    """A kind of application (新办, 延续 …) with its own document list."""

    type: str
    documents: tuple[DocumentRequirement, ...]
    time_limit: TimeLimit | None = None


@dataclass(frozen=True)
class SubItem:
    """A sub-item: a product category, equipment type or instrument type under an item."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fee:
    """The fee and the rule it rests on; amount None means "by a published standard"."""

    amount: float | None
    basis: str
    note: str | None = None


@dataclass(frozen=True)
class Item:
    """A major item (事项) of the catalog."""

    code: str
    name: str
    category: str
    aliases: tuple[str, ...]
    status: str
    summary: str
    source: tuple[str, ...]
    legal_basis: tuple[str, ...]
    deciding_authority: str
    accepted_at: str | tuple[str, ...]
    time_limit: TimeLimit
    fee: Fee
    process: tuple[str, ...]
    sub_items: tuple[SubItem, ...]
    business_types: tuple[BusinessType, ...]
    status_note: str | None = None
    redirect: str | None = None
    sample_data: bool = True

    @property
    def window(self) -> str:
        """The window type that handles the item (the category names the window)."""
        return self.category

    @property
    def stopped(self) -> bool:
        """Whether the item is no longer handled."""
        return self.status == "stopped"

    def business_type(self, name: str | None) -> BusinessType | None:
        """Return the business type of that name, or the only one when there is one."""
        if name is None:
            return self.business_types[0] if len(self.business_types) == 1 else None
        return next((b for b in self.business_types if b.type == name), None)

    def time_limit_for(self, business_type: str | None) -> TimeLimit:
        """The time limit of a business type, falling back to the item's."""
        chosen = self.business_type(business_type)
        return chosen.time_limit if chosen and chosen.time_limit else self.time_limit

    def lists_differ(self) -> bool:
        """Whether the document list depends on the business type."""
        lists = {b.documents for b in self.business_types}
        return len(lists) > 1

    def sub_item(self, code: str | None) -> SubItem | None:
        """Return the sub-item with that code, if any."""
        return next((s for s in self.sub_items if s.code == code), None)


@dataclass(frozen=True)
class Window:
    """One window of an office."""

    type: str
    staff: int
    phone: str
    location: str


@dataclass(frozen=True)
class Hours:
    """Office hours of one season: morning and afternoon sessions as HH:MM pairs."""

    morning: tuple[str, str]
    afternoon: tuple[str, str]
    season_from: str | None = None
    season_to: str | None = None


@dataclass(frozen=True)
class Office:
    """A city or county bureau."""

    code: str
    name: str
    region: str
    level: str
    aliases: tuple[str, ...]
    address: str
    phone: str
    hours: Hours
    windows: tuple[Window, ...]
    summer_hours: Hours | None = None

    def window(self, window_type: str) -> Window | None:
        """Return the window of that type."""
        return next((w for w in self.windows if w.type == window_type), None)


@dataclass(frozen=True)
class DocumentTerm:
    """A canonical document name and the words people use for it."""

    name: str
    aliases: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """Parsing words: business types, have/lack cues, original/copy words, clause breaks."""

    business_types: dict[str, tuple[str, ...]]
    negation_cues: tuple[str, ...]
    positive_cues: tuple[str, ...]
    forms: dict[str, tuple[str, ...]]
    clause_breaks: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The whole catalog as one immutable value."""

    items: tuple[Item, ...]
    offices: tuple[Office, ...]
    documents: tuple[DocumentTerm, ...]
    lexicon: Lexicon
    version: str = ""
    sample_note: str = ""
    _by_code: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update({i.code: i for i in self.items})

    def item(self, code: str | None) -> Item | None:
        """Return the item with that code."""
        return self._by_code.get(code) if code else None

    def office(self, code: str | None) -> Office | None:
        """Return the office with that code."""
        return next((o for o in self.offices if o.code == code), None)

    def city_office(self) -> Office:
        """The city bureau, the fallback office for items not moved down."""
        return next(o for o in self.offices if o.level == "city")

    def accepting_offices(self, item: Item) -> tuple[Office, ...]:
        """Offices whose window accepts the item."""
        if item.accepted_at == "all":
            return self.offices
        if item.accepted_at == "city":
            return tuple(o for o in self.offices if o.level == "city")
        return tuple(o for o in self.offices if o.code in item.accepted_at)

    def sub_item_count(self) -> int:
        """Number of sub-items over all items."""
        return sum(len(i.sub_items) for i in self.items)


def to_jsonable(value: Any) -> Any:
    """Turn catalog dataclasses into plain JSON-ready values (tuples become lists)."""
    if hasattr(value, "__dataclass_fields__"):
        data = asdict(value)
        data.pop("_by_code", None)
        return to_jsonable(data)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value
