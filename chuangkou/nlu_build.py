"""Generate the catalog-derived NLU artefacts into the build folder (never hand-edited).

* ``jieba/userdict.txt`` — every item, sub-item, document and office name and alias, so
  the engine's tokenizer keeps each one a single token.
* ``lookups.yml`` — Rasa lookup tables (catalog_item, catalog_document, catalog_office)
  for the RegexFeaturizer: "this message names a catalog thing" is a strong, catalog-size
  independent feature for the intent classifier.

The files are written only when their content changes, so their hash drives retraining.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from chuangkou.catalog.model import Catalog
from common.folding import to_simplified

# High enough that jieba prefers a catalog word over its own segmentation.
USERDICT_FREQ = 50000


def _clean(word: str) -> str:
    return "".join(to_simplified(word).split())


def _words(catalog: Catalog) -> dict[str, set[str]]:
    items: set[str] = set()
    for item in catalog.items:
        items.update((item.name, *item.aliases))
        for sub in item.sub_items:
            items.update((sub.name, *sub.aliases))
    docs = {w for d in catalog.documents for w in (d.name, *d.aliases)}
    offices = {w for o in catalog.offices for w in (o.name, *o.aliases)}
    return {
        "catalog_item": {_clean(w) for w in items} - {""},
        "catalog_document": {_clean(w) for w in docs} - {""},
        "catalog_office": {_clean(w) for w in offices} - {""},
    }


def _write_if_changed(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    return path


def build_artefacts(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Write the jieba user dictionary and the lookup tables for a catalog.

    Args:
        catalog: A validated catalog.
        out_dir: Where to write (``build/nlu``).

    Returns:
        The paths written (or left unchanged).
    """
    words = _words(catalog)
    every = sorted(set().union(*words.values()))
    userdict = "".join(f"{w} {USERDICT_FREQ} nz\n" for w in every)
    lookups = {
        "version": "3.1",
        "nlu": [
            {"lookup": name, "examples": "".join(f"- {w}\n" for w in sorted(ws))}
            for name, ws in sorted(words.items())
        ],
    }
    header = "# Generated from catalog/ by `chuangkou nlu build`. Do not edit.\n"
    return [
        _write_if_changed(out_dir / "jieba" / "userdict.txt", userdict),
        _write_if_changed(
            out_dir / "data" / "lookups.yml",
            header + yaml.safe_dump(lookups, allow_unicode=True, sort_keys=False, width=1000),
        ),
    ]
