"""The read-only JSON API: bearer tokens, roles, pagination, payloads on request, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot.api.pagination import MAX_PER_PAGE, page_args
from models import ApiToken, InboxStatus, Role, StaffUser
from models.timeutil import utcnow
from tests.test_admin_support import SECRET_TEXT, add_event, add_member, audit_entries, make_staff, make_token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(services) -> dict[Role, str]:
    """One token per role (district officer of บางรัก)."""
    result = {}
    for role in Role:
        make_staff(services, role.value.replace("_", "-"), role, districts=["บางรัก"])
        result[role] = make_token(services, role.value.replace("_", "-"))
    return result


def test_valid_token_is_accepted_and_its_use_noted(client, services, tokens):
    response = client.get("/api/v1/", headers=bearer(tokens[Role.VIEWER]))
    assert response.status_code == 200
    body = response.get_json()
    permissions = ["view_kpi", "view_network", "view_riskpoints"]
    assert body["user"] == {"username": "viewer", "role": "viewer", "permissions": permissions, "districts": None}
    assert body["resources"]["inbox"] == "/api/v1/inbox"
    assert response.headers["Cache-Control"] == "no-store"
    with services.sessions() as session:
        used = session.scalar(select(ApiToken.last_used_at).join(StaffUser).where(StaffUser.username == "viewer"))
    assert used is not None and utcnow() - used < timedelta(minutes=1)


def test_later_use_moves_last_used_at(client, services, tokens):
    client.get("/api/v1/", headers=bearer(tokens[Role.VIEWER]))
    with time_machine.travel(utcnow() + timedelta(hours=3), tick=False):
        client.get("/api/v1/", headers=bearer(tokens[Role.VIEWER]))
    with services.sessions() as session:
        used = session.scalar(select(ApiToken.last_used_at).join(StaffUser).where(StaffUser.username == "viewer"))
    assert used - utcnow() > timedelta(hours=2)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer fl_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["missing", "empty", "wrong", "other-scheme"],
)
def test_missing_or_wrong_token_is_401_json(client, tokens, headers):
    response = client.get("/api/v1/inbox", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(client, services, tokens):
    with services.sessions.begin() as session:
        for token in session.scalars(select(ApiToken)):
            token.revoked_at = utcnow()
    assert client.get("/api/v1/", headers=bearer(tokens[Role.ADMIN])).status_code == 401


def test_inactive_user_token_is_401(client, services, tokens):
    with services.sessions.begin() as session:
        session.scalar(select(StaffUser).where(StaffUser.username == "admin")).is_active = False
    assert client.get("/api/v1/", headers=bearer(tokens[Role.ADMIN])).status_code == 401
    assert client.get("/api/v1/", headers=bearer(tokens[Role.VIEWER])).status_code == 200


def test_a_web_session_is_not_an_api_credential(client, services, tokens):
    from tests.test_admin_support import login

    login(client, "admin")
    assert client.get("/api/v1/inbox").status_code == 401


def test_inbox_is_paginated_with_links(client, services, tokens):
    ids = [add_event(services, status=InboxStatus.DONE, last_error=None) for _ in range(5)]
    response = client.get("/api/v1/inbox?per_page=2", headers=bearer(tokens[Role.SECRETARIAT]))
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [ids[4], ids[3]]
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    assert body["links"]["prev"] is None
    next_url = body["links"]["next"]
    assert "page=2" in next_url and "per_page=2" in next_url
    second = client.get(next_url, headers=bearer(tokens[Role.SECRETARIAT])).get_json()
    assert [item["id"] for item in second["items"]] == [ids[2], ids[1]]
    last = client.get("/api/v1/inbox?per_page=2&page=3", headers=bearer(tokens[Role.SECRETARIAT])).get_json()
    assert [item["id"] for item in last["items"]] == [ids[0]] and last["links"]["next"] is None
    beyond = client.get("/api/v1/inbox?per_page=2&page=9", headers=bearer(tokens[Role.SECRETARIAT])).get_json()
    assert beyond["items"] == [] and beyond["pagination"]["total"] == 5


def test_page_args_are_lenient_and_capped():
    assert page_args({}) == (1, 50)
    assert page_args({"page": "3", "per_page": "10"}) == (3, 10)
    assert page_args({"page": "0", "per_page": "-5"}) == (1, 50)
    assert page_args({"page": "abc", "per_page": "99999"}) == (1, MAX_PER_PAGE)


def test_inbox_filters_by_status_and_type(client, services, tokens):
    parked = add_event(services, status=InboxStatus.PARKED, event_type="message")
    add_event(services, status=InboxStatus.DONE, event_type="message", last_error=None)
    follow = add_event(services, status=InboxStatus.PARKED, event_type="follow")
    admin = bearer(tokens[Role.ADMIN])
    body = client.get("/api/v1/inbox?status=parked&type=message", headers=admin).get_json()
    assert [item["id"] for item in body["items"]] == [parked]
    body = client.get("/api/v1/inbox?status=parked", headers=admin).get_json()
    assert {item["id"] for item in body["items"]} == {parked, follow}
    bad = client.get("/api/v1/inbox?status=lost", headers=admin)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_request"


def test_inbox_items_carry_no_payload_by_default(client, services, tokens):
    event_id = add_event(services)
    body = client.get("/api/v1/inbox", headers=bearer(tokens[Role.ADMIN])).get_json()
    [item] = body["items"]
    assert "payload" not in item and SECRET_TEXT not in str(body)
    assert item["status"] == "parked" and item["type"] == "message" and item["source_type"] == "user"
    assert item["received_at"].endswith("+00:00")
    single = client.get(f"/api/v1/inbox/{event_id}", headers=bearer(tokens[Role.ADMIN])).get_json()
    assert single["item"]["id"] == event_id and "payload" not in single["item"]
    assert audit_entries(services, "view.inbox_payload") == []


def test_payload_on_request_for_secretariat_is_audited(client, services, tokens):
    first, second = add_event(services), add_event(services)
    body = client.get("/api/v1/inbox?include=payload", headers=bearer(tokens[Role.SECRETARIAT])).get_json()
    assert body["items"][0]["payload"]["message"]["text"] == SECRET_TEXT
    [entry] = audit_entries(services, "view.inbox_payload")
    assert entry.actor == "secretariat" and entry.detail["ids"] == [second, first]
    single = client.get(f"/api/v1/inbox/{first}?include=payload", headers=bearer(tokens[Role.SECRETARIAT]))
    assert single.get_json()["item"]["payload"]["source"]["type"] == "user"
    assert audit_entries(services, "view.inbox_payload")[-1].object_id == str(first)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISTRICT_OFFICER])
def test_payload_is_forbidden_to_viewer_and_district_officer(client, services, tokens, role):
    event_id = add_event(services)
    for path in ("/api/v1/inbox?include=payload", f"/api/v1/inbox/{event_id}?include=payload"):
        response = client.get(path, headers=bearer(tokens[role]))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert SECRET_TEXT not in response.get_data(as_text=True)
    assert audit_entries(services, "view.inbox_payload") == []


def test_members_for_secretariat_are_audited(client, services, tokens):
    add_member(services, "U" + "c" * 32, "มานี มีนา")
    body = client.get("/api/v1/members?include=identity", headers=bearer(tokens[Role.SECRETARIAT])).get_json()
    assert body["items"][0]["identity"]["line_user_id"] == "U" + "c" * 32
    assert body["items"][0]["identity"]["display_name"] == "มานี มีนา"
    [entry] = audit_entries(services, "view.members")
    assert entry.actor == "secretariat" and entry.detail["count"] == 1


def test_members_forbidden_to_viewer_and_scoped_for_district_officer(client, services, tokens):
    add_member(services, "U" + "c" * 32, "มานี มีนา", district="ดุสิต")
    inside = add_member(services, "U" + "e" * 32, "ชูใจ", district="บางรัก")
    add_member(services, "U" + "f" * 32, "ไม่มีเขต")
    assert client.get("/api/v1/members", headers=bearer(tokens[Role.VIEWER])).status_code == 403
    officer = client.get("/api/v1/members", headers=bearer(tokens[Role.DISTRICT_OFFICER])).get_json()
    assert [(m["id"], m["district"]) for m in officer["items"]] == [(inside, "บางรัก")]
    assert officer["pagination"]["total"] == 1
    index = client.get("/api/v1/", headers=bearer(tokens[Role.DISTRICT_OFFICER])).get_json()
    assert index["user"]["districts"] == ["บางรัก"]


def test_errors_are_json(client, tokens):
    missing = client.get("/api/v1/inbox/999999", headers=bearer(tokens[Role.ADMIN]))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    unknown = client.get("/api/v1/nothing-here", headers=bearer(tokens[Role.ADMIN]))
    assert unknown.status_code == 404 and unknown.is_json
    post = client.post("/api/v1/inbox", headers=bearer(tokens[Role.ADMIN]))
    assert post.status_code == 405 and post.get_json()["error"]["code"] == "method_not_allowed"
