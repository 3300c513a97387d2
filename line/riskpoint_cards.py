"""LINE messages of the risk-point programme that carry buttons: work-order cards, missed rounds, letters.

The notices the risk-point rules send (services/notices.py) are rendered here; line/notices.py registers them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexSeparator,
    FlexText,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)
from sqlalchemy.orm import Session

from line.messages import MAX_QUICK_REPLY_ITEMS
from models import OrderStatus, RoundMiss, WorkOrder
from models.settings import get_setting
from models.timeutil import thai_date, thai_datetime
from reports.documents.numbers import doc_number
from services.notices import LetterIssued, OrderSent, RoundMissed
from services.riskpoints.patrols import round_label
from texts import riskpoints as t

ORDER_ACTION = "wo"
MISS_ACTION = "rp_miss"
NEXT_STEPS = {
    OrderStatus.NEW: (OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.DONE),
    OrderStatus.REOPENED: (OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.DONE),
    OrderStatus.ACCEPTED: (OrderStatus.IN_PROGRESS, OrderStatus.DONE),
    OrderStatus.IN_PROGRESS: (OrderStatus.DONE,),
}
BUTTON_LABELS = {OrderStatus.ACCEPTED: t.ACCEPT, OrderStatus.IN_PROGRESS: t.IN_PROGRESS, OrderStatus.DONE: t.FINISHED}


def postback(label: str, **data: object) -> PostbackAction:
    """A postback action whose data is a query string (action=...&...), shown as its label when tapped."""
    return PostbackAction(label=label[:20], data=urlencode(data), display_text=label[:300])


def order_card(order: WorkOrder) -> list[Message]:
    """A work order as a card with the buttons its status allows (accept, in progress, done)."""
    defect, point = order.defect, order.defect.point
    note = f"\n{defect.note}" if defect.note else ""
    if order.reopened_count:
        note += t.ORDER_REOPENED_NOTE.format(count=order.reopened_count)
    if defect.kind == "cctv":
        note += t.ORDER_CCTV_NOTE
    body = t.ORDER_BODY.format(
        code=point.code,
        name=point.name,
        district=point.district,
        kind=t.CONDITIONS.get(defect.kind, defect.kind),
        note=note,
        opened=thai_datetime(defect.opened_at),
    )
    title = t.ORDER_TITLE.format(ref=order.ref)
    buttons = [
        FlexButton(
            action=postback(BUTTON_LABELS[step], action=ORDER_ACTION, id=order.id, to=step.value),
            style="primary" if step == OrderStatus.DONE else "secondary",
            height="sm",
            margin="sm",
        )
        for step in NEXT_STEPS.get(order.status, ())
    ]
    bubble = FlexBubble(
        body=FlexBox(
            layout="vertical",
            contents=[
                FlexText(text=title, weight="bold", size="lg", wrap=True),
                FlexText(text=t.ORDER_STATUS[order.status.value], size="sm", color="#888888"),
                FlexSeparator(margin="md"),
                FlexText(text=body[:2000], wrap=True, size="sm", margin="md"),
            ],
        ),
        footer=FlexBox(layout="vertical", contents=buttons) if buttons else None,
    )
    alt = f"{title}: {t.CONDITIONS.get(defect.kind, defect.kind)} ที่ {point.code}"
    return [FlexMessage(alt_text=alt[:400], contents=bubble)]


def order_notice(session: Session, notice: OrderSent) -> list[Message]:
    """A work order sent to its department's group: its card with the buttons."""
    return order_card(notice.order)


def round_misses(session: Session, notice: RoundMissed) -> list[Message]:
    """The end-of-round message to a patrol unit: its unvisited points, with a reason button for each."""
    label = round_label(session, notice.round_no)
    misses = notice.misses
    lines = "\n".join(f"• {m.point.code} {m.point.name}" for m in misses)
    body = t.ROUND_MISSED.format(round=label, day=thai_date(notice.day, short=True), count=len(misses), points=lines)
    items = [
        QuickReplyItem(action=postback(t.MISS_REASON_FOR.format(code=m.point.code), action=MISS_ACTION, id=m.id))
        for m in misses[:MAX_QUICK_REPLY_ITEMS]
    ]
    return [TextMessage(text=body, quick_reply=QuickReply(items=items) if items else None)]


def miss_reasons(miss: RoundMiss, round_name: str) -> list[Message]:
    """The reason buttons for one missed round of one point."""
    items = [
        QuickReplyItem(action=postback(label, action=MISS_ACTION, id=miss.id, reason=code))
        for code, label in t.MISS_REASONS.items()
    ]
    body = t.ASK_MISS_REASON.format(code=miss.point.code, name=miss.point.name, round=round_name)
    return [TextMessage(text=body, quick_reply=QuickReply(items=items))]


def secretariat_letter(session: Session, notice: LetterIssued) -> list[Message]:
    """Tell the secretariat a camera is broken and a coordination letter was issued."""
    letter, method = notice.letter, notice.method
    camera, point = letter.camera, letter.camera.point
    body = t.SECRETARIAT_LETTER.format(
        camera=camera.code,
        code=point.code,
        name=point.name,
        district=point.district,
        found=thai_datetime(letter.found_at),
        by=t.BY_CENTRE if method == "centre" else t.BY_ON_SITE,
        agency=letter.agency,
        doc=doc_number(session, letter),
        date=thai_date(letter.issued_at),
    )
    return [TextMessage(text=body)]


def office_name(session: Session) -> str:
    """The office's name for letters and reports."""
    return str(get_setting(session, "riskpoints.office_name"))
