"""The units of the programme (patrol units, departments, the secretariat) and the LINE groups they are bound to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Chat, RiskUnit, UnitKind
from models.districts import DISTRICTS
from models.settings import get_setting
from services.riskpoints.errors import RiskPointError

DEFAULT_UNITS = (
    ("cleaning", "ฝ่ายรักษาความสะอาดและสวนสาธารณะ", UnitKind.DEPARTMENT),
    ("public_works", "ฝ่ายโยธา", UnitKind.DEPARTMENT),
    ("municipal", "ฝ่ายเทศกิจ", UnitKind.DEPARTMENT),
    ("secretariat", "ฝ่ายเลขานุการโครงการจุดเสี่ยง", UnitKind.SECRETARIAT),
)


def ensure_default_units(session: Session) -> list[RiskUnit]:
    """Create the departments and secretariat the default defect mapping names, if missing."""
    created = []
    for code, name, kind in DEFAULT_UNITS:
        if session.scalar(select(RiskUnit).where(RiskUnit.code == code)) is None:
            unit = RiskUnit(code=code, name=name, kind=kind)
            session.add(unit)
            created.append(unit)
    session.flush()
    return created


def next_unit_code(session: Session, kind: UnitKind | str) -> str:
    """The next free internal code of a kind of unit (patrol-3, department-2): nobody has to invent one."""
    prefix = UnitKind(kind).value
    taken = set(session.scalars(select(RiskUnit.code).where(RiskUnit.code.like(f"{prefix}-%"))))
    number = 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


def create_unit(
    session: Session, *, code: str = "", name: str, kind: UnitKind | str, district: str | None = None
) -> RiskUnit:
    """A patrol unit, department or secretariat (its internal code made up when none is given)."""
    if not name.strip():
        raise RiskPointError("กรุณาระบุชื่อหน่วย")
    code = code.strip() or next_unit_code(session, kind)
    if session.scalar(select(RiskUnit).where(RiskUnit.code == code)) is not None:
        raise RiskPointError(f"มีหน่วยรหัส {code} อยู่แล้ว")
    if district and district not in DISTRICTS:
        raise RiskPointError(f"ไม่รู้จักเขต {district}")
    unit = RiskUnit(code=code, name=name.strip()[:200], kind=UnitKind(kind), district=district or None)
    session.add(unit)
    session.flush()
    return unit


def bind_unit(session: Session, unit: RiskUnit, chat: Chat | None) -> None:
    """Bind a unit to a registered LINE group (None unbinds it)."""
    if chat is not None and not chat.is_registered:
        raise RiskPointError("กลุ่มนี้ยังไม่ได้ลงทะเบียน พิมพ์ “ลงทะเบียนกลุ่ม รหัส” ในกลุ่มก่อน")
    unit.chat_id = chat.id if chat else None


def registered_groups(session: Session, purposes: Iterable[str] = ("patrol", "department")) -> list[Chat]:
    """Registered groups that may be bound to units."""
    query = select(Chat).where(Chat.registered_at.is_not(None), Chat.purpose.in_(list(purposes))).order_by(Chat.name)
    return list(session.scalars(query))


def find_unit(session: Session, text: str, kind: UnitKind | None = None) -> RiskUnit | None:
    """A unit by code or exact name."""
    query = select(RiskUnit).where((RiskUnit.code == text.strip()) | (RiskUnit.name == text.strip()))
    if kind is not None:
        query = query.where(RiskUnit.kind == kind)
    return session.scalars(query).first()


def unit_chat(session: Session, unit: RiskUnit | None) -> str | None:
    """The LINE group id of a unit, if it is bound to a registered group the bot is still in."""
    if unit is None or unit.chat_id is None or not unit.is_active:
        return None
    chat = session.get(Chat, unit.chat_id)
    return chat.line_chat_id if chat is not None and chat.is_member else None


def unit_for_chat(session: Session, line_chat_id: str | None) -> RiskUnit | None:
    """The active unit bound to a LINE group."""
    if not line_chat_id:
        return None
    return session.scalar(
        select(RiskUnit)
        .join(Chat, Chat.id == RiskUnit.chat_id)
        .where(Chat.line_chat_id == line_chat_id, RiskUnit.is_active)
    )


def secretariat_chats(session: Session) -> list[str]:
    """The LINE groups of the active secretariat units."""
    units = session.scalars(select(RiskUnit).where(RiskUnit.kind == UnitKind.SECRETARIAT, RiskUnit.is_active))
    return [chat for unit in units if (chat := unit_chat(session, unit))]


def department_for(session: Session, kind: str) -> RiskUnit | None:
    """The unit responsible for a kind of defect (setting riskpoints.defect_departments)."""
    code = (get_setting(session, "riskpoints.defect_departments") or {}).get(kind)
    if not code:
        return None
    return session.scalar(select(RiskUnit).where(RiskUnit.code == code, RiskUnit.is_active))
