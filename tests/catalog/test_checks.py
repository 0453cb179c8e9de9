"""Each cross-file check finds the fault it is named for, and the real catalog has none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from chuangkou.catalog.checks import CHECKS, Parsed, run_checks
from chuangkou.catalog.model import Catalog, DocumentTerm, Item, Review, When


def _parsed(catalog: Catalog) -> Parsed:
    return Parsed(
        tuple((f"catalog/items/{i.code}.yml", i) for i in catalog.items),
        catalog.offices,
        catalog.documents,
        catalog.lexicon,
        catalog.referrals,
    )


def _with_item(parsed: Parsed, code: str, change: Callable[[Item], Item]) -> Parsed:
    items = tuple((rel, change(i) if i.code == code else i) for rel, i in parsed.items)
    return replace(parsed, items=items)


def _first_doc(item: Item, **changes: object) -> Item:
    btype = item.business_types[0]
    docs = (replace(btype.documents[0], **changes), *btype.documents[1:])  # type: ignore[arg-type]
    return replace(item, business_types=(replace(btype, documents=docs), *item.business_types[1:]))


BREAKS: dict[str, Callable[[Parsed], Parsed]] = {
    "document_aliases_unique": lambda p: replace(
        p, documents=(*p.documents, DocumentTerm("另一份材料", (p.documents[0].name,)))
    ),
    "item_files_named_by_code": lambda p: replace(
        p, items=(("catalog/items/XX99.yml", p.items[0][1]), *p.items[1:])
    ),
    "item_codes_unique": lambda p: replace(
        p, items=(*p.items, ("catalog/items/dup.yml", p.items[0][1]))
    ),
    "item_words_unique": lambda p: _with_item(
        p, "FW03", lambda i: replace(i, aliases=(*i.aliases, "CMA"))
    ),
    "stopped_items_explained": lambda p: _with_item(
        p, "SP04", lambda i: replace(i, status="stopped", status_note=None)
    ),
    "items_elsewhere_say_where": lambda p: _with_item(
        p, "FW07", lambda i: replace(i, accepted_at="none", apply_at=None)
    ),
    "accepting_offices_exist": lambda p: _with_item(
        p, "TS01", lambda i: replace(i, accepted_at=("XX",))
    ),
    "sub_item_codes_prefixed": lambda p: _with_item(
        p, "FW01", lambda i: replace(i, sub_items=(replace(i.sub_items[0], code="SP01-99"),))
    ),
    "sub_item_codes_unique": lambda p: _with_item(
        p, "FW01", lambda i: replace(i, sub_items=(*i.sub_items, i.sub_items[0]))
    ),
    "business_types_known": lambda p: _with_item(
        p,
        "FW02",
        lambda i: replace(i, business_types=(replace(i.business_types[0], type="瞎办"),)),
    ),
    "documents_in_vocabulary": lambda p: _with_item(
        p, "JY01", lambda i: _first_doc(i, name="不存在的材料")
    ),
    "optional_documents_say_when": lambda p: _with_item(
        p, "JY01", lambda i: _first_doc(i, required=False, condition=None)
    ),
    "conditions_name_real_sub_items": lambda p: _with_item(
        p,
        "FW01",
        lambda i: _first_doc(i, required=False, condition="x", when=When(sub_items=("FW01-99",))),
    ),
    "offices_unique": lambda p: replace(p, offices=(*p.offices, p.offices[0])),
    "abolished_sub_items_explained": lambda p: _with_item(
        p,
        "SP01",
        lambda i: replace(
            i, sub_items=(replace(i.sub_items[0], status="abolished", status_note=None),)
        ),
    ),
    "active_items_cite_basis": lambda p: _with_item(p, "FW01", lambda i: _first_doc(i, basis=None)),
    "verified_items_cite_sources": lambda p: _with_item(
        p, "TS01", lambda i: replace(i, review=Review(verified=True, reviewed_on="2026-12-01"))
    ),
    "old_bureau_name_only_as_history": lambda p: _with_item(
        p, "FW01", lambda i: replace(i, deciding_authority="黄冈市质量技术监督局")
    ),
    "old_hotline_only_beside_12315": lambda p: _with_item(
        p, "TS04", lambda i: replace(i, summary="请拨打12365热线举报。")
    ),
    "redirects_exist": lambda p: _with_item(p, "SP08", lambda i: replace(i, redirect="SP99")),
}


def test_every_check_has_a_breaking_case() -> None:
    assert set(BREAKS) == {check.__name__ for check in CHECKS}


def test_the_real_catalog_passes_every_check(catalog: Catalog) -> None:
    assert run_checks(_parsed(catalog)) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_each_check_finds_its_fault(catalog: Catalog, check: Callable[[Parsed], object]) -> None:
    broken = BREAKS[check.__name__](_parsed(catalog))
    found = run_checks(broken, (check,))  # type: ignore[arg-type]
    assert found, check.__name__
    assert all(p.file.startswith("catalog/") for p in found)
