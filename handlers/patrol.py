"""Patrol check-in on LINE: location inside a point's geofence, a photo, the round's progress, conditions.

The flow: "เช็คอิน" (or the poster's "เช็คอิน RP-0012") ► location ► pick a point if several are in range
► photo (optional or required) ► recorded with its round ► work orders to confirm ► conditions, each a defect.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from urllib.parse import parse_qs

from linebot.v3.messaging import LocationAction, Message, MessageAction, QuickReply, QuickReplyItem, TextMessage

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry, interrupts_flows
from line import messages
from line.riskpoint_cards import MISS_ACTION, miss_reasons
from models import CameraStatus, Conversation, PatrolCheck, RiskCamera, RiskPoint, RoundMiss
from models.settings import get_setting
from models.timeutil import from_line_ms
from services.riskpoints import ops
from texts import riskpoints as t

FLOW = "rp_patrol"
CONDITION_BY_LABEL = {label: code for code, label in t.CONDITIONS.items()}


def ask_location(body: str) -> TextMessage:
    """A question answered with the location quick-reply button (or cancel)."""
    items = [
        QuickReplyItem(action=LocationAction(label=t.SEND_LOCATION)),
        QuickReplyItem(action=MessageAction(label=t.CANCEL, text=t.CANCEL)),
    ]
    return TextMessage(text=body, quick_reply=QuickReply(items=items))


def target_of(ctx: Context, command: str) -> tuple[RiskPoint | None, str | None]:
    """The point named after the command word (the QR's 'เช็คอิน RP-0012'), and the code typed."""
    rest = (ctx.text or "")[len(command) :].strip()
    if not rest:
        return None, None
    code = rest.split()[0]
    return ops.point_by_code(ctx.session, code), code


def leave_other_flow(ctx: Context, registry: Registry | None, keep: str) -> None:
    """End another guided conversation properly (its tidy-up runs) before starting this one."""
    current = conversation.current(ctx)
    if registry is not None and current is not None and current.flow != keep:
        registry.cancel_flow(ctx)


def start(ctx: Context, registry: Registry | None = None) -> list[Message]:
    """'เช็คอิน' or 'เช็คอิน RP-0012': ask for the officer's current location."""
    point, code = target_of(ctx, t.CHECKIN)
    if code and point is None:
        return [messages.text(t.UNKNOWN_POINT.format(code=code.upper()))]
    leave_other_flow(ctx, registry, FLOW)
    conversation.start(ctx, FLOW, "location", {"target": point.id if point else None})
    target = f" {point.code} {point.name}" if point else ""
    return [ask_location(t.ASK_LOCATION.format(target=target, button=t.SEND_LOCATION))]


def location_of(ctx: Context) -> dict | None:
    """The shared location as flow data (coordinates, LINE message id, LINE timestamp in ms)."""
    message = ctx.message
    if message.get("type") != "location":
        return None
    return {
        "lat": float(message["latitude"]),
        "lng": float(message["longitude"]),
        "mid": str(message.get("id") or "") or None,
        "ms": int(ctx.event.get("timestamp") or ctx.sent_at.timestamp() * 1000),
    }


def at_of(loc: dict) -> datetime:
    """When the location was sent (LINE's event timestamp)."""
    return from_line_ms(loc["ms"])


def actor_name(ctx: Context) -> str:
    """How the sender is named in timelines."""
    member = ctx.sender
    if member is None:
        return t.SOMEONE
    return member.full_name or member.display_name or t.SOMEONE


def on_step(ctx: Context) -> list[Message]:
    """Take the answer to the current step of a check-in."""
    flow = conversation.current(ctx)
    step = flow.step
    if step == "location":
        return _take_location(ctx, flow)
    if step == "pick":
        return _take_pick(ctx, flow)
    if step == "photo":
        return _take_photo(ctx, flow)
    if step == "verify":
        return _take_verdict(ctx, flow)
    if step == "conditions":
        return _take_condition(ctx, flow)
    if step == "condition":
        return _take_condition_detail(ctx, flow)
    if step == "condition_camera":
        return _take_condition_camera(ctx, flow)
    conversation.finish(ctx, flow)
    return []


def _take_location(ctx: Context, flow: Conversation) -> list[Message]:
    loc = location_of(ctx)
    if loc is None:
        return [ask_location(t.ASK_LOCATION_AGAIN.format(button=t.SEND_LOCATION))]
    session, at = ctx.session, at_of(loc)
    common = {"member": ctx.sender, "at": at, "lat": loc["lat"], "lng": loc["lng"], "message_id": loc["mid"]}
    if ops.location_used(session, loc["mid"], loc["lat"], loc["lng"], at):
        ops.record_attempt(session, point=None, reason="reused", distance=None, **common)
        return [ask_location(t.LOCATION_REUSED)]
    target = session.get(RiskPoint, flow.data["target"]) if flow.data.get("target") else None
    if target is not None:
        distance = ops.distance_m(loc["lat"], loc["lng"], target.latitude, target.longitude)
        radius = ops.radius_of(session, target)
        if distance > radius:
            ops.record_attempt(session, point=target, reason="outside", distance=distance, **common)
            conversation.finish(ctx, flow)
            body = t.OUTSIDE_TARGET.format(
                code=target.code, name=target.name, distance=ops.show_distance(distance), radius=f"{radius:,.0f}"
            )
            return [messages.text(body, [f"{t.CHECKIN} {target.code}"])]
        return _point_chosen(ctx, flow, target, loc)
    found = ops.nearby(session, loc["lat"], loc["lng"])
    inside = ops.in_range(session, found)
    if not inside:
        nearest = found[0] if found else ops.nearest_anywhere(session, loc["lat"], loc["lng"])
        conversation.finish(ctx, flow)
        if nearest is None:
            return [messages.text(t.NO_POINTS)]
        point, distance = nearest
        ops.record_attempt(session, point=point, reason="outside", distance=distance, **common)
        body = t.OUTSIDE_ALL.format(code=point.code, name=point.name, distance=ops.show_distance(distance))
        return [messages.text(body, [t.CHECKIN])]
    if len(inside) == 1:
        return _point_chosen(ctx, flow, inside[0][0], loc)
    conversation.advance(flow, "pick", loc=loc, candidates=[p.id for p, _ in inside])
    return [_pick_question(ctx, [p for p, _ in inside])]


def _pick_question(ctx: Context, points: list[RiskPoint], body: str | None = None) -> TextMessage:
    labels = [(f"{p.code} {p.name}", p.code) for p in points[: messages.MAX_QUICK_REPLY_ITEMS - 1]]
    items = [QuickReplyItem(action=MessageAction(label=label[:20], text=code)) for label, code in labels]
    items.append(QuickReplyItem(action=MessageAction(label=t.CANCEL, text=t.CANCEL)))
    return TextMessage(text=body or t.PICK_POINT.format(count=len(points)), quick_reply=QuickReply(items=items))


def _take_pick(ctx: Context, flow: Conversation) -> list[Message]:
    candidates = [ctx.session.get(RiskPoint, pid) for pid in flow.data["candidates"]]
    typed = (ctx.text or "").strip().upper()
    chosen = next((p for p in candidates if p and typed in (p.code, f"{p.code} {p.name}".upper())), None)
    if chosen is None:
        return [_pick_question(ctx, [p for p in candidates if p], t.PICK_AGAIN)]
    return _point_chosen(ctx, flow, chosen, flow.data["loc"])


def _point_chosen(ctx: Context, flow: Conversation, point: RiskPoint, loc: dict) -> list[Message]:
    required = ops.photo_required(ctx.session, point)
    conversation.advance(flow, "photo", loc=loc, point_id=point.id, photo_required=required)
    if required:
        return [messages.text(t.ASK_PHOTO_REQUIRED.format(code=point.code, name=point.name), [t.CANCEL])]
    return [messages.text(t.ASK_PHOTO_OPTIONAL.format(code=point.code, name=point.name), [t.NO_PHOTO, t.CANCEL])]


def _take_photo(ctx: Context, flow: Conversation) -> list[Message]:
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    loc = flow.data["loc"]
    if ctx.message.get("type") == "image":
        sent, at = ctx.sent_at, at_of(loc)
        if sent < at:
            return [messages.text(t.PHOTO_OLDER, [t.CANCEL])]
        minutes = float(get_setting(ctx.session, "riskpoints.photo_window_minutes"))
        if sent - at > timedelta(minutes=minutes):
            conversation.finish(ctx, flow)
            return [messages.text(t.PHOTO_TOO_LATE.format(minutes=f"{minutes:g}"), [f"{t.CHECKIN} {point.code}"])]
        media = ops.media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
        return _record(ctx, flow, point, loc, media, sent)
    if ctx.text == t.NO_PHOTO and not flow.data.get("photo_required"):
        return _record(ctx, flow, point, loc, None, None)
    if flow.data.get("photo_required"):
        return [messages.text(t.PHOTO_NEEDED, [t.CANCEL])]
    return [messages.text(t.ASK_PHOTO_OPTIONAL.format(code=point.code, name=point.name), [t.NO_PHOTO, t.CANCEL])]


def _record(ctx: Context, flow: Conversation, point: RiskPoint, loc: dict, media, photo_at) -> list[Message]:
    session = ctx.session
    at = at_of(loc)
    if ops.location_used(session, loc["mid"], loc["lat"], loc["lng"], at):
        conversation.finish(ctx, flow)
        return [messages.text(t.LOCATION_REUSED, [t.CHECKIN])]
    check, repeat = ops.record_check(
        session,
        point,
        member=ctx.sender,
        at=at,
        lat=loc["lat"],
        lng=loc["lng"],
        message_id=loc["mid"],
        photo=media,
        photo_at=photo_at,
    )
    done = min(ops.rounds_done(session, point.id, check.patrol_day), point.required_patrols)
    body = t.CHECKED.format(
        code=point.code,
        name=point.name,
        round=ops.round_label(session, check.round_no),
        done=done,
        required=point.required_patrols,
        extra=t.CHECKED_AGAIN_ROUND if repeat else "",
    )
    to_verify = [order.id for order in ops.orders_to_verify(session, point)]
    conversation.advance(flow, "verify", check_id=check.id, point_id=point.id, verify=to_verify)
    return [messages.text(body), *_next_question(ctx, flow)]


def _next_question(ctx: Context, flow: Conversation) -> list[Message]:
    """Ask about the next finished work order to confirm, else about conditions."""
    from models import WorkOrder

    queue = list(flow.data.get("verify") or [])
    while queue:
        order = ctx.session.get(WorkOrder, queue[0])
        if order is not None:
            conversation.advance(flow, "verify", verify=queue)
            unit = order.unit.name if order.unit else ""
            body = t.VERIFY_ORDER.format(unit=unit, kind=t.CONDITIONS.get(order.defect.kind, ""), ref=order.ref)
            return [messages.text(body, [t.VERIFY_OK, t.VERIFY_BAD])]
        queue.pop(0)
    conversation.advance(flow, "conditions", verify=[])
    return [_conditions_question()]


def _conditions_question(body: str = t.ASK_CONDITIONS) -> TextMessage:
    return messages.text(body, [*t.CONDITIONS.values(), t.ALL_NORMAL])


def _take_verdict(ctx: Context, flow: Conversation) -> list[Message]:
    from models import WorkOrder

    if ctx.text not in (t.VERIFY_OK, t.VERIFY_BAD):
        return _next_question(ctx, flow)
    queue = list(flow.data.get("verify") or [])
    order = ctx.session.get(WorkOrder, queue.pop(0))
    conversation.advance(flow, "verify", verify=queue)
    ok = ctx.text == t.VERIFY_OK
    ops.verify_order(ctx.session, order, ok, ctx.sent_at, actor_name(ctx), ctx.push_to)
    unit = order.unit.name if order.unit else ""
    said = t.VERIFIED.format(ref=order.ref) if ok else t.REOPENED.format(ref=order.ref, unit=unit)
    return [messages.text(said), *_next_question(ctx, flow)]


def _take_condition(ctx: Context, flow: Conversation) -> list[Message]:
    text = ctx.text
    if text in (t.ALL_NORMAL, t.DONE):
        conversation.finish(ctx, flow)
        return [messages.text(t.CHECK_FINISHED)]
    kind = CONDITION_BY_LABEL.get(text or "")
    if kind is None:
        return [_conditions_question()]
    conversation.advance(flow, "condition", kind=kind, photos=[], note=None)
    return [messages.text(t.ASK_CONDITION_DETAIL.format(kind=t.CONDITIONS[kind]), [t.DONE])]


def _take_condition_detail(ctx: Context, flow: Conversation) -> list[Message]:
    if ctx.message.get("type") == "image":
        media = ops.media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
        photos = [*flow.data.get("photos", []), [media.id, ctx.event.get("timestamp")]]
        conversation.advance(flow, "condition", photos=photos)
        return [messages.text(t.CONDITION_PHOTO.format(count=len(photos)), [t.DONE])]
    if ctx.text and ctx.text != t.DONE:
        note = "\n".join(filter(None, [flow.data.get("note"), ctx.text[:500]]))
        conversation.advance(flow, "condition", note=note)
        return [messages.text(t.CONDITION_NOTED, [t.DONE])]
    if ctx.text != t.DONE:
        return [messages.text(t.ASK_CONDITION_DETAIL.format(kind=t.CONDITIONS[flow.data["kind"]]), [t.DONE])]
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    cameras = [c for c in point.cameras if c.retired_on is None]
    if flow.data["kind"] == "cctv" and cameras:
        if not flow.data.get("photos"):
            return [messages.text(t.ASK_BROKEN_PHOTO.format(camera=""), [t.DONE])]
        if len(cameras) == 1:
            return _broken_camera(ctx, flow, cameras[0])
        conversation.advance(flow, "condition_camera")
        labels = [c.code for c in cameras[: messages.MAX_QUICK_REPLY_ITEMS]]
        return [messages.text(t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(cameras)), labels)]
    return _open(ctx, flow, point)


def _photos(flow: Conversation) -> list[tuple[int, datetime]]:
    return [(media_id, from_line_ms(ms)) for media_id, ms in flow.data.get("photos") or []]


def _open(ctx: Context, flow: Conversation, point: RiskPoint) -> list[Message]:
    check = ctx.session.get(PatrolCheck, flow.data["check_id"])
    kind = flow.data["kind"]
    defect = ops.open_defect(
        ctx.session,
        point,
        kind,
        ctx.sent_at,
        ctx.push_to,
        member=ctx.sender,
        note=flow.data.get("note"),
        check=check,
        photos=_photos(flow),
    )
    return _opened_answer(ctx, flow, defect)


def _opened_answer(ctx: Context, flow: Conversation, defect) -> list[Message]:
    order = defect.order
    conversation.advance(flow, "conditions", kind=None, photos=[], note=None)
    label = t.CONDITIONS[defect.kind]
    if order is not None and order.unit is not None:
        body = t.DEFECT_OPENED.format(kind=label, ref=order.ref, unit=order.unit.name)
    else:
        body = t.DEFECT_NO_UNIT.format(kind=label, ref=order.ref if order else "-")
    return [_conditions_question(body)]


def _take_condition_camera(ctx: Context, flow: Conversation) -> list[Message]:
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    camera = next((c for c in point.cameras if c.code == (ctx.text or "").strip() and c.retired_on is None), None)
    if camera is None:
        labels = [c.code for c in point.cameras if c.retired_on is None][: messages.MAX_QUICK_REPLY_ITEMS]
        return [messages.text(t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(labels)), labels)]
    return _broken_camera(ctx, flow, camera)


def _broken_camera(ctx: Context, flow: Conversation, camera: RiskCamera) -> list[Message]:
    from models import MediaFile

    photos = _photos(flow)
    media = ctx.session.get(MediaFile, photos[0][0]) if photos else None
    _, defect, _, _ = ops.record_camera_check(
        ctx.session,
        camera,
        CameraStatus.BROKEN,
        ctx.sent_at,
        ctx.push_to,
        method="on_site",
        member=ctx.sender,
        photo=media,
        note=flow.data.get("note"),
    )
    return _opened_answer(ctx, flow, defect)


# --- reasons for missed rounds (in the patrol unit's group) -------------------------------------------


def on_miss_postback(ctx: Context) -> list[Message]:
    """A reason button under the end-of-round message: ask the reason, or record it."""
    data = parse_qs(ctx.postback_data or "")
    try:
        miss = ctx.session.get(RoundMiss, int((data.get("id") or ["0"])[0]))
    except ValueError:
        return []
    if miss is None:
        return []
    unit_chat = ops.unit_chat(ctx.session, miss.point.patrol_unit)
    if unit_chat is None or unit_chat != ctx.chat_id:
        return []
    reason = (data.get("reason") or [None])[0]
    if reason not in t.MISS_REASONS:
        return miss_reasons(miss, ops.round_label(ctx.session, miss.round_no))
    miss.reason, miss.reason_by, miss.reason_at = reason, ctx.user_id, ctx.sent_at
    return [messages.text(t.MISS_RECORDED.format(code=miss.point.code, reason=t.MISS_REASONS[reason]))]


def register(registry: Registry) -> None:
    """Add the check-in command, flow and missed-round buttons."""
    registry.command(t.CHECKIN, chat_types={"user"})(interrupts_flows(partial(start, registry=registry)))
    registry.flow(FLOW)(on_step)
    registry.postback(MISS_ACTION)(on_miss_postback)
