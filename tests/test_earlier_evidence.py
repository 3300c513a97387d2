"""Evidence recorded later: an office that starts part-way through FY 2564 enters what it did before.

The secretariat (noi) records a LINE group started on 1 November 2563 with 50 members, the reports it sent
and a forward by letter, on the page "บันทึกหลักฐานย้อนหลัง" and from a workbook; the KPI counts them on
their real dates, every list shows "บันทึกย้อนหลัง", the audit log says who entered them, nothing goes to LINE.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.seed_fy2564 import at
from line.workgroup_cards import forward_summary
from models import AuditEntry, Chat, NewsReport, OutgoingLetter, OutgoingMessage, Role
from models.periods import Period
from models.timeutil import be_year, to_bangkok, utcnow
from models.workgroup import Agency, Forward
from reports.network_kpi import network_kpi
from services.earlier_evidence import (
    EvidenceError,
    parse_be_date,
    parse_letter_number,
    record_forward,
    record_group,
    record_report,
    recorder,
)
from services.earlier_evidence_import import template_workbook
from services.workgroup.agencies import ensure_default_agencies
from tests.test_admin_support import csrf_token, login, make_staff

PAGE = "/admin/workgroup/earlier"
BADGE = '<span class="badge recorded-later"'


def signed_in(app, services, role: Role = Role.SECRETARIAT, name: str = "noi"):
    client = app.test_client()
    make_staff(services, name, role, districts=["คลองเตย"] if role == Role.DISTRICT_OFFICER else ())
    assert login(client, name).status_code == 302
    return client


def post(client, path: str, data: dict, **options):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, PAGE)}, **options)


def html(response) -> str:
    assert response.status_code in (200, 302), response.status_code
    return response.get_data(as_text=True)


def count(services, model) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def be(day: date) -> str:
    return f"{day.day}/{day.month}/{be_year(day)}"


@pytest.fixture
def agencies(services):
    with services.sessions.begin() as session:
        ensure_default_agencies(session)
        return {a.code: a.id for a in session.scalars(select(Agency))}


def test_dates_are_read_in_the_buddhist_era_as_people_type_them():
    assert parse_be_date("2/7/2564") == date(2021, 7, 2)
    assert parse_be_date("2 ก.ค. 2564") == date(2021, 7, 2)
    assert parse_be_date("๒ กรกฎาคม ๒๕๖๔") == date(2021, 7, 2)
    assert parse_be_date("02-07-64") == date(2021, 7, 2)
    assert parse_be_date(datetime(2564, 7, 2, tzinfo=UTC)) == date(2021, 7, 2)  # a spreadsheet that took it for 2564 CE
    with pytest.raises(EvidenceError, match="วันที่ส่งไม่ถูกต้อง “31/2/2564”"):
        parse_be_date("31/2/2564", label="วันที่ส่ง")
    assert parse_letter_number("ที่ กท ๕๓๐๑/๑๒๐") == 120 and parse_letter_number("") is None
    with pytest.raises(EvidenceError, match="เลขที่หนังสือไม่ถูกต้อง"):
        parse_letter_number("กท 5301/abc")


def test_a_group_started_1_november_2563_with_50_members_counts_for_levels_1_and_2_of_fy2564(services):
    """The office started FieldLine in 2569; its network existed since 2563 and now counts on its real dates."""
    who = recorder("noi")
    with services.sessions.begin() as session:
        group = record_group(
            session,
            who,
            name="กลุ่มไลน์เครือข่ายข่าว ชุมชนริมคลอง",
            members="50",
            started_on=date(2020, 11, 1),
            occupation="เจ้าหน้าที่ราชการ",
        ).row
        record_group(session, who, name="กลุ่มจิตอาสา", members=30, started_on=date(2020, 11, 5), occupation="volunteer")
        record_group(
            session, who, name="กลุ่ม อปพร.", members=20, started_on=date(2020, 11, 9), occupation="civil_defence"
        )
        report = record_report(
            session,
            who,
            chat_id=group.id,
            received_at=at(2020, 12, 20, 21),
            text="พบแรงงานต่างด้าวไม่มีเอกสาร",
            category="แรงงานต่างด้าวผิดกฎหมาย",
            district="คลองเตย",
        ).row
        assert report.ref_no == "NR-2563-000001" and report.recorded_later and report.recorded_by == "noi"
        assert group.is_member is False and group.recorded_later  # never sent to
        kpi = network_kpi(session, Period.of_fiscal_year(2564))
        q1 = network_kpi(session, Period.of_quarter(2564, 1))
        fy2563 = network_kpi(session, Period.of_fiscal_year(2563))
    one, two = kpi.levels[0].evidence, kpi.levels[1].evidence
    first = one["network_groups"][0]
    assert first == {
        "name": "กลุ่มไลน์เครือข่ายข่าว ชุมชนริมคลอง",
        "occupation": "เจ้าหน้าที่ราชการ",
        "members": 50,
        "recorded_later": True,
    }
    assert one["people_in_groups"] == 100 and kpi.levels[0].achieved and kpi.levels[1].achieved
    assert two["reports_total"] == 1 and two["reports_recorded_later"] == 1
    assert two["reports_by_hour"] == {"21:00": 1}
    assert q1.levels[0].achieved and q1.levels[1].achieved  # by 31 December 2563 already
    assert fy2563.levels[0].evidence["network_groups"] == []  # nothing before its start
    assert count(services, OutgoingMessage) == 0


def test_a_future_date_and_a_report_before_its_group_are_refused_in_thai_on_the_page(app, services):
    client = signed_in(app, services)
    tomorrow = to_bangkok(utcnow()).date() + timedelta(days=1)
    future = post(client, f"{PAGE}/group", {"name": "กลุ่มใหม่", "members": "12", "started_on": be(tomorrow)})
    text = html(future)
    assert future.status_code == 200  # answered on the page, never a 400
    assert f"วันที่เริ่มกลุ่ม {tomorrow.day} " in text and "ยังมาไม่ถึง: บันทึกย้อนหลังได้เฉพาะสิ่งที่เกิดขึ้นแล้ว" in text
    assert 'value="กลุ่มใหม่"' in text  # what was typed stays in the form
    for bad, message in (
        ({"members": "สิบ", "started_on": "1/11/2563"}, "จำนวนสมาชิกต้องเป็นตัวเลข 1 ถึง 500 คน"),
        ({"members": "12", "started_on": "31/2/2564"}, "วันที่เริ่มกลุ่มไม่ถูกต้อง “31/2/2564”"),
        ({"members": "12", "started_on": ""}, "กรุณาระบุวันที่เริ่มกลุ่ม"),
        ({"members": "12", "started_on": "1/1/2550"}, "เก่าเกินไป"),
    ):
        response = post(client, f"{PAGE}/group", {"name": "กลุ่มใหม่", **bad})
        assert response.status_code == 200 and message in html(response), message
    assert count(services, Chat) == 0
    ok = post(client, f"{PAGE}/group", {"name": "กลุ่มใหม่", "members": "12", "started_on": "1 พ.ย. 2563"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("#group")
    with services.sessions() as session:
        chat_id = session.scalar(select(Chat.id))
    early = post(client, f"{PAGE}/report", {"chat_id": chat_id, "received_on": "31/10/2563", "text": "ข่าว"})
    assert early.status_code == 200
    assert "ข่าววันที่ 31 ตุลาคม 2563 มาก่อนที่กลุ่ม “กลุ่มใหม่” จะเริ่ม (1 พฤศจิกายน 2563)" in html(early)
    late = post(client, f"{PAGE}/report", {"chat_id": chat_id, "received_on": be(tomorrow), "text": "ข่าว"})
    assert "ยังมาไม่ถึง" in html(late)
    with services.sessions.begin() as session, pytest.raises(EvidenceError, match="ยังมาไม่ถึง"):
        record_forward(
            session,
            recorder("noi"),
            sent_at=utcnow() + timedelta(hours=2),
            agency_ids=[1],
            summarise=forward_summary,
            subject="เรื่อง",
            report_ids=[1],
        )
    assert count(services, NewsReport) == 0


def test_the_three_forms_record_audit_and_badge_every_list(app, services, agencies):
    """Group, report, forward by letter with its old number: on the lists, in the KPI and the audit log."""
    client = signed_in(app, services)
    assert "บันทึกหลักฐานย้อนหลัง" in html(client.get(PAGE))
    post(
        client,
        f"{PAGE}/group",
        {"name": "กลุ่มเครือข่าย ร้านค้า", "members": "50", "started_on": "1/11/2563", "occupation": "official"},
    )
    with services.sessions() as session:
        chat_id = session.scalar(select(Chat.id))
    saved = post(
        client,
        f"{PAGE}/report",
        {
            "chat_id": chat_id,
            "received_on": "20 ธ.ค. 2563",
            "time": "21.30",
            "category": "illegal_worker",
            "district": "เขตคลองเตย",
            "text": "พบแรงงาน",
        },
    )
    assert "บันทึกข่าว NR-2563-000001 ย้อนหลังแล้ว (ได้รับ 20 ธันวาคม 2563)" in html(client.get(saved.headers["Location"]))
    with services.sessions() as session:
        report_id = session.scalar(select(NewsReport.id))
    immigration, employment = agencies["immigration"], agencies["employment"]
    form = {
        "sent_on": "18/6/2564",
        "subject": "ส่งข่าวแรงงานต่างด้าว",
        "report_id": [report_id],
        "agency_id": [immigration, employment],
        f"letter_{immigration}": "กท 5301/120",
    }
    done = post(client, f"{PAGE}/forward", form)
    assert "บันทึกการส่งต่อ FW-2564-0001 ย้อนหลังแล้ว (ส่ง 18 มิถุนายน 2564 ถึง 2 หน่วยงาน" in html(
        client.get(done.headers["Location"])
    )
    again = post(client, f"{PAGE}/forward", form)
    assert "มีรายการนี้อยู่แล้ว ไม่ได้บันทึกซ้ำ" in html(client.get(again.headers["Location"]))
    with services.sessions() as session:
        letters = sorted((letter.fiscal_year, letter.number) for letter in session.scalars(select(OutgoingLetter)))
        forward = session.scalar(select(Forward))
        assert forward.recorded_later and not forward.via_line and forward.sent_at == at(2021, 6, 18)
    assert letters == [(2564, 120), (2564, 121)]  # the number given, then the register continues after it
    taken = post(client, f"{PAGE}/forward", {**form, "subject": "อีกเรื่อง", "agency_id": [immigration]})
    assert "เลขที่หนังสือ 120 ของปีงบประมาณ 2564 มีในทะเบียนหนังสือส่งแล้ว" in html(taken)
    assert count(services, OutgoingMessage) == 0 and count(services, Forward) == 1

    for path in (
        "/admin/network/groups",
        "/admin/network/reports?status=all",
        "/admin/workgroup/forwards?fy=2564",
        "/admin/workgroup/kpi?fy=2564",
        f"/admin/workgroup/forwards/{forward.id}",
    ):
        assert BADGE in html(client.get(path)), path
    kpi = html(client.get("/admin/workgroup/kpi?fy=2564"))
    assert kpi.count(BADGE) == 3  # the group (level 1), the report count (level 2), the forward (level 5)
    assert "1 จาก 1 เรื่อง บันทึกเข้าระบบภายหลังด้วยวันที่ได้รับจริง" in kpi
    assert "ไม่ได้อยู่ (กลุ่มก่อนใช้ระบบ)" in html(client.get("/admin/network/groups"))

    with services.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("evidence.%")).order_by(AuditEntry.id)
        )
        log = [(e.actor, e.action, e.detail.get("date"), e.detail.get("via")) for e in entries]
    assert log == [
        ("noi", "evidence.group", "1 พฤศจิกายน 2563", "web"),
        ("noi", "evidence.report", "20 ธันวาคม 2563", "web"),
        ("noi", "evidence.forward", "18 มิถุนายน 2564", "web"),
    ]
    audit_page = html(signed_in(app, services, Role.ADMIN, "root").get("/admin/audit?action=evidence.forward"))
    assert "บันทึกการส่งต่อหน่วยงานย้อนหลัง" in audit_page


def test_only_admin_and_secretariat_may_record(app, services):
    viewer = signed_in(app, services, Role.VIEWER, "viewer")
    assert viewer.get(PAGE).status_code == 403
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, "officer")
    assert officer.get(PAGE).status_code == 403
    assert signed_in(app, services, Role.ADMIN, "root").get(PAGE).status_code == 200


def workbook(client, rows: dict[str, list[list]]) -> bytes:
    """The template downloaded from the page, filled in as a secretariat member would."""
    response = client.get(f"{PAGE}/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    return fill(response.data, rows)


def fill(template: bytes, rows: dict[str, list[list]]) -> bytes:
    """A template with rows typed into its sheets from row 2."""
    book = load_workbook(io.BytesIO(template))
    for sheet, values in rows.items():
        for number, row in enumerate(values, start=2):
            for column, value in enumerate(row, start=1):
                book[sheet].cell(number, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS = {
    "กลุ่ม LINE": [
        ["กลุ่มไลน์เครือข่ายข่าว ชุมชนริมคลอง", 50, "เจ้าหน้าที่ราชการ", "1/11/2563", ""],
        ["กลุ่มจิตอาสา เขตคลองเตย", "88", "จิตอาสา", "20 ม.ค. 2564", "กลุ่มเครือข่ายข่าว"],
    ],
    "ข่าวที่ได้รับ": [
        ["20/12/2563", "21:00", "กลุ่มไลน์เครือข่ายข่าว ชุมชนริมคลอง", "แรงงานต่างด้าวผิดกฎหมาย", "คลองเตย", "พบแรงงานในห้องเช่า"],
        ["3 ก.พ. 2564", "", "กลุ่มจิตอาสา เขตคลองเตย", "", "ประเวศ", "ชาวต่างชาติพักในแคมป์คนงาน"],
    ],
    "การส่งต่อ": [
        [
            "18/6/2564",
            "11:00",
            "ส่งข่าวแรงงานต่างด้าว",
            "สำนักงานตรวจคนเข้าเมือง, กรมการจัดหางาน",
            "กท 5301/120, 121",
            "2, 3",
            "",
            "",
            "",
        ],
    ],
}


def test_an_import_with_a_bad_row_shows_that_rows_error_in_thai_and_saves_nothing(app, services, agencies):
    client = signed_in(app, services)
    bad = {**ROWS, "ข่าวที่ได้รับ": [ROWS["ข่าวที่ได้รับ"][0], ["3 ก.พ. 2564", "", "กลุ่มที่ไม่มี", "", "ประเวศ", "ข่าว"]]}
    data = workbook(client, bad)
    response = post(
        client, f"{PAGE}/import", {"file": (io.BytesIO(data), "หลักฐาน.xlsx")}, content_type="multipart/form-data"
    )
    text = html(response)
    assert response.status_code == 200
    row = re.search(r"<tr class=\"row-error\"><td>ข่าวที่ได้รับ</td><td class=\"num\">3</td>.*?</tr>", text, re.S)
    assert row and "ไม่พบกลุ่ม LINE “กลุ่มที่ไม่มี” ของเครือข่ายข่าว" in row.group(0)
    forward_row = re.search(r"<td>การส่งต่อ</td><td class=\"num\">2</td>.*?</tr>", text, re.S).group(0)
    assert "ข่าวแถวที่ 3 มีข้อผิดพลาด จึงส่งต่อไม่ได้" in forward_row
    assert "ยังไม่ได้บันทึก: มีข้อผิดพลาด 2 แถว" in text and 'name="action" value="save"' not in text
    assert (count(services, Chat), count(services, NewsReport), count(services, AuditEntry)) == (0, 0, 1)  # the login


def test_a_valid_import_previews_then_saves_and_importing_twice_adds_nothing(app, services, agencies, tmp_path):
    client = signed_in(app, services)
    data = workbook(client, ROWS)
    preview = html(
        post(client, f"{PAGE}/import", {"file": (io.BytesIO(data), "a.xlsx")}, content_type="multipart/form-data")
    )
    assert preview.count("จะบันทึก</span>") == 5 and "บันทึก 5 รายการ" in preview
    assert count(services, Chat) == 0  # a preview keeps nothing
    hidden = re.search(r'name="data" value="([^"]+)"', preview).group(1)
    saved = post(client, f"{PAGE}/import", {"data": hidden, "action": "save"})
    assert saved.status_code == 302
    assert "นำเข้าแล้ว: กลุ่ม 2 กลุ่ม ข่าว 2 เรื่อง การส่งต่อ 1 เรื่อง" in html(client.get(saved.headers["Location"]))
    with services.sessions() as session:
        forward = session.scalar(select(Forward))
        assert sorted(r.letter.number for r in forward.recipients) == [120, 121]
        assert [link.report_id for link in forward.report_links] == list(session.scalars(select(NewsReport.id)))
        kpi = network_kpi(session, Period.of_fiscal_year(2564))
    assert [g["members"] for g in kpi.levels[0].evidence["network_groups"]] == [50, 88]
    assert kpi.levels[4].evidence["forwards"][0]["recorded_later"] is True

    before = [count(services, model) for model in (Chat, NewsReport, Forward, OutgoingLetter)]
    again = html(
        post(client, f"{PAGE}/import", {"file": (io.BytesIO(data), "a.xlsx")}, content_type="multipart/form-data")
    )
    assert again.count("มีอยู่แล้ว (ข้าม)") == 5 and "ทุกรายการในไฟล์มีอยู่แล้ว" in again
    path = tmp_path / "a.xlsx"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["evidence", "import", str(path), "--by", "somchai"])
    assert result.exit_code == 0, result.output
    assert "ข้ามรายการที่มีอยู่แล้ว 5 รายการ" in result.output
    assert [count(services, model) for model in (Chat, NewsReport, Forward, OutgoingLetter)] == before
    with services.sessions() as session:
        actions = [
            (e.actor, e.action)
            for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.import"))
        ]
        groups = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "evidence.group")
        )
    assert actions == [("noi", "evidence.import"), ("somchai", "evidence.import")] and groups == 2
    assert count(services, OutgoingMessage) == 0


def test_the_cli_reports_a_bad_row_and_exits_with_an_error(app, services, agencies, tmp_path):
    client = signed_in(app, services)
    rows = {"กลุ่ม LINE": [["กลุ่มใหม่", 12, "", be(to_bangkok(datetime.now(UTC)).date() + timedelta(days=3)), ""]]}
    path = tmp_path / "future.xlsx"
    path.write_bytes(workbook(client, rows))
    result = app.test_cli_runner().invoke(args=["evidence", "import", str(path)])
    assert result.exit_code != 0
    assert "กลุ่ม LINE แถว 2: กลุ่มใหม่ · ผิดพลาด: วันที่เริ่มกลุ่ม" in result.output and "ยังมาไม่ถึง" in result.output
    assert count(services, Chat) == 0
    template = tmp_path / "template.xlsx"
    assert app.test_cli_runner().invoke(args=["evidence", "template", str(template)]).exit_code == 0
    assert load_workbook(template).sheetnames == ["วิธีกรอก", "รายการ", "กลุ่ม LINE", "ข่าวที่ได้รับ", "การส่งต่อ"]


@pytest.fixture
def page_390():
    """A Thai-locale chromium page 390 px wide (a phone); skipped without Playwright or Debian's chromium."""
    pytest.importorskip("playwright.sync_api")
    from tests.browser import CHROMIUM, _chromium_page

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    yield from _chromium_page({"width": 390, "height": 844})


def test_the_page_fits_a_phone_and_answers_a_bad_date_in_thai(app, services, live_server, page_390, agencies):
    from tests.browser import SCREENSHOTS, sign_in
    from tests.test_admin_support import PASSWORD

    make_staff(services, "noi", Role.SECRETARIAT)
    with services.sessions.begin() as session:
        from bot.seed_fy2564 import load_fy2564

        load_fy2564(session)
    page = page_390
    page.goto(f"{live_server}/admin/login")
    sign_in(page, "noi", PASSWORD)
    page.goto(f"{live_server}{PAGE}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "earlier-evidence-390.png"), full_page=True)
    page.locator("#group").get_by_label("ชื่อกลุ่ม").fill("กลุ่มไลน์ชุมชนริมคลอง")
    page.locator("#group").get_by_label("จำนวนสมาชิก (คน)").fill("50")
    page.locator("#group").get_by_label("วันที่เริ่มกลุ่ม").fill("31/2/2564")
    page.get_by_role("button", name="บันทึกกลุ่ม").click()
    alert = page.locator("#group [role=alert]")
    assert "วันที่เริ่มกลุ่มไม่ถูกต้อง “31/2/2564”" in alert.inner_text()
    page.locator("#group").screenshot(path=str(SCREENSHOTS / "earlier-evidence-390-error.png"))
    page.locator("#group").get_by_label("วันที่เริ่มกลุ่ม").fill("1 พ.ย. 2563")
    page.get_by_role("button", name="บันทึกกลุ่ม").click()
    assert "บันทึกกลุ่ม “กลุ่มไลน์ชุมชนริมคลอง” ย้อนหลังแล้ว (เริ่ม 1 พฤศจิกายน 2563 สมาชิก 50 คน)" in page.content()
    page.goto(f"{live_server}/admin/network/groups")
    page.screenshot(path=str(SCREENSHOTS / "earlier-evidence-groups-390.png"), full_page=True)
    assert page.locator(".badge.recorded-later").count() == 14  # the seed's 3 + 10 agency groups, and this one
    bad = {"ข่าวที่ได้รับ": [["3 ก.พ. 2564", "25:00", "กลุ่มไลน์ชุมชนริมคลอง", "", "ประเวศ", "ข่าว"]]}
    with services.sessions() as session:
        filled = fill(template_workbook(session), bad)
    page.goto(f"{live_server}{PAGE}")
    page.set_input_files(
        "#file", files=[{"name": "หลักฐาน.xlsx", "mimeType": "application/octet-stream", "buffer": filled}]
    )
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()
    preview = page.locator("#preview")
    assert "เวลาไม่ถูกต้อง “25:00”" in preview.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#import").screenshot(path=str(SCREENSHOTS / "earlier-evidence-import-390.png"))
