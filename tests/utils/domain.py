"""Load the real domain the way Rasa merges a directory of domain files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chuangkou.settings import PROJECT_ROOT


def load_domain(directory: Path = PROJECT_ROOT / "bot" / "domain") -> dict[str, Any]:
    """Merge every domain file (intents, slots, responses, actions) into one dict."""
    merged: dict[str, Any] = {
        "intents": [],
        "entities": [],
        "slots": {},
        "responses": {},
        "actions": [],
    }
    for path in sorted(directory.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("intents", "entities", "actions"):
            merged[key].extend(part.get(key, []))
        for key in ("slots", "responses"):
            merged[key].update(part.get(key, {}))
    return merged
