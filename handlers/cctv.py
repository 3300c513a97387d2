"""Daily CCTV checks on site: location at a point with cameras ► camera ► working, or broken with a photo.

A broken camera opens a defect, issues a numbered coordination letter and tells the secretariat; a later
check that finds it working closes the defect (services.riskpoints.ops.record_camera_check).
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from linebot.v3.messaging import Message

from handlers import conversation
from handlers.context import Context
from handlers.patrol import ask_location, at_of, leave_other_flow, location_of, target_of
from handlers.registry import Registry, interrupts_flows
from line import messages
from models import CameraStatus, Conversation, RiskCamera, RiskPoint
from models.settings import get_setting
from models.timeutil import to_bangkok
from services.riskpoints import ops
from texts import riskpoints as t

FLOW = "rp_cctv"


def start(ctx: Context, registry: Registry | None = None) -> list[Message]:
    """'ตรวจกล้อง' or 'ตรวจกล้อง RP-0012': ask for the officer's location at the point."""
    point, code = target_of(ctx, t.CAMERA)
    if code and point is None:
        return [messages.text(t.UNKNOWN_POINT.format(code=code.upper()))]
    leave_other_flow(ctx, registry, FLOW)
    conversation.start(ctx, FLOW, "location", {"target": point.id if point else None})
    target = f" {point.code} {point.name}" if point else ""
    return [ask_location(t.ASK_CAMERA_LOCATION.format(target=target, button=t.SEND_LOCATION))]


def on_step(ctx: Context) -> list[Message]:
    """Take the answer to the current step of a camera check."""
    flow = conversation.current(ctx)
    if flow.step == "location":
        return _take_location(ctx, flow)
    if flow.step == "pick":
        return _take_pick(ctx, flow)
    if flow.step == "camera":
        return _take_camera(ctx, flow)
    if flow.step == "status":
        return _take_status(ctx, flow)
    if flow.step == "photo":
        return _take_photo(ctx, flow)
    conversation.finish(ctx, flow)
    return []


def _cameras(point: RiskPoint) -> list[RiskCamera]:
    return [c for c in point.cameras if c.retired_on is None]


def _take_location(ctx: Context, flow: Conversation) -> list[Message]:
    loc = location_of(ctx)
    if loc is None:
        return [ask_location(t.ASK_LOCATION_AGAIN.format(button=t.SEND_LOCATION))]
    session = ctx.session
    common = {"member": ctx.sender, "at": at_of(loc), "lat": loc["lat"], "lng": loc["lng"], "message_id": loc["mid"]}
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
            return [messages.text(body, [f"{t.CAMERA} {target.code}"])]
        inside = [target] if _cameras(target) else []
    else:
        found = ops.nearby(session, loc["lat"], loc["lng"], with_cameras=True)
        inside = [p for p, _ in ops.in_range(session, found)]
        if not inside:
            conversation.finish(ctx, flow)
            if not found:
                return [messages.text(t.NO_POINTS)]
            point, distance = found[0]
            ops.record_attempt(session, point=point, reason="outside", distance=distance, **common)
            return [messages.text(t.NO_CAMERAS_HERE.format(code=point.code, distance=ops.show_distance(distance)))]
    if not inside:
        conversation.finish(ctx, flow)
        return [messages.text(t.NO_CAMERAS_HERE.format(code=target.code, distance="0 ม."))]
    if len(inside) == 1:
        return _point_chosen(ctx, flow, inside[0], loc)
    conversation.advance(flow, "pick", loc=loc, candidates=[p.id for p in inside])
    labels = [p.code for p in inside[: messages.MAX_QUICK_REPLY_ITEMS]]
    return [messages.text(t.PICK_POINT.format(count=len(inside)), labels)]


def _take_pick(ctx: Context, flow: Conversation) -> list[Message]:
    points = [ctx.session.get(RiskPoint, pid) for pid in flow.data["candidates"]]
    chosen = next((p for p in points if p and p.code == (ctx.text or "").strip().upper()), None)
    if chosen is None:
        return [messages.text(t.PICK_AGAIN, [p.code for p in points if p])]
    return _point_chosen(ctx, flow, chosen, flow.data["loc"])


def _progress(ctx: Context, point: RiskPoint) -> tuple[int, int, list[RiskCamera]]:
    """Cameras of the point checked today, how many there are, and those still unchecked."""
    day = to_bangkok(ctx.sent_at).date()
    cameras = _cameras(point)
    left = [c for c in cameras if not ops.camera_checked_today(ctx.session, c.id, day)]
    return len(cameras) - len(left), len(cameras), left


def _point_chosen(ctx: Context, flow: Conversation, point: RiskPoint, loc: dict) -> list[Message]:
    conversation.advance(flow, "camera", loc=loc, point_id=point.id)
    cameras = _cameras(point)
    if len(cameras) == 1:
        return _camera_chosen(ctx, flow, point, cameras[0])
    _, _, left = _progress(ctx, point)
    order = left + [c for c in cameras if c not in left]
    labels = [c.code for c in order[: messages.MAX_QUICK_REPLY_ITEMS]]
    return [messages.text(t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(cameras)), labels)]


def _take_camera(ctx: Context, flow: Conversation) -> list[Message]:
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    if ctx.text == t.DONE:
        conversation.finish(ctx, flow)
        return [messages.text(t.CHECK_FINISHED)]
    camera = next((c for c in _cameras(point) if c.code == (ctx.text or "").strip()), None)
    if camera is None:
        labels = [c.code for c in _cameras(point)][: messages.MAX_QUICK_REPLY_ITEMS]
        return [messages.text(t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(labels)), labels)]
    return _camera_chosen(ctx, flow, point, camera)


def _camera_chosen(ctx: Context, flow: Conversation, point: RiskPoint, camera: RiskCamera) -> list[Message]:
    conversation.advance(flow, "status", camera_id=camera.id)
    body = t.ASK_CAMERA_STATUS.format(camera=camera.code, code=point.code)
    return [messages.text(body, [t.CAMERA_WORKING, t.CAMERA_BROKEN, t.CANCEL])]


def _take_status(ctx: Context, flow: Conversation) -> list[Message]:
    camera = ctx.session.get(RiskCamera, flow.data["camera_id"])
    if ctx.text == t.CAMERA_WORKING:
        return _record(ctx, flow, camera, CameraStatus.WORKING, None)
    if ctx.text == t.CAMERA_BROKEN:
        conversation.advance(flow, "photo")
        return [messages.text(t.ASK_BROKEN_PHOTO.format(camera=camera.code), [t.CANCEL])]
    body = t.ASK_CAMERA_STATUS.format(camera=camera.code, code=camera.point.code)
    return [messages.text(body, [t.CAMERA_WORKING, t.CAMERA_BROKEN, t.CANCEL])]


def _take_photo(ctx: Context, flow: Conversation) -> list[Message]:
    camera = ctx.session.get(RiskCamera, flow.data["camera_id"])
    if ctx.message.get("type") != "image":
        return [messages.text(t.ASK_BROKEN_PHOTO.format(camera=camera.code), [t.CANCEL])]
    started = at_of(flow.data["loc"])
    if ctx.sent_at < started:
        return [messages.text(t.PHOTO_OLDER, [t.CANCEL])]
    minutes = float(get_setting(ctx.session, "riskpoints.photo_window_minutes"))
    if ctx.sent_at - started > timedelta(minutes=minutes):
        conversation.finish(ctx, flow)
        return [messages.text(t.PHOTO_TOO_LATE.format(minutes=f"{minutes:g}"), [f"{t.CAMERA} {camera.point.code}"])]
    media = ops.media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
    return _record(ctx, flow, camera, CameraStatus.BROKEN, media)


def _record(ctx: Context, flow: Conversation, camera: RiskCamera, status: CameraStatus, media) -> list[Message]:
    session = ctx.session
    _, defect, letter, closed = ops.record_camera_check(
        session, camera, status, ctx.sent_at, ctx.push_to, method="on_site", member=ctx.sender, photo=media
    )
    point = camera.point
    done, total, left = _progress(ctx, point)
    label = t.CAMERA_WORKING if status == CameraStatus.WORKING else t.CAMERA_BROKEN
    body = t.CAMERA_RECORDED.format(camera=camera.code, status=label, code=point.code, done=done, total=total)
    if closed:
        body += t.CAMERA_CLOSED_DEFECT
    if letter is not None:
        body += t.CAMERA_LETTER.format(agency=letter.agency, doc=ops.doc_number(session, letter))
    elif defect is not None:
        existing = ops.letter_for(session, defect.id)
        body += t.CAMERA_ALREADY_OPEN.format(doc=ops.doc_number(session, existing) if existing else "-")
    if left:
        conversation.advance(flow, "camera", camera_id=None)
        return [messages.text(body, [*(c.code for c in left[:12]), t.DONE])]
    conversation.finish(ctx, flow)
    return [messages.text(body)]


def register(registry: Registry) -> None:
    """Add the camera-check command and flow."""
    registry.command(t.CAMERA, chat_types={"user"})(interrupts_flows(partial(start, registry=registry)))
    registry.flow(FLOW)(on_step)
