"""The chat widget in a real browser.

A requirement answered, IME, XSS, history and masked numbers; 关怀模式, keyboard focus
after a quick reply, the announced typing indicator, the contrast of every text colour,
the site footer, 好差评 stored per answer, and too-long input refused, not cut. Each state
is saved under build/screenshots/widget-*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from chuangkou.feedback.store import conversation_hash
from chuangkou.feedback.tables import AnswerFeedback
from chuangkou.settings import Settings, ensure_secret
from tests.browser.conftest import CONTRAST_HELPERS_JS, shot

pytestmark = pytest.mark.engine
MIN_CONTRAST = 4.5
STORE = "chuangkou.chat.v1"

# Every element with text of its own on screen: its colour against what is behind it
# (backgrounds composited up the tree), as a WCAG 2 contrast ratio. Inputs add their
# placeholder (when empty) and their value.
_CONTRAST_JS = (
    """() => {
"""
    + CONTRAST_HELPERS_JS
    + """  const ratio = (color, bg) => { const fg = blend(parse(color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x); return (a + 0.05) / (b + 0.05); };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('[hidden], template, script, style, .visually-hidden')) continue;
    const bg = behind(el);
    const what = (el.className || el.tagName) + ': ';
    if (el.tagName === 'INPUT') {
      if (!el.value) out.push({ text: what + el.placeholder.slice(0, 30),
        contrast: ratio(getComputedStyle(el, '::placeholder').color, bg) });
      else out.push({ text: what + el.value.slice(0, 30),
        contrast: ratio(getComputedStyle(el).color, bg) });
      continue;
    }
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    out.push({ text: what + el.textContent.trim().slice(0, 30),
      contrast: ratio(getComputedStyle(el).color, bg), font: getComputedStyle(el).fontSize });
  }
  return out; }"""
)

# Sizes that 关怀模式 must grow (px, as computed).
_SIZES_JS = """() => {
  const px = (sel, prop) => parseFloat(getComputedStyle(document.querySelector(sel))[prop]);
  return { bubble: px('.row.bot .bubble', 'fontSize'), input: px('#input', 'fontSize'),
    inputHeight: document.querySelector('#input').getBoundingClientRect().height,
    quick: document.querySelector('.quick button').getBoundingClientRect().height,
    quickFont: px('.quick button', 'fontSize'), title: px('h1', 'fontSize'),
    care: document.querySelector('#care').getBoundingClientRect().height,
    stamp: px('.time-sep span', 'fontSize'), footer: px('.site-footer', 'fontSize') }; }"""


def _bubbles(page: Any, who: str) -> list[str]:
    return [str(t) for t in page.locator(f".row.{who} .bubble").all_inner_texts()]


def _open(browser: Any, site: dict[str, Any], width: int = 360, height: int = 740) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(site["url"] + "/")
    page.locator(".row.bot .bubble").first.wait_for()
    return page


def test_requirement_in_the_widget(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    page.fill("#input", "电梯使用登记需要什么材料")
    page.keyboard.press("Enter")
    # Listed for 新办 at once; the other kinds of the item are buttons.
    page.locator(".row.bot .bubble", has_text="特种设备使用登记表").wait_for()
    page.locator(".quick button", has_text="变更").wait_for()
    shot(page, "widget-360-buttons")
    page.locator(".quick button", has_text="变更").click()
    page.locator(".row.bot .bubble", has_text="（变更）").wait_for()
    # Rasa's REST channel sends a long answer as several bubbles (split at blank lines).
    answer = "\n".join(_bubbles(page, "bot"))
    assert "承诺" in answer and "个工作日" in answer and "特种设备使用登记证" in answer
    assert _bubbles(page, "user")[-1] == "变更"
    assert not [b for b in _bubbles(page, "user") if b.startswith("/")]  # no payloads shown
    shot(page, "widget-360-answer")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "widget-desktop")
    page.context.close()


def test_enter_while_ime_composing_does_not_send(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    before = len(_bubbles(page, "user"))
    page.click("#input")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "dianti", "selectionStart": 6, "selectionEnd": 6})
    page.keyboard.press("Enter")  # confirms the candidate inside the IME
    page.wait_for_timeout(500)
    assert len(_bubbles(page, "user")) == before
    cdp.send("Input.insertText", {"text": "电梯"})
    page.keyboard.press("Enter")  # composition over: now Enter sends
    page.locator(".row.user .bubble", has_text="电梯").wait_for()
    page.context.close()


def test_script_in_chat_shows_as_text(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    page.fill("#input", attack)
    page.keyboard.press("Enter")
    page.locator(".row.user .bubble", has_text="<script>").wait_for()
    page.wait_for_timeout(800)
    assert _bubbles(page, "user")[-1] == attack
    assert page.locator("#log img:not(.avatar)").count() == 0
    assert page.locator("#log script").count() == 0 and not dialogs
    shot(page, "widget-xss")
    page.context.close()


def test_history_survives_reload_not_a_new_tab(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    page.fill("#input", "CMA多久能办好")
    page.keyboard.press("Enter")
    page.locator(".row.bot .bubble", has_text="工作日").wait_for()
    count = len(_bubbles(page, "bot"))
    page.reload()
    page.locator(".row.bot .bubble").first.wait_for()
    assert "CMA多久能办好" in _bubbles(page, "user") and len(_bubbles(page, "bot")) == count
    other = page.context.new_page()
    other.goto(page.url)
    other.locator(".row.bot .bubble").first.wait_for()
    assert "CMA多久能办好" not in _bubbles(other, "user")
    page.context.close()


def test_own_bubble_and_storage_show_numbers_masked(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    message = "我叫张伟 身份证42010219900101123X 电话 +86 139-1234-5678"
    page.fill("#input", message)
    page.keyboard.press("Enter")
    page.locator(".row.user .bubble", has_text="139****5678").wait_for()
    mine = _bubbles(page, "user")[-1]
    assert mine == "我叫张伟 身份证420***********123X 电话 139****5678"
    stored = page.evaluate("() => sessionStorage.getItem('chuangkou.chat.v1')")
    assert "1234-5678" not in stored and "19900101" not in stored
    assert "139****5678" in stored
    assert "19900101" not in page.content() and "1234-5678" not in page.content()
    page.reload()
    page.locator(".row.user .bubble", has_text="139****5678").wait_for()
    shot(page, "widget-masked")
    page.context.close()


def _session_id(page: Any) -> str:
    return str(page.evaluate(f"() => JSON.parse(sessionStorage.getItem('{STORE}')).sessionId"))


def _votes(site: dict[str, Any], page: Any) -> list[AnswerFeedback]:
    """The feedback rows of this page's conversation (hashed as the gateway hashes it)."""
    # The stack's gateway uses the embedded profile's secret file (no CHUANGKOU_SECRET).
    secret = ensure_secret(Settings().build_dir / "secret.key")
    mine = conversation_hash(f"widget-{_session_id(page)}", secret)
    with sessionmaker(site["engine"])() as session:
        query = select(AnswerFeedback).where(AnswerFeedback.conversation == mine)
        return list(session.scalars(query.order_by(AnswerFeedback.turn)))


def test_greeting_and_help_offer_booking(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    greeting = _bubbles(page, "bot")[0]
    assert "预约" in greeting and "取消" in greeting and "查询" in greeting
    page.locator(".quick button", has_text="你能做什么").click()
    page.locator(".row.bot .bubble", has_text="我可以帮您").wait_for()
    answer = _bubbles(page, "bot")[-1]
    assert "预约窗口" in answer and "取消" in answer and "查询" in answer
    page.context.close()


def test_care_mode_is_larger_and_remembered_for_the_session(
    browser: Any, site: dict[str, Any]
) -> None:
    page = _open(browser, site)
    page.locator(".quick button").first.wait_for()
    page.locator(".site-footer").wait_for()
    normal = page.evaluate(_SIZES_JS)
    assert page.get_attribute("#care", "aria-pressed") == "false"
    page.click("#care")
    assert page.get_attribute("html", "data-care") == "on"
    assert page.get_attribute("#care", "aria-pressed") == "true"
    assert page.evaluate("() => sessionStorage.getItem('ck-care')") == "on"
    care = page.evaluate(_SIZES_JS)
    for name, size in normal.items():
        assert care[name] >= size * 1.2, (name, size, care[name])
    assert care["bubble"] >= 20 and care["quick"] >= 44 and care["care"] >= 44
    shot(page, "widget-care")
    page.reload()
    page.locator(".row.bot .bubble").first.wait_for()
    assert page.get_attribute("html", "data-care") == "on"
    assert page.get_attribute("#care", "aria-pressed") == "true"
    other = page.context.new_page()  # a new tab: a new session, the normal size
    other.goto(page.url)
    other.locator(".row.bot .bubble").first.wait_for()
    assert other.get_attribute("html", "data-care") is None
    page.click("#care")
    assert page.get_attribute("html", "data-care") is None
    assert page.evaluate("() => sessionStorage.getItem('ck-care')") is None
    page.context.close()


def test_stylesheet_sizes_are_in_rem(site: dict[str, Any]) -> None:
    from urllib.request import urlopen

    with urlopen(site["url"] + "/static/chat.css") as resp:
        css = resp.read().decode("utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.findall(r"\d+(?:\.\d+)?px", rules)


def test_quick_reply_by_keyboard_keeps_focus_in_the_conversation(
    browser: Any, site: dict[str, Any]
) -> None:
    page = _open(browser, site)
    button = page.locator(".quick button", has_text="你能做什么")
    button.focus()
    page.keyboard.press("Enter")
    # At once, while the answer is still coming: not dropped to <body>.
    assert page.evaluate("() => document.activeElement.id") == "input"
    page.locator(".row.bot .bubble", has_text="我可以帮您").wait_for()
    assert page.evaluate("() => document.activeElement.id") == "input"
    page.keyboard.type("CMA多久能办好")  # typing goes on where the person was
    page.keyboard.press("Enter")
    page.locator(".row.user .bubble", has_text="CMA多久能办好").wait_for()
    page.context.close()
    # A tap keeps focus in the log, without popping up a phone's on-screen keyboard.
    tapped = _open(browser, site)
    tapped.locator(".quick button", has_text="你能做什么").click()
    assert tapped.evaluate("() => document.activeElement.id") == "log"
    tapped.context.close()


def test_typing_indicator_is_announced(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    typing = page.locator("#typing")
    assert typing.get_attribute("role") == "status"
    assert typing.get_attribute("aria-live") == "polite"
    assert typing.get_attribute("aria-hidden") is None and typing.get_attribute("hidden") is None
    page.evaluate(
        """() => { window.__typing = [];
        new MutationObserver(() => window.__typing.push(
            document.getElementById('typing').textContent.trim()))
          .observe(document.getElementById('typing'),
                   { subtree: true, childList: true, characterData: true }); }"""
    )
    page.fill("#input", "叉车证要带什么")
    page.keyboard.press("Enter")
    page.locator(".row.bot .bubble", has_text="材料").last.wait_for()
    page.wait_for_timeout(200)
    said = page.evaluate("() => window.__typing")
    assert any("正在输入" in text for text in said), said
    assert typing.inner_text().strip() == ""  # quiet again once the answer is there
    page.context.close()


@pytest.mark.parametrize("care", [False, True], ids=["normal", "care"])
def test_every_text_colour_meets_contrast(browser: Any, site: dict[str, Any], care: bool) -> None:
    page = _open(browser, site)
    if care:
        page.click("#care")
    page.locator(".quick button", has_text="电梯使用登记要什么材料").click()
    feedback = page.locator(".feedback").last
    feedback.wait_for()
    feedback.locator(".feedback-no").click()  # pressed state, comment box and thanks
    feedback.locator(".feedback-done", has_text="感谢").wait_for()
    page.locator(".quick button").first.hover()
    page.fill("#input", "长" * 4990)  # the count, near the limit
    page.locator("#count").wait_for()
    checked = page.evaluate(_CONTRAST_JS)
    page.fill("#input", "长" * 5001)
    page.keyboard.press("Enter")  # the over-limit message
    page.locator("#composer-note", has_text="太长").wait_for()
    checked += page.evaluate(_CONTRAST_JS)
    seen = " ".join(t["text"] for t in checked)
    assert re.search(r"SPAN: \d\d:\d\d", seen)  # a time stamp
    for needed in (
        "办事前先问我",  # the subtitle
        "办理“特种设备使用登记”",  # a bot bubble
        "电梯使用登记要什么材料",  # the person's bubble
        "单位办理",  # a quick reply (one of them hovered)
        "这条回答有用吗",
        "有用",
        "哪里不好",
        "感谢",
        "主办单位",
        "投诉举报",
        "关怀模式",
        "发送",
        "4990/5000",
        "太长",
        "例如",  # placeholders
    ):
        assert needed in seen, needed
    faint = [t for t in checked if t["contrast"] < MIN_CONTRAST]
    assert faint == [], faint
    shot(page, f"widget-contrast-{'care' if care else 'normal'}")
    page.context.close()


def test_footer_and_header_come_from_the_site_configuration(
    browser: Any, site: dict[str, Any]
) -> None:
    page = _open(browser, site)
    info = page.request.get(site["url"] + "/api/site").json()["site"]
    footer = page.locator("#site-footer")
    footer.wait_for()
    text = footer.inner_text()
    assert "主办单位" in text and info["host"] in text
    assert info["host_contact"] in text and info["hotline"] in text
    assert info["complaint_hotline"] in text
    assert footer.locator("a", has_text=info["hotline"]).get_attribute("href") == (
        "tel:" + info["hotline"]
    )
    assert page.inner_text("#site-bureau") == info["bureau"]
    assert info["bureau"] in page.title() and info["service"] in page.title()
    shot(page, "widget-footer")
    page.context.close()


def test_feedback_after_an_answer_is_stored_per_answer(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    assert page.locator(".feedback").count() == 0  # not on the greeting
    page.fill("#input", "电梯使用登记需要什么材料")
    page.keyboard.press("Enter")
    feedback = page.locator(".feedback").last
    feedback.wait_for()
    assert page.locator(".feedback").count() == 1
    feedback.locator(".feedback-no").click()
    feedback.locator(".feedback-done", has_text="感谢").wait_for()
    assert feedback.locator(".feedback-no").get_attribute("aria-pressed") == "true"
    [vote] = _votes(site, page)
    assert (vote.turn, vote.helpful, vote.channel) == (2, False, "widget")
    assert (vote.item_code, vote.intent, vote.response) == (
        "FW01",
        "ask_requirements",
        "utter_requirements",
    )
    shot(page, "widget-feedback")
    # An optional comment replaces the vote; its numbers are stored masked.
    feedback.locator(".feedback-why input").fill("说得不清楚，请打 13912345678 联系我")
    feedback.locator(".feedback-why button").click()
    page.locator(".feedback-why").last.wait_for(state="hidden")
    [vote] = _votes(site, page)
    assert vote.comment == "说得不清楚，请打 139****5678 联系我" and vote.helpful is False
    assert "13912345678" not in str(page.evaluate(f"() => sessionStorage.getItem('{STORE}')"))
    # Changing one's mind replaces the vote; a reload shows it.
    feedback.locator(".feedback-yes").click()
    page.locator(".feedback-yes[aria-pressed=true]").wait_for()
    [vote] = _votes(site, page)
    assert vote.helpful is True and vote.comment is None
    page.reload()
    page.locator(".feedback .feedback-yes[aria-pressed=true]").wait_for()
    page.context.close()


def test_feedback_after_a_booking(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    page.fill("#input", "我想预约下周二上午去办叉车证")
    page.keyboard.press("Enter")
    page.locator(".quick button", has_text="黄冈市市场监督管理局").click()
    page.locator(".quick button", has_text=re.compile(r"\d\d:\d\d")).first.click()
    page.locator(".row.bot .bubble", has_text="请告诉我办事人的姓名").wait_for()
    page.fill("#input", "李芳")
    page.keyboard.press("Enter")
    page.locator(".row.bot .bubble", has_text="请留一个手机号码").wait_for()
    page.fill("#input", "13722225555")
    page.keyboard.press("Enter")
    page.locator(".quick button", has_text="确认预约").click()
    page.locator(".row.bot .bubble", has_text="预约成功").wait_for()
    page.locator(".feedback").last.wait_for()
    page.locator(".feedback").last.locator(".feedback-yes").click()
    page.locator(".feedback").last.locator(".feedback-done", has_text="感谢").wait_for()
    votes = _votes(site, page)
    assert [(v.response, v.item_code, v.helpful) for v in votes] == [
        ("utter_booking_confirmed", "SP04", True)
    ]
    shot(page, "widget-booking-feedback")
    page.context.close()


def test_too_long_input_is_refused_not_cut(browser: Any, site: dict[str, Any]) -> None:
    page = _open(browser, site)
    limit = page.request.get(site["url"] + "/api/site").json()["max_message_chars"]
    page.fill("#input", "长" * 100)
    assert page.locator("#count").is_hidden()
    page.fill("#input", "长" * (limit - 10))
    assert page.inner_text("#count") == f"{limit - 10}/{limit}"
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/chat" in r.url else None)
    before = len(_bubbles(page, "user"))
    too_long = "长" * (limit + 1)
    page.fill("#input", too_long)
    page.keyboard.press("Enter")
    note = page.locator("#composer-note")
    note.wait_for()
    assert "太长" in note.inner_text() and str(limit) in note.inner_text()
    page.wait_for_timeout(500)
    assert sent == [] and len(_bubbles(page, "user")) == before
    assert page.input_value("#input") == too_long  # nothing silently cut
    shot(page, "widget-too-long")
    page.fill("#input", "长" * limit)  # at the limit: the message goes away, and it sends
    assert note.inner_text() == ""
    page.keyboard.press("Enter")
    page.locator(".row.user .bubble").nth(before).wait_for()
    assert sent
    page.context.close()
