"""JSON views of catalog things, shared by the CLI, the actions and (later) the gateway."""

from __future__ import annotations

from typing import Any

from chuangkou.catalog.codec import to_json
from chuangkou.catalog.model import Catalog, Item, Office


def item_json(catalog: Catalog, item: Item) -> dict[str, Any]:
    """The item JSON: everything a window knows about an item, with where it is accepted.

    Args:
        catalog: The catalog the item belongs to.
        item: The item.

    Returns:
        A JSON-ready dict.
    """
    data: dict[str, Any] = to_json(item)
    data["window"] = item.window
    data["accepting_offices"] = [
        {"code": o.code, "name": o.name} for o in catalog.accepting_offices(item)
    ]
    if not item.stopped:
        data.pop("status_note", None)
        data.pop("redirect", None)
    return data


def item_summary(item: Item) -> dict[str, Any]:
    """A short row for lists: code, name, category, status, number of sub-items."""
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "status": item.status,
        "sub_items": len(item.sub_items),
        "aliases": list(item.aliases),
    }


def office_json(office: Office) -> dict[str, Any]:
    """The office JSON."""
    data: dict[str, Any] = to_json(office)
    return data
