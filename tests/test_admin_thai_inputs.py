"""Thai in, Thai out: period pickers read any way a clerk types a month, bad input is answered on the page in
Thai (never a bare 400), and the pages fixed in issue 15 show Thai names instead of codes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import abort
from sqlalchemy import select

from bot.admin import periods_form as pf
from bot.admin.actions import UNREADABLE_INPUT, thai_reason
from models import CrimeStat, RiskUnit, Role, UnitKind
from models.periods import Period
from models.timeutil import BANGKOK, utcnow
from runtime.config import DEMO_BASIC_ID, load_config
from services.riskpoints.units import create_unit, next_unit_code
from tests.test_admin_support import csrf_token, login, make_staff

DECEMBER_2569 = Period.of_month(2569, 12)


@pytest.mark.parametrize(
    "typed",
    ["12/2569", "ธ.ค. 2569", "ธ. ค. 2569", "ธันวาคม 2569", "2569-12", "2026-12", "๑๒/๒๕๖๙", "ธ.ค. 69", "12 2569",
     "เดือนธันวาคม พ.ศ. 2569", "5/12/2569"],
)  # fmt: skip
def test_a_month_is_read_however_it_is_typed(typed):
    assert pf.parse_month(typed) == DECEMBER_2569


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("garbage", "อ่าน “garbage” ไม่ได้"), ("13/2569", "ไม่มีเดือนที่ 13"), ("12/1800", "อยู่นอกช่วง"), ("", "อ่าน")],
)
def test_a_month_that_cannot_be_read_says_why_in_thai(typed, reason):
    with pytest.raises(pf.PeriodInputError) as refused:
        pf.parse_month(typed)
    assert reason in str(refused.value) and not re.search(r"[A-Za-z]{4,}", str(refused.value).replace(typed, ""))


def test_quarters_fiscal_years_and_days_are_read_leniently():
    q1 = Period.of_quarter(2570, 1)
    for typed in ("2570-Q1", "2570-1", "Q1/2570", "ไตรมาสที่ 1 ปีงบประมาณ 2570", "1 2570", "1/2027"):
        assert pf.parse_quarter(typed) == q1, typed
    with pytest.raises(pf.PeriodInputError, match="ไตรมาสที่ 1–4"):
        pf.parse_quarter("2570-5")
    for typed in ("2569", "ปีงบประมาณ 2569", "2026", "69"):
        assert pf.parse_fiscal_year(typed) == Period.of_fiscal_year(2569), typed
    for typed in ("2026-12-16", "2569-12-16", "16/12/2569", "16 ธ.ค. 2569", "วันที่ 16 ธันวาคม 2569"):
        assert pf.parse_day(typed) == Period.of_day(date(2026, 12, 16)), typed
    with pytest.raises(pf.PeriodInputError, match="ไม่มีในปฏิทิน"):
        pf.parse_day("31/2/2569")


def test_a_picker_sends_a_month_and_its_year_and_a_bad_one_falls_back_with_a_thai_message():
    default = Period.of_month(2569, 1)
    assert pf.month_from({"month": "12", "month_year": "2569"}, default) == pf.PeriodChoice(DECEMBER_2569)
    assert pf.month_from({}, default) == pf.PeriodChoice(default)
    choice = pf.month_from({"month": "x"}, default)
    assert choice.period == default and choice.error.endswith("จึงแสดงเดือนมกราคม 2569 แทน")
    assert pf.quarter_from({"quarter": "4", "quarter_year": "2569"}, default).period == Period.of_quarter(2569, 4)


def test_clock_keys_read_as_thai():
    assert pf.key_label("2569-Q4") == "ปีงบประมาณ 2569 ไตรมาสที่ 4"
    assert pf.key_label("2569-12-05T04:00") == "5 ธ.ค. 2569 04:00 น."
    assert pf.key_label("2569-11") == "เดือนพฤศจิกายน 2569"
    assert pf.key_label("2569-11-30:r2") == "30 พ.ย. 2569 รอบที่ 2"
    assert pf.key_label("2569-11:day7") == "เดือนพฤศจิกายน 2569 (เตือนวันที่ 7)"


def test_python_english_never_reaches_a_flash():
    assert thai_reason(ValueError("invalid literal for int() with base 10: 'abc'")) == UNREADABLE_INPUT
    assert thai_reason(ValueError("ไม่พบจุด RP-0099")) == "ไม่พบจุด RP-0099"


@pytest.fixture
def admin(client, services):
    make_staff(services, "boss", Role.ADMIN)
    assert login(client, "boss").status_code == 302
    return client


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style|head)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("month", ["ธ.ค.%202569", "12/2569", "2569-12", "12&month_year=2569"])
def test_the_compliance_page_reads_the_month_as_typed(admin, month):
    response = admin.get(f"/admin/riskpoints/compliance?month={month}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h2>เดือนธันวาคม 2569</h2>" in html and 'role="alert"' not in html


def test_the_compliance_page_answers_garbage_in_thai_on_the_page(admin):
    response = admin.get("/admin/riskpoints/compliance?month=garbage")
    html = response.get_data(as_text=True)
    this_month = pf.heading(Period.month_of(utcnow().astimezone(BANGKOK).date()))
    assert response.status_code == 422
    alert = re.search(r'role="alert">([^<]*)<', html).group(1)
    assert "อ่าน “garbage” ไม่ได้" in alert and this_month in alert
    assert f"<h2>{this_month}</h2>" in html and "Bad Request" not in html
    for period in ("quarter=9&quarter_year=2570", "year=abc", "day=31/2/2569"):
        again = admin.get(f"/admin/riskpoints/compliance?{period}")
        assert again.status_code == 422 and 'role="alert"' in again.get_data(as_text=True), period


def test_the_compliance_page_has_be_pickers_and_the_overall_column_first(admin):
    html = admin.get("/admin/riskpoints/compliance?quarter=2569-1").get_data(as_text=True)
    assert "<h2>ปีงบประมาณ 2569 ไตรมาสที่ 1</h2>" in html
    assert '<select name="month">' in html and '<select name="month_year">' in html and ">ธันวาคม<" in html
    assert '<select name="quarter">' in html and "ไตรมาสที่ 1 (ต.ค.–ธ.ค.)" in html and '<select name="year">' in html
    assert '<option value="1" selected>ไตรมาสที่ 1' in html and "<legend>ดูรายไตรมาส</legend>" in html
    assert re.search(r'<th scope="col">พื้นที่</th><th scope="col" class="overall">ผลรวม</th>', html)
    assert 'size="8"' not in html  # no free-text month field left


def test_other_pages_answer_bad_periods_in_thai(admin):
    kpi = admin.get("/admin/workgroup/kpi?fy=abc")
    assert kpi.status_code == 422 and "อ่าน “abc” ไม่ได้" in kpi.get_data(as_text=True)
    reports = admin.get("/admin/kpi-reports/?fy=xx")
    assert reports.status_code == 422 and 'role="alert"' in reports.get_data(as_text=True)
    assert admin.get("/admin/kpi-reports/").status_code == 200
    chosen = admin.get("/admin/kpi-reports/?fy=2569&quarter=2").get_data(as_text=True)
    assert '<option value="2" selected>ไตรมาสที่ 2' in chosen and '<option value="2569" selected>' in chosen
    for page in ("/admin/workgroup/meetings", "/admin/workgroup/forwards"):
        wrong = admin.get(f"{page}?fy=abc").get_data(as_text=True)
        assert "อ่าน “abc” ไม่ได้" in wrong and 'role="alert"' in wrong and 'name="fy" value=' not in wrong
        assert '<option value="2564" selected>' in admin.get(f"{page}?fy=2564").get_data(as_text=True)


def test_no_bare_400_or_405_in_the_admin(app, services):
    @app.get("/admin/_test/bad")
    def _bad():
        abort(400)

    client = app.test_client()
    make_staff(services, "boss", Role.ADMIN)
    login(client, "boss")
    for response in (client.get("/admin/_test/bad"), client.post("/admin/riskpoints/units", data={"action": "x"})):
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "Bad Request" not in body and "คำขอไม่ถูกต้อง" in body
    assert "โหลดหน้าใหม่" in client.post("/admin/riskpoints/units", data={}).get_data(as_text=True)  # CSRF
    wrong = client.get("/admin/workgroup/link-code")
    assert wrong.status_code == 405 and wrong.headers["Allow"] and "Method Not Allowed" not in wrong.get_data(True)
    assert "กดปุ่มบนหน้านั้นอีกครั้ง" in wrong.get_data(as_text=True)
    api = client.post("/api/v1/riskpoints/defects")
    assert api.status_code == 405 and api.is_json  # the API keeps its JSON


def test_the_units_page_names_units_in_thai_and_makes_their_codes(admin, services):
    with services.sessions.begin() as session:
        create_unit(session, code="patrol-1", name="สายตรวจ 1", kind=UnitKind.PATROL, district="บางรัก")
        assert next_unit_code(session, UnitKind.PATROL) == "patrol-2"
    html = admin.get("/admin/riskpoints/units").get_data(as_text=True)
    text = _visible(html)
    assert "ฝ่ายโยธา" in text and "ฝ่ายรักษาความสะอาดและสวนสาธารณะ" in text  # the mapping, before the units exist
    for code in ("public_works", "cleaning", "municipal", "patrol-1", "อังกฤษ", "→"):
        assert code not in text, code
    assert '<input type="text" name="note"' in html and '<input type="text" id="name" name="name"' in html
    token = csrf_token(admin, "/admin/riskpoints/units")
    data = {"action": "create", "name": "สายตรวจเทศกิจ 2", "kind": "patrol", "district": "", "csrf_token": token}
    assert admin.post("/admin/riskpoints/units", data=data).status_code == 302
    with services.sessions() as session:
        made = session.scalar(select(RiskUnit).where(RiskUnit.name == "สายตรวจเทศกิจ 2"))
    assert made.code == "patrol-2"


def test_the_month_report_form_reads_be_months_and_refuses_in_thai(admin, services):
    with services.sessions.begin() as session:
        unit = create_unit(session, name="สายตรวจ 1", kind=UnitKind.PATROL)
        unit_id = unit.id
    token = csrf_token(admin, "/admin/riskpoints/units")
    bad = {"action": "submit", "unit_id": unit_id, "month": "เดือนที่แล้ว", "csrf_token": token}
    page = admin.post("/admin/riskpoints/units", data=bad, follow_redirects=True).get_data(as_text=True)
    assert "อ่าน “เดือนที่แล้ว” ไม่ได้" in page


def test_crime_figures_are_entered_with_the_month_picker(admin, services):
    token = csrf_token(admin, "/admin/riskpoints/crime")
    form = {"month": "11", "year": "๒๕๖๙", "area": "ตลาด", "crime_type": "ลักทรัพย์", "cases": "3", "csrf_token": token}
    assert admin.post("/admin/riskpoints/crime", data=form).status_code == 302
    with services.sessions() as session:
        stat = session.scalar(select(CrimeStat))
    assert (stat.year, stat.month, stat.cases) == (2026, 11, 3)
    page = admin.post("/admin/riskpoints/crime", data={**form, "cases": "สาม"}, follow_redirects=True)
    assert "จำนวนคดีต้องเป็นตัวเลข" in page.get_data(as_text=True)
    html = admin.get("/admin/riskpoints/crime").get_data(as_text=True)
    assert '<select name="year">' in html and "<legend>เดือนของสถิติ</legend>" in html


def test_scheduler_settings_and_working_group_pages_speak_thai(admin):
    scheduler = _visible(admin.get("/admin/scheduler/").get_data(as_text=True))
    assert not re.search(r"\b25\d\d-Q\d|\b25\d\d-\d\d-\d\dT|media-retry|quota-watch|monthly-open", scheduler)
    assert "ดาวน์โหลดรูปและไฟล์ที่ค้างหรือไม่สำเร็จอีกครั้ง" in scheduler
    assert "pythainlp" not in admin.get("/admin/network/settings").get_data(as_text=True)
    tile = re.search(
        r'<span class="tile-number">([^<]*)</span>\s*<span class="tile-label">ตัวชี้วัดเครือข่ายข่าว',
        admin.get("/admin/workgroup/").get_data(as_text=True),
    )
    assert tile and re.fullmatch(r"ระดับ [1-5]|ยังไม่ถึงระดับ 1", tile.group(1))


def test_the_demo_has_a_basic_id_so_its_posters_have_qr_codes(tmp_path):
    config = load_config({"FIELDLINE_MODE": "demo", "FIELDLINE_INSTANCE_DIR": str(tmp_path)})
    assert config["LINE_BOT_BASIC_ID"] == DEMO_BASIC_ID == "@fieldline"
    assert (
        load_config({"FIELDLINE_MODE": "demo", "FIELDLINE_INSTANCE_DIR": str(tmp_path), "LINE_BOT_BASIC_ID": "@a"})[
            "LINE_BOT_BASIC_ID"
        ]
        == "@a"
    )
