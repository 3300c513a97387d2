"""A person's rights under the PDPA: export everything held about one LINE user, erase it, keep the KPIs true.

The domain (bot/personal_data/), the CLI (`rights export|erase`) and the admin web (the member page's
rights card, the export download, the erasure's confirmation, the data register), with the Flask test client.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.admin import privacy_texts
from models import (
    Conversation,
    InboxEvent,
    InboxStatus,
    Invitation,
    MediaFile,
    MediaStatus,
    Member,
    MemberStatus,
    NewsReport,
    OutboxStatus,
    OutgoingMessage,
    PatrolCheck,
    ReportItem,
    Role,
)
from models.settings import set_setting
from models.timeutil import utcnow
from models.workgroup import StaffLineLink
from services.media_store import MediaStore
from services.privacy import retention
from services.privacy.erasure import Erasure, erase
from services.privacy.export import EXPORT_JSON, EXPORT_README, export_bytes
from services.privacy.person import PersonalDataError, member_or_error, pseudonym
from tests.browser import SCREENSHOTS, sign_in
from tests.personal_data_factories import (
    DISPLAY_NAME,
    FULL_NAME,
    OTHER,
    OTHER_TEXT,
    PHONE,
    SECRETS,
    UID,
    all_rows_text,
    assert_same_figures,
    build_world,
    image_bytes,
    kpi_figures,
)
from tests.test_admin_support import audit_entries, csrf_token, login, make_staff, post_form


@pytest.fixture
def store(app):
    """The app's media folder."""
    return MediaStore(app.config["MEDIA_DIR"])


@pytest.fixture
def world(services, store):
    """Seed 000's FY 2564 with one person's data in every table, and another member's."""
    return build_world(services, store)


def _export(services, store, line_user_id=UID) -> tuple[dict, zipfile.ZipFile]:
    with services.sessions() as session:
        member = member_or_error(session, line_user_id)
        data, summary = export_bytes(session, member, utcnow(), store)
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read(EXPORT_JSON)), archive


def _erase(services, store, line_user_id=UID) -> Erasure:
    with services.sessions.begin() as session:
        erasure = erase(session, member_or_error(session, line_user_id), utcnow())
    retention.sweep_files(services.sessions, store)
    return erasure


# --- export ----------------------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_person_and_nothing_of_anyone_else(services, store, world):
    document, archive = _export(services, store)
    text = json.dumps(document, ensure_ascii=False)

    assert document["format"] == "fieldline.personal-data" and document["line_user_id"] == UID
    assert document["member"]["display_name"] == DISPLAY_NAME and document["member"]["status"] == "approved"
    assert document["registration"]["full_name"] == FULL_NAME and document["registration"]["phone"] == PHONE
    assert document["registration"]["occupation"] == "วินรถจักรยานยนต์รับจ้าง"
    assert document["consent"] == {"version": "2564-1", "given_at": "2020-12-01T09:00:00+07:00"}
    assert document["conversation_in_progress"]["data"] == {"text": SECRETS[0]}
    assert document["group_invitation"]["detail"] == FULL_NAME
    assert sorted(report["id"] for report in document["news_reports"]) == sorted(world.report_ids)
    items = [item for report in document["news_reports"] for item in report["items"]]
    assert {item["kind"] for item in items} >= {"text", "location", "image"}
    assert SECRETS[0] in text and SECRETS[2] in text
    assert len(document["patrol_checks"]) == 3 and document["patrol_checks"][0]["latitude"] == 13.7001
    assert len(document["camera_checks"]) == 3 and len(document["check_attempts"]) == 1
    assert len(document["defects_reported"]) == 1 and document["defects_reported"][0]["photos"][0]["file"]
    assert document["round_miss_reasons"][0]["reason"] == "flood"
    assert document["named_in_work_order_timelines"][0]["actor"] == FULL_NAME
    assert document["named_in_month_reports"][0]["submitted_by"] == FULL_NAME
    assert document["forward_acknowledgements"][0]["acknowledged_by"] == DISPLAY_NAME
    assert document["measures_reported_from_line"][0]["recorded_by"] == f"LINE: {DISPLAY_NAME}"
    assert document["staff_account_link"]["staff_username"] == "patrol-lead"
    events = {event["id"] for event in document["inbox_events"]}
    mine = {name for name in world.event_ids if not name.startswith("other")}
    assert events == {world.event_ids[name] for name in mine}
    group = next(e for e in document["inbox_events"] if e["id"] == world.event_ids["group_done"])
    assert group["payload"]["source"]["userId"] == UID and group["source_type"] == "group"
    messages = {row["id"]: row for row in document["outbox_messages"]}
    assert set(messages) == {world.outbox_ids[name] for name in ("reply", "parked", "pending", "multicast")}
    assert messages[world.outbox_ids["multicast"]]["multicast"] is True
    assert OTHER not in text  # the multicast's other recipients are not theirs to see
    audit = {(entry["action"], entry["object_id"]) for entry in document["audit_entries"]}
    assert ("view.member", str(world.member_id)) in audit and ("view.identity", None) in audit
    assert ("view.report", str(world.report_ids[0])) in audit
    assert ("view.member", str(world.other_id)) not in audit
    assert all("ip" not in entry for entry in document["audit_entries"])
    assert OTHER_TEXT not in text and "สมหญิง" not in text

    names = set(archive.namelist())
    assert {EXPORT_JSON, EXPORT_README} <= names
    files = [name for name in names if name.startswith("files/")]
    assert len(files) == 3 + 3 + 1  # report photos, patrol photos, the defect's photo
    first = next(item["media"] for item in items if item["media"] and item["media"]["file"])
    assert archive.read(first["file"]) == (store.path(_media(services, first["id"]).path)).read_bytes()
    assert "ข้อมูลส่วนบุคคล" in archive.read(EXPORT_README).decode()


def _media(services, media_id: int) -> MediaFile:
    with services.sessions() as session:
        return session.get(MediaFile, media_id)


def test_an_unknown_line_user_is_a_thai_error(services):
    with services.sessions() as session, pytest.raises(PersonalDataError, match="ไม่พบผู้ใช้ LINE"):
        member_or_error(session, "U" + "0" * 32)


# --- erasure ----------------------------------------------------------------------------------------------


def test_erasure_removes_the_personal_content_and_keeps_every_kpi_figure(services, store, world):
    with services.sessions() as session:
        before = kpi_figures(session)
    assert before[0][0] >= 4  # the seed reaches level 4: the comparison is not of empty figures
    assert "วินรถจักรยานยนต์รับจ้าง" in before[0][1][0][3]["registered_members_by_occupation"]
    assert before[5]["patrols_done"] == 3 and before[5]["cameras_done"] == 3 and before[5]["defects_opened"] == 1
    text_before = all_rows_text(services)
    assert all(secret in text_before for secret in SECRETS) and UID in text_before

    erasure = _erase(services, store)

    with services.sessions() as session:
        assert_same_figures(kpi_figures(session), before)
        member = session.get(Member, world.member_id)
        alias = pseudonym(member)
        assert member.line_user_id == alias == f"anon:{member.reporter_code}"
        assert (member.full_name, member.phone, member.display_name, member.is_friend) == (None, None, None, False)
        assert member.status == MemberStatus.APPROVED and member.occupation_code == "motorcycle_taxi"
        assert member.erased_at is not None and member.consent_version == "2564-1"
        reports = session.scalars(select(NewsReport).where(NewsReport.id.in_(world.report_ids))).all()
        assert {report.sender_key for report in reports} == {alias}
        assert all(r.place is None and r.latitude is None and r.content_removed_at for r in reports)
        items = session.scalars(select(ReportItem).where(ReportItem.report_id.in_(world.report_ids))).all()
        assert all(item.text is None and item.address is None and item.latitude is None for item in items)
        assert all(c.latitude is None for c in session.scalars(select(PatrolCheck)))
        assert session.scalar(select(Conversation)) is None
        assert session.get(Invitation, alias) is not None and session.get(Invitation, UID) is None
        assert session.scalar(select(StaffLineLink)) is None
        events = {event.id: event for event in session.scalars(select(InboxEvent))}
        outbox = {row.id: row for row in session.scalars(select(OutgoingMessage))}
        other_media = session.get(MediaFile, world.other_media_id)
        removed = session.scalars(select(MediaFile).where(MediaFile.status == MediaStatus.REMOVED)).all()
    text_after = all_rows_text(services)
    for gone in (*SECRETS, FULL_NAME, DISPLAY_NAME, PHONE, UID):
        assert gone not in text_after, gone
    assert OTHER_TEXT in text_after and "สมหญิง รักดี" in text_after  # the other member keeps everything

    ids = world.event_ids
    assert events[ids["direct_done"]].chat_key == alias and events[ids["direct_done"]].status == InboxStatus.DONE
    assert json.loads(events[ids["direct_done"]].payload)["reason"] == "erasure"
    assert events[ids["direct_parked"]].status == InboxStatus.IGNORED  # never retried into a crash
    assert events[ids["group_done"]].chat_key != alias and "removed_by" in events[ids["group_done"]].payload
    assert OTHER_TEXT in events[ids["other_in_group"]].payload
    for name in ("direct_pending", "direct_failed"):  # never processed now: the worker finds nothing of theirs
        assert events[ids[name]].status == InboxStatus.IGNORED and events[ids[name]].chat_key == alias
    assert erasure.counts["inbox_stopped"] == 3 and erasure.counts["outbox_stopped"] == 2
    assert services.processor.process_one() is False
    rows = world.outbox_ids
    assert outbox[rows["reply"]].recipient == alias and outbox[rows["reply"]].messages[0]["reason"] == "erasure"
    assert (
        outbox[rows["parked"]].status == OutboxStatus.FAILED and outbox[rows["pending"]].status == OutboxStatus.FAILED
    )
    assert outbox[rows["pending"]].recipient == alias and "removed_by" in outbox[rows["pending"]].messages[0]
    assert outbox[rows["multicast"]].multicast_to == [OTHER, alias]
    assert outbox[rows["other"]].messages == [{"type": "text", "text": OTHER_TEXT}]

    assert len(removed) == 7 and all(media.path is None and media.shown_path is None for media in removed)
    media_root = Path(store.root)
    own_files = [path for path in world.media_paths if path and path not in world.shared_paths]
    assert len(own_files) == 12 and not any((media_root / path).exists() for path in own_files)
    # The other member sent the same photo: one file on disk for both, and it stays for them.
    assert all((media_root / path).exists() for path in world.shared_paths)
    assert other_media.status == MediaStatus.STORED and [other_media.path, other_media.shown_path] == world.shared_paths
    assert erasure.counts["news_reports"] == 5 and erasure.counts["media_files"] == 7


def test_a_second_erasure_changes_nothing_more_and_keeps_the_first_date(services, store, world):
    _erase(services, store)
    with services.sessions() as session:
        member = session.get(Member, world.member_id)
        first, alias = member.erased_at, member.line_user_id
        figures = kpi_figures(session)
    text = all_rows_text(services)

    again = _erase(services, store, alias)

    with services.sessions() as session:
        assert session.get(Member, world.member_id).erased_at == first
        assert kpi_figures(session) == figures
    assert "media_files" not in again.counts and "inbox_payloads" not in again.counts
    assert all_rows_text(services).count(alias) == text.count(alias)


# --- the CLI ----------------------------------------------------------------------------------------------


def test_cli_export_writes_the_zip_and_audits_it(app, services, world, tmp_path):
    out = tmp_path / "export.zip"
    result = app.test_cli_runner().invoke(args=["rights", "export", UID, str(out)])
    assert result.exit_code == 0, result.output
    assert "ส่งออกข้อมูลของ R-" in result.output and "รูปและไฟล์ 7 ไฟล์" in result.output
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read(EXPORT_JSON))["registration"]["phone"] == PHONE
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    [entry] = audit_entries(services, "view.personal_data_export")
    assert entry.actor == "cli" and entry.object_id == str(world.member_id) and entry.detail["news_reports"] == 5
    assert PHONE not in json.dumps(entry.detail, ensure_ascii=False)


def test_cli_erase_asks_first_then_erases_and_audits(app, services, world):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["rights", "erase", UID], input="n\n")
    assert refused.exit_code != 0 and "ทำย้อนกลับไม่ได้" in refused.output
    assert FULL_NAME in all_rows_text(services) and audit_entries(services, "personal_data.erase") == []

    done = runner.invoke(args=["rights", "erase", UID, "--yes"])
    assert done.exit_code == 0, done.output
    assert "ลบข้อมูลส่วนบุคคลของ R-" in done.output and "ตัวชี้วัดยังเท่าเดิม" in done.output
    assert FULL_NAME not in all_rows_text(services)
    [entry] = audit_entries(services, "personal_data.erase")
    assert entry.actor == "cli" and entry.detail["member"] == 1 and entry.detail["inbox_stopped"] == 3

    unknown = runner.invoke(args=["rights", "export", "U" + "0" * 32, "x.zip"])
    assert unknown.exit_code != 0 and "ไม่พบผู้ใช้ LINE" in unknown.output


# --- the admin web ----------------------------------------------------------------------------------------


def _signed_in(client, services, role: Role, **kwargs):
    make_staff(services, f"u-{role.value}", role, **kwargs)
    assert login(client, f"u-{role.value}").status_code == 302
    return client


def test_the_member_page_offers_the_rights_to_the_admin_only(client, services, world):
    page = f"/admin/members/{world.member_id}"
    admin = _signed_in(client, services, Role.ADMIN)
    html = admin.get(page).get_data(as_text=True)
    assert "สิทธิของเจ้าของข้อมูล (PDPA)" in html
    assert "ส่งออกข้อมูลทั้งหมดของบุคคลนี้ (ZIP)" in html and "ลบข้อมูลส่วนบุคคลของบุคคลนี้" in html
    assert f'action="/admin/members/{world.member_id}/export"' in html
    admin.post("/admin/logout", data={"csrf_token": csrf_token(admin, "/admin/")})

    secretariat = _signed_in(client, services, Role.SECRETARIAT)
    assert "ส่งออกข้อมูลทั้งหมดของบุคคลนี้" not in secretariat.get(page).get_data(as_text=True)
    assert post_form(secretariat, f"{page}/export").status_code == 403
    assert secretariat.get(f"{page}/erase").status_code == 403
    assert post_form(secretariat, f"{page}/erase", {"confirm": "x"}).status_code == 403
    assert audit_entries(services, "view.personal_data_export") == []


def test_the_export_download_is_a_zip_audited_by_counts_only(client, services, world):
    admin = _signed_in(client, services, Role.ADMIN)
    path = f"/admin/members/{world.member_id}/export"
    assert admin.post(path).status_code == 400  # no CSRF token

    response = post_form(admin, path)

    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    assert re.search(r"filename=personal-data-R-\w{6}-25\d\d-\d\d-\d\d\.zip", response.headers["Content-Disposition"])
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert json.loads(archive.read(EXPORT_JSON))["registration"]["full_name"] == FULL_NAME
    assert len([name for name in archive.namelist() if name.startswith("files/")]) == 7
    [entry] = audit_entries(services, "view.personal_data_export")
    assert entry.actor == "u-admin" and entry.object_id == str(world.member_id) and entry.ip
    assert entry.detail["files"] == 7 and entry.detail["inbox_events"] == 5
    assert FULL_NAME not in json.dumps(entry.detail, ensure_ascii=False)


def test_the_erasure_says_what_happens_and_needs_the_code_typed(client, services, store, world):
    admin = _signed_in(client, services, Role.ADMIN)
    with services.sessions() as session:
        before = kpi_figures(session)
        code = session.get(Member, world.member_id).reporter_code
    page = f"/admin/members/{world.member_id}/erase"
    html = admin.get(page).get_data(as_text=True)
    assert "สิ่งที่จะถูกลบ" in html and "สิ่งที่ยังเก็บไว้" in html and "ย้อนกลับไม่ได้" in html
    assert f"anon:{code}" in html and f"พิมพ์รหัสผู้แจ้ง {code} เพื่อยืนยัน" in html
    assert "ข่าวที่แจ้ง (เรื่อง)" in html and FULL_NAME not in html and UID not in html
    assert audit_entries(services, "view.member")[-1].detail["page"] == "erase"

    wrong = post_form(admin, page, {"confirm": "R-WRONG1"})
    assert wrong.status_code == 302
    assert "ไม่ตรงกับรหัสผู้แจ้ง" in admin.get(wrong.headers["Location"]).get_data(as_text=True)
    assert FULL_NAME in all_rows_text(services)

    done = post_form(admin, page, {"confirm": code.lower()})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/members/{world.member_id}")
    after = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert f"ลบข้อมูลส่วนบุคคลของ {code} แล้ว" in after and "ข้อมูลส่วนบุคคลของสมาชิกนี้ถูกลบแล้วเมื่อ" in after
    assert FULL_NAME not in all_rows_text(services)
    report = admin.get(f"/admin/network/reports/{world.report_ids[0]}").get_data(as_text=True)
    assert "ข้อความ สถานที่ และรูปภาพของข่าวนี้ถูกลบแล้วเมื่อ" in report and "ข้อความถูกลบแล้ว" in report
    assert "ลบแล้วตามระยะเวลาเก็บรักษาหรือคำขอของเจ้าของข้อมูล (PDPA)" in report and SECRETS[0] not in report
    event = admin.get(f"/admin/inbox/{world.event_ids['direct_done']}").get_data(as_text=True)
    assert "เพราะข้อมูลส่วนบุคคลของผู้ส่งถูกลบ (PDPA)" in event and SECRETS[0] not in event
    assert not any((Path(store.root) / p).exists() for p in world.media_paths if p not in world.shared_paths)
    [entry] = audit_entries(services, "personal_data.erase")
    assert entry.actor == "u-admin" and entry.object_id == str(world.member_id)
    assert entry.detail["news_reports"] == 5 and entry.detail["media_files"] == 7
    with services.sessions() as session:
        assert_same_figures(kpi_figures(session), before)


def test_the_data_register_reads_the_live_settings_and_the_roles(client, services):
    with services.sessions.begin() as session:
        set_setting(session, "retention.closed_report_days", 400, by="test")
        set_setting(session, "retention.media_days", 90, by="test")
    viewer = _signed_in(client, services, Role.VIEWER)
    dashboard = viewer.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/privacy"' in dashboard and "ข้อมูลส่วนบุคคล (PDPA)" in dashboard

    response = viewer.get("/admin/privacy")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<table class="data register stacked">' in html and html.count("<tr>") == 1 + len(privacy_texts.REGISTER)
    assert "ลบข้อความและสถานที่เมื่อพ้น 400 วัน" in html and "ลบเมื่อพ้น 90 วัน" in html
    assert "ไม่มีความเคลื่อนไหว 365 วัน" in html and "ลบเนื้อหาเมื่อพ้น 90 วันหลังประมวลผลเสร็จ" in html
    assert "มาตรา 24 (4)" in html and "มาตรา 19" in html
    assert 'data-label="ระยะเวลาเก็บรักษา"' in html and 'data-label="ผู้เข้าถึงได้"' in html
    assert "ชื่อและเบอร์โทร:</strong> ผู้ดูแลระบบ, ฝ่ายเลขานุการ<" in html
    assert "เจ้าหน้าที่สำนักงานเขต (เฉพาะเขตที่รับผิดชอบ)" in html
    assert "ทำได้โดย: ผู้ดูแลระบบ</li>" in html  # export and erasure: admin only
    assert not re.search(r"\d{4}-\d\d-\d\d", html)  # no ISO dates for people to read
    assert audit_entries(services, "view.member") == []  # the register holds nothing personal


def test_stacked_tables_stack_their_cells_on_a_phone():
    css = (Path(__file__).resolve().parents[1] / "bot" / "static" / "admin.css").read_text()
    block = css[css.index("/* PDPA") :]
    assert "@media (max-width: 700px)" in block and "table.data.stacked { min-width: 0; }" in block
    assert "content: attr(data-label)" in block


def test_image_bytes_differ_by_colour():
    assert image_bytes((1, 2, 3)) != image_bytes((3, 2, 1))


def test_on_a_phone_the_register_fits_and_each_cell_is_under_its_heading(services, live_server, phone_page):
    """At 360 px the register does not scroll sideways: each row is a card of labelled cells."""
    expect = pytest.importorskip("playwright.sync_api").expect
    make_staff(services, "somchai", Role.DISTRICT_OFFICER, districts=["คลองเตย"], password="browser test password")
    page = phone_page
    page.goto(f"{live_server}/admin/privacy")
    sign_in(page, "somchai", "browser test password")
    expect(page.locator("h1")).to_have_text("ทะเบียนข้อมูลส่วนบุคคล (PDPA)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    cell = page.locator("table.register tbody tr").first.locator("td").nth(3)
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"ระยะเวลาเก็บรักษา"'
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.screenshot(path=str(SCREENSHOTS / "fieldline-admin-privacy-360.png"), full_page=True)
