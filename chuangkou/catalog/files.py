"""Read and validate the catalog's YAML files into a :class:`Catalog`.

Validation is all-or-nothing: every problem in every file is collected first, and a
catalog with any problem is rejected whole, so the database never holds half a catalog.
Each problem names the file, the item and the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from chuangkou.catalog.model import (
    BusinessType,
    Catalog,
    DocumentRequirement,
    DocumentTerm,
    Fee,
    Hours,
    Item,
    Lexicon,
    Office,
    SubItem,
    TimeLimit,
    Window,
    to_jsonable,
)
from common.folding import normalize

SCHEMA_DIR = "schema"


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


class CatalogError(Exception):
    """The catalog files are invalid; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def _validator(schema_path: Path) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))


def _read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, None, None, f"not valid YAML: {exc}"))
    except OSError as exc:
        problems.append(Problem(rel, None, None, f"cannot read: {exc.strerror}"))
    return None


def _field_path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_problems(
    data: Any, schema: str, rel: str, root: Path, item: str | None
) -> list[Problem]:
    validator = _validator(root / SCHEMA_DIR / schema)
    return [
        Problem(rel, item, _field_path(err.absolute_path), err.message)
        for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    ]


def _time_limit(raw: dict[str, Any] | None) -> TimeLimit | None:
    if raw is None:
        return None
    return TimeLimit(raw["statutory_days"], raw["promised_days"], raw.get("note"))


def _hours(raw: dict[str, Any]) -> Hours:
    return Hours(
        morning=(raw["morning"][0], raw["morning"][1]),
        afternoon=(raw["afternoon"][0], raw["afternoon"][1]),
        season_from=raw.get("from"),
        season_to=raw.get("to"),
    )


def _item(raw: dict[str, Any]) -> Item:
    accepted = raw["accepted_at"]
    tl = _time_limit(raw["time_limit"])
    assert tl is not None  # the schema requires it
    return Item(
        code=raw["code"],
        name=raw["name"],
        category=raw["category"],
        aliases=tuple(raw["aliases"]),
        status=raw["status"],
        status_note=raw.get("status_note"),
        redirect=raw.get("redirect"),
        summary=raw["summary"],
        sample_data=raw.get("sample_data", True),
        source=tuple(raw["source"]),
        legal_basis=tuple(raw["legal_basis"]),
        deciding_authority=raw["deciding_authority"],
        accepted_at=accepted if isinstance(accepted, str) else tuple(accepted),
        time_limit=tl,
        fee=Fee(raw["fee"]["amount"], raw["fee"]["basis"], raw["fee"].get("note")),
        process=tuple(raw["process"]),
        sub_items=tuple(
            SubItem(s["code"], s["name"], tuple(s.get("aliases", ()))) for s in raw["sub_items"]
        ),
        business_types=tuple(
            BusinessType(
                type=b["type"],
                time_limit=_time_limit(b.get("time_limit")),
                documents=tuple(
                    DocumentRequirement(
                        name=d["name"],
                        form=d["form"],
                        copies=d["copies"],
                        required=d["required"],
                        condition=d.get("condition"),
                        note=d.get("note"),
                    )
                    for d in b["documents"]
                ),
            )
            for b in raw["business_types"]
        ),
    )


def _office(raw: dict[str, Any]) -> Office:
    summer = raw["hours"].get("summer")
    return Office(
        code=raw["code"],
        name=raw["name"],
        region=raw["region"],
        level=raw["level"],
        aliases=tuple(raw["aliases"]),
        address=raw["address"],
        phone=raw["phone"],
        hours=_hours(raw["hours"]["default"]),
        summer_hours=_hours(summer) if summer else None,
        windows=tuple(
            Window(w["type"], w["staff"], w["phone"], w["location"]) for w in raw["windows"]
        ),
    )


def _lexicon(raw: Any, rel: str, problems: list[Problem]) -> Lexicon | None:
    try:
        return Lexicon(
            business_types={b["name"]: tuple(b.get("aliases", ())) for b in raw["business_types"]},
            negation_cues=tuple(raw["negation_cues"]),
            positive_cues=tuple(raw["positive_cues"]),
            forms={k: tuple(v) for k, v in raw["forms"].items()},
            clause_breaks=tuple(raw["clause_breaks"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        problems.append(Problem(rel, None, None, f"lexicon is missing or malformed: {exc!r}"))
        return None


def _documents(paths: list[Path], root: Path, problems: list[Problem]) -> tuple[DocumentTerm, ...]:
    """Merge the vocabulary files; the same canonical name in two files merges aliases."""
    merged: dict[str, tuple[list[str], str | None]] = {}
    for path in paths:
        rel = f"catalog/{path.relative_to(root)}"
        data = _read_yaml(path, root, problems)
        if data is None:
            continue
        found = _schema_problems(data, "documents.schema.json", rel, root, None)
        if found:
            problems.extend(found)
            continue
        for entry in data["documents"]:
            aliases, _ = merged.setdefault(entry["name"], ([], entry.get("description")))
            aliases.extend(a for a in entry.get("aliases", []) if a not in aliases)
    return tuple(DocumentTerm(n, tuple(a), d) for n, (a, d) in merged.items())


def _cross_checks(
    items: list[tuple[str, Item]],
    offices: tuple[Office, ...],
    documents: tuple[DocumentTerm, ...],
    lexicon: Lexicon,
    problems: list[Problem],
) -> None:
    """Checks a schema cannot express: references, uniqueness, and what a status implies."""
    office_codes = {o.code for o in offices}
    doc_names = {d.name for d in documents}
    alias_owner: dict[str, str] = {}
    for doc in documents:
        for alias in (doc.name, *doc.aliases):
            key = normalize(alias)
            if alias_owner.setdefault(key, doc.name) != doc.name:
                problems.append(
                    Problem(
                        "catalog/documents",
                        None,
                        "aliases",
                        f"'{alias}' names both {alias_owner[key]} and {doc.name}",
                    )
                )
    seen_codes: dict[str, str] = {}
    item_words: dict[str, str] = {}
    for rel, item in items:
        tag = f"{item.code} {item.name}"
        if Path(rel).stem != item.code:
            problems.append(Problem(rel, tag, "code", f"file name should be {item.code}.yml"))
        if item.code in seen_codes:
            problems.append(
                Problem(rel, tag, "code", f"duplicate code, also in {seen_codes[item.code]}")
            )
        seen_codes[item.code] = rel
        for word in (item.name, *item.aliases):
            owner = item_words.setdefault(normalize(word), item.code)
            if owner != item.code:
                problems.append(
                    Problem(rel, tag, "aliases", f"'{word}' already names item {owner}")
                )
        if item.stopped and not (item.status_note and item.redirect):
            problems.append(
                Problem(rel, tag, "status", "a stopped item needs status_note and redirect")
            )
        if isinstance(item.accepted_at, tuple):
            for code in sorted(set(item.accepted_at) - office_codes):
                problems.append(Problem(rel, tag, "accepted_at", f"unknown office code {code}"))
        for s_index, sub in enumerate(item.sub_items):
            if not sub.code.startswith(item.code + "-"):
                problems.append(
                    Problem(
                        rel,
                        tag,
                        f"sub_items[{s_index}].code",
                        f"{sub.code} should start with {item.code}-",
                    )
                )
        types_seen: set[str] = set()
        for b_index, btype in enumerate(item.business_types):
            where = f"business_types[{b_index}]"
            if btype.type not in lexicon.business_types:
                problems.append(
                    Problem(
                        rel,
                        tag,
                        f"{where}.type",
                        f"'{btype.type}' is not a business type of lexicon.yml",
                    )
                )
            if btype.type in types_seen:
                problems.append(Problem(rel, tag, f"{where}.type", f"'{btype.type}' appears twice"))
            types_seen.add(btype.type)
            for d_index, line in enumerate(btype.documents):
                field = f"{where}.documents[{d_index}]"
                if line.name not in doc_names:
                    problems.append(
                        Problem(
                            rel,
                            tag,
                            f"{field}.name",
                            f"'{line.name}' is not in the document vocabulary",
                        )
                    )
                if not line.required and not line.condition:
                    problems.append(
                        Problem(
                            rel,
                            tag,
                            f"{field}.condition",
                            "a document that is not always required needs a condition",
                        )
                    )
    sub_codes: dict[str, str] = {}
    for rel, item in items:
        for sub in item.sub_items:
            if (
                sub_codes.setdefault(sub.code, rel) != rel
                or sum(s.code == sub.code for s in item.sub_items) > 1
            ):
                problems.append(
                    Problem(
                        rel,
                        f"{item.code} {item.name}",
                        "sub_items",
                        f"duplicate sub-item code {sub.code}",
                    )
                )


def _catalog_files(root: Path) -> Iterator[Path]:
    yield from sorted((root / "items").glob("*.yml"))


def read_catalog(root: Path) -> Catalog:
    """Read, validate and parse a catalog directory.

    Args:
        root: The catalog directory (holding items/, documents/, offices.yml, lexicon.yml).

    Returns:
        The parsed catalog, with a content version hash.

    Raises:
        CatalogError: If any file is missing, unreadable, or invalid; lists every problem.
    """
    problems: list[Problem] = []
    if not (root / "items").is_dir():
        raise CatalogError([Problem(str(root), None, None, "no items/ folder: is this a catalog?")])
    lex_rel = "catalog/lexicon.yml"
    lexicon = _lexicon(_read_yaml(root / "lexicon.yml", root, problems) or {}, lex_rel, problems)
    documents = _documents(sorted((root / "documents").glob("*.yml")), root, problems)

    offices: tuple[Office, ...] = ()
    office_data = _read_yaml(root / "offices.yml", root, problems)
    sample_note = ""
    if office_data is not None:
        found = _schema_problems(
            office_data, "offices.schema.json", "catalog/offices.yml", root, None
        )
        problems.extend(found)
        if not found:
            offices = tuple(_office(o) for o in office_data["offices"])
            sample_note = office_data["sample_data"]
            codes = [o.code for o in offices]
            for code in sorted({c for c in codes if codes.count(c) > 1}):
                problems.append(
                    Problem("catalog/offices.yml", None, "code", f"duplicate office {code}")
                )
            if sum(o.level == "city" for o in offices) != 1:
                problems.append(
                    Problem("catalog/offices.yml", None, "level", "exactly one city office")
                )
            for office in offices:
                if len({w.type for w in office.windows}) != len(office.windows):
                    problems.append(
                        Problem(
                            "catalog/offices.yml", office.code, "windows", "each window type once"
                        )
                    )

    items: list[tuple[str, Item]] = []
    for path in _catalog_files(root):
        rel = f"catalog/items/{path.name}"
        data = _read_yaml(path, root, problems)
        if data is None:
            continue
        tag = f"{data.get('code', '?')} {data.get('name', '?')}" if isinstance(data, dict) else None
        found = _schema_problems(data, "item.schema.json", rel, root, tag)
        if found:
            problems.extend(found)
            continue
        items.append((rel, _item(data)))
    if not items and not problems:
        problems.append(Problem("catalog/items", None, None, "no item files"))
    if lexicon is not None and offices:
        _cross_checks(items, offices, documents, lexicon, problems)
    if problems or lexicon is None:
        raise CatalogError(problems)
    parsed = Catalog(
        items=tuple(sorted((i for _, i in items), key=lambda i: i.code)),
        offices=offices,
        documents=documents,
        lexicon=lexicon,
        sample_note=sample_note,
    )
    return with_version(parsed)


def content_hash(catalog: Catalog) -> str:
    """A stable hash of the catalog's content (not of file layout or comments)."""
    payload = {
        "items": to_jsonable(catalog.items),
        "offices": to_jsonable(catalog.offices),
        "documents": to_jsonable(catalog.documents),
        "lexicon": to_jsonable(catalog.lexicon),
        "sample_note": catalog.sample_note,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def with_version(catalog: Catalog) -> Catalog:
    """Return the catalog stamped with its content hash."""
    return Catalog(
        items=catalog.items,
        offices=catalog.offices,
        documents=catalog.documents,
        lexicon=catalog.lexicon,
        sample_note=catalog.sample_note,
        version=content_hash(catalog),
    )
