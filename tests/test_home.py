"""The admin home: today's numbers, each equal to the rows of the list it links to; both KPIs; who sees what.

The world is scripted at a frozen instant (Thursday 4 December 2569, 10:00 Bangkok: the day round, fiscal year
2570's first quarter): points in บางรัก and ปทุมวัน, checks of this round, cameras broken and mended, overdue and
recent work orders, news reports of the last day and older, forwards waiting for an agency, undelivered
messages and parked events.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine

from line.messages import text
from models import (
    CameraCheck,
    CameraStatus,
    Defect,
    DefectStatus,
    InboxStatus,
    OrderStatus,
    OutboxStatus,
    PatrolCheck,
    ReportStatus,
    RiskCamera,
    RiskPoint,
    Role,
    WorkOrder,
)
from models.periods import Period
from models.timeutil import BANGKOK, to_bangkok
from models.workgroup import Agency, AgencyKind, Forward, ForwardKind, ForwardRecipient
from reports import riskpoint_compliance as rc
from reports import work_today as wt
from runtime import delivery
from tests.report_factories import news_report
from tests.test_admin_support import add_event, add_member, login, make_staff

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=BANGKOK)  # the day round (06:00–18:00) of Thursday 4 December 2569
TODAY = NOW.date()
MEMBER_ID = "U" + "b" * 32


def tile_number(page: str, name: str) -> str | None:
    """The number shown on one home tile (its id is tile-<name>), or None when the tile is not there."""
    match = re.search(rf'id="tile-{name}" href="[^"]*">\s*<span class="home-number">([^<]*)<', page)
    return match.group(1).strip() if match else None


def tile_href(page: str, name: str) -> str:
    """Where one home tile links to."""
    href = re.search(rf'id="tile-{name}" href="([^"]*)"', page).group(1)
    return href.replace("&amp;", "&")


def rows(page: str, prefix: str) -> set[str]:
    """The row ids of a list page that start with a prefix (report-, board-, defect-, forward-, message-, event-)."""
    return set(re.findall(rf'<tr id="({prefix}[^"]+)"', page))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW.astimezone(UTC), tick=False):
        yield NOW


def _point(session, code: str, district: str, *, retired: date | None = None) -> RiskPoint:
    point = RiskPoint(
        code=code,
        name=f"ซอยทดสอบ {code}",
        district=district,
        latitude=13.72,
        longitude=100.52,
        kind="alley",
        required_patrols=2,
        active_from=date(2026, 9, 1),
        retired_on=retired,
    )
    session.add(point)
    session.flush()
    return point


def _camera(session, point: RiskPoint, code: str) -> RiskCamera:
    camera = RiskCamera(point_id=point.id, code=code, owner_agency="สำนักการจราจรและขนส่ง", active_from=date(2026, 9, 1))
    session.add(camera)
    session.flush()
    return camera


def _check(session, camera: RiskCamera, at: datetime, status: CameraStatus) -> None:
    session.add(
        CameraCheck(
            camera_id=camera.id,
            point_id=camera.point_id,
            checked_at=at,
            check_day=to_bangkok(at).date(),
            status=status,
            method="centre",
        )
    )


def _patrol(session, point: RiskPoint, at: datetime, day: date, round_no: int) -> None:
    session.add(PatrolCheck(point_id=point.id, checked_at=at, patrol_day=day, round_no=round_no, source="web"))


def _defect(session, point: RiskPoint, ref: str, days_ago: int, *, order=OrderStatus.NEW, closed=False) -> Defect:
    opened = NOW - timedelta(days=days_ago)
    defect = Defect(point_id=point.id, kind="lighting", opened_at=opened, status=DefectStatus.OPEN)
    session.add(defect)
    session.flush()
    work = WorkOrder(ref=ref, defect_id=defect.id, created_at=opened, status=order)
    if closed:
        defect.status, defect.closed_at = DefectStatus.CLOSED, NOW - timedelta(days=1)
        work.status, work.closed_at = OrderStatus.CLOSED, NOW - timedelta(days=1)
    session.add(work)
    return defect


def _forward(session, ref: str, sent: datetime, agencies: list[Agency], acknowledged: list[bool]) -> None:
    forward = Forward(
        ref_no=ref,
        fiscal_year=2570 if sent >= datetime(2026, 10, 1, tzinfo=BANGKOK) else 2569,
        kind=ForwardKind.REPORTS,
        subject="ส่งข่าวสารจากเครือข่ายข่าวความมั่นคง",
        summary="สรุปข่าว",
        sent_at=sent,
        created_by="noi",
    )
    session.add(forward)
    session.flush()
    for agency, done in zip(agencies, acknowledged, strict=True):
        session.add(
            ForwardRecipient(forward_id=forward.id, agency_id=agency.id, acknowledged_at=sent if done else None)
        )


@pytest.fixture
def world(services, frozen):
    """The scripted day; returns what each tile should count, for the office and for บางรัก alone."""
    with services.sessions.begin() as session:
        p1 = _point(session, "RP-0001", "บางรัก")
        p2 = _point(session, "RP-0002", "บางรัก")
        p3 = _point(session, "RP-0003", "บางรัก")
        p4 = _point(session, "RP-0004", "ปทุมวัน")
        _point(session, "RP-0005", "ปทุมวัน")  # not visited, no camera
        _point(session, "RP-0009", "บางรัก", retired=date(2026, 11, 1))  # retired: on no list
        # this round (day round 1 of 4 Dec): RP-0001 and RP-0004 visited; RP-0002 only in last night's round
        _patrol(session, p1, NOW - timedelta(hours=1), TODAY, 1)
        _patrol(session, p4, NOW - timedelta(hours=2), TODAY, 1)
        _patrol(session, p2, NOW - timedelta(hours=12), TODAY - timedelta(days=1), 2)
        # cameras: broken at the last check (CAM-1 yesterday, CAM-4 this morning); CAM-2 mended today; CAM-3 never
        c1, c2 = _camera(session, p1, "CAM-0001"), _camera(session, p2, "CAM-0002")
        _camera(session, p3, "CAM-0003")
        c4 = _camera(session, p4, "CAM-0004")
        _check(session, c1, NOW - timedelta(days=2), CameraStatus.WORKING)
        _check(session, c1, NOW - timedelta(days=1), CameraStatus.BROKEN)
        _check(session, c2, NOW - timedelta(days=1), CameraStatus.BROKEN)
        _check(session, c2, NOW - timedelta(hours=1), CameraStatus.WORKING)
        _check(session, c4, NOW - timedelta(days=20), CameraStatus.BROKEN)  # long ago, and still its latest
        # work orders: overdue after 7 days unless closed (done but not yet confirmed still counts)
        _defect(session, p1, "WO-2569-0001", 10)
        _defect(session, p4, "WO-2569-0002", 9, order=OrderStatus.DONE)
        _defect(session, p2, "WO-2569-0003", 3)
        _defect(session, p3, "WO-2569-0004", 12, closed=True)
        # news reports: three in the last 24 hours (one draft not shown), one of 30 hours ago
        for hours, district, status in (
            (1, "บางรัก", ReportStatus.NEW),
            (5, "บางรัก", ReportStatus.RECEIVED),
            (23, "ปทุมวัน", ReportStatus.FORWARDED),
            (2, "บางรัก", ReportStatus.DRAFT),
            (30, "บางรัก", ReportStatus.NEW),
        ):
            news_report(
                session,
                NOW - timedelta(hours=hours),
                "ข่าวทดสอบ",
                channel="direct",
                sender_key=MEMBER_ID,
                status=status,
                district=district,
            )
        # forwards: two waiting for an agency (one of last fiscal year), one fully acknowledged
        agencies = [
            Agency(code="imm", name="ตรวจคนเข้าเมือง", kind=AgencyKind.OUTSIDE),
            Agency(code="police", name="สถานีตำรวจนครบาล", kind=AgencyKind.OUTSIDE),
        ]
        session.add_all(agencies)
        session.flush()
        _forward(session, "FW-2570-0001", NOW - timedelta(days=2), agencies, [True, False])
        _forward(session, "FW-2570-0002", NOW - timedelta(days=3), agencies, [True, True])
        _forward(session, "FW-2569-0009", datetime(2026, 8, 1, 9, tzinfo=BANGKOK), agencies[:1], [False])
        # messages LINE did not take: one parked, one failed; one sent
        for status in (OutboxStatus.PARKED, OutboxStatus.FAILED, OutboxStatus.SENT):
            (row,) = delivery.enqueue(session, MEMBER_ID, [text("ข้อความ")], purpose="reply")
            row.status = status
    # events: one of a บางรัก member parked, one stranger's parked, one failed
    add_member(services, MEMBER_ID, "สมศรี ใจดี", district="บางรัก")
    add_event(services, status=InboxStatus.PARKED, user_id=MEMBER_ID)
    add_event(services, status=InboxStatus.PARKED, user_id="U" + "c" * 32)
    add_event(services, status=InboxStatus.FAILED, user_id="U" + "c" * 32)
    office = {
        "reports": 3,
        "unpatrolled": 3,  # RP-0002, RP-0003, RP-0005
        "broken-cameras": 2,  # RP-0001, RP-0004
        "overdue-orders": 2,
        "unacknowledged": 2,
        "undelivered": 2,
        "failed-events": 1,
        "parked-events": 2,
    }
    bangrak = {"reports": 2, "unpatrolled": 2, "broken-cameras": 1, "overdue-orders": 1, "parked-events": 1}
    return office, bangrak


def signed_in(app, services, role: Role, districts=()):
    client = app.test_client()
    name = role.value.replace("_", "-")
    make_staff(services, name, role, districts=districts)
    assert login(client, name).status_code == 302
    return client


ROW_PREFIX = {
    "reports": "report-",
    "unpatrolled": "board-",
    "broken-cameras": "board-",
    "overdue-orders": "defect-",
    "unacknowledged": "forward-",
    "undelivered": "message-",
    "failed-events": "event-",
    "parked-events": "event-",
}


def test_each_tile_counts_the_rows_of_the_list_it_opens(app, services, world):
    office, _ = world
    admin = signed_in(app, services, Role.ADMIN)
    home = admin.get("/admin/").get_data(as_text=True)
    for name, expected in office.items():
        assert tile_number(home, name) == str(expected), name
        listed = admin.get(tile_href(home, name))
        assert listed.status_code == 200, name
        assert len(rows(listed.get_data(as_text=True), ROW_PREFIX[name])) == expected, name
    assert tile_href(home, "reports") == "/admin/network/reports?hours=24"
    assert tile_href(home, "overdue-orders") == "/admin/riskpoints/defects?overdue=1"
    assert tile_href(home, "quota") == "/admin/scheduler/"
    board = admin.get("/admin/riskpoints/board?show=unpatrolled").get_data(as_text=True)
    assert rows(board, "board-") == {"board-RP-0002", "board-RP-0003", "board-RP-0005"}
    broken = admin.get("/admin/riskpoints/board?show=broken").get_data(as_text=True)
    assert rows(broken, "board-") == {"board-RP-0001", "board-RP-0004"}
    assert "ชำรุด (ผลตรวจล่าสุด)" in broken  # not checked today: the latest check says broken


def test_a_district_officer_sees_only_their_district(app, services, world):
    _, bangrak = world
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, ["บางรัก"])
    home = officer.get("/admin/").get_data(as_text=True)
    for name, expected in bangrak.items():
        assert tile_number(home, name) == str(expected), name
        page = officer.get(tile_href(home, name)).get_data(as_text=True)
        assert len(rows(page, ROW_PREFIX[name])) == expected, name
    # no working group, no outbox, no quota, no failed events of theirs (the stranger's has no district)
    for hidden in ("unacknowledged", "undelivered", "quota"):
        assert tile_number(home, hidden) is None, hidden
    assert tile_number(home, "failed-events") == "0"
    assert "เฉพาะเขตบางรัก" in home


def test_roles_without_the_permission_see_no_tile(app, services, world):
    viewer = signed_in(app, services, Role.VIEWER)
    home = viewer.get("/admin/").get_data(as_text=True)
    for hidden in ("unacknowledged", "undelivered", "failed-events", "parked-events", "quota"):
        assert tile_number(home, hidden) is None, hidden
    assert tile_number(home, "reports") == "3" and tile_number(home, "broken-cameras") == "2"
    assert "/admin/inbox" not in home  # no inbox health link either
    assert viewer.get("/admin/inbox/health").status_code == 403
    assert "ตัวชี้วัดเครือข่ายข่าวความมั่นคง" in home and "ตัวชี้วัดจุดเสี่ยงภัยอาชญากรรม" in home


def test_the_secretariat_reaches_the_inbox_health_one_link_away(app, services, world):
    secretariat = signed_in(app, services, Role.SECRETARIAT)
    home = secretariat.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/inbox/health"' in home
    health = secretariat.get("/admin/inbox/health").get_data(as_text=True)
    assert "สถานะกล่องขาเข้า" in health and "รอนำเข้าจากไฟล์สำรอง" in health
    assert "มีข้อความจากบอทที่ส่งไม่ถึงผู้รับ 2 รายการ" in health


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        if data.strip():
            self.parts.append(data.strip())


def test_the_home_reads_as_thai_with_both_kpis(app, services, world):
    admin = signed_in(app, services, Role.ADMIN)
    html = admin.get("/admin/").get_data(as_text=True)
    page = _Text()
    page.feed(html.split("<main", 1)[1])
    text = " ".join(page.parts)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b|T\d{2}:\d{2}", text)  # no ISO dates
    assert not re.search(r"\b[a-z]+(?:[_-][a-z0-9]+)+\b|\b(None|True|False)\b", text)  # no codes
    assert "วันที่ 4 ธันวาคม 2569" in text
    assert "ปีงบประมาณ 2570" in text and "ไตรมาสที่ 1" in text
    assert text.count("ระดับ ") >= 5 and "(เป้าหมาย)" in text and 'href="/admin/workgroup/kpi"' in html
    assert 'href="/admin/riskpoints/compliance"' in html
    # the trend: one bar per month so far, each with a Thai title, and the same figures as a table
    assert html.count('<g class="trend-bar">') == 3
    assert "<title>ต.ค. 2569: ผลรวม" in html and "<title>ธ.ค. 2569: ผลรวม" in html
    assert "<caption>ตัวชี้วัดจุดเสี่ยงรายเดือน" in html
    assert " style=" not in html and "<script>" not in html  # the CSP forbids both
    assert re.search(r"\d+\.\d %", text)  # percentages with one decimal


def test_the_kpi_added_up_from_months_equals_the_kpi_of_the_span(services, world):
    with services.sessions() as session:
        for districts in (None, {"บางรัก"}, {"บางรัก", "ปทุมวัน"}):
            overview = wt.riskpoint_overview(session, TODAY, districts, cache={})
            year = wt.riskpoint_kpi(session, Period.of_fiscal_year(2570), districts, TODAY)
            quarter = wt.riskpoint_kpi(session, Period.of_quarter(2570, 1), districts, TODAY)
            assert overview.year_kpi.as_dict() == year.as_dict()
            assert overview.quarter_kpi.as_dict() == quarter.as_dict()
            assert [m.period.month for m in overview.months] == [10, 11, 12]
        office = rc.compliance(session, Period.of_fiscal_year(2570), as_of=TODAY)
        assert wt.riskpoint_overview(session, TODAY, None).year_kpi.as_dict() == office.as_dict()
        assert office.patrols_done == 3 and office.defects_opened == 4


def test_the_tiles_take_few_queries(services, world):
    """Each tile is one aggregate (the broken cameras two), whatever the number of points."""
    from sqlalchemy import event

    statements = []
    engine = services.engine
    listener = lambda *args, **kwargs: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with services.sessions() as session:
            from sqlalchemy import true

            wt.work_today(session, NOW, None, wt.TILES, inbox_where=true(), undelivered_where=true())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 16
