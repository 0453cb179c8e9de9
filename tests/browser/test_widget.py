"""The chat widget in a real browser: a requirement answered, IME, XSS, history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.engine


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
    page.locator(".quick button", has_text="新办").wait_for()
    shot(page, "widget-360-buttons")
    page.locator(".quick button", has_text="新办").click()
    page.locator(".row.bot .bubble", has_text="特种设备使用登记表").wait_for()
    # Rasa's REST channel sends a long answer as several bubbles (split at blank lines).
    answer = "\n".join(_bubbles(page, "bot"))
    assert "承诺" in answer and "个工作日" in answer
    assert _bubbles(page, "user")[-1] == "新办"
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
