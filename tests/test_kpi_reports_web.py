"""The quarterly KPI reports in the admin web and in LINE, tried as a secretariat member would.

Seed 000's fiscal year 2564 is replayed. นางสาวน้อย (secretariat, linked to LINE) opens the network report of
the fourth quarter, edits its obstacles, finalises it as version 1 and gets a LINE card with signed links; a
group's member count is then corrected, so the page says a new draft differs while version 1 prints exactly
as before. The clock's quarterly card links a signed document too; a viewer may open none of it.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import downloads
from bot.admin import kpi_report_files
from bot.emulator import limits, spec
from line.messenger import Messenger
from models import AuditEntry, Chat, OutgoingMessage, ReportVersion, Role, StaffUser
from models.settings import set_setting
from models.workgroup import StaffLineLink
from reports.documents import pdf
from scheduler.runner import Runner
from tests.browser import CHROMIUM, SCREENSHOTS, _chromium_page, sign_in
from tests.test_admin_support import csrf_token, login, make_staff
from tests.test_kpi_reports import docx_text, pdf_text, seed_fy2564, squeezed

REPORT = "/admin/kpi-reports/network/2564/4"
LINE_USER = "U" + "a1" * 16
RAW = re.compile(r"\b(True|False|None)\b|\{'|not_counted|\"required\"")


@pytest.fixture(autouse=True)
def fresh_previews():
    """No PDF kept from another test (the page keeps the few newest it printed)."""
    kpi_report_files._CACHE.clear()


@pytest.fixture
def noi(services, client):
    """The secretariat member น้อย, linked to LINE, signed in; FY 2564 replayed."""
    seed_fy2564(services)
    user_id = make_staff(services, "noi", Role.SECRETARIAT)
    with services.sessions.begin() as session:
        session.get(StaffUser, user_id).full_name = "นางสาวน้อย รักงาน"
        session.add(StaffLineLink(staff_user_id=user_id, line_user_id=LINE_USER))
    assert login(client, "noi").status_code == 302
    return client


def post(client, path: str, data: dict | None = None):
    """POST a form of the report page with its CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, REPORT)})


def xlsx_values(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cell values."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_the_list_shows_every_quarter_with_a_picker_and_the_page_previews_the_draft(services, noi):
    page = noi.get("/admin/kpi-reports/?fy=2564&quarter=4").get_data(as_text=True)
    assert "ปีงบประมาณ 2564 ไตรมาสที่ 1" in page and "ปีงบประมาณ 2564 ไตรมาสที่ 4" in page
    assert '<select name="fy">' in page and '<select name="quarter">' in page and 'type="text"' not in page
    assert page.count(">ร่าง</span>") == 8  # 2 KPIs × 4 quarters, nothing finalised yet
    assert 'href="/admin/kpi-reports/"' in noi.get("/admin/").get_data(as_text=True)  # in the main nav
    assert "รายงานตัวชี้วัด</a>" in page
    report = noi.get(REPORT).get_data(as_text=True)
    assert "รายงานตัวชี้วัดเครือข่ายข่าวความมั่นคง" in report and "สถานะ: ร่าง" in report
    assert "ยืนยันรายงานเป็นฉบับที่ 1" in report
    if pdf.available():
        images = re.findall(r'<img src="([^"]+)"', report)
        assert len(images) >= 4
        image = noi.get(images[0].replace("&amp;", "&"))
        assert image.status_code == 200 and image.mimetype == "image/png" and image.data[:4] == b"\x89PNG"
        assert noi.get(f"{REPORT}/page-99.png").status_code == 404
    else:
        assert "จึงแสดงตัวอย่างเป็นหน้าเว็บแทน" in report and "สมาชิก 115 คน" in report
    assert not RAW.search(report)


def test_html_preview_with_a_thai_note_when_no_pdf_can_be_made(services, noi, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    report = noi.get(REPORT).get_data(as_text=True)
    assert "เครื่องนี้ยังสร้าง PDF ไม่ได้" in report and "<img src=" not in report
    assert "2 กรกฎาคม 2564" in report and "สมาชิก 42 คน" in report  # the draft itself, as HTML
    assert "draft.pdf" not in report and noi.get(f"{REPORT}/draft.pdf").status_code == 302


def test_a_narrative_edit_shows_in_the_docx_and_is_audited(services, noi):
    response = post(noi, f"{REPORT}/narrative", {"obstacles": "ฝนตกหนักช่วงเดือนกันยายน ทำให้ต้องเลื่อนประชุม"})
    assert response.status_code == 302
    assert "บันทึกข้อความของรายงานแล้ว (1 หัวข้อ)" in noi.get(REPORT).get_data(as_text=True)
    draft = noi.get(f"{REPORT}/draft.docx")
    assert draft.status_code == 200 and "filename*=UTF-8''" in draft.headers["Content-Disposition"]
    assert "ฝนตกหนักช่วงเดือนกันยายน ทำให้ต้องเลื่อนประชุม" in docx_text(draft.data)
    with services.sessions() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "kpi_report.narrative")).all()
        download = session.scalar(select(AuditEntry).where(AuditEntry.action == "kpi_report.download"))
    assert entry.actor == "noi" and entry.detail["sections"] == ["obstacles"] and "ฝนตก" not in str(entry.detail)
    assert download.detail["fmt"] == "docx" and download.object_id == "2564-Q4"


def test_finalise_freezes_version_1_and_later_data_never_changes_it(services, noi):
    assert post(noi, f"{REPORT}/finalise").status_code == 302
    page = noi.get(REPORT).get_data(as_text=True)
    assert "ยืนยันรายงานเครือข่ายข่าวความมั่นคง ปีงบประมาณ 2564 ไตรมาสที่ 4 เป็นฉบับที่ 1 แล้ว" in page
    assert "สถานะ: ส่งแล้ว ฉบับที่ 1" in page and "ร่างตรงกับฉบับที่ 1" in page and "โดย นางสาวน้อย รักงาน" in page
    with services.sessions() as session:
        version = session.scalar(select(ReportVersion).where(ReportVersion.kind == "kpi-network"))
        finalised = session.scalar(select(AuditEntry).where(AuditEntry.action == "kpi_report.finalise"))
    assert (version.version, version.period, len(version.digest)) == (1, "2564-Q4", 64)
    assert finalised.detail["digest"] == version.digest and finalised.detail["line_cards"] == 1
    before_xlsx = xlsx_values(noi.get(f"/admin/kpi-reports/versions/{version.id}.xlsx").data)
    before_docx = docx_text(noi.get(f"/admin/kpi-reports/versions/{version.id}.docx").data)
    assert "สมาชิก 88 คน" in before_docx and "ฉบับที่ 1 ยืนยันเมื่อ" in before_docx

    with services.sessions.begin() as session:  # a count corrected after the report was sent
        session.scalar(select(Chat).where(Chat.name == "กลุ่มไลน์ อบรมเครือข่ายข่าว")).member_count = 90
    page = noi.get(REPORT).get_data(as_text=True)
    assert "ข้อมูลในระบบตอนนี้ต่างจากฉบับที่ 1 ที่ส่งไปแล้ว" in page and "ยืนยันรายงานเป็นฉบับที่ 2" in page
    assert noi.get("/admin/kpi-reports/?fy=2564&quarter=4").get_data(as_text=True).count("ส่งแล้ว ฉบับที่ 1") == 1
    after_xlsx = xlsx_values(noi.get(f"/admin/kpi-reports/versions/{version.id}.xlsx").data)
    assert after_xlsx == before_xlsx  # every cell of version 1's annex as sent
    assert docx_text(noi.get(f"/admin/kpi-reports/versions/{version.id}.docx").data) == before_docx
    draft = xlsx_values(noi.get(f"{REPORT}/draft.xlsx").data)
    assert [row[3] for row in draft["กลุ่มเครือข่าย"][1:]] == [42, 90, 115]
    if pdf.available():
        text = squeezed(pdf_text(noi.get(f"/admin/kpi-reports/versions/{version.id}.pdf").data))
        assert squeezed("สมาชิก 88 คน") in text and squeezed("2 กรกฎาคม 2564") in text

    assert post(noi, f"{REPORT}/finalise").status_code == 302
    with services.sessions() as session:
        assert sorted(session.scalars(select(ReportVersion.version).where(ReportVersion.kind == "kpi-network"))) == [
            1,
            2,
        ]
    assert noi.get(f"/admin/scheduler/reports/{version.id}").headers["Location"].endswith(REPORT)


def _card(services) -> dict:
    with services.sessions() as session:
        (message,) = session.scalars(select(OutgoingMessage).where(OutgoingMessage.purpose == "kpi-report")).all()
        return {"to": message.recipient, "messages": message.messages}


def test_the_secretariat_gets_a_line_card_whose_signed_links_open_and_expire(app, services, noi):
    post(noi, f"{REPORT}/finalise")
    body = _card(services)
    assert body["to"] == LINE_USER
    assert spec.messaging_api().validate("PushMessageRequest", body) == []  # what the emulator checks
    assert list(limits.check_messages(body)) == []
    card = body["messages"][0]
    assert card["altText"] == "รายงานตัวชี้วัดเครือข่ายข่าวความมั่นคง ปีงบประมาณ 2564 ไตรมาสที่ 4 ฉบับที่ 1: ดาวน์โหลด PDF, DOCX, XLSX"
    buttons = {b["action"]["label"]: b["action"]["uri"] for b in card["contents"]["footer"]["contents"]}
    assert set(buttons) == {"ดาวน์โหลด DOCX (แก้ไขได้)", "ตารางข้อมูล XLSX"} | (
        {"ดาวน์โหลด PDF"} if pdf.available() else set()
    )
    anonymous = app.test_client()  # a phone in LINE: no web login
    docx_link = urlsplit(buttons["ดาวน์โหลด DOCX (แก้ไขได้)"]).path
    response = anonymous.get(docx_link)
    assert response.status_code == 200 and "สมาชิก 115 คน" in docx_text(response.data)
    with services.sessions() as session:
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == downloads.AUDIT_ACTION))
    assert audit.object_type == "kpi-report" and audit.detail["made_for"] == "line:noi"
    with app.app_context():
        expired = downloads.signed_link(kind="kpi-report", ref="1", fmt="pdf", made_for="x", ttl=timedelta(seconds=-1))
    gone = anonymous.get(urlsplit(expired).path)
    assert gone.status_code == 410 and "ลิงก์นี้หมดอายุแล้ว" in gone.get_data(as_text=True)
    forged = anonymous.get(docx_link[:-4] + ("AAAA" if not docx_link.endswith("AAAA") else "BBBB"))
    assert forged.status_code == 404 and "ลิงก์นี้ไม่ถูกต้อง" in forged.get_data(as_text=True)


def test_only_admin_and_secretariat_may_open_edit_or_finalise(app, services, noi):
    post(noi, f"{REPORT}/finalise")
    with services.sessions() as session:
        version_id = session.scalar(select(ReportVersion.id).where(ReportVersion.kind == "kpi-network"))
    for role, name in ((Role.VIEWER, "viewer"), (Role.DISTRICT_OFFICER, "officer")):
        make_staff(services, name, role, districts=("บางรัก",) if role == Role.DISTRICT_OFFICER else ())
        other = app.test_client()
        login(other, name)
        for path in (
            "/admin/kpi-reports/",
            REPORT,
            f"{REPORT}/draft.docx",
            f"/admin/kpi-reports/versions/{version_id}.pdf",
        ):
            assert other.get(path).status_code == 403, (name, path)
        token = csrf_token(other, "/admin/")
        for action in ("finalise", "narrative"):
            assert other.post(f"{REPORT}/{action}", data={"csrf_token": token}).status_code == 403
        assert "รายงานตัวชี้วัด</a>" not in other.get("/admin/").get_data(as_text=True)
    assert app.test_client().get(REPORT).status_code == 302  # not signed in: the login page


def test_the_clock_card_links_a_signed_summary_and_its_page_reads_in_thai(app, services, noi):
    base = app.config["PUBLIC_BASE_URL"]
    runner = Runner(
        services.sessions, Messenger("t", "http://127.0.0.1:9"), base_url=base, secret_key=app.config["SECRET_KEY"]
    )
    with services.sessions.begin() as session:
        set_setting(session, "scheduler.recipients.secretariat", [LINE_USER], by="test")
    assert runner.run("quarterly-summary", "2564-Q4", deliver=False).status == "done"
    with services.sessions() as session:
        quarterly = session.scalar(select(ReportVersion).where(ReportVersion.kind == "quarterly"))
        sent = session.scalars(select(OutgoingMessage).where(OutgoingMessage.recipient == LINE_USER)).all()
    cards = [m for row in sent for m in row.messages if m["type"] == "flex"]
    links = [b["action"]["uri"] for card in cards for b in card["contents"]["footer"]["contents"]]
    assert links and all("/d/" in link for link in links)  # signed links, not the admin page
    for card in cards:
        assert list(limits.check_messages({"messages": [card]})) == []
    document = app.test_client().get(urlsplit(links[0]).path)  # opened from LINE, no login
    assert document.status_code == 200
    text = pdf_text(document.data) if document.mimetype == "application/pdf" else docx_text(document.data)
    assert squeezed("ผ่านเกณฑ์ถึงระดับ 5") in squeezed(text) and squeezed("สมาชิก 115 คน") in squeezed(text)
    page = noi.get(f"/admin/scheduler/reports/{quarterly.id}").get_data(as_text=True)
    assert "สรุปตัวชี้วัดรายไตรมาส ปีงบประมาณ 2564 ไตรมาสที่ 4 ฉบับที่ 1" in page
    assert "ผ่านเกณฑ์ถึงระดับ 5 (เป้าหมายระดับ 4) บรรลุเป้าหมาย" in page
    assert "3) กลุ่มไลน์เครือข่ายข่าว อปพร.กทม. สมาชิก 115 คน" in page and "ที่ 1/2564" in page
    assert "โดยระบบ (ตามกำหนดเวลา)" in page and f'href="{REPORT}"' in page
    assert not RAW.search(page) and "clock" not in page and "patrol_percent" not in page


@pytest.fixture
def phone_390():
    """A Thai-locale chromium page as wide as a 390 px phone."""
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    yield from _chromium_page({"width": 390, "height": 844})


def test_on_a_phone_the_report_page_fits(services, live_server, phone_390):
    seed_fy2564(services)
    make_staff(services, "somsri", Role.SECRETARIAT, password="browser test password")
    page = phone_390
    page.goto(f"{live_server}{REPORT}")
    sign_in(page, "somsri", "browser test password")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "รายงานตัวชี้วัดเครือข่ายข่าวความมั่นคง"
    page.evaluate("document.querySelectorAll('img').forEach(image => { image.loading = 'eager'; })")
    loaded = "[...document.images].every(i => i.complete && i.naturalWidth > 0)"
    for _ in range(120):  # the page's CSP allows no wait_for_function: poll
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(500)
    assert page.evaluate(loaded)
    assert page.evaluate("document.images.length") >= 4  # the draft's pages as images
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    text = page.inner_text("body")
    assert "ข้อ 8 อุปสรรคต่อการดำเนินงาน" in text and not RAW.search(text)
    page.screenshot(path=str(SCREENSHOTS / "fieldline-kpi-report-390.png"), full_page=True)
    page.goto(f"{live_server}/admin/kpi-reports/?fy=2564&quarter=4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "fieldline-kpi-reports-390.png"), full_page=True)
