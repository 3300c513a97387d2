"""Crime risk points: the registry, patrol and camera checks, defects, work orders, letters, statistics."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, enum_column
from models.letters import OutgoingLetter
from models.timeutil import utcnow


class UnitKind(enum.StrEnum):
    """What a unit does in the programme."""

    PATROL = "patrol"  # a patrol unit: its LINE group hears about missed rounds
    DEPARTMENT = "department"  # fixes surroundings: receives work orders
    SECRETARIAT = "secretariat"  # coordinates: receives letters and summaries


class RiskUnit(Base):
    """A patrol unit, department or the secretariat, bound to its registered LINE group."""

    __tablename__ = "rp_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    district: Mapped[str | None] = mapped_column(String(60))
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RosterStatus(enum.StrEnum):
    """Where a person stands on a unit's roster."""

    INVITED = "invited"  # the invitation was sent in LINE and not yet answered
    ACTIVE = "active"  # accepted: acts for the unit in LINE
    DECLINED = "declined"
    REMOVED = "removed"


class UnitMembership(Base):
    """A LINE user on a unit's roster: invited from the admin web, accepted in LINE."""

    __tablename__ = "rp_unit_members"
    __table_args__ = (UniqueConstraint("unit_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("rp_units.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[RosterStatus] = mapped_column(enum_column(RosterStatus, 12), default=RosterStatus.INVITED)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(80))

    unit: Mapped[RiskUnit] = relationship()


class RiskPoint(Base):
    """A crime risk point of a district, patrolled every round."""

    __tablename__ = "rp_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(60), index=True)
    subdistrict: Mapped[str | None] = mapped_column(String(60))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(30))
    radius_m: Mapped[int | None]  # None: the setting riskpoints.radius_m
    patrol_unit_id: Mapped[int | None] = mapped_column(ForeignKey("rp_units.id"))
    required_patrols: Mapped[int] = mapped_column(default=2)
    photo_required: Mapped[bool | None]  # None: the setting riskpoints.photo_required
    active_from: Mapped[date] = mapped_column(Date)
    retired_on: Mapped[date | None] = mapped_column(Date)  # the first day it is no longer patrolled
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cameras: Mapped[list[RiskCamera]] = relationship(back_populates="point", order_by="RiskCamera.code")
    patrol_unit: Mapped[RiskUnit | None] = relationship()

    @property
    def is_active(self) -> bool:
        """Whether the point is still patrolled (not retired)."""
        return self.retired_on is None


class RiskCamera(Base):
    """A CCTV camera at a risk point, owned by an agency that repairs it."""

    __tablename__ = "rp_cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("rp_points.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    owner_agency: Mapped[str] = mapped_column(String(200))
    active_from: Mapped[date] = mapped_column(Date)
    retired_on: Mapped[date | None] = mapped_column(Date)

    point: Mapped[RiskPoint] = relationship(back_populates="cameras")


class PatrolCheck(Base):
    """One patrol visit at a point, proved by the officer's location (and a photo when asked)."""

    __tablename__ = "rp_patrol_checks"
    __table_args__ = (
        Index("ix_rp_patrol_checks_day_point_round", "patrol_day", "point_id", "round_no"),
        Index("ix_rp_patrol_checks_point_checked", "point_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("rp_points.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    checked_at: Mapped[datetime]  # LINE's timestamp of the location message
    patrol_day: Mapped[date] = mapped_column(Date)  # the Bangkok day the round belongs to
    round_no: Mapped[int]  # 1, 2 ... ; 0 when outside every round window
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    location_message_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    photo_media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"))
    photo_sent_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(10), default="line")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    point: Mapped[RiskPoint] = relationship()


class CheckAttempt(Base):
    """A refused check-in (outside the geofence, or a location used before), kept as evidence."""

    __tablename__ = "rp_check_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("rp_points.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    attempted_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(20))  # outside | reused
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    location_message_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CameraStatus(enum.StrEnum):
    """What a daily camera check found."""

    WORKING = "working"
    BROKEN = "broken"


class CameraCheck(Base):
    """One daily check of one camera, on site by a patrol officer or by the monitoring centre."""

    __tablename__ = "rp_camera_checks"
    __table_args__ = (Index("ix_rp_camera_checks_day_camera", "check_day", "camera_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("rp_cameras.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("rp_points.id"))
    checked_at: Mapped[datetime]
    check_day: Mapped[date] = mapped_column(Date)
    status: Mapped[CameraStatus] = mapped_column(enum_column(CameraStatus))
    method: Mapped[str] = mapped_column(String(10))  # on_site | centre
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    staff_username: Mapped[str | None] = mapped_column(String(80))
    photo_media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    camera: Mapped[RiskCamera] = relationship()


class DefectStatus(enum.StrEnum):
    """Whether a defect still needs fixing."""

    OPEN = "open"
    CLOSED = "closed"


class Defect(Base):
    """A condition at a point that invites crime (light out, trees, broken camera ...)."""

    __tablename__ = "rp_defects"
    __table_args__ = (Index("ix_rp_defects_point_status", "point_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("rp_points.id"))
    kind: Mapped[str] = mapped_column(String(20))  # lighting | trees | cctv | vehicle | other
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("rp_cameras.id"))
    status: Mapped[DefectStatus] = mapped_column(enum_column(DefectStatus), default=DefectStatus.OPEN)
    note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    patrol_check_id: Mapped[int | None] = mapped_column(ForeignKey("rp_patrol_checks.id"))
    camera_check_id: Mapped[int | None] = mapped_column(ForeignKey("rp_camera_checks.id"))
    closed_by_check_id: Mapped[int | None] = mapped_column(ForeignKey("rp_camera_checks.id"))

    point: Mapped[RiskPoint] = relationship()
    camera: Mapped[RiskCamera | None] = relationship()
    order: Mapped[WorkOrder | None] = relationship(back_populates="defect", uselist=False)


class OrderStatus(enum.StrEnum):
    """Where a work order stands with its department."""

    NEW = "new"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"  # the department says it is fixed; the next patrol confirms or reopens
    REOPENED = "reopened"
    CLOSED = "closed"


class WorkOrder(Base):
    """The fixing of one defect by the responsible department."""

    __tablename__ = "rp_work_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    defect_id: Mapped[int] = mapped_column(ForeignKey("rp_defects.id"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("rp_units.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.NEW)
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reopened_count: Mapped[int] = mapped_column(default=0)
    awaiting_photo_user: Mapped[str | None] = mapped_column(String(64))  # who tapped "done" and owes a photo
    awaiting_photo_since: Mapped[datetime | None]

    defect: Mapped[Defect] = relationship(back_populates="order")
    unit: Mapped[RiskUnit | None] = relationship()
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.at")


class OrderEvent(Base):
    """One step of a work order's timeline."""

    __tablename__ = "rp_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rp_work_orders.id"), index=True)
    at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[WorkOrder] = relationship(back_populates="events")


class RiskPhoto(Base):
    """A photo attached to a defect (before) or a work order (after)."""

    __tablename__ = "rp_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"))
    defect_id: Mapped[int | None] = mapped_column(ForeignKey("rp_defects.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("rp_work_orders.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # before | after
    sent_at: Mapped[datetime]


class CoordinationLetter(Base):
    """A numbered letter asking a camera's owner agency to repair it (its number from the letter register)."""

    __tablename__ = "rp_letters"
    __table_args__ = (UniqueConstraint("fiscal_year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), unique=True)  # the register's entry
    fiscal_year: Mapped[int]  # Buddhist Era fiscal year, as in the register
    number: Mapped[int]  # the register's running number (shared with every other kind of letter)
    defect_id: Mapped[int] = mapped_column(ForeignKey("rp_defects.id"), index=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("rp_cameras.id"))
    agency: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime]
    found_at: Mapped[datetime]
    photo_media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"))

    defect: Mapped[Defect] = relationship()
    camera: Mapped[RiskCamera] = relationship()
    register: Mapped[OutgoingLetter | None] = relationship()


class RoundMiss(Base):
    """A round that ended with a point unvisited, and the unit's reason if given."""

    __tablename__ = "rp_round_misses"
    __table_args__ = (UniqueConstraint("point_id", "patrol_day", "round_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("rp_points.id"))
    patrol_day: Mapped[date] = mapped_column(Date, index=True)
    round_no: Mapped[int]
    recorded_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(20))  # flood | road_closed | incident | other
    reason_by: Mapped[str | None] = mapped_column(String(64))
    reason_at: Mapped[datetime | None]

    point: Mapped[RiskPoint] = relationship()


class CrimeStat(Base):
    """Cases of one crime type in one month at a point or in an area, from the police station."""

    __tablename__ = "rp_crime_stats"
    __table_args__ = (UniqueConstraint("year", "month", "scope", "crime_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]  # Common Era year of the month
    month: Mapped[int]
    scope: Mapped[str] = mapped_column(String(120))  # "point:RP-0012" or "area:<name>"
    point_id: Mapped[int | None] = mapped_column(ForeignKey("rp_points.id"))
    area: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(60))
    crime_type: Mapped[str] = mapped_column(String(60))
    cases: Mapped[int]
    station: Mapped[str | None] = mapped_column(String(120))
    entered_by: Mapped[str | None] = mapped_column(String(80))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonthlySubmission(Base):
    """A unit's month report (figures and remarks), on time when in by the due day of the next month."""

    __tablename__ = "rp_monthly_submissions"
    __table_args__ = (UniqueConstraint("unit_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("rp_units.id"))
    year: Mapped[int]  # Common Era year of the month reported
    month: Mapped[int]
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    revised_at: Mapped[datetime | None]

    unit: Mapped[RiskUnit] = relationship()
