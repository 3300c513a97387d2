"""The network's LINE messages to members."""

from __future__ import annotations

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexText,
    Message,
    MessageAction,
    QuickReply,
    QuickReplyItem,
)
from sqlalchemy.orm import Session

from line.messages import text, utf16_length
from services.notices import MemberDecided, StatusUpdated
from texts import network as t


def status_updated(session: Session, notice: StatusUpdated) -> list[Message]:
    """Where a report stands, for its sender."""
    return [text(t.STATUS_UPDATES[notice.key].format(ref=notice.report.ref_no))]


def member_decided(session: Session, notice: MemberDecided) -> list[Message]:
    """The secretariat's decision on a registration, for the member; an approval comes with what to do next."""
    buttons = list(t.APPROVED_BUTTONS) if notice.status == "approved" else None
    return [text(t.MEMBER_DECIDED[notice.status], buttons)]


CHOICES_PER_BUBBLE = 8
MAX_BUBBLES = 12
FLEX_BUTTON_LABEL = 40


def _choice_row(name: str) -> FlexButton | FlexBox:
    """A full-width button sending the name; a tappable wrapped row when the name is too long for a button."""
    if utf16_length(name) <= FLEX_BUTTON_LABEL:
        return FlexButton(action=MessageAction(label=name, text=name), style="secondary", height="sm", margin="sm")
    return FlexBox(
        layout="vertical",
        margin="sm",
        padding_all="8px",
        background_color="#EEEEEE",
        corner_radius="6px",
        action=MessageAction(label=name[:FLEX_BUTTON_LABEL], text=name),
        contents=[FlexText(text=name, wrap=True, size="sm", align="center")],
    )


def choice_list(title: str, names: list[str], alt_text: str, quick: list[str] = ()) -> FlexMessage:
    """Choices whose labels may not fit 20 characters, as Flex bubbles of buttons showing each name in full."""
    pages = [names[start : start + CHOICES_PER_BUBBLE] for start in range(0, len(names), CHOICES_PER_BUBBLE)]
    bubbles = [
        FlexBubble(
            body=FlexBox(
                layout="vertical",
                contents=[FlexText(text=title, weight="bold", size="md", wrap=True), *map(_choice_row, page)],
            )
        )
        for page in pages[:MAX_BUBBLES]
    ]
    items = [QuickReplyItem(action=MessageAction(label=label, text=label)) for label in quick]
    return FlexMessage(
        alt_text=alt_text[:400],
        contents=bubbles[0] if len(bubbles) == 1 else FlexCarousel(contents=bubbles),
        quick_reply=QuickReply(items=items) if items else None,
    )
