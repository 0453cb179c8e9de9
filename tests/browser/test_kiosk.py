"""The hall kiosk in a real browser, on its own 1080×1920 portrait screen.

Browse → check → book → ticket; 返回 keeps what was ticked and chosen; refusals for items
the office does not take; a wrong office; stopped and complaint items; shortcuts from the
catalog; header clock and footer; finding and cancelling a booking; printed checklist and
ticket; 关怀模式; the idle countdown and wipe. On every screen, in both modes: targets at
least 60 px high with text of at least 24 px, and every text colour at least 4.5:1
against its background. Each screen is saved under build/screenshots/kiosk-*.png.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import CONTRAST_HELPERS_JS, SHOTS, shot

pytestmark = pytest.mark.engine
VIEWPORT = {"width": 1080, "height": 1920}
MIN_TARGET_PX = 60
MIN_TEXT_PX = 24
MIN_CONTRAST = 4.5
# Each booking of these tests gets its own phone: the per-phone limits stay out of the way.
_PHONES = (f"1391234{n:04d}" for n in count(1000))

_TARGETS_JS = """() => Array.from(document.querySelectorAll('button, input, [role=button]'))
  .filter(b => b.getClientRects().length && getComputedStyle(b).visibility !== 'hidden')
  .map(b => { const r = b.getBoundingClientRect(); return { text: (b.textContent || b.id).trim(),
    height: r.height, width: r.width, font: parseFloat(getComputedStyle(b).fontSize) }; })"""

# Elements with text of their own that is on screen: their font size and colours.
_TEXTS_JS = (
    """() => {
"""
    + CONTRAST_HELPERS_JS
    + """  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('[hidden], template, script, style')) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const bg = behind(el);
    const fg = blend(parse(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({ text: el.textContent.trim().slice(0, 40), font: parseFloat(style.fontSize),
      contrast: (a + 0.05) / (b + 0.05), color: style.color,
      background: 'rgb(' + bg.slice(0, 3).join(',') + ')' });
  }
  return out; }"""
)


def _kiosk(browser: Any, site: dict[str, Any], office: str = "HG", query: str = "") -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.ck_errors = errors
    page.goto(f"{site['url']}/kiosk?office={office}{query}")
    page.locator("#k-windows button").first.wait_for()
    return page


def check_screen(page: Any, name: str) -> None:
    """Sizes and contrast of everything on screen now; saves kiosk-<name>.png."""
    page.wait_for_timeout(150)  # let images and late text settle before measuring
    assert getattr(page, "ck_errors", []) == [], name  # no script error on the way here
    targets = page.evaluate(_TARGETS_JS)
    assert targets, name
    small = [t for t in targets if t["height"] < MIN_TARGET_PX or t["width"] < MIN_TARGET_PX]
    assert small == [], (name, small)
    tiny = [t for t in targets if t["font"] < MIN_TEXT_PX]
    assert tiny == [], (name, tiny)
    texts = page.evaluate(_TEXTS_JS)
    assert texts, name
    too_small = [t for t in texts if t["font"] < MIN_TEXT_PX]
    assert too_small == [], (name, too_small)
    faint = [t for t in texts if t["contrast"] < MIN_CONTRAST]
    assert faint == [], (name, faint)
    shot(page, f"kiosk-{name}")


def _open_item(page: Any, window: str, item: str, *, elsewhere: bool = False) -> None:
    page.locator("#k-windows button", has_text=window).click()
    box = "#k-elsewhere" if elsewhere else "#k-items"
    page.locator(f"{box} button", has_text=item).click()
    page.locator("#k-item-name", has_text=item).wait_for()


def _type(page: Any, pad: str, keys: str) -> None:
    for key in keys:
        page.locator(f"{pad} button", has_text=re.compile(f"^{key}$")).click()


def _to_phone_screen(page: Any) -> str:
    """From an item screen: book, first day, first afternoon slot; returns the slot text."""
    page.click("#k-do-book")
    page.locator("#k-days button").first.click()
    slot = page.locator("#k-pm button").first
    label = str(slot.locator(".k-tile-label").inner_text())
    slot.click()
    page.locator("#s-phone").wait_for()
    return label


def _body_text(page: Any) -> str:
    return str(page.evaluate("() => document.body.innerText"))


def _shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def _polite(message: str) -> bool:
    return bool(message.strip()) and not re.search(r"[A-Za-z_]{2,}", message)


@pytest.mark.parametrize("care", [False, True], ids=["normal", "care"])
def test_every_screen_is_big_and_readable(browser: Any, site: dict[str, Any], care: bool) -> None:
    page = _kiosk(browser, site)
    prefix = "care-" if care else ""
    if care:
        page.click("#k-care")
        assert page.get_attribute("html", "data-care") == "on"
    check_screen(page, prefix + "home")
    page.locator("#k-windows button", has_text="行政服务").click()
    assert page.locator("#k-back").is_visible()
    check_screen(page, prefix + "items")
    page.locator("#k-items button", has_text="特种设备使用登记").click()
    page.locator("#k-types button", has_text="新办").wait_for()
    page.locator("#k-docs button").first.click()
    check_screen(page, prefix + "item")
    page.click("#k-do-book")
    page.locator("#k-days button").first.wait_for()
    check_screen(page, prefix + "days")
    page.locator("#k-days button").first.click()
    check_screen(page, prefix + "times")
    page.locator("#k-pm button").first.click()
    _type(page, "#k-pad", next(_PHONES))
    check_screen(page, prefix + "phone")
    page.click("#k-confirm")
    page.locator("#t-ref").filter(has_text=re.compile(r"\w{8}")).wait_for()
    check_screen(page, prefix + "done")
    page.click("#k-done-home")
    page.click("#k-find-open")
    check_screen(page, prefix + "find-ref")
    _type(page, "#k-refpad", "ABCD2345")
    page.click("#k-ref-next")
    _type(page, "#k-pad-find", "13912340000")
    page.click("#k-find-go")
    page.locator("#k-find-error", has_text="没有找到").wait_for()
    check_screen(page, prefix + "find-phone")
    page.click("#k-home")
    page.click("#k-chat-open")
    check_screen(page, prefix + "chat")
    page.click("#k-chat-close")
    page.context.close()


def test_book_with_name_and_ticks_then_ticket(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    _open_item(page, "行政服务", "特种设备使用登记")
    facts = page.inner_text("#k-facts")
    assert "承诺时限" in facts and "5 个工作日" in facts and "不收费" in facts
    assert "黄冈市民之家二楼 23号窗口" in facts and "0713-8661202" in facts
    page.locator("#k-docs button", has_text="特种设备使用登记表").click()
    page.locator("#k-applicant button", has_text="单位或企业").click()
    label = _to_phone_screen(page)
    assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", label) and label >= "14:30"
    phone = next(_PHONES)
    _type(page, "#k-pad", phone)
    assert page.inner_text("#k-phone") == f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    page.fill("#k-name", "张三")
    page.click("#k-confirm")
    page.locator("#t-ref").filter(has_text=re.compile(r"\w{8}")).wait_for()
    ticket = page.inner_text("#k-ticket")
    ref = page.inner_text("#t-ref")
    assert re.search(r"星期[一二三四五六日]", ticket) and label in ticket
    assert "黄冈市市场监督管理局" in ticket and "黄冈市民之家二楼 23号窗口" in ticket
    assert "营业执照" in page.inner_text("#t-missing")  # a firm's, not ticked
    assert "特种设备使用登记表" not in page.inner_text("#t-missing")
    assert "查询或取消预约" in ticket and "0713-8661202" in ticket and "张三" in ticket
    masked = f"{phone[:3]}****{phone[7:]}"
    assert masked in ticket and phone not in _body_text(page)
    assert page.inner_text("#k-phone") == "—"  # the number is gone from the page
    for _ in range(50):
        if page.evaluate("() => document.getElementById('t-qr').naturalWidth") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => document.getElementById('t-qr').naturalWidth") > 0
    assert f"ref={ref}" in page.get_attribute("#t-qr", "src") and "office=HG" in page.get_attribute(
        "#t-qr", "src"
    )
    shot(page, "kiosk-ticket")

    # On paper: the ticket alone.
    page.emulate_media(media="print")
    assert page.locator("#k-ticket").is_visible() and page.locator("#t-qr").is_visible()
    for hidden in (".k-nav", ".k-top", ".k-foot", "#k-done-home"):
        assert not page.locator(hidden).is_visible(), hidden
    page.screenshot(path=str(_shots() / "kiosk-ticket-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # The clerk sees who is coming and what they lack.
    found = page.request.post(
        site["url"] + "/api/kiosk/lookup",
        data=json.dumps({"ref": ref, "phone": phone}),
        headers={"Content-Type": "application/json"},
    ).json()
    assert found["citizen_name"] == "张三" and found["channel"] == "kiosk"
    assert "营业执照" in found["missing_docs"]
    assert "特种设备使用登记表" not in found["missing_docs"]
    page.context.close()


def test_back_keeps_ticks_and_the_chosen_slot(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    _open_item(page, "行政服务", "特种设备使用登记")
    docs = page.locator("#k-docs button")
    docs.nth(0).click()
    docs.nth(2).click()
    page.locator("#k-types button", has_text="变更").click()
    page.locator("#k-types button", has_text="新办").click()
    label = _to_phone_screen(page)
    _type(page, "#k-pad", "139")
    page.click("#k-back")
    chosen = page.locator("#k-pm button[aria-pressed=true]")
    assert chosen.count() == 1 and label in chosen.inner_text()
    page.click("#k-back")
    assert page.locator("#k-days button[aria-pressed=true]").count() == 1
    page.click("#k-back")
    pressed = [docs.nth(i).get_attribute("aria-pressed") for i in range(3)]
    assert pressed == ["true", "false", "true"]
    # Forward again: the same slot is still chosen.
    page.click("#k-do-book")
    page.locator("#k-days button[aria-pressed=true]").click()
    assert page.locator("#k-pm button[aria-pressed=true]").count() == 1
    page.click("#k-back")
    page.click("#k-back")
    page.click("#k-back")
    assert page.locator("#s-items").is_visible()
    page.click("#k-back")
    assert page.locator("#s-home").is_visible() and not page.locator("#k-back").is_visible()
    page.context.close()


def test_items_the_office_does_not_take_are_refused_early(
    browser: Any, site: dict[str, Any]
) -> None:
    # FW09 is the city's alone: at 红安 it is not offered, and opening it says where to go.
    page = _kiosk(browser, site, office="HA")
    page.locator("#k-windows button", has_text="行政服务").click()
    assert "特种设备安装改造修理告知" not in page.inner_text("#k-items")
    assert "特种设备安装改造修理告知" in page.inner_text("#k-elsewhere")
    page.locator("#k-elsewhere button", has_text="特种设备安装改造修理告知").click()
    page.locator("#k-refusal").wait_for()
    assert page.inner_text("#k-refusal-title") == "本办理点不受理此事项"
    refusal = page.inner_text("#k-refusal-text")
    assert "黄冈市市场监督管理局" in refusal and "东门路128号" in refusal and _polite(refusal)
    assert not page.locator("#k-do-book").is_visible()
    check_screen(page, "refused-office")
    # Accepted nowhere of ours (CMA): says where to apply instead.
    page.click("#k-home")
    page.locator("#k-windows button", has_text="行政审批").click()
    page.locator("#k-elsewhere button", has_text="检验检测机构资质认定").click()
    page.locator("#k-refusal", has_text="湖北省市场监督管理局").wait_for()
    assert not page.locator("#k-do-book").is_visible()
    check_screen(page, "refused-nowhere")
    page.context.close()
    # The same item at the city's own kiosk can be booked.
    city = _kiosk(browser, site, office="HG")
    _open_item(city, "行政服务", "特种设备安装改造修理告知")
    assert city.locator("#k-do-book").is_visible() and not city.locator("#k-refusal").is_visible()
    city.context.close()


@pytest.mark.parametrize("query", ["?office=XX", "", "?office=%3Cscript%3E"])
def test_a_wrong_or_missing_office_says_so(browser: Any, site: dict[str, Any], query: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", has_touch=True)
    page = context.new_page()
    page.goto(f"{site['url']}/kiosk{query}")
    page.locator("#s-error").wait_for()
    message = page.inner_text("#k-error-text")
    assert "自助机" in message and _polite(message)
    assert page.inner_text("#k-bureau") == "黄冈市市场监督管理局"
    if query == "?office=XX":
        check_screen(page, "no-office")
    context.close()


def test_stopped_item_offers_no_checklist_or_booking(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    _open_item(page, "行政服务", "组织机构代码证办理")
    assert page.inner_text("#k-refusal-title") == "此事项已停止办理"
    assert "统一社会信用代码" in page.inner_text("#k-refusal")
    for hidden in ("#k-checklist", "#k-do-book", "#k-do-print", "#k-docs"):
        assert not page.locator(hidden).is_visible(), hidden
    check_screen(page, "stopped")
    page.context.close()


def test_complaint_item_shows_the_complaint_hotline(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    page.locator("#k-shortcuts button", has_text="投诉").click()
    page.locator("#k-complaint").wait_for()
    assert page.inner_text("#k-item-name") == "产品质量投诉举报"
    assert page.inner_text("#k-complaint-number") == "12315"
    check_screen(page, "complaint")
    page.click("#k-back")
    _open_item(page, "行政服务", "特种设备使用登记")
    assert not page.locator("#k-complaint").is_visible()
    page.context.close()


def test_shortcuts_are_catalog_aliases(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    api = page.request.get(site["url"] + "/api/kiosk/start?office=HG").json()["shortcuts"]
    shown = page.locator("#k-shortcuts button").all_inner_texts()
    assert [s.strip() for s in shown] == [s["label"] for s in api]
    assert {"叉车证", "电梯登记", "强检", "投诉"} <= set(shown)
    for shortcut in api:
        item = page.request.get(f"{site['url']}/api/catalog/items/{shortcut['code']}").json()
        assert shortcut["label"] in item["aliases"]
    page.locator("#k-shortcuts button", has_text="叉车证").click()
    page.locator("#k-item-name", has_text="特种设备作业人员资格认定").wait_for()
    page.context.close()


def test_header_clock_ticks_in_beijing_time_and_footer_has_the_office(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", has_touch=True)
    page = context.new_page()
    # 01:05 UTC is 09:05 in Beijing, whatever zone the browser runs in.
    page.clock.install(time=datetime(2026, 12, 1, 9, 5, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    page.goto(f"{site['url']}/kiosk?office=HA")
    page.locator("#k-windows button").first.wait_for()
    assert page.inner_text("#k-bureau") == "黄冈市市场监督管理局"
    assert page.inner_text("#k-office-name") == "红安县市场监督管理局"
    assert page.inner_text("#k-date") == "2026年12月1日星期二"
    assert page.inner_text("#k-time") == "09:05"
    page.clock.run_for(60_000)
    assert page.inner_text("#k-time") == "09:06"
    office = next(
        o
        for o in page.request.get(site["url"] + "/api/offices").json()["offices"]
        if o["code"] == "HA"
    )
    foot = page.inner_text(".k-foot")
    assert office["address"] in foot and office["phone"] in foot
    assert "–".join(office["hours"]["morning"]) in foot
    page.locator("#k-windows button", has_text="法定检验").click()
    window = next(w for w in office["windows"] if w["type"] == "法定检验")
    assert window["phone"] in page.inner_text(".k-foot")
    context.close()


def test_find_and_cancel_a_booking_by_reference_and_phone(
    browser: Any, site: dict[str, Any]
) -> None:
    page = _kiosk(browser, site)
    phone = next(_PHONES)
    day_slots = page.request.get(site["url"] + "/api/kiosk/days?office=HG&item=FW01").json()
    first = day_slots["days"][0]
    booked = page.request.post(
        site["url"] + "/api/bookings",
        data=json.dumps(
            {
                "item_code": "FW01",
                "office": "HG",
                "slot": f"{first['date']} {first['slots'][-1]['time']}",
                "phone": phone,
                "key": f"kiosk-find-{phone}",
            }
        ),
        headers={"Content-Type": "application/json"},
    ).json()
    page.click("#k-find-open")
    _type(page, "#k-refpad", booked["ref"][:3])
    page.click("#k-ref-next")
    assert "8位" in page.inner_text("#k-ref-error")
    _type(page, "#k-refpad", booked["ref"][3:])
    page.click("#k-ref-next")
    _type(page, "#k-pad-find", "13900000000")
    page.click("#k-find-go")
    # A wrong phone: nothing about the booking, and words saying what to check.
    wrong = page.locator("#k-find-error", has_text="没有找到")
    wrong.wait_for()
    assert booked["item_name"] not in _body_text(page) and _polite(wrong.inner_text())
    page.locator("#k-pad-find button", has_text="清空").click()
    _type(page, "#k-pad-find", phone)
    page.click("#k-find-go")
    page.locator("#s-found").wait_for()
    assert page.inner_text("#f-ref") == booked["ref"]
    assert page.inner_text("#f-phone") == f"{phone[:3]}****{phone[7:]}"
    assert page.inner_text("#f-status").startswith("已预约")
    assert "黄冈市民之家二楼 23号窗口" in page.inner_text("#f-window")
    check_screen(page, "found")
    page.click("#k-cancel-ask")
    page.locator("#k-cancel-confirm").wait_for()
    check_screen(page, "cancel-confirm")
    page.click("#k-cancel-yes")
    page.locator("#f-message", has_text="已经取消").wait_for()
    assert page.inner_text("#f-status") == "已取消"
    assert not page.locator("#k-cancel-ask").is_visible()
    assert phone not in _body_text(page)
    page.click("#k-back")
    assert page.locator("#s-home").is_visible()
    page.context.close()


def test_printed_checklist_and_its_qr_page_say_where_and_when(
    browser: Any, site: dict[str, Any]
) -> None:
    page = _kiosk(browser, site)
    _open_item(page, "行政服务", "特种设备使用登记")
    page.locator("#k-docs button").first.click()
    page.emulate_media(media="print")
    printed = page.locator("#k-print")
    assert printed.is_visible() and not page.locator("#k-docs").is_visible()
    text = printed.inner_text()
    for words in (
        "黄冈市市场监督管理局",
        "黄冈市黄州区东门路128号",
        "行政服务窗口，黄冈市民之家二楼 23号窗口",
        "上午 08:30–12:00",
        "0713-8661202",
        "不收费",
        "5 个工作日",
        "打印时间：",
        "✓ 特种设备使用登记表",
    ):
        assert words in text, words
    page.screenshot(path=str(_shots() / "kiosk-checklist-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.click("#k-do-qr")
    src = page.get_attribute("#k-qr-img", "src")
    assert src.startswith("/api/checklist-qr?item=FW01")
    for _ in range(50):
        if page.evaluate("() => document.getElementById('k-qr-img').naturalWidth") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => document.getElementById('k-qr-img').naturalWidth") > 0
    check_screen(page, "checklist-qr")

    # What the ticket's QR opens on a phone.
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(
        site["url"] + "/checklist?item=FW01&type=%E6%96%B0%E5%8A%9E&have=&office=HG&ref=ABCD2345"
    )
    phone.locator(".cl-title").wait_for()
    opened = phone.inner_text("#checklist")
    for words in ("黄冈市市场监督管理局", "东门路128号", "23号窗口", "0713-8661202", "不收费"):
        assert words in opened, words
    assert "预约号：ABCD2345" in opened and "打印时间：" in opened
    shot(phone, "kiosk-qr-page")
    page.context.close()


def test_bad_input_gets_a_polite_message(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    _open_item(page, "行政服务", "特种设备使用登记")
    _to_phone_screen(page)
    for name, phone, words in (
        ("<script>alert(1)</script>", next(_PHONES), "姓名"),
        ("😀😀😀", next(_PHONES), "姓名"),
        ("", "12345", "手机号码"),
        ("", "", "手机号码"),
    ):
        page.locator("#k-pad button", has_text="清空").click()
        _type(page, "#k-pad", phone)
        page.fill("#k-name", name)
        page.click("#k-confirm")
        error = page.locator("#k-phone-error", has_text=words)
        error.wait_for()
        assert _polite(error.inner_text()), error.inner_text()
        assert page.locator("#s-phone").is_visible()
    assert dialogs == []
    check_screen(page, "phone-error")
    page.context.close()


def test_care_mode_is_larger_and_remembered_for_the_session(
    browser: Any, site: dict[str, Any]
) -> None:
    page = _kiosk(browser, site)
    size = "() => parseFloat(getComputedStyle(document.getElementById('k-home')).fontSize)"
    height = "() => document.getElementById('k-home').getBoundingClientRect().height"
    before, tall = page.evaluate(size), page.evaluate(height)
    page.click("#k-care")
    assert page.get_attribute("html", "data-care") == "on"
    assert page.get_attribute("#k-care", "aria-pressed") == "true"
    assert page.evaluate("() => sessionStorage.getItem('ck-care')") == "on"
    assert page.evaluate(size) >= before * 1.2 and page.evaluate(height) >= tall * 1.2
    page.reload()
    page.locator("#k-windows button").first.wait_for()
    assert page.get_attribute("html", "data-care") == "on"
    page.click("#k-care")
    assert page.get_attribute("html", "data-care") is None
    assert page.evaluate("() => sessionStorage.getItem('ck-care')") is None
    page.context.close()


def test_idle_counts_down_then_wipes_everything(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site, query="&idle=4&grace=4")
    sent: list[dict[str, Any]] = []
    sessions: list[str] = []

    def on_response(response: Any) -> None:
        if response.url.endswith("/api/chat"):
            sent.append(json.loads(response.request.post_data or "{}"))
            sessions.append(response.json().get("session_id", ""))

    page.on("response", on_response)
    page.click("#k-care")
    page.click("#k-chat-open")
    page.fill("#input", "强检收费吗")
    page.keyboard.press("Enter")
    page.locator("#k-chat .row.bot .bubble").first.wait_for()
    page.click("#k-chat-close")
    _open_item(page, "行政服务", "特种设备使用登记")
    page.locator("#k-docs button").first.click()
    _to_phone_screen(page)
    phone = next(_PHONES)
    _type(page, "#k-pad", phone)
    page.fill("#k-name", "李四")
    idle = page.locator("#k-idle", has_text="清空")
    idle.wait_for(timeout=8000)
    first = int(page.inner_text("#k-idle-count"))
    assert page.evaluate("() => document.activeElement.id") == "k-still-here"
    assert page.inner_text("#k-phone") == f"{phone[:3]}****{phone[7:]}"  # masked while asking
    check_screen(page, "idle")
    page.wait_for_timeout(1100)
    assert int(page.inner_text("#k-idle-count")) < first
    page.locator("#k-idle").wait_for(state="hidden", timeout=8000)
    assert page.locator("#s-home").is_visible()
    assert page.locator("#log .row").count() == 0
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.get_attribute("html", "data-care") is None
    assert page.input_value("#k-name") == "" and page.inner_text("#k-phone") == "—"
    assert phone not in page.content() and phone[-4:] not in _body_text(page)
    # The bot's conversation was restarted too: "/restart" for the session the chat used.
    restarts = [r for r in sent if r.get("message") == "/restart"]
    assert restarts and restarts[0]["channel"] == "kiosk"
    assert restarts[0]["session_id"] == sessions[0]
    page.context.close()


def test_still_here_keeps_everything(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site, query="&idle=2&grace=20")
    _open_item(page, "行政服务", "特种设备使用登记")
    _to_phone_screen(page)
    phone = next(_PHONES)
    _type(page, "#k-pad", phone)
    page.locator("#k-idle").wait_for(timeout=6000)
    page.click("#k-still-here")
    assert page.locator("#s-phone").is_visible()
    assert page.inner_text("#k-phone") == f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    page.context.close()
