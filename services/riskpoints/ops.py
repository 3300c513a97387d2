"""Risk-point domain operations shared by the LINE handlers, the admin web, the API and the CLI.

Every function takes the caller's session and never commits. Messages for other chats go through a
``notify(recipient, messages)`` callback: the handlers pass ``ctx.push_to``, the web passes the outbox.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from line import riskpoint_cards as cards
from models import (
    CameraCheck,
    CameraStatus,
    Chat,
    CheckAttempt,
    CoordinationLetter,
    Defect,
    DefectStatus,
    MediaFile,
    Member,
    OrderEvent,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPhoto,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    UnitKind,
    WorkOrder,
)
from models.counters import next_number
from models.settings import get_setting
from models.timeutil import be_year, fiscal_year, to_bangkok
from reports import riskpoint_rounds as rounds
from texts import riskpoints as t

Notify = Callable[[str, list[Any]], None]
EARTH_RADIUS_M = 6_371_000.0
OPEN_ORDER_STATUSES = (OrderStatus.NEW, OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS, OrderStatus.REOPENED)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def show_distance(metres: float) -> str:
    """A distance as people say it: '85 ม.' or '1.2 กม.'."""
    return f"{metres:,.0f} ม." if metres < 1000 else f"{metres / 1000:,.1f} กม."


def radius_of(session: Session, point: RiskPoint) -> float:
    """The point's geofence radius in metres (its own, else the setting)."""
    return float(point.radius_m or get_setting(session, "riskpoints.radius_m"))


def photo_required(session: Session, point: RiskPoint) -> bool:
    """Whether a check at this point needs a photo (its own choice, else the setting)."""
    if point.photo_required is not None:
        return point.photo_required
    return bool(get_setting(session, "riskpoints.photo_required"))


def active_on(day: date) -> list:
    """SQL conditions: points patrolled on a day."""
    return [RiskPoint.active_from <= day, (RiskPoint.retired_on.is_(None)) | (RiskPoint.retired_on > day)]


def point_by_code(session: Session, code: str) -> RiskPoint | None:
    """An active point by its code, case-insensitive (e.g. 'rp-0012')."""
    return session.scalar(
        select(RiskPoint).where(RiskPoint.code == code.strip().upper(), RiskPoint.retired_on.is_(None))
    )


def nearby(session: Session, lat: float, lng: float, *, with_cameras: bool = False) -> list[tuple[RiskPoint, float]]:
    """Active points sorted by distance, within a box wide enough for the largest geofence (plus a margin)."""
    widest = session.scalar(select(func.max(RiskPoint.radius_m))) or 0
    reach = max(float(widest), float(get_setting(session, "riskpoints.radius_m"))) + 5000
    dlat = reach / 111_320
    dlng = reach / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    query = select(RiskPoint).where(
        RiskPoint.retired_on.is_(None),
        RiskPoint.latitude.between(lat - dlat, lat + dlat),
        RiskPoint.longitude.between(lng - dlng, lng + dlng),
    )
    if with_cameras:
        query = query.where(RiskPoint.cameras.any(RiskCamera.retired_on.is_(None)))
    found = [(p, distance_m(lat, lng, p.latitude, p.longitude)) for p in session.scalars(query)]
    return sorted(found, key=lambda pair: pair[1])


def in_range(session: Session, found: list[tuple[RiskPoint, float]]) -> list[tuple[RiskPoint, float]]:
    """The points whose geofence holds the location."""
    return [(p, d) for p, d in found if d <= radius_of(session, p)]


def nearest_anywhere(session: Session, lat: float, lng: float) -> tuple[RiskPoint, float] | None:
    """The nearest active point however far (for the refusal message)."""
    points = session.scalars(select(RiskPoint).where(RiskPoint.retired_on.is_(None))).all()
    pairs = [(p, distance_m(lat, lng, p.latitude, p.longitude)) for p in points]
    return min(pairs, key=lambda pair: pair[1]) if pairs else None


def location_used(session: Session, message_id: str | None, lat: float, lng: float, at: datetime) -> bool:
    """Whether a location was already used: the same LINE message, or identical coordinates and time."""
    if message_id and session.scalar(select(PatrolCheck.id).where(PatrolCheck.location_message_id == message_id)):
        return True
    same = select(PatrolCheck.id).where(
        PatrolCheck.latitude == lat, PatrolCheck.longitude == lng, PatrolCheck.checked_at == at
    )
    return session.scalar(same.limit(1)) is not None


def record_attempt(
    session: Session,
    *,
    point: RiskPoint | None,
    member: Member | None,
    at: datetime,
    reason: str,
    lat: float | None,
    lng: float | None,
    distance: float | None,
    message_id: str | None,
) -> CheckAttempt:
    """Keep a refused check-in as evidence."""
    attempt = CheckAttempt(
        point_id=point.id if point else None,
        member_id=member.id if member else None,
        attempted_at=at,
        reason=reason,
        latitude=lat,
        longitude=lng,
        distance_m=distance,
        location_message_id=message_id,
    )
    session.add(attempt)
    return attempt


def round_of(session: Session, point: RiskPoint, at: datetime) -> tuple[date, int]:
    """The patrol day and round number a check at this moment counts for."""
    if get_setting(session, "riskpoints.round_rule") == "gap":
        day = to_bangkok(at).date()
        earlier = session.execute(
            select(PatrolCheck.checked_at, PatrolCheck.round_no).where(
                PatrolCheck.point_id == point.id, PatrolCheck.patrol_day == day, PatrolCheck.checked_at <= at
            )
        ).all()
        return rounds.gap_round(
            at, [(m, r) for m, r in earlier], float(get_setting(session, "riskpoints.round_gap_hours"))
        )
    return rounds.locate(at, get_setting(session, "riskpoints.rounds"))


def round_label(session: Session, round_no: int) -> str:
    """The Thai name of a round, e.g. 'รอบกลางวัน 06:00–18:00 น.'."""
    if round_no == 0:
        return t.CHECKED_OUTSIDE_ROUND
    if get_setting(session, "riskpoints.round_rule") == "gap":
        return f"รอบที่ {round_no}"
    window = next((w for w in rounds.windows(get_setting(session, "riskpoints.rounds")) if w.number == round_no), None)
    return window.label() if window else f"รอบที่ {round_no}"


def rounds_done(session: Session, point_id: int, day: date) -> int:
    """How many different rounds of a patrol day a point was visited in."""
    query = select(func.count(func.distinct(PatrolCheck.round_no))).where(
        PatrolCheck.point_id == point_id, PatrolCheck.patrol_day == day, PatrolCheck.round_no > 0
    )
    return session.scalar(query) or 0


def record_check(
    session: Session,
    point: RiskPoint,
    *,
    member: Member | None,
    at: datetime,
    lat: float | None,
    lng: float | None,
    message_id: str | None,
    photo: MediaFile | None = None,
    photo_at: datetime | None = None,
    source: str = "line",
) -> tuple[PatrolCheck, bool]:
    """Record a patrol visit in its round; also say whether that round already had a visit."""
    day, number = round_of(session, point, at)
    repeat = number > 0 and session.scalar(
        select(PatrolCheck.id).where(
            PatrolCheck.point_id == point.id, PatrolCheck.patrol_day == day, PatrolCheck.round_no == number
        )
    )
    check = PatrolCheck(
        point_id=point.id,
        member_id=member.id if member else None,
        checked_at=at,
        patrol_day=day,
        round_no=number,
        latitude=lat,
        longitude=lng,
        distance_m=distance_m(lat, lng, point.latitude, point.longitude)
        if lat is not None and lng is not None
        else None,
        location_message_id=message_id,
        photo_media_id=photo.id if photo else None,
        photo_sent_at=photo_at,
        source=source,
    )
    session.add(check)
    session.flush()
    return check, bool(repeat)


def media_for(session: Session, message_id: str, kind: str, at: datetime) -> MediaFile:
    """A pending download of a LINE message's content (the worker fetches it after the commit)."""
    existing = session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id))
    if existing is not None:
        return existing
    media = MediaFile(line_message_id=message_id, kind=kind, next_attempt_at=at)
    session.add(media)
    session.flush()
    return media


# --- units -----------------------------------------------------------------------------------------


def unit_chat(session: Session, unit: RiskUnit | None) -> str | None:
    """The LINE group id of a unit, if it is bound to a registered group the bot is still in."""
    if unit is None or unit.chat_id is None or not unit.is_active:
        return None
    chat = session.get(Chat, unit.chat_id)
    return chat.line_chat_id if chat is not None and chat.is_member else None


def unit_for_chat(session: Session, line_chat_id: str | None) -> RiskUnit | None:
    """The active unit bound to a LINE group."""
    if not line_chat_id:
        return None
    return session.scalar(
        select(RiskUnit)
        .join(Chat, Chat.id == RiskUnit.chat_id)
        .where(Chat.line_chat_id == line_chat_id, RiskUnit.is_active)
    )


def secretariat_chats(session: Session) -> list[str]:
    """The LINE groups of the active secretariat units."""
    units = session.scalars(select(RiskUnit).where(RiskUnit.kind == UnitKind.SECRETARIAT, RiskUnit.is_active))
    return [chat for unit in units if (chat := unit_chat(session, unit))]


def department_for(session: Session, kind: str) -> RiskUnit | None:
    """The unit responsible for a kind of defect (setting riskpoints.defect_departments)."""
    code = (get_setting(session, "riskpoints.defect_departments") or {}).get(kind)
    if not code:
        return None
    return session.scalar(select(RiskUnit).where(RiskUnit.code == code, RiskUnit.is_active))


# --- defects and work orders --------------------------------------------------------------------------


def add_photos(session: Session, media: list[tuple[int, datetime]], *, role: str, defect=None, order=None) -> None:
    """Attach photos (media id, sent at) to a defect or a work order."""
    for media_id, sent_at in media:
        session.add(
            RiskPhoto(
                media_id=media_id,
                defect_id=defect.id if defect else None,
                order_id=order.id if order else None,
                role=role,
                sent_at=sent_at,
            )
        )


def open_defect(
    session: Session,
    point: RiskPoint,
    kind: str,
    at: datetime,
    notify: Notify,
    *,
    member: Member | None = None,
    note: str | None = None,
    check: PatrolCheck | None = None,
    camera: RiskCamera | None = None,
    camera_check: CameraCheck | None = None,
    photos: list[tuple[int, datetime]] = (),
) -> Defect:
    """Open a defect at a point and its work order for the responsible department (told in its group)."""
    defect = Defect(
        point_id=point.id,
        kind=kind,
        camera_id=camera.id if camera else None,
        note=(note or None) and note[:2000],
        opened_at=at,
        reported_by=member.id if member else None,
        patrol_check_id=check.id if check else None,
        camera_check_id=camera_check.id if camera_check else None,
    )
    session.add(defect)
    session.flush()
    add_photos(session, list(photos), role="before", defect=defect)
    create_order(session, defect, at, notify)
    return defect


def create_order(session: Session, defect: Defect, at: datetime, notify: Notify) -> WorkOrder:
    """A work order for a defect, numbered WO-<BE year>-<n>, sent to the department's group."""
    year = be_year(to_bangkok(at).date())
    unit = department_for(session, defect.kind)
    order = WorkOrder(
        ref=f"WO-{year}-{next_number(session, 'WO', year):04d}",
        defect_id=defect.id,
        unit_id=unit.id if unit else None,
        created_at=at,
    )
    session.add(order)
    session.flush()
    session.add(OrderEvent(order_id=order.id, at=at, status=OrderStatus.NEW.value, actor=None))
    session.flush()
    session.refresh(order)
    send_order(session, order, notify)
    return order


def send_order(session: Session, order: WorkOrder, notify: Notify) -> bool:
    """Send a work order's card with its buttons to its department's group; False if it has none."""
    chat = unit_chat(session, order.unit)
    if chat is None:
        return False
    notify(chat, cards.order_card(order))
    return True


def move_order(
    session: Session, order: WorkOrder, status: OrderStatus, at: datetime, *, actor: str | None, note: str | None = None
) -> None:
    """Change a work order's status and add the step to its timeline."""
    order.status = status
    if status == OrderStatus.ACCEPTED and order.accepted_at is None:
        order.accepted_at = at
    if status == OrderStatus.DONE:
        order.done_at = at
    if status == OrderStatus.CLOSED:
        order.closed_at = at
    session.add(OrderEvent(order_id=order.id, at=at, status=status.value, actor=actor, note=note))


def close_defect(
    session: Session, defect: Defect, at: datetime, *, actor: str | None, check: CameraCheck | None = None
):
    """Close a defect and its work order."""
    defect.status = DefectStatus.CLOSED
    defect.closed_at = at
    if check is not None:
        defect.closed_by_check_id = check.id
    if defect.order is not None and defect.order.status != OrderStatus.CLOSED:
        move_order(session, defect.order, OrderStatus.CLOSED, at, actor=actor)


def orders_to_verify(session: Session, point: RiskPoint) -> list[WorkOrder]:
    """Work orders at a point that their department marked done, awaiting a patrol's word (not CCTV)."""
    return list(
        session.scalars(
            select(WorkOrder)
            .join(Defect, Defect.id == WorkOrder.defect_id)
            .where(Defect.point_id == point.id, WorkOrder.status == OrderStatus.DONE, Defect.kind != "cctv")
            .order_by(WorkOrder.done_at)
        )
    )


def verify_order(session: Session, order: WorkOrder, ok: bool, at: datetime, actor: str | None, notify: Notify) -> None:
    """A patrol at the point confirms a finished order (closing its defect) or sends it back."""
    if ok:
        close_defect(session, order.defect, at, actor=actor)
        return
    order.reopened_count += 1
    move_order(session, order, OrderStatus.REOPENED, at, actor=actor, note="สายตรวจตรวจแล้วยังไม่เรียบร้อย")
    session.flush()
    send_order(session, order, notify)


# --- camera checks and letters ------------------------------------------------------------------------


def camera_checked_today(session: Session, camera_id: int, day: date) -> bool:
    """Whether a camera has had its daily check on a Bangkok day."""
    query = select(CameraCheck.id).where(CameraCheck.camera_id == camera_id, CameraCheck.check_day == day)
    return session.scalar(query.limit(1)) is not None


def open_camera_defect(session: Session, camera: RiskCamera) -> Defect | None:
    """The open CCTV defect of a camera, if any."""
    return session.scalar(
        select(Defect)
        .where(Defect.camera_id == camera.id, Defect.kind == "cctv", Defect.status == DefectStatus.OPEN)
        .order_by(Defect.opened_at)
        .limit(1)
    )


def record_camera_check(
    session: Session,
    camera: RiskCamera,
    status: CameraStatus,
    at: datetime,
    notify: Notify,
    *,
    method: str,
    member: Member | None = None,
    staff: str | None = None,
    photo: MediaFile | None = None,
    note: str | None = None,
) -> tuple[CameraCheck, Defect | None, CoordinationLetter | None, list[Defect]]:
    """Record a daily camera check: broken opens a defect with a letter, working closes earlier defects.

    Returns the check, the defect it opened or found open, the letter it issued, and the defects it closed.
    """
    check = CameraCheck(
        camera_id=camera.id,
        point_id=camera.point_id,
        checked_at=at,
        check_day=to_bangkok(at).date(),
        status=status,
        method=method,
        member_id=member.id if member else None,
        staff_username=staff,
        photo_media_id=photo.id if photo else None,
        note=note,
    )
    session.add(check)
    session.flush()
    if status == CameraStatus.WORKING:
        closed = [
            defect
            for defect in session.scalars(
                select(Defect).where(
                    Defect.camera_id == camera.id,
                    Defect.kind == "cctv",
                    Defect.status == DefectStatus.OPEN,
                    Defect.opened_at < at,
                )
            )
        ]
        for defect in closed:
            close_defect(session, defect, at, actor=t.BY_CENTRE if method == "centre" else t.BY_ON_SITE, check=check)
        return check, None, None, closed
    defect = open_camera_defect(session, camera)
    if defect is not None:
        return check, defect, None, []
    photos = [(photo.id, at)] if photo else []
    defect = open_defect(
        session,
        camera.point,
        "cctv",
        at,
        notify,
        member=member,
        note=note,
        camera=camera,
        camera_check=check,
        photos=photos,
    )
    letter = issue_letter(session, defect, camera, at, photo)
    for chat in secretariat_chats(session):
        notify(chat, cards.secretariat_letter(session, letter, method))
    return check, defect, letter, []


def issue_letter(
    session: Session, defect: Defect, camera: RiskCamera, at: datetime, photo: MediaFile | None
) -> CoordinationLetter:
    """Take the fiscal year's next letter number for a broken camera (the DOCX is rendered on demand)."""
    year = fiscal_year(to_bangkok(at).date())
    letter = CoordinationLetter(
        fiscal_year=year,
        number=next_number(session, "RP-LETTER", year),
        defect_id=defect.id,
        camera_id=camera.id,
        agency=camera.owner_agency,
        issued_at=at,
        found_at=at,
        photo_media_id=photo.id if photo else None,
    )
    session.add(letter)
    session.flush()
    return letter


def letter_for(session: Session, defect_id: int) -> CoordinationLetter | None:
    """The letter issued for a defect."""
    return session.scalar(select(CoordinationLetter).where(CoordinationLetter.defect_id == defect_id))


def doc_number(session: Session, letter: CoordinationLetter) -> str:
    """The letter's document number: the office's prefix and the fiscal year's running number, e.g. 'กท 5301/12'."""
    return f"{get_setting(session, 'riskpoints.letter_prefix')}/{letter.number}"


# --- rounds that ended ------------------------------------------------------------------------------


def unvisited(session: Session, day: date, round_no: int) -> list[RiskPoint]:
    """Active points that still need a visit in a round of a patrol day.

    A point needing fewer patrols than there are rounds misses a round only when the rounds left
    can no longer make up its requirement.
    """
    windows = rounds.windows(get_setting(session, "riskpoints.rounds"))
    left = sum(1 for w in windows if w.number > round_no)
    points = session.scalars(select(RiskPoint).where(*active_on(day)).order_by(RiskPoint.code)).all()
    missing = []
    for point in points:
        visited_this = session.scalar(
            select(PatrolCheck.id).where(
                PatrolCheck.point_id == point.id, PatrolCheck.patrol_day == day, PatrolCheck.round_no == round_no
            )
        )
        if visited_this:
            continue
        if rounds_done(session, point.id, day) + left < point.required_patrols:
            missing.append(point)
    return missing


def close_round(session: Session, day: date, round_no: int, at: datetime, notify: Notify) -> list[RoundMiss]:
    """Record a finished round's misses and tell each patrol unit's group its unvisited points (once)."""
    misses = []
    for point in unvisited(session, day, round_no):
        exists = session.scalar(
            select(RoundMiss).where(
                RoundMiss.point_id == point.id, RoundMiss.patrol_day == day, RoundMiss.round_no == round_no
            )
        )
        if exists is None:
            exists = RoundMiss(point_id=point.id, patrol_day=day, round_no=round_no, recorded_at=at)
            session.add(exists)
            misses.append(exists)
    session.flush()
    by_unit: dict[int | None, list[RoundMiss]] = {}
    for miss in misses:
        by_unit.setdefault(miss.point.patrol_unit_id, []).append(miss)
    for unit_id, unit_misses in by_unit.items():
        chat = unit_chat(session, session.get(RiskUnit, unit_id) if unit_id else None)
        if chat:
            notify(chat, cards.round_misses(session, day, round_no, unit_misses))
    return misses


def cameras_unchecked(session: Session, day: date) -> list[RiskCamera]:
    """Cameras in service that have no check yet on a Bangkok day (the end-of-day list)."""
    checked = select(CameraCheck.camera_id).where(CameraCheck.check_day == day)
    query = (
        select(RiskCamera)
        .join(RiskPoint, RiskPoint.id == RiskCamera.point_id)
        .where(
            *active_on(day),
            RiskCamera.active_from <= day,
            (RiskCamera.retired_on.is_(None)) | (RiskCamera.retired_on > day),
            RiskCamera.id.not_in(checked),
        )
        .order_by(RiskCamera.code)
    )
    return list(session.scalars(query))
