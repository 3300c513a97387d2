"""The daily CCTV checks: on site or by the monitoring centre; broken opens a defect and a letter, working closes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    CameraCheck,
    CameraStatus,
    CoordinationLetter,
    Defect,
    DefectStatus,
    MediaFile,
    Member,
    RiskCamera,
    RiskPoint,
)
from models.timeutil import to_bangkok, utcnow
from services.notices import LetterIssued, Notify
from services.riskpoints.defects import close_defect, open_defect
from services.riskpoints.letters import issue_letter
from services.riskpoints.points import active_on
from services.riskpoints.units import secretariat_chats
from texts import riskpoints as t


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
    letter = issue_letter(session, defect, camera, at, photo, by=staff or (member.reporter_code if member else None))
    for chat in secretariat_chats(session):
        notify(chat, LetterIssued(letter, method))
    return check, defect, letter, []


def centre_camera_check(
    session: Session,
    camera: RiskCamera,
    status: CameraStatus,
    notify: Notify,
    *,
    by: str,
    note: str | None = None,
    at: datetime | None,
) -> tuple[CameraCheck, Defect | None, CoordinationLetter | None, list[Defect]]:
    """The monitoring centre's daily check of a camera, entered in the admin web."""
    return record_camera_check(session, camera, status, at or utcnow(), notify, method="centre", staff=by, note=note)


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
