"""The gateway's own messages, read from ``messages.yml`` (no Chinese text in code)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

MESSAGES = Path(__file__).with_name("messages.yml")


@cache
def messages() -> dict[str, str]:
    """All gateway messages by key."""
    data = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def text(key: str, **values: str) -> str:
    """One message, with ``{placeholders}`` filled."""
    return messages()[key].format(**values)


SITE_KEYS = (
    "bureau",
    "service",
    "host",
    "host_contact",
    "hotline",
    "hotline_note",
    "complaint_hotline",
    "filing",
)


def site_info(path: Path) -> dict[str, str]:
    """Who runs the site (the keys of :data:`SITE_KEYS`, each a string, "" when unset)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: str(data.get(key) or "") for key in SITE_KEYS}
