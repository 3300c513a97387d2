"""Who belongs to which unit: invited from the admin web, accepted or declined in LINE, removed by staff.

A membership row per unit and LINE user (rp_unit_members). ``invite`` sends the invitation as a notice
(``RosterInvited``) to the person's one-to-one chat; only that person may ``accept`` or ``decline`` it. Every
change of someone's units refreshes the rich menu they should see (services/roles.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from models import Member, MemberStatus, RiskUnit, RosterStatus, UnitMembership
from services import roles
from services.notices import Notify, RosterInvited
from services.riskpoints.errors import RiskPointError

CANDIDATE_LIMIT = 30


def name_of(member: Member) -> str:
    """How staff see a person on the roster: their registered name, else their LINE name."""
    return member.full_name or member.display_name or "ผู้ใช้ LINE"


def _reachable(member: Member) -> bool:
    return member.is_friend and member.erased_at is None and member.status != MemberStatus.SUSPENDED


def membership_of(session: Session, unit: RiskUnit, member: Member) -> UnitMembership | None:
    """A person's membership row of a unit (any status)."""
    return session.scalar(
        select(UnitMembership).where(UnitMembership.unit_id == unit.id, UnitMembership.member_id == member.id)
    )


def invite(
    session: Session, unit: RiskUnit, member: Member, *, by: str | None, now: datetime, notify: Notify
) -> UnitMembership:
    """Invite a friend of the bot onto a unit's roster and send the invitation in LINE (again if still open)."""
    if not unit.is_active:
        raise RiskPointError(f"{unit.name} ปิดใช้งานแล้ว เชิญสมาชิกเพิ่มไม่ได้")
    if not _reachable(member):
        raise RiskPointError(f"{name_of(member)} ยังไม่ได้เป็นเพื่อนกับบอท LINE จึงส่งคำเชิญไม่ได้")
    membership = membership_of(session, unit, member)
    if membership is not None and membership.status == RosterStatus.ACTIVE:
        raise RiskPointError(f"{name_of(member)} เป็นสมาชิกของ{unit.name}อยู่แล้ว")
    if membership is None:
        membership = UnitMembership(unit_id=unit.id, member_id=member.id)
        session.add(membership)
    membership.unit = unit
    membership.status = RosterStatus.INVITED
    membership.invited_at, membership.invited_by = now, by
    membership.answered_at = membership.removed_at = membership.removed_by = None
    session.flush()
    notify(member.line_user_id, RosterInvited(membership))
    return membership


def _answer(session: Session, membership: UnitMembership, member: Member | None, now: datetime, to: RosterStatus):
    if member is None or membership.member_id != member.id:
        raise RiskPointError("คำเชิญนี้ส่งถึงบุคคลอื่น ท่านตอบแทนไม่ได้")
    if membership.status == to:
        return membership
    if membership.status != RosterStatus.INVITED:
        raise RiskPointError(STALE[membership.status].format(unit=membership.unit.name))
    membership.status, membership.answered_at = to, now
    roles.refresh_menu(session, member)
    return membership


STALE = {
    RosterStatus.REMOVED: "ท่านถูกนำออกจากรายชื่อของ{unit}แล้ว คำเชิญนี้ใช้ไม่ได้",
    RosterStatus.DECLINED: "ท่านปฏิเสธคำเชิญของ{unit}ไปแล้ว หากต้องการเข้าร่วม ขอให้ฝ่ายเลขานุการเชิญใหม่",
    RosterStatus.ACTIVE: "ท่านเป็นสมาชิกของ{unit}อยู่แล้ว หากต้องการออก ขอให้ฝ่ายเลขานุการนำชื่อออก",
}


def accept(session: Session, membership: UnitMembership, member: Member | None, now: datetime) -> UnitMembership:
    """The invited person accepts: they act for the unit from now on (accepting twice changes nothing)."""
    return _answer(session, membership, member, now, RosterStatus.ACTIVE)


def decline(session: Session, membership: UnitMembership, member: Member | None, now: datetime) -> UnitMembership:
    """The invited person declines (declining twice changes nothing)."""
    return _answer(session, membership, member, now, RosterStatus.DECLINED)


def remove(session: Session, membership: UnitMembership, *, by: str | None, now: datetime) -> UnitMembership:
    """Take someone off a unit's roster (an open invitation is withdrawn too)."""
    if membership.status == RosterStatus.REMOVED:
        raise RiskPointError("รายชื่อนี้ถูกนำออกไปแล้ว")
    membership.status, membership.removed_at, membership.removed_by = RosterStatus.REMOVED, now, by
    roles.refresh_menu(session, session.get(Member, membership.member_id))
    return membership


def roster_of(session: Session, unit: RiskUnit) -> list[tuple[UnitMembership, Member]]:
    """A unit's memberships with their members, newest invitation first."""
    query = (
        select(UnitMembership, Member)
        .join(Member, Member.id == UnitMembership.member_id)
        .where(UnitMembership.unit_id == unit.id)
        .order_by(UnitMembership.invited_at.desc(), UnitMembership.id.desc())
    )
    return [(membership, member) for membership, member in session.execute(query)]


def candidates(session: Session, query: str | None) -> list[Member]:
    """Friends of the bot who may be invited, searched by LINE name or registered name (never suspended/erased)."""
    statement = select(Member).where(
        Member.is_friend.is_(True), Member.erased_at.is_(None), Member.status != MemberStatus.SUSPENDED
    )
    words = (query or "").strip()
    if words:
        pattern = f"%{words}%"
        statement = statement.where(or_(Member.display_name.ilike(pattern), Member.full_name.ilike(pattern)))
    statement = statement.order_by(Member.full_name, Member.display_name, Member.id).limit(CANDIDATE_LIMIT)
    return list(session.scalars(statement))


def membership_with_unit(session: Session, membership_id: int) -> UnitMembership | None:
    """A membership row with its unit loaded (None if unknown)."""
    return session.scalar(
        select(UnitMembership).options(joinedload(UnitMembership.unit)).where(UnitMembership.id == membership_id)
    )
