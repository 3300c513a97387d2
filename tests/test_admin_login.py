"""Signing in to the admin web: passwords, sessions, CSRF and the lockout shared by every worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot import create_app
from bot.admin.login_throttle import LOCKOUT, MAX_FAILURES
from models import Role, StaffUser
from models.timeutil import utcnow
from tests.test_admin_support import PASSWORD, audit_entries, csrf_token, login, make_staff, post_form


@pytest.fixture
def admin(services):
    return make_staff(services, "somchai", Role.ADMIN)


def test_stored_password_is_a_salted_hash(services, admin):
    with services.sessions() as session:
        stored = session.get(StaffUser, admin).password_hash
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_login_success_opens_the_dashboard_and_is_audited(client, admin, services):
    response = login(client, "Somchai ")  # usernames are case- and space-insensitive
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "ภาพรวม" in page.get_data(as_text=True)
    [entry] = audit_entries(services, "login.ok")
    assert entry.actor == "somchai"
    assert entry.ip == "127.0.0.1"


def test_login_failure_shows_a_thai_message_and_keeps_the_user_out(client, admin, services):
    response = login(client, "somchai", "wrong password!")
    assert response.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    [entry] = audit_entries(services, "login.failed")
    assert entry.actor == "somchai"
    assert "wrong" not in str(entry.detail)  # the attempted password is never logged


def test_unknown_user_fails_like_a_wrong_password(client, services):
    response = login(client, "nobody")
    assert response.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client, services):
    make_staff(services, "former", Role.SECRETARIAT, active=False)
    assert login(client, "former").status_code == 401


def test_pages_need_a_login_and_come_back_after_it(client, admin):
    response = client.get("/admin/inbox?status=parked")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")
    response = login(client, "somchai", next_url="/admin/inbox?status=parked")
    assert response.headers["Location"] == "/admin/inbox?status=parked"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_redirects_off_site(client, admin, target):
    response = login(client, "somchai", next_url=target)
    assert response.headers["Location"] == "/admin/"


def test_session_cookie_is_http_only_lax_and_lasts_a_working_day(client, admin):
    login(client, "somchai")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert timedelta(hours=7) < cookie.expires - utcnow() <= timedelta(hours=8)


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    # conftest turns Secure off for the plain-HTTP test client; production config turns it on
    monkeypatch.setenv("FIELDLINE_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("FIELDLINE_MODE", "production")
    env = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "SECRET_KEY": "k"}
    app = create_app({**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SPOOL_DIR": str(tmp_path / "spool")})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    app.extensions["fieldline"].close()


def test_post_without_csrf_token_is_refused(client, admin):
    response = client.post("/admin/login", data={"username": "somchai", "password": PASSWORD})
    assert response.status_code == 400
    assert "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # still signed out
    login(client, "somchai")
    assert client.post("/admin/logout").status_code == 400  # logout is a form too
    assert client.get("/admin/").status_code == 200


def test_csrf_token_of_another_session_is_refused(app, admin):
    stranger, victim = app.test_client(), app.test_client()
    token = csrf_token(stranger)
    response = victim.post("/admin/login", data={"username": "somchai", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400


def test_webhook_and_api_do_not_need_csrf(client):
    assert client.post("/callback", data=b"{}").status_code == 400  # refused for its signature, not CSRF
    assert client.post("/api/v1/inbox").status_code == 405


def test_logout_is_a_csrf_protected_post(client, admin, services):
    login(client, "somchai")
    assert client.get("/admin/logout").status_code == 405
    response = post_form(client, "/admin/logout")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302
    assert [e.actor for e in audit_entries(services, "logout")] == ["somchai"]


def test_deactivating_an_account_ends_its_sessions(app, client, admin, services):
    login(client, "somchai")
    assert client.get("/admin/").status_code == 200
    with services.sessions.begin() as session:
        session.get(StaffUser, admin).is_active = False
    assert client.get("/admin/").status_code == 302


def test_changing_the_password_ends_other_sessions(client, admin, services):
    login(client, "somchai")
    from bot.auth import hash_password

    with services.sessions.begin() as session:
        session.get(StaffUser, admin).password_hash = hash_password("a brand new password")
    assert client.get("/admin/").status_code == 302


def fail(client, username: str, times: int) -> None:
    for _ in range(times):
        assert login(client, username, "not the password").status_code == 401


def test_five_failures_lock_the_username_for_fifteen_minutes(client, admin, services):
    fail(client, "somchai", MAX_FAILURES)
    response = login(client, "somchai")  # even the right password is refused now
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "ระงับการเข้าสู่ระบบ" in text and "15 นาที" in text
    assert client.get("/admin/").status_code == 302
    assert len(audit_entries(services, "login.locked")) == 1

    with time_machine.travel(utcnow() + LOCKOUT - timedelta(minutes=1), tick=False):
        assert login(client, "somchai").status_code == 429
    with time_machine.travel(utcnow() + LOCKOUT + timedelta(seconds=5), tick=False):
        assert login(client, "somchai").status_code == 302


def test_four_failures_do_not_lock(client, admin):
    fail(client, "somchai", MAX_FAILURES - 1)
    assert login(client, "somchai").status_code == 302


def test_a_successful_login_clears_the_username_count_but_not_the_address_count(app, admin):
    office, home = app.test_client(), app.test_client()
    home.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    fail(office, "somchai", MAX_FAILURES - 1)
    assert login(office, "somchai").status_code == 302
    fail(home, "somchai", 1)  # five failures for the name in all, but only one since the success
    assert login(home, "somchai").status_code == 302
    fail(app.test_client(), "someone-else", 1)  # the office address (127.0.0.1) has five failures now
    assert login(app.test_client(), "somchai").status_code == 429


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, admin):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        fail(client, "somchai", 1)
    with time_machine.travel(start + LOCKOUT + timedelta(minutes=1), tick=False):
        fail(client, "somchai", MAX_FAILURES - 1)
        assert login(client, "somchai").status_code == 302


def test_five_failures_from_one_address_lock_that_address(app, services):
    make_staff(services, "victim", Role.VIEWER)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for number in range(MAX_FAILURES):
        assert login(attacker, f"guess{number}", "nope nope nope").status_code == 401
    assert login(attacker, "victim").status_code == 429  # a new name from the same address
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert login(colleague, "victim").status_code == 302  # the account itself is not locked


def test_lockout_is_shared_by_every_worker_process(app, admin, database_url, tmp_path):
    """Two app instances (as two gunicorn workers) count failures in the same database."""
    other = create_app(
        {
            **{key: app.config[key] for key in ("TESTING", "FIELDLINE_MODE", "LINE_CHANNEL_SECRET", "SECRET_KEY")},
            "DATABASE_URL": database_url,
            "LINE_CHANNEL_ACCESS_TOKEN": "x",
            "SPOOL_DIR": str(tmp_path / "spool2"),
            "BACKGROUND_WORKER": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    try:
        fail(app.test_client(), "somchai", 3)
        fail(other.test_client(), "somchai", 2)
        assert login(app.test_client(), "somchai").status_code == 429
        assert login(other.test_client(), "somchai").status_code == 429
    finally:
        other.extensions["fieldline"].close()


def test_the_lockout_is_counted_from_the_audit_log_only(client, admin, services):
    fail(client, "somchai", MAX_FAILURES)
    with services.sessions.begin() as session:
        for entry in session.scalars(select(StaffUser)):
            assert entry.is_active  # nothing on the account changes: the lockout lives in the audit log
    assert len(audit_entries(services, "login.failed")) == MAX_FAILURES
