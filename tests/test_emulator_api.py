"""The emulator's Messaging API over real HTTP: checks, reply tokens, retry keys, content, quota, rich menus."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from linebot.v3.messaging import TextMessage
from PIL import Image

from bot import richmenu
from bot.emulator import spec
from line.messenger import LineApiError
from tests.conftest import TOKEN

REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"
TEXT = {"type": "text", "text": "สวัสดีครับ"}


def error_shape_ok(body: dict) -> bool:
    """Whether an error body is LINE's ErrorResponse."""
    return spec.messaging_api().validate("ErrorResponse", body, direction="response") == []


def test_a_valid_reply_passes(line):
    alice = line.user("อาสา สมชาย")
    event = line.platform.follow(alice.user_id)
    response = line.call("POST", REPLY, json={"replyToken": event["replyToken"], "messages": [TEXT]})
    assert response.status_code == 200
    assert spec.messaging_api().validate("ReplyMessageResponse", response.json(), direction="response") == []
    assert uuid.UUID(response.headers["x-line-request-id"])
    assert [d.texts for d in line.deliveries(alice)] == [["สวัสดีครับ"]]
    assert line.platform.calls[-1].outcome == "ok"
    assert line.failures == []


INVALID_REQUESTS = [
    ("text without text", PUSH, {"messages": [{"type": "text"}]}, {}, 400, "messages[0].text"),
    ("unknown message type", PUSH, {"messages": [{"type": "hologram"}]}, {}, 400, "messages[0].type"),
    ("six messages", PUSH, {"messages": [TEXT] * 6}, {}, 400, "messages"),
    ("5,001 UTF-16 units", PUSH, {"messages": [{"type": "text", "text": "ก" * 5001}]}, {}, 400, "messages[0].text"),
    ("retry key not a UUID", PUSH, {"messages": [TEXT]}, {"X-Line-Retry-Key": "retry-1"}, 400, None),
    ("bad bearer token", PUSH, {"messages": [TEXT]}, {"Authorization": "Bearer stolen"}, 401, None),
    ("no bearer token", PUSH, {"messages": [TEXT]}, {"Authorization": ""}, 401, None),
    ("unknown path", "/v2/bot/message/teleport", {"messages": [TEXT]}, {}, 404, None),
]


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "where"),
    [case[1:] for case in INVALID_REQUESTS],
    ids=[case[0] for case in INVALID_REQUESTS],
)
def test_invalid_requests_fail_as_line_fails_and_are_recorded(line, path, body, headers, status, where):
    line.expect_failures()
    alice = line.user("อาสา สมชาย")
    line.platform.follow(alice.user_id)
    response = line.call("POST", path, json={"to": alice.user_id, **body}, headers=headers)
    assert response.status_code == status
    assert error_shape_ok(response.json())
    if where:
        assert where in [detail["property"] for detail in response.json()["details"]]
    [failure] = line.failures
    assert (failure.status, failure.path) == (status, path)
    assert line.deliveries(alice) == []


def test_oversized_and_non_json_bodies_are_refused(line):
    line.expect_failures()
    huge = json.dumps({"to": "U" + "0" * 32, "messages": [TEXT], "pad": "x" * (2 * 1024 * 1024)})
    assert line.call("POST", PUSH, data=huge, headers={"Content-Type": "application/json"}).status_code == 413
    assert line.call("POST", PUSH, data="to=me", headers={"Content-Type": "text/plain"}).status_code == 415
    assert line.call("POST", PUSH, data="{oops", headers={"Content-Type": "application/json"}).status_code == 400
    assert [f.status for f in line.failures] == [413, 415, 400]


def test_an_operation_the_emulator_lacks_is_a_recorded_failure(line):
    line.expect_failures()
    response = line.call("GET", "/v2/bot/followers/ids")
    assert response.status_code == 501
    assert line.failures[0].operation_id == "getFollowers"


def test_the_teardown_check_fails_a_test_with_unexpected_failures(line):
    line.call("POST", PUSH, json={"to": "U" + "0" * 32, "messages": [{"type": "text"}]})
    with pytest.raises(pytest.fail.Exception, match="messages\\[0\\].text"):
        line.check_failures()
    line.check_failures(marked_expected=True)  # the marker allows them
    line.expect_failures()


def test_reply_tokens_work_once(line):
    alice = line.user("อาสา สมชาย")
    token = line.platform.follow(alice.user_id)["replyToken"]
    assert line.call("POST", REPLY, json={"replyToken": token, "messages": [TEXT]}).status_code == 200
    again = line.call("POST", REPLY, json={"replyToken": token, "messages": [TEXT]})
    assert (again.status_code, again.json()) == (400, {"message": "Invalid reply token"})
    assert len(line.deliveries(alice)) == 1
    assert [f.message for f in line.failures] == ["Invalid reply token"]  # reusing a token is a bug
    line.expect_failures()


def test_reply_tokens_expire_after_a_minute(line):
    alice = line.user("อาสา สมชาย")
    fresh = line.platform.send_text(alice.user_id, alice.user_id, "ก")["replyToken"]
    stale = line.platform.send_text(alice.user_id, alice.user_id, "ข")["replyToken"]
    line.clock.advance(59.9)
    assert line.call("POST", REPLY, json={"replyToken": fresh, "messages": [TEXT]}).status_code == 200
    line.clock.advance(0.1)
    expired = line.call("POST", REPLY, json={"replyToken": stale, "messages": [TEXT]})
    assert (expired.status_code, expired.json()) == (400, {"message": "Invalid reply token"})
    assert line.platform.calls[-1].outcome == "refused"  # expiry is not the bot's fault
    assert line.failures == []


def test_a_redelivered_event_keeps_its_token_alive_longer(line):
    alice = line.user("อาสา สมชาย")
    event = line.platform.send_text(alice.user_id, alice.user_id, "ก")
    line.clock.advance(seconds=90)
    again = line.platform.redeliver(event["webhookEventId"])
    assert again["replyToken"] == event["replyToken"]
    assert line.call("POST", REPLY, json={"replyToken": event["replyToken"], "messages": [TEXT]}).status_code == 200


def test_a_repeated_retry_key_is_409_and_not_delivered_twice(line):
    alice = line.user("อาสา สมชาย")
    line.platform.follow(alice.user_id)
    key = str(uuid.uuid4())
    body = {"to": alice.user_id, "messages": [TEXT]}
    first = line.call("POST", PUSH, json=body, headers={"X-Line-Retry-Key": key})
    second = line.call("POST", PUSH, json=body, headers={"X-Line-Retry-Key": key})
    assert first.status_code == 200 and second.status_code == 409
    assert second.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert second.json()["sentMessages"] == first.json()["sentMessages"]
    assert len(line.deliveries(alice)) == 1
    line.services.messenger.push(alice.user_id, [TextMessage(text="ซ้ำ")], key)  # the Messenger takes 409 as sent
    assert len(line.deliveries(alice)) == 1
    line.clock.advance(hours=24)
    assert line.call("POST", PUSH, json=body, headers={"X-Line-Retry-Key": key}).status_code == 200
    assert len(line.deliveries(alice)) == 2
    assert line.failures == []


def test_content_is_200_202_404_and_410(line):
    alice = line.user("อาสา สมชาย")
    photo = line.platform.send_image(alice.user_id, alice.user_id, b"\xff\xd8jpeg-bytes", "image/jpeg")
    video = line.platform.send_video(alice.user_id, alice.user_id, b"mp4-bytes", ready=False)
    image_id, video_id = photo["message"]["id"], video["message"]["id"]
    got = line.call("GET", f"/v2/bot/message/{image_id}/content")
    assert (got.status_code, got.content, got.headers["Content-Type"]) == (200, b"\xff\xd8jpeg-bytes", "image/jpeg")
    assert line.call("GET", f"/v2/bot/message/{video_id}/content").status_code == 202
    assert line.services.messenger.content(video_id).status == 202
    line.platform.mark_ready(video_id)
    assert line.services.messenger.content(video_id).data == b"mp4-bytes"
    assert line.call("GET", "/v2/bot/message/999/content").status_code == 404
    line.platform.unsend(alice.user_id, alice.user_id, image_id)
    assert line.call("GET", f"/v2/bot/message/{image_id}/content").status_code == 410
    with pytest.raises(LineApiError) as gone:
        line.services.messenger.content(image_id)
    assert gone.value.status == 410
    assert line.failures == []


def test_profiles_groups_and_quota(line):
    alice, bob = line.user("อาสา สมชาย"), line.user("ป้า สมศรี")
    line.platform.follow(alice.user_id)
    group = line.group("กลุ่มข่าว", members=[alice, bob], joined=False)
    line.platform.bot_joins(group.chat_id)
    line.platform.quota_limit = 3
    api = spec.messaging_api()
    profile = line.call("GET", f"/v2/bot/profile/{alice.user_id}").json()
    assert profile["displayName"] == "อาสา สมชาย"
    assert api.validate("UserProfileResponse", profile, direction="response") == []
    assert line.call("GET", f"/v2/bot/profile/{bob.user_id}").status_code == 404  # not a friend
    member = line.call("GET", f"/v2/bot/group/{group.chat_id}/member/{bob.user_id}").json()
    assert member["displayName"] == "ป้า สมศรี"
    summary = line.call("GET", f"/v2/bot/group/{group.chat_id}/summary").json()
    assert api.validate("GroupSummaryResponse", summary, direction="response") == []
    assert line.call("GET", f"/v2/bot/group/{group.chat_id}/members/count").json() == {"count": 2}
    assert line.services.messenger.display_name(bob.user_id, group.chat_id) == "ป้า สมศรี"
    assert line.call("POST", PUSH, json={"to": group.chat_id, "messages": [TEXT]}).status_code == 200
    assert line.call("GET", "/v2/bot/message/quota/consumption").json() == {"totalUsage": 2}  # one per member
    assert line.call("POST", PUSH, json={"to": alice.user_id, "messages": [TEXT]}).status_code == 200
    over = line.call("POST", PUSH, json={"to": alice.user_id, "messages": [TEXT]})
    assert over.status_code == 429 and error_shape_ok(over.json())
    assert line.services.messenger.quota() == (3, 3)
    assert line.failures == []


def test_room_member_profile(line):
    alice, bob = line.user("อาสา สมชาย"), line.user("ป้า สมศรี")
    room = line.platform.add_chat("ห้องคุย", [alice.user_id, bob.user_id], kind="room")
    line.platform.bot_joins(room.chat_id)
    assert line.call("GET", f"/v2/bot/room/{room.chat_id}/member/{alice.user_id}").json()["displayName"] == (
        "อาสา สมชาย"
    )
    assert line.services.messenger.display_name(alice.user_id, room.chat_id) == "อาสา สมชาย"


def test_rich_menu_deploy_through_the_sdk(line):
    messenger = line.services.messenger
    first = richmenu.deploy(messenger, line.services.sessions)
    second = richmenu.deploy(messenger, line.services.sessions)  # deploying again replaces the older copies
    assert sorted(m.rich_menu_id for m in messenger.api.get_rich_menu_list().richmenus) == sorted(second.values())
    assert messenger.api.get_default_rich_menu_id().rich_menu_id == second["newcomer"]
    assert not set(first.values()) & set(line.platform.rich_menus)
    menu = line.platform.default_rich_menu()
    assert menu.image[:2] == b"\xff\xd8" and menu.body["chatBarText"] == richmenu.CHAT_BAR_TEXT
    messenger.api.delete_rich_menu(second["newcomer"])
    assert line.platform.default_rich_menu() is None
    assert line.failures == []


def test_rich_menu_image_must_match_the_menu(line):
    line.expect_failures()
    menu_id = line.services.messenger.api.create_rich_menu(richmenu.menu_request()).rich_menu_id
    small = io.BytesIO()
    Image.new("RGB", (800, 270)).save(small, format="PNG")
    path = f"/v2/bot/richmenu/{menu_id}/content"
    wrong = line.call("POST", path, data=small.getvalue(), headers={"Content-Type": "image/png"})
    assert wrong.status_code == 400
    not_default = line.call("POST", f"/v2/bot/user/all/richmenu/{menu_id}")
    assert not_default.status_code == 400  # no image yet
    as_text = line.call("POST", path, data=richmenu.menu_image(), headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415
    assert len(line.failures) == 3


def test_requests_carry_the_sdk_token(line):
    assert line.platform.access_token == TOKEN
    assert line.call("GET", "/v2/bot/message/quota", token=None).status_code == 401
    line.expect_failures()
