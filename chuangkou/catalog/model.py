"""In-memory catalog: plain frozen dataclasses that every consumer reads.

The YAML files are parsed into these, stored in the database from these, and read back
into these; actions, the CLI and the gateway never see rows or YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Document markers a rule can set (item.schema.json lists the same words).
MARK_DEFERRABLE = "容缺"  # accepted now, supplied later
MARK_NOT_SUBMITTED = "免提交"  # checked online or held by the government
MARK_PLEDGE = "告知承诺"  # a signed pledge may replace it


@dataclass(frozen=True)
class When:
    """A condition the catalog can decide: every part that is set must hold.

    Attributes:
        sub_items: The document applies to these sub-items (codes) only.
        applicant: ``企业`` (a firm or other organisation) or ``个人`` (a person).
        agent: True: only when someone applies on the applicant's behalf (委托).
    """

    sub_items: tuple[str, ...] = ()
    applicant: str | None = None
    agent: bool | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        """Which facts the condition depends on: ``sub_item``, ``applicant``, ``agent``."""
        found = []
        if self.sub_items:
            found.append("sub_item")
        if self.applicant is not None:
            found.append("applicant")
        if self.agent is not None:
            found.append("agent")
        return tuple(found)


@dataclass(frozen=True)
class DocumentRequirement:
    """One line of an item's document list.

    ``required`` documents are always needed; the others are needed when ``when`` holds
    (decidable) or, without ``when``, in the case ``condition`` describes in words.
    """

    name: str
    form: str
    copies: int
    required: bool
    condition: str | None = None
    note: str | None = None
    when: When | None = None
    marks: tuple[str, ...] = ()
    basis: str | None = None

    @property
    def deferrable(self) -> bool:
        """可容缺: the window accepts the application now and it is supplied later."""
        return MARK_DEFERRABLE in self.marks

    @property
    def not_submitted(self) -> bool:
        """免提交: checked online or already held by the government; nobody brings it."""
        return MARK_NOT_SUBMITTED in self.marks


@dataclass(frozen=True)
class Review:
    """Where an item's facts come from and whether they were checked against the rules.

    Attributes:
        verified: The requirements were read in the rule texts they cite.
        reviewed_on: When (YYYY-MM-DD).
        sources_read: What was read, and where (law text, repository, page).
        unverified: What could not be confirmed (said plainly to people).
    """

    verified: bool = False
    reviewed_on: str | None = None
    sources_read: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Channel:
    """An online channel for an item (a national approval system, a platform)."""

    name: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TimeLimit:
    """Statutory and promised time limits in working days.

    ``basis`` names the rule (and article) the statutory limit comes from, or says
    plainly that none was found.
    """

    statutory_days: int | None
    promised_days: int
    note: str | None = None
    basis: str | None = None


@dataclass(frozen=True)
class BusinessType:
    """A kind of application (新办, 延续 …) with its own document list."""

    type: str
    documents: tuple[DocumentRequirement, ...]
    time_limit: TimeLimit | None = None


@dataclass(frozen=True)
class SubItem:
    """A sub-item: a product category, equipment type or instrument type under an item.

    A sub-item that no longer needs the item (``status`` ``abolished``) stays findable, so
    that people asking about it are told since when and by which decision.
    """

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    status: str = "active"
    status_note: str | None = None

    @property
    def abolished(self) -> bool:
        """Whether the sub-item no longer needs the item (e.g. 不再实行生产许可)."""
        return self.status == "abolished"


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
    review: Review = field(default_factory=Review)
    apply_at: str | None = None
    online: tuple[Channel, ...] = ()

    @property
    def window(self) -> str:
        """The window type that handles the item (the category names the window)."""
        return self.category

    @property
    def stopped(self) -> bool:
        """Whether the item is no longer handled."""
        return self.status == "stopped"

    @property
    def not_here(self) -> bool:
        """Whether no window of ours accepts the item (``apply_at`` says where to go)."""
        return self.accepted_at == "none"

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
    """Parsing words: business types, have/lack cues, original/copy words, clause breaks.

    ``words`` holds the conversation's named word lists (corrections, ordinals, question
    cues, this domain's vocabulary …); each list's meaning is documented in lexicon.yml.
    """

    business_types: dict[str, tuple[str, ...]]
    negation_cues: tuple[str, ...]
    positive_cues: tuple[str, ...]
    forms: dict[str, tuple[str, ...]]
    clause_breaks: tuple[str, ...]
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def cue(self, name: str) -> tuple[str, ...]:
        """One named word list (empty when the lexicon has none of that name)."""
        return self.words.get(name, ())


@dataclass(frozen=True)
class Referral:
    """Another body that handles what our windows do not, and the words that point there.

    Attributes:
        key: Short key (``公安``).
        name: Who handles it, as people should be told.
        contact: How to reach them (hotline, office, site).
        words: Words of that body's business; a question using them is referred.
    """

    key: str
    name: str
    contact: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The whole catalog as one immutable value."""

    items: tuple[Item, ...]
    offices: tuple[Office, ...]
    documents: tuple[DocumentTerm, ...]
    lexicon: Lexicon
    version: str = ""
    sample_note: str = ""
    window_types: tuple[str, ...] = ()
    complaint_window: str = ""
    referrals: tuple[Referral, ...] = ()
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
        """Offices whose window accepts the item (none for an item handled elsewhere)."""
        if item.accepted_at == "all":
            return self.offices
        if item.accepted_at == "city":
            return tuple(o for o in self.offices if o.level == "city")
        if item.accepted_at == "none":
            return ()
        return tuple(o for o in self.offices if o.code in item.accepted_at)

    def sub_item_count(self) -> int:
        """Number of sub-items over all items."""
        return sum(len(i.sub_items) for i in self.items)
