"""Clerk console in a real browser: marks, search, scope, refresh, print, look-up, audit.

Also a booking's own page (window, place, channel, what is lacking) and local times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from chuangkou.booking import records
from chuangkou.booking.calendar import TZ
from chuangkou.booking.tables import Booking
from chuangkou.catalog.files import read_catalog
from chuangkou.clerks import add_clerk
from chuangkou.settings import PROJECT_ROOT
from tests.browser.conftest import shot
from tests.utils.bookings import seed_booking

pytestmark = pytest.mark.engine
PASSWORD = "window-clerk-pw"
CATALOG = read_catalog(PROJECT_ROOT / "catalog")


def _book(engine: Engine, office: str, day: date, phone: str, **extra: Any) -> str:
    return seed_booking(engine, office=office, day=day, phone=phone, **extra)


def _change(engine: Engine, ref: str, **values: Any) -> None:
    """Set columns the seeding helper does not take (channel, missing documents)."""
    with Session(engine) as session, session.begin():
        session.execute(update(Booking).where(Booking.ref == ref).values(**values))


def _login(browser: Any, site: dict[str, Any], username: str, **context: Any) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}, **context).new_page()
    page.goto(site["url"] + "/clerk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#app-view").wait_for(state="visible")
    return page


def _search(page: Any, query: str) -> None:
    page.fill("#s-q", query)
    page.click("#search-form button[type=submit]")


def _today() -> date:
    return datetime.now(TZ).date()


def test_login_mark_undo_served_audit(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="li", password=PASSWORD, display_name="李", office_code="HG")
    ref = _book(engine, "HG", _today(), "13812344567")
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
    shot(page, "console-bookings")
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
    first = page.locator("#audit tr").first
    # The clerk's display name, not the account's technical name.
    assert ref in first.inner_text() and "已办结" in first.inner_text()
    assert "工作人员 李" in first.inner_text()
    assert first.locator("td").last.get_attribute("title") == "clerk:li"
    assert "撤销登记" in page.locator("#audit").inner_text()
    shot(page, "console-audit")
    page.context.close()


def test_search_by_the_phones_last_four_digits(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="tuan", password=PASSWORD, display_name="团", office_code="TF")
    day = _today() + timedelta(days=3)
    ref = _book(engine, "TF", day, "13900007788", name="王小明")
    _book(engine, "HA", day, "13900017788", name="王小明")  # another office, same digits
    page = _login(browser, site, "tuan")
    page.locator("#bookings-empty").wait_for(state="visible")  # nothing today
    _search(page, "7788")
    row = page.locator("#bookings tr", has_text=ref)
    row.wait_for()
    assert "139****7788" in row.inner_text() and day.isoformat() in row.inner_text()
    assert page.locator("#bookings tr").count() == 1  # 红安's booking is not found
    assert "13900007788" not in page.content()
    assert "7788" in page.locator("#list-title").inner_text()
    shot(page, "console-search")
    _search(page, "王小明")
    page.locator("#bookings tr", has_text=ref).wait_for()
    assert page.locator("#bookings tr").count() == 1
    _search(page, ref.lower())
    page.locator("#bookings tr", has_text=ref).wait_for()
    page.click("#s-clear")  # back to the day's list
    page.locator("#bookings-empty").wait_for(state="visible")
    assert page.locator("#s-clear").is_hidden()
    page.context.close()


def test_another_offices_booking_is_refused_in_the_page(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="hong", password=PASSWORD, display_name="红安", office_code="HA")
    foreign = _book(engine, "HG", _today() + timedelta(days=2), "13812344571")
    page = _login(browser, site, "hong")
    _search(page, foreign)
    page.locator("#bookings-error", has_text="本单位").wait_for()
    assert foreign not in page.locator("#bookings").inner_text()
    assert "13812344571" not in page.content()
    _search(page, "4571")  # the phone's last digits: no foreign booking either
    page.locator("#bookings-empty").wait_for(state="visible")
    shot(page, "console-other-office")
    # The API says the same to this session, whatever the page would have asked.
    for path in (
        f"/clerk/api/bookings/{foreign}",
        f"/clerk/api/search?q={foreign}",
        f"/clerk/api/audit?ref={foreign}",
        "/clerk/api/bookings?office=HG&date=" + _today().isoformat(),
    ):
        resp = page.request.get(site["url"] + path)
        assert resp.status == 403, path
        assert "13812344571" not in resp.text()
    page.context.close()


def test_the_day_list_refreshes_by_itself(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="luo", password=PASSWORD, display_name="罗", office_code="LT")
    today = _today()
    refs = [
        _book(engine, "LT", today, f"137000011{i:02d}", at=time(9 + i // 2, 30 * (i % 2)))
        for i in range(8)
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 520})
    page = context.new_page()
    # The page's timers run on a clock the test moves: no waiting 30 s, and no hook in
    # the page that a clerk could use.
    page.clock.install()
    page.goto(site["url"] + "/clerk")
    page.fill("#username", "luo")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#bookings tr", has_text=refs[-1]).wait_for()
    page.locator("#bookings tr", has_text=refs[1]).get_by_role(
        "button", name=refs[1], exact=True
    ).click()
    page.locator("#detail h3", has_text=refs[1]).wait_for()
    page.evaluate("document.querySelector('#bookings tr').dataset.probe = 'kept'")
    page.evaluate("window.scrollTo(0, 240)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 100
    requests: list[str] = []
    page.on(
        "request", lambda r: requests.append(r.url) if "/clerk/api/bookings?" in r.url else None
    )

    # Made at the kiosk after the page loaded: shows up without anyone pressing anything.
    late = _book(engine, "LT", today, "13700001199", at=time(16, 0))
    page.clock.run_for(31_000)
    page.locator("#bookings tr", has_text=late).wait_for()
    assert requests, "the list was read again"
    # Unchanged rows stay the same elements (no flicker), the scroll and the opened
    # booking stay where they were.
    assert page.evaluate("document.querySelector('#bookings tr').dataset.probe") == "kept"
    assert page.evaluate("window.scrollY") == scrolled
    assert page.locator("#detail h3", has_text=refs[1]).is_visible()
    selected = page.locator("#bookings tr[aria-current=true]")
    assert selected.count() == 1 and refs[1] in selected.inner_text()
    # A status changed elsewhere reaches the open booking too.
    with Session(engine) as session, session.begin():
        row = records.by_ref(session=session, ref=refs[1])
        assert row is not None
        row.status = "arrived"
    page.clock.run_for(31_000)
    page.locator("#detail [data-f=status]", has_text="已到达").wait_for()

    # Not while the page is hidden (another tab, a locked screen) ...
    page.evaluate(
        "Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true})"
    )
    requests.clear()
    page.clock.run_for(65_000)
    page.wait_for_timeout(300)
    assert requests == []
    # ... and at once when it is back.
    with page.expect_request(lambda r: "/clerk/api/bookings?" in r.url):
        page.evaluate(
            "Object.defineProperty(document, 'visibilityState',"
            " {value: 'visible', configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
    shot(page, "console-refreshed")
    context.close()


def test_printing_gives_the_day_list(browser: Any, site: dict[str, Any]) -> None:
    engine = site["engine"]
    add_clerk(engine, username="ying", password=PASSWORD, display_name="英", office_code="YS")
    today = _today()
    ref = _book(engine, "YS", today, "13600002233", name="赵六")
    _change(engine, ref, missing_docs=["营业执照", "授权委托书"])
    page = _login(browser, site, "ying")
    row = page.locator("#bookings tr", has_text=ref)
    row.wait_for()
    assert page.locator("#print-head").is_hidden()
    page.emulate_media(media="print")
    assert page.locator("#bookings-table").is_visible() and row.is_visible()
    head = page.locator("#print-head")
    assert head.is_visible()
    office = CATALOG.office("YS")
    assert office is not None
    assert office.name in head.inner_text() and today.isoformat() in head.inner_text()
    printed_at = page.locator("#p-time").inner_text()
    assert datetime.strptime(printed_at, "%Y/%m/%d %H:%M:%S").date() == today
    cells = row.locator("td")
    shown = [cells.nth(i).inner_text() for i in range(cells.count()) if cells.nth(i).is_visible()]
    lacking = "营业执照、授权委托书"
    assert shown == [ref, "09:00", "特种设备使用登记", "赵六", "136****2233", "已预约", lacking]
    for hidden in (".top", ".tabs", "#search-form", "#bookings-form", "#list-title"):
        assert page.locator(hidden).is_hidden(), hidden
    assert row.get_by_role("button", name=f"到达 {ref}").is_hidden()
    shot(page, "console-print")
    page.emulate_media(media="screen")
    assert page.locator(".tabs").is_visible() and head.is_hidden()
    page.context.close()


def test_a_bookings_page_says_where_how_and_what_is_lacking(
    browser: Any, site: dict[str, Any]
) -> None:
    engine = site["engine"]
    add_clerk(engine, username="xi", password=PASSWORD, display_name="浠", office_code="XS")
    ref = _book(engine, "XS", _today(), "13500004455")
    _change(engine, ref, channel="kiosk", missing_docs=["营业执照", "产品合格证"])
    page = _login(browser, site, "xi")
    page.locator("#bookings tr", has_text=ref).get_by_role("button", name=ref, exact=True).click()
    detail = page.locator("#detail")
    detail.locator("h3", has_text=ref).wait_for()
    office = CATALOG.office("XS")
    assert office is not None
    window = office.window("行政服务")  # the window of FW01's category there
    assert window is not None
    assert detail.locator("[data-f=window]").inner_text() == "行政服务"
    assert window.location in detail.locator("[data-f=location]").inner_text()
    assert office.address in detail.locator("[data-f=office]").inner_text()
    assert detail.locator("[data-f=channel]").inner_text() == "大厅自助机"
    lacking = detail.locator("[data-f=missing] li").all_inner_texts()
    assert lacking == ["营业执照", "产品合格证"]
    assert detail.locator("[data-f=phone]").inner_text() == "13500004455"  # own office
    assert "营业执照、产品合格证" in page.locator("#bookings tr", has_text=ref).inner_text()
    shot(page, "console-booking")
    detail.get_by_role("button", name="关闭").click()
    assert detail.is_hidden()
    page.context.close()


def test_the_look_up_shows_everything_and_a_stopped_items_status(
    browser: Any, site: dict[str, Any]
) -> None:
    engine = site["engine"]
    add_clerk(engine, username="qi", password=PASSWORD, display_name="蕲", office_code="QC")
    page = _login(browser, site, "qi")
    page.click("#tab-lookup")
    page.fill("#q", "SP08")  # 制造、修理计量器具许可: stopped since the 2017 amendment
    page.click("#lookup-form button[type=submit]")
    item = page.locator("#item")
    item.locator("h2", has_text="制造、修理计量器具许可").wait_for()
    stopped = CATALOG.item("SP08")
    assert stopped is not None and stopped.status_note
    assert item.locator("[data-f=status]").inner_text() == "已停止办理"
    assert stopped.status_note in item.locator("[data-f=status_note]").inner_text()
    item.locator("[data-f=redirect]", has_text="计量器具型式批准").wait_for()
    assert "承诺" not in item.inner_text() and "0 个工作日" not in item.inner_text()
    shot(page, "console-lookup-stopped")

    page.fill("#q", "叉车证")
    page.click("#lookup-form button[type=submit]")
    item.locator("h2", has_text="特种设备作业人员资格认定").wait_for()
    page.fill("#q", "FW01")
    page.click("#lookup-form button[type=submit]")
    item.locator("h2", has_text="特种设备使用登记").wait_for()
    active = CATALOG.item("FW01")
    qc = CATALOG.office("QC")
    assert active is not None and qc is not None
    assert item.locator("[data-f=status]").inner_text() == "正在办理"
    assert item.locator("[data-f=stopped]").count() == 0
    assert f"承诺 {active.time_limit.promised_days} 个工作日" in item.inner_text()
    assert item.locator("[data-f=fee]").inner_text().startswith("不收费")
    places = item.locator("[data-f=offices] li").all_inner_texts()
    assert len(places) == len(CATALOG.accepting_offices(active))
    window = qc.window("行政服务")
    assert window is not None
    # The clerk's own office first, with its address and the window's place.
    assert qc.address in places[0] and window.location in places[0]
    basis = item.locator("[data-f=legal_basis] li").all_inner_texts()
    assert basis == list(active.legal_basis)
    assert item.locator("[data-f=process] li").count() == len(active.process)
    assert "电梯（FW01-01）" in item.locator("[data-f=sub_items]").inner_text()
    shot(page, "console-lookup")
    page.context.close()


def test_audit_filters_narrow_the_list(browser: Any, site: dict[str, Any]) -> None:
    from playwright.sync_api import expect  # as the fixture does: only where a browser runs

    engine = site["engine"]
    add_clerk(engine, username="huang", password=PASSWORD, display_name="黄", office_code="HM")
    add_clerk(engine, username="mei", password=PASSWORD, display_name="梅", office_code="HM")
    today = _today()
    first = _book(engine, "HM", today, "13300006601")
    second = _book(engine, "HM", today, "13300006602", at=time(10, 0))
    with Session(engine) as session, session.begin():
        row = records.by_ref(session=session, ref=second)
        assert row is not None
        records.add_event(
            session=session, row=row, actor="citizen:kiosk", action="note", now=datetime.now(UTC)
        )
    huang = _login(browser, site, "huang")
    huang.get_by_role("button", name=f"到达 {first}").click()
    huang.locator("#bookings tr", has_text=first).locator("text=已到达").wait_for()
    huang.context.close()
    page = _login(browser, site, "mei")
    page.get_by_role("button", name=f"到达 {second}").click()
    page.locator("#bookings tr", has_text=second).locator("text=已到达").wait_for()
    page.click("#tab-audit")
    rows = page.locator("#audit tr")
    page.locator("#audit tr", has_text=first).first.wait_for()
    log = page.locator("#audit").inner_text()
    assert first in log and second in log
    assert "工作人员 黄" in log and "工作人员 梅" in log and "大厅自助机" in log
    assert "clerk:" not in log and "citizen:" not in log

    page.fill("#a-ref", second.lower())
    page.click("#audit-form button[type=submit]")
    expect(rows).to_have_count(3)  # created, the kiosk's note, 到达
    assert all(second in text for text in rows.all_inner_texts())

    page.click("#audit-form button[type=reset]")
    page.locator("#audit tr", has_text=first).first.wait_for()
    page.locator("#a-clerk option", has_text="黄").wait_for(state="attached")
    page.select_option("#a-clerk", "huang")
    page.click("#audit-form button[type=submit]")
    expect(rows).to_have_count(1)
    only = rows.first.inner_text()
    assert first in only and "工作人员 黄" in only and "已到达" in only
    shot(page, "console-audit-filtered")

    page.select_option("#a-clerk", "")
    page.fill("#a-since", (today + timedelta(days=1)).isoformat())
    page.click("#audit-form button[type=submit]")
    page.locator("#audit-empty").wait_for(state="visible")
    assert rows.count() == 0
    page.fill("#a-since", today.isoformat())
    page.fill("#a-until", today.isoformat())
    page.click("#audit-form button[type=submit]")
    page.locator("#audit tr", has_text=second).first.wait_for()
    assert page.locator("#audit-empty").is_hidden()
    page.context.close()


def test_times_are_the_bureaus_whatever_the_computers_zone(
    browser: Any, site: dict[str, Any]
) -> None:
    engine = site["engine"]
    add_clerk(engine, username="ma", password=PASSWORD, display_name="马", office_code="MC")
    today = _today()
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
    # The booking's own trail and the print header are in the bureau's time as well.
    page.click("#tab-bookings")
    page.locator("#bookings tr", has_text=ref).get_by_role("button", name=ref, exact=True).click()
    trail = page.locator("#detail [data-f=audit] li").first
    trail.wait_for()
    stamp = datetime.strptime(" ".join(trail.inner_text().split()[:2]), "%Y/%m/%d %H:%M:%S")
    assert abs(stamp - datetime.now(TZ).replace(tzinfo=None)) < timedelta(minutes=5)
    printed = datetime.strptime(page.locator("#p-time").text_content() or "", "%Y/%m/%d %H:%M:%S")
    assert abs(printed - datetime.now(TZ).replace(tzinfo=None)) < timedelta(minutes=5)
    page.context.close()
