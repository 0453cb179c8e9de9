"""Reading what people say they have or lack, and comparing with an item's list."""

from __future__ import annotations

import pytest

from chuangkou.catalog.doccheck import check, merge_state, read_possessions
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import BusinessType, Catalog

# (message, documents said to be there, documents said to be missing)
PHRASES: list[tuple[str, set[str], set[str]]] = [
    (
        "我有营业执照和法定代表人身份证，还差授权委托书",
        {"营业执照", "法定代表人身份证"},
        {"授权委托书"},
    ),
    ("执照带了，法人身份证没带", {"营业执照"}, {"法定代表人身份证"}),
    ("营业执照带了法人身份证没带", {"营业执照"}, {"法定代表人身份证"}),
    ("营业执照和委托书都没带", set(), {"营业执照", "授权委托书"}),
    ("没有营业执照和委托书", set(), {"营业执照", "授权委托书"}),
    ("没有营业执照，有委托书", {"授权委托书"}, {"营业执照"}),
    ("營業執照、委託書都有了", {"营业执照", "授权委托书"}, set()),
    ("营业执照 委托书", {"营业执照", "授权委托书"}, set()),
    ("委托书忘带了", set(), {"授权委托书"}),
    ("还缺统一社会信用代码证", set(), {"营业执照"}),
    # "还差啥" asks; it says nothing of the documents before it.
    ("有营业执照和授权委托书 还差啥", {"营业执照", "授权委托书"}, set()),
    ("营业执照有了，还缺哪些", {"营业执照"}, set()),
    # One character typed for another that sounds the same (pinyin input).
    ("我有授权委托树和营业执找", {"授权委托书", "营业执照"}, set()),
    ("经办人身分证没带", set(), {"经办人身份证"}),
    # A document's name inside an item's name is the item, not a document held.
    ("特种设备作业人员证复审，我有申报表", {"申请书"}, set()),
    # A copy word inside a document's name is part of the name.
    ("现场照片有了", {"证据材料"}, set()),
    ("今天天气不错", set(), set()),
    ("", set(), set()),
]


@pytest.mark.parametrize(("text", "has", "lacks"), PHRASES)
def test_possessions(matcher: Matcher, text: str, has: set[str], lacks: set[str]) -> None:
    said = read_possessions(text, matcher)
    assert {n for n, p in said.items() if p.has} == has
    assert {n for n, p in said.items() if not p.has} == lacks


def test_copy_only_is_recorded(matcher: Matcher) -> None:
    said = read_possessions("营业执照只有复印件", matcher)
    assert said["营业执照"].has and said["营业执照"].forms == frozenset({"复印件"})


def _new_registration(catalog: Catalog) -> BusinessType:
    """A list with several always-required lines: 作业人员资格认定, 新办.

    (FW01 新办 has one always-required line since its other lines depend on the
    equipment, the applicant and whether someone applies on another's behalf.)
    """
    item = catalog.item("SP04")
    assert item is not None
    btype = item.business_type("新办")
    assert btype is not None
    assert sum(d.required for d in btype.documents) >= 2
    return btype


def test_check_lists_exactly_what_is_missing(catalog: Catalog) -> None:
    btype = _new_registration(catalog)
    required = [d.name for d in btype.documents if d.required]
    state = merge_state(None, {})
    state[required[0]] = {"has": True, "forms": []}
    result = check(btype.documents, state)
    assert [g.requirement.name for g in result.missing] == required[1:]
    assert {d.name for d in result.conditional} == {
        d.name for d in btype.documents if not d.required
    }
    assert not result.complete


def test_check_complete_and_not_needed(catalog: Catalog) -> None:
    btype = _new_registration(catalog)
    state = {d.name: {"has": True, "forms": []} for d in btype.documents if d.required}
    listed = {d.name for d in btype.documents}
    extra = next(d.name for d in catalog.documents if d.name not in listed)
    state[extra] = {"has": True, "forms": []}
    result = check(btype.documents, state)
    assert result.complete
    assert result.not_needed == (extra,)


def test_check_copy_where_original_needed(catalog: Catalog) -> None:
    btype = _new_registration(catalog)
    original = next(d for d in btype.documents if d.required and "原件" in d.form)
    state = {d.name: {"has": True, "forms": []} for d in btype.documents if d.required}
    state[original.name] = {"has": True, "forms": ["复印件"]}
    result = check(btype.documents, state)
    assert [(g.requirement.name, g.reason) for g in result.missing] == [
        (original.name, "need_original")
    ]


def test_merge_state_latest_wins(matcher: Matcher) -> None:
    first = merge_state(None, read_possessions("没有营业执照", matcher))
    second = merge_state(first, read_possessions("营业执照找到了，带了", matcher))
    assert first["营业执照"]["has"] is False
    assert second["营业执照"]["has"] is True
