"""The reports inbox, a report's page, its photos, category and status updates, and the roll export."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from models import MediaFile, MemberStatus, NewsReport, ReportStatus, Role
from services.audit import Action
from services.network.groups import create_group_code
from tests import test_network_admin_support as make
from tests.test_admin_support import SECRET_TEXT, audit_entries, post_form
from tests.test_network_admin_support import bkk, page, signed_in
from texts import network as t

NAME, PHONE = "สมชาย ใจดี", "0812345678"


def rows(html: str) -> dict[str, str]:
    """The reports inbox's rows by reference number (or draft id)."""
    found = {}
    for row in re.findall(r'<tr id="report-\d+">.*?</tr>', html, re.S):
        key = re.search(r'network/reports/\d+">([^<]+)</a>', row).group(1)
        found[key] = row
    return found


def test_reports_inbox_filters_by_bangkok_date_district_category_group_and_status(app, services):
    alice, alice_code = make.member(services)
    chat = make.group(services, "เครือข่ายข่าว อปพร. คลองเตย")
    first, ref1 = make.report(
        services, reporter=alice, chat=chat, when=bkk(2026, 1, 20, 14, 5), suggested="suspicious_person"
    )
    make.report(services, reporter=alice, chat=chat, when=bkk(2026, 1, 20, 14, 20))
    late, ref2 = make.report(services, reporter=alice, chat=chat, when=bkk(2026, 1, 21, 0, 30))  # 20 Jan in UTC
    make.link(services, late, first)
    _, ref3 = make.report(
        services, when=bkk(2026, 2, 10, 9, 0), district="บางรัก", category="drugs", status=ReportStatus.RECEIVED
    )
    draft, _ = make.report(services, reporter=alice, status=ReportStatus.DRAFT, when=bkk(2026, 1, 22))
    make.report(services, reporter=alice, status=ReportStatus.WITHDRAWN, when=bkk(2026, 1, 23))
    client = signed_in(app, services, Role.SECRETARIAT)

    listing = page(client, "/admin/network/reports")
    shown = rows(listing)
    assert len(shown) == 4 and f"ร่าง #{draft}" not in shown  # drafts and withdrawn are hidden by default
    row = shown[ref1]
    assert "20 ม.ค. 2569 14:05 น." in row and "เครือข่ายข่าว อปพร. คลองเตย" in row
    assert "แรงงานต่างด้าวผิดกฎหมาย" in row and "ระบบแนะนำ: บุคคลต้องสงสัย" in row
    assert alice_code in row and "คลองเตย" in row and "อาจซ้ำ 1" in row and ">1<" in row
    assert NAME not in listing and "แรงงานต่างด้าวลักลอบ" not in listing  # no identities, no content
    assert "ไม่ทราบ (PC)" in shown[ref3] and "แชตส่วนตัวกับบอท" in shown[ref3]

    def refs(query: str) -> set[str]:
        return set(rows(page(client, "/admin/network/reports" + query)))

    day = refs("?from=20/01/2569&to=20/01/2569")
    assert ref1 in day and ref2 not in day and ref3 not in day  # Bangkok days, not UTC days
    assert refs("?from=2026-01-21") == {ref2, ref3}  # CE input is accepted too
    assert refs("?from=21/01/2026&to=31/1/2569") == {ref2}
    assert refs("?district=บางรัก") == {ref3}
    assert refs("?category=drugs") == {ref3}
    assert refs(f"?group={chat}") == set(shown) - {ref3}
    assert refs("?group=direct") == {ref3}
    assert refs("?status=received") == {ref3}
    assert refs("?status=draft") == {f"ร่าง #{draft}"}
    assert len(refs("?status=all")) == 6
    assert refs(f"?ref={ref2[-6:]}") == {ref2}
    assert 'value="21/01/2569"' in page(client, "/admin/network/reports?from=2026-01-21")  # shown back in BE

    wrong = page(client, "/admin/network/reports?from=32/13/2569")
    assert "วันที่ “32/13/2569” ไม่ถูกต้อง" in wrong


def test_district_officer_sees_reports_of_their_districts_only(app, services):
    _, inside = make.report(services, district="คลองเตย")
    hidden_id, outside = make.report(services, district="บางรัก")
    client = signed_in(app, services, Role.DISTRICT_OFFICER, ["คลองเตย"])
    assert set(rows(page(client, "/admin/network/reports"))) == {inside}
    assert client.get(f"/admin/network/reports/{hidden_id}").status_code == 404


def test_report_page_shows_the_messages_in_order_and_is_audited(app, services):
    alice, code = make.member(services)
    chat = make.group(services)
    news, ref = make.report(services, reporter=alice, chat=chat, text=SECRET_TEXT, location=(13.72, 100.58))
    shown_media = make.add_photo(app, services, news)
    unsent_media = make.add_photo(app, services, news, make.photo_with_gps((10, 10, 200)), unsent=True)
    other, other_ref = make.report(services, reporter=alice, chat=chat, when=bkk(2026, 1, 20, 14, 30))
    make.link(services, news, other, distance=35.4, minutes=25)
    client = signed_in(app, services, Role.SECRETARIAT)

    html = page(client, f"/admin/network/reports/{news}")
    assert SECRET_TEXT in html and "ซอยสุขุมวิท 71" in html
    assert "13.72000, 100.58000" in html
    assert "https://www.openstreetmap.org/?mlat=13.720000&amp;mlon=100.580000#map=17/13.720000/100.580000" in html
    assert f'src="/admin/network/media/{shown_media}"' in html
    assert f"/admin/network/media/{unsent_media}" not in html and t.UNSENT_NOTE in html
    order = [html.index(SECRET_TEXT), html.index(f"/admin/network/media/{shown_media}"), html.index("13.72000")]
    assert order == sorted(order)  # text 14:05, photo 14:06, location 14:07
    assert other_ref in html and "ห่าง 35 เมตร" in html and "อาจซ้ำกับข่าวอื่น 1 เรื่อง" in html
    assert code in html and NAME not in html and PHONE not in html
    assert "นับรวมในโควตาข้อความของเดือนนี้" in html
    # nothing loaded from the internet: scripts only from this site, no map tiles
    assert not re.search(r'<script(?![^>]*\bsrc="/)', html) and "tile.openstreetmap" not in html
    [viewed] = audit_entries(services, Action.VIEW_REPORT)
    assert viewed.object_type == "news_report" and viewed.object_id == str(news)
    assert SECRET_TEXT not in str(viewed.detail)
    assert audit_entries(services, Action.VIEW_IDENTITY) == []

    revealed = page(client, f"/admin/network/reports/{news}?identity=1")
    assert NAME in revealed and PHONE in revealed
    [entry] = audit_entries(services, Action.VIEW_IDENTITY)
    assert entry.object_id == str(alice) and entry.detail["report_id"] == news and entry.actor == "secretariat"


def test_a_photo_is_served_only_to_signed_in_staff_and_without_exif(app, services, client):
    news, _ = make.report(services, district="คลองเตย")
    media = make.add_photo(app, services, news)
    unsent = make.add_photo(app, services, news, make.photo_with_gps((1, 2, 3)), unsent=True)
    path = f"/admin/network/media/{media}"

    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]

    secretariat = signed_in(app, services, Role.SECRETARIAT)
    with secretariat.get(path) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"].startswith("no-store")
        data = response.get_data()
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (32, 24) and dict(image.getexif()) == {} and "exif" not in image.info
    assert b"Exif" not in data and b"FieldCam" not in data
    [entry] = audit_entries(services, Action.VIEW_REPORT_MEDIA)
    assert entry.object_id == str(media) and entry.detail["report_id"] == news and entry.detail["original"] is False
    assert secretariat.get(path + "?original=1").status_code == 403
    assert secretariat.get(f"/admin/network/media/{unsent}").status_code == 404

    admin = signed_in(app, services, Role.ADMIN)
    with admin.get(path + "?original=1") as original:
        assert original.status_code == 200 and "attachment" in original.headers["Content-Disposition"]
        data = original.get_data()
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif().get_ifd(0x8825)[1] == "N"  # the original keeps its GPS for the admin
    assert audit_entries(services, Action.VIEW_REPORT_MEDIA)[-1].detail["original"] is True

    assert signed_in(app, services, Role.VIEWER).get(path).status_code == 403
    assert (
        signed_in(app, services, Role.DISTRICT_OFFICER, ["บางรัก"], username="officer-bangrak").get(path).status_code
        == 404
    )
    with signed_in(app, services, Role.DISTRICT_OFFICER, ["คลองเตย"]).get(path) as seen:
        assert seen.status_code == 200
    with services.sessions.begin() as session:
        stray = MediaFile(line_message_id="not-a-report", kind="image", status="stored", shown_path="x.jpg")
        session.add(stray)
        session.flush()
        stray_id = stray.id
    assert admin.get(f"/admin/network/media/{stray_id}").status_code == 404  # not a report's media


def test_secretariat_changes_the_category(app, services):
    news, ref = make.report(services, category="illegal_worker", suggested="illegal_worker")
    client = signed_in(app, services, Role.SECRETARIAT)
    form_page = f"/admin/network/reports/{news}"
    response = post_form(client, f"{form_page}/category", {"category": "drugs"}, form_page=form_page)
    assert response.status_code == 302 and response.headers["Location"] == form_page
    report = make.get(services, NewsReport, news)
    assert (report.category_code, report.category_set_by, report.suggested_category) == (
        "drugs",
        "secretariat",
        "illegal_worker",
    )
    html = page(client, form_page)
    assert f"เปลี่ยนหมวดหมู่ข่าว {ref} เป็น “ยาเสพติด” แล้ว" in html and "ระบบแนะนำ: แรงงานต่างด้าวผิดกฎหมาย" in html
    [entry] = audit_entries(services, Action.REPORT_CATEGORY)
    assert entry.object_id == str(news) and entry.detail["category"] == "drugs"
    post_form(client, f"{form_page}/category", {"category": "no-such"}, form_page=form_page)
    assert make.get(services, NewsReport, news).category_code == "drugs"
    assert "ไม่พบข่าวหรือหมวดหมู่นี้" in page(client, form_page)
    viewer = signed_in(app, services, Role.VIEWER)
    assert post_form(viewer, f"{form_page}/category", {"category": "other"}).status_code == 403


def test_a_status_update_is_exactly_one_push_to_the_reporter(app, services):
    alice, _ = make.member(services)
    news, ref = make.report(services, reporter=alice)
    client = signed_in(app, services, Role.SECRETARIAT)
    form_page = f"/admin/network/reports/{news}"
    response = post_form(client, f"{form_page}/status-update", {"update": "received"}, form_page=form_page)
    assert response.status_code == 302
    [push] = make.outbox(services)
    assert push.recipient == make.line_user_id(services, alice) and push.reply_token is None
    assert push.purpose == "status-update:received" and push.multicast_to is None
    assert [message["text"] for message in push.messages] == [t.STATUS_UPDATES["received"].format(ref=ref)]
    assert make.get(services, NewsReport, news).status == ReportStatus.RECEIVED
    html = page(client, form_page)
    assert f"ส่งข้อความแจ้งสถานะข่าว {ref} ถึงผู้แจ้งแล้ว" in html and "นับรวมในโควตา" in html
    assert "ประวัติการแจ้งสถานะ" in html
    [entry] = audit_entries(services, Action.REPORT_STATUS_UPDATE)
    assert entry.detail["update"] == "received" and entry.detail["pushed"] is True

    from_pc, pc_ref = make.report(services, reporter=None)
    post_form(client, f"/admin/network/reports/{from_pc}/status-update", {"update": "forwarded"}, form_page=form_page)
    assert len(make.outbox(services)) == 1  # nobody to push to
    assert make.get(services, NewsReport, from_pc).status == ReportStatus.FORWARDED
    assert f"บันทึกสถานะข่าว {pc_ref} แล้ว แต่ส่งข้อความถึงผู้แจ้งไม่ได้" in page(client, form_page)

    draft, _ = make.report(services, reporter=alice, status=ReportStatus.DRAFT)
    post_form(client, f"/admin/network/reports/{draft}/status-update", {"update": "thanks"}, form_page=form_page)
    assert len(make.outbox(services)) == 1
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, ["คลองเตย"])
    assert post_form(officer, f"{form_page}/status-update", {"update": "thanks"}).status_code == 403
    assert len(make.outbox(services)) == 1


def _workbook(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()))
    cells = [str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    return book, cells


def test_the_roll_export_with_and_without_identities(app, services):
    _, code = make.member(services)
    make.member(services, status=MemberStatus.PENDING, full_name="สมหญิง รออนุมัติ", phone="0898765432")
    make.group(services, "เครือข่ายข่าว อปพร. คลองเตย")
    client = signed_in(app, services, Role.SECRETARIAT)

    book, cells = _workbook(client.get("/admin/network/roll.xlsx"))
    assert book.sheetnames == ["สรุป", "สมาชิก", "กลุ่ม LINE"]
    header = [cell.value for cell in book["สมาชิก"][1]]
    assert header == ["รหัสผู้แจ้ง", "กลุ่มอาชีพ", "เขต", "สถานะ", "วันที่ลงทะเบียน"]
    assert code in cells and "จิตอาสา" in cells and "เครือข่ายข่าว อปพร. คลองเตย" in cells
    assert NAME not in cells and PHONE not in cells and "สมหญิง รออนุมัติ" not in cells

    book, cells = _workbook(client.get("/admin/network/roll.xlsx?identities=1"))
    assert [cell.value for cell in book["สมาชิก"][1]][:3] == ["รหัสผู้แจ้ง", "ชื่อ–นามสกุล", "โทรศัพท์"]
    assert NAME in cells and PHONE in cells and code in cells
    entries = audit_entries(services, Action.VIEW_NETWORK_ROLL)
    assert [entry.detail["identities"] for entry in entries] == [False, True]

    viewer = signed_in(app, services, Role.VIEWER)  # one row per member: not for a role without the members list
    assert viewer.get("/admin/network/roll.xlsx?fy=2569").status_code == 403
    assert viewer.get("/admin/network/roll.xlsx?identities=1").status_code == 403
    assert "roll.xlsx" not in viewer.get("/admin/network/groups").get_data(as_text=True)
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, ["คลองเตย"])
    assert officer.get("/admin/network/roll.xlsx").status_code == 403
    assert len(audit_entries(services, Action.VIEW_NETWORK_ROLL)) == 2


def test_a_group_report_from_line_reaches_the_inbox_and_the_update_reaches_the_reporter(line):
    alice, bob = line.user("สมชาย"), line.user("สมหญิง")
    alice.follow()
    alice.says("ลงทะเบียน")
    alice.says(NAME)
    alice.says(PHONE)
    alice.chooses("จิตอาสา")
    alice.says("คลองเตย")
    alice.chooses("ยินยอม")
    group = line.group("เครือข่ายข่าว อปพร.", [alice, bob])
    with line.services.sessions.begin() as session:
        code = create_group_code(session, name="เครือข่ายข่าว อปพร.", purpose="network", by="secretariat")
        typed = f"ลงทะเบียนกลุ่ม {code.code}"
    alice.in_group(group).says(typed)
    alice.in_group(group).says("#ข่าว พบแรงงานต่างด้าวลักลอบทำงานในไซต์ก่อสร้าง")
    alice.in_group(group).sends_image(make.photo_with_gps())
    alice.in_group(group).shares_location(13.72, 100.58, title="ไซต์ก่อสร้าง")
    with line.services.sessions() as session:
        report = session.scalars(select(NewsReport)).one()
        ref, report_id = report.ref_no, report.id

    client = signed_in(line.app, line.services, Role.SECRETARIAT)
    assert ref in rows(page(client, f"/admin/network/reports?group={report.chat_id}"))
    html = page(client, f"/admin/network/reports/{report_id}")
    media_id = int(re.search(r'src="/admin/network/media/(\d+)"', html).group(1))
    with client.get(f"/admin/network/media/{media_id}") as photo:
        assert photo.status_code == 200 and b"FieldCam" not in photo.get_data()

    before = len(line.deliveries(alice))
    post_form(client, f"/admin/network/reports/{report_id}/status-update", {"update": "received"}, form_page="/admin/")
    line.process()
    pushed = line.deliveries(alice)[before:]
    assert [d.method for d in pushed] == ["push"]
    assert pushed[0].messages[0]["text"] == t.STATUS_UPDATES["received"].format(ref=ref)
