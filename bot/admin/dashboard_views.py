"""The admin home: both KPIs of the fiscal year and quarter, and today's work, each number a link to its list.

The numbers come from reports/work_today.py (the tiles and the risk-point KPI) and reports/network_kpi.py (the
ladder); each is shown only to a role that may open the list it links to, within the user's districts. The
inbox's technical counters moved to /admin/inbox/health (bot/admin/inbox_health_views.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_login import current_user

from bot.admin.blueprint import bp
from bot.admin.outbox_views import kind_clause
from bot.admin.queries import inbox_scope
from bot.auth import Permission, can, require_permission, visible_districts
from bot.request_session import db
from models.periods import Period
from models.timeutil import (
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    be_year,
    fiscal_year,
    thai_date,
    thai_datetime,
    to_bangkok,
    utcnow,
)
from reports import work_today as wt
from reports.network_kpi import network_kpi
from runtime.quota import current_state
from services.riskpoints.patrols import round_label

# Which permission each tile needs: the one its list needs.
TILE_PERMISSIONS = {
    "reports": Permission.VIEW_NETWORK,
    "unpatrolled": Permission.VIEW_RISKPOINTS,
    "broken_cameras": Permission.VIEW_RISKPOINTS,
    "overdue_orders": Permission.VIEW_RISKPOINTS,
    "unacknowledged": Permission.VIEW_WORKGROUP,
    "undelivered": Permission.VIEW_UNDELIVERED,
    "failed_events": Permission.VIEW_INBOX,
    "parked_events": Permission.VIEW_INBOX,
}


@dataclass(frozen=True)
class Tile:
    """One number of today's work: what it counts, the list it opens, and whether it asks for attention."""

    name: str
    number: int
    label: str
    href: str
    alert: bool


def _tiles(work: wt.WorkToday) -> list[Tile]:
    """Today's numbers as tiles, in the order a secretariat member's day goes."""
    spec = {
        "reports": (f"ข่าวที่ได้รับใน {wt.RECENT_HOURS} ชั่วโมง", url_for("admin.network_reports", hours=24), False),
        "unpatrolled": ("จุดที่ยังไม่ได้ตรวจในรอบนี้", url_for("admin.riskpoint_board", show="unpatrolled"), True),
        "broken_cameras": ("จุดที่มีกล้องชำรุด", url_for("admin.riskpoint_board", show="broken"), True),
        "overdue_orders": (
            f"ใบสั่งงานเกินกำหนด {wt.ORDER_DAYS_ALLOWED} วัน",
            url_for("admin.riskpoint_defects", overdue=1),
            True,
        ),
        "unacknowledged": ("เรื่องส่งต่อที่รอหน่วยงานตอบรับ", url_for("admin.wg_forwards", awaiting=1), True),
        "undelivered": ("ข้อความที่ส่งไม่ถึงผู้รับ", url_for("admin.outbox_undelivered"), True),
        "failed_events": ("เหตุการณ์ที่ประมวลผลล้มเหลว", url_for("admin.inbox", status="failed"), True),
        "parked_events": ("เหตุการณ์ที่พักไว้", url_for("admin.inbox", status="parked"), True),
    }
    tiles = []
    for name in work.shown():
        label, href, attention = spec[name]
        number = getattr(work, name)
        tiles.append(Tile(name, number, label, href, attention and number > 0))
    return tiles


def percent(value: float | None) -> str:
    """A percentage with one decimal and a space, e.g. '98.4 %' (a dash when nothing was required)."""
    return "–" if value is None else f"{value:,.1f} %"


@dataclass(frozen=True)
class Bar:
    """One month's bar of the risk-point trend: its place in the SVG and its words."""

    x: int
    y: int
    height: int
    month: str
    value: str
    title: str
    met: bool


CHART_HEIGHT = 100  # the bars' area; 100 % reaches the top
BAR_STEP = 30
BAR_WIDTH = 24


def _bars(overview: wt.RiskpointKpi) -> list[Bar]:
    """The months of the fiscal year so far as bars of the overall result (0 when nothing was required)."""
    bars = []
    for index, point in enumerate(overview.months):
        result = point.compliance.overall_percent
        height = round(min(result or 0, 100) * CHART_HEIGHT / 100)
        month = THAI_MONTHS_ABBR[point.period.month - 1]
        full = f"{month} {be_year(point.period.first)}"
        c = point.compliance
        title = (
            f"{full}: ผลรวม {percent(result)} (ตรวจตรา {percent(c.patrol_percent)}, "
            f"ตรวจกล้อง {percent(c.camera_percent)})"
        )
        x = 34 + index * BAR_STEP
        bars.append(Bar(x, 10 + CHART_HEIGHT - height, height, month, percent(result), title, (result or 0) >= 100))
    return bars


@bp.get("/")
@require_permission()  # every signed-in role: the page shows only what the role may see
def dashboard():
    """Both KPIs for the current fiscal year and quarter, and today's numbers, within the user's districts."""
    sql = db()
    now = utcnow()
    today = to_bangkok(now).date()
    districts = visible_districts(current_user)
    allowed = [name for name, permission in TILE_PERMISSIONS.items() if can(current_user, permission)]
    work = wt.work_today(
        sql,
        now,
        districts,
        allowed,
        inbox_where=inbox_scope(current_user),
        undelivered_where=kind_clause("failed"),
    )
    fiscal = Period.of_fiscal_year(fiscal_year(today))
    network = network_kpi(sql, fiscal, now) if can(current_user, Permission.VIEW_KPI) else None
    risk = None
    if can(current_user, Permission.VIEW_RISKPOINTS):
        cache = current_app.extensions.setdefault("fieldline.home_months", {})  # this process's ended months
        risk = wt.riskpoint_overview(sql, today, districts, cache=cache)
    quota = current_state(sql, now) if can(current_user, Permission.VIEW_SCHEDULER) else None
    return render_template(
        "admin/dashboard.html",
        today=thai_date(today),
        as_of=thai_datetime(now),
        tiles=_tiles(work),
        round_name=round_label(sql, work.round_no) if work.round_no else None,
        quota=quota,
        quota_month=f"{THAI_MONTHS[today.month - 1]} {be_year(today)}",
        network=network,
        fiscal=fiscal,
        risk=risk,
        bars=_bars(risk) if risk is not None else [],
        chart_height=CHART_HEIGHT,
        chart_width=30 + 12 * BAR_STEP + 8,  # room for a whole fiscal year, so the bars keep their width
        bar_width=BAR_WIDTH,
        percent=percent,
        scoped=districts is not None,
        districts=sorted(districts or ()),
    )
