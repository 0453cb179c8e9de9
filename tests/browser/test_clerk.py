"""Clerk console in a real browser: login, marks with undo, office scoping, local times."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from chuangkou.booking.calendar import TZ
from chuangkou.clerks import add_clerk
from tests.browser.conftest import shot
from tests.utils.bookings import seed_booking

pytestmark = pytest.mark.engine
PASSWORD = "window-clerk-pw"


def _book(engine: Engine, office: str, day: date, phone: str) -> str:
    return seed_booking(engine, office=office, day=day, phone=phone)


def _login(browser: Any, site: dict[str, Any], username: str, **context: Any) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}, **context).new_page()
    page.goto(site["url"] + "/clerk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#app-view").wait_for(state="visible")
    return page


def test_login_mark_undo_served_audit(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="li", password=PASSWORD, display_name="李", office_code="HG")
    today = datetime.now(TZ).date()
    ref = _book(engine, "HG", today, "13812344567")
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(site["url"] + "/clerk")
    page.fill("#username", "li")
    page.fill("#password", "wrong-password")
    page.click("#login-form button[type=submit]")
    page.locator("#login-error", has_text="不正确").wait_for()
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#who", has_text="李").wait_for()
    row = page.locator("#bookings tr", has_text=ref)
    row.wait_for()  # opened on today's list without choosing a date
    assert "138****4567" in row.inner_text() and "13812344567" not in page.content()
    shot(page, "clerk-bookings")
    # A mis-tap on 到达 is taken back with 撤销, then done properly.
    row.get_by_role("button", name=f"到达 {ref}").click()
    page.locator("#undo").click()
    page.locator("#notice", has_text="已撤销").wait_for()
    page.locator("#bookings tr", has_text="已预约").wait_for()
    page.get_by_role("button", name=f"到达 {ref}").click()
    page.get_by_role("button", name=f"办结 {ref}").click()
    page.locator("#bookings tr", has_text="已办结").wait_for()
    page.click("#tab-audit")
    page.locator("#audit tr", has_text=ref).first.wait_for()
    first = page.locator("#audit tr").first.inner_text()
    assert ref in first and "已办结" in first and "clerk:li" in first
    assert "撤销登记" in page.locator("#audit").inner_text()
    shot(page, "clerk-audit")
    page.click("#tab-lookup")
    page.fill("#q", "叉车证")
    page.click("#lookup-form button[type=submit]")
    page.locator("#item h2", has_text="特种设备作业人员资格认定").wait_for()
    shot(page, "clerk-lookup")
    page.context.close()


def test_another_offices_booking_is_refused_in_the_page(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="hong", password=PASSWORD, display_name="红安", office_code="HA")
    today = datetime.now(TZ).date()
    foreign = _book(engine, "HG", today + timedelta(days=2), "13812344571")
    page = _login(browser, site, "hong")
    page.fill("#s-q", foreign)
    page.click("#search-form button[type=submit]")
    page.locator("#bookings-error", has_text="本单位").wait_for()
    assert foreign not in page.locator("#bookings").inner_text()
    assert "13812344571" not in page.content()
    page.fill("#s-q", "4571")  # the phone's last digits: no foreign booking either
    page.click("#search-form button[type=submit]")
    page.locator("#bookings-empty").wait_for(state="visible")
    shot(page, "clerk-other-office")
    page.context.close()


def test_times_are_the_bureaus_whatever_the_computers_zone(
    browser: Any, site: dict[str, Any]
) -> None:
    engine = site["engine"]
    add_clerk(engine, username="ma", password=PASSWORD, display_name="马", office_code="MC")
    today = datetime.now(TZ).date()
    ref = _book(engine, "MC", today, "13812344572")
    # A computer set to Honolulu (UTC-10) is a day behind Huanggang for most of the day.
    page = _login(browser, site, "ma", timezone_id="Pacific/Honolulu")
    assert page.input_value("#b-date") == today.isoformat()
    page.locator("#bookings tr", has_text=ref).wait_for()
    page.click("#tab-audit")
    cell = page.locator("#audit tr", has_text=ref).first.locator("td").first
    cell.wait_for()
    shown = datetime.strptime(cell.inner_text().strip(), "%Y/%m/%d %H:%M:%S")
    assert abs(shown - datetime.now(TZ).replace(tzinfo=None)) < timedelta(minutes=5)
    page.context.close()
