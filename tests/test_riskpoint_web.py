"""Risk points in the admin web, the JSON API and the CLI: import, registry, posters, timeline, board, KPI."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from urllib.parse import unquote

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from models import CameraStatus, CoordinationLetter, Defect, PatrolCheck, RiskCamera, RiskPoint, Role, UnitKind
from models.timeutil import BANGKOK
from reports.documents import posters
from services.riskpoints.cameras import record_camera_check
from services.riskpoints.importing import import_points
from services.riskpoints.patrols import record_check
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units
from tests.test_admin_support import add_member, audit_entries, csrf_token, login, make_staff, make_token

HEADER = "รหัส,ชื่อจุด,เขต,แขวง,ละติจูด,ลองจิจูด,ประเภท,รัศมี (ม.),หน่วยสายตรวจ,ตรวจต่อวัน,ต้องมีรูป,กล้อง\n"


def csv_file(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8-sig")


def count_points(services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(RiskPoint))


@pytest.fixture
def unit(services):
    with services.sessions.begin() as session:
        create_unit(session, code="patrol-1", name="สายตรวจ 1", kind=UnitKind.PATROL, district="บางรัก")


def test_a_file_with_bad_rows_is_rejected_whole_with_every_error_by_row(services, unit):
    data = csv_file(
        "RP-0001,ซอย 1,บางรัก,สี่พระยา,13.7291,100.5215,dark_spot,100,patrol-1,2,ไม่,CAM-1: สำนักการจราจรและขนส่ง",
        "RP-0002,ซอย 2,บางลำภู,,13.73,100.52,alley,,,,,",
        "RP-0003,ซอย 3,บางรัก,,13.73,200,ที่ลับ,5,ไม่มีหน่วยนี้,9,บางที,CAM-1: ซ้ำ",
        "rp-0001,ซ้ำ,ปทุมวัน,,13.74,100.53,bus_stop,,,,,",
    )
    with services.sessions.begin() as session:
        result = import_points(session, data, "points.csv")
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "เขต") in found
    assert {(4, "ลองจิจูด"), (4, "ประเภท"), (4, "รัศมี"), (4, "หน่วยสายตรวจ"), (4, "ตรวจต่อวัน"), (4, "ต้องมีรูป")} <= found
    assert (4, "กล้อง") in found and (5, "รหัส") in found
    assert not any(e.row == 2 for e in result.errors)
    assert count_points(services) == 0  # nothing half-imported


def test_a_good_xlsx_imports_every_row_and_a_second_import_updates(services, unit):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        ["RP-0001", "ซอย 1", "เขตบางรัก", "สี่พระยา", 13.7291, 100.5215, "จุดมืด", 80, "สายตรวจ 1", 2, "ใช่", "CAM-1: สจส."]
    )
    sheet.append(["RP-0002", "ป้ายรถเมล์", "ปทุมวัน", None, 13.745, 100.534, "bus_stop", None, None, 3, None, None])
    out = io.BytesIO()
    book.save(out)
    with services.sessions.begin() as session:
        result = import_points(session, out.getvalue(), "points.xlsx")
    assert result.ok and result.created == ["RP-0001", "RP-0002"]
    with services.sessions.begin() as session:
        again = import_points(session, csv_file("RP-0002,ป้ายรถเมล์ใหม่,ปทุมวัน,,13.745,100.534,bus_stop,,,2,,"), "x.csv")
        assert again.updated == ["RP-0002"]
    with services.sessions() as session:
        first = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0001"))
        second = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0002"))
        assert (first.district, first.radius_m, first.photo_required, first.patrol_unit.code) == (
            "บางรัก",
            80,
            True,
            "patrol-1",
        )
        assert [c.code for c in first.cameras] == ["CAM-1"] and first.kind == "dark_spot"
        assert (second.name, second.required_patrols) == ("ป้ายรถเมล์ใหม่", 2)


def test_an_unreadable_file_is_one_error(services):
    with services.sessions.begin() as session:
        result = import_points(session, b"\x00\x01not a workbook", "points.xlsx")
    assert not result.ok and result.errors[0].row == 1


def test_poster_qr_opens_the_bot_chat_with_the_checkin_prefilled():
    point = RiskPoint(code="RP-0012", name="ซอย 12", district="บางรัก", latitude=13.7, longitude=100.5, kind="alley")
    url = posters.checkin_url("@123abcde", point)
    assert url.startswith("https://line.me/R/oaMessage/@123abcde/?")
    assert unquote(url.split("?", 1)[1]) == "เช็คอิน RP-0012"
    pdf = posters.poster_pdf([point], basic_id="@123abcde", office="สำนักงานเขตบางรัก")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1
    with pytest.raises(posters.PosterError):
        posters.checkin_url(None, point)


@pytest.fixture
def registry(services, unit):
    """Two points in two districts, one camera, a broken-camera defect with its letter."""
    with services.sessions.begin() as session:
        ensure_default_units(session)
        base = {"kind": "alley", "active_from": date(2026, 11, 1)}
        one = save_point(
            session,
            {**base, "code": "RP-0001", "name": "ซอย 1", "district": "บางรัก", "latitude": 13.73, "longitude": 100.52}
            | {"cameras": "CAM-1: สำนักการจราจรและขนส่ง", "patrol_unit": "patrol-1"},
        )
        save_point(
            session,
            {**base, "code": "RP-0002", "name": "ซอย 2", "district": "ปทุมวัน", "latitude": 13.74, "longitude": 100.53},
        )
        camera = one.cameras[0]
        moment = datetime(2026, 11, 16, 10, 0, tzinfo=BANGKOK)
        record_check(session, one, member=None, at=moment, lat=13.73, lng=100.52, message_id="m1")
        record_camera_check(session, camera, CameraStatus.BROKEN, moment, lambda *_: None, method="centre", staff="x")
    make_staff(services, "admin")
    make_staff(services, "bangrak", Role.DISTRICT_OFFICER, districts=["บางรัก"])
    make_staff(services, "viewer", Role.VIEWER)


def test_admin_pages_render_in_thai(client, services, registry):
    login(client, "admin")
    for path in (
        "/admin/riskpoints/",
        "/admin/riskpoints/new",
        "/admin/riskpoints/import",
        "/admin/riskpoints/RP-0001",
        "/admin/riskpoints/RP-0001/edit",
        "/admin/riskpoints/board",
        "/admin/riskpoints/defects",
        "/admin/riskpoints/crime",
        "/admin/riskpoints/compliance?month=2569-11",
        "/admin/riskpoints/compliance?quarter=2569-1",
        "/admin/riskpoints/units",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "จุดเสี่ยง" in response.get_data(as_text=True), path
    page = client.get("/admin/riskpoints/RP-0001").get_data(as_text=True)
    assert "กล้อง CCTV ชำรุด" in page and "WO-2569-0001" in page and "กท/1" in page
    assert audit_entries(services, "view.riskpoint_timeline")
    with services.sessions() as session:
        letter_id = session.scalar(select(CoordinationLetter.id))
    response = client.get(f"/admin/riskpoints/letters/{letter_id}.docx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert client.get("/admin/riskpoints/import-template.csv").data.decode("utf-8-sig").startswith("รหัส,")


def test_admin_creates_edits_retires_and_imports(client, services, registry):
    login(client, "admin")
    token = csrf_token(client, "/admin/riskpoints/new")
    form = {"csrf_token": token, "code": "RP-0009", "name": "ลานจอดรถ", "district": "บางรัก", "latitude": "13.731"}
    form |= {"longitude": "100.521", "kind": "vacant_lot", "required_patrols": "2", "active_from": "2026-11-01"}
    response = client.post("/admin/riskpoints/new", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/riskpoints/RP-0009")
    bad = client.post("/admin/riskpoints/new", data={**form, "code": "RP-0010", "latitude": "20.5"})
    assert "อยู่นอกกรุงเทพมหานคร" in bad.get_data(as_text=True)
    edit = client.post("/admin/riskpoints/RP-0009/edit", data={**form, "name": "ลานจอดรถใหม่", "radius_m": "150"})
    assert edit.status_code == 302
    client.post("/admin/riskpoints/RP-0009/retire", data={"csrf_token": token})
    with services.sessions() as session:
        point = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0009"))
        assert (point.name, point.radius_m, point.retired_on is not None) == ("ลานจอดรถใหม่", 150, True)
    upload = {"csrf_token": token, "file": (io.BytesIO(csv_file("RP-0011,x,บางรัก,,99,100.5,alley,,,,,")), "p.csv")}
    page = client.post("/admin/riskpoints/import", data=upload, content_type="multipart/form-data")
    assert "แถว" in page.get_data(as_text=True) and "ละติจูด" in page.get_data(as_text=True)
    assert count_points(services) == 3


def test_the_monitoring_centre_checks_a_camera_on_the_board(client, services, registry):
    login(client, "admin")
    token = csrf_token(client, "/admin/riskpoints/board")
    with services.sessions() as session:
        camera_id = session.scalar(select(RiskCamera.id))
    client.post(f"/admin/riskpoints/cameras/{camera_id}/check", data={"csrf_token": token, "status": "working"})
    with services.sessions() as session:
        assert session.scalar(select(Defect)).closed_at is not None


def test_a_district_officer_sees_and_changes_only_their_districts(client, services, registry):
    login(client, "bangrak")
    listing = client.get("/admin/riskpoints/").get_data(as_text=True)
    assert "RP-0001" in listing and "RP-0002" not in listing
    assert client.get("/admin/riskpoints/RP-0002").status_code == 404
    assert client.get("/admin/riskpoints/units").status_code == 403
    token = csrf_token(client, "/admin/riskpoints/new")
    form = {"csrf_token": token, "code": "RP-0005", "name": "x", "district": "ปทุมวัน", "latitude": "13.74"}
    page = client.post("/admin/riskpoints/new", data=form | {"longitude": "100.53", "kind": "alley"})
    assert "เฉพาะในเขตที่รับผิดชอบ" in page.get_data(as_text=True)


def test_a_viewer_may_look_but_not_change(client, services, registry):
    login(client, "viewer")
    assert client.get("/admin/riskpoints/board").status_code == 200
    assert client.get("/admin/riskpoints/new").status_code == 403
    assert "ผู้ตรวจ" not in client.get("/admin/riskpoints/RP-0001").get_data(as_text=True)


def test_the_viewer_downloads_no_letter_and_opens_no_photo(client, services, registry):
    login(client, "viewer")
    with services.sessions() as session:
        letter_id = session.scalar(select(CoordinationLetter.id))
    assert client.get(f"/admin/riskpoints/letters/{letter_id}.docx").status_code == 403
    assert client.get("/admin/riskpoints/photos/1").status_code == 403  # before any lookup: ids tell nothing
    page = client.get("/admin/riskpoints/RP-0001").get_data(as_text=True)
    assert "กท/1" in page and "/admin/riskpoints/letters/" not in page  # the number, not a link
    assert "/admin/riskpoints/import" not in client.get("/admin/riskpoints/").get_data(as_text=True)
    assert client.get("/admin/riskpoints/import-template.csv").status_code == 403


def _second_letter(services) -> tuple[int, int]:
    """A broken camera (and its letter) at RP-0002, in ปทุมวัน; return the camera's and the letter's ids."""
    with services.sessions.begin() as session:
        point = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0002"))
        values = {"code": "RP-0002", "name": "ซอย 2", "district": "ปทุมวัน", "latitude": 13.74, "longitude": 100.53}
        save_point(session, values | {"kind": "alley", "cameras": "CAM-2: สำนักงานเขตปทุมวัน"}, point=point)
        camera = point.cameras[0]
        moment = datetime(2026, 11, 16, 11, 0, tzinfo=BANGKOK)
        _, _, letter, _ = record_camera_check(
            session, camera, CameraStatus.BROKEN, moment, lambda *_: None, method="centre", staff="x"
        )
        return camera.id, letter.id


def test_a_district_officer_downloads_the_letters_of_their_districts_only(client, services, registry):
    _, outside = _second_letter(services)
    with services.sessions() as session:
        inside = session.scalar(select(CoordinationLetter.id).order_by(CoordinationLetter.id))
    login(client, "bangrak")
    response = client.get(f"/admin/riskpoints/letters/{inside}.docx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert client.get(f"/admin/riskpoints/letters/{outside}.docx").status_code == 404
    assert [e.object_id for e in audit_entries(services, "riskpoint.letter_download")] == [str(inside)]


def test_camera_checks_on_the_board_need_the_district_and_a_broken_one_needs_issue_letters(
    client, services, registry, monkeypatch
):
    outside_camera, _ = _second_letter(services)
    with services.sessions() as session:
        inside_camera = session.scalar(select(RiskCamera.id).where(RiskCamera.code == "CAM-1"))
        letters = session.scalar(select(func.count()).select_from(CoordinationLetter))
    login(client, "bangrak")
    token = csrf_token(client, "/admin/riskpoints/board")
    check = f"/admin/riskpoints/cameras/{outside_camera}/check"
    assert client.post(check, data={"csrf_token": token, "status": "working"}).status_code == 404
    from bot.auth import ROLE_PERMISSIONS, Permission

    officer = Role.DISTRICT_OFFICER
    monkeypatch.setitem(ROLE_PERMISSIONS, officer, ROLE_PERMISSIONS[officer] - {Permission.ISSUE_LETTERS})
    board = client.get("/admin/riskpoints/board").get_data(as_text=True)
    assert 'value="broken"' not in board and 'value="working"' in board
    inside = f"/admin/riskpoints/cameras/{inside_camera}/check"
    assert client.post(inside, data={"csrf_token": token, "status": "broken"}).status_code == 403
    assert client.post(inside, data={"csrf_token": token, "status": "working"}).status_code == 302
    assert client.post(inside, data={"csrf_token": token, "status": "smashed"}).status_code == 400
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CoordinationLetter)) == letters  # none issued


def test_a_district_officer_retires_only_points_of_their_districts(client, services, registry):
    login(client, "bangrak")
    token = csrf_token(client, "/admin/riskpoints/board")
    assert client.post("/admin/riskpoints/RP-0002/retire", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/riskpoints/RP-0001/retire", data={"csrf_token": token}).status_code == 302
    with services.sessions() as session:
        retired = dict(session.execute(select(RiskPoint.code, RiskPoint.retired_on)).all())
    assert retired["RP-0001"] is not None and retired["RP-0002"] is None


def test_the_api_gives_the_viewer_checks_without_the_officer(client, services, registry):
    member_id = add_member(services, "U" + "9" * 32, "สายตรวจ", district="บางรัก")
    with services.sessions.begin() as session:
        session.execute(update(PatrolCheck).values(member_id=member_id))
    viewer = {"Authorization": f"Bearer {make_token(services, 'viewer')}"}
    checks = client.get("/api/v1/riskpoints/checks", headers=viewer).get_json()["items"]
    assert checks and all(check["member_id"] is None for check in checks)
    assert audit_entries(services, "view.riskpoint_checks") == []
    officer = {"Authorization": f"Bearer {make_token(services, 'bangrak')}"}
    checks = client.get("/api/v1/riskpoints/checks", headers=officer).get_json()["items"]
    assert [check["member_id"] for check in checks] == [member_id]
    assert len(audit_entries(services, "view.riskpoint_checks")) == 1


def test_json_api(client, services, registry):
    headers = {"Authorization": f"Bearer {make_token(services, 'bangrak')}"}
    points = client.get("/api/v1/riskpoints", headers=headers).get_json()
    assert [p["code"] for p in points["items"]] == ["RP-0001"]
    assert points["items"][0]["cameras"][0]["code"] == "CAM-1"
    assert client.get("/api/v1/riskpoints/RP-0002", headers=headers).status_code == 404
    checks = client.get("/api/v1/riskpoints/checks?from=2026-11-16&to=2026-11-16", headers=headers).get_json()
    assert [(c["point"], c["round"]) for c in checks["items"]] == [("RP-0001", 1)]
    assert audit_entries(services, "view.riskpoint_checks")
    cameras = client.get("/api/v1/riskpoints/checks?kind=camera", headers=headers).get_json()
    assert cameras["items"][0]["status"] == "broken"
    defects = client.get("/api/v1/riskpoints/defects?status=open", headers=headers).get_json()
    assert defects["items"][0]["order"]["ref"] == "WO-2569-0001"
    orders = client.get("/api/v1/riskpoints/orders?status=new", headers=headers).get_json()
    assert orders["items"][0]["kind"] == "cctv"
    kpi = client.get("/api/v1/riskpoints/compliance?month=2569-11", headers=headers).get_json()["item"]
    assert kpi["office"] is None and kpi["districts"]["บางรัก"]["patrols_done"] == 1
    assert client.get("/api/v1/riskpoints/defects?status=x", headers=headers).status_code == 400


def test_cli_prints_the_month_and_the_kpi(app, services, registry):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["riskpoints", "compliance", "--month", "2569-11"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["patrols_done"] == 1
    result = runner.invoke(args=["riskpoints", "month", "2569", "11"])
    assert json.loads(result.output)["letters"] == 1
