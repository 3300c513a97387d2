"""What "สรุปของฉัน" shows a patrol officer (their units' rounds, their check-ins, their open defects) and a
department clerk (their units' open work orders). Queries only; the cards are line/summary_duty_cards.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import (
    Defect,
    DefectStatus,
    Member,
    OrderStatus,
    PatrolCheck,
    RiskPoint,
    RiskUnit,
    WorkOrder,
)
from models.settings import get_setting
from models.timeutil import to_bangkok
from reports import riskpoint_rounds as rounds
from services.riskpoints.patrols import round_label, round_of, rounds_done
from services.riskpoints.points import active_on


@dataclass(frozen=True)
class PointProgress:
    """One point of a unit today: rounds done (capped at those required) and whether this round is done."""

    point: RiskPoint
    done: int
    required: int
    this_round: bool


@dataclass(frozen=True)
class UnitProgress:
    """A patrol unit's day: its points' progress and the round now running (None: outside every round)."""

    unit: RiskUnit
    day: date
    round_name: str | None
    points: list[PointProgress]

    @property
    def round_done(self) -> int:
        """Points visited in the round now running."""
        return sum(1 for p in self.points if p.this_round)

    @property
    def done(self) -> int:
        """Visits counted today (each point up to its required number)."""
        return sum(p.done for p in self.points)

    @property
    def required(self) -> int:
        """Visits required today."""
        return sum(p.required for p in self.points)

    @property
    def unfinished(self) -> list[PointProgress]:
        """Points still short of their required visits today."""
        return [p for p in self.points if p.done < p.required]


def patrol_day(session: Session, now: datetime) -> date:
    """The patrol day a moment belongs to (a night round belongs to the day it started)."""
    if get_setting(session, "riskpoints.round_rule") == "gap":
        return to_bangkok(now).date()
    return rounds.locate(now, get_setting(session, "riskpoints.rounds"))[0]


def unit_progress(session: Session, unit: RiskUnit, now: datetime) -> UnitProgress:
    """A patrol unit's progress in the round now running and over the patrol day."""
    day = patrol_day(session, now)
    query = select(RiskPoint).where(RiskPoint.patrol_unit_id == unit.id, *active_on(day)).order_by(RiskPoint.code)
    points, round_name = [], None
    for point in session.scalars(query):
        point_day, number = round_of(session, point, now)
        visited = number > 0 and session.scalar(
            select(PatrolCheck.id)
            .where(
                PatrolCheck.point_id == point.id, PatrolCheck.patrol_day == point_day, PatrolCheck.round_no == number
            )
            .limit(1)
        )
        if number > 0 and round_name is None:
            round_name = round_label(session, number)
        done = min(rounds_done(session, point.id, day), point.required_patrols)
        points.append(PointProgress(point, done, point.required_patrols, bool(visited)))
    return UnitProgress(unit, day, round_name, points)


def checks_today(session: Session, member: Member, now: datetime) -> list[PatrolCheck]:
    """The person's check-ins of the patrol day, newest first."""
    query = (
        select(PatrolCheck)
        .options(selectinload(PatrolCheck.point))
        .where(PatrolCheck.member_id == member.id, PatrolCheck.patrol_day == patrol_day(session, now))
        .order_by(PatrolCheck.checked_at.desc(), PatrolCheck.id.desc())
    )
    return list(session.scalars(query))


def open_defects_by(session: Session, member: Member) -> list[Defect]:
    """The open defects the person reported, oldest first."""
    query = (
        select(Defect)
        .where(Defect.reported_by == member.id, Defect.status == DefectStatus.OPEN)
        .order_by(Defect.opened_at, Defect.id)
    )
    return list(session.scalars(query))


def open_orders(session: Session, units: list[RiskUnit]) -> list[WorkOrder]:
    """The work orders of some units not yet closed, oldest first."""
    if not units:
        return []
    query = (
        select(WorkOrder)
        .where(WorkOrder.unit_id.in_([u.id for u in units]), WorkOrder.status != OrderStatus.CLOSED)
        .order_by(WorkOrder.created_at, WorkOrder.id)
    )
    return list(session.scalars(query))


def age_days(since: datetime, now: datetime) -> int:
    """Whole Bangkok calendar days from one moment to another."""
    return max((to_bangkok(now).date() - to_bangkok(since).date()).days, 0)
