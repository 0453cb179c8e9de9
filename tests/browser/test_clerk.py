"""Clerk console in a real browser: login, mark a booking served, see the audit entry."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest

from chuangkou.booking.service import SlotKey, create_booking
from chuangkou.clerks import add_clerk
from tests.browser.conftest import shot

pytestmark = pytest.mark.engine


def test_login_mark_served_audit(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(
        engine, username="li", password="window-clerk-pw", display_name="李", office_code="HG"
    )
    day = date.today() + timedelta(days=1)
    ref = create_booking(
        engine,
        slot=SlotKey("HG", "行政服务", day, time(9, 0)),
        capacity=3,
        item_code="FW01",
        item_name="特种设备使用登记",
        citizen_name="张三",
        phone="13812344567",
        channel="test",
        actor="citizen:test",
    ).ref
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(site["url"] + "/clerk")
    page.fill("#username", "li")
    page.fill("#password", "wrong-password")
    page.click("#login-form button[type=submit]")
    page.locator("#login-error", has_text="不正确").wait_for()
    page.fill("#password", "window-clerk-pw")
    page.click("#login-form button[type=submit]")
    page.locator("#who", has_text="李").wait_for()
    page.fill("#b-date", day.isoformat())
    page.click("#bookings-form button[type=submit]")
    row = page.locator("#bookings tr", has_text=ref)
    row.wait_for()
    assert "138****4567" in row.inner_text() and "13812344567" not in page.content()
    shot(page, "clerk-bookings")
    row.get_by_role("button", name=f"到达 {ref}").click()
    page.get_by_role("button", name=f"办结 {ref}").click()
    page.locator("#bookings tr", has_text="已办结").wait_for()
    page.click("#tab-audit")
    page.locator("#audit tr", has_text=ref).first.wait_for()
    first = page.locator("#audit tr").first.inner_text()
    assert ref in first and "已办结" in first and "clerk:li" in first
    shot(page, "clerk-audit")
    page.click("#tab-lookup")
    page.fill("#q", "叉车证")
    page.click("#lookup-form button[type=submit]")
    page.locator("#item h2", has_text="特种设备作业人员资格认定").wait_for()
    shot(page, "clerk-lookup")
    page.context.close()
