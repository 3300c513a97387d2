"""Every view of personal data writes an audit entry (who, what, which, from where), never the data itself."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import AuditEntry, RejectedBody, Role
from services.audit import Action, record
from tests.test_admin_support import (
    SECRET_TEXT,
    add_event,
    add_member,
    audit_entries,
    login,
    make_staff,
    make_token,
)

MEMBER_ID = "U" + "b" * 32
MEMBER_NAME = "ประยุทธ ผู้แจ้งข่าว"


@pytest.fixture
def admin(client, services):
    make_staff(services, "root", Role.ADMIN)
    assert login(client, "root").status_code == 302
    return client


def assert_no_personal_data(services) -> None:
    with services.sessions() as session:
        for entry in session.scalars(select(AuditEntry)):
            dumped = json.dumps(
                [entry.actor, entry.action, entry.object_type, entry.object_id, entry.detail], ensure_ascii=False
            )
            for secret in (SECRET_TEXT, MEMBER_ID, MEMBER_NAME, "rejected body text"):
                assert secret not in dumped


def test_members_list_is_audited(admin, services):
    add_member(services, MEMBER_ID, MEMBER_NAME)
    page = admin.get("/admin/members?identities=1").get_data(as_text=True)
    assert MEMBER_NAME in page and MEMBER_ID not in page  # the LINE id stays on the member's own page
    [entry] = audit_entries(services, Action.VIEW_MEMBERS)
    assert entry.actor == "root" and entry.ip == "127.0.0.1" and entry.object_type == "member"
    assert entry.detail == {"via": "web", "page": 1, "count": 1}
    admin.get("/admin/members")
    assert len(audit_entries(services, Action.VIEW_MEMBERS)) == 2  # every view, not only the first
    assert_no_personal_data(services)


def test_event_payload_view_is_audited(admin, services):
    event_id = add_event(services)
    admin.get(f"/admin/inbox/{event_id}")
    [entry] = audit_entries(services, Action.VIEW_INBOX_PAYLOAD)
    assert entry.object_id == str(event_id)
    assert_no_personal_data(services)


def test_rejected_bodies_are_admin_only_and_audited(admin, app, services):
    with services.sessions.begin() as session:
        session.add(RejectedBody(reason="not JSON: JSONDecodeError", body="rejected body text"))
    page = admin.get("/admin/rejected").get_data(as_text=True)
    assert "rejected body text" in page and "not JSON" in page
    [entry] = audit_entries(services, Action.VIEW_REJECTED)
    assert entry.actor == "root" and entry.detail["count"] == 1
    assert_no_personal_data(services)

    make_staff(services, "sec", Role.SECRETARIAT)
    other = app.test_client()
    login(other, "sec")
    assert other.get("/admin/rejected").status_code == 403
    assert len(audit_entries(services, Action.VIEW_REJECTED)) == 1  # a refused view is not a view


def test_audit_log_page_is_admin_only_lists_entries_and_is_audited(admin, app, services):
    with services.sessions.begin() as session:
        record(session, "someone", Action.VIEW_MEMBERS, object_type="member", ip="10.0.0.8")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "someone" in page and "ดูรายชื่อสมาชิก" in page and "10.0.0.8" in page
    assert len(audit_entries(services, Action.VIEW_AUDIT)) == 1
    filtered = admin.get("/admin/audit?action=login.").get_data(as_text=True)
    assert "someone" not in filtered
    make_staff(services, "sec", Role.SECRETARIAT)
    other = app.test_client()
    login(other, "sec")
    assert other.get("/admin/audit").status_code == 403


def test_views_without_personal_data_are_not_audited(admin, services):
    add_event(services)
    admin.get("/admin/")
    admin.get("/admin/inbox")
    actions = {entry.action for entry in audit_entries(services)}
    assert actions == {Action.LOGIN_OK}


def test_api_reads_are_audited_with_the_token(client, services):
    make_staff(services, "robot", Role.SECRETARIAT)
    token = make_token(services, "robot", "district report")
    add_member(services, MEMBER_ID, MEMBER_NAME)
    client.get("/api/v1/members", headers={"Authorization": f"Bearer {token}"})
    [entry] = audit_entries(services, Action.VIEW_MEMBERS)
    assert entry.actor == "robot"
    assert entry.detail["via"] == "api" and isinstance(entry.detail["token_id"], int)
    assert token not in json.dumps(entry.detail)
    assert_no_personal_data(services)
