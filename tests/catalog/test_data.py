"""What the corrected catalog data says: facts from the rules that must not drift back."""

from __future__ import annotations

from chuangkou.catalog.model import Catalog


def test_offices_carry_the_bureaus_names_after_the_reform(catalog: Catalog) -> None:
    for office in catalog.offices:
        assert office.name.endswith("市场监督管理局"), office.name
        assert "质量技术监督局" not in office.name
        # The old names stay findable: people still say 质监局.
        assert any("质监" in a for a in office.aliases), office.code


def test_the_old_hotline_is_an_alias_of_the_complaint_item(catalog: Catalog) -> None:
    complaints = catalog.item("TS01")
    assert complaints is not None
    assert "12365" in complaints.aliases and "12315" in complaints.aliases
    assert "12365" in complaints.summary and "12315" in complaints.summary


def test_items_decided_elsewhere_are_not_accepted_here(catalog: Catalog) -> None:
    # Provincial or national approvals, national registers and online self-declarations.
    for code in ("SP01", "SP02", "SP03", "SP05", "SP07", "SP10", "FW03", "FW04", "FW07", "FW08"):
        item = catalog.item(code)
        assert item is not None
        assert item.not_here and item.apply_at, code
        assert catalog.accepting_offices(item) == (), code


def test_installation_notice_goes_to_the_city_bureau_only(catalog: Catalog) -> None:
    item = catalog.item("FW09")
    assert item is not None and not item.stopped
    assert [o.code for o in catalog.accepting_offices(item)] == [catalog.city_office().code]
    assert any("第二十三条" in b for b in item.legal_basis)


def test_licence_catalogue_of_2024(catalog: Catalog) -> None:
    item = catalog.item("SP01")
    assert item is not None
    live = {s.name for s in item.sub_items if not s.abolished}
    for product in (
        "冷轧带肋钢筋",
        "瓶装液化石油气调压器",
        "钢丝绳",
        "胶合板",
        "细木工板",
        "安全帽",
    ):
        assert product in live, product
    gone = {s.name: s for s in item.sub_items if s.abolished}
    for product in ("建筑防水卷材", "内燃机", "机动车辆制动液", "砂轮"):
        assert "国发〔2019〕19号" in (gone[product].status_note or ""), product


def test_operator_renewal_is_the_same_in_both_items(catalog: Catalog) -> None:
    licence, renewal = catalog.item("SP04"), catalog.item("FW02")
    assert licence is not None and renewal is not None
    first = licence.business_type("复审")
    second = renewal.business_type("复审")
    assert first is not None and second is not None
    assert first.documents == second.documents
    assert licence.deciding_authority == renewal.deciding_authority
    photos = [d for b in licence.business_types for d in b.documents if d.name == "近期免冠照片"]
    assert photos and all("2寸" in (d.note or "") for d in photos)


def test_registration_conditions_are_decidable(catalog: Catalog) -> None:
    item = catalog.item("FW01")
    assert item is not None
    names = {s.name: s.code for s in item.sub_items}
    new = item.business_type("新办")
    assert new is not None
    lines = {d.name: d for d in new.documents}
    licence = lines["机动车行驶证"].when
    certificate = lines["机动车登记证书"].when
    assert licence is not None and licence.sub_items == (names["移动式压力容器"],)
    assert certificate is not None and certificate.sub_items == (names["车用气瓶"],)
    firm, person = lines["营业执照"].when, lines["申请人身份证"].when
    assert firm is not None and firm.applicant == "企业"
    assert person is not None and person.applicant == "个人"
    agent = lines["授权委托书"].when
    assert agent is not None and agent.agent is True
    # 气瓶 and 工业管道 are registered per user unit, with a summary table each.
    assert lines["气瓶基本信息汇总表"].when is not None
    assert lines["压力管道基本信息汇总表"].when is not None


def test_every_item_has_a_review_record(catalog: Catalog) -> None:
    for item in catalog.items:
        assert item.review.reviewed_on, item.code
        if not item.review.verified:
            # What could not be confirmed is said, so the assistant can say it too.
            assert item.review.unverified, item.code
