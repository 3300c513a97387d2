"""Staff management (admin only) and the `flask admin` commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.api.tokens import hash_token
from models import ApiToken, Role, StaffUser
from tests.test_admin_support import PASSWORD, audit_entries, login, make_staff, post_form


@pytest.fixture
def admin(client, services):
    make_staff(services, "root", Role.ADMIN)
    assert login(client, "root").status_code == 302
    return client


def find(services, username: str) -> StaffUser | None:
    with services.sessions() as session:
        return session.scalar(select(StaffUser).where(StaffUser.username == username))


def new_staff_form(**changes) -> dict:
    form = {
        "username": "officer1",
        "full_name": "สมหญิง ใจดี",
        "role": "district_officer",
        "districts": ["บางรัก", "ปทุมวัน"],
        "password": "a long enough password",
        "password_confirm": "a long enough password",
    }
    return {**form, **changes}


def test_admin_creates_a_district_officer(admin, services, app):
    response = post_form(admin, "/admin/staff/new", new_staff_form(), form_page="/admin/staff/new")
    assert response.status_code == 302
    user = find(services, "officer1")
    assert user.role == Role.DISTRICT_OFFICER and user.districts == ["บางรัก", "ปทุมวัน"] and user.is_active
    assert user.password_hash != "a long enough password"
    assert [e.object_id for e in audit_entries(services, "staff.create")] == [str(user.id)]
    officer = app.test_client()
    assert login(officer, "officer1", "a long enough password").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"districts": []}, "ต้องมีเขตที่รับผิดชอบอย่างน้อยหนึ่งเขต"),
        ({"password": "short", "password_confirm": "short"}, "รหัสผ่านต้องยาวอย่างน้อย 10 ตัวอักษร"),
        ({"password_confirm": "something else entirely"}, "รหัสผ่านทั้งสองช่องไม่ตรงกัน"),
        ({"username": "Bad Name!"}, "ชื่อผู้ใช้ต้องมี 3–80 ตัว"),
        ({"username": "root"}, "มีชื่อผู้ใช้นี้อยู่แล้ว"),
        ({"districts": ["Atlantis"]}, "Not a valid choice"),
    ],
)
def test_create_refuses_bad_input_in_thai(admin, services, changes, message):
    response = post_form(admin, "/admin/staff/new", new_staff_form(**changes), form_page="/admin/staff/new")
    assert response.status_code == 200
    if "Not a valid" not in message:
        assert message in response.get_data(as_text=True)
    assert find(services, "officer1") is None


def test_viewer_and_secretariat_get_no_district_list(admin, services):
    post_form(admin, "/admin/staff/new", new_staff_form(role="viewer"), form_page="/admin/staff/new")
    assert find(services, "officer1").districts == []


def test_admin_changes_role_and_districts(admin, services):
    user_id = make_staff(services, "off", Role.DISTRICT_OFFICER, districts=["บางรัก"])
    data = {"full_name": "x", "role": "secretariat", "new_password": "", "password_confirm": ""}
    response = post_form(admin, f"/admin/staff/{user_id}", data, form_page=f"/admin/staff/{user_id}")
    assert response.status_code == 302
    user = find(services, "off")
    assert user.role == Role.SECRETARIAT and user.districts == []
    [entry] = audit_entries(services, "staff.update")
    assert entry.detail["changed"] == ["districts", "full_name", "role"]


def test_admin_cannot_demote_or_deactivate_themselves(admin, services):
    me = find(services, "root")
    data = {"full_name": "", "role": "viewer"}
    response = post_form(admin, f"/admin/staff/{me.id}", data, form_page=f"/admin/staff/{me.id}")
    assert response.status_code == 400
    post_form(admin, f"/admin/staff/{me.id}/active", form_page=f"/admin/staff/{me.id}")
    me = find(services, "root")
    assert me.role == Role.ADMIN and me.is_active


def test_deactivate_and_reactivate(admin, services, app):
    user_id = make_staff(services, "leaver", Role.SECRETARIAT)
    other = app.test_client()
    login(other, "leaver")
    assert other.get("/admin/").status_code == 200
    post_form(admin, f"/admin/staff/{user_id}/active", form_page=f"/admin/staff/{user_id}")
    assert not find(services, "leaver").is_active
    assert other.get("/admin/").status_code == 302  # signed out at once
    post_form(admin, f"/admin/staff/{user_id}/active", form_page=f"/admin/staff/{user_id}")
    assert find(services, "leaver").is_active
    assert [e.action for e in audit_entries(services) if e.action.startswith("staff.")] == [
        "staff.deactivate",
        "staff.activate",
    ]


def test_token_is_shown_once_and_only_its_hash_is_stored(admin, services):
    user_id = make_staff(services, "robot", Role.VIEWER)
    response = post_form(admin, f"/admin/staff/{user_id}/tokens", {"name": "เขตบางรัก"}, form_page="/admin/staff")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r'<pre class="token">([^<]+)</pre>', response.get_data(as_text=True)).group(1)
    with services.sessions() as session:
        [stored] = session.scalars(select(ApiToken))
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert token not in admin.get(f"/admin/staff/{user_id}").get_data(as_text=True)
    assert admin.get("/api/v1/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in str([e.detail for e in audit_entries(services)])


def test_revoking_a_token(admin, services, client):
    user_id = make_staff(services, "robot", Role.VIEWER)
    page = post_form(admin, f"/admin/staff/{user_id}/tokens", {"name": "t"}, form_page="/admin/staff")
    token = re.search(r'<pre class="token">([^<]+)</pre>', page.get_data(as_text=True)).group(1)
    with services.sessions() as session:
        token_id = session.scalar(select(ApiToken.id))
    post_form(admin, f"/admin/staff/{user_id}/tokens/{token_id}/revoke", form_page="/admin/staff")
    assert client.get("/api/v1/", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert len(audit_entries(services, "token.revoke")) == 1


def test_staff_pages_are_admin_only(app, services):
    make_staff(services, "sec", Role.SECRETARIAT)
    target = make_staff(services, "victim", Role.VIEWER)
    client = app.test_client()
    login(client, "sec")
    assert client.get("/admin/staff").status_code == 403
    assert post_form(client, f"/admin/staff/{target}/active").status_code == 403
    assert post_form(client, f"/admin/staff/{target}/tokens", {"name": "x"}).status_code == 403
    assert find(services, "victim").is_active


def test_cli_create_user_and_token(app, services):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "create-user", "Cli-Admin", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert find(services, "cli-admin").role == Role.ADMIN
    result = runner.invoke(args=["admin", "create-token", "cli-admin", "reports"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("fl_")
    assert app.test_client().get("/api/v1/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert {e.action for e in audit_entries(services)} >= {"staff.create", "token.create"}


def test_cli_prompts_for_the_password(app, services):
    result = app.test_cli_runner().invoke(
        args=["admin", "create-user", "prompted", "--role", "viewer"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert login(app.test_client(), "prompted").status_code == 302


def test_cli_refuses_bad_accounts(app, services):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "create-user", "xyz", "--role", "viewer", "--password", "short"])
    assert result.exit_code != 0 and "รหัสผ่านต้องยาวอย่างน้อย" in result.output
    result = runner.invoke(
        args=["admin", "create-user", "off", "--role", "district_officer", "--password", PASSWORD, "--district", "X"]
    )
    assert result.exit_code != 0 and "ไม่รู้จักเขต" in result.output
    result = runner.invoke(args=["admin", "create-token", "nobody", "t"])
    assert result.exit_code != 0
