"""LINE's documented limits that the OpenAPI spec leaves out, checked after the schema.

Lengths are counted as LINE counts them, in UTF-16 code units. Every check tolerates documents
the schema already refused (wrong types are skipped here, reported there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bot.emulator.ids import is_line_id
from bot.emulator.spec import Problem, property_path

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_ALT_TEXT = 1500
MAX_QUICK_REPLY_ITEMS = 13
MAX_CAROUSEL_BUBBLES = 12
MAX_BUBBLE_BYTES = 30 * 1024
MAX_CAROUSEL_BYTES = 50 * 1024
MAX_MULTICAST = 500
MAX_URL = 2000
MAX_RICH_MENU_AREAS = 20
MAX_RICH_MENU_IMAGE_BYTES = 1024 * 1024
QUICK_REPLY_ACTIONS = frozenset(
    {"message", "postback", "uri", "datetimepicker", "camera", "cameraRoll", "location", "clipboard"}
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MEDIA_URL_FIELDS = ("originalContentUrl", "previewImageUrl", "thumbnailImageUrl", "imageUrl", "url", "baseUrl")


def utf16_length(text: str) -> int:
    """Length as LINE counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _length(path: list, value: Any, low: int, high: int) -> Iterator[Problem]:
    """A string whose UTF-16 length lies outside [low, high]."""
    if isinstance(value, str) and not low <= utf16_length(value) <= high:
        yield Problem(property_path(path), f"Length must be between {low} and {high}")


def _count(path: list, value: Any, low: int, high: int) -> Iterator[Problem]:
    """An array whose size lies outside [low, high]."""
    if isinstance(value, list) and not low <= len(value) <= high:
        yield Problem(property_path(path), f"Size must be between {low} and {high}")


def _required(path: list, obj: dict, *names: str) -> Iterator[Problem]:
    """Fields LINE requires although the spec does not say so."""
    for name in names:
        if obj.get(name) in (None, ""):
            yield Problem(property_path([*path, name]), "must be specified")


def _https(path: list, value: Any) -> Iterator[Problem]:
    """LINE fetches media over HTTPS only; loopback http is allowed for local demos."""
    if not isinstance(value, str):
        return
    if len(value) > MAX_URL:
        yield Problem(property_path(path), f"Length must be between 1 and {MAX_URL}")
        return
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.netloc:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    yield Problem(property_path(path), "must be an https URL")


def check_action(path: list, action: Any, *, label_max: int | None = 20) -> Iterator[Problem]:
    """An action object's required fields and lengths."""
    if not isinstance(action, dict):
        return
    kind = action.get("type")
    if label_max is not None:
        yield from _length([*path, "label"], action.get("label"), 1, label_max)
    if kind == "message":
        yield from _required(path, action, "text")
        yield from _length([*path, "text"], action.get("text"), 1, 300)
    elif kind == "postback":
        yield from _required(path, action, "data")
        yield from _length([*path, "displayText"], action.get("displayText"), 1, 300)
    elif kind == "uri":
        yield from _required(path, action, "uri")
        yield from _length([*path, "uri"], action.get("uri"), 1, 1000)
    elif kind == "datetimepicker":
        yield from _required(path, action, "data", "mode")


def _actions(path: list, actions: Any, low: int, high: int) -> Iterator[Problem]:
    """A template's list of actions."""
    yield from _count(path, actions, low, high)
    if isinstance(actions, list):
        for index, action in enumerate(actions):
            yield from check_action([*path, index], action)


def _template(path: list, template: Any) -> Iterator[Problem]:
    """Buttons, confirm, carousel and image carousel templates."""
    if not isinstance(template, dict):
        return
    kind = template.get("type")
    if kind == "buttons":
        short = bool(template.get("title") or template.get("thumbnailImageUrl"))
        yield from _length([*path, "text"], template.get("text"), 1, 60 if short else 160)
        yield from _length([*path, "title"], template.get("title"), 1, 40)
        yield from _actions([*path, "actions"], template.get("actions"), 1, 4)
        yield from check_action([*path, "defaultAction"], template.get("defaultAction"))
    elif kind == "confirm":
        yield from _length([*path, "text"], template.get("text"), 1, 240)
        yield from _actions([*path, "actions"], template.get("actions"), 2, 2)
    elif kind in ("carousel", "image_carousel"):
        columns = template.get("columns")
        yield from _count([*path, "columns"], columns, 1, 10)
        for index, column in enumerate(columns if isinstance(columns, list) else []):
            if not isinstance(column, dict):
                continue
            where = [*path, "columns", index]
            if kind == "carousel":
                short = bool(column.get("title") or column.get("thumbnailImageUrl"))
                yield from _length([*where, "text"], column.get("text"), 1, 60 if short else 120)
                yield from _actions([*where, "actions"], column.get("actions"), 1, 3)
            else:
                yield from check_action([*where, "action"], column.get("action"), label_max=12)


def _flex_component(path: list, component: Any) -> Iterator[Problem]:
    """A Flex component and everything inside it."""
    if not isinstance(component, dict):
        return
    kind = component.get("type")
    if kind == "text" and component.get("text") in (None, "") and not component.get("contents"):
        yield Problem(property_path([*path, "text"]), "must be specified")
    if kind == "button":
        yield from check_action([*path, "action"], component.get("action"), label_max=40)
    elif "action" in component:
        yield from check_action([*path, "action"], component.get("action"), label_max=None)
    if kind in ("image", "icon"):
        yield from _https([*path, "url"], component.get("url"))
    children = component.get("contents") if kind == "box" else None
    for index, child in enumerate(children if isinstance(children, list) else []):
        yield from _flex_component([*path, "contents", index], child)


def _flex_bubble(path: list, bubble: Any) -> Iterator[Problem]:
    """One bubble: its size and its blocks."""
    if not isinstance(bubble, dict):
        return
    if len(json.dumps(bubble, ensure_ascii=False).encode()) > MAX_BUBBLE_BYTES:
        yield Problem(property_path(path), f"Size must be at most {MAX_BUBBLE_BYTES} bytes")
    for block in ("header", "hero", "body", "footer"):
        yield from _flex_component([*path, block], bubble.get(block))
    if "action" in bubble:
        yield from check_action([*path, "action"], bubble.get("action"), label_max=None)


def _flex(path: list, contents: Any) -> Iterator[Problem]:
    """A Flex container: a bubble, or a carousel of at most 12 bubbles and 50 KB."""
    if not isinstance(contents, dict):
        return
    if contents.get("type") == "bubble":
        yield from _flex_bubble(path, contents)
    elif contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        yield from _count([*path, "contents"], bubbles, 1, MAX_CAROUSEL_BUBBLES)
        if len(json.dumps(contents, ensure_ascii=False).encode()) > MAX_CAROUSEL_BYTES:
            yield Problem(property_path(path), f"Size must be at most {MAX_CAROUSEL_BYTES} bytes")
        for index, bubble in enumerate(bubbles if isinstance(bubbles, list) else []):
            yield from _flex_bubble([*path, "contents", index], bubble)


def check_message(path: list, message: Any) -> Iterator[Problem]:
    """One message object: text and altText lengths, media URLs, quick reply, template, Flex."""
    if not isinstance(message, dict):
        return
    kind = message.get("type")
    if kind in ("text", "textV2"):
        yield from _length([*path, "text"], message.get("text"), 1, MAX_TEXT)
    if kind in ("template", "flex", "imagemap"):
        yield from _length([*path, "altText"], message.get("altText"), 1, MAX_ALT_TEXT)
    for field in MEDIA_URL_FIELDS:
        if field in message:
            yield from _https([*path, field], message[field])
    if kind == "template":
        yield from _template([*path, "template"], message.get("template"))
    if kind == "flex":
        yield from _flex([*path, "contents"], message.get("contents"))
    quick = message.get("quickReply")
    if isinstance(quick, dict):
        items = quick.get("items")
        yield from _count([*path, "quickReply", "items"], items, 1, MAX_QUICK_REPLY_ITEMS)
        for index, item in enumerate(items if isinstance(items, list) else []):
            where = [*path, "quickReply", "items", index]
            if not isinstance(item, dict):
                continue
            if item.get("type", "action") != "action":
                yield Problem(property_path([*where, "type"]), "must be action")
            action = item.get("action")
            if not isinstance(action, dict):
                yield Problem(property_path([*where, "action"]), "must be specified")
                continue
            if action.get("type") not in QUICK_REPLY_ACTIONS:
                yield Problem(property_path([*where, "action", "type"]), "Invalid action type for a quick reply")
            yield from _required([*where, "action"], action, "label")
            yield from check_action([*where, "action"], action)


def check_messages(body: Any) -> Iterator[Problem]:
    """Every message of a send request."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return
    yield from _count(["messages"], messages, 1, MAX_MESSAGES)
    for index, message in enumerate(messages):
        yield from check_message(["messages", index], message)


def check_recipients(operation_id: str, body: Any) -> Iterator[Problem]:
    """Push goes to a user, group or room id; multicast to at most 500 user ids."""
    if not isinstance(body, dict):
        return
    if operation_id == "pushMessage" and isinstance(body.get("to"), str) and not is_line_id(body["to"]):
        yield Problem("to", "Invalid to")
    if operation_id == "multicast" and isinstance(body.get("to"), list):
        yield from _count(["to"], body["to"], 1, MAX_MULTICAST)
        for index, user in enumerate(body["to"]):
            if not is_line_id(user, "U"):
                yield Problem(property_path(["to", index]), "Invalid user id")


def check_rich_menu(body: Any) -> Iterator[Problem]:
    """A rich menu: the fields LINE requires, at most 20 areas, and an allowed size."""
    if not isinstance(body, dict):
        return
    yield from _required([], body, "size", "name", "chatBarText", "areas")
    if not isinstance(body.get("selected"), bool):
        yield Problem("selected", "must be specified")
    size = body.get("size")
    if isinstance(size, dict) and isinstance(size.get("width"), int) and isinstance(size.get("height"), int):
        width, height = size["width"], size["height"]
        if not (800 <= width <= 2500 and height >= 250 and width / height >= 1.45):
            yield Problem("size", "width must be 800 to 2500, height at least 250, and width/height at least 1.45")
    areas = body.get("areas")
    yield from _count(["areas"], areas, 0, MAX_RICH_MENU_AREAS)
    for index, area in enumerate(areas if isinstance(areas, list) else []):
        if isinstance(area, dict):
            yield from _required(["areas", index], area, "bounds", "action")
            yield from check_action(["areas", index, "action"], area.get("action"))


SEND_OPERATIONS = frozenset(
    {
        "replyMessage",
        "pushMessage",
        "multicast",
        "broadcast",
        "narrowcast",
        "validateReply",
        "validatePush",
        "validateMulticast",
        "validateBroadcast",
        "validateNarrowcast",
    }
)


def check_request(operation_id: str, body: Any) -> list[Problem]:
    """Every documented-limit problem of a request body for an operation (empty when fine)."""
    problems: list[Problem] = []
    if operation_id in SEND_OPERATIONS:
        problems += check_messages(body)
        problems += check_recipients(operation_id, body)
    if operation_id in ("createRichMenu", "validateRichMenuObject"):
        problems += check_rich_menu(body)
    return list(dict.fromkeys(problems))
