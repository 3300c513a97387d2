"""The map (/admin/map): risk points coloured by the day's rounds, open defects and recent news reports.

The page holds the filters, the legend and the list of points (usable without script); bot/static/map.js
draws the map with Leaflet (served from the XStatic-Leaflet package, /admin/vendor/leaflet/) from
/admin/map/data. Tiles only when MAP_TILE_URL is set: without it the points lie on a plain background.
A report's exact place is for roles with VIEW_REPORT_CONTENT (every answer that holds some is audited);
others get how many reports fall in each cell of a ~1 km grid, with no text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app, jsonify, render_template, request, send_from_directory, url_for
from flask_login import current_user
from xstatic.pkg import leaflet as xstatic_leaflet

from bot.admin.blueprint import CONTENT_SECURITY_POLICY, bp
from bot.admin.network_filters import be_day, parse_day
from bot.admin.network_queries import category_names
from bot.admin.riskpoints.common import rp_label, today_bangkok, visible_district_names
from bot.audit import record_request
from bot.auth import Permission, can, require_permission, visible_districts
from bot.request_session import db
from models.timeutil import thai_date, thai_datetime
from reports import map_layers
from reports.riskpoint_day import COMPLETE, MISSED, NOT_REQUIRED, PARTIAL
from services.audit import Action

LAYERS = ("points", "defects", "reports")
LAYER_LABELS = {"points": "จุดเสี่ยง", "defects": "สภาพเสี่ยงที่ยังไม่แก้ไข", "reports": "ข่าวจากเครือข่าย"}
STATUS_LABELS = {
    COMPLETE: "ตรวจครบ",
    PARTIAL: "ตรวจบางส่วน",
    MISSED: "ยังไม่ได้ตรวจ",
    NOT_REQUIRED: "ไม่มีรอบที่ต้องตรวจ",
}
STATUS_COLOURS = {COMPLETE: "#15803d", PARTIAL: "#d97706", MISSED: "#b42318", NOT_REQUIRED: "#7b8794"}
DEFECT_COLOUR, REPORT_COLOUR = "#6d28d9", "#1d4ed8"
FUTURE_DAY = "วันที่ {value} ยังมาไม่ถึง แสดงข้อมูลวันนี้แทน"
BAD_DAY_SHOWN_TODAY = "{error} จึงแสดงข้อมูลวันนี้แทน"
COARSE_NOTE = "ตำแหน่งข่าวแสดงเป็นพื้นที่โดยประมาณราว 1 กม. ไม่แสดงรายละเอียดข่าว"
LEAFLET_MAX_AGE = 365 * 24 * 3600  # the version is in the URL (?v=)


@dataclass
class MapFilters:
    """The day, district and layers asked for; errors hold the Thai messages of unusable values."""

    day: date
    district: str | None = None
    layers: tuple[str, ...] = LAYERS
    errors: list[str] = field(default_factory=list)
    typed_day: str = ""

    @classmethod
    def from_args(cls, args: Mapping, today: date, districts: list[str]) -> MapFilters:
        """Read ?date=31/01/2569 (BE or CE; default today) &district= &layer=… (&shown=1 once the form was sent)."""
        typed = (args.get("date") or "").strip()
        filters = cls(day=today, typed_day=typed)
        try:
            day = parse_day(typed)
        except ValueError as error:
            filters.errors.append(BAD_DAY_SHOWN_TODAY.format(error=error))
            day = None
        if day is not None and day > today:
            filters.errors.append(FUTURE_DAY.format(value=typed))
        elif day is not None:
            filters.day = day
        district = (args.get("district") or "").strip()
        filters.district = district if district in districts else None
        if args.get("shown"):
            chosen = set(args.getlist("layer")) if hasattr(args, "getlist") else set()
            filters.layers = tuple(layer for layer in LAYERS if layer in chosen)
        return filters

    def query_args(self, day: date | None = None) -> dict:
        """The filters as query-string arguments (for the data URL and the day links), BE dates."""
        pairs: dict = {"date": be_day(day or self.day), "district": self.district or ""}
        if self.layers != LAYERS:
            pairs |= {"shown": "1", "layer": list(self.layers)}
        return {key: value for key, value in pairs.items() if value}

    def districts(self) -> frozenset[str] | None:
        """The districts to show: the one chosen, else every district the user sees (None: all)."""
        return frozenset({self.district}) if self.district else visible_districts(current_user)


def _filters() -> MapFilters:
    return MapFilters.from_args(request.args, today_bangkok(), visible_district_names())


def _point_lines(point: map_layers.MapPoint) -> list[str]:
    day = point.day
    lines = [f"ตรวจตรา {day.rounds_done}/{day.rounds_required} รอบ"]
    if day.cameras_required:
        lines.append(f"ตรวจกล้อง {day.cameras_done}/{day.cameras_required} ตัว")
    if day.open_defects:
        lines.append(f"สภาพเสี่ยงค้าง {day.open_defects} เรื่อง")
    return lines


def _points_json(points: list[map_layers.MapPoint]) -> list[dict]:
    return [
        {
            "code": p.code,
            "name": p.name,
            "district": p.district,
            "lat": p.latitude,
            "lng": p.longitude,
            "status": p.day.status,
            "status_label": STATUS_LABELS[p.day.status],
            "lines": _point_lines(p),
            "url": url_for("admin.riskpoint_detail", code=p.code),
        }
        for p in points
    ]


def _defects_json(defects: list[map_layers.MapDefect], points: dict[int, map_layers.MapPoint], day: date) -> list:
    by_point: dict[int, list[str]] = {}
    for defect in defects:
        days_open = max(0, (day - defect.opened_at.date()).days)
        text = f"{rp_label('kinds', defect.kind)} (แจ้ง {thai_date(defect.opened_at, short=True)}, {days_open} วัน)"
        by_point.setdefault(defect.point_id, []).append(text)
    return [
        {
            "code": points[point_id].code,
            "name": points[point_id].name,
            "lat": points[point_id].latitude,
            "lng": points[point_id].longitude,
            "count": len(items),
            "items": items,
            "url": url_for("admin.riskpoint_detail", code=points[point_id].code),
        }
        for point_id, items in by_point.items()
        if point_id in points  # a defect of a point no longer in service stays on its own page
    ]


def _reports_json(day: date, districts: frozenset[str] | None) -> tuple[dict, list[int]]:
    """The reports layer and the ids whose exact places it holds (to audit)."""
    if not can(current_user, Permission.VIEW_NETWORK):
        return {"exact": False, "items": [], "cells": []}, []
    sql = db()
    reports = map_layers.recent_reports(sql, day, districts=districts)
    if not can(current_user, Permission.VIEW_REPORT_CONTENT):
        cells = [{"lat": lat, "lng": lng, "count": n} for lat, lng, n in map_layers.coarse_cells(reports)]
        return {"exact": False, "items": [], "cells": cells, "note": COARSE_NOTE}, []
    names = category_names(sql)
    items = [
        {
            "ref": r.ref_no or f"#{r.id}",
            "lat": r.latitude,
            "lng": r.longitude,
            "when": thai_datetime(r.started_at),
            "category": names.get(r.category_code, "ยังไม่จัดหมวดหมู่"),
            "place": r.place or "",
            "district": r.district or "",
            "url": url_for("admin.network_report", report_id=r.id),
        }
        for r in reports
    ]
    return {"exact": True, "items": items, "cells": []}, [r.id for r in reports]


@bp.get("/map", endpoint="map")
@require_permission(Permission.VIEW_RISKPOINTS)
def map_page():
    """The map page: filters, the map (drawn by map.js from map_data), the legend and the list of points."""
    sql = db()
    filters = _filters()
    today = today_bangkok()
    points = map_layers.map_points(sql, filters.day, districts=filters.districts(), as_of=today)
    counts = {status: 0 for status in STATUS_LABELS}
    for point in points:
        counts[point.day.status] += 1
    tile_url = current_app.config.get("MAP_TILE_URL") or ""
    html = render_template(
        "admin/map.html",
        filters=filters,
        points=points,
        counts=counts,
        today=today,
        day_label=thai_date(filters.day),
        previous_args=filters.query_args(filters.day - timedelta(days=1)),
        next_args=filters.query_args(filters.day + timedelta(days=1)) if filters.day < today else None,
        today_args={**filters.query_args(today)},
        data_url=url_for("admin.map_data", **filters.query_args()),
        district_choices=visible_district_names(),
        scope=visible_districts(current_user),
        layer_labels=LAYER_LABELS,
        status_labels=STATUS_LABELS,
        status_colours=STATUS_COLOURS,
        defect_colour=DEFECT_COLOUR,
        report_colour=REPORT_COLOUR,
        exact_reports=can(current_user, Permission.VIEW_REPORT_CONTENT),
        coarse_note=COARSE_NOTE,
        tile_url=tile_url,
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        leaflet_version=xstatic_leaflet.VERSION,
    )
    response = current_app.make_response(html)
    if tile_url:
        response.headers["Content-Security-Policy"] = _policy_with_tiles(tile_url)
    return response


@bp.get("/map/data")
@require_permission(Permission.VIEW_RISKPOINTS)
def map_data():
    """The map's layers as JSON for a day: points with their status, open defects, recent reports (audited)."""
    sql = db()
    filters = _filters()
    if filters.errors:
        return jsonify({"error": " ".join(filters.errors)}), 400
    districts = filters.districts()
    points = map_layers.map_points(sql, filters.day, districts=districts, as_of=today_bangkok())
    body: dict = {"day": thai_date(filters.day), "layers": list(filters.layers), "points": _points_json(points)}
    if "defects" in filters.layers:
        by_id = {p.id: p for p in points}
        defects = map_layers.open_defects(sql, filters.day, districts=districts)
        body["defects"] = _defects_json(defects, by_id, filters.day)
    else:
        body["defects"] = []
    if "reports" in filters.layers:
        body["reports"], exact_ids = _reports_json(filters.day, districts)
        if exact_ids:
            record_request(
                sql,
                Action.VIEW_REPORT_PLACES,
                object_type="news_report",
                reports=len(exact_ids),
                ids=exact_ids,
                day=filters.day.isoformat(),
                district=filters.district,
            )
            sql.commit()
    else:
        body["reports"] = {"exact": False, "items": [], "cells": []}
    return jsonify(body)


def _policy_with_tiles(tile_url: str) -> str:
    """The admin CSP with the tile server's host allowed for images ({s} subdomains as a wildcard)."""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    source = f"{parts.scheme}://{host}" if parts.scheme in ("http", "https") and host else ""
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {source}".rstrip())


def leaflet_asset(filename: str):
    """Leaflet's files (leaflet.js, leaflet.css, images) from the XStatic-Leaflet package, cacheable."""
    response = send_from_directory(xstatic_leaflet.BASE_DIR, filename, max_age=LEAFLET_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.record_once
def _leaflet_route(state) -> None:
    """Serve Leaflet outside the admin blueprint, whose pages are never cached."""
    state.app.add_url_rule("/admin/vendor/leaflet/<path:filename>", endpoint="leaflet", view_func=leaflet_asset)
