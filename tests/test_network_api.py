"""The network's JSON API: members, groups, reports and report media (read-only, bearer tokens)."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from models import MemberStatus, ReportStatus, Role
from services.audit import Action
from tests import test_network_admin_support as make
from tests.test_admin_support import SECRET_TEXT, audit_entries, make_staff, make_token
from tests.test_network_admin_support import bkk

NAME, PHONE = "สมชาย ใจดี", "0812345678"


@pytest.fixture
def tokens(services):
    """One token per role (the district officer covers คลองเตย)."""
    issued = {}
    for role in Role:
        name = role.value.replace("_", "-")
        make_staff(services, name, role, districts=["คลองเตย"] if role == Role.DISTRICT_OFFICER else ())
        issued[role] = make_token(services, name)
    return issued


def get(client, tokens, role: Role, path: str):
    """GET an API path with a role's token."""
    return client.get(path, headers={"Authorization": f"Bearer {tokens[role]}"})


def test_members_are_pseudonymous_unless_identities_are_asked_for_and_allowed(client, services, tokens):
    person, code = make.member(services, district="คลองเตย")
    make.member(services, district="บางรัก", full_name="คนบางรัก")
    body = get(client, tokens, Role.SECRETARIAT, "/api/v1/members").get_json()
    assert body["pagination"]["total"] == 2
    item = next(one for one in body["items"] if one["id"] == person)
    assert item["reporter_code"] == code and item["occupation"] == "volunteer" and item["occupation_name"] == "จิตอาสา"
    assert "identity" not in item and NAME not in json.dumps(body, ensure_ascii=False)
    assert audit_entries(services, Action.VIEW_IDENTITY) == []

    named = get(client, tokens, Role.SECRETARIAT, "/api/v1/members?include=identity&district=คลองเตย").get_json()
    assert [one["identity"]["full_name"] for one in named["items"]] == [NAME]
    assert named["items"][0]["identity"]["phone"] == PHONE
    [entry] = audit_entries(services, Action.VIEW_IDENTITY)
    assert entry.detail["ids"] == [person] and entry.detail["via"] == "api" and entry.actor == "secretariat"

    officer = get(client, tokens, Role.DISTRICT_OFFICER, "/api/v1/members").get_json()
    assert [one["reporter_code"] for one in officer["items"]] == [code]
    refused = get(client, tokens, Role.DISTRICT_OFFICER, "/api/v1/members?include=identity")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert get(client, tokens, Role.VIEWER, "/api/v1/members").status_code == 403
    assert len(audit_entries(services, Action.VIEW_IDENTITY)) == 1


def test_one_member_and_the_member_filters(client, services, tokens):
    person, code = make.member(services, status=MemberStatus.PENDING, district="คลองเตย")
    outside, _ = make.member(services, district="บางรัก", occupation="security_guard")
    one = get(client, tokens, Role.ADMIN, f"/api/v1/members/{person}?include=identity").get_json()["item"]
    assert one["reporter_code"] == code and one["status"] == "pending" and one["identity"]["full_name"] == NAME
    assert [e.object_id for e in audit_entries(services, Action.VIEW_MEMBER)] == [str(person)]
    assert get(client, tokens, Role.DISTRICT_OFFICER, f"/api/v1/members/{outside}").status_code == 404
    pending = get(client, tokens, Role.ADMIN, "/api/v1/members?status=pending").get_json()
    assert [m["id"] for m in pending["items"]] == [person]
    guards = get(client, tokens, Role.ADMIN, "/api/v1/members?occupation=security_guard").get_json()
    assert [m["id"] for m in guards["items"]] == [outside]


def test_groups(client, services, tokens):
    registered = make.group(services, "เครือข่ายข่าว อปพร. คลองเตย", member_count=42)
    quiet = make.group(services, purpose=None, member_count=5)
    body = get(client, tokens, Role.VIEWER, "/api/v1/groups").get_json()
    assert [g["id"] for g in body["items"]] == [registered]
    group = body["items"][0]
    assert (group["name"], group["purpose"], group["occupation"], group["member_count"], group["bot_is_member"]) == (
        "เครือข่ายข่าว อปพร. คลองเตย",
        "network",
        "civil_defence",
        42,
        True,
    )
    assert group["registered_at"] == bkk(2026, 1, 2).isoformat()
    others = get(client, tokens, Role.SECRETARIAT, "/api/v1/groups?registered=false").get_json()
    assert others["items"] == [
        {"id": quiet, "chat_type": "group", "joined_at": bkk(2026, 1, 1).isoformat(), "member_count": 5}
    ]
    assert get(client, tokens, Role.VIEWER, "/api/v1/groups?registered=false").status_code == 403


def test_reports_list_filters_and_pagination(client, services, tokens):
    alice, code = make.member(services)
    chat = make.group(services)
    refs = [make.report(services, reporter=alice, chat=chat, when=bkk(2026, 1, day, 9, 0))[1] for day in (10, 11, 12)]
    _, drugs = make.report(services, when=bkk(2026, 2, 1), category="drugs", district="บางรัก")
    make.report(services, status=ReportStatus.DRAFT)

    first = get(client, tokens, Role.VIEWER, "/api/v1/reports?per_page=2").get_json()
    assert first["pagination"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    assert [r["ref_no"] for r in first["items"]] == [drugs, refs[2]]  # newest first
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    second = client.get(first["links"]["next"], headers={"Authorization": f"Bearer {tokens[Role.VIEWER]}"}).get_json()
    assert [r["ref_no"] for r in second["items"]] == [refs[1], refs[0]] and second["links"]["next"] is None
    item = second["items"][0]
    assert item["reporter_code"] == code and item["group"] == {"id": chat, "name": "เครือข่ายข่าว อปพร. คลองเตย"}
    assert item["item_count"] == 1 and item["possible_duplicate"] is False and item["location"] is None

    def found(query: str) -> list[str]:
        response = get(client, tokens, Role.ADMIN, "/api/v1/reports" + query)
        assert response.status_code == 200, response.get_json()
        return [r["ref_no"] for r in response.get_json()["items"]]

    assert found("?from=11/01/2569&to=2026-01-11") == [refs[1]]
    assert found("?category=drugs") == [drugs]
    assert found("?district=บางรัก") == [drugs]
    assert found(f"?group={chat}&from=2569-01-12") == [refs[2]]
    assert len(found("?status=all")) == 5
    assert found("?status=draft") == [None]
    assert get(client, tokens, Role.DISTRICT_OFFICER, "/api/v1/reports").get_json()["pagination"]["total"] == 3
    wrong = get(client, tokens, Role.ADMIN, "/api/v1/reports?from=2569-13-40")
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "bad_request"
    assert get(client, tokens, Role.ADMIN, "/api/v1/reports?status=lost").status_code == 400


def test_one_report_with_its_items_media_urls_and_audit(app, client, services, tokens):
    alice, code = make.member(services)
    news, ref = make.report(services, reporter=alice, text=SECRET_TEXT, location=(13.72, 100.58))
    media = make.add_photo(app, services, news)
    make.add_photo(app, services, news, unsent=True)
    other, other_ref = make.report(services, reporter=alice)
    make.link(services, news, other)

    by_ref = get(client, tokens, Role.SECRETARIAT, f"/api/v1/reports/{ref}").get_json()["item"]
    by_id = get(client, tokens, Role.SECRETARIAT, f"/api/v1/reports/{news}").get_json()["item"]
    assert by_ref == by_id
    assert by_ref["ref_no"] == ref and by_ref["reporter_code"] == code and by_ref["possible_duplicate"] is True
    assert by_ref["possible_duplicates"] == [
        {"id": other, "ref_no": other_ref, "distance_m": 35.0, "minutes_apart": 12.0}
    ]
    kinds = [(item["kind"], item["unsent"]) for item in by_ref["items"]]
    assert kinds == [("text", False), ("image", False), ("image", True), ("location", False)]
    text, photo, unsent, place = by_ref["items"]
    assert text["text"] == SECRET_TEXT
    assert photo["media"]["url"] == f"http://localhost/admin/network/media/{media}"
    assert photo["media"]["api_url"] == f"http://localhost/api/v1/media/{media}"
    assert photo["media"]["original_url"] is None  # the secretariat gets the shown copy only
    assert "text" not in unsent and "media" not in unsent
    assert place["location"]["map_url"].startswith("https://www.openstreetmap.org/?mlat=13.720000&mlon=100.580000")
    assert "identity" not in json.dumps(by_ref) and NAME not in json.dumps(by_ref, ensure_ascii=False)
    assert [e.object_id for e in audit_entries(services, Action.VIEW_REPORT)] == [str(news), str(news)]

    viewer = get(client, tokens, Role.VIEWER, f"/api/v1/reports/{ref}").get_json()["item"]
    assert "items" not in viewer and viewer["location"] is None and SECRET_TEXT not in json.dumps(viewer)
    assert len(audit_entries(services, Action.VIEW_REPORT)) == 2
    assert get(client, tokens, Role.VIEWER, f"/api/v1/reports/{ref}?include=identity").status_code == 403
    named = get(client, tokens, Role.ADMIN, f"/api/v1/reports/{ref}?include=identity").get_json()["item"]
    assert named["reporter_identity"]["full_name"] == NAME
    assert named["items"][1]["media"]["original_url"] == f"http://localhost/api/v1/media/{media}?original=1"
    assert audit_entries(services, Action.VIEW_IDENTITY)[-1].detail["report_id"] == news
    assert get(client, tokens, Role.ADMIN, "/api/v1/reports/NR-2569-999999").status_code == 404


def test_report_media_through_the_api(app, client, services, tokens):
    news, _ = make.report(services, district="บางรัก")
    media = make.add_photo(app, services, news)
    with get(client, tokens, Role.SECRETARIAT, f"/api/v1/media/{media}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        data = response.get_data()
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
    assert audit_entries(services, Action.VIEW_REPORT_MEDIA)[-1].detail["via"] == "api"
    assert get(client, tokens, Role.SECRETARIAT, f"/api/v1/media/{media}?original=1").status_code == 403
    with get(client, tokens, Role.ADMIN, f"/api/v1/media/{media}?original=1") as original:
        assert original.status_code == 200 and b"FieldCam" in original.get_data()
    assert get(client, tokens, Role.DISTRICT_OFFICER, f"/api/v1/media/{media}").status_code == 404
    assert get(client, tokens, Role.VIEWER, f"/api/v1/media/{media}").status_code == 403
    assert client.get(f"/api/v1/media/{media}").status_code == 401


def test_the_index_lists_the_network_resources(client, tokens):
    body = get(client, tokens, Role.VIEWER, "/api/v1/").get_json()
    assert body["resources"]["groups"] == "/api/v1/groups" and body["resources"]["reports"] == "/api/v1/reports"
