"""LINE messages of the risk-point programme that carry buttons: work-order cards, missed rounds, letters.

The notices the risk-point rules send (services/notices.py) are rendered here; line/notices.py registers them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexSeparator,
    FlexText,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)
from sqlalchemy.orm import Session

from line.messages import MAX_QUICK_REPLY_ITEMS, text
from models import OrderStatus, RiskCamera, RiskPoint, RoundMiss, WorkOrder
from models.office import office_profile
from models.timeutil import thai_date, thai_datetime
from reports.documents.numbers import doc_number
from services.notices import LetterIssued, OrderSent, OrderUndelivered, RoundMissed
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


BUTTONS_PER_BUBBLE = 8
MAX_BUBBLES = 12


def _button_bubbles(title: str, actions: list[PostbackAction], alt_text: str) -> FlexMessage:
    """Buttons that stay under the message (quick replies vanish at the next message): a bubble, or a carousel."""
    pages = [actions[start : start + BUTTONS_PER_BUBBLE] for start in range(0, len(actions), BUTTONS_PER_BUBBLE)]
    bubbles = [
        FlexBubble(
            body=FlexBox(
                layout="vertical",
                spacing="sm",
                contents=[
                    FlexText(text=title, weight="bold", wrap=True, size="sm"),
                    *(FlexButton(action=action, style="secondary", height="sm") for action in page),
                ],
            )
        )
        for page in pages[:MAX_BUBBLES]
    ]
    contents = bubbles[0] if len(bubbles) == 1 else FlexCarousel(contents=bubbles)
    return FlexMessage(alt_text=alt_text[:400], contents=contents)


def round_misses(session: Session, notice: RoundMissed) -> list[Message]:
    """The end-of-round message to a patrol unit: its unvisited points, with a reason button for each."""
    label = round_label(session, notice.round_no)
    misses = notice.misses
    lines = "\n".join(f"• {m.point.code} {m.point.name}" for m in misses)
    body = t.ROUND_MISSED.format(round=label, day=thai_date(notice.day, short=True), count=len(misses), points=lines)
    if not misses:
        return [TextMessage(text=body)]
    actions = [
        postback(t.MISS_REASON_FOR.format(code=m.point.code), action=MISS_ACTION, id=m.id)
        for m in misses[: BUTTONS_PER_BUBBLE * MAX_BUBBLES]
    ]
    return [TextMessage(text=body), _button_bubbles(t.MISS_BUTTONS_TITLE, actions, t.MISS_BUTTONS_TITLE)]


def miss_reasons(miss: RoundMiss, round_name: str) -> list[Message]:
    """The reason buttons for one missed round of one point (kept under the question)."""
    actions = [postback(label, action=MISS_ACTION, id=miss.id, reason=code) for code, label in t.MISS_REASONS.items()]
    body = t.ASK_MISS_REASON.format(code=miss.point.code, name=miss.point.name, round=round_name)
    return [_button_bubbles(body, actions, body)]


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
    return office_profile(session).name


def order_undelivered(session: Session, notice: OrderUndelivered) -> list[Message]:
    """Tell the secretariat a new work order could not reach its department, which has no LINE group."""
    order = notice.order
    defect, point = order.defect, order.defect.point
    body = t.ORDER_UNDELIVERED.format(
        ref=order.ref,
        unit=order.unit.name if order.unit else t.NO_UNIT_NAME,
        kind=t.CONDITIONS.get(defect.kind, defect.kind),
        code=point.code,
        name=point.name,
        opened=thai_datetime(defect.opened_at),
    )
    return [TextMessage(text=body)]


MAX_BUBBLES = 12


def _cancel_quick_reply() -> QuickReply:
    return QuickReply(items=[QuickReplyItem(action=MessageAction(label=t.CANCEL, text=t.CANCEL))])


def choice_carousel(cards: list[tuple[str, list[str], str, str]], alt_text: str) -> FlexMessage:
    """A carousel with one bubble per choice: (title, detail lines, button label, text the button sends)."""
    bubbles = [
        FlexBubble(
            size="kilo",
            body=FlexBox(
                layout="vertical",
                spacing="sm",
                contents=[
                    FlexText(text=title, weight="bold", size="lg", wrap=True),
                    *(FlexText(text=line, size="sm", wrap=True, color="#555555") for line in lines if line),
                ],
            ),
            footer=FlexBox(
                layout="vertical",
                contents=[
                    FlexButton(action=MessageAction(label=label, text=sent), style="primary", height="sm"),
                ],
            ),
        )
        for title, lines, label, sent in cards[:MAX_BUBBLES]
    ]
    contents = bubbles[0] if len(bubbles) == 1 else FlexCarousel(contents=bubbles)
    return FlexMessage(alt_text=alt_text[:400], contents=contents, quick_reply=_cancel_quick_reply())


def point_pick(points: list[tuple[RiskPoint, str | None, str]], alt_text: str) -> FlexMessage:
    """The points in range to pick from: code, full name, distance from the officer, today's last check."""
    cards = [
        (point.code, [point.name, distance, checked], t.PICK_THIS, point.code) for point, distance, checked in points
    ]
    return choice_carousel(cards, alt_text)


def camera_question(point: RiskPoint, cameras: list[RiskCamera], body: str, extra: list[str] = ()) -> list[Message]:
    """Which camera: quick replies of their codes when they fit, else a carousel naming each camera in full."""
    codes = [camera.code for camera in cameras]
    if all(len(code) <= 20 for code in codes) and len(codes) + len(extra) <= MAX_QUICK_REPLY_ITEMS:
        return [text(body, [*codes, *extra])]
    alt = t.PICK_CAMERA_ALT.format(code=point.code, count=len(cameras), cameras=", ".join(codes))
    cards = [(camera.code, [camera.owner_agency], t.PICK_CAMERA_THIS, camera.code) for camera in cameras]
    return [text(body), choice_carousel(cards, alt)]
