"""The person whose data it is: found by their LINE user id, named by a pseudonym once erased."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member

PSEUDONYM_PREFIX = "anon:"
MIN_NAME_LENGTH = 2


class PersonalDataError(Exception):
    """A request that cannot be done (no such person); the message is Thai, for the user."""


def pseudonym(member: Member) -> str:
    """The stable pseudonym that replaces a member's LINE user id, e.g. 'anon:R-7KQ2M9'."""
    return PSEUDONYM_PREFIX + member.reporter_code


def find_member(session: Session, line_user_id: str) -> Member | None:
    """The member with this LINE user id (or this pseudonym, once erased)."""
    return session.scalar(select(Member).where(Member.line_user_id == line_user_id.strip()))


def member_or_error(session: Session, line_user_id: str) -> Member:
    """The member with this LINE user id, or PersonalDataError."""
    member = find_member(session, line_user_id)
    if member is None:
        raise PersonalDataError("ไม่พบผู้ใช้ LINE รายนี้ในระบบ")
    return member


def names_of(member: Member) -> set[str]:
    """The names the person appears under in free-text columns (timelines, month reports)."""
    return {name for name in (member.full_name, member.display_name) if name and len(name) >= MIN_NAME_LENGTH}
