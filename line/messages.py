"""Building LINE messages with line-bot-sdk's models, within LINE's documented limits."""

from __future__ import annotations

from linebot.v3.messaging import (
    Message,
    MessageAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY_ITEMS = 13
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


def button_label(label: str, limit: int = 20) -> str:
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
