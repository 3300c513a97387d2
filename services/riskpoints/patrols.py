"""Patrol visits to risk points: check-ins and refused attempts, the rounds they count for, and rounds that ended."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import CheckAttempt, MediaFile, Member, PatrolCheck, RiskPoint, RiskUnit, RoundMiss
from models.settings import get_setting
from models.timeutil import to_bangkok
from reports import riskpoint_rounds as rounds
from services.geo import distance_m
from services.notices import Notify, RoundMissed
from services.riskpoints.points import active_on
from services.riskpoints.units import unit_chat
from texts import riskpoints as t


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
            notify(chat, RoundMissed(day, round_no, tuple(unit_misses)))
    return misses
