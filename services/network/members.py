"""What the secretariat does to the network from the admin web, the API or the CLI."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.registration import normalise_phone
from line.messages import text
from models import (
    GroupRegistrationCode,
    Member,
    MemberStatus,
    NewsReport,
    Occupation,
    ReportCategory,
    ReportStatus,
)
from models.districts import match_district
from models.settings import DEFAULTS, get_setting, set_setting
from models.timeutil import utcnow
from runtime import delivery
from texts import network as t

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PURPOSES = tuple(t.GROUP_PURPOSES)


class NetworkError(ValueError):
    """An action the data does not allow (shown to the staff member as is)."""


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


def decide_member(session: Session, member_id: int, status: MemberStatus, *, by: str) -> Member:
    """Approve, reject or suspend a registered member."""
    member = session.get(Member, member_id)
    if member is None or member.registered_at is None:
        raise NetworkError("ไม่พบสมาชิกที่ลงทะเบียนนี้")
    member.status = status
    member.decided_at, member.decided_by = utcnow(), by
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


def set_category(session: Session, report_id: int, code: str, *, by: str) -> NewsReport:
    """The secretariat's category for a report (it replaces the suggestion)."""
    report = session.get(NewsReport, report_id)
    if report is None or session.get(ReportCategory, code) is None:
        raise NetworkError("ไม่พบข่าวหรือหมวดหมู่นี้")
    report.category_code, report.category_set_by = code, by
    return report


def send_status_update(session: Session, report_id: int, key: str, *, by: str) -> bool:
    """Tell a report's sender where it stands, by push (counts against the quota); False if unreachable."""
    report = session.get(NewsReport, report_id)
    if report is None or key not in t.STATUS_UPDATES:
        raise NetworkError("ไม่พบข่าวหรือข้อความสถานะนี้")
    if key == "received" and report.status == ReportStatus.NEW:
        report.status = ReportStatus.RECEIVED
    if key == "forwarded":
        report.status = ReportStatus.FORWARDED
    reporter = session.get(Member, report.reporter_id) if report.reporter_id else None
    if reporter is None or not reporter.is_friend:
        return False
    body = t.STATUS_UPDATES[key].format(ref=report.ref_no)
    delivery.enqueue(session, reporter.line_user_id, [text(body)], purpose=f"status-update:{key}")
    return True


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


# --- configurable lists: occupational groups and report categories --------------------------------

LIST_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")


def _list_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not 1 <= len(cleaned) <= 100:
        raise NetworkError("ชื่อต้องยาว 1–100 ตัวอักษร")
    return cleaned


def _new_code(session: Session, model: type, code: str) -> str:
    cleaned = (code or "").strip().lower()
    if not LIST_CODE.match(cleaned):
        raise NetworkError("รหัสต้องขึ้นต้นด้วยอักษรอังกฤษตัวเล็ก ยาว 2–30 ตัว ใช้ได้เฉพาะ a–z, 0–9 และ _")
    if session.get(model, cleaned) is not None:
        raise NetworkError(f"มีรหัส {cleaned} อยู่แล้ว")
    return cleaned


def split_keywords(raw: str | list[str] | None) -> list[str]:
    """Keywords typed one per line or separated by commas, trimmed, without blanks or repeats."""
    parts = raw if isinstance(raw, list) else re.split(r"[,\n]+", raw or "")
    return list(dict.fromkeys(part.strip() for part in parts if part and part.strip()))


def save_occupation(
    session: Session, code: str, *, name: str, sort_order: int, is_active: bool, create: bool = False
) -> Occupation:
    """Add an occupational group, or rename, reorder, retire or restore one (codes never change)."""
    if create:
        occupation = Occupation(code=_new_code(session, Occupation, code))
        session.add(occupation)
    else:
        occupation = session.get(Occupation, code)
        if occupation is None:
            raise NetworkError("ไม่พบกลุ่มอาชีพนี้")
    occupation.name, occupation.sort_order, occupation.is_active = _list_name(name), int(sort_order), bool(is_active)
    session.flush()
    return occupation


def save_category(
    session: Session,
    code: str,
    *,
    name: str,
    keywords: str | list[str],
    sort_order: int,
    is_active: bool,
    create: bool = False,
) -> ReportCategory:
    """Add a report category, or change its name, keywords, order or whether it is offered."""
    if create:
        category = ReportCategory(code=_new_code(session, ReportCategory, code))
        session.add(category)
    else:
        category = session.get(ReportCategory, code)
        if category is None:
            raise NetworkError("ไม่พบหมวดหมู่นี้")
    words = split_keywords(keywords)
    if any(len(word) > 50 for word in words) or len(words) > 100:
        raise NetworkError("คำสำคัญแต่ละคำยาวได้ไม่เกิน 50 ตัวอักษร และไม่เกิน 100 คำ")
    category.name, category.keywords = _list_name(name), words
    category.sort_order, category.is_active = int(sort_order), bool(is_active)
    session.flush()
    return category


# --- the network's settings ---------------------------------------------------------------------

SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "network.burst_minutes": (1, 240),
    "network.duplicate_radius_m": (10, 50_000),
    "network.duplicate_hours": (1, 720),
    "network.level1_min_occupations": (1, 20),
    "network.kpi_target": (1, 5),
}


def network_setting_keys() -> list[str]:
    """The editable settings of the network (models.settings.DEFAULTS keys starting with 'network.')."""
    return [key for key in DEFAULTS if key.startswith("network.")]


def parse_network_setting(key: str, raw: Any) -> Any:
    """A typed value for a network setting from form or JSON input, or NetworkError in Thai."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return raw in (True, "1", "on", "true", "yes")
    if isinstance(default, int):
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise NetworkError("ต้องเป็นจำนวนเต็ม") from None
        low, high = SETTING_LIMITS.get(key, (0, 10**9))
        if not low <= value <= high:
            raise NetworkError(f"ต้องอยู่ระหว่าง {low:,} ถึง {high:,}")
        return value
    if isinstance(default, list):
        values = split_keywords(raw)
        if not values or len(values) > 20 or any(len(value) > 30 for value in values):
            raise NetworkError("ระบุอย่างน้อย 1 คำ ไม่เกิน 20 คำ แต่ละคำยาวไม่เกิน 30 ตัวอักษร")
        return values
    value = str(raw or "").strip()
    if not 1 <= len(value) <= 20:
        raise NetworkError("ต้องยาว 1–20 ตัวอักษร")
    return value


def save_network_settings(session: Session, raw: dict[str, Any], *, by: str) -> tuple[list[str], dict[str, str]]:
    """Validate every network setting, then store the changed ones; return (changed keys, errors by key).

    Nothing is stored when any value is wrong.
    """
    values, errors = {}, {}
    for key in network_setting_keys():
        try:
            values[key] = parse_network_setting(key, raw.get(key))
        except NetworkError as error:
            errors[key] = str(error)
    if errors:
        return [], errors
    changed = [key for key, value in values.items() if get_setting(session, key) != value]
    for key in changed:
        set_setting(session, key, values[key], by)
    return changed, {}
