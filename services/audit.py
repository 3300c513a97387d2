"""The audit log: who signed in, changed or viewed what, and from where; never the data itself."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from models import AuditEntry


class Action:
    """The action names written to the audit log; views of personal data start with "view."."""

    LOGIN_OK = "login.ok"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGOUT = "logout"
    VIEW_INBOX_PAYLOAD = "view.inbox_payload"
    VIEW_MEMBERS = "view.members"
    VIEW_REJECTED = "view.rejected"
    VIEW_AUDIT = "view.audit"
    VIEW_STAFF = "view.staff"
    INBOX_RETRY = "inbox.retry"
    VIEW_UNDELIVERED = "view.undelivered"  # the list of messages LINE did not take (recipients' reporter codes)
    OUTBOX_RETRY = "outbox.retry"
    VIEW_DEAD_LETTERS = "view.dead_letters"
    DEAD_LETTER_REQUEUE = "dead_letter.requeue"
    DEAD_LETTER_DISCARD = "dead_letter.discard"
    STAFF_CREATE = "staff.create"
    STAFF_UPDATE = "staff.update"
    STAFF_DEACTIVATE = "staff.deactivate"
    STAFF_ACTIVATE = "staff.activate"
    TOKEN_CREATE = "token.create"  # noqa: S105 - an action name
    TOKEN_REVOKE = "token.revoke"  # noqa: S105 - an action name
    # The intelligence network: views of informants' data, then changes
    VIEW_MEMBER = "view.member"
    VIEW_IDENTITY = "view.identity"  # names, phones, LINE names: the detail says which members
    VIEW_REPORT = "view.report"
    VIEW_REPORT_MEDIA = "view.report_media"
    VIEW_NETWORK_ROLL = "view.network_roll"
    MEMBER_DECIDE = "member.decide"
    MEMBER_UPDATE = "member.update"
    GROUP_CODE_CREATE = "group_code.create"
    REPORT_CATEGORY = "report.category"
    REPORT_STATUS_UPDATE = "report.status_update"
    NETWORK_SETTINGS = "network.settings"
    NETWORK_LIST_UPDATE = "network.list_update"
    # PDPA retention (services/privacy/retention.py): what the purge removed, counts only
    RETENTION_PURGE = "retention.purge"
    # A person's rights (bot/personal_data/): the export is a view of everything held about them
    VIEW_PERSONAL_DATA_EXPORT = "view.personal_data_export"
    PERSONAL_DATA_ERASE = "personal_data.erase"


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object = None,
    ip: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (the caller commits); detail holds ids and counts, never content."""
    entry = AuditEntry(
        actor=actor[:120],
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:80],
        ip=ip[:64] if ip else None,
        detail=dict(detail or {}),
    )
    session.add(entry)
    return entry


def record_request(
    session: Session,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object = None,
    **detail: object,
) -> AuditEntry:
    """Audit the current request on behalf of its user (API token or web session) and address."""
    api_user = g.get("api_user")
    if api_user is not None:
        actor, detail = api_user.username, {"via": "api", "token_id": g.api_token.id, **detail}
    elif current_user.is_authenticated:
        actor, detail = current_user.username, {"via": "web", **detail}
    else:
        actor = "anonymous"
    return record(session, actor, action, object_type=object_type, object_id=object_id, ip=client_ip(), detail=detail)


def client_ip() -> str | None:
    """The client's address: the remote address, or X-Forwarded-For's entry set by the trusted proxies."""
    if not has_request_context():
        return None
    hops = int(current_app.config.get("TRUSTED_PROXY_COUNT", 0) or 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return request.remote_addr
