"""The inbox scoped by district: which events a district officer sees, on the web and in the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from models import (
    Agency,
    Chat,
    InboxEvent,
    InboxStatus,
    Member,
    NewsReport,
    ReportItem,
    RiskUnit,
    Role,
    StaffUser,
    UnitKind,
)
from models.timeutil import utcnow
from models.workgroup import AgencyKind
from tests.test_admin_support import (
    SECRET_TEXT,
    add_event,
    add_member,
    event_status,
    login,
    make_staff,
    make_token,
    post_form,
)

BANGRAK_USER, DUSIT_USER, NOBODY = "U" + "1" * 32, "U" + "2" * 32, "U" + "3" * 32
UNIT_GROUP, AGENCY_GROUP, NETWORK_GROUP = "C" + "a" * 32, "C" + "b" * 32, "C" + "c" * 32


def group_event(services, group: str, sender: str, **kwargs) -> int:
    """An event sent in a group (its chat is the group's id, its sender a user)."""
    event_id = add_event(services, source_type="group", user_id=sender, **kwargs)
    with services.sessions.begin() as session:
        session.execute(update(InboxEvent).where(InboxEvent.id == event_id).values(chat_key=group))
    return event_id


def chat(session, line_id: str, purpose: str) -> Chat:
    found = Chat(line_chat_id=line_id, chat_type="group", name=purpose, purpose=purpose, registered_at=utcnow())
    session.add(found)
    session.flush()
    return found


@pytest.fixture
def events(services) -> dict[str, int]:
    """One event of each kind; the district officer's district is บางรัก."""
    add_member(services, BANGRAK_USER, "สมาชิกบางรัก", district="บางรัก")
    add_member(services, DUSIT_USER, "สมาชิกดุสิต", district="ดุสิต")
    add_member(services, "U" + "4" * 32, "ยังไม่เลือกเขต")
    with services.sessions.begin() as session:
        unit = chat(session, UNIT_GROUP, "patrol")
        agency = chat(session, AGENCY_GROUP, "agency")
        network = chat(session, NETWORK_GROUP, "network")
        session.add(
            RiskUnit(code="patrol-br", name="สายตรวจบางรัก", kind=UnitKind.PATROL, district="บางรัก", chat_id=unit.id)
        )
        session.add(Agency(code="dusit", name="สำนักงานเขตดุสิต", kind=AgencyKind.BMA, district="ดุสิต", chat_id=agency.id))
        network_id = network.id
    found = {
        "member": add_event(services, user_id=BANGRAK_USER),
        "other_member": add_event(services, user_id=DUSIT_USER),
        "no_district": add_event(services, user_id="U" + "4" * 32),
        "stranger": add_event(services, user_id=NOBODY, event_type="follow"),
        "unit_group": group_event(services, UNIT_GROUP, NOBODY),
        "agency_group": group_event(services, AGENCY_GROUP, BANGRAK_USER),
        "reported": group_event(services, NETWORK_GROUP, DUSIT_USER),
        "unreported": group_event(services, NETWORK_GROUP, BANGRAK_USER, event_type="join"),
    }
    now = utcnow()
    with services.sessions.begin() as session:
        report = NewsReport(
            channel="group",
            chat_id=network_id,
            sender_key=DUSIT_USER,
            district="บางรัก",
            started_at=now,
            last_item_at=now,
        )
        session.add(report)
        session.flush()
        session.add(ReportItem(report_id=report.id, inbox_event_id=found["reported"], kind="text", sent_at=now))
    return found


OFFICER_SEES = {"member", "unit_group", "reported"}


@pytest.fixture
def officer(app, services):
    make_staff(services, "bangrak", Role.DISTRICT_OFFICER, districts=["บางรัก"])
    client = app.test_client()
    assert login(client, "bangrak").status_code == 302
    client.get("/admin/")  # shows (and so clears) the welcome message
    return client


def listed(page: str, events: dict[str, int]) -> set[str]:
    return {name for name, event_id in events.items() if f'id="event-{event_id}"' in page}


def test_a_district_officer_lists_only_the_events_of_their_districts(officer, events):
    page = officer.get("/admin/inbox").get_data(as_text=True)
    assert listed(page, events) == OFFICER_SEES
    assert "แสดงเฉพาะเหตุการณ์ของสมาชิกและกลุ่มในเขตที่ท่านรับผิดชอบ: บางรัก" in page
    filtered = officer.get("/admin/inbox?status=parked&type=message").get_data(as_text=True)
    assert listed(filtered, events) == OFFICER_SEES
    assert 'value="follow"' not in page and 'value="join"' not in page  # the type filter: their events' types


def test_the_type_filter_offers_every_type_to_the_secretariat(secretariat, events):
    page = secretariat.get("/admin/inbox").get_data(as_text=True)
    assert 'value="follow"' in page and 'value="join"' in page


def without_token(response) -> str:
    """The page without its CSRF token, which is signed with the second it was made."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', response.get_data(as_text=True))


def test_an_event_outside_the_scope_is_a_404_like_a_missing_one(officer, events):
    missing = officer.get("/admin/inbox/999999")
    for name, event_id in events.items():
        response = officer.get(f"/admin/inbox/{event_id}")
        if name in OFFICER_SEES:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 404, name
            assert without_token(response) == without_token(missing), name  # the same page: the id tells nothing
        assert SECRET_TEXT not in response.get_data(as_text=True)


def test_an_officer_of_another_district_and_one_without_districts(app, services, events):
    make_staff(services, "dusit", Role.DISTRICT_OFFICER, districts=["ดุสิต"])
    nowhere_id = make_staff(services, "nowhere", Role.DISTRICT_OFFICER, districts=["บางรัก"])
    with services.sessions.begin() as session:
        session.get(StaffUser, nowhere_id).districts = []  # e.g. the district list was emptied by hand
    dusit, nowhere = app.test_client(), app.test_client()
    assert login(dusit, "dusit").status_code == 302 and login(nowhere, "nowhere").status_code == 302
    assert listed(dusit.get("/admin/inbox").get_data(as_text=True), events) == {"other_member", "agency_group"}
    assert listed(nowhere.get("/admin/inbox").get_data(as_text=True), events) == set()
    assert nowhere.get(f"/admin/inbox/{events['member']}").status_code == 404


def test_a_member_who_moves_district_takes_their_events_along(services, officer, events):
    with services.sessions.begin() as session:
        session.execute(update(Member).where(Member.line_user_id == BANGRAK_USER).values(district="ดุสิต"))
    assert officer.get(f"/admin/inbox/{events['member']}").status_code == 404


def test_the_secretariat_sees_every_event(secretariat, events):
    assert listed(secretariat.get("/admin/inbox?per_page=50").get_data(as_text=True), events) == set(events)
    assert all(secretariat.get(f"/admin/inbox/{event_id}").status_code == 200 for event_id in events.values())


def test_the_front_page_counts_only_what_the_officer_may_see(officer, secretariat, events):
    def parked(page: str) -> str:
        tile = page.split('tile-parked" href="/admin/inbox?status=parked">')[1]
        return tile.split("</span>")[0].rsplit(">", 1)[1].strip()

    from tests.test_home import tile_number

    assert parked(officer.get("/admin/inbox/health").get_data(as_text=True)) == str(len(OFFICER_SEES))
    assert parked(secretariat.get("/admin/inbox/health").get_data(as_text=True)) == str(len(events))
    assert tile_number(officer.get("/admin/").get_data(as_text=True), "parked-events") == str(len(OFFICER_SEES))
    assert tile_number(secretariat.get("/admin/").get_data(as_text=True), "parked-events") == str(len(events))
    assert "ไฟล์สำรอง" not in officer.get("/admin/inbox/health").get_data(as_text=True)  # the spool: every district


def test_the_api_is_scoped_the_same_way(client, services, events):
    make_staff(services, "bangrak", Role.DISTRICT_OFFICER, districts=["บางรัก"])
    headers = {"Authorization": f"Bearer {make_token(services, 'bangrak')}"}
    body = client.get("/api/v1/inbox", headers=headers).get_json()
    assert {item["id"] for item in body["items"]} == {events[name] for name in OFFICER_SEES}
    assert body["pagination"]["total"] == len(OFFICER_SEES)
    for name, event_id in events.items():
        response = client.get(f"/api/v1/inbox/{event_id}", headers=headers)
        assert response.status_code == (200 if name in OFFICER_SEES else 404), name
    missing = client.get("/api/v1/inbox/999999", headers=headers)
    outside = client.get(f"/api/v1/inbox/{events['stranger']}", headers=headers)
    assert outside.get_json() == missing.get_json()


def test_the_viewer_has_no_inbox_at_all(app, services, events):
    make_staff(services, "viewer", Role.VIEWER)
    client = app.test_client()
    assert login(client, "viewer").status_code == 302
    assert client.get("/admin/inbox").status_code == 403
    assert client.get(f"/admin/inbox/{events['member']}").status_code == 403
    assert client.get("/admin/inbox/health").status_code == 403
    front = client.get("/admin/")
    assert front.status_code == 200
    text = front.get_data(as_text=True)
    assert "tile-parked" not in text and "tile-failed" not in text and "/admin/inbox" not in text
    headers = {"Authorization": f"Bearer {make_token(services, 'viewer')}"}
    assert client.get(f"/api/v1/inbox/{events['member']}", headers=headers).status_code == 403


def test_the_retry_button_stays_with_the_secretariat(officer, secretariat, services, events):
    assert post_form(officer, f"/admin/inbox/{events['member']}/retry").status_code == 403
    assert event_status(services, events["member"]) == InboxStatus.PARKED
    assert post_form(secretariat, f"/admin/inbox/{events['stranger']}/retry").status_code == 302
    assert event_status(services, events["stranger"]) == InboxStatus.PENDING
