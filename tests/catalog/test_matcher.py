"""Text → catalog matching over the phrasings people actually type."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog

# (text, expected item code, expected sub-item name or None)
ITEM_PHRASES: list[tuple[str, str, str | None]] = [
    ("电梯使用登记需要什么材料", "FW01", "电梯"),
    ("電梯使用登記需要什麼材料", "FW01", "电梯"),
    ("电梯 使用 登记！！！", "FW01", "电梯"),
    ("锅炉使用登记要带啥", "FW01", "锅炉"),
    ("叉车上牌怎么办", "FW01", None),
    ("办使用登记证", "FW01", None),
    ("特种设备使用登记", "FW01", None),
    ("工业产品生产许可证核发", "SP01", None),
    ("QS认证要什么材料", "SP01", None),
    ("ｑｓ", "SP01", None),
    ("办生产许可证需要啥", "SP01", None),
    ("电线电缆生产许可证", "SP01", "电线电缆"),
    ("化肥生产许可证怎么申请", "SP01", "化肥"),
    ("特种设备生产单位许可", "SP02", None),
    ("特种设备检验检测机构核准", "SP03", None),
    ("叉车证怎么考", "SP04", None),
    ("我想办个叉车证", "SP04", None),
    ("特种设备作业人员资格认定", "SP04", None),
    ("电梯证需要什么", "SP04", None),
    ("锅炉证", "SP04", None),
    ("气瓶充装许可", "SP05", None),
    ("移动式压力容器、气瓶充装单位许可", "SP05", None),
    ("建标需要什么材料", "SP06", None),
    ("计量标准考核", "SP06", None),
    ("计量器具型式批准", "SP07", None),
    ("制造、修理计量器具许可", "SP08", None),
    ("制造修理计量器具许可", "SP08", None),
    ("承担国家法定计量检定机构任务授权", "SP09", None),
    ("CMA", "SP10", None),
    ("cma资质认定要多久", "SP10", None),
    ("ＣＭＡ认证", "SP10", None),
    ("检验检测机构资质认定", "SP10", None),
    ("资质认定", "SP10", None),
    ("作业证复审", "FW02", None),
    ("叉车证复审要带什么", "FW02", None),
    ("特种设备作业人员证复审", "FW02", None),
    ("条形码怎么办", "FW03", None),
    ("条码续展", "FW03", None),
    ("商品条码注册", "FW03", None),
    ("企业产品标准自我声明公开", "FW04", None),
    ("企业标准公开", "FW04", None),
    ("组织机构代码证", "FW05", None),
    ("組織機構代碼證怎麼辦", "FW05", None),
    ("强检备案", "FW06", None),
    ("强制检定计量器具使用登记备案", "FW06", None),
    ("地理标志产品保护申报", "FW07", None),
    ("定量包装商品生产企业计量保证能力评价", "FW08", None),
    ("强检", "JY01", None),
    ("加油机强检", "JY01", None),
    ("电子秤强制检定", "JY01", None),
    ("血压计强检去哪", "JY01", None),
    ("电梯年检", "JY02", "电梯"),
    ("锅炉定期检验", "JY02", "锅炉"),
    ("特种设备定期检验", "JY02", None),
    ("特种设备安装监督检验", "JY03", None),
    ("产品质量委托检验", "JY04", None),
    ("送检", "JY04", None),
    ("委托校准", "JY05", None),
    ("计量器具委托检定校准", "JY05", None),
    ("12365", "TS01", None),
    ("产品质量投诉举报", "TS01", None),
    ("计量纠纷调解与仲裁检定", "TS02", None),
    ("产品质量争议仲裁检验", "TS03", None),
    ("特种设备安全隐患举报", "TS04", None),
    ("SP10", "SP10", None),
    ("jy01", "JY01", None),
]


@pytest.mark.parametrize(("text", "code", "sub"), ITEM_PHRASES)
def test_item_phrasings(matcher: Matcher, text: str, code: str, sub: str | None) -> None:
    match = matcher.match_items(text)
    assert match.best is not None, (text, match.candidates)
    assert match.best.item_code == code
    if sub is not None:
        item = matcher.catalog.item(code)
        assert item is not None
        found = item.sub_item(match.best.sub_item_code)
        assert found is not None and found.name.startswith(sub)


@pytest.mark.parametrize("text", ["电梯需要什么材料", "锅炉", "压力容器的事"])
def test_equipment_alone_is_ambiguous(matcher: Matcher, text: str) -> None:
    match = matcher.match_items(text)
    assert match.ambiguous and match.best is None
    assert len({c.item_code for c in match.candidates}) >= 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "今天天气怎么样",
        "😀😀😀",
        "<script>alert(1)</script>",
        "'; DROP TABLE catalog_items; --",
        "办社保卡",
        # An office's name holds no item ("浠水质监局" holds the CMA field word 水质).
        "浠水质监局",
        # Wanting one's home tested is not an institution's accreditation.
        "甲醛检测多少钱",
    ],
)
def test_nothing_matches_unrelated_text(matcher: Matcher, text: str) -> None:
    match = matcher.match_items(text)
    assert match.best is None


def test_huge_input_is_bounded(matcher: Matcher) -> None:
    text = "电梯使用登记" + "啊" * 5000
    assert matcher.match_items(text).best is not None


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("我有执照", "document", ["营业执照"]),
        ("统一社会信用代码证和法人身份证", "document", ["营业执照", "法定代表人身份证"]),
        ("我在团风", "office", ["TF"]),
        ("麻城市质监局在哪", "office", ["MC"]),
        ("黄州", "office", ["HG"]),
        ("换证", "business_type", ["延续"]),
        ("第一次申请", "business_type", ["新办"]),
    ],
)
def test_other_targets(matcher: Matcher, text: str, kind: str, expected: list[str]) -> None:
    assert matcher.targets(text, kind) == expected


def test_partial_name_falls_back_to_words(matcher: Matcher) -> None:
    match = matcher.match_items("我们想申请地理标志产品的保护")
    assert match.best is not None and match.best.item_code == "FW07"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("办计量授权新办，计量标准证书、仪器设备一览表我都有了", "SP09"),
        # With no other item named, the document is the clue to its item.
        ("我有特种设备使用登记表", "FW01"),
    ],
)
def test_items_inside_document_names(matcher: Matcher, text: str, code: str) -> None:
    best = matcher.match_items(text).best
    assert best is not None and best.item_code == code


def test_first_use_from_many_threads_builds_the_indexes_once(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first requests after start-up arrive together; each used to build jieba and the
    # typo index again (seconds each), so 50 concurrent confirms took 40 s instead of 3.
    import jieba

    built: list[int] = []
    original = jieba.Tokenizer

    class CountingTokenizer(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(jieba, "Tokenizer", CountingTokenizer)
    matcher = Matcher(catalog)
    # A text no exact or typo layer knows, so that every thread reaches the fuzzy layer.
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: matcher.match_items("某某某某办理"), range(16)))
    assert len(built) == 1
    assert len({r.candidates for r in results}) == 1
