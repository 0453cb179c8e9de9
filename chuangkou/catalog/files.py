"""Read and validate the catalog's YAML files into a :class:`Catalog`.

Validation is all-or-nothing: every problem in every file is collected first (the JSON
schemas per file, then the cross-file checks of :mod:`.checks`), and a catalog with any
problem is rejected whole, so the database never holds half a catalog. Each problem
names the file, the item and the field. Parsing goes through :mod:`.codec`, the same
decoder the database uses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from chuangkou.catalog import codec
from chuangkou.catalog.checks import Parsed, Problem, run_checks
from chuangkou.catalog.model import Catalog, DocumentTerm, Lexicon, Office, Referral

SCHEMA_DIR = "schema"

__all__ = ["CatalogError", "Problem", "read_catalog", "window_types"]


class CatalogError(Exception):
    """The catalog files are invalid; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def _schema(schema_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    return data


@cache
def _validator(schema_path: Path) -> Draft202012Validator:
    return Draft202012Validator(_schema(schema_path))


def window_types(root: Path) -> tuple[tuple[str, ...], str]:
    """The window types (the item schema's categories) and which one takes complaints.

    The schema is the one place the four window types are written down.
    """
    category = _schema(root / SCHEMA_DIR / "item.schema.json")["properties"]["category"]
    return tuple(category["enum"]), str(category["x-complaint-window"])


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


def _office_json(raw: dict[str, Any]) -> dict[str, Any]:
    """offices.yml's form (``hours: {default, summer}``) as the stored form."""

    def session(hours: dict[str, Any]) -> dict[str, Any]:
        return {
            "morning": hours["morning"],
            "afternoon": hours["afternoon"],
            "season_from": hours.get("from"),
            "season_to": hours.get("to"),
        }

    summer = raw["hours"].get("summer")
    return {
        **{k: v for k, v in raw.items() if k != "hours"},
        "hours": session(raw["hours"]["default"]),
        "summer_hours": session(summer) if summer else None,
    }


def _words(root: Path, problems: list[Problem]) -> dict[str, list[str]]:
    """words.yml: the conversation's named word lists (each a list of words)."""
    path = root / "words.yml"
    if not path.exists():
        return {}
    data = _read_yaml(path, root, problems)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(w, str) and w for w in v)
        for k, v in data.items()
    ):
        problems.append(Problem("catalog/words.yml", None, None, "each entry: name: [words]"))
        return {}
    return {k: [str(w) for w in v] for k, v in data.items()}


def _lexicon(
    raw: Any, words: dict[str, list[str]], rel: str, problems: list[Problem]
) -> Lexicon | None:
    """lexicon.yml's form (business types as a list) as the stored form, decoded."""
    try:
        stored = {
            **raw,
            "business_types": {b["name"]: b.get("aliases", []) for b in raw["business_types"]},
            "words": {**(raw.get("words") or {}), **words},
        }
        return codec.lexicon(stored)
    except (KeyError, TypeError, AttributeError) as exc:
        problems.append(Problem(rel, None, None, f"lexicon is missing or malformed: {exc!r}"))
        return None


def _referrals(root: Path, problems: list[Problem]) -> tuple[Referral, ...]:
    path = root / "referrals.yml"
    if not path.exists():
        return ()
    data = _read_yaml(path, root, problems)
    if data is None:
        return ()
    found = _schema_problems(data, "referrals.schema.json", "catalog/referrals.yml", root, None)
    if found:
        problems.extend(found)
        return ()
    return tuple(codec.referral(r) for r in data["referrals"])


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


def _offices(root: Path, problems: list[Problem]) -> tuple[tuple[Office, ...], str]:
    data = _read_yaml(root / "offices.yml", root, problems)
    if data is None:
        return (), ""
    found = _schema_problems(data, "offices.schema.json", "catalog/offices.yml", root, None)
    if found:
        problems.extend(found)
        return (), ""
    return tuple(codec.office(_office_json(o)) for o in data["offices"]), data["sample_data"]


def read_catalog(root: Path) -> Catalog:
    """Read, validate and parse a catalog directory.

    Args:
        root: The catalog directory (holding items/, documents/, offices.yml, lexicon.yml,
            referrals.yml and schema/).

    Returns:
        The parsed catalog, with a content version hash.

    Raises:
        CatalogError: If any file is missing, unreadable, or invalid; lists every problem.
    """
    problems: list[Problem] = []
    if not (root / "items").is_dir():
        raise CatalogError([Problem(str(root), None, None, "no items/ folder: is this a catalog?")])
    lexicon = _lexicon(
        _read_yaml(root / "lexicon.yml", root, problems) or {},
        _words(root, problems),
        "catalog/lexicon.yml",
        problems,
    )
    documents = _documents(sorted((root / "documents").glob("*.yml")), root, problems)
    offices, sample_note = _offices(root, problems)
    referrals = _referrals(root, problems)
    items = []
    for path in sorted((root / "items").glob("*.yml")):
        rel = f"catalog/items/{path.name}"
        data = _read_yaml(path, root, problems)
        if data is None:
            continue
        tag = f"{data.get('code', '?')} {data.get('name', '?')}" if isinstance(data, dict) else None
        found = _schema_problems(data, "item.schema.json", rel, root, tag)
        if found:
            problems.extend(found)
            continue
        items.append((rel, codec.item(data)))
    if not items and not problems:
        problems.append(Problem("catalog/items", None, None, "no item files"))
    if lexicon is not None and offices:
        parsed = Parsed(tuple(items), offices, documents, lexicon, referrals)
        problems.extend(run_checks(parsed))
    if problems or lexicon is None:
        raise CatalogError(problems)
    types, complaints = window_types(root)
    catalog = Catalog(
        items=tuple(sorted((i for _, i in items), key=lambda i: i.code)),
        offices=offices,
        documents=documents,
        lexicon=lexicon,
        sample_note=sample_note,
        window_types=types,
        complaint_window=complaints,
        referrals=referrals,
    )
    return with_version(catalog)


def content_hash(catalog: Catalog) -> str:
    """A stable hash of the catalog's content (not of file layout or comments)."""
    payload = {
        "items": codec.to_json(catalog.items),
        "offices": codec.to_json(catalog.offices),
        "documents": codec.to_json(catalog.documents),
        "lexicon": codec.to_json(catalog.lexicon),
        "sample_note": catalog.sample_note,
        "window_types": list(catalog.window_types),
        "complaint_window": catalog.complaint_window,
        "referrals": codec.to_json(catalog.referrals),
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def with_version(catalog: Catalog) -> Catalog:
    """Return the catalog stamped with its content hash."""
    return replace(catalog, version=content_hash(catalog), _by_code={})
