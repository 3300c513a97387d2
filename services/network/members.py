"""Network members: the secretariat's decisions on registrations and corrections to a member's details."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, MemberStatus, Occupation
from models.districts import match_district
from models.timeutil import utcnow
from services.network.errors import NetworkError
from services.notices import MemberDecided, Notify
from services.roles import refresh_menu

PHONE = re.compile(r"^0\d{8,9}$")


def normalise_phone(typed: str) -> str | None:
    """A Thai phone number as 9-10 digits starting with 0, or None when it is not one."""
    digits = re.sub(r"[\s\-().]", "", typed)
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    if not PHONE.match(digits):
        return None
    if len(digits) == 10 and digits[1] not in "689":
        return None  # ten digits are mobile numbers: 06, 08, 09
    return digits


def decide_member(
    session: Session, member_id: int, status: MemberStatus, *, by: str, notify: Notify | None = None
) -> Member:
    """Approve, reject or suspend a registered member; the member is told (by ``notify``) if still a friend."""
    member = session.get(Member, member_id)
    if member is None or member.registered_at is None:
        raise NetworkError("ไม่พบสมาชิกที่ลงทะเบียนนี้")
    member.status = status
    member.decided_at, member.decided_by = utcnow(), by
    refresh_menu(session, member)
    if notify is not None and member.is_friend and member.line_user_id:
        notify(member.line_user_id, MemberDecided(member, status.value))
    return member


DECISIONS: dict[MemberStatus, tuple[MemberStatus, ...]] = {
    MemberStatus.PENDING: (MemberStatus.APPROVED, MemberStatus.REJECTED),
    MemberStatus.APPROVED: (MemberStatus.SUSPENDED,),
    MemberStatus.SUSPENDED: (MemberStatus.APPROVED,),
    MemberStatus.REJECTED: (MemberStatus.APPROVED,),
}


def decisions_for(member: Member) -> tuple[MemberStatus, ...]:
    """The statuses the secretariat may move a registered member to from where they stand."""
    if member.registered_at is None:
        return ()
    return DECISIONS.get(member.status, ())


def pending_members(session: Session) -> list[Member]:
    """Members waiting for approval, oldest first."""
    query = select(Member).where(Member.status == MemberStatus.PENDING).order_by(Member.registered_at)
    return list(session.scalars(query))


# --- editing members (admin web) ---------------------------------------------------------------

MEMBER_FIELDS = ("full_name", "phone", "occupation_code", "district")


def update_member(
    session: Session,
    member_id: int,
    *,
    full_name: str | None,
    phone: str | None,
    occupation: str | None,
    district: str | None,
) -> list[str]:
    """Correct a member's name, phone, occupational group or district; return the names of changed fields.

    A blank value erases the field (a member may ask for their data to be removed).
    """
    member = session.get(Member, member_id)
    if member is None:
        raise NetworkError("ไม่พบสมาชิกนี้")
    values: dict[str, str | None] = {}
    name = " ".join((full_name or "").split())
    if name and not 2 <= len(name) <= 100:
        raise NetworkError("ชื่อควรยาว 2–100 ตัวอักษร")
    values["full_name"] = name or None
    typed_phone = (phone or "").strip()
    values["phone"] = normalise_phone(typed_phone) if typed_phone else None
    if typed_phone and values["phone"] is None:
        raise NetworkError("เบอร์โทรศัพท์ไม่ถูกต้อง: ใช้ตัวเลข 9–10 หลัก เช่น 0812345678 หรือ 021234567")
    values["occupation_code"] = (occupation or "").strip() or None
    if values["occupation_code"] and session.get(Occupation, values["occupation_code"]) is None:
        raise NetworkError("ไม่พบกลุ่มอาชีพนี้")
    typed_district = (district or "").strip()
    values["district"] = match_district(typed_district) if typed_district else None
    if typed_district and values["district"] is None:
        raise NetworkError(f"ไม่พบเขต “{typed_district}” ในกรุงเทพมหานคร")
    changed = [field for field in MEMBER_FIELDS if getattr(member, field) != values[field]]
    for field in changed:
        setattr(member, field, values[field])
    return changed
