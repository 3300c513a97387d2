"""Where the risk points are: lookups by code, by distance and by day, and each point's own rules (radius, photo)."""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import RiskCamera, RiskPoint
from models.settings import get_setting
from services.geo import distance_m


def show_distance(metres: float) -> str:
    """A distance as people say it: 'ไม่ถึง 10 ม.', '85 ม.' or '1.2 กม.'."""
    if metres < 10:
        return "ไม่ถึง 10 ม."
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


def nearby(
    session: Session, lat: float, lng: float, *, with_cameras: bool = False, units: Collection[int] | None = None
) -> list[tuple[RiskPoint, float]]:
    """Active points sorted by distance, within a box wide enough for the largest geofence (plus a margin).

    ``units`` (patrol unit ids) keeps only the points of those units and the points of no unit.
    """
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
    if units is not None:
        query = query.where(or_(RiskPoint.patrol_unit_id.is_(None), RiskPoint.patrol_unit_id.in_(list(units))))
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
