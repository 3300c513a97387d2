"""Building LINE messages with line-bot-sdk's models, within LINE's documented limits."""

from __future__ import annotations

from urllib.parse import urlencode

from linebot.v3.messaging import (
    Action,
    CameraAction,
    CameraRollAction,
    LocationAction,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from texts import common as words

MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20  # characters of a button's label
MAX_MESSAGES_PER_CALL = 5


def utf16_length(text: str) -> int:
    """Length as LINE counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UTF16) -> list[str]:
    """Split a text into pieces of at most `limit` UTF-16 units, preferring line breaks."""
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    """The largest index whose prefix fits `limit` units, moved back to a newline if one is near."""
    units = 0
    index = len(text)
    for position, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            index = position
            break
    newline = text.rfind("\n", 0, index)
    return newline if newline > index // 2 else index


def button_label(label: str, limit: int = MAX_LABEL) -> str:
    """A button label within LINE's 20 characters, shortened with an ellipsis rather than cut."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def text(body: str, quick_replies: list[str] | None = None) -> TextMessage:
    """A text message, optionally with quick-reply buttons that send their label."""
    quick = None
    if quick_replies:
        items = [
            QuickReplyItem(action=MessageAction(label=button_label(label), text=label))
            for label in quick_replies[:MAX_QUICK_REPLY_ITEMS]
        ]
        quick = QuickReply(items=items)
    return TextMessage(text=body, quick_reply=quick)


def choices(body: str, buttons: list[tuple[str, str]]) -> TextMessage:
    """A text message with quick-reply buttons given as (label, text sent); labels must fit 20 characters."""
    for label, _ in buttons:
        if len(label) > 20:
            raise ValueError(f"quick-reply label longer than 20 characters: {label}")
    items = [
        QuickReplyItem(action=MessageAction(label=label, text=sent)) for label, sent in buttons[:MAX_QUICK_REPLY_ITEMS]
    ]
    return TextMessage(text=body, quick_reply=QuickReply(items=items) if items else None)


def _with_buttons(body: str, actions: list[Action], labels: list[str] | None) -> TextMessage:
    """A text whose quick reply starts with special actions (camera, location) then text buttons."""
    texts = [MessageAction(label=button_label(label), text=label) for label in labels or []]
    items = [QuickReplyItem(action=action) for action in [*actions, *texts][:MAX_QUICK_REPLY_ITEMS]]
    return TextMessage(text=body, quick_reply=QuickReply(items=items))


def ask_photo(body: str, extra_labels: list[str] | None = None) -> TextMessage:
    """A question answered with a photo: camera and camera-roll buttons, then text buttons."""
    actions = [CameraAction(label=words.TAKE_PHOTO), CameraRollAction(label=words.CHOOSE_PHOTO)]
    return _with_buttons(body, actions, extra_labels)


def ask_place(body: str, extra_labels: list[str] | None = None, *, location_label: str = "") -> TextMessage:
    """A question answered with a place: the send-location button, then text buttons."""
    action = LocationAction(label=button_label(location_label or words.SEND_LOCATION))
    return _with_buttons(body, [action], extra_labels)


def ask_photo_or_place(body: str, extra_labels: list[str] | None = None) -> TextMessage:
    """A question answered with a photo or a place: camera, camera roll, location, then text buttons."""
    actions = [
        CameraAction(label=words.TAKE_PHOTO),
        CameraRollAction(label=words.CHOOSE_PHOTO),
        LocationAction(label=words.SEND_LOCATION),
    ]
    return _with_buttons(body, actions, extra_labels)


def postback_choices(body: str, choices: list[tuple[str, dict[str, str]]]) -> TextMessage:
    """A text with quick-reply buttons that post back `action=...` data (the label is shown as said)."""
    actions = [
        PostbackAction(label=button_label(label), data=urlencode(data), display_text=label[:300])
        for label, data in choices
    ]
    return _with_buttons(body, actions, None)


def within_limits(messages: list[Message]) -> list[list[Message]]:
    """Split over-long texts and group messages into batches of five, keeping order."""
    expanded: list[Message] = []
    for message in messages:
        if isinstance(message, TextMessage) and utf16_length(message.text) > MAX_TEXT_UTF16:
            parts = split_text(message.text)
            for number, part in enumerate(parts):
                last = number == len(parts) - 1
                expanded.append(TextMessage(text=part, quick_reply=message.quick_reply if last else None))
        else:
            expanded.append(message)
    return [expanded[start : start + MAX_MESSAGES_PER_CALL] for start in range(0, len(expanded), MAX_MESSAGES_PER_CALL)]
