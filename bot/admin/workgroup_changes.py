"""A committee's history of changes in Thai: field names, dates in the Buddhist Era, roles and agencies by name."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.timeutil import thai_date
from models.workgroup import Agency, CommitteeRole
from reports.network_kpi import ROLE_NAMES

FIELD_NAMES = {
    "name": "ชื่อคณะทำงาน",
    "order_no": "เลขที่คำสั่ง",
    "order_issuer": "ผู้ออกคำสั่ง",
    "order_date": "วันที่ของคำสั่ง",
    "valid_from": "วันเริ่มมีผล",
    "valid_until": "วันสิ้นสุด",
    "note": "หมายเหตุ",
    "role": "บทบาท",
    "agency_id": "หน่วยงาน",
    "full_name": "ชื่อ–นามสกุล",
    "position": "ตำแหน่ง",
    "contact": "ช่องทางติดต่อ",
    "joined_on": "เริ่มเมื่อ",
    "left_on": "พ้นจากตำแหน่งเมื่อ",
    "sort_order": "ลำดับที่แสดง",
}
OTHER_FIELD = "ข้อมูลอื่น"
EMPTY = "–"


def _value(field: str, value: object, agencies: dict[int, str]) -> str:
    if value in (None, ""):
        return EMPTY
    if field == "agency_id":
        return agencies.get(int(value), "หน่วยงานที่ถูกลบไปแล้ว") if str(value).isdigit() else EMPTY
    if field == "role":
        try:
            return ROLE_NAMES[CommitteeRole(value)]
        except ValueError:
            return EMPTY
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return thai_date(date.fromisoformat(value))
    return str(value)


def change_lines(session: Session, detail: dict) -> list[tuple[str, str, str]]:
    """Each changed field of one history entry as (Thai field name, before, after)."""
    ids = [int(v) for v in ((detail or {}).get("agency_id") or {}).values() if str(v).isdigit()]
    agencies = dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))) if ids else {}
    lines = []
    for field, values in (detail or {}).items():
        if not isinstance(values, dict):
            continue
        lines.append(
            (
                FIELD_NAMES.get(field, OTHER_FIELD),
                _value(field, values.get("from"), agencies),
                _value(field, values.get("to"), agencies),
            )
        )
    return lines
