"""Webhooks the emulator sends: valid against webhook.yml, signed, and shaped as LINE shapes them."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from bot import signature
from bot.emulator import ids, spec, webhooks
from bot.emulator.clock import ManualClock
from bot.emulator.errors import EmulatorError
from bot.emulator.platform import Platform
from models import InboxEvent
from tests.conftest import SECRET, TOKEN


@pytest.fixture
def platform():
    """A platform with no bot behind it: webhook bodies are collected."""
    emulated = Platform(SECRET, TOKEN, clock=ManualClock())
    yield emulated
    emulated.close()


def everything_a_user_can_do(platform: Platform) -> None:
    """One of each event kind, in a one-to-one chat, a group (phone and PC senders) and a room."""
    alice = platform.add_user("อาสา สมชาย").user_id
    bob = platform.add_user("ป้า สมศรี", pc=True).user_id
    carol = platform.add_user("ด.ต. วิชัย").user_id
    group = platform.add_chat("กลุ่มข่าว", [alice, bob]).chat_id
    room = platform.add_chat("ห้องคุย", [alice, carol], kind="room").chat_id
    platform.follow(alice)
    platform.send_text(alice, alice, "แจ้งข่าว\nบรรทัดสอง 😀")
    photo = platform.send_image(alice, alice, b"jpeg", "image/jpeg")
    platform.send_images(alice, alice, [(b"one", "image/jpeg"), (b"two", "image/png")])
    platform.send_video(alice, alice, b"mp4", ready=False)
    platform.send_audio(alice, alice, b"m4a")
    platform.share_location(alice, alice, 13.7563, 100.5018, title="ซอย 36", address="บางรัก")
    platform.send_sticker(alice, alice)
    platform.postback(alice, alice, "action=confirm&id=7", params={"date": "2026-11-22"})
    platform.unsend(alice, alice, photo["message"]["id"])
    platform.unfollow(alice)
    platform.follow(alice)
    platform.bot_joins(group)
    platform.send_text(alice, group, "จากโทรศัพท์")
    platform.send_text(bob, group, "จาก PC")
    platform.postback(bob, group, "action=ack")
    platform.members_join(group, [carol])
    platform.members_leave(group, [carol])
    platform.bot_joins(room)
    platform.send_text(carol, room, "ในห้อง")
    platform.bot_removed(group)


def sent_bodies(platform: Platform) -> list[tuple[bytes, dict]]:
    return platform.sender.bodies


def test_every_generated_webhook_is_valid_and_signed(platform):
    everything_a_user_can_do(platform)
    bodies = sent_bodies(platform)
    kinds = set()
    event_ids = []
    for body, headers in bodies:
        assert signature.is_valid(SECRET, body, headers["x-line-signature"])
        document = json.loads(body)
        assert spec.webhook().validate("CallbackRequest", document) == []
        assert re.fullmatch(r"U[0-9a-f]{32}", document["destination"])
        for event in document["events"]:
            kinds.add(event["type"] if event["type"] != "message" else "message/" + event["message"]["type"])
            assert ids.is_ulid(event["webhookEventId"])
            assert event["mode"] == "active" and event["deliveryContext"] == {"isRedelivery": False}
            assert isinstance(event["timestamp"], int) and event["timestamp"] > 1_700_000_000_000
            event_ids.append(event["webhookEventId"])
    assert len(event_ids) == len(set(event_ids))
    assert kinds == {
        "follow",
        "unfollow",
        "message/text",
        "message/image",
        "message/video",
        "message/audio",
        "message/location",
        "message/sticker",
        "postback",
        "unsend",
        "join",
        "leave",
        "memberJoined",
        "memberLeft",
    }


def events_of(platform: Platform) -> list[dict]:
    return [event for body, _ in sent_bodies(platform) for event in json.loads(body)["events"]]


def test_sources_follow_lines_rules(platform):
    everything_a_user_can_do(platform)
    events = events_of(platform)
    phone = next(e for e in events if e.get("message", {}).get("text") == "จากโทรศัพท์")
    pc = next(e for e in events if e.get("message", {}).get("text") == "จาก PC")
    assert phone["source"]["type"] == "group" and "userId" in phone["source"]
    assert pc["source"] == {"type": "group", "groupId": phone["source"]["groupId"]}
    join = next(e for e in events if e["type"] == "join")
    assert set(join["source"]) == {"type", "groupId"}
    room = next(e for e in events if e.get("message", {}).get("text") == "ในห้อง")
    assert room["source"]["type"] == "room" and "roomId" in room["source"]
    assert "replyToken" not in next(e for e in events if e["type"] == "unfollow")
    assert "replyToken" in next(e for e in events if e["type"] == "postback")


def test_image_sets_and_postback_params(platform):
    everything_a_user_can_do(platform)
    events = events_of(platform)
    sets = [e["message"]["imageSet"] for e in events if e.get("message", {}).get("imageSet")]
    assert [(s["index"], s["total"]) for s in sets] == [(1, 2), (2, 2)]
    assert sets[0]["id"] == sets[1]["id"]
    postback = next(e for e in events if e["type"] == "postback")
    assert postback["postback"] == {"data": "action=confirm&id=7", "params": {"date": "2026-11-22"}}
    follows = [e["follow"]["isUnblocked"] for e in events if e["type"] == "follow"]
    assert follows == [False, True]


def test_a_redelivery_repeats_the_event(platform):
    alice = platform.add_user("อาสา สมชาย").user_id
    original = platform.send_text(alice, alice, "ข่าว")
    again = platform.redeliver(original["webhookEventId"])
    assert again["webhookEventId"] == original["webhookEventId"]
    assert again["replyToken"] == original["replyToken"]
    assert again["deliveryContext"] == {"isRedelivery": True}
    body, headers = sent_bodies(platform)[-1]
    assert json.loads(body)["events"][0]["deliveryContext"]["isRedelivery"] is True
    assert signature.is_valid(SECRET, body, headers["x-line-signature"])


def test_a_redelivered_event_is_stored_once_by_the_bot(line):
    alice = line.user("อาสา สมชาย")
    alice.says("ทดสอบ", process=False)
    line.platform.redeliver(alice.last_event["webhookEventId"])
    with line.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 1
        assert session.scalar(select(InboxEvent.is_redelivery)) is False


def test_the_envelope_check_can_fail():
    bad_source = {
        "type": "message",
        "source": {"type": "group"},
        "timestamp": 1,
        "mode": "active",
        "webhookEventId": "01" + "A" * 24,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "t",
        "message": {"type": "text", "id": "1", "text": "x", "quoteToken": "q"},
    }
    with pytest.raises(webhooks.WebhookError, match="groupId"):
        webhooks.check(webhooks.encode("U" + "0" * 32, [bad_source]))
    not_ulid = dict(bad_source, source={"type": "user", "userId": "U" + "0" * 32}, webhookEventId="evt-1")
    with pytest.raises(webhooks.WebhookError, match="ULID"):
        webhooks.check(webhooks.encode("U" + "0" * 32, [not_ulid]))


def test_users_cannot_do_what_line_forbids(platform):
    alice = platform.add_user("อาสา สมชาย").user_id
    outsider = platform.add_user("คนนอก").user_id
    group = platform.add_chat("กลุ่มข่าว", [alice]).chat_id
    with pytest.raises(EmulatorError, match="not in"):
        platform.send_text(alice, group, "บอทยังไม่อยู่")
    platform.bot_joins(group)
    with pytest.raises(EmulatorError, match="not a member"):
        platform.send_text(outsider, group, "สวัสดี")
    platform.unfollow(alice)
    with pytest.raises(EmulatorError, match="blocked"):
        platform.send_text(alice, alice, "สวัสดี")


def test_webhooks_go_over_http_from_a_background_thread(line):
    """The browser's path: HttpSender in the background, to a real /callback."""
    from tests.line_fixtures import ServerThread

    server = ServerThread(line.app)
    platform = Platform(SECRET, TOKEN, sender=webhooks.HttpSender(server.url + "/callback"), background=True)
    try:
        alice = platform.add_user("อาสา สมชาย").user_id
        platform.send_text(alice, alice, "ผ่าน HTTP")
        platform.close()  # waits for the queued delivery
        assert [attempt.status for attempt in platform.webhook_attempts] == [200]
        with line.services.sessions() as session:
            assert session.scalar(select(func.count()).select_from(InboxEvent)) == 1
    finally:
        server.stop()
