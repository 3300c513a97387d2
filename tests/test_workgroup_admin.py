"""The working group's admin pages and JSON API: committees, meetings, forwards, measures, the KPI page."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.admin.workgroup_support import FormError, parse_date, parse_time
from bot.seed_fy2564 import load_fy2564
from models import OutgoingMessage, Role
from models.workgroup import Agency, Committee, CommitteeMember, Forward, ForwardRecipient, Measure, Meeting
from tests import workgroup_factories as make
from tests.test_admin_support import audit_entries, csrf_token, login, make_staff, make_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed_in(app, services, role: Role):
    client = app.test_client()
    name = role.value.replace("_", "-")
    make_staff(services, name, role, districts=["คลองเตย"] if role == Role.DISTRICT_OFFICER else ())
    assert login(client, name).status_code == 302
    return client


def post_form(client, path: str, data: dict | None = None, *, form_page: str = "/admin/"):
    """POST a form with a CSRF token read from a page of the signed-in session."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, form_page)})


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def upload(client, path: str, data: dict, form_page: str):
    return client.post(
        path, data={**data, "csrf_token": csrf_token(client, form_page)}, content_type="multipart/form-data"
    )


def one(services, statement):
    with services.sessions() as session:
        return session.scalars(statement).one()


def test_thai_dates_are_read_in_the_buddhist_era():
    assert parse_date("15/01/2564") == date(2021, 1, 15)
    assert parse_date("2 ก.ค. 2564") == date(2021, 7, 2)
    assert parse_date("2 กรกฎาคม 2564") == date(2021, 7, 2)
    assert parse_date("2021-07-02") == date(2021, 7, 2)
    assert parse_date("", required=False) is None
    assert parse_time("9.30").hour == 9
    with pytest.raises(FormError, match="พ.ศ."):
        parse_date("31/02/2564")
    with pytest.raises(FormError):
        parse_time("25:00")


def test_secretariat_records_a_committee_with_its_order_members_and_history(app, services):
    client = signed_in(app, services, Role.SECRETARIAT)
    assert post_form(client, "/admin/workgroup/agencies/defaults").status_code == 302
    form = {
        "name": "คณะทำงานบริหารจัดการผู้หลบหนีเข้าเมือง",
        "order_no": "1/2564",
        "order_issuer": "คณะกรรมการอำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร",
        "order_date": "15/01/2564",
        "valid_from": "15/01/2564",
        "valid_until": "",
    }
    created = post_form(client, "/admin/workgroup/committees", form)
    committee = one(services, select(Committee))
    assert created.headers["Location"].endswith(f"/admin/workgroup/committees/{committee.id}")
    assert committee.order_date == date(2021, 1, 15) and committee.valid_until is None
    with services.sessions() as session:
        codes = {a.code: a.id for a in session.scalars(select(Agency))}
    path = f"/admin/workgroup/committees/{committee.id}"
    for role, code, position in (
        ("chair", "isoc_bkk", "รองผู้อำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร"),
        ("member", "immigration", "ผู้แทนสำนักงานตรวจคนเข้าเมือง"),
        ("member", "zone_central", "เจ้าหน้าที่สำนักงานเขต กลุ่มเขตกรุงเทพกลาง"),
    ):
        data = {"role": role, "agency_id": codes[code], "position": position}
        assert post_form(client, f"{path}/members", data, form_page=path).status_code == 302
    html = page(client, path)
    assert "องค์ประกอบครบ" in html and "ผู้แทนสำนักงานตรวจคนเข้าเมือง" in html and "15 มกราคม 2564" in html
    member = one(services, select(CommitteeMember).where(CommitteeMember.position.like("ผู้แทนสำนักงานตรวจ%")))
    left = {"member_id": member.id, "role": "member", "agency_id": codes["immigration"], "position": member.position}
    post_form(client, f"{path}/members", {**left, "left_on": "31/03/2564"}, form_page=path)
    html = page(client, path)
    assert "กรรมการพ้นจากตำแหน่ง" in html and "พ้นจากตำแหน่งเมื่อ: จาก – เป็น 31 มีนาคม 2564" in html  # in Thai
    assert "2021-03-31" not in html
    bad = post_form(client, path, {**form, "valid_until": "01/01/2563"}, form_page=path)
    assert bad.status_code == 302 and "วันสิ้นสุดต้องไม่ก่อนวันเริ่มมีผล" in page(client, path)

    sent = upload(client, f"{path}/order-file", {"file": (io.BytesIO(PDF), "คำสั่ง 1-2564.pdf")}, path)
    assert sent.status_code == 302
    file_id = one(services, select(Committee)).order_file_id
    download = client.get(f"/admin/workgroup/files/{file_id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()
    assert [e.object_id for e in audit_entries(services, "view.workgroup_file")] == [str(file_id)]
    assert "อัปโหลด" in page(client, path)
    refused = upload(client, f"{path}/order-file", {"file": (io.BytesIO(b"MZ"), "virus.exe")}, path)
    assert refused.status_code == 302 and "รับเฉพาะไฟล์ PDF" in page(client, path)


def test_viewer_and_district_officer_see_only_the_kpi(app, services):
    """Committees name officials and forwards summarise reports: not for roles that may not see those."""
    with services.sessions.begin() as session:
        load_fy2564(session)
        committee_id = session.scalar(select(Committee.id))
        forward = session.scalars(select(Forward).order_by(Forward.id)).all()[-1]
        forward_id, recipient_id = forward.id, forward.recipients[0].id
    client = signed_in(app, services, Role.VIEWER)
    for path in ("/admin/workgroup/", "/admin/workgroup/committees", f"/admin/workgroup/forwards/{forward_id}"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/admin/workgroup/forwards/{forward_id}/letters/{recipient_id}.docx").status_code == 403
    kpi = page(client, "/admin/workgroup/kpi?fy=2564")
    assert "FW-2564-0001" in kpi and f"/admin/workgroup/forwards/{forward_id}" not in kpi  # named, not linked
    assert post_form(client, f"/admin/workgroup/committees/{committee_id}/members", {}).status_code == 403
    assert post_form(client, "/admin/workgroup/agencies/defaults").status_code == 403
    officer = signed_in(app, services, Role.DISTRICT_OFFICER)
    assert officer.get("/admin/workgroup/committees").status_code == 403
    assert officer.get("/admin/workgroup/kpi?fy=2564").status_code == 200  # numbers only, every role


def test_a_meeting_from_planning_to_forwarding_its_results(app, services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        committee = make.committee(session)
        reports = [make.report(session, make.bkk(2021, 6, n), number=n, district="คลองเตย") for n in (1, 2, 3)]
        make.agency_group(session, found["district:คลองเตย"], members=9)
        committee_id, klongtoey, opr = committee.id, found["district:คลองเตย"].id, found["opr"].id
        report_ids = [r.id for r in reports]
    client = signed_in(app, services, Role.SECRETARIAT)
    data = {
        "committee_id": committee_id,
        "title": "ประชุมคณะทำงานชุดย่อย ครั้งที่ 1",
        "kind": "sub",
        "date": "02/07/2564",
        "time": "09:30",
        "place": "สปท.",
        "agenda": "พิจารณาข่าว",
        "status": "held",
    }
    assert post_form(client, "/admin/workgroup/meetings", data).status_code == 302
    meeting = one(services, select(Meeting))
    assert meeting.starts_at.isoformat() == "2021-07-02T02:30:00+00:00"  # 09:30 in Bangkok
    path = f"/admin/workgroup/meetings/{meeting.id}"
    html = page(client, path)
    assert all(f"NR-2599-00000{n}" in html for n in (1, 2, 3)) and "ข่าวที่รอเสนอที่ประชุม" in html
    assert "ไม่ได้แลกเปลี่ยนข้อมูล" in html  # no report linked yet: it would not count
    post_form(client, f"{path}/reports", {"report_id": report_ids[:2]}, form_page=path)
    minutes = {"minutes_text": "ที่ประชุมพิจารณาข่าว 2 เรื่อง", "file": (io.BytesIO(PDF), "minutes.pdf")}
    assert upload(client, f"{path}/minutes", minutes, path).status_code == 302
    post_form(client, f"{path}/items", {"text": "ให้เขตจัดทำแผน", "is_decision": "1"}, form_page=path)
    item = {"text": "สำรวจพื้นที่ซอย 7", "agency_id": klongtoey, "due_on": "31/07/2564"}
    post_form(client, f"{path}/items", item, form_page=path)
    post_form(client, f"{path}/districts", {"district": ["คลองเตย", "ไม่มีเขตนี้"]}, form_page=path)
    assert "ไม่รู้จักเขต: ไม่มีเขตนี้" in page(client, path)
    post_form(client, f"{path}/districts", {"district": ["คลองเตย"]}, form_page=path)
    html = page(client, path)
    assert "นับเป็นการประชุมที่พิจารณาข่าวสารจากเครือข่าย" in html and "31 กรกฎาคม 2564" in html

    forwarded = post_form(
        client, f"{path}/forward", {"agency_id": [klongtoey, opr], "via_line": "1", "via_letter": "1"}, form_page=path
    )
    forward = one(services, select(Forward))
    assert forwarded.headers["Location"].endswith(f"/admin/workgroup/forwards/{forward.id}")
    assert forward.subject == "แจ้งผลการประชุมคณะทำงานชุดย่อย ครั้งที่ 1"
    html = page(client, f"/admin/workgroup/forwards/{forward.id}")
    assert "ใช้โควตาข้อความ LINE ประมาณ 9 ข้อความ" in html  # one push to the 9-member group
    with services.sessions() as session:
        pushes = session.scalars(select(OutgoingMessage).where(OutgoingMessage.purpose.like("forward:%"))).all()
        letters = sorted(r.letter_no for r in session.scalars(select(ForwardRecipient)))
    assert len(pushes) == 1 and pushes[0].recipient == f"C{klongtoey:032d}"
    assert letters == ["กท/1", "กท/2"]  # the opr has no LINE group: it gets the letter regardless

    recipient = one(services, select(ForwardRecipient).where(ForwardRecipient.agency_id == klongtoey))
    letter = client.get(f"/admin/workgroup/forwards/{forward.id}/letters/{recipient.id}.docx")
    assert letter.status_code == 200 and letter.data[:2] == b"PK"
    document = zipfile.ZipFile(io.BytesIO(letter.data)).read("word/document.xml").decode()
    assert "ผู้อำนวยการเขตคลองเตย" in document and "สำรวจพื้นที่ซอย 7" in document and "๓๑ กรกฎาคม ๒๕๖๔" in document
    assert audit_entries(services, "view.forward_letter")

    fpath = f"/admin/workgroup/forwards/{forward.id}"
    plan = {
        "agency_id": klongtoey,
        "kind": "plan",
        "title": "แผนตำบลมั่นคง มั่งคั่ง ยั่งยืน เขตคลองเตย",
        "reported_on": "16/08/2564",
        "district": "คลองเตย",
        "file": (io.BytesIO(PDF), "plan.pdf"),
    }
    assert upload(client, f"{fpath}/measures", plan, fpath).status_code == 302
    measure = one(services, select(Measure))
    assert measure.file_id is not None and measure.reported_on == date(2021, 8, 16)
    assert "แผนตำบลมั่นคง" in page(client, fpath)
    post_form(client, f"{fpath}/recipients/{recipient.id + 1}/ack", form_page=fpath)
    assert "ทุกหน่วยงานตอบรับแล้ว" in page(client, "/admin/workgroup/forwards?fy=2564")


def test_forwarding_several_reports_is_one_message_per_group(app, services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        reports = [make.report(session, make.bkk(2021, 5, n), number=n) for n in range(1, 6)]
        make.agency_group(session, found["immigration"], members=25, line_id="C" + "1" * 32)
        make.agency_group(session, found["employment"], members=30, line_id="C" + "2" * 32)
        ids = [found["immigration"].id, found["employment"].id, found["nia"].id]
        report_ids = [r.id for r in reports]
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, "/admin/workgroup/forwards?fy=2564")
    assert "กลุ่ม LINE 25 คน" in html and "ไม่มีกลุ่ม LINE" in html
    data = {"subject": "ส่งข่าวสาร", "report_id": report_ids, "agency_id": ids, "via_line": "1"}
    response = post_form(client, "/admin/workgroup/forwards", data, form_page="/admin/workgroup/forwards")
    assert response.status_code == 302
    with services.sessions() as session:
        rows = session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.recipient)).all()
        recipients = session.scalars(select(ForwardRecipient).order_by(ForwardRecipient.agency_id)).all()
        letters = [r.letter_no for r in recipients if r.letter_no]  # printed from the register
    assert [row.recipient for row in rows] == ["C" + "1" * 32, "C" + "2" * 32]
    assert all(len(row.messages) == 2 for row in rows)  # the summary of five reports and the button
    assert sorted(r.line_cost or 0 for r in recipients) == [0, 25, 30]
    assert letters == ["กท/1"]  # the one LINE cannot reach

    fpath = response.headers["Location"]
    assert "เตือนหน่วยงานที่ยังไม่ตอบรับทาง LINE" in page(client, fpath)
    post_form(client, f"{fpath}/remind", form_page=fpath)
    assert "ส่งข้อความเตือน 2 หน่วยงานแล้ว" in page(client, fpath)
    with services.sessions() as session:
        reminders = session.scalars(select(OutgoingMessage).where(OutgoingMessage.purpose.like("forward-reminder:%")))
        assert sorted((row.recipient, row.urgent) for row in reminders) == [
            ("C" + "1" * 32, False),
            ("C" + "2" * 32, False),
        ]
    assert "เตือนหน่วยงานที่ยังไม่ตอบรับทาง LINE" not in page(client, fpath)  # once only
    post_form(client, f"{fpath}/remind", form_page=fpath)
    assert "เตือนได้ครั้งเดียว" in page(client, fpath)


def test_kpi_page_shows_the_ladder_quarters_and_evidence(app, services):
    with services.sessions.begin() as session:
        load_fy2564(session)
    client = signed_in(app, services, Role.VIEWER)
    html = page(client, "/admin/workgroup/kpi?fy=2564")
    assert "ผลงานที่ทำได้ <strong>ระดับ 5</strong> · เป้าหมาย ระดับ 4" in html and "บรรลุเป้าหมาย" in html
    for n in range(1, 6):
        assert f"ระดับ {n}" in html
    assert re.findall(r"<td><strong>(\d)</strong></td>", html) == ["0", "3", "3", "5"]
    for label in ("บัญชีรายชื่อเครือข่ายข่าว", "คำสั่งแต่งตั้งคณะทำงาน", "สำเนารายงานการประชุมคณะทำงาน"):
        assert label in html
    assert "กลุ่มไลน์เครือข่ายข่าว อปพร.กทม." in html and "2 กรกฎาคม 2564" in html
    assert "แผนตำบลมั่นคง มั่งคั่ง ยั่งยืน สำนักงานเขตคลองสามวา" in html
    empty = page(client, "/admin/workgroup/kpi?fy=2570")
    # years later the groups still make a network (level 1), but nothing else happened
    assert "ผลงานที่ทำได้ <strong>ระดับ 1</strong>" in empty and "ยังไม่บรรลุเป้าหมาย" in empty
    nav = page(client, "/admin/").split("<main")[0]
    assert "ตัวชี้วัดเครือข่าย" in nav and "คณะทำงาน" not in nav  # the viewer: the KPI, not the records


def test_overview_and_line_link_code(app, services):
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, "/admin/workgroup/")
    assert "ขอรหัสเชื่อมบัญชี LINE" in html and "ยังไม่มีการนัดประชุม" in html
    response = post_form(client, "/admin/workgroup/link-code", form_page="/admin/workgroup/")
    code = re.search(r"code=([A-Z0-9]{6})", response.headers["Location"]).group(1)
    assert f"เชื่อมบัญชี {code}" in page(client, response.headers["Location"])


@pytest.fixture
def api_tokens(services):
    result = {}
    for role in (Role.SECRETARIAT, Role.VIEWER, Role.DISTRICT_OFFICER):
        name = f"api-{role.value.replace('_', '-')}"
        make_staff(services, name, role, districts=["คลองเตย"] if role == Role.DISTRICT_OFFICER else ())
        result[role] = {"Authorization": f"Bearer {make_token(services, name)}"}
    return result


def test_json_api_for_committees_meetings_forwards_measures_and_kpi(client, services, api_tokens):
    with services.sessions.begin() as session:
        seeded = load_fy2564(session)
        extra = make.report(session, make.bkk(2021, 9, 20), number=99)
        extra_ref = extra.ref_no
    headers = api_tokens[Role.SECRETARIAT]
    kpi = client.get("/api/v1/workgroup/kpi?fy=2564", headers=headers).get_json()["item"]
    assert kpi["level"] == 5 and kpi["target_met"] is True
    assert [q["level"] for q in kpi["by_quarter_end"]] == [0, 3, 3, 5]
    assert [level["level"] for level in kpi["levels"]] == [1, 2, 3, 4, 5]
    assert kpi["levels"][2]["evidence"]["committees"][0]["qualifies"] is True
    assert len(kpi["evidence_checklist"]) == 5
    meetings = client.get("/api/v1/workgroup/meetings?fy=2564", headers=headers).get_json()
    assert [m["kind"] for m in meetings["items"]] == ["full", "sub", "sub"]
    assert all(m["counts_for_level_4"] for m in meetings["items"])
    # the seed's last report (30 August 2021) came after the last meeting; it waits with the new one
    assert [r["ref_no"] for r in meetings["reports_to_consider"]] == ["NR-2564-000008", extra_ref]
    meeting = client.get(f"/api/v1/workgroup/meetings/{seeded.meeting_ids[1]}", headers=headers).get_json()["item"]
    assert len(meeting["reports"]) == 2 and len(meeting["items"]) == 11
    committee = client.get(f"/api/v1/workgroup/committees/{seeded.committee_id}", headers=headers).get_json()["item"]
    assert committee["order_no"] == "1/2564" and len(committee["members"]) == 14
    assert committee["changes"][0]["action"] == "created"
    forwards = client.get("/api/v1/workgroup/forwards?fy=2564&pending=1", headers=headers).get_json()
    assert [f["ref_no"] for f in forwards["items"]] == ["FW-2564-0001"]  # the employment department never answered
    forward = client.get(f"/api/v1/workgroup/forwards/{seeded.forward_ids[1]}", headers=headers).get_json()["item"]
    assert len(forward["measures"]) == 10 and "U" not in forward["summary"].split("เรื่อง")[0]
    measures = client.get("/api/v1/workgroup/measures?fy=2564&per_page=5", headers=headers).get_json()
    assert measures["pagination"]["total"] == 10 and len(measures["items"]) == 5
    agencies = client.get("/api/v1/workgroup/agencies?per_page=200", headers=headers).get_json()
    assert agencies["pagination"]["total"] == 50 + 13  # 7 BMA units, 6 outside agencies, 50 district offices
    viewer = api_tokens[Role.VIEWER]
    assert client.get("/api/v1/workgroup/committees", headers=viewer).status_code == 403
    assert client.get("/api/v1/workgroup/kpi?fy=2564", headers=viewer).status_code == 200
    officer = api_tokens[Role.DISTRICT_OFFICER]
    assert client.get("/api/v1/workgroup/committees", headers=officer).status_code == 403
    assert client.get("/api/v1/workgroup/kpi?fy=2564", headers=officer).status_code == 200
    assert client.get("/api/v1/workgroup/kpi").status_code == 401


def test_counts_stay_consistent_after_the_replay(services):
    with services.sessions.begin() as session:
        load_fy2564(session)
        assert session.scalar(select(func.count()).select_from(ForwardRecipient)) == 12
