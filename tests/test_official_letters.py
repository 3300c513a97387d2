"""Official letters: one register for every kind, the Thai หนังสือภายนอก in DOCX and PDF, the office profile page."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from docx import Document
from docx.oxml.ns import qn
from PIL import Image
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError

from bot.migrate import alembic_config, upgrade
from models import (
    CameraStatus,
    CoordinationLetter,
    LetterKind,
    MediaFile,
    MediaStatus,
    OutgoingLetter,
    RiskCamera,
    RiskUnit,
    Role,
    UnitKind,
)
from models.office import office_profile
from models.timeutil import BANGKOK
from models.workgroup import ForwardRecipient
from reports.documents import coordination_letter, forward_letter, letter_pdf, pdf
from reports.documents.official_letter import Letter
from services.letters import issue_number
from services.office import OfficeProfile, save_office_profile
from services.riskpoints.cameras import record_camera_check
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units
from tests import workgroup_factories as make
from tests.test_admin_support import audit_entries, login, make_staff, post_form

BANGRAK = OfficeProfile(
    district="บางรัก",
    office_name="สำนักงานเขตบางรัก",
    address="เลขที่ 2 ถนนนเรศ แขวงสี่พระยา\nเขตบางรัก กรุงเทพมหานคร 10500",
    phone="0 2236 1395",
    letter_prefix="กท ๕๓๐๑",
    signatory_name="นายสมชาย ใจดี",
    signatory_position="ผู้อำนวยการเขตบางรัก",
    secretariat_unit="ฝ่ายปกครอง",
    thai_digits=True,
)
NO_PDF = pytest.mark.skipif(not pdf.available(), reason="Chromium is not installed")


def bkk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)


def jpeg(colour=(90, 90, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def district(services, app):
    """A Bang Rak point with two cameras and its patrol unit; the default departments; a stored camera photo."""
    media_dir = Path(app.config["MEDIA_DIR"])
    (media_dir / "rp").mkdir(parents=True, exist_ok=True)
    (media_dir / "rp" / "cam.jpg").write_bytes(jpeg())
    with services.sessions.begin() as session:
        ensure_default_units(session)
        create_unit(session, code="patrol-bangrak", name="สายตรวจเขตบางรัก", kind=UnitKind.PATROL, district="บางรัก")
        point = save_point(
            session,
            {
                "code": "RP-0001",
                "name": "ซอยเจริญกรุง 36",
                "district": "บางรัก",
                "subdistrict": "บางรัก",
                "latitude": 13.7262,
                "longitude": 100.5156,
                "kind": "alley",
                "active_from": date(2026, 9, 1),
                "patrol_unit": "patrol-bangrak",
                "cameras": "CAM-0001: สำนักการจราจรและขนส่ง; CAM-0002: สำนักงานตำรวจแห่งชาติ",
            },
        )
        photo = MediaFile(
            line_message_id="m-cam",
            kind="image",
            status=MediaStatus.STORED,
            path="rp/cam.jpg",
            shown_path="rp/cam.jpg",
            content_type="image/jpeg",
        )
        session.add(photo)
        session.flush()
        return {"point": point.id, "cameras": [c.id for c in point.cameras], "photo": photo.id}


def broken(services, camera_id: int, at: datetime, photo_id: int | None = None) -> int:
    """A centre check finding a camera broken; the id of the coordination letter it issued."""
    with services.sessions.begin() as session:
        camera = session.get(RiskCamera, camera_id)
        photo = session.get(MediaFile, photo_id) if photo_id else None
        _, _, letter, _ = record_camera_check(
            session, camera, CameraStatus.BROKEN, at, lambda *_: None, method="centre", staff="noi", photo=photo
        )
        return letter.id


def forward_by_letter(services, at: datetime) -> int:
    """A report forwarded by letter to the NIA; the id of its recipient."""
    with services.sessions.begin() as session:
        found = make.agencies(session)
        reported = make.report(session, at, number=at.day)
        forward = make.forward(
            session,
            report_ids=[reported.id],
            agency_ids=[found["nia"].id],
            subject="ส่งข่าวแรงงานต่างด้าว",
            by="noi",
            now=at,
            via_line=False,
            via_letter=True,
        )
        return forward.recipients[0].id


def docx_text(data: bytes) -> tuple[Document, str]:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return document, "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_every_kind_of_letter_takes_the_next_number_of_one_register_and_a_new_fiscal_year_starts_at_one(
    services, district
):
    one, two = district["cameras"]
    first = broken(services, one, bkk(2026, 9, 30, 23, 30))  # FY 2569 in Bangkok
    october = forward_by_letter(services, bkk(2026, 10, 1, 0, 30))  # FY 2570 starts: 1
    second = broken(services, two, bkk(2026, 10, 2, 9, 0))  # the other kind: 2, never 1 again
    later = forward_by_letter(services, bkk(2026, 10, 3, 9, 0))  # 3
    with services.sessions() as session:
        camera_letters = [session.get(CoordinationLetter, i) for i in (first, second)]
        recipients = [session.get(ForwardRecipient, i) for i in (october, later)]
        assert [(c.fiscal_year, c.number) for c in camera_letters] == [(2569, 1), (2570, 2)]
        assert [r.letter_no for r in recipients] == ["กท/1", "กท/3"]
        register = session.scalars(select(OutgoingLetter).order_by(OutgoingLetter.id)).all()
        assert [(e.book, e.fiscal_year, e.number, e.kind) for e in register] == [
            ("ทั่วไป", 2569, 1, LetterKind.COORDINATION),
            ("ทั่วไป", 2570, 1, LetterKind.FORWARD),
            ("ทั่วไป", 2570, 2, LetterKind.COORDINATION),
            ("ทั่วไป", 2570, 3, LetterKind.FORWARD),
        ]
        assert register[0].addressee == "ผู้อำนวยการสำนักการจราจรและขนส่ง" and register[0].issued_by == "noi"
        assert camera_letters[1].letter_id == register[2].id and recipients[1].letter_id == register[3].id
    with services.sessions() as session, pytest.raises(IntegrityError):  # the database refuses a repeat too
        session.add(
            OutgoingLetter(
                book="ทั่วไป",
                fiscal_year=2570,
                number=2,
                kind=LetterKind.FORWARD,
                subject="ซ้ำ",
                addressee="ใคร",
                issued_at=bkk(2026, 10, 4),
            )
        )
        session.flush()
    with services.sessions.begin() as session:  # a number taken by a caller elsewhere continues the same book
        assert issue_number(session, "forward", "เรื่อง", "ผู้รับ", "noi", bkk(2026, 10, 5)).number == 4


def test_the_coordination_letter_is_a_thai_official_letter_from_the_office_profile(app, services, district):
    with services.sessions.begin() as session:
        save_office_profile(session, BANGRAK, "noi")
    letter_id = broken(services, district["cameras"][0], bkk(2026, 11, 16, 10, 5), district["photo"])
    with services.sessions() as session:
        letter = session.get(CoordinationLetter, letter_id)
        data = coordination_letter.render_letter(session, letter, app.config["MEDIA_DIR"])
    document, text = docx_text(data)
    first = document.paragraphs[0]
    assert first._p.xpath(".//pic:pic") and document.sections[0].top_margin.cm == pytest.approx(
        1.5, abs=0.01
    )  # the Garuda
    garuda = document.inline_shapes[0]
    assert garuda.height.cm == pytest.approx(3.0, abs=0.01)
    assert len(document.inline_shapes) == 2  # the Garuda and the photo on its annex page
    assert "ที่ กท ๕๓๐๑/๑" in text and "สำนักงานเขตบางรัก" in text and "เขตบางรัก กรุงเทพมหานคร ๑๐๕๐๐" in text
    assert "๑๖ พฤศจิกายน ๒๕๖๙" in text and "เวลา ๑๐.๐๕ น." in text
    assert "เรียน  ผู้อำนวยการสำนักการจราจรและขนส่ง" in text and "สิ่งที่ส่งมาด้วย  ภาพถ่ายกล้องที่ชำรุด จำนวน ๑ ภาพ" in text
    assert "CAM-0001" in text and "RP-0001 ซอยเจริญกรุง 36 แขวงบางรัก เขตบางรัก" in text  # codes keep their digits
    assert "สำนักงานเขต\n" not in text + "\n" and "ฝ่ายเทศกิจ" not in text
    lines = [p.text for p in document.paragraphs]
    closing = lines.index("ขอแสดงความนับถือ")
    assert lines[closing + 4 : closing + 6] == ["(นายสมชาย ใจดี)", "ผู้อำนวยการเขตบางรัก"]
    contact = lines.index("ฝ่ายโยธา")  # the department the broken camera's work order went to
    assert lines[contact + 1] == "โทร. ๐ ๒๒๓๖ ๑๓๙๕"
    held = document.paragraphs[closing - 2 : closing + 5]  # the last body paragraph through the name
    assert held[0].text.startswith("จึงเรียนมาเพื่อโปรดพิจารณา")
    assert all(p.paragraph_format.keep_with_next for p in held)
    assert document.paragraphs[closing + 5].paragraph_format.keep_together
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:cs")) == "TH Sarabun New"


def test_the_contact_is_the_patrol_unit_without_a_department_and_the_secretariat_unit_for_forwards(services, district):
    with services.sessions.begin() as session:
        save_office_profile(session, BANGRAK, "noi")
    with services.sessions.begin() as session:
        session.scalars(select(RiskUnit).where(RiskUnit.code == "public_works")).one().is_active = False
    letter_id = broken(services, district["cameras"][0], bkk(2026, 11, 16, 10, 5))
    recipient_id = forward_by_letter(services, bkk(2026, 11, 17, 9, 0))
    with services.sessions() as session:
        _, camera_text = docx_text(
            coordination_letter.render_letter(session, session.get(CoordinationLetter, letter_id), None)
        )
        _, forward_text = docx_text(
            forward_letter.render_forward_letter(session, session.get(ForwardRecipient, recipient_id))
        )
    assert "\nสายตรวจเขตบางรัก\nโทร. ๐ ๒๒๓๖ ๑๓๙๕" in camera_text
    assert "\nฝ่ายปกครอง\nโทร. ๐ ๒๒๓๖ ๑๓๙๕" in forward_text
    assert "ที่ กท ๕๓๐๑/๒" in forward_text and "เรียน  ผู้อำนวยการสำนักข่าวกรองแห่งชาติ" in forward_text


@NO_PDF
def test_the_pdf_holds_the_same_thai_text_and_looks_like_a_letter(app, services, district, tmp_path):
    with services.sessions.begin() as session:
        save_office_profile(session, BANGRAK, "noi")
    letter_id = broken(services, district["cameras"][0], bkk(2026, 11, 16, 10, 5), district["photo"])
    with services.sessions() as session:
        letter = session.get(CoordinationLetter, letter_id)
        data = coordination_letter.render_pdf(session, letter, app.config["MEDIA_DIR"])
    assert data.startswith(b"%PDF") and pdf.page_count(data) == 2  # the letter, then the photo
    text = "".join(pdf_text(data, tmp_path).split())  # pdftotext spaces out marks shifted over ป ฝ ฟ: compare unspaced
    for expected in (
        "ที่ กท ๕๓๐๑/๑",
        "สำนักงานเขตบางรัก",
        "แขวงสี่พระยา เขตบางรัก กรุงเทพมหานคร ๑๐๕๐๐",
        "๑๖ พฤศจิกายน ๒๕๖๙",
        "เรื่อง ขอให้ตรวจสอบและซ่อมแซมกล้องโทรทัศน์วงจรปิด (CCTV) ที่ชำรุด",
        "ขอแสดงความนับถือ",
        "(นายสมชาย ใจดี)",
        "ผู้อำนวยการเขตบางรัก",
        "ฝ่ายโยธา",
        "โทร. ๐ ๒๒๓๖ ๑๓๙๕",
    ):
        assert "".join(expected.split()) in text, expected
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "letter.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "ขอแสดงความนับถือ" in first_page and "(นายสมชาย ใจดี)" in first_page  # the signature stays on page 1
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "letter.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    with Image.open(pages[0]) as page:
        width, height = page.size
        top = page.convert("L").crop((0, 0, width, round(height * 4.3 / 29.7)))  # above the line of ที่
        left, upper, right, lower = top.point(lambda v: 255 if v < 128 else 0).getbbox()
    centre = (3.0 + (21.0 - 2.0)) / 2 / 21.0 * width  # the middle of the text width (margins 3 cm and 2 cm)
    assert abs((left + right) / 2 - centre) < width * 0.02  # the emblem is centred at the top
    assert abs(upper / height * 29.7 - 1.5) < 0.3 and (lower - upper) / height * 29.7 > 2.6  # 1.5 cm down, 3 cm high


@NO_PDF
def test_however_long_the_body_the_signature_never_leaves_the_closing_or_the_last_paragraph():
    """Bodies of 9 to 16 sentences put the page break before, inside and after where the closing falls."""
    sentence = "สำนักงานเขตบางรักขอเรียนว่ากล้อง CAM-0001 ณ จุดเสี่ยง RP-0001 ซอยเจริญกรุง 36 ชำรุด "
    for count in range(9, 17):
        body = [sentence * 4] * (count // 4) + ([sentence * (count % 4)] if count % 4 else [])
        letter = Letter(
            number="กท ๕๓๐๑/๑",
            office="สำนักงานเขตบางรัก",
            address="เลขที่ ๒ ถนนนเรศ แขวงสี่พระยา\nเขตบางรัก กรุงเทพมหานคร ๑๐๕๐๐",
            dated="๑๖ พฤศจิกายน ๒๕๖๙",
            subject="ขอให้ตรวจสอบและซ่อมแซมกล้องโทรทัศน์วงจรปิด (CCTV) ที่ชำรุด",
            addressee="ผู้อำนวยการสำนักการจราจรและขนส่ง",
            body=(*body, "จึงเรียนมาเพื่อโปรดซ่อมโดยด่วน"),
            signatory_name="นายสมชาย ใจดี",
            signatory_position="ผู้อำนวยการเขตบางรัก",
            contact_unit="ฝ่ายโยธา",
            contact_phone="๐ ๒๒๓๖ ๑๓๙๕",
        )
        data = letter_pdf.to_pdf(letter)
        pages = [
            "".join(
                subprocess.run(
                    ["pdftotext", "-f", str(n), "-l", str(n), "-", "-"], input=data, capture_output=True, check=True
                )
                .stdout.decode()
                .split()
            )
            for n in range(1, pdf.page_count(data) + 1)
        ]
        on = {
            w: [i for i, page in enumerate(pages) if w in page]
            for w in ("จึงเรียนมาเพื่อโปรดซ่อมโดยด่วน", "ขอแสดงความนับถือ", "(นายสมชายใจดี)", "ผู้อำนวยการเขตบางรัก")
        }
        assert len({tuple(found) for found in on.values()}) == 1 and len(on["ขอแสดงความนับถือ"]) == 1, (count, on)


def test_the_office_page_changes_every_letter_and_answers_mistakes_in_thai(app, services, district):
    letter_id = broken(services, district["cameras"][0], bkk(2026, 11, 16, 10, 5))
    make_staff(services, "noi", Role.SECRETARIAT)
    client = app.test_client()
    assert login(client, "noi").status_code == 302
    page = client.get("/admin/office").get_data(as_text=True)
    assert "ยังตั้งค่าข้อมูลสำนักงานไม่ครบ" in page and "{found_date}" in page and "ทะเบียนหนังสือส่ง" in page

    form = {field: str(value) for field, value in BANGRAK.values().items() if field != "thai_digits"}
    wrong = post_form(client, "/admin/office", form | {"district": "นอกกรุง", "letter_prefix": "กท/๕๓๐๑", "phone": ""})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "ไม่รู้จักเขต “นอกกรุง”" in html and "ไม่ต้องมีเครื่องหมาย /" in html and "กรุณากรอกโทรศัพท์" in html
    with services.sessions() as session:
        assert office_profile(session).district == ""  # nothing stored while any field is wrong

    saved = post_form(client, "/admin/office", form | {"thai_digits": "y"}, form_page="/admin/office")
    assert saved.status_code == 302 and "บันทึกข้อมูลสำนักงานแล้ว" in client.get("/admin/office").get_data(as_text=True)
    register = client.get("/admin/office?fy=2570").get_data(as_text=True)
    assert "ทะเบียนหนังสือส่ง ปีงบประมาณ 2570" in register and "กท ๕๓๐๑/1" in register
    assert "ประสานซ่อมกล้อง" in register and "ผู้อำนวยการสำนักการจราจรและขนส่ง" in register
    assert [e.detail["keys"] for e in audit_entries(services, "office.profile")][0][:2] == [
        "office.district",
        "office.name",
    ]

    bad = post_form(client, "/admin/office/templates", {"coordination": "เรียน {office} เรื่อง {กล้อง} {camera"})
    assert bad.status_code == 400 and "วงเล็บปีกกา" in bad.get_data(as_text=True)
    unknown = post_form(client, "/admin/office/templates", {"coordination": "ขอแจ้งว่า {cammera} ชำรุด"})
    assert unknown.status_code == 400 and "ไม่รู้จักช่องข้อมูล {cammera}" in unknown.get_data(as_text=True)
    template = "{office}แจ้งว่ากล้อง {camera} ณ {place} ชำรุดเมื่อ {found_date}\n\nจึงเรียนมาเพื่อโปรดซ่อม"
    assert post_form(client, "/admin/office/templates", {"coordination": template}).status_code == 302
    assert audit_entries(services, "office.letter_templates")

    response = client.get(f"/admin/riskpoints/letters/{letter_id}.docx")
    document, text = docx_text(response.data)
    assert "สำนักงานเขตบางรักแจ้งว่ากล้อง CAM-0001 ณ RP-0001 ซอยเจริญกรุง 36 ชำรุดเมื่อ ๑๖ พฤศจิกายน ๒๕๖๙" in text
    assert "ที่ กท ๕๓๐๑/๑" in text and "จึงเรียนมาเพื่อโปรดซ่อม" in text


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.VIEWER], ids=lambda role: role.value)
def test_only_admin_and_the_secretariat_open_the_office_page(app, services, role):
    make_staff(services, "other", role, districts=["บางรัก"] if role == Role.DISTRICT_OFFICER else [])
    client = app.test_client()
    assert login(client, "other").status_code == 302
    assert client.get("/admin/office").status_code == 403
    assert post_form(client, "/admin/office", {"office_name": "ปลอม"}).status_code == 403
    assert post_form(client, "/admin/office/templates", {"coordination": "x"}).status_code == 403


def test_the_migration_moves_the_office_settings_and_enters_old_letters_without_renumbering_them(tmp_path):
    """0012 on a database with letters of both kinds numbered apart, and the old office settings."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0011_unit_rosters")
    engine = create_engine(url)
    at = "2026-11-16 03:00:00"
    old = {
        "riskpoints.office_name": "สำนักงานเขตบางรัก",
        "workgroup.office_name": "สำนักงานปกครองและทะเบียน",
        "workgroup.office_phone": "0 2236 1395",
        "riskpoints.letter_prefix": "กท ๕๓๐๑",
        "workgroup.letter_thai_digits": False,
        "riskpoints.office_unit": "ฝ่ายปกครอง",
    }
    try:
        with engine.begin() as db:
            for key, value in old.items():
                db.execute(
                    text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, '2026-01-01 00:00:00')"),
                    {"k": key, "v": json.dumps(value, ensure_ascii=False)},
                )
            for number in (1, 2):
                db.execute(
                    text(
                        "INSERT INTO rp_letters (fiscal_year, number, defect_id, camera_id, agency, issued_at, "
                        "found_at) VALUES (2570, :n, 1, 1, 'สำนักการจราจรและขนส่ง', :at, :at)"
                    ),
                    {"n": number, "at": at},
                )
            db.exec_driver_sql(
                "INSERT INTO wg_agencies (id, code, name, kind, immigration_authority, sort_order, is_active) "
                "VALUES (1, 'nia', 'สำนักข่าวกรองแห่งชาติ', 'outside', 1, 1, 1)"
            )
            db.execute(
                text(
                    "INSERT INTO wg_forwards (id, ref_no, fiscal_year, kind, subject, summary, via_line, via_letter, "
                    "sent_at, created_by) VALUES (1, 'FW-2570-0001', 2570, 'reports', 'ส่งข่าว', '', 0, 1, :at, 'noi')"
                ),
                {"at": at},
            )
            db.exec_driver_sql(
                "INSERT INTO wg_forward_recipients (forward_id, agency_id, letter_no) VALUES (1, 1, 'กท/1')"
            )
            db.exec_driver_sql("INSERT INTO counters (name, year, value) VALUES ('RP-LETTER', 2570, 2)")
            db.exec_driver_sql("INSERT INTO counters (name, year, value) VALUES ('WG-LETTER', 2570, 1)")
        upgrade(url, "0012_office_letters")
        with engine.connect() as db:
            settings = dict(db.exec_driver_sql("SELECT key, value FROM settings").all())
            entries = db.exec_driver_sql("SELECT book, fiscal_year, number, kind FROM letters ORDER BY id").all()
            linked = db.exec_driver_sql("SELECT count(*) FROM rp_letters WHERE letter_id IS NOT NULL").scalar_one()
            recipient = db.exec_driver_sql("SELECT letter_id FROM wg_forward_recipients").scalar_one()
            counter = db.exec_driver_sql("SELECT value FROM counters WHERE name = 'LETTER:ทั่วไป'").scalar_one()
        command.downgrade(alembic_config(url), "0011_unit_rosters")
        with engine.connect() as db:
            restored = db.exec_driver_sql("SELECT letter_no FROM wg_forward_recipients").scalar_one()
            back = dict(db.exec_driver_sql("SELECT key, value FROM settings").all())
    finally:
        engine.dispose()
    decoded = {key: json.loads(value) for key, value in settings.items()}
    assert decoded == {
        "office.name": "สำนักงานเขตบางรัก",  # the risk-point office wins over the working group's
        "office.district": "บางรัก",
        "office.phone": "0 2236 1395",
        "office.letter_prefix": "กท ๕๓๐๑",
        "office.thai_digits": False,
        "office.secretariat_unit": "ฝ่ายปกครอง",
    }
    assert entries == [
        ("ทั่วไป", 2570, 1, "coordination"),
        ("ทั่วไป", 2570, 2, "coordination"),
        ("ส่งต่อ (ก่อนรวมทะเบียน)", 2570, 1, "forward"),  # kept as sent, in a book of its own
    ]
    assert linked == 2 and recipient == 3 and counter == 2  # the next letter of FY 2570 is number 3
    assert restored == "กท ๕๓๐๑/1" and "riskpoints.office_name" in back and "office.name" not in back
