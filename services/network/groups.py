"""Registering LINE groups with the network: one-time codes typed in the group."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from models import GroupRegistrationCode
from models.timeutil import utcnow
from services.network.errors import NetworkError
from texts import network as t

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PURPOSES = tuple(t.GROUP_PURPOSES)


def create_group_code(
    session: Session, *, name: str, purpose: str, by: str, occupation: str | None = None, days: int = 7
) -> GroupRegistrationCode:
    """A one-time code to type in a LINE group as 'ลงทะเบียนกลุ่ม CODE'."""
    if purpose not in PURPOSES:
        raise NetworkError(f"ประเภทกลุ่มไม่ถูกต้อง: {purpose}")
    code = GroupRegistrationCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
        name=name.strip()[:200],
        purpose=purpose,
        occupation_code=occupation or None,
        created_by=by,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(code)
    session.flush()
    return code
