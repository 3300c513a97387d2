"""The undelivered-messages page: parked, failed, retrying and in-doubt outbox rows, in Thai, with a resend button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from line.messages import text
from models import Chat, Member, OutboxStatus, OutgoingMessage, Role
from models.retention import messages_marker
from models.timeutil import utcnow
from runtime import delivery
from tests.browser import SCREENSHOTS, sign_in
from tests.test_admin_support import add_member, audit_entries, login, make_staff, post_form
from tests.test_delivery import RecordingMessenger

MEMBER_ID = "U" + "a" * 32
GROUP_ID = "C" + "b" * 32
SECRET_ANSWER = "คำตอบลับถึงผู้แจ้ง: รับเรื่องซอย 7 แล้ว"


def add_row(
    services,
    recipient: str,
    *,
    status: OutboxStatus,
    method: str | None = None,
    last_error: str | None = None,
    purpose: str = "reply",
    attempts: int = 8,
) -> int:
    """Store one outbox row as delivery would have left it; return its id."""
    with services.sessions.begin() as session:
        (row,) = delivery.enqueue(session, recipient, [text(SECRET_ANSWER)], purpose=purpose)
        row.status, row.method, row.last_error, row.attempts = status, method, last_error, attempts
        row.push_tries = attempts
        return row.id


def add_group(services, name: str) -> None:
    with services.sessions.begin() as session:
        session.add(Chat(line_chat_id=GROUP_ID, chat_type="group", name=name, member_count=5))


def reporter_code(services, member_id: int) -> str:
    with services.sessions() as session:
        return session.get(Member, member_id).reporter_code


def row_of(services, row_id: int) -> OutgoingMessage:
    with services.sessions() as session:
        return session.get(OutgoingMessage, row_id)


def signed_in(app, services, role: Role, districts=()):
    client = app.test_client()
    name = role.value.replace("_", "-")
    make_staff(services, name, role, districts=districts)
    assert login(client, name).status_code == 302
    return client


def test_a_parked_reply_is_listed_in_thai_by_reporter_code(secretariat, services):
    member = add_member(services, MEMBER_ID, "สมศรี ใจดี", district="บางรัก")
    with time_machine.travel(datetime(2026, 12, 4, 3, 15, tzinfo=UTC), tick=False):
        parked = add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error='503 {"message":"unavailable"}')
    page = secretariat.get("/admin/outbox/undelivered")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="message-{parked}"' in html
    assert reporter_code(services, member) in html and f"/admin/members/{member}" in html
    assert "คำตอบของบอทต่อข้อความของผู้ใช้" in html  # the purpose in Thai, not "reply"
    assert "LINE ขัดข้อง (รหัส 503)" in html and "unavailable" not in html
    assert "4 ธ.ค. 2569 10:15 น." in html  # Bangkok time, Buddhist Era
    assert "พักไว้" in html and "ส่งใหม่" in html
    assert MEMBER_ID not in html and "สมศรี" not in html and SECRET_ANSWER not in html
    [entry] = audit_entries(services, "view.undelivered")
    assert (entry.actor, entry.detail["kind"], entry.detail["count"]) == ("noi", "failed", 1)
    assert page.headers["Cache-Control"] == "no-store"


def test_reasons_are_told_in_thai_for_each_of_lines_answers(secretariat, services):
    add_group(services, "สายตรวจ สน.บางรัก")
    reasons = {
        '400 {"message":"Failed to send messages"}': "บอทไม่อยู่ในกลุ่มนี้แล้ว",
        '403 {"message":"Forbidden"}': "ผู้รับบล็อกบอท หรือบอทไม่อยู่ในกลุ่ม",
        "0 ReadTimeoutError": "LINE ไม่ตอบภายในเวลาที่กำหนด",
        "0 NewConnectionError": "เชื่อมต่อ LINE ไม่ได้",
        '429 {"message":"You have reached your monthly limit."}': "โควตาข้อความของเดือนนี้หมดแล้ว",
        '400 {"message":"The request body has 1 error(s)"}': "รูปแบบข้อความไม่ถูกต้อง",
    }
    for error in reasons:
        add_row(services, GROUP_ID, status=OutboxStatus.FAILED, last_error=error, purpose="monthly-reminder")
    html = secretariat.get("/admin/outbox/undelivered").get_data(as_text=True)
    assert all(reason in html for reason in reasons.values())
    assert "กลุ่ม สายตรวจ สน.บางรัก" in html and GROUP_ID not in html
    assert "เตือนหน่วยที่ยังไม่ส่งรายงานประจำเดือน" in html  # the clock's job, in Thai


def test_rows_being_retried_and_rows_in_doubt_have_their_own_lists(secretariat, services):
    add_member(services, MEMBER_ID, "สมศรี ใจดี")
    retrying = add_row(
        services, MEMBER_ID, status=OutboxStatus.PENDING, method=delivery.REPLY_UNKNOWN, last_error="500 oops"
    )
    twice = add_row(services, MEMBER_ID, status=OutboxStatus.SENT, method=delivery.PUSH_AFTER_REPLY)
    missing = add_row(services, MEMBER_ID, status=OutboxStatus.SENT, method=delivery.LEGACY_UNCONFIRMED)
    fine = add_row(services, MEMBER_ID, status=OutboxStatus.SENT, method="reply")
    failed = secretariat.get("/admin/outbox/undelivered").get_data(as_text=True)
    assert "ไม่มีข้อความในรายการนี้" in failed
    assert "กำลังลองส่งใหม่ (1)" in failed and "ไม่ทราบผล / อาจได้รับซ้ำ (2)" in failed
    pending = secretariat.get("/admin/outbox/undelivered?kind=retrying").get_data(as_text=True)
    assert f'id="message-{retrying}"' in pending and "LINE ขัดข้อง (รหัส 500)" in pending
    assert "อาจถึงผู้รับแล้ว" in pending and "ลองอีกครั้ง" in pending
    assert "ส่งใหม่</button>" not in pending  # the bot retries it by itself
    doubt = secretariat.get("/admin/outbox/undelivered?kind=unknown").get_data(as_text=True)
    assert f'id="message-{twice}"' in doubt and "อาจได้รับข้อความนี้สองครั้ง" in doubt
    assert f'id="message-{missing}"' in doubt and "อาจไม่ได้รับข้อความนี้" in doubt
    assert f'id="message-{fine}"' not in doubt
    assert "ส่งใหม่</button>" not in doubt


def test_resend_puts_the_row_back_with_its_retry_key_and_is_audited(secretariat, services):
    add_member(services, MEMBER_ID, "สมศรี ใจดี")
    parked = add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error="500 oops")
    response = post_form(secretariat, f"/admin/outbox/{parked}/retry", form_page="/admin/outbox/undelivered")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/outbox/undelivered?kind=failed")
    row = row_of(services, parked)
    assert (row.status, row.push_tries, row.attempts) == (OutboxStatus.PENDING, 0, 8)
    [entry] = audit_entries(services, "outbox.retry")
    assert (entry.actor, entry.object_type, entry.object_id) == ("noi", "outgoing_message", str(parked))
    line = RecordingMessenger()
    assert delivery.deliver_due(services.sessions, line) == 1
    assert line.calls == [("push", MEMBER_ID, [SECRET_ANSWER], row.retry_key)]
    assert "นำข้อความ" in secretariat.get("/admin/outbox/undelivered").get_data(as_text=True)  # the flash
    again = post_form(secretariat, f"/admin/outbox/{parked}/retry", form_page="/admin/outbox/undelivered")
    assert again.status_code == 302 and row_of(services, parked).status == OutboxStatus.SENT  # sent: refused
    assert len(audit_entries(services, "outbox.retry")) == 1


def test_resend_needs_the_csrf_token(secretariat, services):
    parked = add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error="500 oops")
    assert secretariat.post(f"/admin/outbox/{parked}/retry").status_code == 400
    assert row_of(services, parked).status == OutboxStatus.PARKED


def test_a_row_whose_content_was_removed_cannot_be_resent(secretariat, services):
    parked = add_row(services, MEMBER_ID, status=OutboxStatus.FAILED, last_error="500 oops")
    with services.sessions.begin() as session:
        session.get(OutgoingMessage, parked).messages = messages_marker(utcnow() - timedelta(days=1), 90)
    html = secretariat.get("/admin/outbox/undelivered").get_data(as_text=True)
    assert "เนื้อหาถูกลบตามระยะเวลาเก็บรักษาแล้ว" in html and "ส่งใหม่</button>" not in html
    post_form(secretariat, f"/admin/outbox/{parked}/retry", form_page="/admin/outbox/undelivered")
    assert row_of(services, parked).status == OutboxStatus.FAILED


def test_district_officers_and_viewers_cannot_see_or_resend(app, services):
    add_member(services, MEMBER_ID, "สมศรี ใจดี", district="บางรัก")
    parked = add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error="500 oops")
    for role, districts in ((Role.DISTRICT_OFFICER, ["บางรัก"]), (Role.VIEWER, [])):
        client = signed_in(app, services, role, districts)
        assert client.get("/admin/outbox/undelivered").status_code == 403
        assert post_form(client, f"/admin/outbox/{parked}/retry").status_code == 403
        home = client.get("/admin/").get_data(as_text=True)
        assert "/admin/outbox/undelivered" not in home  # neither in the menu nor on the dashboard
    assert row_of(services, parked).status == OutboxStatus.PARKED
    assert audit_entries(services, "view.undelivered") == []


def test_the_dashboard_and_the_menu_lead_to_the_page(secretariat, services):
    from tests.test_home import tile_href, tile_number

    home = secretariat.get("/admin/").get_data(as_text=True)
    assert "ข้อความที่ส่งไม่ถึง</a>" in home and tile_number(home, "undelivered") == "0"  # the menu; the home's tile
    assert "ส่งไม่ถึงผู้รับ" not in secretariat.get("/admin/inbox/health").get_data(as_text=True)  # no notice
    add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error="500 oops")
    add_row(services, GROUP_ID, status=OutboxStatus.FAILED, last_error='403 {"message":"Forbidden"}')
    home = secretariat.get("/admin/").get_data(as_text=True)
    assert tile_number(home, "undelivered") == "2" and tile_href(home, "undelivered") == "/admin/outbox/undelivered"
    health = secretariat.get("/admin/inbox/health").get_data(as_text=True)
    assert "มีข้อความจากบอทที่ส่งไม่ถึงผู้รับ 2 รายการ" in health


def test_the_list_is_paginated_newest_first(secretariat, services):
    ids = [add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error="500 x") for _ in range(3)]
    first = secretariat.get("/admin/outbox/undelivered?per_page=2").get_data(as_text=True)
    assert f'id="message-{ids[-1]}"' in first and f'id="message-{ids[0]}"' not in first
    assert "หน้า 1 จาก 2" in first and "kind=failed" in first
    with services.sessions() as session:
        assert len(session.scalars(select(OutgoingMessage)).all()) == 3


def test_on_a_phone_the_page_fits_and_resend_works(services, live_server, phone_page):
    """At 360 px: the page does not scroll sideways (the table scrolls in its box), and the button resends."""
    expect = pytest.importorskip("playwright.sync_api").expect
    make_staff(services, "somchai", Role.SECRETARIAT, password="browser test password")
    member = add_member(services, MEMBER_ID, "สมศรี ใจดี")
    parked = add_row(services, MEMBER_ID, status=OutboxStatus.PARKED, last_error='503 {"message":"unavailable"}')
    page = phone_page
    page.goto(f"{live_server}/admin/outbox/undelivered")
    sign_in(page, "somchai", "browser test password")
    expect(page.locator("h1")).to_have_text("ข้อความที่ส่งไม่ถึง")
    row = page.locator(f"#message-{parked}")
    expect(row).to_contain_text(reporter_code(services, member))
    expect(row).to_contain_text("LINE ขัดข้อง (รหัส 503)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / "fieldline-admin-undelivered-360.png"), full_page=True)
    row.get_by_role("button", name=f"ส่งข้อความ #{parked} ใหม่").click()
    expect(page.locator(".flash-success")).to_contain_text(f"นำข้อความ #{parked} กลับเข้าคิวแล้ว")
    expect(page.locator(f"#message-{parked}")).to_have_count(0)
    assert row_of(services, parked).status == OutboxStatus.PENDING
