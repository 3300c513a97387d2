"""A real browser (Debian's chromium through Playwright): the reports inbox, a report with a photo, a status update."""

from __future__ import annotations

import pytest

from models import MemberStatus, NewsReport, ReportStatus, Role
from tests import test_network_admin_support as make
from tests.browser import CHROMIUM, SCREENSHOTS, sign_in
from tests.test_admin_support import make_staff
from tests.test_network_admin_support import bkk

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def test_filter_the_inbox_open_a_report_with_a_photo_and_send_received(app, services, live_server, browser_page):
    make_staff(services, "somying", Role.SECRETARIAT, password="browser test password")
    alice, code = make.member(services)
    make.member(services, status=MemberStatus.PENDING, district="บางรัก", occupation="security_guard")
    chat = make.group(services, "เครือข่ายข่าว อปพร. คลองเตย")
    news, ref = make.report(
        services,
        reporter=alice,
        chat=chat,
        when=bkk(2026, 1, 20, 14, 5),
        text="#ข่าว พบแรงงานต่างด้าวลักลอบทำงานในไซต์ก่อสร้าง ประมาณ 20 คน",
        location=(13.72, 100.58),
        suggested="suspicious_person",
    )
    make.add_photo(app, services, news)
    make.add_photo(app, services, news, make.photo_with_gps((20, 140, 90)), unsent=True)
    other, _ = make.report(services, reporter=alice, chat=chat, when=bkk(2026, 1, 20, 14, 40))
    make.link(services, other, news)
    make.report(services, when=bkk(2026, 2, 3, 8, 15), district="บางรัก", category="drugs", text="มีคนมั่วสุมเสพยา")
    make.report(services, when=bkk(2026, 1, 10, 22, 0), category="crime", status=ReportStatus.RECEIVED)
    expect = playwright_api.expect
    page = browser_page

    page.goto(f"{live_server}/admin/network/reports")
    expect(page.locator("h1")).to_have_text("เข้าสู่ระบบเจ้าหน้าที่")
    sign_in(page, "somying", "browser test password")
    expect(page.locator("h1")).to_have_text("ข่าวจากเครือข่าย")
    expect(page.locator("tr[id^=report-]")).to_have_count(4)
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-reports.png"), full_page=True)

    page.get_by_label("ตั้งแต่วันที่").fill("20/01/2569")
    page.get_by_label("ถึงวันที่").fill("20/01/2569")
    page.get_by_label("กลุ่ม / ช่องทาง").select_option(str(chat))
    page.get_by_role("button", name="กรอง").click()
    rows = page.locator("tr[id^=report-]")
    expect(rows).to_have_count(2)
    row = page.locator(f"#report-{news}")
    expect(row).to_contain_text(code)
    expect(row).to_contain_text("อาจซ้ำ 1")
    expect(row).to_contain_text("20 ม.ค. 2569 14:05 น.")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-reports-filtered.png"), full_page=True)

    row.get_by_role("link", name=ref).click()
    expect(page.locator("h1")).to_contain_text(f"ข่าว {ref}")
    photo = page.locator("img.photo")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.photo').complete")
    assert photo.evaluate("img => img.naturalWidth") == 32  # served through the authorised route
    expect(page.locator(".unsent-note")).to_have_text("ผู้ส่งยกเลิกข้อความนี้แล้ว")
    expect(page.locator("figure.map-pin")).to_contain_text("13.72000, 100.58000")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-report.png"), full_page=True)

    page.get_by_role("button", name="แจ้งว่า “ได้รับข่าวแล้ว”").click()
    expect(page.locator(".flash-success")).to_contain_text(f"ส่งข้อความแจ้งสถานะข่าว {ref} ถึงผู้แจ้งแล้ว")
    expect(page.locator("h1 .badge").first).to_have_text("รับเรื่องแล้ว")
    expect(page.locator("#status-updates .history li")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-report-received.png"), full_page=True)
    [push] = make.outbox(services)
    assert push.recipient == make.line_user_id(services, alice) and push.purpose == "status-update:received"
    assert make.get(services, NewsReport, news).status == ReportStatus.RECEIVED

    page.goto(f"{live_server}/admin/members")
    expect(page.locator("h1")).to_contain_text("สมาชิกเครือข่ายข่าว")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-members.png"), full_page=True)
    page.locator(f"#member-{alice} a").click()
    page.get_by_role("link", name="แสดงชื่อและเบอร์โทร (บันทึกการเปิดดู)").click()
    expect(page.locator(".identity")).to_contain_text("สมชาย ใจดี")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-member.png"), full_page=True)

    page.goto(f"{live_server}/admin/network/groups")
    page.get_by_label("ชื่อกลุ่ม").fill("เครือข่ายข่าว รปภ. บางรัก")
    page.get_by_label("กลุ่มอาชีพหลักของสมาชิก").select_option("security_guard")
    page.get_by_role("button", name="สร้างรหัส").click()
    expect(page.locator("#new-code pre.command")).to_contain_text("ลงทะเบียนกลุ่ม ")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-groups.png"), full_page=True)
    page.goto(f"{live_server}/admin/network/settings")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-network-settings.png"), full_page=True)
    assert page.outside_requests == []  # no map tiles, fonts or scripts from the internet
