"""Auditing a web or API request: its user (session or token) and the client's address (services/audit.py writes)."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from models import AuditEntry
from services.audit import record


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
