"""Helpers shared by the admin web, API and audit tests (this module holds no tests)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.admin.staff_accounts import create_staff_user
from bot.api.tokens import issue_token
from models import AuditEntry, InboxEvent, InboxStatus, Member, Role, StaffUser
from models.timeutil import utcnow

PASSWORD = "correct horse battery"
SECRET_TEXT = "ข่าวลับจากผู้แจ้ง: พบแรงงานลักลอบเข้าเมืองที่ซอย 7"
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_staff(
    services, username: str, role: Role = Role.ADMIN, *, districts=(), password: str = PASSWORD, active: bool = True
) -> int:
    """Create a staff account directly in the database; return its id."""
    with services.sessions.begin() as session:
        user = create_staff_user(session, username=username, password=password, role=role, districts=districts)
        user.is_active = active
        return user.id


def make_token(services, username: str, name: str = "test") -> str:
    """Issue an API token for an existing account; return the plain token."""
    with services.sessions.begin() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        return issue_token(session, user, name)[1]


def csrf_token(client, path: str = "/admin/login") -> str:
    """Read a CSRF token from a page (the client keeps the session cookie it belongs to)."""
    response = client.get(path)
    match = CSRF_PATTERN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, *, next_url: str = ""):
    """Sign in through the login form, with its CSRF token."""
    token = csrf_token(client)
    data = {"username": username, "password": password, "csrf_token": token, "next": next_url}
    return client.post("/admin/login", data=data)


def post_form(client, path: str, data: dict | None = None, *, form_page: str = "/admin/"):
    """POST a form with a valid CSRF token taken from a page of the signed-in session."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, form_page)})


def add_event(
    services,
    *,
    status: InboxStatus = InboxStatus.PARKED,
    event_type: str = "message",
    source_type: str = "user",
    user_id: str = "U0123456789abcdef0123456789abcdef",
    text: str = SECRET_TEXT,
    attempts: int = 5,
    last_error: str | None = "RuntimeError: handler failed",
    received_minutes_ago: int = 0,
) -> int:
    """Store one inbox event with a message payload; return its id."""
    now = utcnow() - timedelta(minutes=received_minutes_ago)
    payload = {
        "type": event_type,
        "mode": "active",
        "timestamp": int(now.timestamp() * 1000),
        "source": {"type": source_type, "userId": user_id},
        "webhookEventId": uuid.uuid4().hex,
        "message": {"type": "text", "id": "1", "text": text},
    }
    with services.sessions.begin() as session:
        event = inbox_row(session, payload, user_id, now, status=status, attempts=attempts, last_error=last_error)
        return event.id


def inbox_row(session, payload: dict, chat_key: str, when: datetime, **columns) -> InboxEvent:
    """Store a webhook event `payload` as received at `when`, flushed."""
    event = InboxEvent(
        webhook_event_id=payload["webhookEventId"],
        content_hash=hashlib.sha256(json.dumps(payload).encode()).hexdigest(),
        event_type=payload["type"],
        source_type=payload["source"]["type"],
        chat_key=chat_key,
        event_at=when,
        received_at=when,
        payload=json.dumps(payload, ensure_ascii=False),
        next_attempt_at=when,
        **columns,
    )
    session.add(event)
    session.flush()
    return event


def add_member(services, line_user_id: str, display_name: str, district: str | None = None) -> int:
    """Store one member; return its id."""
    with services.sessions.begin() as session:
        member = Member(line_user_id=line_user_id, display_name=display_name, is_friend=True, district=district)
        session.add(member)
        session.flush()
        return member.id


def audit_entries(services, action: str | None = None) -> list[AuditEntry]:
    """The audit log, oldest first, optionally of one action."""
    with services.sessions() as session:
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            statement = statement.where(AuditEntry.action == action)
        return list(session.scalars(statement))


def event_status(services, event_id: int) -> InboxStatus:
    """The current status of an inbox event."""
    with services.sessions() as session:
        return session.get(InboxEvent, event_id).status
