"""The cards of "สรุปของฉัน" for a patrol officer, a department clerk and the secretariat, and the details
their items open (line-bot-sdk models; wording in texts/summary.py)."""

from __future__ import annotations

from datetime import datetime

from linebot.v3.messaging import FlexBox, FlexBubble, FlexCarousel, FlexSeparator, FlexText, Message, TextMessage
from sqlalchemy.orm import Session

from line.summary_cards import (
    CHECK_ACTION,
    DEFECT_ACTION,
    MAX_BUBBLES,
    MUTED,
    ORDER_ACTION,
    UNIT_ACTION,
    age,
    button,
    command,
    flex,
    postback,
    quick,
    row,
    title,
)
from models import Defect, PatrolCheck, RiskUnit, WorkOrder
from models.timeutil import thai_date, thai_datetime, to_bangkok
from services.riskpoints.patrols import round_label
from services.riskpoints.points import show_distance
from services.riskpoints.summaries import UnitProgress, age_days
from services.summaries import SecretariatCounts
from texts import riskpoints as rp
from texts import summary as t

MAX_ITEMS = 8
WIDE = (5, 2)  # a long label and a short figure


def _item(text: str, label: str, action: str, item_id: int, note: str | None = None) -> FlexBox:
    """A tappable line of a list that opens its detail."""
    contents = [FlexText(text=text, size="sm", wrap=True)]
    if note:
        contents.append(FlexText(text=note, size="xs", color=MUTED, wrap=True))
    tapped = postback(label, action, id=item_id)
    tapped.display_text = t.ASK_DETAIL.format(label=label)
    return FlexBox(layout="vertical", margin="md", contents=contents, action=tapped)


def _list_bubble(heading: str, items: list[FlexBox], empty: str) -> FlexBubble:
    """A titled list (at most MAX_ITEMS lines, then how many more), or a line saying there is none."""
    contents = [title(heading)]
    if not items:
        contents.append(FlexText(text=empty, size="sm", color=MUTED, wrap=True, margin="md"))
    else:
        contents.append(FlexText(text=t.TAP_HINT, size="xxs", color=MUTED, wrap=True))
        contents.extend(items[:MAX_ITEMS])
        if len(items) > MAX_ITEMS:
            contents.append(FlexText(text=t.MORE_ITEMS.format(more=len(items) - MAX_ITEMS), size="xs", margin="md"))
    return FlexBubble(size="kilo", body=FlexBox(layout="vertical", contents=contents))


def _order_status(order: WorkOrder | None) -> str:
    return rp.ORDER_STATUS.get(order.status.value, order.status.value) if order else t.NO_ORDER


# --- the patrol officer -------------------------------------------------------------------------


def unit_bubble(progress: UnitProgress) -> FlexBubble:
    """A patrol unit's round and day progress, with buttons for its unfinished points and a check-in."""
    contents = [
        title(progress.unit.name),
        FlexText(text=t.UNIT_DAY.format(day=thai_date(progress.day, short=True)), size="xs", color=MUTED),
    ]
    if not progress.points:
        contents.append(FlexText(text=t.UNIT_NO_POINTS, size="sm", wrap=True, margin="md"))
    else:
        now_line = (
            t.UNIT_ROUND.format(round=progress.round_name, done=progress.round_done, total=len(progress.points))
            if progress.round_name
            else t.UNIT_NO_ROUND
        )
        contents.append(FlexText(text=now_line, size="sm", wrap=True, margin="md"))
        today = t.UNIT_TODAY.format(done=progress.done, required=progress.required)
        contents.append(FlexText(text=today, size="sm", wrap=True, margin="sm", weight="bold"))
    footer = [button(command(t.CHECKIN), primary=True)]
    if progress.points:
        footer.insert(0, button(postback(t.UNIT_POINTS, UNIT_ACTION, id=progress.unit.id)))
    return FlexBubble(
        size="kilo",
        body=FlexBox(layout="vertical", contents=contents),
        footer=FlexBox(layout="vertical", contents=footer),
    )


def patrol_summary(
    progresses: list[UnitProgress], checks: list[PatrolCheck], defects: list[Defect], now: datetime
) -> list[Message]:
    """The patrol officer's carousel: each unit's progress, their check-ins today, their open defects."""
    check_items = [
        _item(
            t.CHECK_LINE.format(time=f"{to_bangkok(c.checked_at):%H:%M} น.", code=c.point.code, name=c.point.name),
            t.CHECK_LABEL.format(code=c.point.code, time=f"{to_bangkok(c.checked_at):%H:%M}"),
            CHECK_ACTION,
            c.id,
        )
        for c in checks
    ]
    defect_items = [
        _item(
            t.DEFECT_LINE.format(
                kind=rp.CONDITIONS.get(d.kind, d.kind),
                code=d.point.code,
                age=age(age_days(d.opened_at, now)),
                status=_order_status(d.order),
            ),
            t.DEFECT_LABEL.format(code=d.point.code),
            DEFECT_ACTION,
            d.id,
        )
        for d in defects
    ]
    bubbles = [unit_bubble(p) for p in progresses]
    bubbles.append(_list_bubble(t.CHECKS_TITLE, check_items, t.CHECKS_NONE))
    bubbles.append(_list_bubble(t.DEFECTS_TITLE, defect_items, t.DEFECTS_NONE))
    return [flex(t.PATROL_ALT, FlexCarousel(contents=bubbles[-MAX_BUBBLES:]))]  # the officer's own lists last


def unit_detail(progress: UnitProgress) -> list[Message]:
    """The points of a unit still short of their visits today."""
    day = thai_date(progress.day, short=True)
    if not progress.unfinished:
        return [TextMessage(text=t.UNIT_DETAIL_ALL_DONE.format(unit=progress.unit.name, day=day))]
    lines = [t.UNIT_DETAIL.format(unit=progress.unit.name, day=day)]
    lines += [
        t.UNIT_DETAIL_LINE.format(code=p.point.code, name=p.point.name, done=p.done, required=p.required)
        for p in progress.unfinished
    ]
    return [TextMessage(text="\n".join(lines), quick_reply=quick(command(t.CHECKIN), command(t.SUMMARY)))]


def check_detail(session: Session, check: PatrolCheck) -> list[Message]:
    """One of the officer's check-ins."""
    point = check.point
    body = t.CHECK_DETAIL.format(
        code=point.code,
        name=point.name,
        when=thai_datetime(check.checked_at),
        round=round_label(session, check.round_no),
        photo=t.PHOTO_YES if check.photo_media_id else t.PHOTO_NO,
    )
    if check.distance_m is not None:
        body += "\n" + t.CHECK_DISTANCE.format(distance=show_distance(check.distance_m))
    return [TextMessage(text=body, quick_reply=quick(command(t.SUMMARY)))]


def defect_detail(defect: Defect, now: datetime) -> list[Message]:
    """One defect the officer reported, with its work order's timeline."""
    point = defect.point
    lines = [
        t.DEFECT_DETAIL.format(
            kind=rp.CONDITIONS.get(defect.kind, defect.kind),
            code=point.code,
            name=point.name,
            when=thai_datetime(defect.opened_at),
            age=age(age_days(defect.opened_at, now)),
        )
    ]
    if defect.note:
        lines.append(t.DEFECT_NOTE.format(note=defect.note[:300]))
    lines += _order_lines(defect.order, now) if defect.order else [t.NO_ORDER]
    return [TextMessage(text="\n".join(lines), quick_reply=quick(command(t.SUMMARY)))]


# --- the department clerk -----------------------------------------------------------------------


def clerk_summary(orders_by_unit: list[tuple[RiskUnit, list[WorkOrder]]], now: datetime) -> list[Message]:
    """A bubble per department: its open work orders, oldest first, each opening its timeline."""
    bubbles = []
    for unit, orders in orders_by_unit:
        items = [
            _item(
                t.ORDER_LINE.format(ref=o.ref, age=age(age_days(o.created_at, now)), status=_order_status(o)),
                o.ref,
                ORDER_ACTION,
                o.id,
                t.ORDER_POINT.format(code=o.defect.point.code, name=o.defect.point.name),
            )
            for o in orders
        ]
        bubbles.append(_list_bubble(f"{unit.name}: {t.ORDERS_TITLE}", items, t.ORDERS_NONE))
    return [flex(t.CLERK_ALT, FlexCarousel(contents=bubbles[:MAX_BUBBLES]))]


def order_detail(order: WorkOrder, now: datetime) -> list[Message]:
    """A work order and its timeline."""
    return [TextMessage(text="\n".join(_order_lines(order, now)), quick_reply=quick(command(t.SUMMARY)))]


def _order_lines(order: WorkOrder, now: datetime) -> list[str]:
    point = order.defect.point
    lines = [
        t.ORDER_DETAIL.format(
            ref=order.ref,
            kind=rp.CONDITIONS.get(order.defect.kind, order.defect.kind),
            code=point.code,
            name=point.name,
            district=point.district,
            status=_order_status(order),
            age=age(age_days(order.created_at, now)),
        ),
        t.ORDER_TIMELINE,
    ]
    for event in order.events:
        status = rp.ORDER_STATUS.get(event.status, event.status)
        when = thai_datetime(event.at)
        step = t.ORDER_STEP_BY if event.actor else t.ORDER_STEP
        lines.append(step.format(when=when, status=status, actor=event.actor))
    return lines


# --- the secretariat ----------------------------------------------------------------------------


def secretariat_summary(counts: SecretariatCounts) -> list[Message]:
    """Today's counts and what waits for the secretariat, with the "ประชุม" button."""
    amount = lambda value: t.AMOUNT.format(count=value)  # noqa: E731 - a local shorthand
    month = t.MONTH_AMOUNT.format(missing=counts.month_missing, expected=counts.month_expected)
    body = [
        title(t.SECRETARIAT_TITLE.format(day=thai_date(counts.day, short=True))),
        row(t.COUNT_REPORTS, amount(counts.reports_today), widths=WIDE),
        row(t.COUNT_CHECKS, amount(counts.checks_today), widths=WIDE),
        row(t.COUNT_DEFECTS, amount(counts.open_defects), widths=WIDE),
        row(t.COUNT_ORDERS, amount(counts.open_orders), widths=WIDE),
        row(t.COUNT_MONTH.format(month=counts.month), month, widths=WIDE),
        FlexSeparator(margin="md"),
        FlexText(text=t.WAITING_TITLE, weight="bold", size="sm", margin="md"),
        row(t.COUNT_WAITING, amount(counts.waiting_reports), widths=WIDE),
        row(t.COUNT_UNDELIVERED, amount(counts.undelivered), widths=WIDE),
    ]
    bubble = FlexBubble(
        body=FlexBox(layout="vertical", contents=body),
        footer=FlexBox(layout="vertical", contents=[button(command(t.MEETING), primary=True)]),
    )
    return [flex(t.SECRETARIAT_ALT, bubble)]
