"""The day-7 month report as the secretariat files it: exact figures, DOCX, PDF and XLSX, and a page that fits a phone.

A scripted November 2569 at two points: RP-0001 (บางรัก, one camera) and RP-0002 (ปทุมวัน). Patrols miss
3 and 2 rounds (reasons: น้ำท่วม, ถนนปิด, ติดภารกิจระงับเหตุ; two never explained); the camera goes
unchecked 3 days and is found broken on the 10th (a defect, its work order to ฝ่ายโยธา and a coordination
letter to สำนักการจราจรและขนส่ง), working again on the 13th: fixed after 3 days. The police station gives
2 thefts at RP-0001 (4 in October). The patrol unit reports on time, ฝ่ายโยธา late, the others never.
The clock freezes the month as version 1 "by clock".
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from handlers.month_reports import submit
from models import CameraStatus, PatrolCheck, ReportVersion, RiskCamera, Role, RoundMiss, StaffUser
from models.timeutil import BANGKOK
from reports.documents import month_report, pdf
from reports.documents.month_report_docx import render_docx
from reports.documents.month_report_xlsx import render_xlsx
from reports.riskpoint_month import compile_month
from scheduler.versions import MONTH_REPORT, freeze, json_ready
from services.riskpoints.cameras import record_camera_check
from services.riskpoints.crime_stats import save_crime_stat
from services.riskpoints.units import find_unit
from tests.browser import CHROMIUM, SCREENSHOTS, _chromium_page, sign_in
from tests.report_factories import two_points
from tests.test_admin_support import audit_entries, login, make_staff

NOV = [date(2026, 11, d) for d in range(1, 31)]
MISSED = {  # (point, day, round): reason
    ("RP-0001", date(2026, 11, 6), 2): "flood",
    ("RP-0001", date(2026, 11, 7), 1): "road_closed",
    ("RP-0001", date(2026, 11, 21), 2): None,
    ("RP-0002", date(2026, 11, 15), 1): "incident",
    ("RP-0002", date(2026, 11, 16), 2): None,
}
CAMERA_SKIPPED = {date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 20)}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T")
OFFICE = "สำนักงานเขตบางรัก"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Bangkok moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def nothing(_recipient, _messages) -> None:
    """Discard notifications (no group is bound in this month)."""


@pytest.fixture
def november(services):
    """The scripted month, frozen by the clock; returns the frozen version's id."""
    with services.sessions.begin() as session:
        patrol_unit, points = two_points(session)
        for code, point in points.items():
            for day in NOV:
                for round_no, hour in ((1, 9), (2, 21)):
                    key = (code, day, round_no)
                    if key in MISSED:
                        session.add(
                            RoundMiss(
                                point_id=point.id,
                                patrol_day=day,
                                round_no=round_no,
                                recorded_at=at(day, 18 if round_no == 1 else 23),
                                reason=MISSED[key],
                            )
                        )
                        continue
                    session.add(
                        PatrolCheck(point_id=point.id, checked_at=at(day, hour), patrol_day=day, round_no=round_no)
                    )
        camera = session.scalar(select(RiskCamera).where(RiskCamera.code == "CAM-0001"))
        for day in NOV:
            if day in CAMERA_SKIPPED:
                continue
            broken = date(2026, 11, 10) <= day <= date(2026, 11, 12)
            status = CameraStatus.BROKEN if broken else CameraStatus.WORKING
            record_camera_check(session, camera, status, at(day, 10), nothing, method="centre", staff="ศูนย์")
        save_crime_stat(
            session, year=2569, month=11, crime_type="ลักทรัพย์", cases=2, point_code="RP-0001", station="สน.บางรัก", by="x"
        )
        save_crime_stat(session, year=2569, month=10, crime_type="ลักทรัพย์", cases=4, point_code="RP-0001", by="x")
        figures = {"kind": "patrol"}
        submit(session, patrol_unit, 2026, 11, at=at(date(2026, 12, 3), 10), by="x", figures=figures, note=None)
        works = find_unit(session, "public_works")
        submit(session, works, 2026, 11, at=at(date(2026, 12, 8), 9), by="x", figures={}, note=None)
        data = json_ready(compile_month(session, 2569, 11))
        version = freeze(session, MONTH_REPORT, "2569-11", data, run_key="monthly-compile:2569-11", by="clock")
        version.created_at = at(date(2026, 12, 4), 17, 0)  # when the clock froze it: the deadline
        return version.id


def frozen(services, version_id: int) -> ReportVersion:
    """The frozen version (detached, its data loaded)."""
    with services.sessions() as session:
        version = session.get(ReportVersion, version_id)
        session.expunge(version)
        return version


def view(services, version_id: int) -> month_report.MonthReport:
    """The Thai view of the version, as the admin web builds it."""
    with services.sessions() as session:
        version = session.get(ReportVersion, version_id)
        actor = month_report.actor_name(session, version.created_by)
        return month_report.build(
            version.data, office=OFFICE, version=1, frozen_at=version.created_at, actor=actor, digest=version.digest
        )


def test_the_compiled_month_has_exact_figures_per_point_and_district(services, november):
    data = frozen(services, november).data
    office = data["office"]
    # patrols: 2 points × 30 days × 2 rounds, 5 missed; camera: 30 days, 3 unchecked (broken checks are checks)
    assert (office["patrols_done"], office["patrols_required"], office["patrol_percent"]) == (115, 120, 95.83)
    assert (office["cameras_done"], office["cameras_required"], office["camera_percent"]) == (27, 30, 90.0)
    assert (office["defects_opened"], office["defects_fixed"], office["defect_percent"]) == (1, 1, 100.0)
    # 4 units owe a report (the patrol unit and 3 departments): one on time, ฝ่ายโยธา late
    assert (office["reports_expected"], office["reports_on_time"], office["reports_late"]) == (4, 1, 1)
    assert office["report_percent"] == 25.0
    assert office["overall_percent"] == round((95.83 + 90.0 + 100.0 + 25.0) / 4, 2) == 77.71

    bangrak, pathum = data["districts"]["บางรัก"], data["districts"]["ปทุมวัน"]
    assert (bangrak["patrols_done"], bangrak["patrols_required"], bangrak["patrol_percent"]) == (57, 60, 95.0)
    assert (bangrak["camera_percent"], bangrak["report_percent"], bangrak["overall_percent"]) == (90.0, 100.0, 96.25)
    assert (bangrak["misses"], bangrak["misses_explained"], bangrak["cameras"], bangrak["letters"]) == (3, 2, 1, 1)
    assert (bangrak["orders_received"], bangrak["orders_closed"], bangrak["orders_open_at_end"]) == (1, 1, 0)
    assert (bangrak["crime_cases"], bangrak["crime_previous"]) == (2, 4)
    assert (pathum["patrols_done"], pathum["patrol_percent"], pathum["camera_percent"]) == (58, 96.67, None)
    assert (pathum["misses"], pathum["misses_explained"], pathum["overall_percent"]) == (2, 1, 96.67)

    points = {row["code"]: row for row in data["points"]}
    assert (points["RP-0001"]["patrol_percent"], points["RP-0001"]["camera_percent"]) == (95.0, 90.0)
    assert (points["RP-0001"]["misses"], points["RP-0001"]["cameras"], points["RP-0001"]["letters"]) == (3, 1, 1)
    assert (points["RP-0002"]["patrols_done"], points["RP-0002"]["cameras_required"]) == (58, 0)

    misses = data["misses"]
    assert (misses["total"], misses["explained"]) == (5, 3)
    assert misses["by_reason"] == {"ติดภารกิจระงับเหตุ": 1, "ถนนปิด": 1, "น้ำท่วม": 1}
    assert [(row["code"], row["day"], row["round_name"], row["reason"]) for row in misses["rows"][:2]] == [
        ("RP-0001", "2026-11-06", "รอบกลางคืน", "น้ำท่วม"),
        ("RP-0001", "2026-11-07", "รอบกลางวัน", "ถนนปิด"),
    ]
    [defect] = data["defects"]["rows"]
    assert (defect["kind"], defect["days_to_fix"], defect["department"]) == ("กล้อง CCTV ชำรุด", 3.0, "ฝ่ายโยธา")
    assert (data["defects"]["avg_days_to_fix"], data["defects"]["max_days_to_fix"]) == (3.0, 3.0)
    assert data["orders"]["by_department"] == [
        {"department": "ฝ่ายโยธา", "received": 1, "closed": 1, "open_at_end": 0, "overdue": 0}
    ]
    [order] = data["orders"]["rows"]
    assert (order["status"], order["overdue"], order["ref"]) == ("ปิดงานแล้ว", False, defect["order"])
    [letter] = data["letter_rows"]
    assert (letter["camera"], letter["agency"]) == ("CAM-0001", "สำนักการจราจรและขนส่ง")
    assert letter["number"].endswith("/1")  # the printed number of the fiscal year's first letter
    assert data["crime_rows"] == [
        {
            "code": "RP-0001",
            "place": "RP-0001 ซอยเจริญกรุง 30",
            "district": "บางรัก",
            "crime_type": "ลักทรัพย์",
            "cases": 2,
            "previous_month": 4,
            "station": "สน.บางรัก",
        }
    ]
    # what the day-7 card reads is still there
    assert data["letters"] == 1 and data["work_orders"] == {"closed": 1}
    assert data["crime"] == [{"crime_type": "ลักทรัพย์", "cases": 2, "previous_month": 4}]
    on_time = {row["code"]: (row["on_time"], row["district"]) for row in data["submissions"]}
    assert on_time["bangrak-1"] == (True, "บางรัก") and on_time["public_works"] == (False, None)


def test_the_thai_view_names_the_system_and_a_staff_member(services, november):
    report = view(services, november)
    assert report.title == "รายงานผลการดำเนินงานจุดเสี่ยงภัย ประจำเดือนพฤศจิกายน 2569"
    assert report.version_line == "ฉบับที่ 1 ตรึงข้อมูลเมื่อ 4 ธ.ค. 2569 17:00 น. โดยระบบ (ตามกำหนดเวลา)"
    assert report.deadline_line == "กำหนดส่งรายงานของหน่วย วันศุกร์ที่ 4 ธันวาคม 2569 เวลา 17:00 น."
    facts = dict(report.facts)
    assert facts["การตรวจตราจุดเสี่ยง (ร้อยละ, ทำได้/ต้องทำ)"] == "95.83 (115/120)"
    assert facts["รอบตรวจที่ขาด"] == "5 รอบ (แจ้งเหตุผล 3 รอบ)"
    assert facts["ระยะเวลาแก้ไข (เฉลี่ย / นานที่สุด)"] == "3 / 3 วัน (แก้เสร็จในเดือน 1 เรื่อง)"
    assert report.table("defects").rows[0][3:6] == ["10 พ.ย. 2569 10:00 น.", "13 พ.ย. 2569 10:00 น.", "3"]
    assert report.table("misses").note == "เหตุผลที่แจ้ง: ติดภารกิจระงับเหตุ 1, ถนนปิด 1, น้ำท่วม 1, ไม่ได้แจ้งเหตุผล 2"
    make_staff(services, "somying", Role.SECRETARIAT)
    with services.sessions.begin() as session:
        session.scalar(select(StaffUser).where(StaffUser.username == "somying")).full_name = "สมหญิง ใจดี"
    with services.sessions() as session:
        assert month_report.actor_name(session, "somying") == "สมหญิง ใจดี"
        assert month_report.actor_name(session, "clock") == "ระบบ (ตามกำหนดเวลา)"


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_docx_is_a4_in_th_sarabun_with_the_figures(services, november):
    data = render_docx(view(services, november))
    document = Document(io.BytesIO(data))
    text = _docx_text(data)
    for expected in ("บางรัก", "ปทุมวัน", OFFICE, "95.83 (115/120)", "90.00 (27/30)", "96.67 (58/60)", "77.71"):
        assert expected in text, expected
    assert "ระบบ (ตามกำหนดเวลา)" in text and "clock" not in text and not ISO.search(text)
    assert "CAM-0001" in text and "สำนักการจราจรและขนส่ง" in text and "สน.บางรัก" in text
    assert document.styles["Normal"].font.name == "TH Sarabun New"
    portrait, landscape = document.sections[0], document.sections[-1]
    assert round(portrait.page_width.cm, 1) == 21.0 and round(portrait.page_height.cm, 1) == 29.7
    assert round(landscape.page_width.cm, 1) == 29.7  # the wide tables


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.skipif(not pdf.available(), reason="Debian's chromium is not installed")
def test_the_pdf_reads_back_in_thai_and_renders_to_pages(services, november, tmp_path):
    data = month_report.render_pdf(view(services, november))
    text = _pdf_text(data)
    for expected in ("บางรัก", "ปทุมวัน", OFFICE, "95.83", "90.00", "96.67", "77.71", "ระบบ (ตามกำหนดเวลา)"):
        assert expected in text, expected
    assert "รายงานผลการดำเนินงานจุดเสี่ยงภัยประจำเดือนพฤศจิกายน2569" in "".join(text.split())  # wrapped, intact
    assert "น้ำท่วม" in text and "ติดภารกิจระงับเหตุ" in text and "ลักทรัพย์" in text
    assert "clock" not in text and not ISO.search(text)
    path = tmp_path / "month.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(SCREENSHOTS / "fieldline-month-report")], check=True)
    pages = sorted(SCREENSHOTS.glob("fieldline-month-report-*.png"))
    assert len(pages) >= 2 and all(page.read_bytes().startswith(b"\x89PNG") for page in pages)


def test_the_xlsx_has_a_sheet_per_part_with_thai_headings(services, november):
    version = frozen(services, november)
    book = load_workbook(io.BytesIO(render_xlsx(version.data, view(services, november))))
    assert book.sheetnames == [
        "สรุป",
        "รายจุด",
        "รอบที่ขาด",
        "สภาพเสี่ยง",
        "ใบสั่งงาน",
        "หนังสือประสาน",
        "สถิติคดี",
        "รายงานของหน่วย",
    ]

    def rows(name: str) -> list[tuple]:
        return list(book[name].iter_rows(values_only=True))

    points = rows("รายจุด")
    assert points[0][:7] == ("รหัส", "ชื่อจุด", "เขต", "กล้อง", "ตรวจตรา ทำได้", "ตรวจตรา ต้องทำ", "ตรวจตรา ร้อยละ")
    assert [row[:10] for row in points[1:]] == [
        ("RP-0001", "ซอยเจริญกรุง 30", "บางรัก", 1, 57, 60, 95.0, 27, 30, 90.0),
        ("RP-0002", "ตลาดสามย่าน", "ปทุมวัน", 0, 58, 60, 96.67, 0, 0, None),
    ]
    misses = rows("รอบที่ขาด")
    assert len(misses) == 6 and misses[1] == ("6 พ.ย. 2569", "รอบกลางคืน", "RP-0001", "ซอยเจริญกรุง 30", "บางรัก", "น้ำท่วม")
    assert [row[5] for row in misses[3:]] == ["ติดภารกิจระงับเหตุ", "ไม่ได้แจ้งเหตุผล", "ไม่ได้แจ้งเหตุผล"]
    [defect] = rows("สภาพเสี่ยง")[1:]
    assert defect[3:7] == ("กล้อง CCTV ชำรุด", "10 พ.ย. 2569 10:00 น.", "13 พ.ย. 2569 10:00 น.", 3.0)
    [order] = rows("ใบสั่งงาน")[1:]
    assert order[5] == "ฝ่ายโยธา" and order[7] == "ปิดงานแล้ว"
    [letter] = rows("หนังสือประสาน")[1:]
    assert letter[0] == frozen(services, november).data["letter_rows"][0]["number"] and letter[2] == "CAM-0001"
    assert letter[6] == "สำนักการจราจรและขนส่ง"
    assert rows("สถิติคดี")[1:] == [("RP-0001 ซอยเจริญกรุง 30", "บางรัก", "ลักทรัพย์", 2, 4, "สน.บางรัก")]
    summary = rows("สรุป")
    assert "ฉบับที่ 1 ตรึงข้อมูลเมื่อ 4 ธ.ค. 2569 17:00 น. โดยระบบ (ตามกำหนดเวลา)" in [row[0] for row in summary]
    totals = {row[0]: row for row in summary if row[0] in ("บางรัก", "ปทุมวัน", "รวมทุกเขต")}
    assert totals["บางรัก"][1:5] == (1, 57, 60, 95.0) and totals["บางรัก"][-1] == 96.25
    assert totals["รวมทุกเขต"][1:9] == (2, 115, 120, 95.83, 27, 30, 90.0, 5) and totals["รวมทุกเขต"][-1] == 77.71
    assert not any(isinstance(cell, datetime) for row in misses + points for cell in row)  # dates are BE text


def test_downloads_carry_thai_names_and_are_audited(app, services, november, client):
    make_staff(services, "noi", Role.SECRETARIAT)
    login(client, "noi")
    for fmt in ("docx", "xlsx") + (("pdf",) if pdf.available() else ()):
        response = client.get(f"/admin/scheduler/reports/{november}/month.{fmt}")
        assert response.status_code == 200, fmt
        disposition = response.headers["Content-Disposition"]
        assert f'filename="riskpoint-month-2569-11-v1.{fmt}"' in disposition
        assert "filename*=UTF-8''%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B8%87%E0%B8%B2%E0%B8%99" in disposition  # รายงาน…
    assert client.get(f"/admin/scheduler/reports/{november}/month.csv").status_code == 404
    assert len(audit_entries(services, "scheduler.month_report_download")) == (3 if pdf.available() else 2)
    make_staff(services, "viewer", Role.VIEWER)
    other = app.test_client()
    login(other, "viewer")
    assert other.get(f"/admin/scheduler/reports/{november}/month.docx").status_code == 403  # as the page


@pytest.fixture
def phone_390():
    """A Thai-locale chromium page as wide as a 390 px phone (where the day-7 card's link opens)."""
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    yield from _chromium_page({"width": 390, "height": 844})


def test_on_a_phone_the_page_fits_speaks_thai_and_names_the_system(services, november, live_server, phone_390):
    playwright = pytest.importorskip("playwright.sync_api")
    make_staff(services, "somchai", Role.SECRETARIAT, password="browser test password")
    page = phone_390
    page.goto(f"{live_server}/admin/scheduler/reports/{november}")
    sign_in(page, "somchai", "browser test password")
    playwright.expect(page.locator("h1")).to_have_text("รายงานผลการดำเนินงานจุดเสี่ยงภัย ประจำเดือนพฤศจิกายน 2569")
    for details in page.locator("details").all():
        details.evaluate("element => element.open = true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    text = page.inner_text("body")
    assert "โดยระบบ (ตามกำหนดเวลา)" in text and "4 ธ.ค. 2569 17:00 น." in text
    assert "clock" not in text.lower() and not ISO.search(page.content())
    assert "95.83 (115/120)" in text and "ปทุมวัน" in text and "น้ำท่วม" in text
    assert "None" not in text and "True" not in text and "{" not in text
    for name in ("ดาวน์โหลด Word (DOCX)", "ดาวน์โหลด Excel (XLSX)"):
        assert page.get_by_role("link", name=name).count() == 1
    page.screenshot(path=str(SCREENSHOTS / "fieldline-month-report-390.png"), full_page=True)


def test_a_version_frozen_before_the_details_still_opens_and_downloads(services, client):
    figures = {"patrols_done": 58, "patrols_required": 60, "patrol_percent": 96.67, "overall_percent": 96.67}
    older = {  # what compile_month froze before the month report held its details
        "year": 2026,
        "month": 10,
        "label": "ตุลาคม 2569",
        "first_day": "2026-10-01",
        "last_day": "2026-10-31",
        "office": figures,
        "districts": {"บางรัก": figures},
        "points": [{"code": "RP-0001", "name": "ซอยเจริญกรุง 30", "district": "บางรัก", **figures}],
        "defects": {"opened": 0, "fixed": 0},
        "work_orders": {},
        "letters": 0,
        "crime": [],
        "submissions": [
            {
                "unit": "สายตรวจบางรัก 1",
                "code": "bangrak-1",
                "kind": "patrol",
                "submitted_at": "2026-11-05T03:00:00+00:00",
                "on_time": True,
            }
        ],
    }
    with services.sessions.begin() as session:
        version_id = freeze(session, MONTH_REPORT, "2569-10", older, run_key=None, by="clock").id
    make_staff(services, "noi", Role.SECRETARIAT)
    login(client, "noi")
    page = client.get(f"/admin/scheduler/reports/{version_id}").get_data(as_text=True)
    assert "รายงานผลการดำเนินงานจุดเสี่ยงภัย ประจำเดือนตุลาคม 2569" in page and "96.67 (58/60)" in page
    assert "5 พ.ย. 2569 10:00 น." in page  # the stored UTC moment, in Bangkok time and the Buddhist Era
    assert not ISO.search(page) and "None" not in page and "clock" not in page
    for fmt in ("docx", "xlsx"):
        assert client.get(f"/admin/scheduler/reports/{version_id}/month.{fmt}").status_code == 200
