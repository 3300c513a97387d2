"""A real browser (Debian's chromium through Playwright) signs in, finds a parked event and retries it."""

from __future__ import annotations

import pytest

from models import InboxStatus, Role
from tests.browser import CHROMIUM, SCREENSHOTS, sign_in
from tests.test_admin_support import add_event, add_member, make_staff

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def test_sign_in_find_a_parked_event_and_retry_it(services, live_server, browser_page):
    make_staff(services, "somchai", Role.SECRETARIAT, password="browser test password")
    for status, event_type, minutes in [
        (InboxStatus.DONE, "follow", 90),
        (InboxStatus.DONE, "message", 60),
        (InboxStatus.FAILED, "postback", 30),
        (InboxStatus.IGNORED, "message", 20),
    ]:
        add_event(services, status=status, event_type=event_type, received_minutes_ago=minutes, last_error=None)
    parked = add_event(services, status=InboxStatus.PARKED, attempts=5, last_error="KeyError: 'postback'")
    add_member(services, "U" + "d" * 32, "ทดสอบ")
    expect = playwright_api.expect
    page = browser_page

    page.goto(f"{live_server}/admin/inbox")  # signed out: sent to the login page, then back
    expect(page.locator("h1")).to_have_text("เข้าสู่ระบบเจ้าหน้าที่")
    sign_in(page, "somchai", "browser test password")
    expect(page.locator("h1")).to_have_text("เหตุการณ์ขาเข้า")
    topbar = page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert topbar == "rgb(11, 110, 79)"  # the local stylesheet loaded (and the CSP let it)

    page.get_by_label("สถานะ").select_option("parked")
    page.get_by_role("button", name="กรอง").click()
    row = page.locator(f"#event-{parked}")
    expect(row).to_contain_text("พักไว้")
    expect(row).to_contain_text("KeyError")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-admin-inbox-parked.png"), full_page=True)

    row.get_by_role("button", name=f"ลองประมวลผลเหตุการณ์ #{parked} ใหม่").click()
    expect(page.locator(".flash-success")).to_contain_text(f"ส่งเหตุการณ์ #{parked} กลับเข้าคิวแล้ว")
    expect(page.locator(f"#event-{parked}")).to_have_count(0)  # no longer parked

    page.get_by_label("สถานะ").select_option("pending")
    page.get_by_role("button", name="กรอง").click()
    expect(page.locator(f"#event-{parked}")).to_contain_text("รอประมวลผล")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-admin-inbox-pending.png"), full_page=True)

    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="สถานะกล่องขาเข้าและการรับข้อความจาก LINE").click()
    expect(page.locator(".tile-pending .tile-number")).to_have_text("1")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-admin-inbox-health.png"), full_page=True)
    page.goto(f"{live_server}/admin/")
    expect(page.locator("#tile-parked-events .home-number")).to_have_text("0")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-admin-dashboard.png"), full_page=True)
