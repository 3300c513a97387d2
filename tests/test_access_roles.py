"""Who may do what: the permission table's rules, the README's table, and every role walking the main routes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.auth import DISTRICT_SCOPED_ROLES, ROLE_PERMISSIONS, Permission, may_act_in, roles_with
from models import CoordinationLetter, InboxStatus, Role, StaffUser
from tests.test_admin_support import add_event, add_member, login, make_staff, make_token, post_form
from tests.test_riskpoint_web import registry, unit  # noqa: F401 - fixtures: two points, a letter, staff

README = Path(__file__).resolve().parents[1] / "README.md"
USERS = {Role.ADMIN: "admin", Role.SECRETARIAT: "noi", Role.DISTRICT_OFFICER: "bangrak", Role.VIEWER: "viewer"}
A, S, D, V = Role.ADMIN, Role.SECRETARIAT, Role.DISTRICT_OFFICER, Role.VIEWER
# Permissions whose data has no district (or is about staff): never for a role limited to some districts.
UNSCOPED_ONLY = {
    Permission.VIEW_REJECTED,
    Permission.VIEW_AUDIT,
    Permission.MANAGE_STAFF,
    Permission.VIEW_PAYLOAD,
    Permission.RETRY_EVENTS,
    Permission.VIEW_IDENTITIES,
    Permission.VIEW_ORIGINAL_MEDIA,
    Permission.EXPORT_ROLL,
    Permission.MANAGE_NETWORK,
    Permission.MANAGE_OFFICE,
    Permission.MANAGE_RISK_UNITS,
    Permission.VIEW_WORKGROUP,
    Permission.VIEW_SCHEDULER,
    Permission.VIEW_UNDELIVERED,
    Permission.EXPORT_PERSONAL_DATA,
    Permission.ERASE_PERSONAL_DATA,
}


def test_the_viewer_holds_nothing_a_district_officer_lacks():
    assert ROLE_PERMISSIONS[V] <= ROLE_PERMISSIONS[D]
    assert ROLE_PERMISSIONS[V] == {Permission.VIEW_NETWORK, Permission.VIEW_RISKPOINTS, Permission.VIEW_KPI}
    for letters in (Permission.DOWNLOAD_LETTERS, Permission.ISSUE_LETTERS, Permission.EXPORT_ROLL):
        assert letters not in ROLE_PERMISSIONS[V]


def test_district_scoped_roles_hold_no_permission_over_data_without_a_district():
    for role in DISTRICT_SCOPED_ROLES:
        assert not ROLE_PERMISSIONS[role] & UNSCOPED_ONLY, role


def test_who_may_change_risk_points_and_issue_letters():
    assert roles_with(Permission.MANAGE_RISKPOINTS) == (A, S, D)
    assert roles_with(Permission.ISSUE_LETTERS) == (A, S, D)
    assert roles_with(Permission.DOWNLOAD_LETTERS) == (A, S, D)
    assert roles_with(Permission.MANAGE_RISK_UNITS) == (A, S)
    assert roles_with(Permission.VIEW_WORKGROUP, Permission.MANAGE_WORKGROUP) == (A, S)
    officer = StaffUser(username="o", role=D, districts=["บางรัก"], is_active=True, password_hash="h")
    assert may_act_in(officer, Permission.MANAGE_RISKPOINTS, "บางรัก")
    assert not may_act_in(officer, Permission.MANAGE_RISKPOINTS, "ปทุมวัน")
    assert not may_act_in(officer, Permission.MANAGE_RISKPOINTS, None)
    assert not may_act_in(officer, Permission.MANAGE_RISK_UNITS, "บางรัก")
    secretary = StaffUser(username="s", role=S, districts=[], is_active=True, password_hash="h")
    assert may_act_in(secretary, Permission.ISSUE_LETTERS, "ปทุมวัน") and may_act_in(secretary, Permission.VIEW_KPI, None)


def readme_table() -> dict[str, dict[Role, bool]]:
    """The README's "Who may do what" table: each permission's row, whether each role holds it."""
    section = README.read_text().split("### สิทธิ์ตามบทบาท / Who may do what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and "`" in line]
    table = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for permission in re.findall(r"`([a-z_]+)`", cells[1]):
            table[permission] = {role: cells[2 + index] != "–" for index, role in enumerate((A, S, D, V))}
    return table


def test_the_readme_table_is_the_permission_table():
    table = readme_table()
    assert set(table) == {permission.value for permission in Permission}
    for permission in Permission:
        for role in Role:
            assert table[permission.value][role] == (permission in ROLE_PERMISSIONS[role]), (permission, role)


# --- every role walks the main routes ----------------------------------------------------------------------


@pytest.fixture
def world(services, registry):  # noqa: F811 - the fixture imported above
    """The risk-point registry, a secretariat account, two members in two districts with one event each."""
    make_staff(services, "noi", Role.SECRETARIAT)
    add_member(services, "U" + "b" * 32, "สมาชิกบางรัก", district="บางรัก")
    add_member(services, "U" + "p" * 32, "สมาชิกปทุมวัน", district="ปทุมวัน")
    with services.sessions() as session:
        letter = session.scalar(select(CoordinationLetter.id))
    return {
        "own": add_event(services, user_id="U" + "b" * 32, status=InboxStatus.DONE, last_error=None),
        "other": add_event(services, user_id="U" + "p" * 32, status=InboxStatus.DONE, last_error=None),
        "letter": letter,
    }


ALL = {A: 200, S: 200, D: 200, V: 200}
OFFICE = {A: 200, S: 200, D: 200, V: 403}  # the office's staff; the viewer is read-only and sees no records
CENTRAL = {A: 200, S: 200, D: 403, V: 403}  # admin and secretariat only
ADMIN_ONLY = {A: 200, S: 403, D: 403, V: 403}
WEB = [
    ("/admin/", ALL),
    ("/admin/inbox", OFFICE),
    ("/admin/inbox/{own}", OFFICE),
    ("/admin/inbox/{other}", {A: 200, S: 200, D: 404, V: 403}),  # outside the officer's districts: "not found"
    ("/admin/members", OFFICE),
    ("/admin/rejected", ADMIN_ONLY),
    ("/admin/audit", ADMIN_ONLY),
    ("/admin/staff", ADMIN_ONLY),
    ("/admin/network/reports", ALL),
    ("/admin/network/groups", ALL),
    ("/admin/network/roll.xlsx", CENTRAL),
    ("/admin/network/settings", CENTRAL),
    ("/admin/office", CENTRAL),
    ("/admin/riskpoints/", ALL),
    ("/admin/riskpoints/RP-0001", ALL),
    ("/admin/riskpoints/RP-0002", {A: 200, S: 200, D: 404, V: 200}),
    ("/admin/riskpoints/new", OFFICE),
    ("/admin/riskpoints/import", OFFICE),
    ("/admin/riskpoints/import-template.csv", OFFICE),
    ("/admin/riskpoints/RP-0001/edit", OFFICE),
    ("/admin/riskpoints/RP-0002/edit", {A: 200, S: 200, D: 404, V: 403}),
    ("/admin/riskpoints/letters/{letter}.docx", OFFICE),
    ("/admin/riskpoints/board", ALL),
    ("/admin/riskpoints/defects", ALL),
    ("/admin/riskpoints/crime", ALL),
    ("/admin/riskpoints/compliance?month=2569-11", ALL),
    ("/admin/riskpoints/units", CENTRAL),
    ("/admin/workgroup/", CENTRAL),
    ("/admin/workgroup/committees", CENTRAL),
    ("/admin/workgroup/meetings", CENTRAL),
    ("/admin/workgroup/forwards", CENTRAL),
    ("/admin/workgroup/agencies", CENTRAL),
    ("/admin/workgroup/forwards/999999/letters/1.docx", {A: 404, S: 404, D: 403, V: 403}),
    ("/admin/workgroup/files/999999", {A: 404, S: 404, D: 403, V: 403}),
    ("/admin/workgroup/kpi?fy=2569", ALL),
    ("/admin/scheduler/", CENTRAL),
]
API = [
    ("/api/v1/", ALL),
    ("/api/v1/inbox", OFFICE),
    ("/api/v1/inbox/{own}", OFFICE),
    ("/api/v1/inbox/{other}", {A: 200, S: 200, D: 404, V: 403}),
    ("/api/v1/members", OFFICE),
    ("/api/v1/groups", ALL),
    ("/api/v1/reports", ALL),
    ("/api/v1/riskpoints", ALL),
    ("/api/v1/riskpoints/RP-0002", {A: 200, S: 200, D: 404, V: 200}),
    ("/api/v1/riskpoints/checks", ALL),
    ("/api/v1/riskpoints/compliance?month=2569-11", ALL),
    ("/api/v1/workgroup/committees", CENTRAL),
    ("/api/v1/workgroup/forwards", CENTRAL),
    ("/api/v1/workgroup/kpi?fy=2569", ALL),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_walks_the_admin_web(app, services, world, role):
    client = app.test_client()
    assert login(client, USERS[role]).status_code == 302
    found = {path: client.get(path.format(**world)).status_code for path, _ in WEB}
    assert found == {path: expected[role] for path, expected in WEB}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_walks_the_api(client, services, world, role):
    headers = {"Authorization": f"Bearer {make_token(services, USERS[role])}"}
    found = {path: client.get(path.format(**world), headers=headers).status_code for path, _ in API}
    assert found == {path: expected[role] for path, expected in API}


@pytest.mark.parametrize("role", [D, V], ids=lambda role: role.value)
def test_roles_without_the_rights_cannot_post_the_central_forms(app, services, world, role):
    client = app.test_client()
    assert login(client, USERS[role]).status_code == 302
    for path in (
        f"/admin/inbox/{world['own']}/retry",
        "/admin/riskpoints/units",
        "/admin/riskpoints/crime",
        "/admin/riskpoints/orders/1/resend",
        "/admin/workgroup/forwards",
        "/admin/workgroup/agencies/defaults",
        "/admin/network/groups/codes",
        "/admin/staff/new",
    ):
        assert post_form(client, path, {"action": "defaults"}).status_code == 403, path


def test_the_viewer_cannot_change_risk_points(app, services, world):
    client = app.test_client()
    assert login(client, "viewer").status_code == 302
    for path in ("/admin/riskpoints/new", "/admin/riskpoints/import", "/admin/riskpoints/RP-0001/retire"):
        assert post_form(client, path, {"code": "RP-0003"}).status_code == 403, path


def test_without_issue_letters_a_forward_by_letter_is_refused(app, services, world, monkeypatch):
    """The working group's forms check ISSUE_LETTERS on their own, not only the role."""
    monkeypatch.setitem(ROLE_PERMISSIONS, S, ROLE_PERMISSIONS[S] - {Permission.ISSUE_LETTERS})
    client = app.test_client()
    assert login(client, "noi").status_code == 302
    form = {"report_id": "1", "agency_id": "1", "subject": "x", "via_letter": "1"}
    assert post_form(client, "/admin/workgroup/forwards", form).status_code == 403
    assert post_form(client, "/admin/workgroup/meetings/1/forward", form).status_code == 403
    refused_by_the_form = post_form(client, "/admin/workgroup/forwards", form | {"via_letter": "0"})
    assert refused_by_the_form.status_code == 302  # by LINE only: on to the form's own checks
