"""The network's admin pages: members (approval, identities, district scope), groups and codes, settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import GroupRegistrationCode, Member, MemberStatus, Occupation, ReportCategory, Role
from models.settings import get_setting
from models.timeutil import utcnow
from services.audit import Action
from tests import test_network_admin_support as make
from tests.test_admin_support import SECRET_TEXT, audit_entries, post_form
from tests.test_network_admin_support import page, signed_in

NAME, PHONE, LINE_NAME = "สมชาย ใจดี", "0812345678", "ชาย LINE"


@pytest.fixture
def lists(services):
    """Occupations and categories are migration data shared by every test: put them back afterwards."""
    saved = make.snapshot_lists(services)
    yield
    make.restore_lists(services, saved)


def test_secretariat_approves_a_pending_member_from_the_list(app, services):
    pending, code = make.member(services, status=MemberStatus.PENDING)
    make.member(services, full_name="คนอื่น", phone="0899999999")
    client = signed_in(app, services, Role.SECRETARIAT)
    listing = page(client, "/admin/members")
    assert code in listing and "รออนุมัติ 1 คน" in listing
    assert NAME not in listing and PHONE not in listing and LINE_NAME not in listing  # pseudonymous by default
    assert f'aria-label="อนุมัติ {code}"' in listing

    response = post_form(
        client,
        f"/admin/members/{pending}/decide",
        {"decision": "approve", "next": "/admin/members?status=pending"},
        form_page="/admin/members",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/members?status=pending"
    person = make.get(services, Member, pending)
    assert person.status == MemberStatus.APPROVED and person.decided_by == "secretariat"
    assert person.decided_at is not None
    [entry] = audit_entries(services, Action.MEMBER_DECIDE)
    assert entry.object_id == str(pending) and entry.detail["status"] == "approved"
    assert f"อนุมัติสมาชิก {code} แล้ว" in page(client, "/admin/members?status=pending")

    again = post_form(client, f"/admin/members/{pending}/decide", {"decision": "reject"}, form_page="/admin/members")
    assert again.status_code == 302  # an approved member can be suspended, not rejected
    assert make.get(services, Member, pending).status == MemberStatus.APPROVED
    post_form(client, f"/admin/members/{pending}/decide", {"decision": "suspend"}, form_page="/admin/members")
    assert make.get(services, Member, pending).status == MemberStatus.SUSPENDED


def test_rejecting_and_the_decision_needs_the_csrf_token_and_the_right_role(app, services):
    pending, _ = make.member(services, status=MemberStatus.PENDING)
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, ["คลองเตย"])
    refused = post_form(
        officer, f"/admin/members/{pending}/decide", {"decision": "approve"}, form_page="/admin/members"
    )
    assert refused.status_code == 403
    secretariat = signed_in(app, services, Role.SECRETARIAT)
    no_token = secretariat.post(f"/admin/members/{pending}/decide", data={"decision": "reject"})
    assert no_token.status_code == 400
    assert make.get(services, Member, pending).status == MemberStatus.PENDING
    post_form(secretariat, f"/admin/members/{pending}/decide", {"decision": "reject"}, form_page="/admin/members")
    assert make.get(services, Member, pending).status == MemberStatus.REJECTED


def test_member_list_filters_by_status_occupation_district_and_group(app, services):
    volunteer, volunteer_code = make.member(services, occupation="volunteer", district="คลองเตย")
    guard, guard_code = make.member(services, occupation="security_guard", district="บางรัก")
    pending, pending_code = make.member(services, status=MemberStatus.PENDING, occupation="resident", district="ดุสิต")
    chat = make.group(services)
    make.report(services, reporter=guard, chat=chat)
    client = signed_in(app, services, Role.ADMIN)

    def codes(query: str) -> set[str]:
        html = page(client, "/admin/members" + query)
        return {code for code in (volunteer_code, guard_code, pending_code) if code in html}

    assert codes("") == {volunteer_code, guard_code, pending_code}
    assert codes("?status=pending") == {pending_code}
    assert codes("?occupation=security_guard") == {guard_code}
    assert codes("?district=คลองเตย") == {volunteer_code}
    assert codes(f"?group={chat}") == {guard_code}
    assert codes("?status=approved&district=บางรัก") == {guard_code}
    assert codes("?status=nonsense") == {volunteer_code, guard_code, pending_code}  # unknown values are ignored


def test_viewer_sees_no_members_and_no_identities_anywhere(app, services):
    person, code = make.member(services)
    news, ref = make.report(services, reporter=person, text=SECRET_TEXT)
    client = signed_in(app, services, Role.VIEWER)
    assert client.get("/admin/members").status_code == 403
    assert client.get(f"/admin/members/{person}").status_code == 403
    assert client.get(f"/admin/members/{person}/edit").status_code == 403
    report_page = page(client, f"/admin/network/reports/{news}?identity=1")
    assert code in report_page and NAME not in report_page and PHONE not in report_page
    assert SECRET_TEXT not in report_page  # nor the report's content
    assert "บทบาทของท่านไม่มีสิทธิ์ดูเนื้อหาข่าว" in report_page
    assert client.get("/admin/network/roll.xlsx?identities=1").status_code == 403
    assert audit_entries(services, Action.VIEW_IDENTITY) == []
    assert audit_entries(services, Action.VIEW_REPORT) == []


def test_district_officer_sees_only_their_districts_and_never_identities(app, services):
    inside, inside_code = make.member(services, district="คลองเตย")
    outside, outside_code = make.member(services, district="บางรัก", full_name="คนบางรัก")
    client = signed_in(app, services, Role.DISTRICT_OFFICER, ["คลองเตย"])
    listing = page(client, "/admin/members?identities=1")
    assert inside_code in listing and outside_code not in listing
    assert NAME not in listing and "แสดงชื่อและเบอร์โทร" not in listing
    assert client.get(f"/admin/members/{outside}").status_code == 404
    member_page = page(client, f"/admin/members/{inside}?identity=1")
    assert inside_code in member_page and NAME not in member_page and PHONE not in member_page
    assert "ไม่มีสิทธิ์ดูข้อมูลระบุตัวตน" in member_page
    assert audit_entries(services, Action.VIEW_IDENTITY) == []
    [entry] = audit_entries(services, Action.VIEW_MEMBER)
    assert entry.object_id == str(inside)


def test_secretariat_identity_views_are_audited_with_who_and_which_member(app, services):
    person, code = make.member(services)
    other, _ = make.member(services, full_name="สมหญิง ใจงาม", phone="0898765432")
    client = signed_in(app, services, Role.SECRETARIAT)
    plain = page(client, f"/admin/members/{person}")
    assert code in plain and NAME not in plain and "แสดงชื่อและเบอร์โทร (บันทึกการเปิดดู)" in plain
    assert audit_entries(services, Action.VIEW_IDENTITY) == []
    shown = page(client, f"/admin/members/{person}?identity=1")
    assert NAME in shown and PHONE in shown and LINE_NAME in shown and "ถูกบันทึกไว้แล้ว" in shown
    [entry] = audit_entries(services, Action.VIEW_IDENTITY)
    assert entry.actor == "secretariat" and entry.object_type == "member" and entry.object_id == str(person)
    assert entry.detail["ids"] == [person] and entry.detail["via"] == "web"
    assert NAME not in str(entry.detail) and PHONE not in str(entry.detail)

    listing = page(client, "/admin/members?identities=1")
    assert NAME in listing and "สมหญิง ใจงาม" in listing
    entries = audit_entries(services, Action.VIEW_IDENTITY)
    assert len(entries) == 2 and sorted(entries[-1].detail["ids"]) == sorted([person, other])


def test_secretariat_edits_a_member_and_bad_values_are_refused(app, services):
    person, code = make.member(services)
    client = signed_in(app, services, Role.SECRETARIAT)
    form = page(client, f"/admin/members/{person}/edit")
    assert NAME in form and PHONE in form
    assert len(audit_entries(services, Action.VIEW_IDENTITY)) == 1  # the form shows the identity

    bad = post_form(
        client,
        f"/admin/members/{person}/edit",
        {"full_name": NAME, "phone": "12345", "occupation": "volunteer", "district": "คลองเตย"},
        form_page=f"/admin/members/{person}/edit",
    )
    assert bad.status_code == 200 and "เบอร์โทรศัพท์ไม่ถูกต้อง" in bad.get_data(as_text=True)
    assert make.get(services, Member, person).phone == PHONE

    good = post_form(
        client,
        f"/admin/members/{person}/edit",
        {"full_name": "สมชาย ใจดีมาก", "phone": "+66 89 123 4567", "occupation": "business_owner", "district": "บางรัก"},
        form_page=f"/admin/members/{person}/edit",
    )
    assert good.status_code == 302
    changed = make.get(services, Member, person)
    assert (changed.full_name, changed.phone, changed.occupation_code, changed.district) == (
        "สมชาย ใจดีมาก",
        "0891234567",
        "business_owner",
        "บางรัก",
    )
    [entry] = audit_entries(services, Action.MEMBER_UPDATE)
    assert entry.detail["fields"] == ["full_name", "phone", "occupation_code", "district"]
    assert "0891234567" not in str(entry.detail)
    assert f"บันทึกการแก้ไขข้อมูลสมาชิก {code} แล้ว" in page(client, f"/admin/members/{person}")

    officer = signed_in(app, services, Role.DISTRICT_OFFICER, ["บางรัก"])
    assert officer.get(f"/admin/members/{person}/edit").status_code == 403


def test_groups_page_lists_registered_groups_unregistered_chats_and_makes_a_code(app, services):
    network = make.group(services, "เครือข่ายข่าว อปพร. คลองเตย", member_count=42)
    make.group(services, "เครือข่ายวินมอเตอร์ไซค์", occupation="motorcycle_taxi", member_count=88, is_member=False)
    quiet = make.group(services, purpose=None, member_count=7)
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, "/admin/network/groups")
    row = re.search(rf'<tr id="group-{network}".*?</tr>', html, re.S).group(0)
    assert "เครือข่ายข่าว อปพร. คลองเตย" in row and "เครือข่ายข่าว" in row and ">42<" in row
    assert "อาสาสมัครป้องกันภัยฝ่ายพลเรือน (อปพร.)" in row and "2 ม.ค. 2569" in row and "อยู่ในกลุ่ม" in row
    assert "ออกจากกลุ่มแล้ว" in html and "วินรถจักรยานยนต์รับจ้าง" in html
    assert f'id="chat-{quiet}"' in html

    response = post_form(
        client,
        "/admin/network/groups/codes",
        {"name": "เครือข่ายข่าว รปภ. บางรัก", "purpose": "network", "occupation": "security_guard", "days": "3"},
        form_page="/admin/network/groups",
    )
    assert response.status_code == 302
    with services.sessions() as session:
        code = session.scalars(select(GroupRegistrationCode)).one()
        assert (code.name, code.purpose, code.occupation_code, code.created_by) == (
            "เครือข่ายข่าว รปภ. บางรัก",
            "network",
            "security_guard",
            "secretariat",
        )
        assert abs((code.expires_at - utcnow()).total_seconds() - 3 * 86400) < 120
    shown = page(client, response.headers["Location"])
    assert f"ลงทะเบียนกลุ่ม {code.code}" in shown and 'id="new-code"' in shown
    assert f'id="code-{code.id}"' in shown  # and in the list of open codes
    [entry] = audit_entries(services, Action.GROUP_CODE_CREATE)
    assert entry.object_id == str(code.id)

    bad = post_form(client, "/admin/network/groups/codes", {"name": "", "purpose": "network", "days": "3"})
    assert bad.status_code == 400 and "กรุณากรอกช่องนี้" in bad.get_data(as_text=True)

    viewer = signed_in(app, services, Role.VIEWER)
    seen = page(viewer, "/admin/network/groups")
    assert "เครือข่ายข่าว อปพร. คลองเตย" in seen and code.code not in seen and f'id="chat-{quiet}"' not in seen
    assert post_form(viewer, "/admin/network/groups/codes", {"name": "x", "purpose": "network"}).status_code == 403


def test_network_settings_are_validated_then_saved(app, services):
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, "/admin/network/settings")
    assert "รวมข้อความเป็นข่าวเดียวภายใน (นาที)" in html and "#ข่าว" in html
    values = {
        "network.burst_minutes": "15",
        "network.new_report_tags": "#ข่าว\nแจ้งข่าว\n#ด่วน",
        "network.auto_approve_members": "1",
        "network.duplicate_radius_m": "300",
        "network.duplicate_hours": "12",
        "network.level1_min_occupations": "4",
        "network.consent_version": "2569-2",
        "network.kpi_target": "4",
    }
    wrong = post_form(client, "/admin/network/settings", {**values, "network.burst_minutes": "0"})
    assert wrong.status_code == 400 and "ต้องอยู่ระหว่าง 1 ถึง 240" in wrong.get_data(as_text=True)
    with services.sessions() as session:
        assert get_setting(session, "network.duplicate_radius_m") == 500  # nothing stored

    assert post_form(client, "/admin/network/settings", values).status_code == 302
    with services.sessions() as session:
        assert get_setting(session, "network.burst_minutes") == 15
        assert get_setting(session, "network.new_report_tags") == ["#ข่าว", "แจ้งข่าว", "#ด่วน"]
        assert get_setting(session, "network.auto_approve_members") is True
        assert get_setting(session, "network.level1_min_occupations") == 4
    [entry] = audit_entries(services, Action.NETWORK_SETTINGS)
    assert "network.burst_minutes" in entry.detail["keys"] and "network.kpi_target" not in entry.detail["keys"]

    unticked = {key: value for key, value in values.items() if key != "network.auto_approve_members"}
    post_form(client, "/admin/network/settings", unticked)
    with services.sessions() as session:
        assert get_setting(session, "network.auto_approve_members") is False
    assert signed_in(app, services, Role.VIEWER).get("/admin/network/settings").status_code == 403


def test_occupations_and_categories_are_configurable_lists(app, services, lists):
    client = signed_in(app, services, Role.ADMIN)
    added = post_form(
        client,
        "/admin/network/occupations",
        {"code": "taxi_driver", "name": "คนขับแท็กซี่", "sort_order": "95", "is_active": "1"},
        form_page="/admin/network/settings",
    )
    assert added.status_code == 302
    post_form(
        client,
        "/admin/network/occupations/resident",
        {"name": "ประชาชนในพื้นที่", "sort_order": "80"},  # unticked: retired
        form_page="/admin/network/settings",
    )
    post_form(
        client,
        "/admin/network/categories/drugs",
        {"name": "ยาเสพติด", "keywords": "ยาบ้า, ไอซ์\nกัญชา", "sort_order": "4", "is_active": "1"},
        form_page="/admin/network/settings",
    )
    duplicate = post_form(
        client,
        "/admin/network/categories",
        {"code": "drugs", "name": "ซ้ำ", "keywords": "", "sort_order": "1", "is_active": "1"},
        form_page="/admin/network/settings",
    )
    assert duplicate.status_code == 302
    with services.sessions() as session:
        taxi = session.get(Occupation, "taxi_driver")
        assert (taxi.name, taxi.sort_order, taxi.is_active) == ("คนขับแท็กซี่", 95, True)
        resident = session.get(Occupation, "resident")
        assert (resident.name, resident.is_active) == ("ประชาชนในพื้นที่", False)
        assert session.get(ReportCategory, "drugs").keywords == ["ยาบ้า", "ไอซ์", "กัญชา"]
    html = page(client, "/admin/network/settings")
    assert "มีรหัส drugs อยู่แล้ว" in html and "คนขับแท็กซี่" in html
    assert len(audit_entries(services, Action.NETWORK_LIST_UPDATE)) == 3


def test_nav_links_by_role(app, services):
    secretariat = signed_in(app, services, Role.SECRETARIAT)
    nav = page(secretariat, "/admin/").split("<main")[0]
    for target in ("/admin/network/reports", "/admin/members", "/admin/network/groups"):
        assert f'href="{target}"' in nav
    viewer = signed_in(app, services, Role.VIEWER)
    nav = page(viewer, "/admin/").split("<main")[0]
    assert 'href="/admin/network/reports"' in nav and 'href="/admin/members"' not in nav
    tabs = page(secretariat, "/admin/network/reports")
    assert 'href="/admin/network/settings"' in tabs and 'href="/admin/workgroup/kpi"' in tabs
