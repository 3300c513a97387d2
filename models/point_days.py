"""Each risk point's day of checks (rp_point_days), kept exactly in step with the raw checks it sums.

One row per (day, point) with any check: the distinct patrol rounds visited (round_no > 0) and the distinct
cameras of the point checked that day while in service (camera active_from <= day < retired_on). The point's
own service window and its required_patrols cap are applied when the KPI is read (reports/riskpoint_compliance.py),
so editing a point needs no refresh; a camera's dates or point do, and so does every check written or removed.

Every write goes through the ORM and is caught at flush (the listeners at the bottom): the rows of the
(point, day)s it touched are recomputed from the raw checks in the same transaction (refresh_point_days).
Writers that bypass the ORM's unit of work (bulk Core INSERT/DELETE of checks, as the benchmarks do) call
refresh_point_days or rebuild_point_days themselves. On PostgreSQL a refresh holds a per-point advisory lock
to the commit, so two check-ins at one point never recompute from each other's uncommitted rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import (
    Date,
    ForeignKey,
    SmallInteger,
    bindparam,
    delete,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.base import NO_VALUE

from models.base import Base
from models.periods import Period
from models.riskpoints import CameraCheck, PatrolCheck, RiskCamera

LOCK_SPACE = 0x52504459  # "RPDY": the first key of pg_advisory_xact_lock(int, int) for a point's days
LOCK = text("SELECT pg_advisory_xact_lock(:space, :point)")
CHUNK = 500  # days of one point recomputed per statement


class PointDay(Base):
    """A risk point's checks on one Bangkok day: distinct rounds visited and in-service cameras checked."""

    __tablename__ = "rp_point_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # first: the KPI scans ranges of days
    point_id: Mapped[int] = mapped_column(ForeignKey("rp_points.id"), primary_key=True)
    rounds: Mapped[int] = mapped_column(SmallInteger, default=0)
    cameras: Mapped[int] = mapped_column(SmallInteger, default=0)


def _aggregate(patrol_filter: list, camera_filter: list):
    """SELECT day, point_id, rounds, cameras from the raw checks, grouped by (day, point)."""
    patrols = select(
        PatrolCheck.patrol_day.label("day"),
        PatrolCheck.point_id.label("point_id"),
        func.count(func.distinct(PatrolCheck.round_no)).label("rounds"),
        literal(0).label("cameras"),
    ).where(PatrolCheck.round_no > 0, *patrol_filter)
    patrols = patrols.group_by(PatrolCheck.patrol_day, PatrolCheck.point_id)
    day = CameraCheck.check_day
    cameras = (
        select(
            day.label("day"),
            RiskCamera.point_id.label("point_id"),
            literal(0).label("rounds"),
            func.count(func.distinct(CameraCheck.camera_id)).label("cameras"),
        )
        .join(RiskCamera, RiskCamera.id == CameraCheck.camera_id)
        .where(RiskCamera.active_from <= day, or_(RiskCamera.retired_on.is_(None), day < RiskCamera.retired_on))
        .where(*camera_filter)
        .group_by(day, RiskCamera.point_id)
    )
    both = patrols.union_all(cameras).subquery()
    return select(both.c.day, both.c.point_id, func.sum(both.c.rounds), func.sum(both.c.cameras)).group_by(
        both.c.day, both.c.point_id
    )


def _lock_points(connection, point_ids: Iterable[int]) -> None:
    """On PostgreSQL, hold each point's advisory lock to the commit (in id order: no deadlock between refreshes)."""
    if connection.dialect.name != "postgresql":
        return  # SQLite has one writer at a time
    for point_id in sorted(set(point_ids)):
        connection.execute(LOCK, {"space": LOCK_SPACE, "point": point_id})


def _statements():
    """The two statements that recompute one point's days (built once: a check-in pays no query building)."""
    point, days = bindparam("point"), bindparam("days", expanding=True)
    gone = delete(PointDay.__table__).where(PointDay.point_id == point, PointDay.day.in_(days))
    patrols = [PatrolCheck.point_id == point, PatrolCheck.patrol_day.in_(days)]
    cameras = [RiskCamera.point_id == point, CameraCheck.check_day.in_(days)]
    columns = ["day", "point_id", "rounds", "cameras"]
    return gone, insert(PointDay.__table__).from_select(columns, _aggregate(patrols, cameras))


DELETE_DAYS, INSERT_DAYS = _statements()


def _refresh(connection, pairs: set[tuple[int, date]]) -> None:
    """Recompute the rows of these (point, day)s from the raw checks: delete them, insert what the checks give."""
    by_point: dict[int, set[date]] = {}
    for point_id, day in pairs:
        if point_id is not None and day is not None:
            by_point.setdefault(int(point_id), set()).add(day)
    _lock_points(connection, by_point)
    for point_id, days in sorted(by_point.items()):
        ordered = sorted(days)
        for start in range(0, len(ordered), CHUNK):
            params = {"point": point_id, "days": ordered[start : start + CHUNK]}
            connection.execute(DELETE_DAYS, params)
            connection.execute(INSERT_DAYS, params)


def refresh_point_days(session: Session, pairs: Iterable[tuple[int, date]]) -> None:
    """Recompute the daily rows of these (point_id, day)s from the raw checks, in the session's transaction."""
    _refresh(session.connection(), set(pairs))


def rebuild_point_days(session: Session, span: Period | None = None) -> int:
    """Recompute every daily row (or a span's) from the raw checks in bulk; return the rows written."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # refreshes wait for the rebuild, and it for theirs
        connection.execute(text("LOCK TABLE rp_point_days IN SHARE ROW EXCLUSIVE MODE"))
    gone = delete(PointDay.__table__)
    patrol_filter, camera_filter = [], []
    if span is not None:
        gone = gone.where(PointDay.day.between(span.first, span.last))
        patrol_filter = [PatrolCheck.patrol_day.between(span.first, span.last)]
        camera_filter = [CameraCheck.check_day.between(span.first, span.last)]
    connection.execute(gone)
    columns = ["day", "point_id", "rounds", "cameras"]
    connection.execute(insert(PointDay.__table__).from_select(columns, _aggregate(patrol_filter, camera_filter)))
    written = select(func.count()).select_from(PointDay.__table__)
    if span is not None:
        written = written.where(PointDay.day.between(span.first, span.last))
    return connection.execute(written).scalar_one()


# --- keeping the rows in step with every ORM write --------------------------------------------------------

WATCHED = {
    PatrolCheck: ("point_id", "patrol_day", "round_no"),
    CameraCheck: ("camera_id", "check_day"),
    RiskCamera: ("point_id", "active_from", "retired_on"),
}


def _values(obj, name: str) -> set:
    """The attribute's value now and the one it replaced in this flush (never loads anything)."""
    attr = sa_inspect(obj).attrs[name]
    history = attr.history
    found = set(history.added) | set(history.deleted) | set(history.unchanged)
    if not found and attr.loaded_value is not NO_VALUE:
        found.add(attr.loaded_value)
    return {v for v in found if v is not None and v is not NO_VALUE}


def _camera_range(obj) -> tuple[date | None, date | None] | None:
    """The days [low, high) whose in-service answer a camera's change can alter (None: no such change).

    None as a bound is open: a move to another point, or a retirement set or lifted, reaches every later day.
    """
    state = sa_inspect(obj)
    if state.attrs.point_id.history.has_changes():
        return None, None
    lows, highs = [], []
    for name in ("active_from", "retired_on"):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        values = list(history.added) + list(history.deleted)
        known = [v for v in values if v is not None]
        lows.append(min(known) if known else None)
        highs.append(None if None in values or not known else max(known))
    if not lows:
        return None
    low = None if None in lows else min(lows)
    high = None if None in highs else max(highs)
    return low, high


@event.listens_for(Session, "before_flush")
def _load_deleted(session: Session, _context, _instances) -> None:
    """Load what a deleted check or camera needs to name its (point, day)s while its row still exists."""
    for obj in session.deleted:
        for name in WATCHED.get(type(obj), ()):
            getattr(obj, name)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """Recompute the daily rows of every (point, day) this flush's checks and cameras touched."""
    pairs: set[tuple[int, date]] = set()
    camera_days: set[tuple[int, date]] = set()
    camera_ranges: list[tuple[int, set[int], date | None, date | None]] = []
    camera_points: dict[int, set[int]] = {}  # a camera moved or removed in this flush: its points before and after
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        kind = type(obj)
        if kind is RiskCamera:
            camera_points[obj.id] = _values(obj, "point_id")
        if kind is PatrolCheck:
            if obj in session.dirty and not _changed(obj, WATCHED[kind]):
                continue
            pairs |= {(p, d) for p in _values(obj, "point_id") for d in _values(obj, "patrol_day")}
        elif kind is CameraCheck:
            if obj in session.dirty and not _changed(obj, WATCHED[kind]):
                continue
            camera_days |= {(c, d) for c in _values(obj, "camera_id") for d in _values(obj, "check_day")}
        elif kind is RiskCamera and obj in session.dirty:
            span = _camera_range(obj)
            if span is not None:
                camera_ranges.append((obj.id, _values(obj, "point_id"), *span))
    if not (pairs or camera_days or camera_ranges):
        return
    connection = session.connection()
    camera_ids = {c for c, _ in camera_days}
    if camera_ids:
        owners = select(RiskCamera.id, RiskCamera.point_id).where(RiskCamera.id.in_(camera_ids))
        owners = dict(connection.execute(owners).tuples().all())
        for camera_id, day in camera_days:
            for point_id in {owners.get(camera_id), *camera_points.get(camera_id, ())}:
                pairs.add((point_id, day))
    for camera_id, points, low, high in camera_ranges:
        days = select(CameraCheck.check_day).where(CameraCheck.camera_id == camera_id).distinct()
        if low is not None:
            days = days.where(CameraCheck.check_day >= low)
        if high is not None:
            days = days.where(CameraCheck.check_day < high)
        for (day,) in connection.execute(days):
            pairs |= {(point_id, day) for point_id in points}
    _refresh(connection, pairs)


def _changed(obj, names: tuple[str, ...]) -> bool:
    """Whether any of these attributes changed in this flush."""
    state = sa_inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)
