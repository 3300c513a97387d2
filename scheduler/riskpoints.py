"""What the clock asks of the risk-point programme: a small contract, met by the risk-point modules.

The monthly cycle, the day-7 report, the quarterly percentages and the daily round and camera jobs
read the risk-point programme only through an object with these methods (``LiveRiskPoints`` below
imports the real modules lazily; tests pass fakes with the same methods):

- ``available() -> bool``: whether the risk-point modules are installed (else the jobs that need
  them stay registered but do nothing, with a log line saying so);
- ``reporting_units(session, month, drafts=False) -> list[Unit]``: the patrol units and departments that
  owe a month report, each with its LINE group (None when unbound), its kind and (drafts=True) the
  figures gathered so far;
- ``submitted(session, month) -> dict[int, datetime]``: unit id -> when its report for the month came in;
- ``compile_month(session, month) -> dict``: the month's report, JSON-ready
  (``reports.riskpoint_month.compile_month``);
- ``compliance(session, period) -> dict | None``: the KPI parts and percentages for a fiscal quarter or
  year (``reports.riskpoint_compliance.compliance(...).as_dict()``);
- ``unvisited(session, day, round_no) -> dict[str, list[str]]``: LINE group -> the points it still has
  to visit in that round (``services.riskpoints.ops.unvisited``);
- ``close_round(session, day, round_no, at, notify) -> int``: record a finished round's misses and tell
  each unit's group, through ``notify(line_id, messages)``, once (``services.riskpoints.ops.close_round``);
- ``missing_cameras(session, day) -> dict[str, list[str]]``: LINE group -> cameras not yet checked that
  day;
- ``unit_chats_of_kind(session, kind) -> list[Recipient]``: the LINE groups of active units of a kind.
"""

from __future__ import annotations

import importlib.util
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.periods import Period
from scheduler.periods import Month

log = logging.getLogger(__name__)

MODULES = ("models.riskpoints", "reports.riskpoint_month", "reports.riskpoint_compliance", "services.riskpoints.ops")


@dataclass(frozen=True)
class Unit:
    """A unit that owes a month report."""

    id: int
    name: str
    kind: str  # patrol | department
    line_id: str | None
    draft: str | None = None  # the figures gathered so far, as Thai lines


def _installed() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in MODULES)
    except ModuleNotFoundError:
        return False


class LiveRiskPoints:
    """The contract above, met by the risk-point engineer's modules (imported when first used)."""

    def available(self) -> bool:
        """Whether every risk-point module is there."""
        return _installed()

    def reporting_units(self, session: Session, month: Month, *, drafts: bool = False) -> list[Unit]:
        """Active patrol units and departments with their group (and, when asked, their draft figures)."""
        from handlers.month_reports import describe
        from models import Chat
        from models.riskpoints import RiskUnit, UnitKind
        from reports.riskpoint_month import unit_figures

        rows = session.execute(
            select(RiskUnit, Chat.line_chat_id, Chat.is_member)
            .outerjoin(Chat, Chat.id == RiskUnit.chat_id)
            .where(RiskUnit.is_active, RiskUnit.kind.in_((UnitKind.PATROL, UnitKind.DEPARTMENT)))
            .order_by(RiskUnit.kind, RiskUnit.name)
        ).all()
        return [
            Unit(
                unit.id,
                unit.name,
                unit.kind.value,
                line_id if is_member else None,
                describe(unit_figures(session, unit, month.year, month.month)) if drafts else None,
            )
            for unit, line_id, is_member in rows
        ]

    def submitted(self, session: Session, month: Month) -> dict[int, datetime]:
        """Units whose month report is in, and when it first came."""
        from models.riskpoints import MonthlySubmission

        rows = session.execute(
            select(MonthlySubmission.unit_id, MonthlySubmission.submitted_at).where(
                MonthlySubmission.year == month.year, MonthlySubmission.month == month.month
            )
        )
        return dict(rows.tuples().all())

    def compile_month(self, session: Session, month: Month) -> dict:
        """The compiled month report."""
        from reports.riskpoint_month import compile_month

        return compile_month(session, month.year, month.month)

    def compliance(self, session: Session, period: Period) -> dict | None:
        """The office's KPI parts for a fiscal quarter or year."""
        from reports import riskpoint_compliance as rc

        if period.quarter is None:
            span = rc.fiscal_year_span(period.fiscal_year)
        else:
            span = rc.quarter_span(period.fiscal_year, period.quarter)
        return rc.compliance(session, span).as_dict()

    def unvisited(self, session: Session, day: date, round_no: int) -> dict[str, list[str]]:
        """Each unit group's points still to visit in a round."""
        from services.riskpoints import ops

        found: dict[str, list[str]] = defaultdict(list)
        for point in ops.unvisited(session, day, round_no):
            line_id = ops.unit_chat(session, point.patrol_unit)
            if line_id:
                found[line_id].append(f"{point.code} {point.name}")
        return dict(found)

    def close_round(self, session: Session, day: date, round_no: int, at: datetime, notify: Callable) -> int:
        """Record the round's misses; the unit groups are told through notify."""
        from services.riskpoints import ops

        return len(ops.close_round(session, day, round_no, at, notify))

    def missing_cameras(self, session: Session, day: date) -> dict[str, list[str]]:
        """Each unit group's cameras with no check yet on a day."""
        from models.riskpoints import CameraCheck, RiskCamera, RiskPoint
        from services.riskpoints import ops

        checked = select(CameraCheck.camera_id).where(CameraCheck.check_day == day)
        rows = session.execute(
            select(RiskCamera, RiskPoint)
            .join(RiskPoint, RiskPoint.id == RiskCamera.point_id)
            .where(
                RiskCamera.active_from <= day,
                (RiskCamera.retired_on.is_(None)) | (RiskCamera.retired_on > day),
                *ops.active_on(day),
                RiskCamera.id.not_in(checked),
            )
            .order_by(RiskPoint.code, RiskCamera.code)
        ).all()
        found: dict[str, list[str]] = defaultdict(list)
        for camera, point in rows:
            line_id = ops.unit_chat(session, point.patrol_unit)
            if line_id:
                found[line_id].append(f"{camera.code} ที่ {point.code} {point.name}")
        return dict(found)

    def unit_chats_of_kind(self, session: Session, kind: str) -> list[Any]:
        """The groups of active units of a kind (e.g. secretariat)."""
        if not self.available():
            return []
        from models.riskpoints import RiskUnit, UnitKind
        from scheduler.sender import Recipient
        from services.riskpoints import ops

        if kind not in {member.value for member in UnitKind}:
            return []
        units = session.scalars(select(RiskUnit).where(RiskUnit.kind == UnitKind(kind), RiskUnit.is_active))
        return [Recipient(line_id, unit.name) for unit in units if (line_id := ops.unit_chat(session, unit))]


LIVE = LiveRiskPoints()


def unit_chats_of_kind(session: Session, kind: str) -> list[Any]:
    """The groups of active risk-point units of a kind, when the registry exists."""
    return LIVE.unit_chats_of_kind(session, kind)
