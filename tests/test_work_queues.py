"""The work queues: the reports inbox's hours filter and bulk actions, the defects queue by department and age,
and the month reports each unit owes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import bot.admin.network_bulk as bulk
from bot.auth import ROLE_PERMISSIONS, Permission
from models import (
    Defect,
    DefectStatus,
    MonthlySubmission,
    NewsReport,
    OrderStatus,
    ReportLink,
    ReportStatus,
    RiskUnit,
    Role,
    UnitKind,
    WorkOrder,
)
from models.deadlines import month_deadline
from models.timeutil import utcnow
from models.workgroup import Agency, Forward, ForwardReport, MeetingReport
from services.audit import Action
from services.network.errors import NetworkError
from services.riskpoints.units import create_unit
from services.workgroup.meetings import reports_waiting
from tests import test_network_admin_support as make
from tests import workgroup_factories as wg
from tests.report_factories import two_points
from tests.test_admin_support import audit_entries, make_staff, post_form
from tests.test_network_admin_support import page, signed_in

INBOX = "/admin/network/reports"
BULK = "/admin/network/reports/bulk"


def refs(html: str) -> set[str]:
    """The reference numbers listed in the inbox."""
    return set(re.findall(r'network/reports/\d+">(NR-[^<]+)</a>', html))


def flashed(client, response) -> str:
    """The page a POST redirected to, with its flashed message."""
    assert response.status_code == 302, response.status_code
    return page(client, response.headers["Location"])


def bulk_post(client, action: str, ids, **fields):
    """Press a bulk action's button with these reports ticked."""
    data = {"action": action, "report_id": [str(i) for i in ids], "next": INBOX, **fields}
    return post_form(client, BULK, data, form_page=INBOX)


def category_of(services, report_id: int) -> str | None:
    with services.sessions() as session:
        return session.get(NewsReport, report_id).category_code


# --- the reports inbox: hours ------------------------------------------------------------------------


def test_hours_filter_keeps_the_last_hours_as_a_removable_thai_chip(app, services):
    now = utcnow()
    _, recent = make.report(services, when=now - timedelta(hours=2))
    _, older = make.report(services, when=now - timedelta(hours=30))
    client = signed_in(app, services, Role.SECRETARIAT)

    html = page(client, f"{INBOX}?hours=24")
    assert refs(html) == {recent}
    assert "ได้รับใน 24 ชั่วโมงที่ผ่านมา" in html
    chip = re.search(r'<li class="chip">.*?<a href="([^"]+)"', html, re.S).group(1)
    assert "hours" not in chip and refs(page(client, chip)) == {recent, older}
    assert refs(page(client, f"{INBOX}?hours=48")) == {recent, older}
    assert 'name="hours" value="24"' in html  # kept when other filters are applied

    for bad in ("abc", "0", "-3", "999999"):
        wrong = page(client, f"{INBOX}?hours={bad}")
        assert "ช่วงเวลา" in wrong and "ไม่ถูกต้อง" in wrong and "ได้รับใน" not in wrong
        assert refs(wrong) == {recent, older}


# --- the reports inbox: bulk actions -----------------------------------------------------------------


def test_bulk_categorise_ticked_and_all_on_the_page_audited_per_report(app, services):
    made = [make.report(services, category=None, when=make.bkk(2026, 1, 20, 9, n)) for n in range(4)]
    ids = [report_id for report_id, _ in made]
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, INBOX)
    assert 'form="bulk-actions"' in html and "เลือกทั้งหมดในหน้านี้" in html and "จัดหมวดข่าวที่เลือก" in html

    done = flashed(client, bulk_post(client, "category", ids[:2], category="drugs"))
    assert "จัดหมวด “ยาเสพติด” 2 ข่าวแล้ว" in done
    assert [category_of(services, i) for i in ids] == ["drugs", "drugs", None, None]
    entries = audit_entries(services, Action.REPORT_CATEGORY)
    assert sorted(int(e.object_id) for e in entries) == sorted(ids[:2])

    data = {"action": "category", "category": "illegal_worker", "all_on_page": "1", "page_id": [str(i) for i in ids]}
    done = flashed(client, post_form(client, BULK, data, form_page=INBOX))
    assert "จัดหมวด “แรงงานต่างด้าวผิดกฎหมาย” 4 ข่าวแล้ว" in done
    assert {category_of(services, i) for i in ids} == {"illegal_worker"}
    assert len(audit_entries(services, Action.REPORT_CATEGORY)) == 6

    nothing = flashed(client, post_form(client, BULK, {"action": "category", "category": "drugs"}, form_page=INBOX))
    assert "กรุณาเลือกข่าวอย่างน้อย 1 ข่าว" in nothing
    unknown = flashed(client, bulk_post(client, "explode", ids))
    assert "กรุณาเลือกสิ่งที่จะทำ" in unknown
    assert "กรุณาเลือกหมวดหมู่" in flashed(client, bulk_post(client, "category", ids))


def test_bulk_actions_refuse_reports_outside_the_officers_districts(app, services, monkeypatch):
    mine, _ = make.report(services, district="คลองเตย")
    theirs, _ = make.report(services, district="บางรัก")
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, districts=["คลองเตย"])
    # Today no district-scoped role manages the network: the officer is refused outright ...
    assert bulk_post(officer, "category", [mine], category="drugs").status_code == 403
    assert 'form="bulk-actions"' not in page(officer, INBOX)

    # ... and were it granted, only their districts' reports are touched, the others named as refused.
    granted = ROLE_PERMISSIONS[Role.DISTRICT_OFFICER] | {Permission.MANAGE_NETWORK}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.DISTRICT_OFFICER, granted)
    done = flashed(officer, bulk_post(officer, "category", [mine, theirs], category="drugs"))
    assert "จัดหมวด “ยาเสพติด” 1 ข่าวแล้ว" in done and "1 ข่าวอยู่นอกเขตที่ท่านรับผิดชอบ" in done
    assert category_of(services, mine) == "drugs" and category_of(services, theirs) == "illegal_worker"
    refused = flashed(officer, bulk_post(officer, "category", [theirs], category="drugs"))
    assert "ไม่ได้ดำเนินการกับข่าวใดเลย: 1 ข่าวอยู่นอกเขตที่ท่านรับผิดชอบ" in refused
    assert category_of(services, theirs) == "illegal_worker"
    assert [int(e.object_id) for e in audit_entries(services, Action.REPORT_CATEGORY)] == [mine]


def test_a_bulk_action_that_fails_half_way_leaves_nothing_done(app, services, monkeypatch):
    ids = [make.report(services, category=None, when=make.bkk(2026, 1, 21, 9, n))[0] for n in range(3)]
    client = signed_in(app, services, Role.SECRETARIAT)
    real = bulk.set_category
    calls = []

    def failing(session, report_id, code, *, by):
        calls.append(report_id)
        if len(calls) == 3:
            raise NetworkError("ระบบขัดข้องระหว่างจัดหมวด")
        return real(session, report_id, code, by=by)

    monkeypatch.setattr(bulk, "set_category", failing)
    done = flashed(client, bulk_post(client, "category", ids, category="drugs"))
    assert "ระบบขัดข้องระหว่างจัดหมวด" in done and len(calls) == 3
    assert [category_of(services, i) for i in ids] == [None, None, None]
    assert audit_entries(services, Action.REPORT_CATEGORY) == []


def test_bulk_link_as_duplicates_to_the_earliest(app, services):
    first, first_ref = make.report(services, when=make.bkk(2026, 1, 20, 9, 0))
    second, _ = make.report(services, when=make.bkk(2026, 1, 20, 9, 30))
    third, _ = make.report(services, when=make.bkk(2026, 1, 20, 11, 0))
    draft, _ = make.report(services, status=ReportStatus.DRAFT)
    client = signed_in(app, services, Role.SECRETARIAT)
    done = flashed(client, bulk_post(client, "duplicates", [third, second, first, draft]))
    assert f"เชื่อม 3 ข่าวเป็นข่าวเดียวกันแล้ว โดยยึด {first_ref} เป็นข่าวแรก (เพิ่มการเชื่อม 2 รายการ)" in done
    assert f"ร่าง #{draft} ยังไม่ได้ยืนยัน" in done
    with services.sessions() as session:
        links = {(link.report_id, link.other_id, link.minutes_apart) for link in session.scalars(select(ReportLink))}
    assert links == {(first, second, 30.0), (first, third, 120.0)}
    assert "อาจซ้ำ 2" in page(client, INBOX)
    again = flashed(client, bulk_post(client, "duplicates", [first, second]))
    assert "เพิ่มการเชื่อม 0 รายการ" in again  # one link per pair, as the automatic rule keeps
    assert len(audit_entries(services, bulk.AUDIT_DUPLICATES)) == 5
    assert "อย่างน้อย 2 ข่าว" in flashed(client, bulk_post(client, "duplicates", [first]))


def test_bulk_forward_sends_the_reports_together_as_one_forward(app, services):
    with services.sessions.begin() as session:
        found = wg.agencies(session)
        wg.agency_group(session, found["immigration"], members=25, line_id="C" + "1" * 32)
        agency_id = found["immigration"].id
    ids = [make.report(services, when=make.bkk(2026, 1, 22, 9, n))[0] for n in range(3)]
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, INBOX)
    assert "ส่งต่อข่าวที่เลือก" in html and found_name(services, agency_id) in html
    done = flashed(client, bulk_post(client, "forward", ids, agency_id=str(agency_id), via_line="1", subject=""))
    with services.sessions() as session:
        forward = session.scalars(select(Forward)).one()
        linked = set(session.scalars(select(ForwardReport.report_id).where(ForwardReport.forward_id == forward.id)))
        statuses = {session.get(NewsReport, i).status for i in ids}
    assert linked == set(ids) and statuses == {ReportStatus.FORWARDED}
    assert forward.subject == bulk.DEFAULT_SUBJECT
    assert f"ส่งต่อ 3 ข่าวรวมเป็นเรื่องเดียว {forward.ref_no}" in done and "ใช้โควตาข้อความ LINE ประมาณ 25" in done
    assert sorted(int(e.object_id) for e in audit_entries(services, bulk.AUDIT_FORWARD)) == sorted(ids)
    no_agency = flashed(client, bulk_post(client, "forward", ids, via_line="1"))
    assert "กรุณาเลือกหน่วยงานที่จะส่งถึง" in no_agency
    with services.sessions() as session:
        assert session.scalar(select(func.count(Forward.id))) == 1  # the refused one left nothing


def found_name(services, agency_id: int) -> str:
    with services.sessions() as session:
        return session.get(Agency, agency_id).name


def test_bulk_put_before_a_meeting_marks_them_considered(app, services):
    with services.sessions.begin() as session:
        committee = wg.committee(session)
        held = wg.meeting(session, committee.id, utcnow() - timedelta(days=3))
        held_id, title = held.id, held.title
    ids = [make.report(services, when=make.bkk(2026, 1, 23, 9, n))[0] for n in range(2)]
    client = signed_in(app, services, Role.SECRETARIAT)
    assert title in page(client, INBOX)
    done = flashed(client, bulk_post(client, "meeting", ids, meeting_id=str(held_id)))
    assert f"บรรจุ 2 ข่าวเข้าวาระ “{title}” แล้ว" in done and "นับว่าคณะทำงานพิจารณาแล้ว" in done
    with services.sessions() as session:
        assert set(session.scalars(select(MeetingReport.report_id))) == set(ids)
        assert not {r.id for r in reports_waiting(session)} & set(ids)
    again = flashed(client, bulk_post(client, "meeting", ids, meeting_id=str(held_id)))
    assert "บรรจุ 0 ข่าว" in again and "อีก 2 ข่าวอยู่ในวาระแล้ว" in again
    assert "กรุณาเลือกการประชุม" in flashed(client, bulk_post(client, "meeting", ids, meeting_id="x"))
    assert len(audit_entries(services, bulk.AUDIT_MEETING)) == 4


# --- defects and work orders -------------------------------------------------------------------------


@pytest.fixture
def queue(services):
    """Defects of ฝ่ายโยธา and ฝ่ายเทศกิจ at two points, opened 0, 2, 5, 10 and 40 days ago; one closed."""
    now = utcnow()
    with services.sessions.begin() as session:
        _, points = two_points(session)
        works = session.scalar(select(RiskUnit).where(RiskUnit.code == "public_works"))
        municipal = session.scalar(select(RiskUnit).where(RiskUnit.code == "municipal"))
        made = {}
        for n, (days, unit, point, closed) in enumerate(
            [
                (0, works, "RP-0001", False),
                (2, works, "RP-0001", False),
                (5, municipal, "RP-0001", False),
                (10, works, "RP-0002", False),
                (40, municipal, "RP-0001", False),
                (12, works, "RP-0001", True),
            ],
            start=1,
        ):
            opened = now - timedelta(days=days, minutes=5)
            defect = Defect(
                point_id=points[point].id,
                kind="lighting",
                opened_at=opened,
                status=DefectStatus.CLOSED if closed else DefectStatus.OPEN,
                closed_at=opened + timedelta(days=3) if closed else None,
            )
            session.add(defect)
            session.flush()
            order = WorkOrder(
                ref=f"WO-2569-{n:04d}",
                defect_id=defect.id,
                unit_id=unit.id,
                created_at=opened,
                status=OrderStatus.CLOSED if closed else OrderStatus.NEW,
                closed_at=defect.closed_at,
            )
            session.add(order)
            made[days] = order.ref
        units = {"works": works.id, "municipal": municipal.id}
    return made, units


def orders(html: str) -> set[str]:
    return set(re.findall(r"WO-2569-\d{4}", html.split('<form method="get"', 1)[1]))


def test_defects_queue_filters_by_department_age_status_and_overdue(app, services, queue):
    made, units = queue
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, "/admin/riskpoints/defects")
    assert orders(html) == {made[d] for d in (0, 2, 5, 10, 40)}
    assert "วันนี้" in html and ">2 วัน<" in html and "0.0" not in html and "public_works" not in html
    assert "ฝ่ายโยธา" in html and "ฝ่ายเทศกิจ" in html

    def shown(query: str) -> set[str]:
        return orders(page(client, "/admin/riskpoints/defects" + query))

    assert shown(f"?department={units['works']}") == {made[0], made[2], made[10]}
    assert shown(f"?department={units['works']}&status=all") == {made[0], made[2], made[10], made[12]}
    assert shown("?status=closed") == {made[12]}
    assert shown("?age=upto3") == {made[0], made[2]}
    assert shown("?age=4to7") == {made[5]}
    assert shown("?age=over7") == {made[10], made[40]}
    assert shown("?age=over30") == {made[40]}
    assert shown("?overdue=1") == {made[10], made[40]}
    assert shown(f"?overdue=1&department={units['municipal']}") == {made[40]}
    assert shown("?order=closed&status=all") == {made[12]}

    wrong = page(client, "/admin/riskpoints/defects?age=old&department=999&status=x&overdue=yes")
    for message in ("ช่วงอายุงาน “old” ไม่ถูกต้อง", "ไม่พบหน่วยงานที่เลือก", "สถานะ “x” ไม่ถูกต้อง", "งานเกินกำหนด"):
        assert message in wrong
    assert orders(wrong) == {made[d] for d in (0, 2, 5, 10, 40)}


def test_defects_queue_pages_and_summarises_each_department(app, services, queue):
    made, units = queue
    client = signed_in(app, services, Role.SECRETARIAT)
    first = page(client, "/admin/riskpoints/defects?per_page=2")
    second = page(client, "/admin/riskpoints/defects?per_page=2&page=2")
    assert "หน้า 1 จาก 3 (5 รายการ)" in first and orders(first) == {made[0], made[2]}
    assert orders(second) == {made[5], made[10]}
    summary = first.split('id="by-department"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>.*?</tr>", summary, re.S)
    works = next(row for row in rows if "ฝ่ายโยธา" in row)
    municipal = next(row for row in rows if "ฝ่ายเทศกิจ" in row)
    cells = lambda row: re.findall(r'data-label="[^"]+">(?:<a[^>]*>)?([^<]+)', row)  # noqa: E731
    assert cells(works) == ["3", "1", "2 วัน"]  # open 0, 2, 10 days: one overdue, median 2
    assert cells(municipal) == ["2", "1", "22.5 วัน"]
    assert "overdue=1" in works and f"department={units['works']}" in works


def test_a_district_officer_sees_defects_of_their_districts_only(app, services, queue):
    made, _ = queue
    officer = signed_in(app, services, Role.DISTRICT_OFFICER, districts=["บางรัก"])
    html = page(officer, "/admin/riskpoints/defects")
    assert orders(html) == {made[d] for d in (0, 2, 5, 40)}  # RP-0002 is in ปทุมวัน


# --- month reports -----------------------------------------------------------------------------------


def test_month_submissions_page_shows_who_sent_when_and_on_time(app, services):
    deadline = month_deadline(None, 2026, 10)
    with services.sessions.begin() as session:
        patrol, _ = two_points(session)
        works = session.scalar(select(RiskUnit).where(RiskUnit.code == "public_works"))
        late_unit = create_unit(session, code="dept-2", name="ฝ่ายสิ่งแวดล้อม", kind=UnitKind.DEPARTMENT)
        figures = {"kind": "department", "orders_received": 4, "orders_done": 3, "orders_pending": 1}
        session.add(
            MonthlySubmission(
                unit_id=works.id, year=2026, month=10, submitted_at=deadline - timedelta(hours=1), figures=figures
            )
        )
        session.add(
            MonthlySubmission(
                unit_id=late_unit.id,
                year=2026,
                month=10,
                submitted_at=deadline + timedelta(days=2),
                figures=figures,
                note="ล่าช้าเพราะน้ำท่วม",
            )
        )
        ids = {"works": works.id, "late": late_unit.id, "patrol": patrol.id}
    client = signed_in(app, services, Role.SECRETARIAT)
    html = page(client, "/admin/riskpoints/submissions?month=2569-10")
    assert "เดือนตุลาคม 2569" in html and "กำหนดส่ง:" in html and "2569" in html and "17:00 น." in html

    def row(unit_id: int) -> str:
        return re.search(rf'<tr id="unit-{unit_id}">.*?</tr>', html, re.S).group(0)

    assert "ส่งแล้ว" in row(ids["works"]) and "ทันกำหนด" in row(ids["works"])
    assert "รับงาน 4" in row(ids["works"]) or "4" in row(ids["works"])
    assert "หลังกำหนด 2 วัน" in row(ids["late"]) and "ล่าช้าเพราะน้ำท่วม" in row(ids["late"])
    assert "ยังไม่ส่ง เลยกำหนดแล้ว" in row(ids["patrol"])
    assert f"department={ids['works']}" in row(ids["works"])
    assert "2026" not in html.split("<h2>", 1)[1] and "public_works" not in html
    assert page(client, "/admin/riskpoints/submissions?month=2026-10").count("ทันกำหนด") >= 1  # CE read too

    for bad, words in (("13/2569", "ไม่มีเดือนที่ 13"), ("2570-06", "ยังไม่จบ"), ("abc", "อ่าน “abc” ไม่ได้")):
        wrong = page(client, f"/admin/riskpoints/submissions?month={bad}")
        assert words in wrong and "จึงแสดงเดือน" in wrong
    assert "รายงานประจำเดือนของหน่วยงาน" in page(client, "/admin/riskpoints/defects")


# --- in a browser, 360 px wide -----------------------------------------------------------------------


def test_the_queues_on_a_360_px_phone_with_the_keyboard(services, live_server, phone_page, queue):
    from tests.browser import SCREENSHOTS, sign_in

    ids = [make.report(services, category=None, when=utcnow() - timedelta(hours=n + 1))[0] for n in range(3)]
    make_staff(services, "noi", Role.SECRETARIAT, password="browser test password")
    page = phone_page
    page.goto(f"{live_server}/admin/network/reports?hours=24")
    sign_in(page, "noi", "browser test password")
    assert "ได้รับใน 24 ชั่วโมงที่ผ่านมา" in page.locator(".chips").inner_text()
    panel = page.locator("details.bulk-panel")
    assert not panel.evaluate("d => d.open")  # on a phone the list comes first, the actions folded
    select_all = page.get_by_label("เลือกทั้งหมดในหน้านี้")
    select_all.focus()
    page.keyboard.press("Space")  # the keyboard ticks every row of the page
    assert all(page.locator(f'#report-{i} input[name="report_id"]').is_checked() for i in ids)
    assert "เลือกไว้ 3 ข่าว" in page.locator("[data-selected-count]").inner_text()
    assert panel.evaluate("d => d.open")  # ticking unfolds them
    page.locator(f'#report-{ids[0]} input[name="report_id"]').press("Space")  # untick one: not "all" any more
    assert not select_all.is_checked()
    page.locator('#bulk-actions select[name="category"]').select_option("drugs")
    page.screenshot(path=str(SCREENSHOTS / "work-queues-inbox-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="จัดหมวดข่าวที่เลือก").press("Enter")
    page.wait_for_selector(".flash-success")
    assert "จัดหมวด “ยาเสพติด” 2 ข่าวแล้ว" in page.locator(".flash-success").inner_text()
    assert [category_of(services, i) for i in ids] == [None, "drugs", "drugs"]
    assert page.url.endswith("hours=24") or "hours=24" in page.url  # back on the same filtered page

    for path, name in (("/admin/riskpoints/defects?overdue=1", "defects"), ("/admin/riskpoints/submissions", "months")):
        page.goto(f"{live_server}{path}")
        page.screenshot(path=str(SCREENSHOTS / f"work-queues-{name}-360.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert page.outside_requests == []
