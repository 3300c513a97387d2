"""Work orders in a department's LINE group: accept / in progress / done buttons, and the after photo.

"Done" is not taken on a tap alone: the person who tapped it sends the after photo in the group within
``riskpoints.done_photo_minutes``; only then is the order done and waiting for the next patrol's word.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line.riskpoint_cards import NEXT_STEPS, ORDER_ACTION, order_card
from models import OrderStatus, WorkOrder
from models.settings import get_setting
from services.riskpoints.defects import move_order
from services.riskpoints.photos import add_photos, media_for
from services.riskpoints.units import unit_chat, unit_for_chat
from texts import riskpoints as t


def on_button(ctx: Context) -> list[Message]:
    """A tap on a work order's button in its department's group."""
    data = parse_qs(ctx.postback_data or "")
    try:
        order = ctx.session.get(WorkOrder, int((data.get("id") or ["0"])[0]))
        wanted = OrderStatus((data.get("to") or [""])[0])
    except ValueError:
        return []
    if order is None:
        return []
    if unit_chat(ctx.session, order.unit) != ctx.chat_id:
        return [messages.text(t.ORDER_NOT_HERE)]
    if order.status == OrderStatus.CLOSED:
        return [messages.text(t.ORDER_CLOSED_ALREADY.format(ref=order.ref))]
    if wanted not in NEXT_STEPS.get(order.status, ()):
        return order_card(order)
    if wanted == OrderStatus.DONE:
        order.awaiting_photo_user, order.awaiting_photo_since = ctx.user_id or "pc", ctx.sent_at
        minutes = int(get_setting(ctx.session, "riskpoints.done_photo_minutes"))
        return [messages.ask_photo(t.ORDER_ASK_AFTER_PHOTO.format(ref=order.ref, minutes=minutes))]
    move_order(ctx.session, order, wanted, ctx.sent_at, actor=ctx.actor_name)
    moved = t.ORDER_MOVED.format(ref=order.ref, status=t.ORDER_STATUS[wanted.value], actor=ctx.actor_name)
    return [messages.text(moved), *order_card(order)]


def take_after_photo(ctx: Context) -> list[Message] | None:
    """A photo in a department's group from someone who tapped "done": the order is done (else pass)."""
    if ctx.chat_type not in ("group", "room") or ctx.message.get("type") != "image":
        return None
    unit = unit_for_chat(ctx.session, ctx.chat_id)
    if unit is None:
        return None
    window = timedelta(minutes=float(get_setting(ctx.session, "riskpoints.done_photo_minutes")))
    order = ctx.session.scalar(
        select(WorkOrder)
        .where(
            WorkOrder.unit_id == unit.id,
            WorkOrder.awaiting_photo_user == (ctx.user_id or "pc"),
            WorkOrder.awaiting_photo_since <= ctx.sent_at,
            WorkOrder.awaiting_photo_since >= ctx.sent_at - window,
            WorkOrder.status != OrderStatus.CLOSED,
        )
        .order_by(WorkOrder.awaiting_photo_since.desc())
        .limit(1)
    )
    if order is None:
        return None
    media = media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
    add_photos(ctx.session, [(media.id, ctx.sent_at)], role="after", order=order)
    order.awaiting_photo_user = order.awaiting_photo_since = None
    move_order(ctx.session, order, OrderStatus.DONE, ctx.sent_at, actor=ctx.actor_name)
    return [messages.text(t.ORDER_DONE.format(ref=order.ref))]


def register(registry: Registry) -> None:
    """Add the work-order buttons and the after-photo listener."""
    registry.postback(ORDER_ACTION)(on_button)
    registry.free_text(take_after_photo)
