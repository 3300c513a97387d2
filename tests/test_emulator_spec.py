"""The emulator's validation: LINE's specs with discriminators resolved, and the limits they omit."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from openapi_schema_validator import OAS30Validator

from bot.emulator import api, ids, limits, spec

USER = "U" + "0" * 32


def problems(body: dict, operation: str = "pushMessage") -> list[dict]:
    """What the emulator's API would answer in `details` for a body."""
    return [p.as_detail() for p in api.request_problems(operation, body)]


def push(*messages: dict) -> dict:
    return {"to": USER, "messages": list(messages)}


def bubble(*contents: dict) -> dict:
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": list(contents)}}


# The bundled files are LINE's, unchanged (line/line-openapi commit 6e4c2a2, see bot/emulator/specs/README.md).
BUNDLED_SHA256 = {
    "messaging-api.yml": "0227978ce1b3133e20da034fc33a9241000619ae4fea2fda7b61983abf79577a",
    "webhook.yml": "4ffdeb374d43acf7b59bf4f0191791ed421c8d366362d118784c036a3609ca88",
    "LICENSE-line-openapi": "1198fb985bd38d4433381cb67b8bbc360e88fb3f82b3cd04098669eb07a1a9a4",
}


def test_bundled_specs_are_lines_unchanged():
    assert {*spec.SPEC_FILES, spec.LICENSE_FILE} == set(BUNDLED_SHA256)
    for name, digest in BUNDLED_SHA256.items():
        assert hashlib.sha256((spec.BUNDLED_DIR / name).read_bytes()).hexdigest() == digest, name


def test_spec_dir_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("LINE_PLATFORM_DIR", str(tmp_path))
    assert spec.spec_dir() == tmp_path
    monkeypatch.delenv("LINE_PLATFORM_DIR")
    assert spec.spec_dir() == spec.BUNDLED_DIR  # nothing outside the repository is ever read by default


def test_the_bundled_copy_loads_on_its_own():
    bundled = spec.load_spec("messaging-api", str(spec.BUNDLED_DIR))
    assert bundled.validate("PushMessageRequest", push({"type": "text", "text": "สวัสดี"})) == []


def test_plain_validation_misses_what_discriminators_catch():
    """The trap: validating against the base schema lets a text message without text through."""
    document = spec.messaging_api().document
    plain = OAS30Validator({"$ref": "#/components/schemas/PushMessageRequest", "components": document["components"]})
    body = push({"type": "text"})
    assert plain.is_valid(body)
    assert problems(body) == [{"message": "must be specified", "property": "messages[0].text"}]


VALID_MESSAGES = [
    {"type": "text", "text": "สวัสดี\nบรรทัดสอง"},
    {
        "type": "text",
        "text": "เลือก",
        "quickReply": {
            "items": [
                {"type": "action", "action": {"type": "message", "label": "ช่วยเหลือ", "text": "ช่วยเหลือ"}},
                {"type": "action", "action": {"type": "postback", "label": "ยืนยัน", "data": "action=confirm"}},
                {"type": "action", "action": {"type": "location", "label": "ส่งตำแหน่ง"}},
            ]
        },
    },
    {"type": "sticker", "packageId": "446", "stickerId": "1988"},
    {"type": "location", "title": "เขต", "address": "กรุงเทพฯ", "latitude": 13.75, "longitude": 100.5},
    {
        "type": "template",
        "altText": "ยืนยัน",
        "template": {
            "type": "confirm",
            "text": "ยืนยันไหม",
            "actions": [
                {"type": "postback", "label": "ใช่", "data": "yes"},
                {"type": "message", "label": "ไม่", "text": "ไม่"},
            ],
        },
    },
    {
        "type": "flex",
        "altText": "สรุป",
        "contents": {
            "type": "carousel",
            "contents": [
                bubble(
                    {"type": "text", "text": "หัวข้อ", "weight": "bold"},
                    {"type": "separator"},
                    {
                        "type": "box",
                        "layout": "horizontal",
                        "contents": [{"type": "text", "text": "ก"}, {"type": "text", "text": "ข"}],
                    },
                    {"type": "button", "action": {"type": "postback", "label": "ดู", "data": "view"}},
                )
            ],
        },
    },
]


@pytest.mark.parametrize("message", VALID_MESSAGES, ids=lambda m: m["type"])
def test_valid_messages_pass(message):
    assert problems(push(message)) == []


INVALID = [
    ("text without text", push({"type": "text"}), "messages[0].text", "must be specified"),
    ("unknown message type", push({"type": "hologram"}), "messages[0].type", "Invalid type"),
    ("message without type", push({"text": "x"}), "messages[0].type", "must be specified"),
    (
        "flex box missing layout and contents",
        push({"type": "flex", "altText": "a", "contents": {"type": "bubble", "body": {"type": "box"}}}),
        "messages[0].contents.body.layout",
        "must be specified",
    ),
    (
        "flex component of unknown type",
        push({"type": "flex", "altText": "a", "contents": bubble({"type": "marquee"})}),
        "messages[0].contents.body.contents[0].type",
        "Invalid type",
    ),
    (
        "flex container of unknown type",
        push({"type": "flex", "altText": "a", "contents": {"type": "scroll"}}),
        "messages[0].contents.type",
        "Invalid type",
    ),
    (
        "flex text without text",
        push({"type": "flex", "altText": "a", "contents": bubble({"type": "text"})}),
        "messages[0].contents.body.contents[0].text",
        "must be specified",
    ),
    (
        "action of unknown type",
        push(
            {
                "type": "text",
                "text": "x",
                "quickReply": {"items": [{"type": "action", "action": {"type": "teleport", "label": "x"}}]},
            }
        ),
        "messages[0].quickReply.items[0].action.type",
        "Invalid type",
    ),
    (
        "template action of unknown type",
        push(
            {
                "type": "template",
                "altText": "a",
                "template": {"type": "buttons", "text": "t", "actions": [{"type": "teleport", "label": "x"}]},
            }
        ),
        "messages[0].template.actions[0].type",
        "Invalid type",
    ),
    (
        "message action without text",
        push(
            {
                "type": "template",
                "altText": "a",
                "template": {"type": "buttons", "text": "t", "actions": [{"type": "message", "label": "x"}]},
            }
        ),
        "messages[0].template.actions[0].text",
        "must be specified",
    ),
    ("six messages", push(*[{"type": "text", "text": "x"}] * 6), "messages", "Size must be between 1 and 5"),
    (
        "5,001 UTF-16 units (emoji count two)",
        push({"type": "text", "text": "😀" * 2500 + "x"}),
        "messages[0].text",
        "Length must be between 1 and 5000",
    ),
    (
        "altText of 1,501",
        push({"type": "flex", "altText": "ก" * 1501, "contents": bubble({"type": "text", "text": "x"})}),
        "messages[0].altText",
        "Length must be between 1 and 1500",
    ),
    (
        "14 quick replies",
        push(
            {
                "type": "text",
                "text": "x",
                "quickReply": {
                    "items": [{"type": "action", "action": {"type": "message", "label": "a", "text": "a"}}] * 14
                },
            }
        ),
        "messages[0].quickReply.items",
        "Size must be between 0 and 13",
    ),
    (
        "13 bubbles in a carousel",
        push(
            {
                "type": "flex",
                "altText": "a",
                "contents": {"type": "carousel", "contents": [bubble({"type": "text", "text": "x"})] * 13},
            }
        ),
        "messages[0].contents.contents",
        "Size must be between 1 and 12",
    ),
    (
        "image over plain http",
        push({"type": "image", "originalContentUrl": "http://example.com/a.jpg", "previewImageUrl": "https://a/b"}),
        "messages[0].originalContentUrl",
        "must be an https URL",
    ),
    ("push to a malformed id", {"to": "alice", "messages": [{"type": "text", "text": "x"}]}, "to", "Invalid to"),
]


@pytest.mark.parametrize(("body", "where", "message"), [case[1:] for case in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_messages_fail_with_lines_details(body, where, message):
    assert {"property": where, "message": message} in problems(body)


def test_multicast_takes_at_most_500_user_ids():
    body = {"to": ["U" + f"{n:032x}" for n in range(501)], "messages": [{"type": "text", "text": "x"}]}
    found = problems(body, "multicast")
    assert {"property": "to", "message": "Size must be between 1 and 500"} in found
    body["to"] = body["to"][:500]
    assert problems(body, "multicast") == []


def test_rich_menu_needs_what_line_requires():
    assert {"property": "chatBarText", "message": "must be specified"} in problems(
        {"size": {"width": 2500, "height": 1686}, "selected": False, "name": "m", "areas": []},
        "createRichMenu",
    )


def test_webhook_spec_resolves_sources_too():
    group_without_id = {"type": "group", "userId": USER}
    assert spec.webhook().validate("Source", group_without_id) == [
        spec.Problem("groupId", "must be specified"),
    ]
    assert spec.webhook().validate("Source", {"type": "group", "groupId": "C" + "0" * 32}) == []


def test_problem_paths_render_like_lines():
    assert spec.property_path(["messages", 0, "quickReply", "items", 12, "action"]) == (
        "messages[0].quickReply.items[12].action"
    )


def test_ulids_are_26_crockford_characters_in_time_order():
    now = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    first, later = ids.ulid(now), ids.ulid(now + timedelta(milliseconds=1))
    assert ids.is_ulid(first) and ids.is_ulid(later)
    assert len(first) == 26 and set(first) <= set(ids.CROCKFORD)
    assert first[:10] < later[:10]
    assert first[:10] == ids.ulid(now)[:10]
    assert not ids.is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAI")  # I is not Crockford


def test_utf16_length_counts_like_line():
    assert limits.utf16_length("ข่าว") == 4
    assert limits.utf16_length("😀") == 2


def test_problems_never_echo_the_message_text():
    secret = "เบาะแสลับ " * 700
    details = problems(push({"type": "text", "text": secret}))
    assert details and secret.strip() not in json.dumps(details, ensure_ascii=False)
