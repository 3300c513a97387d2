"""Putting test users on a unit's roster directly, as if they had accepted the admin web's invitation."""

from __future__ import annotations

from sqlalchemy import select

from models import Member, RiskUnit, RosterStatus, UnitMembership
from models.timeutil import utcnow
from services.roles import refresh_menu


def enrol(session, line_user_id: str, unit: RiskUnit) -> UnitMembership:
    """An ACTIVE membership of the unit for a LINE user (the Member is created, as a friend, if missing)."""
    member = session.scalar(select(Member).where(Member.line_user_id == line_user_id))
    if member is None:
        member = Member(line_user_id=line_user_id, is_friend=True)
        session.add(member)
        session.flush()
    membership = session.scalar(
        select(UnitMembership).where(UnitMembership.unit_id == unit.id, UnitMembership.member_id == member.id)
    )
    if membership is None:
        membership = UnitMembership(unit_id=unit.id, member_id=member.id, invited_by="test")
        session.add(membership)
    membership.status, membership.answered_at = RosterStatus.ACTIVE, utcnow()
    session.flush()
    refresh_menu(session, member)
    return membership
