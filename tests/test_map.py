"""The map (/admin/map): points coloured by the day's rounds, open defects, recent reports, scoping and audit."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import CameraCheck, CameraStatus, Defect, PatrolCheck, ReportStatus, RiskCamera, Role, UnitKind
from models.periods import Period
from models.timeutil import BANGKOK
from reports import map_layers
from reports import riskpoint_compliance as rc
from reports.riskpoint_day import COMPLETE, MISSED, NOT_REQUIRED, PARTIAL, PointDay, point_days
from services.audit import Action
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units
from tests.report_factories import news_report
from tests.test_admin_support import audit_entries, login, make_staff

DAY = date(2026, 11, 2)
DAY_BE = "02/11/2569"
SECRET_PLACE = "หน้าบ้านเลขที่ 7 ซอยลับ"


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BANGKOK)


@pytest.fixture
def district_year(services):
    """Three points (two in บางรัก, one in ปทุมวัน), a day of checks, defects and reports; ids by name."""
    with services.sessions.begin() as session:
        ensure_default_units(session)
        create_unit(session, code="bangrak-1", name="สายตรวจบางรัก 1", kind=UnitKind.PATROL, district="บางรัก")
        points = {}
        for code, name, district, lat, lng, camera in (
            ("RP-0001", "ซอยเจริญกรุง 30", "บางรัก", 13.7291, 100.5150, "CAM-0001: สำนักการจราจรและขนส่ง"),
            ("RP-0002", "ท่าเรือสี่พระยา", "บางรัก", 13.7305, 100.5130, ""),
            ("RP-0003", "ตลาดสามย่าน", "ปทุมวัน", 13.7330, 100.5290, ""),
        ):
            values = {
                "code": code,
                "name": name,
                "district": district,
                "latitude": lat,
                "longitude": lng,
                "kind": "alley",
                "patrol_unit": "bangrak-1",
                "required_patrols": 2,
                "active_from": date(2026, 10, 1),
            }
            if camera:
                values["cameras"] = camera
            points[code] = save_point(session, values)
        session.flush()
        one, two = points["RP-0001"], points["RP-0002"]
        camera = session.scalar(select(RiskCamera).where(RiskCamera.point_id == one.id))
        for point, rounds in ((one, (1, 2)), (two, (1,))):
            for round_no in rounds:
                moment = at(DAY, 9 if round_no == 1 else 20)
                session.add(
                    PatrolCheck(point_id=point.id, checked_at=moment, patrol_day=DAY, round_no=round_no, source="test")
                )
        session.add(
            CameraCheck(
                camera_id=camera.id,
                point_id=one.id,
                checked_at=at(DAY, 10),
                check_day=DAY,
                status=CameraStatus.WORKING,
                method="centre",
            )
        )
        session.add(Defect(point_id=two.id, kind="lighting", opened_at=at(date(2026, 10, 20), 21)))
        session.add(
            Defect(
                point_id=one.id,
                kind="trees",
                status="closed",
                opened_at=at(date(2026, 10, 5), 9),
                closed_at=at(date(2026, 10, 9), 9),
            )
        )
        reports = {}
        for key, district, lat, lng, status, when in (
            ("bangrak", "บางรัก", 13.72913, 100.52155, ReportStatus.NEW, at(DAY, 8)),
            ("pathumwan", "ปทุมวัน", 13.73321, 100.52871, ReportStatus.RECEIVED, at(DAY - timedelta(days=10), 8)),
            ("draft", "บางรัก", 13.7290, 100.5210, ReportStatus.DRAFT, at(DAY, 9)),
            ("old", "บางรัก", 13.7290, 100.5210, ReportStatus.NEW, at(DAY - timedelta(days=40), 9)),
        ):
            made = news_report(
                session,
                when,
                "ข้อความข่าว",
                channel="direct",
                sender_key=f"U{key}",
                status=status,
                district=district,
                latitude=lat,
                longitude=lng,
                place=SECRET_PLACE,
                ref_no=None if status == ReportStatus.DRAFT else f"NR-2569-00000{len(reports) + 1}",
            )
            reports[key] = made.id
        return {"points": {code: p.id for code, p in points.items()}, "reports": reports}


def signed_in(client, services, role: Role, **kwargs):
    make_staff(services, "map-user", role, **kwargs)
    assert login(client, "map-user").status_code == 302
    return client


def test_the_page_colours_each_point_by_its_day_and_lists_them_for_keyboard_and_phone(client, services, district_year):
    signed_in(client, services, Role.SECRETARIAT)
    response = client.get(f"/admin/map?date={DAY_BE}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "ข้อมูลวันที่ 2 พฤศจิกายน 2569" in html
    for code, label in (("RP-0001", "ตรวจครบ"), ("RP-0002", "ตรวจบางส่วน"), ("RP-0003", "ยังไม่ได้ตรวจ")):
        row = re.search(rf'<tr id="point-{code}">(.*?)</tr>', html, re.S).group(1)
        assert label in row and f'href="/admin/riskpoints/{code}"' in row
    assert "2/2 รอบ" in html and "1/2 รอบ" in html and "0/2 รอบ" in html
    assert 'ตรวจครบ <span class="muted">(1 จุด)' in html  # the legend counts
    # CSP: no inline script or style; Leaflet from the package, the data from its JSON endpoint
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "/admin/vendor/leaflet/leaflet.js?v=1.9.3" in html and "/static/map.js" in html
    assert 'data-src="/admin/map/data?date=02/11/2569"' in html
    assert 'data-tile-url=""' in html  # no tiles unless MAP_TILE_URL says so
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_json_has_points_open_defects_and_exact_reports_and_audits_the_places(client, services, district_year):
    signed_in(client, services, Role.SECRETARIAT)
    body = client.get(f"/admin/map/data?date={DAY_BE}").get_json()
    points = {p["code"]: p for p in body["points"]}
    assert {code: p["status"] for code, p in points.items()} == {
        "RP-0001": COMPLETE,
        "RP-0002": PARTIAL,
        "RP-0003": MISSED,
    }
    assert points["RP-0001"]["lines"] == ["ตรวจตรา 2/2 รอบ", "ตรวจกล้อง 1/1 ตัว"]
    assert points["RP-0002"]["lines"] == ["ตรวจตรา 1/2 รอบ", "สภาพเสี่ยงค้าง 1 เรื่อง"]
    assert points["RP-0002"]["url"] == "/admin/riskpoints/RP-0002"
    assert points["RP-0003"]["name"] == "ตลาดสามย่าน" and points["RP-0003"]["lat"] == pytest.approx(13.733)
    [defect] = body["defects"]  # the closed one is not on the map
    assert defect["code"] == "RP-0002" and defect["count"] == 1
    assert defect["items"] == ["ไฟส่องสว่างดับ (แจ้ง 20 ต.ค. 2569, 13 วัน)"]
    reports = body["reports"]
    assert reports["exact"] is True and reports["cells"] == []
    assert [r["ref"] for r in reports["items"]] == ["NR-2569-000001", "NR-2569-000002"]  # no draft, none too old
    assert reports["items"][0]["place"] == SECRET_PLACE and reports["items"][0]["lat"] == pytest.approx(13.72913)
    [entry] = audit_entries(services, Action.VIEW_REPORT_PLACES)
    ids = district_year["reports"]
    assert entry.actor == "map-user" and entry.detail["reports"] == 2
    assert sorted(entry.detail["ids"]) == sorted([ids["bangrak"], ids["pathumwan"]])
    assert entry.detail["via"] == "web"


def test_a_role_without_report_content_gets_a_coarse_grid_and_no_text_and_nothing_is_audited(
    client, services, district_year
):
    signed_in(client, services, Role.VIEWER)
    response = client.get(f"/admin/map/data?date={DAY_BE}")
    text = response.get_data(as_text=True)
    reports = response.get_json()["reports"]
    assert reports["exact"] is False and reports["items"] == []
    cells = {(c["lat"], c["lng"]): c["count"] for c in reports["cells"]}
    assert cells == {(13.725, 100.525): 1, (13.735, 100.525): 1}  # cell centres of a 0.01° grid
    for secret in (SECRET_PLACE, "NR-2569", "13.72913", "100.52155", "/admin/network/reports"):
        assert secret not in text
    assert audit_entries(services, Action.VIEW_REPORT_PLACES) == []
    page = client.get(f"/admin/map?date={DAY_BE}").get_data(as_text=True)
    assert "พื้นที่โดยประมาณ" in page and "ไม่แสดงรายละเอียดข่าว" in page


def test_a_district_officer_sees_only_their_districts(client, services, district_year):
    signed_in(client, services, Role.DISTRICT_OFFICER, districts=["บางรัก"])
    for query in (f"date={DAY_BE}", f"date={DAY_BE}&district=ปทุมวัน"):  # another district cannot be asked for
        body = client.get(f"/admin/map/data?{query}").get_json()
        assert [p["code"] for p in body["points"]] == ["RP-0001", "RP-0002"]
        assert [r["ref"] for r in body["reports"]["items"]] == ["NR-2569-000001"]
        html = client.get(f"/admin/map?{query}").get_data(as_text=True)
        assert "RP-0002" in html and "RP-0003" not in html and "ตลาดสามย่าน" not in html
        assert '<option value="ปทุมวัน"' not in html
    [entry, _] = audit_entries(services, Action.VIEW_REPORT_PLACES)
    assert entry.detail["ids"] == [district_year["reports"]["bangrak"]]


def test_a_district_filter_and_layer_toggles_narrow_the_json(client, services, district_year):
    signed_in(client, services, Role.ADMIN)
    body = client.get(f"/admin/map/data?date={DAY_BE}&district=ปทุมวัน").get_json()
    assert [p["code"] for p in body["points"]] == ["RP-0003"] and body["defects"] == []
    assert [r["ref"] for r in body["reports"]["items"]] == ["NR-2569-000002"]
    only_points = client.get(f"/admin/map/data?date={DAY_BE}&shown=1&layer=points").get_json()
    assert len(only_points["points"]) == 3 and only_points["defects"] == []
    assert only_points["reports"]["items"] == [] and only_points["layers"] == ["points"]
    assert len(audit_entries(services, Action.VIEW_REPORT_PLACES)) == 1  # the first request only
    html = client.get(f"/admin/map?date={DAY_BE}&shown=1&layer=points").get_data(as_text=True)
    assert 'value="reports" data-layer="reports" >' in html or 'value="reports" data-layer="reports">' in html
    assert "shown=1&amp;layer=points" in html  # the day links keep the layers


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2569", "วันที่ “31/02/2569” ไม่ถูกต้อง"),
        ("พรุ่งนี้", "วันที่ “พรุ่งนี้” ไม่ถูกต้อง"),
        ("01/01/2600", "วันที่ 01/01/2600 ยังมาไม่ถึง"),
    ],
)
def test_a_bad_date_is_answered_in_thai_on_the_page(client, services, district_year, typed, message):
    signed_in(client, services, Role.SECRETARIAT)
    response = client.get("/admin/map", query_string={"date": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and "แสดงข้อมูลวันนี้แทน" in html and 'aria-invalid="true"' in html
    assert "(วันนี้)" in html and "RP-0001" in html  # today's map instead
    answer = client.get("/admin/map/data", query_string={"date": typed})
    assert answer.status_code == 400 and message in answer.get_json()["error"]


def test_signed_out_is_sent_to_login(client, district_year):
    assert "/admin/login" in client.get("/admin/map").headers["Location"]
    assert "/admin/login" in client.get("/admin/map/data").headers["Location"]


def test_leaflet_comes_from_the_package_and_is_cacheable(client):
    def fetched(path: str):
        response = client.get(path)
        response.get_data()  # read it, then close the package's file as a server would
        response.close()
        return response

    response = fetched("/admin/vendor/leaflet/leaflet.js?v=1.9.3")
    assert response.status_code == 200 and b"Leaflet 1.9.3" in response.data[:200]
    assert "javascript" in response.mimetype and "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert fetched("/admin/vendor/leaflet/leaflet.css").mimetype == "text/css"
    assert fetched("/admin/vendor/leaflet/images/marker-icon.png").mimetype == "image/png"
    assert fetched("/admin/vendor/leaflet/../__init__.py").status_code == 404


def test_tiles_when_configured_are_allowed_by_the_page_policy(app, client, services, district_year):
    app.config["MAP_TILE_URL"] = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    app.config["MAP_TILE_ATTRIBUTION"] = "© ผู้ร่วมให้ข้อมูล OpenStreetMap"
    signed_in(client, services, Role.SECRETARIAT)
    response = client.get("/admin/map")
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tile.example.org;" in policy and "script-src 'self'" in policy
    html = response.get_data(as_text=True)
    assert 'data-tile-url="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in html


def test_the_day_helper_is_the_kpi_of_one_day(services, district_year):
    ids = district_year["points"]
    with services.sessions() as session:
        days = point_days(session, DAY, as_of=date(2026, 12, 1))
        kpi = rc.by_point(session, Period.of_day(DAY))
        assert days[ids["RP-0001"]] == PointDay(ids["RP-0001"], 2, 2, 1, 1, 0)
        assert days[ids["RP-0002"]] == PointDay(ids["RP-0002"], 1, 2, 0, 0, 1)
        assert days[ids["RP-0002"]].rounds_done == kpi[ids["RP-0002"]].patrols_done
        scoped = point_days(session, DAY, districts=["ปทุมวัน"], as_of=date(2026, 12, 1))
        assert set(scoped) == {ids["RP-0003"]}
        before = point_days(session, date(2026, 9, 30), as_of=date(2026, 12, 1))
        assert {d.status for d in before.values()} == {NOT_REQUIRED}  # not yet in service
        assert map_layers.map_points(session, date(2026, 9, 30), districts=None, as_of=DAY) == []
        assert map_layers.cell_of(13.72913, 100.52155) == (13.725, 100.525)
