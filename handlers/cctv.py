"""Daily CCTV checks on site: location at a point with cameras ► camera ► working, or broken with a photo.

A broken camera opens a defect, issues a numbered coordination letter and tells the secretariat; a later
check that finds it working closes the defect (services.riskpoints.cameras.record_camera_check).
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from linebot.v3.messaging import Message

from handlers import conversation
from handlers.context import Context
from handlers.locating import Locating, at_of
from handlers.registry import Registry
from line import messages
from line.riskpoint_cards import camera_question
from models import CameraStatus, Conversation, RiskCamera, RiskPoint
from models.settings import get_setting
from models.timeutil import to_bangkok
from reports.documents.numbers import doc_number
from services.riskpoints.cameras import camera_checked_today, record_camera_check
from services.riskpoints.letters import letter_for
from services.riskpoints.photos import media_for
from texts import riskpoints as t

FLOW = "rp_cctv"


def _cameras(point: RiskPoint) -> list[RiskCamera]:
    return [c for c in point.cameras if c.retired_on is None]


def _progress(ctx: Context, point: RiskPoint) -> tuple[int, int, list[RiskCamera]]:
    """Cameras of the point checked today, how many there are, and those still unchecked."""
    day = to_bangkok(ctx.sent_at).date()
    cameras = _cameras(point)
    left = [c for c in cameras if not camera_checked_today(ctx.session, c.id, day)]
    return len(cameras) - len(left), len(cameras), left


def _point_chosen(ctx: Context, flow: Conversation, point: RiskPoint, loc: dict) -> list[Message]:
    conversation.advance(flow, "camera", loc=loc, point_id=point.id)
    cameras = _cameras(point)
    if len(cameras) == 1:
        return _camera_chosen(ctx, flow, point, cameras[0])
    _, _, left = _progress(ctx, point)
    order = left + [c for c in cameras if c not in left]
    body = t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(cameras))
    return camera_question(point, order, body, [t.CANCEL])


def _take_camera(ctx: Context, flow: Conversation) -> list[Message]:
    point = ctx.session.get(RiskPoint, flow.data["point_id"])
    if ctx.text == t.DONE:
        conversation.finish(ctx, flow)
        return [messages.text(t.CHECK_FINISHED)]
    camera = next((c for c in _cameras(point) if c.code == (ctx.text or "").strip()), None)
    if camera is None:
        cameras = _cameras(point)
        body = t.PICK_CAMERA.format(code=point.code, name=point.name, count=len(cameras))
        return camera_question(point, cameras, body, [t.CANCEL])
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
        return [messages.ask_photo(t.ASK_BROKEN_PHOTO.format(camera=camera.code), [t.CANCEL])]
    body = t.ASK_CAMERA_STATUS.format(camera=camera.code, code=camera.point.code)
    return [messages.text(body, [t.CAMERA_WORKING, t.CAMERA_BROKEN, t.CANCEL])]


def _take_photo(ctx: Context, flow: Conversation) -> list[Message]:
    camera = ctx.session.get(RiskCamera, flow.data["camera_id"])
    if ctx.message.get("type") != "image":
        return [messages.ask_photo(t.ASK_BROKEN_PHOTO.format(camera=camera.code), [t.CANCEL])]
    started = at_of(flow.data["loc"])
    if ctx.sent_at < started:
        return [messages.ask_photo(t.PHOTO_OLDER, [t.CANCEL])]
    minutes = float(get_setting(ctx.session, "riskpoints.photo_window_minutes"))
    if ctx.sent_at - started > timedelta(minutes=minutes):
        conversation.finish(ctx, flow)
        return [messages.text(t.PHOTO_TOO_LATE.format(minutes=f"{minutes:g}"), [f"{t.CAMERA} {camera.point.code}"])]
    media = media_for(ctx.session, str(ctx.message["id"]), "image", ctx.now)
    return _record(ctx, flow, camera, CameraStatus.BROKEN, media)


def _record(ctx: Context, flow: Conversation, camera: RiskCamera, status: CameraStatus, media) -> list[Message]:
    session = ctx.session
    _, defect, letter, closed = record_camera_check(
        session, camera, status, ctx.sent_at, ctx.notify, method="on_site", member=ctx.sender, photo=media
    )
    point = camera.point
    done, total, left = _progress(ctx, point)
    label = t.CAMERA_WORKING if status == CameraStatus.WORKING else t.CAMERA_BROKEN
    body = t.CAMERA_RECORDED.format(camera=camera.code, status=label, code=point.code, done=done, total=total)
    if closed:
        body += t.CAMERA_CLOSED_DEFECT
    if letter is not None:
        body += t.CAMERA_LETTER.format(agency=letter.agency, doc=doc_number(session, letter))
    elif defect is not None:
        existing = letter_for(session, defect.id)
        body += t.CAMERA_ALREADY_OPEN.format(doc=doc_number(session, existing) if existing else "-")
    if left:
        conversation.advance(flow, "camera", camera_id=None)
        return [messages.text(body, [*(c.code for c in left[:12]), t.DONE])]
    conversation.finish(ctx, flow)
    return [messages.text(body)]


LOCATING = Locating(
    flow=FLOW,
    command=t.CAMERA,
    ask=t.ASK_CAMERA_LOCATION,
    too_far=t.NO_CAMERAS_HERE,
    on_point=_point_chosen,
    with_cameras=True,
)


def register(registry: Registry) -> None:
    """Add the camera-check command and flow."""
    registry.command(t.CAMERA, chat_types={"user"}, interrupts=True)(partial(LOCATING.start, registry=registry))
    registry.flow(
        FLOW,
        steps={
            "location": LOCATING.take_location,
            "pick": LOCATING.take_pick,
            "camera": _take_camera,
            "status": _take_status,
            "photo": _take_photo,
        },
    )
