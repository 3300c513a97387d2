"""Per-user API bearer tokens: shown once when issued, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiToken, StaffUser

TOKEN_PREFIX = "fl_"  # noqa: S105 - marks FieldLine tokens (for secret scanners), not a secret


def hash_token(token: str) -> str:
    """The SHA-256 hex digest a token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: StaffUser, name: str) -> tuple[ApiToken, str]:
    """Create a token for a user; return the row and the plain token, which is never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip()[:100] or "api", token_hash=hash_token(plain))
    session.add(token)
    session.flush()
    return token, plain


def authenticate_token(session: Session, plain: str, now: datetime) -> ApiToken | None:
    """The live token for a bearer value (not revoked, user active), with last_used_at updated; else None."""
    if not plain:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    token.last_used_at = now
    return token


def revoke_token(token: ApiToken, now: datetime) -> bool:
    """Revoke a token; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    return True
