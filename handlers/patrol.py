"""Patrol check-in on LINE: location inside a point's geofence, a photo, the round's progress, conditions.

The flow: "เช็คอิน" (or the poster's "เช็คอิน RP-0012") ► location ► pick a point if several are in range
► photo (optional or required) ► recorded with its round ► work orders to confirm ► conditions, each a defect.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from urllib.parse import parse_qs

from linebot.v3.messaging import Message, TextMessage

from handlers import conversation
from handlers.context import Context
from handlers.locating import Locating, at_of
from handlers.registry import Registry
from line import messages
from line.riskpoint_cards import MISS_ACTION, camera_question, miss_reasons
from models import CameraStatus, Conversation, MediaFile, PatrolCheck, RiskCamera, RiskPoint, RoundMiss, WorkOrder
from models.settings import get_setting
from models.timeutil import from_line_ms
from services.riskpoints.cameras import record_camera_check
from services.riskpoints.defects import open_defect, order_delivered, orders_to_verify, verify_order
from services.riskpoints.patrols import location_used, record_check, round_label, rounds_done
from services.riskpoints.photos import media_for
from services.riskpoints.points import photo_required
from services.riskpoints.units import unit_chat
from texts import riskpoints as t

FLOW = "rp_patrol"
CONDITION_BY_LABEL = {label: code for code, label in t.CONDITIONS.items()}


def _point_chosen(ctx: Context, flow: Conversation, point: RiskPoint, loc: dict) -> list[Message]:
    required = photo_required(ctx.session, point)
    conversation.advance(flow, "photo", loc=loc, point_id=point.id, photo_required=required)
    if required:
        return [messages.ask_photo(t.ASK_PHOTO_REQUIRED.format(code=point.code, name=point.name), [t.CANCEL])]
    return [messages.ask_photo(t.ASK_PHOTO_OPTIONAL.format(code=point.code, name=point.name), [t.NO_PHOTO, t.CANCEL])]


def _take_photo(ctx: Context, flow: Conversation) -> list[Message]:
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    loc = flow.data["loc"]
    if ctx.message.get("type") == "image":
        sent, at = ctx.sent_at, at_of(loc)
        if sent < at:
            return [messages.ask_photo(t.PHOTO_OLDER, [t.CANCEL])]
        minutes = float(get_setting(ctx.session, "riskpoints.photo_window_minutes"))
        if sent - at > timedelta(minutes=minutes):
            conversation.finish(ctx, flow)
            return [messages.text(t.PHOTO_TOO_LATE.format(minutes=f"{minutes:g}"), [f"{t.CHECKIN} {point.code}"])]
        media = media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
        return _record(ctx, flow, point, loc, media, sent)
    if ctx.text == t.NO_PHOTO and not flow.data.get("photo_required"):
        return _record(ctx, flow, point, loc, None, None)
    if flow.data.get("photo_required"):
        return [messages.ask_photo(t.PHOTO_NEEDED, [t.CANCEL])]
    return [messages.ask_photo(t.ASK_PHOTO_OPTIONAL.format(code=point.code, name=point.name), [t.NO_PHOTO, t.CANCEL])]


def _record(ctx: Context, flow: Conversation, point: RiskPoint, loc: dict, media, photo_at) -> list[Message]:
    session = ctx.session
    at = at_of(loc)
    if location_used(session, loc["mid"], loc["lat"], loc["lng"], at):
        conversation.finish(ctx, flow)
        return [messages.text(t.LOCATION_REUSED, [t.CHECKIN])]
    check, repeat = record_check(
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
    done = min(rounds_done(session, point.id, check.patrol_day), point.required_patrols)
    body = t.CHECKED.format(
        code=point.code,
        name=point.name,
        round=round_label(session, check.round_no),
        done=done,
        required=point.required_patrols,
        extra=t.CHECKED_AGAIN_ROUND if repeat else "",
    )
    to_verify = [order.id for order in orders_to_verify(session, point)]
    conversation.advance(flow, "verify", check_id=check.id, point_id=point.id, verify=to_verify)
    return [messages.text(body), *_next_question(ctx, flow)]


def _next_question(ctx: Context, flow: Conversation) -> list[Message]:
    """Ask about the next finished work order to confirm, else about conditions."""
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
    if ctx.text not in (t.VERIFY_OK, t.VERIFY_BAD):
        return _next_question(ctx, flow)
    queue = list(flow.data.get("verify") or [])
    order = ctx.session.get(WorkOrder, queue.pop(0))
    conversation.advance(flow, "verify", verify=queue)
    ok = ctx.text == t.VERIFY_OK
    verify_order(ctx.session, order, ok, ctx.sent_at, ctx.actor_name, ctx.notify)
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
    return [messages.ask_photo(t.ASK_CONDITION_DETAIL.format(kind=t.CONDITIONS[kind]), [t.DONE])]


def _take_condition_detail(ctx: Context, flow: Conversation) -> list[Message]:
    if ctx.message.get("type") == "image":
        media = media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
        photos = [*flow.data.get("photos", []), [media.id, ctx.event.get("timestamp")]]
        conversation.advance(flow, "condition", photos=photos)
        return [messages.ask_photo(t.CONDITION_PHOTO.format(count=len(photos)), [t.DONE])]
    if ctx.text and ctx.text != t.DONE:
        note = "\n".join(filter(None, [flow.data.get("note"), ctx.text[:500]]))
        conversation.advance(flow, "condition", note=note)
        return [messages.text(t.CONDITION_NOTED, [t.DONE])]
    if ctx.text != t.DONE:
        return [messages.ask_photo(t.ASK_CONDITION_DETAIL.format(kind=t.CONDITIONS[flow.data["kind"]]), [t.DONE])]
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    cameras = [c for c in point.cameras if c.retired_on is None]
    if flow.data["kind"] == "cctv" and cameras:
        if not flow.data.get("photos"):
            return [messages.ask_photo(t.ASK_BROKEN_PHOTO.format(camera=""), [t.DONE])]
        if len(cameras) == 1:
            return _broken_camera(ctx, flow, cameras[0])
        conversation.advance(flow, "condition_camera")
        body = t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(cameras))
        return camera_question(point, cameras, body, [t.CANCEL])
    return _open(ctx, flow, point)


def _photos(flow: Conversation) -> list[tuple[int, datetime]]:
    return [(media_id, from_line_ms(ms)) for media_id, ms in flow.data.get("photos") or []]


def _open(ctx: Context, flow: Conversation, point: RiskPoint) -> list[Message]:
    check = ctx.session.get(PatrolCheck, flow.data["check_id"])
    kind = flow.data["kind"]
    defect = open_defect(
        ctx.session,
        point,
        kind,
        ctx.sent_at,
        ctx.notify,
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
        told = t.DEFECT_OPENED if order_delivered(ctx.session, order) else t.DEFECT_UNIT_NO_GROUP
        body = told.format(kind=label, ref=order.ref, unit=order.unit.name)
    else:
        body = t.DEFECT_NO_UNIT.format(kind=label, ref=order.ref if order else "-")
    return [_conditions_question(body)]


def _take_condition_camera(ctx: Context, flow: Conversation) -> list[Message]:
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    camera = next((c for c in point.cameras if c.code == (ctx.text or "").strip() and c.retired_on is None), None)
    if camera is None:
        cameras = [c for c in point.cameras if c.retired_on is None]
        body = t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(cameras))
        return camera_question(point, cameras, body, [t.CANCEL])
    return _broken_camera(ctx, flow, camera)


def _broken_camera(ctx: Context, flow: Conversation, camera: RiskCamera) -> list[Message]:
    photos = _photos(flow)
    media = ctx.session.get(MediaFile, photos[0][0]) if photos else None
    _, defect, _, _ = record_camera_check(
        ctx.session,
        camera,
        CameraStatus.BROKEN,
        ctx.sent_at,
        ctx.notify,
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
    unit_group = unit_chat(ctx.session, miss.point.patrol_unit)
    if unit_group is None or unit_group != ctx.chat_id:
        return []
    reason = (data.get("reason") or [None])[0]
    if reason not in t.MISS_REASONS:
        return miss_reasons(miss, round_label(ctx.session, miss.round_no))
    miss.reason, miss.reason_by, miss.reason_at = reason, ctx.user_id, ctx.sent_at
    return [messages.text(t.MISS_RECORDED.format(code=miss.point.code, reason=t.MISS_REASONS[reason]))]


LOCATING = Locating(flow=FLOW, command=t.CHECKIN, ask=t.ASK_LOCATION, too_far=t.OUTSIDE_ALL, on_point=_point_chosen)


def register(registry: Registry) -> None:
    """Add the check-in command, flow and missed-round buttons."""
    registry.command(t.CHECKIN, chat_types={"user"}, interrupts=True)(partial(LOCATING.start, registry=registry))
    registry.flow(
        FLOW,
        steps={
            "location": LOCATING.take_location,
            "pick": LOCATING.take_pick,
            "photo": _take_photo,
            "verify": _take_verdict,
            "conditions": _take_condition,
            "condition": _take_condition_detail,
            "condition_camera": _take_condition_camera,
        },
    )
    registry.postback(MISS_ACTION)(on_miss_postback)
