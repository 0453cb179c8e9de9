"""The catalog's cross-file rules: each a small named check over the parsed files.

A JSON schema checks one file's shape; these check what no schema can say — references
between files, uniqueness across files, and what a status implies. Every check yields
:class:`Problem` values naming the file, the item and the field; :data:`CHECKS` is the
list ``read_catalog`` runs, and a test runs each one against a catalog broken for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chuangkou.catalog.model import (
    DocumentRequirement,
    DocumentTerm,
    Item,
    Lexicon,
    Office,
    Referral,
)
from common.folding import normalize


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the catalog files."""

    file: str
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.item:
            where.append(f"item {self.item}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{': '.join(where)}: {self.message}"


@dataclass(frozen=True)
class Parsed:
    """The files as parsed, before they become one :class:`Catalog`."""

    items: tuple[tuple[str, Item], ...]  # (file, item)
    offices: tuple[Office, ...]
    documents: tuple[DocumentTerm, ...]
    lexicon: Lexicon
    referrals: tuple[Referral, ...] = ()


Check = Callable[[Parsed], Iterator[Problem]]
OFFICES = "catalog/offices.yml"


def _tag(item: Item) -> str:
    return f"{item.code} {item.name}"


def document_aliases_unique(parsed: Parsed) -> Iterator[Problem]:
    """No word names two canonical documents."""
    owner: dict[str, str] = {}
    for doc in parsed.documents:
        for alias in (doc.name, *doc.aliases):
            key = normalize(alias)
            if owner.setdefault(key, doc.name) != doc.name:
                yield Problem(
                    "catalog/documents",
                    None,
                    "aliases",
                    f"'{alias}' names both {owner[key]} and {doc.name}",
                )


def item_files_named_by_code(parsed: Parsed) -> Iterator[Problem]:
    """``items/SP01.yml`` holds item SP01."""
    for rel, item in parsed.items:
        if Path(rel).stem != item.code:
            yield Problem(rel, _tag(item), "code", f"file name should be {item.code}.yml")


def item_codes_unique(parsed: Parsed) -> Iterator[Problem]:
    """Each item code once."""
    seen: dict[str, str] = {}
    for rel, item in parsed.items:
        if item.code in seen:
            yield Problem(rel, _tag(item), "code", f"duplicate code, also in {seen[item.code]}")
        seen[item.code] = rel


def item_words_unique(parsed: Parsed) -> Iterator[Problem]:
    """A name or alias names one item only."""
    owner: dict[str, str] = {}
    for rel, item in parsed.items:
        for word in (item.name, *item.aliases):
            found = owner.setdefault(normalize(word), item.code)
            if found != item.code:
                yield Problem(rel, _tag(item), "aliases", f"'{word}' already names item {found}")


def stopped_items_explained(parsed: Parsed) -> Iterator[Problem]:
    """A stopped item says why and where to go instead."""
    for rel, item in parsed.items:
        if item.stopped and not (item.status_note and item.redirect):
            yield Problem(
                rel, _tag(item), "status", "a stopped item needs status_note and redirect"
            )


def items_elsewhere_say_where(parsed: Parsed) -> Iterator[Problem]:
    """An item no window of ours accepts names where people apply instead."""
    for rel, item in parsed.items:
        if item.not_here and not item.apply_at:
            yield Problem(rel, _tag(item), "apply_at", "accepted_at: none needs apply_at")


def accepting_offices_exist(parsed: Parsed) -> Iterator[Problem]:
    """``accepted_at`` names existing offices."""
    codes = {o.code for o in parsed.offices}
    for rel, item in parsed.items:
        if isinstance(item.accepted_at, tuple):
            for code in sorted(set(item.accepted_at) - codes):
                yield Problem(rel, _tag(item), "accepted_at", f"unknown office code {code}")


def sub_item_codes_prefixed(parsed: Parsed) -> Iterator[Problem]:
    """Sub-item codes start with their item's code."""
    for rel, item in parsed.items:
        for index, sub in enumerate(item.sub_items):
            if not sub.code.startswith(item.code + "-"):
                yield Problem(
                    rel,
                    _tag(item),
                    f"sub_items[{index}].code",
                    f"{sub.code} should start with {item.code}-",
                )


def sub_item_codes_unique(parsed: Parsed) -> Iterator[Problem]:
    """Each sub-item code once in the whole catalog."""
    seen: dict[str, str] = {}
    for rel, item in parsed.items:
        for sub in item.sub_items:
            again = seen.setdefault(sub.code, rel) != rel
            if again or sum(s.code == sub.code for s in item.sub_items) > 1:
                yield Problem(rel, _tag(item), "sub_items", f"duplicate sub-item code {sub.code}")


def business_types_known(parsed: Parsed) -> Iterator[Problem]:
    """Every business type is one the lexicon can parse, and appears once per item."""
    for rel, item in parsed.items:
        seen: set[str] = set()
        for index, btype in enumerate(item.business_types):
            where = f"business_types[{index}].type"
            if btype.type not in parsed.lexicon.business_types:
                yield Problem(
                    rel, _tag(item), where, f"'{btype.type}' is not a business type of lexicon.yml"
                )
            if btype.type in seen:
                yield Problem(rel, _tag(item), where, f"'{btype.type}' appears twice")
            seen.add(btype.type)


def documents_in_vocabulary(parsed: Parsed) -> Iterator[Problem]:
    """Every listed document is a canonical document of documents/."""
    names = {d.name for d in parsed.documents}
    for rel, item, field, line in _document_lines(parsed):
        if line.name not in names:
            yield Problem(
                rel, _tag(item), f"{field}.name", f"'{line.name}' is not in the document vocabulary"
            )


def optional_documents_say_when(parsed: Parsed) -> Iterator[Problem]:
    """A document that is not always required says when it is."""
    for rel, item, field, line in _document_lines(parsed):
        if not line.required and not line.condition:
            yield Problem(
                rel,
                _tag(item),
                f"{field}.condition",
                "a document that is not always required needs a condition",
            )


def conditions_name_real_sub_items(parsed: Parsed) -> Iterator[Problem]:
    """A decidable condition names sub-items of its own item, and only optional lines have one."""
    for rel, item, field, line in _document_lines(parsed):
        if line.when is None:
            continue
        if line.required:
            yield Problem(
                rel, _tag(item), f"{field}.when", "a required document needs no condition"
            )
        codes = {s.code for s in item.sub_items}
        for code in line.when.sub_items:
            if code not in codes:
                yield Problem(rel, _tag(item), f"{field}.when", f"unknown sub-item {code}")


def offices_unique(parsed: Parsed) -> Iterator[Problem]:
    """Each office code once, exactly one city office, each window type once per office."""
    codes = [o.code for o in parsed.offices]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        yield Problem(OFFICES, None, "code", f"duplicate office {code}")
    if sum(o.level == "city" for o in parsed.offices) != 1:
        yield Problem(OFFICES, None, "level", "exactly one city office")
    for office in parsed.offices:
        if len({w.type for w in office.windows}) != len(office.windows):
            yield Problem(OFFICES, office.code, "windows", "each window type once")


def _document_lines(parsed: Parsed) -> Iterator[tuple[str, Item, str, DocumentRequirement]]:
    for rel, item in parsed.items:
        for b_index, btype in enumerate(item.business_types):
            for d_index, line in enumerate(btype.documents):
                yield rel, item, f"business_types[{b_index}].documents[{d_index}]", line


CHECKS: tuple[Check, ...] = (
    document_aliases_unique,
    item_files_named_by_code,
    item_codes_unique,
    item_words_unique,
    stopped_items_explained,
    items_elsewhere_say_where,
    accepting_offices_exist,
    sub_item_codes_prefixed,
    sub_item_codes_unique,
    business_types_known,
    documents_in_vocabulary,
    optional_documents_say_when,
    conditions_name_real_sub_items,
    offices_unique,
)


def run_checks(parsed: Parsed, checks: tuple[Check, ...] = CHECKS) -> list[Problem]:
    """Every problem every check finds."""
    return [problem for check in checks for problem in check(parsed)]
