"""The risk-point programme's clock jobs: the monthly report cycle and the daily patrol rounds and cameras.

- monthly-open, monthly-reminder: each patrol unit's and department's registered LINE group;
- monthly-compile: the setting ``scheduler.recipients.secretariat`` (a card with the frozen version's link);
- monthly-overdue: ``scheduler.recipients.supervisors``;
- patrol-round-warning, patrol-round-close, camera-day-end: the patrol units' groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from line.messages import text
from line.month_figures import describe
from line.notices import render
from line.report_cards import month_card
from models import Chat, MonthlySubmission, RiskCamera, RiskUnit, UnitKind
from models.deadlines import on_time
from models.periods import Period
from models.timeutil import thai_date, thai_long_date, to_bangkok
from reports.riskpoint_month import compile_month, unit_figures
from scheduler.context import JobContext
from scheduler.periods import parse_day, parse_round, split_step
from scheduler.policy import Policy
from scheduler.versions import MONTH_REPORT, REPORT_PATH, freeze, json_ready
from services.riskpoints.cameras import cameras_unchecked
from services.riskpoints.patrols import close_round, unvisited
from services.riskpoints.units import unit_chat
from texts import scheduler as t


@dataclass(frozen=True)
class Unit:
    """A unit that owes a month report."""

    id: int
    name: str
    kind: str  # patrol | department
    line_id: str | None
    draft: str | None = None  # the figures gathered so far, as Thai lines


# --- what the jobs read ----------------------------------------------------------------------------------


def reporting_units(session: Session, month: Period, *, drafts: bool = False) -> list[Unit]:
    """Active patrol units and departments with their group (and, when asked, their draft figures)."""
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


def submitted_at(session: Session, month: Period) -> dict[int, datetime]:
    """Units whose month report is in, and when it first came."""
    rows = session.execute(
        select(MonthlySubmission.unit_id, MonthlySubmission.submitted_at).where(
            MonthlySubmission.year == month.year, MonthlySubmission.month == month.month
        )
    )
    return dict(rows.tuples().all())


def points_to_visit(session: Session, day: date, round_no: int) -> dict[str, list[str]]:
    """Each unit group's points still to visit in a round."""
    found: dict[str, list[str]] = defaultdict(list)
    for point in unvisited(session, day, round_no):
        line_id = unit_chat(session, point.patrol_unit)
        if line_id:
            found[line_id].append(f"{point.code} {point.name}")
    return dict(found)


def cameras_to_check(session: Session, day: date) -> dict[str, list[str]]:
    """Each unit group's cameras with no check yet on a day, by point code then camera code."""
    cameras: list[RiskCamera] = sorted(cameras_unchecked(session, day), key=lambda c: (c.point.code, c.code))
    found: dict[str, list[str]] = defaultdict(list)
    for camera in cameras:
        line_id = unit_chat(session, camera.point.patrol_unit)
        if line_id:
            found[line_id].append(f"{camera.code} ที่ {camera.point.code} {camera.point.name}")
    return dict(found)


MAX_LISTED = 30


def _listed(items: list[str]) -> str:
    """Bullet lines, at most MAX_LISTED, then how many more."""
    lines = [f"• {item}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"• และอีก {len(items) - MAX_LISTED} รายการ")
    return "\n".join(lines)


PAST_DEADLINE = "nothing sent: the deadline has passed"


def _deadline(month: Period, policy: Policy) -> datetime:
    """The month report's one deadline (models/deadlines.py): compiled then, late from then on."""
    return policy.deadline.instant(month.year, month.month)


def _month_fields(month: Period, unit: Unit, deadline: datetime) -> dict[str, str]:
    """The month, unit and deadline words every monthly message to a unit's group fills in."""
    local = to_bangkok(deadline)
    return {"month": month.label(), "unit": unit.name, "deadline": thai_long_date(local), "time": f"{local:%H:%M}"}


# --- the monthly cycle ---------------------------------------------------------------------------------


def monthly_open(ctx: JobContext, period: str) -> str:
    """Day 1: each unit's group learns what the month report needs, with its draft figures."""
    month = Period.parse_month(period)
    deadline = _deadline(month, ctx.policy)
    if ctx.now >= deadline:
        return PAST_DEADLINE  # caught up after the deadline: an invitation to meet it would only confuse
    with ctx.session() as session:
        units = reporting_units(session, month, drafts=True)
    by_group = defaultdict(list)
    for unit in units:
        if unit.line_id:
            body = t.MONTH_OPEN.format(
                **_month_fields(month, unit, deadline),
                needs=t.KIND_NEEDS.get(unit.kind, t.KIND_NEEDS["department"]),
                draft=unit.draft or t.NO_DRAFT,
            )
            by_group[unit.line_id].append(text(body, [t.SUBMIT_REPORT]))
    ctx.send.to_each(by_group)
    return f"{len(units)} units, {sum(1 for u in units if not u.line_id)} without a group"


def monthly_reminder(ctx: JobContext, period: str) -> str:
    """Day 5 and the deadline's morning: the units that have not submitted are reminded."""
    base, step = split_step(period)
    month = Period.parse_month(base)
    deadline = _deadline(month, ctx.policy)
    last_day = step == f"day{ctx.policy.due_day}"
    if ctx.now >= deadline:
        return PAST_DEADLINE  # the overdue job speaks now; a reminder of a passed deadline would only confuse
    with ctx.session() as session:
        units = reporting_units(session, month)
        submitted = submitted_at(session, month)
    pending = [unit for unit in units if unit.id not in submitted and unit.line_id]
    template = t.REMINDER_LAST_DAY if last_day else t.REMINDER
    by_group = defaultdict(list)
    for unit in pending:
        by_group[unit.line_id].append(text(template.format(**_month_fields(month, unit, deadline)), [t.SUBMIT_REPORT]))
    ctx.send.to_each(by_group)
    return f"{len(pending)} of {len(units)} units reminded"


def monthly_compile(ctx: JobContext, period: str) -> str:
    """The deadline, 17:00: compile the month, freeze it as a numbered version, card to the secretariat."""
    month = Period.parse_month(period)
    with ctx.session() as session:
        data = json_ready(compile_month(session, month.year, month.month))
        version = freeze(session, MONTH_REPORT, month.key, data, run_key=ctx.key, by="clock")
        version_id, number = version.id, version.version
    note = None
    if ctx.late and ctx.due_at is not None:
        note = t.LATE_NOTE.format(due=thai_long_date(_deadline(month, ctx.policy)))
    card = month_card(data, month.label(), number, ctx.link(REPORT_PATH.format(id=version_id)), note)
    ctx.send.to_all(ctx.recipients("secretariat"), [card])
    return f"version {number}"


def monthly_overdue(ctx: JobContext, period: str) -> str:
    """Day 8: supervisors get the units whose report is missing (and those that came late)."""
    month = Period.parse_month(period)
    deadline = _deadline(month, ctx.policy)
    with ctx.session() as session:
        units = reporting_units(session, month)
        submitted = submitted_at(session, month)
    missing = [unit.name for unit in units if unit.id not in submitted]
    late = [unit.name for unit in units if unit.id in submitted and not on_time(submitted[unit.id], deadline)]
    if not missing and not late:
        return "every unit submitted on time"
    body = t.OVERDUE.format(
        month=month.label(),
        deadline=thai_long_date(deadline),
        time=f"{to_bangkok(deadline):%H:%M}",
        count=len(missing),
        units=_listed(missing) or "• -",
    )
    if late:
        body += t.OVERDUE_LATE.format(count=len(late), units=_listed(late))
    ctx.send.to_all(ctx.recipients("supervisors"), [text(body)])
    return f"{len(missing)} missing, {len(late)} late"


# --- daily ---------------------------------------------------------------------------------------------


def _round_label(policy: Policy, number: int) -> str:
    name, start, end = policy.rounds[number - 1] if 0 < number <= len(policy.rounds) else (f"รอบที่ {number}", "", "")
    return f"{name} {start}–{end} น." if start else name


def patrol_round_warning(ctx: JobContext, period: str) -> str:
    """Before a round closes: each unit's group gets the points it still has to visit."""
    day, number = parse_round(period)
    with ctx.session() as session:
        pending = points_to_visit(session, day, number)
    minutes = int(ctx.policy.round_warning.total_seconds() // 60)
    label = _round_label(ctx.policy, number)
    ctx.send.to_each(
        {
            line_id: [
                text(
                    t.ROUND_WARNING.format(
                        minutes=minutes,
                        round=label,
                        day=thai_date(day, short=True),
                        count=len(points),
                        points=_listed(points),
                    )
                )
            ]
            for line_id, points in pending.items()
        }
    )
    return f"{sum(len(p) for p in pending.values())} points in {len(pending)} groups"


def patrol_round_close(ctx: JobContext, period: str) -> str:
    """A round's end: its misses are recorded and each unit's group told, in one transaction."""
    day, number = parse_round(period)
    with ctx.session() as session:
        misses = close_round(
            session,
            day,
            number,
            ctx.now,
            lambda line_id, notice: ctx.send.to_in(session, line_id, render(session, notice)),
        )
    return f"{len(misses)} misses recorded"


def camera_day_end(ctx: JobContext, period: str) -> str:
    """Before the day ends: each unit's group gets the cameras not yet checked today."""
    day = parse_day(period)
    with ctx.session() as session:
        missing = cameras_to_check(session, day)
    day_label = thai_date(day, short=True)
    ctx.send.to_each(
        {
            line_id: [text(t.CAMERAS_MISSING.format(day=day_label, count=len(cameras), cameras=_listed(cameras)))]
            for line_id, cameras in missing.items()
        }
    )
    return f"{sum(len(c) for c in missing.values())} cameras in {len(missing)} groups"
