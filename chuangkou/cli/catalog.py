"""``chuangkou catalog …``, ``db upgrade`` and ``nlu build``: the catalog and its artefacts."""

from __future__ import annotations

import argparse
import json
import sys

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.matcher import Matcher, describe
from chuangkou.catalog.store import CatalogCache, load_catalog
from chuangkou.catalog.views import item_json, item_summary
from chuangkou.cli.common import database, emit
from chuangkou.settings import Settings


def _validate(settings: Settings, _args: argparse.Namespace) -> int:
    catalog = read_catalog(settings.catalog_dir)
    print(
        f"catalog ok: {len(catalog.items)} items, {catalog.sub_item_count()} sub-items, "
        f"{len(catalog.offices)} offices, {len(catalog.documents)} documents, "
        f"version {catalog.version}"
    )
    return 0


def _load(settings: Settings, args: argparse.Namespace) -> int:
    catalog = read_catalog(settings.catalog_dir)
    changed = load_catalog(
        database(settings), catalog, source=str(settings.catalog_dir), force=args.force
    )
    state = "loaded" if changed else "unchanged"
    print(
        f"catalog {state}: version {catalog.version}, {len(catalog.items)} items, "
        f"{catalog.sub_item_count()} sub-items"
    )
    return 0


def _list(settings: Settings, args: argparse.Namespace) -> int:
    catalog = CatalogCache(database(settings)).get()
    emit([item_summary(i) for i in catalog.items], args.json)
    return 0


def _search(settings: Settings, args: argparse.Namespace) -> int:
    catalog = CatalogCache(database(settings)).get()
    rows = describe(Matcher(catalog).search(args.text), catalog)
    emit(rows, args.json)
    return 0 if rows else 1


def _show(settings: Settings, args: argparse.Namespace) -> int:
    catalog = CatalogCache(database(settings)).get()
    match = Matcher(catalog).match_items(args.text)
    if match.best is not None:
        item = catalog.item(match.best.item_code)
        assert item is not None
        emit(item_json(catalog, item), True)
        return 0
    if match.ambiguous:
        data = {"ambiguous": True, "candidates": describe(match, catalog)}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 2
    print(json.dumps({"found": False, "query": args.text}, ensure_ascii=False), file=sys.stderr)
    return 1


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    database(settings)
    print("database at the newest schema")
    return 0


def _nlu_build(settings: Settings, _args: argparse.Namespace) -> int:
    from chuangkou.nlu_build import build_artefacts

    catalog = read_catalog(settings.catalog_dir)
    for path in build_artefacts(catalog, settings.build_dir / "nlu"):
        print(f"wrote {path}")
    return 0


def register(top: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the catalog, db and nlu groups."""
    cat = top.add_parser("catalog", help="validate, load and query the catalog")
    cat_sub = cat.add_subparsers(dest="command", required=True)
    cat_sub.add_parser("validate", help="check the catalog files").set_defaults(func=_validate)
    load = cat_sub.add_parser("load", help="validate and load the catalog into the database")
    load.add_argument("--force", action="store_true", help="rewrite even if unchanged")
    load.set_defaults(func=_load)
    lst = cat_sub.add_parser("list", help="list items")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    for name, func, text_help in (
        ("search", _search, "words to search for"),
        ("show", _show, "name, alias or code of an item"),
    ):
        cmd = cat_sub.add_parser(name, help=f"{name} items")
        cmd.add_argument("text", help=text_help)
        cmd.add_argument("--json", action="store_true")
        cmd.set_defaults(func=func)
    db = top.add_parser("db", help="database schema")
    db.add_subparsers(dest="command", required=True).add_parser(
        "upgrade", help="apply migrations"
    ).set_defaults(func=_db_upgrade)
    nlu = top.add_parser("nlu", help="catalog-derived NLU artefacts")
    nlu.add_subparsers(dest="command", required=True).add_parser(
        "build", help="write the jieba dictionary and lookups"
    ).set_defaults(func=_nlu_build)
