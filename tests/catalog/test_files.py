"""Catalog validation: a bad file gives a message naming file, item and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chuangkou.catalog.files import CatalogError, read_catalog
from chuangkou.catalog.model import Catalog

REQUIRED_ITEMS = {
    "行政审批": [
        "工业产品生产许可证核发",
        "特种设备生产单位许可",
        "特种设备检验检测机构核准",
        "特种设备作业人员资格认定",
        "移动式压力容器、气瓶充装单位许可",
        "计量标准器具核准",
        "计量器具型式批准",
        "制造、修理计量器具许可",
        "承担国家法定计量检定机构任务授权",
        "检验检测机构资质认定",
    ],
    "行政服务": [
        "特种设备使用登记",
        "特种设备作业人员证复审",
        "商品条码注册与续展",
        "企业产品标准自我声明公开",
        "组织机构代码证办理",
        "强制检定计量器具使用登记备案",
        "地理标志产品保护申报",
        "定量包装商品生产企业计量保证能力评价",
        "特种设备安装改造修理告知",
    ],
    "法定检验": [
        "强制检定计量器具检定",
        "特种设备定期检验",
        "特种设备安装监督检验",
        "产品质量委托检验",
        "计量器具委托检定校准",
    ],
    "咨询投诉": [
        "产品质量投诉举报",
        "计量纠纷调解与仲裁检定",
        "产品质量争议仲裁检验",
        "特种设备安全隐患举报",
    ],
}
COUNTIES = [
    "团风县",
    "红安县",
    "罗田县",
    "英山县",
    "浠水县",
    "蕲春县",
    "黄梅县",
    "麻城市",
    "武穴市",
]


def test_real_catalog_has_its_items_by_category(catalog: Catalog) -> None:
    by_category = {
        c: sorted(i.name for i in catalog.items if i.category == c) for c in catalog.window_types
    }
    assert by_category == {c: sorted(names) for c, names in REQUIRED_ITEMS.items()}


def test_real_catalog_size_and_offices(catalog: Catalog) -> None:
    assert catalog.sub_item_count() >= 150
    assert [o.region for o in catalog.offices if o.level == "county"] == COUNTIES or sorted(
        o.region for o in catalog.offices if o.level == "county"
    ) == sorted(COUNTIES)
    city = catalog.city_office()
    assert sum(w.staff for w in city.windows) == 10
    for office in catalog.offices:
        assert sorted(w.type for w in office.windows) == sorted(catalog.window_types)
        if office.level == "county":
            assert 5 <= sum(w.staff for w in office.windows) <= 6, office.name


def test_every_item_cites_a_source_and_is_marked_sample(catalog: Catalog) -> None:
    for item in catalog.items:
        assert item.source and item.legal_basis, item.code
        assert item.sample_data, item.code


def test_organisation_code_item_is_stopped_with_redirect(catalog: Catalog) -> None:
    item = next(i for i in catalog.items if i.name == "组织机构代码证办理")
    assert item.stopped and item.status_note and item.redirect


def _edit(root: Path, name: str, change: dict[str, object]) -> None:
    path = root / "items" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        target = data
        keys = dotted.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "SP01.yml",
            {"business_types.0.documents.0.form": "照片"},
            "business_types[0].documents[0].form",
        ),
        ("FW01.yml", {"time_limit.promised_days": -3}, "time_limit.promised_days"),
        ("SP10.yml", {"category": "行政许可"}, "field category"),
        ("JY01.yml", {"business_types.0.documents.0.name": "不存在的材料"}, "document vocabulary"),
        ("TS01.yml", {"accepted_at": ["XX"]}, "unknown office code XX"),
        ("FW02.yml", {"business_types.0.type": "瞎办"}, "not a business type"),
        ("SP04.yml", {"status": "stopped", "status_note": None}, "needs status_note and redirect"),
    ],
)
def test_bad_item_names_file_item_and_field(
    catalog_copy: Path, file: str, change: dict[str, object], expected: str
) -> None:
    _edit(catalog_copy, file, change)
    with pytest.raises(CatalogError) as err:
        read_catalog(catalog_copy)
    message = str(err.value)
    assert f"catalog/items/{file}" in message
    assert f"item {file[:-4]} " in message
    assert expected in message


def test_alias_claimed_by_two_items_is_rejected(catalog_copy: Path, catalog: Catalog) -> None:
    other = next(i for i in catalog.items if i.code == "SP10")
    path = catalog_copy / "items" / "FW03.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["aliases"].append(other.aliases[0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="already names item"):
        read_catalog(catalog_copy)


def test_broken_yaml_is_reported_not_raised_raw(catalog_copy: Path) -> None:
    (catalog_copy / "items" / "SP02.yml").write_text(
        "code: SP02\nname: [unclosed\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"catalog/items/SP02.yml: not valid YAML"):
        read_catalog(catalog_copy)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no items/ folder"):
        read_catalog(tmp_path)


def test_version_is_a_content_hash(catalog_copy: Path, catalog: Catalog) -> None:
    assert read_catalog(catalog_copy).version == catalog.version
    path = catalog_copy / "items" / "JY02.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n# a comment changes nothing\n", encoding="utf-8"
    )
    assert read_catalog(catalog_copy).version == catalog.version
    _edit(catalog_copy, "JY02.yml", {"time_limit.promised_days": 99})
    assert read_catalog(catalog_copy).version != catalog.version
