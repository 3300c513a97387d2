"""The agencies the working group forwards to: the default list (BMA offices, district offices, outside agencies)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.districts import DISTRICTS
from models.workgroup import Agency, AgencyKind
from services.workgroup.errors import WorkgroupError

ZONES = (
    ("zone_central", "กลุ่มเขตกรุงเทพกลาง"),
    ("zone_south", "กลุ่มเขตกรุงเทพใต้"),
    ("zone_north", "กลุ่มเขตกรุงเทพเหนือ"),
    ("zone_east", "กลุ่มเขตกรุงเทพตะวันออก"),
    ("zone_thonburi_north", "กลุ่มเขตกรุงธนเหนือ"),
    ("zone_thonburi_south", "กลุ่มเขตกรุงธนใต้"),
)
# The configurable list's starting point: code, name, short name, kind, authority over illegal immigration,
# and whom a letter is addressed to.
DEFAULT_AGENCIES: tuple[tuple[str, str, str, AgencyKind, bool, str | None], ...] = (
    ("opr", "สำนักงานปกครองและทะเบียน", "สปท.", AgencyKind.BMA, False, "ผู้อำนวยการสำนักงานปกครองและทะเบียน"),
    *((code, name, name, AgencyKind.BMA, False, None) for code, name in ZONES),
    (
        "isoc_bkk",
        "กองอำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร",
        "กอ.รมน.กทม.",
        AgencyKind.OUTSIDE,
        True,
        "ผู้อำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร",
    ),
    ("immigration", "สำนักงานตรวจคนเข้าเมือง", "สตม.", AgencyKind.OUTSIDE, True, "ผู้บัญชาการสำนักงานตรวจคนเข้าเมือง"),
    ("nia", "สำนักข่าวกรองแห่งชาติ", "สขช.", AgencyKind.OUTSIDE, True, "ผู้อำนวยการสำนักข่าวกรองแห่งชาติ"),
    (
        "msdhs",
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
        "พม.",
        AgencyKind.OUTSIDE,
        True,
        "ปลัดกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    ("employment", "กรมการจัดหางาน", "กกจ.", AgencyKind.OUTSIDE, True, "อธิบดีกรมการจัดหางาน"),
    ("metro_police", "กองบัญชาการตำรวจนครบาล", "บช.น.", AgencyKind.OUTSIDE, True, "ผู้บัญชาการตำรวจนครบาล"),
)


def district_office_code(district: str) -> str:
    """The agency code of a district office, e.g. district:คลองเตย."""
    return f"district:{district}"


def ensure_default_agencies(session: Session, *, with_districts: bool = True) -> list[Agency]:
    """Add the default agencies (and the 50 district offices) that are missing; return those added."""
    existing = set(session.scalars(select(Agency.code)))
    rows: list[dict[str, Any]] = [
        {
            "code": code,
            "name": name,
            "short_name": short,
            "kind": kind,
            "immigration_authority": authority,
            "addressee": addressee,
        }
        for code, name, short, kind, authority, addressee in DEFAULT_AGENCIES
    ]
    if with_districts:
        rows += [
            {
                "code": district_office_code(name),
                "name": f"สำนักงานเขต{name}",
                "short_name": f"เขต{name}",
                "kind": AgencyKind.BMA,
                "immigration_authority": False,
                "district": name,
                "addressee": f"ผู้อำนวยการเขต{name}",
            }
            for name in DISTRICTS
        ]
    added = []
    for order, row in enumerate(rows):
        if row["code"] not in existing:
            agency = Agency(sort_order=order * 10, **row)
            session.add(agency)
            added.append(agency)
    session.flush()
    return added


def save_agency(session: Session, agency_id: int | None, **fields: Any) -> Agency:
    """Create an agency (agency_id None) or change one; a new one without a code gets one, codes stay unique.

    People name agencies; the code is the machine's key (defaults, imports), so the web form never asks for it.
    """
    name = (fields.get("name") or "").strip()
    if not name:
        raise WorkgroupError("กรุณาระบุชื่อหน่วยงาน")
    existing = session.get(Agency, agency_id) if agency_id else None
    code = (fields.get("code") or "").strip() or (existing.code if existing else _new_code(session))
    kind = AgencyKind(fields.get("kind") or AgencyKind.BMA)
    clash = session.scalar(select(Agency).where(Agency.code == code, Agency.id != (agency_id or 0)))
    if clash is not None:
        raise WorkgroupError(f"มีหน่วยงานชื่อ {clash.name} ใช้รหัสนี้อยู่แล้ว")
    district = (fields.get("district") or "").strip() or None
    if district is not None and district not in DISTRICTS:
        raise WorkgroupError(f"ไม่รู้จักเขต {district}")
    agency = session.get(Agency, agency_id) if agency_id else Agency()
    if agency is None:
        raise WorkgroupError("ไม่พบหน่วยงานนี้")
    agency.code, agency.name, agency.kind = code[:40], name[:200], kind
    agency.short_name = (fields.get("short_name") or "").strip()[:60] or None
    agency.immigration_authority = bool(fields.get("immigration_authority")) and kind == AgencyKind.OUTSIDE
    agency.district = district
    agency.addressee = (fields.get("addressee") or "").strip()[:200] or None
    agency.contact = (fields.get("contact") or "").strip() or None
    agency.chat_id = fields.get("chat_id") or None
    agency.is_active = bool(fields.get("is_active", True))
    session.add(agency)
    session.flush()
    return agency


def _new_code(session: Session) -> str:
    """A code no agency has yet: agency-<n>."""
    number = (session.scalar(select(func.max(Agency.id))) or 0) + 1
    taken = set(session.scalars(select(Agency.code).where(Agency.code.like("agency-%"))))
    while f"agency-{number}" in taken:
        number += 1
    return f"agency-{number}"


def active_agencies(session: Session) -> list[Agency]:
    """Agencies in the configured order."""
    return list(session.scalars(select(Agency).where(Agency.is_active).order_by(Agency.sort_order, Agency.id)))
