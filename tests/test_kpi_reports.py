"""The quarterly KPI reports in the seeds' own form: what the secretariat files each quarter, from the data.

Seed 000's fiscal year 2564 replayed (bot/seed_fy2564.py) must come out as the seed's own section 6.4: level 5,
the three LINE groups of 42, 88 and 115 members, order 1/2564, the meeting of 2 July 2564. A scripted first
quarter of fiscal year 2570 at two points gives the risk-point report with exact percentages. Documents are
read back the way a person would get them: DOCX with python-docx, PDF with poppler's pdftotext and pdftoppm.
"""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import select

from bot.seed_fy2564 import load_fy2564
from handlers.month_reports import submit
from models import CameraStatus, PatrolCheck, RiskCamera
from models.settings import set_setting
from models.timeutil import BANGKOK
from reports.documents import pdf
from reports.kpi_reports import content as kc
from services import evidence_packs
from services import kpi_reports as reports
from services.riskpoints.cameras import record_camera_check
from services.riskpoints.crime_stats import save_crime_stat
from services.riskpoints.units import find_unit
from tests.report_factories import two_points

OFFICE = "สำนักงานปกครองและทะเบียน"
SIGNATORY = ("นางสาวสมศรี ใจดี", "หัวหน้าฝ่ายความมั่นคง สำนักงานปกครองและทะเบียน")
Q1_2570 = [date(2026, 10, 1) + timedelta(days=n) for n in range(92)]  # 1 October – 31 December 2569
PATROL_MISSES = {("RP-0001", date(2026, 10, 5), 1), ("RP-0001", date(2026, 11, 9), 2)}
PATROL_MISSES |= {("RP-0001", date(2026, 12, 24), 2), ("RP-0001", date(2026, 12, 31), 1)}
PATROL_MISSES |= {("RP-0002", date(2026, 10, 13), 2), ("RP-0002", date(2026, 11, 20), 1)}
CAMERA_SKIPPED = {date(2026, 10, d) for d in (3, 4, 5)} | {date(2026, 11, d) for d in (1, 2)}
CAMERA_SKIPPED |= {date(2026, 12, d) for d in (6, 7, 25, 26)}
AFTER_Q1_2570 = datetime(2027, 1, 20, 9, 0, tzinfo=BANGKOK)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Bangkok moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def nothing(_recipient, _notice) -> None:
    """Discard notifications (no LINE group is bound here)."""


def seed_fy2564(services) -> None:
    """Seed 000's year replayed, the office profile named as the seed's office (Arabic digits)."""
    with services.sessions.begin() as session:
        load_fy2564(session)
        set_setting(session, "office.name", OFFICE, "test")
        set_setting(session, "office.thai_digits", False, "test")  # Arabic digits, as the seed prints them


def script_q1_2570(services) -> None:
    """Two points from 1 October 2569: 6 rounds missed of 368, the camera unchecked 9 days of 92 and broken for
    three (a defect fixed in 3 days, one coordination letter), 2 thefts; 3 month reports on time of 12."""
    with services.sessions.begin() as session:
        patrol, points = two_points(session)
        for code, point in points.items():
            for day in Q1_2570:
                for round_no, hour in ((1, 9), (2, 21)):
                    if (code, day, round_no) not in PATROL_MISSES:
                        session.add(
                            PatrolCheck(point_id=point.id, checked_at=at(day, hour), patrol_day=day, round_no=round_no)
                        )
        camera = session.scalar(select(RiskCamera).where(RiskCamera.code == "CAM-0001"))
        for day in Q1_2570:
            if day in CAMERA_SKIPPED:
                continue
            broken = date(2026, 11, 10) <= day <= date(2026, 11, 12)
            status = CameraStatus.BROKEN if broken else CameraStatus.WORKING
            record_camera_check(session, camera, status, at(day, 10), nothing, method="centre", staff="ศูนย์")
        save_crime_stat(session, year=2569, month=11, crime_type="ลักทรัพย์", cases=2, point_code="RP-0001", by="x")
        for month, year in ((10, 2026), (11, 2026), (12, 2026)):
            due = date(year + (month == 12), month % 12 + 1, 3)
            submit(session, patrol, year, month, at=at(due, 10), by="x", figures={"kind": "patrol"}, note=None)
        works = find_unit(session, "public_works")
        submit(session, works, 2026, 10, at=at(date(2026, 11, 20), 9), by="x", figures={}, note=None)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, as python-docx reads it."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """A PDF's text as poppler reads it (ActualText: Thai comes back intact)."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def squeezed(text: str) -> str:
    """Text without any whitespace (lines wrap anywhere in a PDF)."""
    return "".join(text.split())


def network_q4(services, *, thai_digits: bool = False, fmt: str = "docx") -> bytes:
    """The FY 2564 Q4 network report's draft document, signed as the office names its signatory."""
    with services.sessions() as session:
        live = reports.snapshot(session, "network", 2564, 4)
        return reports.render(
            live.content,
            live.narrative,
            fmt,
            status=reports.status_line(live.content, None),
            signatory_name=SIGNATORY[0],
            signatory_position=SIGNATORY[1],
            thai_digits=thai_digits,
        )


SEED_64 = (
    "ผลงานที่ทำได้ = 5 (ระดับ)",
    "ณ สิ้นไตรมาสที่ 4 ผ่านเกณฑ์ถึงระดับ 5 (เป้าหมายระดับ 4)",
    "1) กลุ่ม Line กอ.รมน.กทม. (ปี 64) สมาชิก 42 คน",
    "2) กลุ่มไลน์ อบรมเครือข่ายข่าว สมาชิก 88 คน",
    "3) กลุ่มไลน์เครือข่ายข่าว อปพร.กทม. สมาชิก 115 คน",
    "ที่ 1/2564",
    "2 กรกฎาคม 2564",
    f"{OFFICE} ดำเนินการ ดังนี้",
    "ลงชื่อ..............................(ผู้รับผิดชอบโครงการ)",
    f"({SIGNATORY[0]})",
    f"ตำแหน่ง {SIGNATORY[1]}",
)


def test_the_network_content_of_fy2564_q4_is_the_seeds_own_64(services):
    seed_fy2564(services)
    with services.sessions() as session:
        content = kc.build(session, "network", 2564, 4)
    assert (content.result, content.target, content.unit) == (5.0, 4.0, "ระดับ")
    assert [q.level for q in content.quarters] == [0, 3, 3, 5]  # the seed: establishing, arranging, arranging, done
    assert content.year_end is not None and content.year_end.level == 5
    four = content.quarters[3]
    one = next(status for status in four.levels if status.level == 1)
    assert one.lines[:3] == [
        "1) กลุ่ม Line กอ.รมน.กทม. (ปี 64) สมาชิก 42 คน",
        "2) กลุ่มไลน์ อบรมเครือข่ายข่าว สมาชิก 88 คน",
        "3) กลุ่มไลน์เครือข่ายข่าว อปพร.กทม. สมาชิก 115 คน",
    ]
    four_meetings = next(status for status in four.levels if status.level == 4).lines
    assert any(line.startswith("ประชุมคณะทำงานชุดย่อย เมื่อวันที่ 2 กรกฎาคม 2564") for line in four_meetings)
    assert [item.present for item in content.evidence] == [True] * 5
    groups, received, meetings, forwards, measures = content.annex
    assert [row[3] for row in groups.rows] == [42, 88, 115]
    assert received.header == ["ที่", "เลขที่ข่าว", "วันที่รับ", "ไตรมาส", "หมวดข่าว", "เขต"]  # no reporter, no content
    assert len(received.rows) == 10 and {row[3] for row in received.rows} == {1, 2, 3, 4}
    assert len(meetings.rows) == 3 and len(forwards.rows) == 2 and len(measures.rows) == 10
    assert kc.from_json(kc.to_json(content)) == content  # what a finalised version stores reads back the same


def test_the_docx_is_a4_th_sarabun_and_says_what_the_seed_says(services):
    seed_fy2564(services)
    data = network_q4(services)
    text = docx_text(data)
    for expected in SEED_64:
        assert expected in text, expected
    for section in ("1. ชื่อตัวชี้วัด :", "3. คำนิยาม :", "4. วิธีการคำนวณ :", "5. เป้าหมาย :", "7. ปัจจัยสนับสนุน"):
        assert section in text, section
    assert "(6.5) สรุปผลการดำเนินงาน (ปลายปีงบประมาณ) :" in text and "บัญชีรายชื่อเครือข่ายข่าว" in text
    assert "True" not in text and "None" not in text and "{" not in text
    document = Document(io.BytesIO(data))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(qn(f"w:{name}")) for name in ("ascii", "hAnsi", "cs")} == {"TH Sarabun New"}
    assert document.styles["Normal"].font.size.pt == 16
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.paragraphs[-1].text == f"ตำแหน่ง {SIGNATORY[1]}"  # the signature block ends the document


def test_thai_digits_when_the_office_prints_them(services):
    seed_fy2564(services)
    text = docx_text(network_q4(services, thai_digits=True))
    assert "๒ กรกฎาคม ๒๕๖๔" in text and "สมาชิก ๑๑๕ คน" in text and "ที่ ๑/๒๕๖๔" in text
    assert "2 กรกฎาคม 2564" not in text


@pytest.mark.skipif(not pdf.available(), reason="Debian's chromium is not installed")
def test_the_pdf_reads_back_in_thai_and_renders_to_pages(services, tmp_path):
    seed_fy2564(services)
    data = network_q4(services, fmt="pdf")
    text = squeezed(pdf_text(data))
    for expected in SEED_64:
        assert squeezed(expected) in text, expected
    assert squeezed("ระดับความสำเร็จของการสร้างเครือข่าย และบูรณาการแก้ไขปัญหาความมั่นคงภายในกรุงเทพมหานคร") in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-", str(tmp_path / "page")], input=data, check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == pdf.page_count(data) >= 4
    assert all(page.stat().st_size > 10_000 for page in pages)  # real pages with text, not blanks


def test_the_risk_point_quarter_has_exact_percentages(services):
    script_q1_2570(services)
    with services.sessions() as session:
        content = kc.build(session, "riskpoints", 2570, 1, now=AFTER_Q1_2570)
    # patrols: 2 points × 92 days × 2 rounds, 6 missed; camera: 92 days, 9 unchecked (broken checks are checks);
    # defects: 1 found and fixed; month reports: 4 units × 3 months, the patrol unit on time 3 times, โยธา late once
    figures = dict((f.label, f.value) for f in content.figures)
    assert figures["การตรวจตราจุดเสี่ยง (ทำได้/ต้องทำ)"] == "ร้อยละ 98.37 (362/368)"
    assert figures["การตรวจกล้อง CCTV (ทำได้/ต้องทำ)"] == "ร้อยละ 90.22 (83/92)"
    assert figures["สภาพเสี่ยงที่พบในช่วงนี้และแก้ไขแล้ว (แก้แล้ว/พบ)"] == "ร้อยละ 100.00 (1/1)"
    assert figures["รายงานประจำเดือนของหน่วยทันกำหนด (ทัน/ทั้งหมด)"] == "ร้อยละ 25.00 (3/12)"
    assert figures["แก้ไขเสร็จในช่วงนี้ (รวมที่พบก่อนหน้า)"] == "1 เรื่อง เฉลี่ย 3.0 วัน ค้าง ณ สิ้นช่วง 0 เรื่อง"
    assert figures["หนังสือประสานหน่วยงาน (กล้องชำรุด)"] == "1 ฉบับ"
    assert figures["คดีอาชญากรรมบริเวณจุดเสี่ยง (จากสถานีตำรวจในพื้นที่)"] == "2 คดี (ลักทรัพย์ 2)"
    assert figures["จุดเสี่ยงที่ดูแล"] == "2 จุด กล้อง CCTV 1 ตัว"
    assert (content.result, content.result_text) == (78.4, "78.40")  # (98.37 + 90.22 + 100 + 25) / 4
    assert [q.filled for q in content.quarters] == [True, False, False, False] and not content.year_end.filled
    assert content.quarters[0].percent == 78.4
    points = content.annex[0]
    assert [row[1:10] for row in points.rows] == [
        ["RP-0001", "ซอยเจริญกรุง 30", "บางรัก", 180, 184, 97.83, 83, 92, 90.22],
        ["RP-0002", "ตลาดสามย่าน", "ปทุมวัน", 182, 184, 98.91, 0, 0, None],
    ]
    assert points.rows[0][-1] == 1  # the letter about the broken camera
    assert [row[4] for row in content.annex[1].rows] == ["กล้อง CCTV ชำรุด"]
    evidence = {item.label.split(" ")[0]: item for item in content.evidence}
    assert evidence["บันทึกการตรวจตราจุดเสี่ยงและการตรวจกล้อง"].present
    assert evidence["เอกสารรายงานผู้บังคับบัญชา"].detail == "ตรึงแล้ว 0/3 เดือน"  # no month was frozen by the clock


def test_the_risk_point_documents_print_the_percentages(services):
    script_q1_2570(services)
    with services.sessions() as session:
        live = reports.snapshot(session, "riskpoints", 2570, 1, now=AFTER_Q1_2570)
        text = docx_text(reports.render(live.content, live.narrative, "docx", status="ร่าง"))
        book = load_workbook(io.BytesIO(reports.render(live.content, live.narrative, "xlsx", status="ร่าง")))
    assert "ผลงานที่ทำได้ = 78.40 (ร้อยละ)" in text and "ร้อยละ 98.37 (362/368)" in text
    assert "เป็นโครงการที่เคยทำมาแล้วในปี 2563" in text  # section 7 from the seed's configuration
    assert "ยังไม่ถึงรอบรายงาน" in text  # 6.2-6.5 of a first-quarter report
    assert book.sheetnames == ["สรุป", "รายจุด", "สภาพเสี่ยงที่พบ", "หนังสือประสาน", "สถิติคดี", "รายงานประจำเดือน"]
    sheet = book["รายจุด"]
    assert [cell.value for cell in sheet[2]][1:7] == ["RP-0001", "ซอยเจริญกรุง 30", "บางรัก", 180, 184, 97.83]
    months = [row for row in book["รายงานประจำเดือน"].iter_rows(min_row=2, values_only=True)]
    assert len(months) == 12 and sum(1 for row in months if row[4] == "ทันกำหนด") == 3


def test_finalising_freezes_numbered_versions_and_the_files_for_the_evidence_pack(services):
    seed_fy2564(services)
    with services.sessions.begin() as session:
        first, created = reports.finalise(session, "network", 2564, 4, by="noi")
        assert created and first.version == 1 and len(first.digest) == 64
        again, created = reports.finalise(session, "network", 2564, 4, by="noi")
        assert (again.id, created) == (first.id, False)  # nothing changed: no new version
        reports.save_narrative(session, "network", 2564, 4, {"obstacles": "ฝนตกหนักช่วงเดือนกันยายน"}, "noi")
        second, created = reports.finalise(session, "network", 2564, 4, by="noi")
        assert created and second.version == 2
    with services.sessions() as session:
        files = reports.finalised_files(session, 2564, 4, thai_digits=False)
        names = [name for name, _ in files]
        assert names[0] == "รายงานตัวชี้วัด เครือข่ายข่าวความมั่นคง ปีงบประมาณ 2564 ไตรมาสที่ 4 ฉบับที่ 2.docx"
        assert {name.rsplit(".", 1)[1] for name in names} == (
            {"docx", "pdf", "xlsx"} if pdf.available() else {"docx", "xlsx"}
        )
        assert "ฝนตกหนักช่วงเดือนกันยายน" in docx_text(files[0][1])
        assert reports.finalised_files(session, 2564, 3, thai_digits=False) == []  # nothing finalised for Q3
        assert len(reports.finalised_files(session, 2564, None, thai_digits=False)) == len(files)
        in_pack = evidence_packs.kpi_reports_provider(session, 2564, 4, thai_digits=True)()  # the evidence pack's call
        assert [name for name, _ in in_pack] == names and "๒ กรกฎาคม ๒๕๖๔" in docx_text(in_pack[0][1])


def test_a_narrative_edit_is_checked_and_carried_to_the_next_quarter(services):
    seed_fy2564(services)
    with services.sessions.begin() as session:
        assert reports.save_narrative(session, "network", 2564, 2, {"supports": "  ผู้บริหารให้การสนับสนุน  "}, "noi") == [
            "supports"
        ]
        assert reports.save_narrative(session, "network", 2564, 2, {"supports": "ผู้บริหารให้การสนับสนุน"}, "noi") == []
        with pytest.raises(reports.KpiReportError, match="ยาวเกิน"):
            reports.save_narrative(session, "network", 2564, 2, {"definitions": "ก" * 7000}, "noi")
    with services.sessions() as session:
        assert reports.narrative(session, "network", 2564, 3)["supports"] == "ผู้บริหารให้การสนับสนุน"
        assert reports.narrative(session, "network", 2564, 1)["supports"].startswith("1. เจ้าหน้าที่ที่รับผิดชอบ")
