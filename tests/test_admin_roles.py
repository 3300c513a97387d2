"""Roles: what admin, secretariat, district officers and viewers may see and do."""

from __future__ import annotations

import pytest
from sqlalchemy import column, select, table
from sqlalchemy.dialects import sqlite

from bot.auth import ROLE_PERMISSIONS, Permission, can, district_clause, has_role, visible_districts
from models import InboxStatus, Member, Role, StaffUser
from tests.test_admin_support import (
    SECRET_TEXT,
    add_event,
    add_member,
    audit_entries,
    event_status,
    login,
    make_staff,
    post_form,
)


def staff(role: Role, districts=(), active=True) -> StaffUser:
    return StaffUser(username="x", role=role, districts=list(districts), is_active=active, password_hash="h")


def test_permission_table():
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert can(staff(Role.SECRETARIAT), Permission.VIEW_PAYLOAD)
    assert not can(staff(Role.SECRETARIAT), Permission.MANAGE_STAFF)
    assert not can(staff(Role.SECRETARIAT), Permission.VIEW_REJECTED)
    assert can(staff(Role.DISTRICT_OFFICER), Permission.VIEW_INBOX)
    assert not can(staff(Role.DISTRICT_OFFICER), Permission.VIEW_PAYLOAD)
    assert not can(staff(Role.VIEWER), Permission.VIEW_MEMBERS)
    assert not can(staff(Role.VIEWER), Permission.VIEW_INBOX)
    assert not can(staff(Role.VIEWER), Permission.EXPORT_ROLL)
    assert not can(staff(Role.VIEWER), Permission.DOWNLOAD_LETTERS)
    assert can(staff(Role.DISTRICT_OFFICER), Permission.MANAGE_RISKPOINTS)
    assert not can(staff(Role.DISTRICT_OFFICER), Permission.MANAGE_RISK_UNITS)
    assert not can(staff(Role.ADMIN, active=False), Permission.VIEW_INBOX)
    assert not can(None, Permission.VIEW_INBOX)
    assert has_role(staff(Role.VIEWER), Role.VIEWER, Role.ADMIN)
    assert not has_role(staff(Role.VIEWER), Role.ADMIN)


def test_visible_districts():
    assert visible_districts(staff(Role.ADMIN)) is None
    assert visible_districts(staff(Role.SECRETARIAT)) is None
    assert visible_districts(staff(Role.VIEWER)) is None  # aggregates of every district; no personal data
    assert visible_districts(staff(Role.DISTRICT_OFFICER, ["บางรัก", "ปทุมวัน"])) == {"บางรัก", "ปทุมวัน"}
    assert visible_districts(staff(Role.DISTRICT_OFFICER)) == frozenset()
    assert visible_districts(staff(Role.ADMIN, active=False)) == frozenset()


def test_district_clause_filters_a_district_column():
    district = column("district")
    reports = table("reports", district)

    def sql(user):
        statement = select(reports).where(district_clause(user, district))
        return str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))

    assert "IN ('บางรัก')" in sql(staff(Role.DISTRICT_OFFICER, ["บางรัก"]))
    assert "1 = 1" in sql(staff(Role.ADMIN)) or "WHERE 1" in sql(staff(Role.ADMIN))
    assert "0 = 1" in sql(staff(Role.DISTRICT_OFFICER)) or "WHERE 0" in sql(staff(Role.DISTRICT_OFFICER))


@pytest.fixture
def parked(services):
    return add_event(services, status=InboxStatus.PARKED)


@pytest.fixture
def member(services):
    return add_member(services, "U" + "a" * 32, "สมศรี ผู้แจ้งข่าว", district="ปทุมวัน")


def signed_in(app, services, role: Role, districts=()):
    client = app.test_client()
    make_staff(services, role.value.replace("_", "-"), role, districts=districts)
    assert login(client, role.value.replace("_", "-")).status_code == 302
    return client


def test_viewer_sees_no_inbox_no_payload_no_members_no_retry(app, services, parked, member):
    client = signed_in(app, services, Role.VIEWER)
    assert client.get("/admin/inbox").status_code == 403  # event records are the office's, not the viewer's
    detail = client.get(f"/admin/inbox/{parked}")
    assert detail.status_code == 403
    assert SECRET_TEXT not in detail.get_data(as_text=True) and "U0123456789" not in detail.get_data(as_text=True)
    assert client.get("/admin/members").status_code == 403
    assert post_form(client, f"/admin/inbox/{parked}/retry").status_code == 403
    assert event_status(services, parked) == InboxStatus.PARKED
    nav = client.get("/admin/").get_data(as_text=True).split("<main")[0]
    assert "สมาชิก" not in nav and "เหตุการณ์ขาเข้า" not in nav  # not in the menu
    assert audit_entries(services, "view.inbox_payload") == []


def test_forbidden_page_is_thai(app, services):
    client = signed_in(app, services, Role.VIEWER)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์เข้าถึงหน้านี้" in response.get_data(as_text=True)


def reporter_code(services, member_id: int) -> str:
    with services.sessions() as session:
        return session.get(Member, member_id).reporter_code


def test_district_officer_sees_the_inbox_but_no_member_outside_their_districts(app, services, parked, member):
    inside = add_member(services, "U" + "e" * 32, "มานะ บางรัก", district="บางรัก")
    nowhere = add_member(services, "U" + "f" * 32, "ยังไม่ลงทะเบียน")  # no district yet: not any officer's
    client = signed_in(app, services, Role.DISTRICT_OFFICER, ["บางรัก"])
    assert client.get("/admin/inbox").status_code == 200
    assert SECRET_TEXT not in client.get(f"/admin/inbox/{parked}").get_data(as_text=True)
    members = client.get("/admin/members?identities=1")  # officers see reporter codes, never identities
    assert members.status_code == 200
    text = members.get_data(as_text=True)
    assert reporter_code(services, inside) in text
    assert "มานะ บางรัก" not in text and "U" + "e" * 32 not in text
    assert reporter_code(services, member) not in text and reporter_code(services, nowhere) not in text
    assert "สมศรี" not in text and "U" + "a" * 32 not in text
    assert "U" + "f" * 32 not in text
    assert "แสดงเฉพาะสมาชิกในเขตที่ท่านรับผิดชอบ: บางรัก" in text
    assert audit_entries(services, "view.members")[-1].detail["count"] == 1
    assert post_form(client, f"/admin/inbox/{parked}/retry").status_code == 403
    for path in ("/admin/rejected", "/admin/audit", "/admin/staff"):
        assert client.get(path).status_code == 403


def test_secretariat_sees_payloads_and_members_but_not_staff_audit_or_rejected(app, services, parked, member):
    add_member(services, "U" + "f" * 32, "ยังไม่ลงทะเบียน")
    client = signed_in(app, services, Role.SECRETARIAT)
    assert SECRET_TEXT in client.get(f"/admin/inbox/{parked}").get_data(as_text=True)
    members = client.get("/admin/members?identities=1").get_data(as_text=True)
    assert "สมศรี" in members and "ยังไม่ลงทะเบียน" in members
    for path in ("/admin/rejected", "/admin/audit", "/admin/staff", "/admin/staff/new"):
        assert client.get(path).status_code == 403


def test_admin_reaches_every_page(app, services, parked, member):
    client = signed_in(app, services, Role.ADMIN)
    for path in ("/admin/", "/admin/inbox", f"/admin/inbox/{parked}", "/admin/members", "/admin/rejected"):
        assert client.get(path).status_code == 200, path
    for path in ("/admin/audit", "/admin/staff", "/admin/staff/new"):
        assert client.get(path).status_code == 200, path
