"""A chat's timeline as plain text, for dialogue tests (in the spirit of zulip_bots' verify_dialog).

    สมชาย: ช่วยเหลือ
    FieldLine: สิ่งที่ทำได้ใน FieldLine
        • แจ้งข่าว — ...
        [แจ้งข่าว] [เช็คอิน]

Bot lines say "(push)" or "(multicast)" when the messages did not come as a reply.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.emulator.records import Entry

INDENT = "    "


def action_label(action: dict | None) -> str:
    """The label a user sees on an action button."""
    if not isinstance(action, dict):
        return "?"
    return str(action.get("label") or action.get("text") or action.get("data") or action.get("type"))


def _buttons(actions: Iterable[dict | None]) -> str:
    return " ".join(f"[{action_label(action)}]" for action in actions)


def flex_lines(component: dict | None) -> list[str]:
    """The texts and buttons of a Flex container or component, top to bottom."""
    if not isinstance(component, dict):
        return []
    kind = component.get("type")
    if kind == "carousel":
        return [line for bubble in component.get("contents", []) for line in ["---", *flex_lines(bubble)]]
    if kind == "bubble":
        return [line for block in ("header", "hero", "body", "footer") for line in flex_lines(component.get(block))]
    if kind == "box":
        children = [flex_lines(child) for child in component.get("contents", [])]
        if component.get("layout") in ("horizontal", "baseline"):
            words = [" ".join(lines) for lines in children if lines]
            return [" | ".join(words)] if words else []
        return [line for lines in children for line in lines]
    if kind == "text":
        text = component.get("text") or "".join(span.get("text", "") for span in component.get("contents", []))
        return [text]
    if kind == "button":
        return [f"[{action_label(component.get('action'))}]"]
    if kind == "image":
        return ["[image]"]
    return []


def message_lines(message: dict) -> list[str]:
    """A bot message as readable lines: its text, then its buttons or quick replies."""
    kind = message.get("type")
    if kind in ("text", "textV2"):
        lines = str(message.get("text", "")).split("\n")
    elif kind == "image":
        lines = ["[image]"]
    elif kind == "video":
        lines = ["[video]"]
    elif kind == "audio":
        lines = ["[audio]"]
    elif kind == "sticker":
        lines = [f"[sticker {message.get('packageId')}/{message.get('stickerId')}]"]
    elif kind == "location":
        lines = [f"[location {message.get('title', '')} {message.get('latitude')},{message.get('longitude')}]"]
    elif kind == "template":
        lines = _template_lines(message.get("template") or {})
    elif kind == "flex":
        lines = [f"[flex: {message.get('altText', '')}]", *flex_lines(message.get("contents"))]
    else:
        lines = [f"[{kind}: {message.get('altText', '')}]"]
    quick = (message.get("quickReply") or {}).get("items") or []
    if quick:
        lines.append(_buttons(item.get("action") for item in quick))
    return [piece for line in lines for piece in str(line).split("\n")]


def _template_lines(template: dict) -> list[str]:
    kind = template.get("type")
    if kind in ("buttons", "confirm"):
        lines = [str(template["title"])] if template.get("title") else []
        lines += str(template.get("text", "")).split("\n")
        return [*lines, _buttons(template.get("actions", []))]
    if kind == "carousel":
        lines = []
        for column in template.get("columns", []):
            lines += ["---", *([column["title"]] if column.get("title") else []), str(column.get("text", ""))]
            lines.append(_buttons(column.get("actions", [])))
        return lines
    if kind == "image_carousel":
        return [_buttons(column.get("action") for column in template.get("columns", []))]
    return [f"[template {kind}]"]


def event_line(event: dict | None, note: str | None) -> str:
    """What a user did, in one line."""
    if event is None:
        return f"[{note}]"
    kind = event.get("type")
    if kind == "message":
        message = event["message"]
        mtype = message.get("type")
        if mtype == "text":
            return message["text"]
        if mtype == "image" and message.get("imageSet"):
            image_set = message["imageSet"]
            return f"[image {image_set.get('index')}/{image_set.get('total')}]"
        if mtype == "location":
            return f"[location {message.get('latitude')},{message.get('longitude')}]"
        if mtype == "sticker":
            return f"[sticker {message.get('packageId')}/{message.get('stickerId')}]"
        return f"[{mtype}]"
    if kind == "postback":
        return note if note else f"[postback {event['postback']['data']}]"
    if kind in ("memberJoined", "memberLeft"):
        return f"[{kind}]"
    return f"[{kind}]"


def render(entries: Iterable[Entry], name_of, chat_name_of, bot_name: str) -> str:
    """The entries as text; a chat label prefixes each line when they span several chats."""
    entries = list(entries)
    several = len({entry.chat_id for entry in entries}) > 1
    out: list[str] = []
    for entry in entries:
        prefix = f"{chat_name_of(entry.chat_id)} | " if several else ""
        if entry.origin == "bot" and entry.delivery is not None:
            method = entry.delivery.method
            speaker = bot_name if method == "reply" else f"{bot_name} ({method})"
            for message in entry.delivery.messages:
                first, *rest = message_lines(message) or [""]
                out.append(f"{prefix}{speaker}: {first}")
                out += [f"{prefix}{INDENT}{line}".rstrip() for line in rest]
            continue
        speaker = name_of(entry.user_id) if entry.user_id else "LINE"
        first, *rest = event_line(entry.event, entry.note).split("\n")
        out.append(f"{prefix}{speaker}: {first}")
        out += [f"{prefix}{INDENT}{line}".rstrip() for line in rest]
    return "\n".join(out)
