"""The catalog's cross-file rules: each a small named check over the parsed files.

A JSON schema checks one file's shape; these check what no schema can say — references
between files, uniqueness across files, and what a status implies. Every check yields
:class:`Problem` values naming the file, the item and the field; :data:`CHECKS` is the
list ``read_catalog`` runs, and a test runs each one against a catalog broken for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chuangkou.catalog.codec import to_json
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
DOCUMENTS = "catalog/documents"

# The bureaus' pre-2019 name. It may stand in an alias (people still say it) or in a
# sentence about history: one with 原 shortly before it, or one that says it was renamed,
# merged or no longer exists.
OLD_BUREAU = re.compile(r"质量技术监督(?:局|部门)")
OLD_NAME_PREFIX = re.compile(r"原[^，。；;、]{0,12}$")
HISTORY_WORDS = ("更名", "合并", "并入", "已不存在", "撤销", "划入", "机构改革", "整合")
# The quality hotline that was folded into 12315 in 2019: it may only be mentioned
# next to 12315.
OLD_HOTLINE = "12365"
NEW_HOTLINE = "12315"
SENTENCE_BREAK = re.compile(r"[。；;！？!?\n]")
ITEM_CODE = re.compile(r"(?<![A-Z0-9])(?:SP|FW|JY|TS)[0-9]{2}(?![0-9-])")


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
    """A decidable condition names live sub-items of its own item; only optional lines have one."""
    for rel, item, field, line in _document_lines(parsed):
        if line.when is None:
            continue
        if line.required:
            yield Problem(
                rel, _tag(item), f"{field}.when", "a required document needs no condition"
            )
        subs = {s.code: s for s in item.sub_items}
        for code in line.when.sub_items:
            if code not in subs:
                yield Problem(rel, _tag(item), f"{field}.when", f"unknown sub-item {code}")
            elif subs[code].abolished:
                yield Problem(rel, _tag(item), f"{field}.when", f"sub-item {code} is abolished")


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


def abolished_sub_items_explained(parsed: Parsed) -> Iterator[Problem]:
    """A sub-item that no longer needs the item says since when and by which decision."""
    for rel, item in parsed.items:
        for index, sub in enumerate(item.sub_items):
            if sub.abolished and not sub.status_note:
                yield Problem(
                    rel,
                    _tag(item),
                    f"sub_items[{index}].status_note",
                    f"abolished sub-item {sub.code} needs a status_note (date and decision)",
                )


def active_items_cite_basis(parsed: Parsed) -> Iterator[Problem]:
    """Every document line and time limit of an active item names where it comes from."""
    for rel, item in parsed.items:
        if item.stopped:
            continue
        if not item.time_limit.basis:
            yield Problem(rel, _tag(item), "time_limit.basis", "a time limit needs a basis")
        for index, btype in enumerate(item.business_types):
            if btype.time_limit is not None and not btype.time_limit.basis:
                yield Problem(
                    rel,
                    _tag(item),
                    f"business_types[{index}].time_limit.basis",
                    "a time limit needs a basis",
                )
    for rel, item, field, line in _document_lines(parsed):
        if not item.stopped and not line.basis:
            yield Problem(rel, _tag(item), f"{field}.basis", "a document line needs a basis")


def verified_items_cite_sources(parsed: Parsed) -> Iterator[Problem]:
    """An item marked verified says when it was reviewed and what was read."""
    for rel, item in parsed.items:
        review = item.review
        if review.verified and not (review.reviewed_on and review.sources_read):
            yield Problem(
                rel,
                _tag(item),
                "review",
                "a verified item needs reviewed_on and at least one sources_read",
            )


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value with its field path, aliases left out."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key != "aliases":
                yield from _texts(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _texts(inner, f"{path}[{index}]")


def _catalog_texts(parsed: Parsed) -> Iterator[tuple[str, str | None, str, str]]:
    """(file, item or office, field, text) of every text people are shown but aliases."""
    for rel, item in parsed.items:
        for field, text in _texts(to_json(item)):
            yield rel, _tag(item), field, text
    for office in parsed.offices:
        for field, text in _texts(to_json(office)):
            yield OFFICES, office.code, field, text
    for doc in parsed.documents:
        if doc.description:
            yield DOCUMENTS, None, f"{doc.name}.description", doc.description


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_BREAK.split(text) if s]


def _historical(sentence: str, start: int) -> bool:
    return bool(OLD_NAME_PREFIX.search(sentence[:start])) or any(
        w in sentence for w in HISTORY_WORDS
    )


def old_bureau_name_only_as_history(parsed: Parsed) -> Iterator[Problem]:
    """质量技术监督局 no longer exists: only an alias or a sentence about history names it."""
    for rel, owner, field, text in _catalog_texts(parsed):
        for sentence in _sentences(text):
            for found in OLD_BUREAU.finditer(sentence):
                if not _historical(sentence, found.start()):
                    yield Problem(
                        rel,
                        owner,
                        field,
                        f"'{found.group()}' no longer exists (市场监督管理局 since 2018-2019); "
                        "say 原… or that it was merged",
                    )


def old_hotline_only_beside_12315(parsed: Parsed) -> Iterator[Problem]:
    """12365 was folded into 12315: it is only mentioned next to 12315."""
    for rel, owner, field, text in _catalog_texts(parsed):
        for sentence in _sentences(text):
            if OLD_HOTLINE in sentence and NEW_HOTLINE not in sentence:
                yield Problem(
                    rel,
                    owner,
                    field,
                    f"{OLD_HOTLINE} without {NEW_HOTLINE}: say it is now {NEW_HOTLINE}",
                )
    for rel, item in parsed.items:
        words = [*item.aliases, *(a for s in item.sub_items for a in (s.name, *s.aliases))]
        if any(OLD_HOTLINE in w for w in words) and not any(NEW_HOTLINE in w for w in words):
            yield Problem(
                rel,
                _tag(item),
                "aliases",
                f"an alias {OLD_HOTLINE} belongs to the {NEW_HOTLINE} item",
            )


def redirects_exist(parsed: Parsed) -> Iterator[Problem]:
    """An item code a redirect, apply_at or status note points to is an item that is handled."""
    items = {item.code: item for _, item in parsed.items}
    for rel, item in parsed.items:
        for field in ("redirect", "apply_at", "status_note"):
            text = getattr(item, field) or ""
            for code in ITEM_CODE.findall(text):
                target = items.get(code)
                if target is None:
                    yield Problem(rel, _tag(item), field, f"points to unknown item {code}")
                elif target.stopped or code == item.code:
                    yield Problem(
                        rel, _tag(item), field, f"points to {code}, which cannot take people"
                    )


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
    abolished_sub_items_explained,
    active_items_cite_basis,
    verified_items_cite_sources,
    old_bureau_name_only_as_history,
    old_hotline_only_beside_12315,
    redirects_exist,
)


def run_checks(parsed: Parsed, checks: tuple[Check, ...] = CHECKS) -> list[Problem]:
    """Every problem every check finds."""
    return [problem for check in checks for problem in check(parsed)]
