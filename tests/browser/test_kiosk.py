"""The hall kiosk in a real browser: browse → check → book → QR; big targets; idle wipe."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.engine


def _kiosk(browser: Any, site: dict[str, Any]) -> Any:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", has_touch=True
    )
    page = context.new_page()
    page.goto(site["url"] + "/kiosk?office=HG&idle=4&grace=3")
    page.locator("#k-windows button").first.wait_for()
    return page


def _small_targets(page: Any) -> list[str]:
    return list(
        page.evaluate("""() => Array.from(document.querySelectorAll('button'))
        .filter(b => b.offsetParent !== null)
        .filter(b => { const r = b.getBoundingClientRect(); return r.height < 48 || r.width < 48; })
        .map(b => b.textContent.trim())""")
    )


def test_browse_check_book_with_qr(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    assert _small_targets(page) == []
    shot(page, "kiosk-home")
    page.locator("#k-windows button", has_text="行政服务").click()
    page.locator("#k-items button", has_text="特种设备使用登记").click()
    page.locator("#k-types button", has_text="新办").wait_for()
    first_doc = page.locator("#k-docs button").first
    first_doc.click()
    assert first_doc.get_attribute("aria-pressed") == "true"
    assert "已有" in first_doc.inner_text()
    page.click("#k-do-qr")
    # Poll from the test side: the page's CSP (rightly) forbids the eval that
    # wait_for_function's in-page polling would need.
    for _ in range(50):
        if page.evaluate("() => document.getElementById('k-qr-img').naturalWidth") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => document.getElementById('k-qr-img').naturalWidth") > 0
    assert _small_targets(page) == []
    shot(page, "kiosk-checklist-qr")
    page.click("#k-do-book")
    page.locator("#k-days button").first.click()
    page.locator("#k-times button").first.click()
    for digit in "13812344567":
        page.locator("#k-pad button", has_text=digit).first.click()
    assert page.inner_text("#k-phone") == "13812344567"
    page.click("#k-confirm")
    page.locator("#k-done", has_text="预约号").wait_for()
    done = page.inner_text("#k-done")
    assert "138****4567" in done and "13812344567" not in done
    shot(page, "kiosk-booked")
    page.context.close()


def test_idle_asks_then_wipes_everything(browser: Any, site: dict[str, Any]) -> None:
    page = _kiosk(browser, site)
    sent: list[dict[str, Any]] = []
    sessions: list[str] = []

    def on_response(response: Any) -> None:
        if response.url.endswith("/api/chat"):
            sent.append(json.loads(response.request.post_data or "{}"))
            sessions.append(response.json().get("session_id", ""))

    page.on("response", on_response)
    page.locator("#k-windows button", has_text="法定检验").click()
    page.click("#k-chat-open")
    page.fill("#input", "强检收费吗")
    page.keyboard.press("Enter")
    page.locator("#k-chat .row.bot .bubble").first.wait_for()
    page.locator("#k-idle", has_text="还在吗").wait_for(timeout=8000)
    shot(page, "kiosk-idle")
    page.locator("#k-idle").wait_for(state="hidden", timeout=8000)
    assert page.locator("#s-home").is_visible()
    assert page.locator("#log .row").count() == 0
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    # The bot's conversation was restarted too: "/restart" for the session the chat used.
    restarts = [r for r in sent if r.get("message") == "/restart"]
    assert restarts and restarts[0]["channel"] == "kiosk"
    assert restarts[0]["session_id"] == sessions[0]
    page.context.close()
