"""Signing in to the admin web: passwords, sessions, CSRF and the lockout shared by every worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot import create_app
from bot.admin.login_throttle import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    ADDRESS_USERNAMES,
    LOCKOUT,
    PAIR_FAILURES,
)
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


def from_address(app, address: str):
    """A test client whose requests come from one address (an office behind NAT, a home, an attacker)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail(client, username: str, times: int) -> None:
    for _ in range(times):
        assert login(client, username, "not the password").status_code == 401


def refusal(response) -> str:
    """The flash message of a refused sign-in."""
    text = response.get_data(as_text=True)
    return text.split('class="flash flash-error"')[1].split(">", 1)[1].split("</p>")[0]


def test_five_failures_lock_the_name_from_that_address_for_fifteen_minutes(client, admin, services):
    fail(client, "somchai", PAIR_FAILURES)
    response = login(client, "somchai")  # even the right password is refused now
    assert response.status_code == 429
    assert "ระงับการเข้าสู่ระบบไว้ชั่วคราว" in refusal(response)
    assert int(response.headers["Retry-After"]) in range(LOCKOUT.seconds - 60, LOCKOUT.seconds + 1)
    assert client.get("/admin/").status_code == 302
    assert len(audit_entries(services, "login.locked")) == 1

    with time_machine.travel(utcnow() + LOCKOUT - timedelta(minutes=1), tick=False):
        assert login(client, "somchai").status_code == 429
    with time_machine.travel(utcnow() + LOCKOUT + timedelta(seconds=5), tick=False):
        assert login(client, "somchai").status_code == 302


def test_the_refusal_says_when_to_try_again_in_bangkok_time(app, admin):
    office = from_address(app, "203.0.113.50")
    with time_machine.travel(datetime(2026, 12, 4, 3, 30, tzinfo=UTC), tick=False):  # 10:30 in Bangkok
        fail(office, "somchai", PAIR_FAILURES)
        message = refusal(login(office, "somchai"))
    assert message.endswith("ลองใหม่ได้หลังเวลา 10:45 น.")
    assert "2026" not in message and "03:45" not in message  # Bangkok time, no ISO timestamp


def test_the_refusal_does_not_tell_whether_the_name_exists(app, admin):
    office = from_address(app, "203.0.113.51")
    with time_machine.travel(datetime(2026, 12, 4, 3, 30, 20, tzinfo=UTC), tick=False):
        fail(office, "somchai", PAIR_FAILURES)
        fail(office, "nobody-here", PAIR_FAILURES)
        known, unknown = login(office, "somchai"), login(office, "nobody-here")
    assert known.status_code == unknown.status_code == 429
    assert refusal(known) == refusal(unknown)
    assert refusal(known).endswith("10:46 น.")  # 10:45:20 rounded up to the minute


def test_four_failures_do_not_lock(client, admin):
    fail(client, "somchai", PAIR_FAILURES - 1)
    assert login(client, "somchai").status_code == 302


def test_one_wrong_colleague_behind_the_office_address_does_not_lock_out_the_others(app, services, admin):
    make_staff(services, "malee", Role.SECRETARIAT)
    office = from_address(app, "198.51.100.10")  # the whole office signs in through one NAT address
    fail(office, "somchai", PAIR_FAILURES)  # somchai forgot his password and keeps trying
    assert [login(office, "somchai", "still wrong!").status_code for _ in range(3)] == [429] * 3
    colleague = from_address(app, "198.51.100.10")
    assert login(colleague, "malee").status_code == 302  # malee, at the next desk, signs in
    home = from_address(app, "192.0.2.77")
    assert login(home, "somchai").status_code == 302  # and somchai himself, from home


def test_a_successful_sign_in_clears_its_pair_only(app, services, admin):
    make_staff(services, "malee", Role.SECRETARIAT)

    def office():
        return from_address(app, "198.51.100.11")

    def home():
        return from_address(app, "192.0.2.78")

    fail(office(), "somchai", PAIR_FAILURES - 1)
    assert login(office(), "somchai").status_code == 302
    fail(office(), "somchai", PAIR_FAILURES - 1)  # four since the success: still allowed
    assert login(office(), "somchai").status_code == 302
    fail(home(), "malee", PAIR_FAILURES - 1)
    assert login(office(), "malee").status_code == 302  # another pair: malee from the office
    fail(home(), "malee", 1)  # her success from the office did not clear her count at home
    assert login(home(), "malee").status_code == 429


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, admin):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        fail(client, "somchai", 1)
    with time_machine.travel(start + LOCKOUT + timedelta(minutes=1), tick=False):
        fail(client, "somchai", PAIR_FAILURES - 1)
        assert login(client, "somchai").status_code == 302


def test_credential_stuffing_from_many_addresses_locks_the_name_everywhere(app, services, admin):
    per_address = PAIR_FAILURES - 1  # the attacker stays under each pair's limit
    addresses = [f"203.0.113.{n}" for n in range(1, ACCOUNT_FAILURES // per_address + 1)]
    for address in addresses[:-1]:
        fail(from_address(app, address), "somchai", per_address)
    assert login(from_address(app, "192.0.2.1"), "somchai").status_code == 302  # 16 failures: not yet
    fail(from_address(app, addresses[-1]), "somchai", per_address)  # 20 within 15 minutes
    assert login(from_address(app, "192.0.2.2"), "somchai").status_code == 429  # a fresh address too
    make_staff(services, "malee", Role.SECRETARIAT)
    assert login(from_address(app, addresses[0]), "malee").status_code == 302  # only that name is locked


def test_password_spraying_from_one_address_locks_the_address(app, services):
    make_staff(services, "victim", Role.VIEWER)
    attacker = from_address(app, "203.0.113.9")
    names = [f"guess{number}" for number in range(ADDRESS_USERNAMES * 2)]  # a few common passwords per name
    attempts = [(name, f"Password{round_no}!") for round_no in range(PAIR_FAILURES - 1) for name in names]
    for name, password in attempts[: ADDRESS_FAILURES - 1]:
        assert login(attacker, name, password).status_code == 401
    assert login(from_address(app, "203.0.113.9"), "victim").status_code == 302  # 29 failures: not yet
    assert login(attacker, names[-1], "Winter2026!").status_code == 401  # the 30th, on 10 names
    assert login(from_address(app, "203.0.113.9"), "victim").status_code == 429  # every name, from there
    assert login(from_address(app, "198.51.100.20"), "victim").status_code == 302  # the account is not locked


def test_many_failures_on_few_names_do_not_lock_the_address(app, services):
    make_staff(services, "victim", Role.VIEWER)
    office = from_address(app, "198.51.100.30")
    few = [f"typo{number}" for number in range(ADDRESS_USERNAMES - 1)]  # four people mistyping, many times
    for name in few:
        fail(office, name, PAIR_FAILURES)
        assert login(office, name, "again wrong").status_code == 429  # refused, not counted
    assert len(audit_entries(services, "login.failed")) == len(few) * PAIR_FAILURES
    assert login(office, "victim").status_code == 302


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
    fail(client, "somchai", PAIR_FAILURES)
    with services.sessions.begin() as session:
        for entry in session.scalars(select(StaffUser)):
            assert entry.is_active  # nothing on the account changes: the lockout lives in the audit log
    assert len(audit_entries(services, "login.failed")) == PAIR_FAILURES
