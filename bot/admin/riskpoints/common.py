"""What the risk-point pages share: Thai labels for templates, who may see and change a district, the day."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from bot.admin.blueprint import bp
from bot.auth import Permission, may_act_in, visible_districts
from bot.request_session import db
from models import RiskPoint
from models.districts import DISTRICTS
from models.timeutil import thai_date, to_bangkok, utcnow
from texts import riskpoints as t

LABELS = {
    "defect_status": {"open": "ยังไม่แก้ไข", "closed": "แก้ไขแล้ว"},
    "order_status": t.ORDER_STATUS,
    "kinds": t.CONDITIONS,
    "point_kinds": t.POINT_KINDS,
    "unit_kinds": {"patrol": "หน่วยสายตรวจ", "department": "หน่วยงานแก้ไข", "secretariat": "ฝ่ายเลขานุการ"},
    "camera_status": {"working": "ใช้งานได้", "broken": "ชำรุด"},
    "method": {"on_site": "สายตรวจ ณ จุด", "centre": "ศูนย์ควบคุมกล้อง"},
    "attempt": {"outside": "อยู่นอกรัศมี", "reused": "ใช้ตำแหน่งซ้ำ"},
    "miss_reasons": t.MISS_REASONS,
}


@bp.app_template_global("rp_label")
def rp_label(group: str, key: object) -> str:
    """The Thai label of a risk-point code (defect kind, order status ...)."""
    value = getattr(key, "value", key)
    return LABELS.get(group, {}).get(value, "–" if value is None else str(value))


@bp.app_template_filter("rp_date")
def rp_date(day) -> str:
    """A date in Thai with the Buddhist Era year, e.g. 16 พ.ย. 2569."""
    return thai_date(day, short=True) if day is not None else "–"


@bp.app_template_filter("rp_days")
def rp_days(days: float | None) -> str:
    """A span of days as a person says it: 'ไม่ถึง 1 วัน', '3 วัน', '2.5 วัน' (an average), or a dash."""
    if days is None:
        return "–"
    if days < 1:
        return "ไม่ถึง 1 วัน"
    return f"{days:.1f}".removesuffix(".0") + " วัน"


def may_see(district: str | None) -> bool:
    """Whether the signed-in user sees this district's points."""
    districts = visible_districts(current_user)
    return districts is None or district in districts


def may_edit(district: str | None) -> bool:
    """Whether the signed-in user may change points in this district."""
    return may_act_in(current_user, Permission.MANAGE_RISKPOINTS, district)


def point_or_404(code: str) -> RiskPoint:
    """The point with this code if the signed-in user may see it, or a 404."""
    point = db().scalar(select(RiskPoint).where(RiskPoint.code == code.upper()))
    if point is None or not may_see(point.district):
        abort(404)
    return point


def today_bangkok() -> date:
    """Today's date in Bangkok."""
    return to_bangkok(utcnow()).date()


def visible_district_names() -> list[str]:
    """The districts the signed-in user sees, in the office's order."""
    seen = visible_districts(current_user)
    return [d for d in DISTRICTS if seen is None or d in seen]
