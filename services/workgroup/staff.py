"""Staff accounts and LINE: linking an account by a one-time code, and who belongs to the secretariat."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.admin import Role, StaffUser
from models.workgroup import StaffLineLink, StaffLinkCode
from services.workgroup.errors import WorkgroupError

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SECRETARIAT_ROLES = (Role.ADMIN, Role.SECRETARIAT)


def create_link_code(session: Session, staff_user_id: int, now: datetime, minutes: int = 30) -> StaffLinkCode:
    """A one-time code the staff member types to the bot as 'เชื่อมบัญชี CODE' within some minutes."""
    code = StaffLinkCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
        staff_user_id=staff_user_id,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(code)
    session.flush()
    return code


def use_link_code(session: Session, typed: str, line_user_id: str, now: datetime) -> StaffUser | None:
    """Link the LINE user to the code's staff account; None if the code is wrong, used or expired."""
    code = session.scalar(
        select(StaffLinkCode).where(
            StaffLinkCode.code == typed.strip().upper(),
            StaffLinkCode.used_at.is_(None),
            StaffLinkCode.expires_at > now,
        )
    )
    if code is None:
        return None
    user = session.get(StaffUser, code.staff_user_id)
    if user is None or not user.is_active:
        return None
    taken = session.scalar(select(StaffLineLink).where(StaffLineLink.line_user_id == line_user_id))
    if taken is not None and taken.staff_user_id != user.id:
        raise WorkgroupError("taken")
    code.used_at = now
    link = session.get(StaffLineLink, user.id)
    if link is None:
        session.add(StaffLineLink(staff_user_id=user.id, line_user_id=line_user_id, linked_at=now))
    else:
        link.line_user_id, link.linked_at = line_user_id, now
    session.flush()
    return user


def unlink_line(session: Session, *, staff_user_id: int | None = None, line_user_id: str | None = None) -> bool:
    """Remove a staff account's LINE link; False when there was none."""
    query = select(StaffLineLink)
    if staff_user_id is not None:
        query = query.where(StaffLineLink.staff_user_id == staff_user_id)
    elif line_user_id is not None:
        query = query.where(StaffLineLink.line_user_id == line_user_id)
    else:
        return False
    link = session.scalar(query)
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


def line_link(session: Session, staff_user_id: int) -> StaffLineLink | None:
    """The staff account's LINE link, if any."""
    return session.get(StaffLineLink, staff_user_id)


def staff_for_line_user(session: Session, line_user_id: str | None) -> StaffUser | None:
    """The active staff account linked to a LINE user id."""
    if not line_user_id:
        return None
    user = session.scalar(
        select(StaffUser)
        .join(StaffLineLink, StaffLineLink.staff_user_id == StaffUser.id)
        .where(StaffLineLink.line_user_id == line_user_id)
    )
    return user if user is not None and user.is_active else None


def is_secretariat(user: StaffUser | None) -> bool:
    """Whether a staff account may use the secretariat's LINE commands."""
    return user is not None and user.is_active and user.role in SECRETARIAT_ROLES


def secretariat_line_ids(session: Session) -> list[str]:
    """LINE user ids of active admin and secretariat accounts: where warnings and reminders go."""
    rows = session.scalars(
        select(StaffLineLink.line_user_id)
        .join(StaffUser, StaffUser.id == StaffLineLink.staff_user_id)
        .where(StaffUser.is_active, StaffUser.role.in_(SECRETARIAT_ROLES))
        .order_by(StaffLineLink.staff_user_id)
    )
    return list(rows)
