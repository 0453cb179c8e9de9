"""The simulator's one boundary with the project's library (``chuangkou``).

Everything the simulator needs from the system it tests comes through this module: the
catalog (as the simulator's own small view types below), free slots and the booking
policy, "now" in Asia/Shanghai, the bookings table, and starting a stack. The library's
names move as the code is restructured; when they move again, only this file changes.

The time-expression parser (:func:`parse_time`) is re-exported only for the tests: the
simulator itself never asks the bot's parser what its own words mean.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import Engine

# --- library imports: the only ones in the simulator -------------------------------------
from chuangkou.booking.slots import now_local
from chuangkou.booking.timeparse import TimeProblem, TimeRequest, parse_time_request
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.model import Catalog, DocumentRequirement
from chuangkou.catalog.store import load_catalog_at
from chuangkou.services import services
from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack import StackConfig, running_stack

# ------------------------------------------------------------------------------------------

CATALOG_DIR = PROJECT_ROOT / "catalog"


@dataclass(frozen=True)
class DocView:
    """One document line of a business type.

    Attributes:
        name: Canonical name.
        required: Needed whatever the case (conditional lines are not).
        brought: A person brings it: not checked online or held by the government
            (免提交), and not one that may follow after acceptance (容缺).
    """

    name: str
    required: bool
    brought: bool = True


def _doc_view(doc: DocumentRequirement) -> DocView:
    return DocView(doc.name, doc.required, not (doc.not_submitted or doc.deferrable))


@dataclass(frozen=True)
class ItemView:
    """What the simulator knows about an item."""

    code: str
    name: str
    category: str
    aliases: tuple[str, ...]
    active: bool
    offices: tuple[str, ...]  # codes of the accepting offices
    business_types: tuple[tuple[str, tuple[DocView, ...]], ...]

    @property
    def window(self) -> str:
        """The window type that handles the item (its category)."""
        return self.category

    def documents(self, business_type: str | None) -> tuple[DocView, ...]:
        """The document list of a business type (the first one when None or unknown)."""
        for name, docs in self.business_types:
            if name == business_type:
                return docs
        return self.business_types[0][1]

    @property
    def type_names(self) -> tuple[str, ...]:
        """Names of the business types, in catalog order."""
        return tuple(name for name, _ in self.business_types)

    @property
    def lists_differ(self) -> bool:
        """Whether the business types have different document lists."""
        return len({docs for _, docs in self.business_types}) > 1


@dataclass(frozen=True)
class OfficeView:
    """What the simulator knows about an office."""

    code: str
    name: str
    region: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class CatalogView:
    """The catalog as the simulator sees it."""

    items: tuple[ItemView, ...]
    offices: tuple[OfficeView, ...]
    document_aliases: Mapping[str, tuple[str, ...]]
    business_type_aliases: Mapping[str, tuple[str, ...]]
    cue_words: frozenset[str]
    _items: dict[str, ItemView] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._items.update({i.code: i for i in self.items})

    def item(self, code: str) -> ItemView:
        """The item with that code (KeyError when there is none)."""
        return self._items[code]

    def office(self, code: str) -> OfficeView:
        """The office with that code (StopIteration when there is none)."""
        return next(o for o in self.offices if o.code == code)


@dataclass(frozen=True)
class FreeSlot:
    """A slot with at least one free seat."""

    day: date
    start: time
    free: int


@dataclass(frozen=True)
class BookingRow:
    """The columns of a row of ``bookings`` that the score compares."""

    item_code: str
    office_code: str
    window_type: str
    slot_date: date
    slot_time: str
    citizen_name: str
    phone: str
    status: str


def _view(catalog: Catalog) -> CatalogView:
    items = tuple(
        ItemView(
            code=i.code,
            name=i.name,
            category=i.category,
            aliases=tuple(i.aliases),
            active=not i.stopped,
            offices=tuple(o.code for o in catalog.accepting_offices(i)),
            business_types=tuple(
                (b.type, tuple(_doc_view(d) for d in b.documents)) for b in i.business_types
            ),
        )
        for i in catalog.items
    )
    offices = tuple(OfficeView(o.code, o.name, o.region, tuple(o.aliases)) for o in catalog.offices)
    lex = catalog.lexicon
    cues = set(lex.negation_cues) | set(lex.positive_cues)
    for words in lex.forms.values():
        cues |= set(words)
    return CatalogView(
        items=items,
        offices=offices,
        document_aliases={d.name: tuple(d.aliases) for d in catalog.documents},
        business_type_aliases={k: tuple(v) for k, v in lex.business_types.items()},
        cue_words=frozenset(cues),
    )


def catalog_from_files(catalog_dir: Path = CATALOG_DIR) -> CatalogView:
    """The catalog read from its data files (no database needed).

    Args:
        catalog_dir: The catalog folder.

    Returns:
        The simulator's view of it.
    """
    return _view(read_catalog(catalog_dir))


def prepare_database(url: str, catalog_dir: Path = CATALOG_DIR) -> None:
    """Migrate the database at ``url`` and load the catalog into it.

    Args:
        url: A SQLAlchemy URL (a fresh SQLite file for the simulator's own stack).
        catalog_dir: The catalog folder.
    """
    load_catalog_at(url, read_catalog(catalog_dir), source=str(catalog_dir))


def _settings(database_url: str) -> Settings:
    return Settings.from_env({**os.environ, "DATABASE_URL": database_url})


class World:
    """The running system as the simulator may look at it: catalog, free slots, bookings."""

    def __init__(self, database_url: str) -> None:
        """Open the system's database.

        Args:
            database_url: The DATABASE_URL the stack was started with.
        """
        self.database_url = database_url
        self._settings = _settings(database_url)
        svc = services(self._settings)
        self._catalog = svc.catalog
        self.catalog = _view(svc.catalog)
        self.horizon_days: int = svc.policy.horizon_days
        self.min_lead: timedelta = svc.policy.min_lead
        self._db: Engine = create_engine(database_url)

    def now(self) -> datetime:
        """The current local time in Asia/Shanghai (naive, like the slots)."""
        return now_local()

    def free_slots(self, office_code: str, window: str, now: datetime) -> list[FreeSlot]:
        """Every slot with a free seat from ``now`` to the end of the booking horizon.

        Closed days and slots less than the minimum lead time away are not listed.

        Args:
            office_code: The office.
            window: The window type.
            now: The current local time.

        Returns:
            Free slots, soonest first.
        """
        svc = services(self._settings)
        office = svc.catalog.office(office_code)
        if office is None:
            return []
        desk = svc.desk
        found: list[FreeSlot] = []
        for offset in range(self.horizon_days + 1):
            day = now.date() + timedelta(days=offset)
            for slot in desk.slots(office, window, day, now):
                if slot.free > 0:
                    found.append(FreeSlot(slot.day, slot.start, slot.free))
        return found

    def bookings(self, phones: Iterable[str]) -> list[BookingRow]:
        """Rows of ``bookings`` made with any of these phone numbers.

        Args:
            phones: Clear mobile numbers.

        Returns:
            The rows, oldest first.
        """
        wanted = sorted(set(phones))
        if not wanted:
            return []
        query = text(
            "SELECT item_code, office_code, window_type, slot_date, slot_time, citizen_name,"
            " phone, status FROM bookings WHERE phone IN :phones ORDER BY id"
        ).bindparams(bindparam("phones", expanding=True))
        with self._db.connect() as conn:
            rows = conn.execute(query, {"phones": wanted}).all()
        return [
            BookingRow(
                item_code=r.item_code,
                office_code=r.office_code,
                window_type=r.window_type,
                slot_date=_as_date(r.slot_date),
                slot_time=str(r.slot_time),
                citizen_name=str(r.citizen_name),
                phone=str(r.phone),
                status=str(r.status),
            )
            for r in rows
        ]

    def phone_taken(self, phone: str) -> bool:
        """Whether any booking uses this phone number (so a rerun never reuses one)."""
        return bool(self.bookings([phone]))

    def close(self) -> None:
        """Release the database connections."""
        self._db.dispose()


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def parse_time(text_: str, now: datetime) -> tuple[date, time | None, time | None] | None:
    """The project's reading of a time expression (for tests only).

    Args:
        text_: The expression.
        now: The local time it is relative to.

    Returns:
        (day, start, end) as the bot reads it (end None for an exact time), or None when
        the bot's parser finds no usable time.
    """
    found = parse_time_request(text_, now)
    if isinstance(found, TimeProblem):
        return None
    assert isinstance(found, TimeRequest)
    return found.day, found.start, found.end


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stack_config(database_url: str, log_dir: Path | None) -> StackConfig:
    """A stack on free ports over ``database_url``, otherwise as the environment says."""
    settings = replace(
        _settings(database_url),
        engine_port=_free_port(),
        actions_port=_free_port(),
        gateway_port=_free_port(),
    )
    return StackConfig.from_settings(settings, log_dir=log_dir)


def model_path() -> Path:
    """The trained model a stack serves (never trained here)."""
    return _settings("sqlite://").model_path


@contextmanager
def own_stack(work_dir: Path) -> Iterator[tuple[str, str]]:
    """Start a stack on free ports over a fresh SQLite database holding the catalog.

    Args:
        work_dir: Where the database file and the logs go.

    Yields:
        (engine URL, database URL).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    db_file = work_dir / "simulator.db"
    if db_file.exists():
        db_file.unlink()
    url = f"sqlite:///{db_file}"
    prepare_database(url)
    with running_stack(_stack_config(url, work_dir / "logs")) as base:
        yield str(base), url
