"""The one codec between the catalog's JSON form and its dataclasses.

``files.py`` turns the YAML files into this JSON form (only offices and the lexicon are
written differently on disk) and decodes with these functions; ``store.py`` writes
:func:`to_json` of each dataclass into the database and decodes the rows with the same
functions. So a field added to the catalog is read the same way from both places.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chuangkou.catalog.model import (
    BusinessType,
    Channel,
    DocumentRequirement,
    DocumentTerm,
    Fee,
    Hours,
    Item,
    Lexicon,
    Office,
    Referral,
    Review,
    SubItem,
    TimeLimit,
    When,
    Window,
)

Json = dict[str, Any]


def to_json(value: Any) -> Any:
    """Catalog dataclasses as plain JSON-ready values (tuples become lists)."""
    if hasattr(value, "__dataclass_fields__"):
        data = asdict(value)
        data.pop("_by_code", None)
        return to_json(data)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def _tuple(raw: Json, key: str) -> tuple[Any, ...]:
    return tuple(raw.get(key) or ())


def time_limit(raw: Json | None) -> TimeLimit | None:
    """A time limit, or None."""
    if raw is None:
        return None
    return TimeLimit(raw["statutory_days"], raw["promised_days"], raw.get("note"), raw.get("basis"))


def when(raw: Json | None) -> When | None:
    """A decidable condition, or None."""
    if not raw:
        return None
    return When(
        sub_items=_tuple(raw, "sub_items"), applicant=raw.get("applicant"), agent=raw.get("agent")
    )


def document(raw: Json) -> DocumentRequirement:
    """One line of a document list."""
    return DocumentRequirement(
        name=raw["name"],
        form=raw["form"],
        copies=raw["copies"],
        required=raw["required"],
        condition=raw.get("condition"),
        note=raw.get("note"),
        when=when(raw.get("when")),
        marks=_tuple(raw, "marks"),
        basis=raw.get("basis"),
    )


def business_type(raw: Json) -> BusinessType:
    """A business type with its documents."""
    return BusinessType(
        type=raw["type"],
        time_limit=time_limit(raw.get("time_limit")),
        documents=tuple(document(d) for d in raw["documents"]),
    )


def sub_item(raw: Json) -> SubItem:
    """A sub-item."""
    return SubItem(
        code=raw["code"],
        name=raw["name"],
        aliases=_tuple(raw, "aliases"),
        status=raw.get("status") or "active",
        status_note=raw.get("status_note"),
    )


def review(raw: Json | None) -> Review:
    """An item's review record (unreviewed when absent)."""
    if not raw:
        return Review()
    return Review(
        verified=bool(raw.get("verified")),
        reviewed_on=raw.get("reviewed_on"),
        sources_read=_tuple(raw, "sources_read"),
        unverified=_tuple(raw, "unverified"),
    )


def item(raw: Json) -> Item:
    """A major item with everything under it."""
    accepted = raw["accepted_at"]
    limit = time_limit(raw["time_limit"])
    assert limit is not None  # the schema requires it
    return Item(
        code=raw["code"],
        name=raw["name"],
        category=raw["category"],
        aliases=_tuple(raw, "aliases"),
        status=raw["status"],
        status_note=raw.get("status_note"),
        redirect=raw.get("redirect"),
        summary=raw["summary"],
        sample_data=raw.get("sample_data", True),
        source=_tuple(raw, "source"),
        legal_basis=_tuple(raw, "legal_basis"),
        deciding_authority=raw["deciding_authority"],
        accepted_at=accepted if isinstance(accepted, str) else tuple(accepted),
        time_limit=limit,
        fee=Fee(raw["fee"]["amount"], raw["fee"]["basis"], raw["fee"].get("note")),
        process=_tuple(raw, "process"),
        sub_items=tuple(sub_item(s) for s in raw["sub_items"]),
        business_types=tuple(business_type(b) for b in raw["business_types"]),
        review=review(raw.get("review")),
        apply_at=raw.get("apply_at"),
        online=tuple(
            Channel(c["name"], c.get("url"), c.get("note")) for c in raw.get("online") or ()
        ),
    )


def hours(raw: Json) -> Hours:
    """Office hours of one season."""
    return Hours(
        (raw["morning"][0], raw["morning"][1]),
        (raw["afternoon"][0], raw["afternoon"][1]),
        raw.get("season_from"),
        raw.get("season_to"),
    )


def office(raw: Json) -> Office:
    """An office (the stored form: ``hours`` and ``summer_hours``)."""
    summer = raw.get("summer_hours")
    return Office(
        code=raw["code"],
        name=raw["name"],
        region=raw["region"],
        level=raw["level"],
        aliases=_tuple(raw, "aliases"),
        address=raw["address"],
        phone=raw["phone"],
        hours=hours(raw["hours"]),
        summer_hours=hours(summer) if summer else None,
        windows=tuple(
            Window(w["type"], w["staff"], w["phone"], w["location"]) for w in raw["windows"]
        ),
    )


def document_term(raw: Json) -> DocumentTerm:
    """A canonical document name and its aliases."""
    return DocumentTerm(raw["name"], _tuple(raw, "aliases"), raw.get("description"))


def lexicon(raw: Json) -> Lexicon:
    """The parsing words (the stored form: business types as a name → aliases map)."""
    return Lexicon(
        business_types={k: tuple(v) for k, v in raw["business_types"].items()},
        negation_cues=_tuple(raw, "negation_cues"),
        positive_cues=_tuple(raw, "positive_cues"),
        forms={k: tuple(v) for k, v in raw["forms"].items()},
        clause_breaks=_tuple(raw, "clause_breaks"),
        words={k: tuple(v) for k, v in (raw.get("words") or {}).items()},
    )


def referral(raw: Json) -> Referral:
    """Another body's business and how to reach it."""
    return Referral(raw["key"], raw["name"], raw["contact"], _tuple(raw, "words"))
