"""'ส่งรายงาน': a department or patrol unit submits its month's results by LINE, in a short guided form.

Typed in the unit's registered group, the form continues in the sender's one-to-one chat with the unit
already known; typed one-to-one, the form first asks which unit (skipped when the sender has only one).
Only members on a unit's roster report for it, and only for a month that has ended.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line.month_figures import describe
from models import Conversation, MonthlySubmission, RiskUnit, UnitKind
from models.deadlines import month_deadline, on_time
from models.timeutil import THAI_MONTHS_ABBR, be_year, fiscal_year, thai_datetime, thai_long_date, to_bangkok
from reports.riskpoint_month import month_label, unit_figures
from services.riskpoints.units import unit_for_chat
from services.roles import roles_of
from texts import riskpoints as t

FLOW = "rp_month_report"


MAX_MONTHS = 3


def _units(ctx: Context) -> list[RiskUnit]:
    """The units the sender may report for: the patrol units and departments whose roster they are on."""
    return roles_of(ctx.session, ctx.sender).reporting_units


def _month_before(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def _month_choices(ctx: Context, unit: RiskUnit) -> list[tuple[str, int, int]]:
    """Ended months only, as (button label, year, month): the previous month (sent again = revised), then the
    earlier months of this fiscal year the unit has not reported yet, newest first; never the running month."""
    today = to_bangkok(ctx.sent_at).date()
    previous = _month_before(today.replace(day=1))
    query = select(MonthlySubmission.year, MonthlySubmission.month).where(MonthlySubmission.unit_id == unit.id)
    sent = {(year, month) for year, month in ctx.session.execute(query)}
    months, earlier = [previous], _month_before(previous)
    while len(months) < MAX_MONTHS and fiscal_year(earlier) == fiscal_year(today):
        if (earlier.year, earlier.month) not in sent:
            months.append(earlier)
        earlier = _month_before(earlier)
    return [(f"{THAI_MONTHS_ABBR[d.month - 1]} {be_year(d)}", d.year, d.month) for d in months]


def start(ctx: Context, registry: Registry) -> list[Message]:
    """'ส่งรายงาน' in a unit's group (continue one-to-one) or one-to-one (pick the unit)."""
    if ctx.user_id is None:
        return []
    if not ctx.is_direct:
        unit = unit_for_chat(ctx.session, ctx.chat_id)
        if unit is None or unit.kind == UnitKind.SECRETARIAT:
            return []
        if not roles_of(ctx.session, ctx.sender).acts_for(unit):
            return [messages.text(t.NOT_THIS_UNIT.format(unit=unit.name))]
        if ctx.sender is None or not ctx.sender.is_friend:
            return [messages.text(t.REPORT_NEED_FRIEND, [t.SUBMIT_REPORT])]
        registry.start_flow(ctx, FLOW, "month", {"unit_id": unit.id})
        ctx.push_to(ctx.user_id, _ask_month(ctx, unit))
        return [messages.text(t.REPORT_STARTED_IN_GROUP.format(unit=unit.name))]
    units = _units(ctx)
    if not units:
        return [messages.text(t.NOT_A_REPORTING_MEMBER, [t.NEWS, t.MY_SUMMARY])]
    if len(units) == 1:
        registry.start_flow(ctx, FLOW, "month", {"unit_id": units[0].id})
        return _ask_month(ctx, units[0])
    registry.start_flow(ctx, FLOW, "unit")
    return [messages.text(t.ASK_UNIT, [u.name for u in units[:12]] + [t.CANCEL])]


def _ask_month(ctx: Context, unit: RiskUnit, body: str = t.ASK_MONTH) -> list[Message]:
    return [messages.text(body, [label for label, _, _ in _month_choices(ctx, unit)] + [t.CANCEL])]


def _take_unit(ctx: Context, flow: Conversation) -> list[Message]:
    unit = next((u for u in _units(ctx) if u.name == ctx.text), None)
    if unit is None:
        return [messages.text(t.ASK_UNIT, [u.name for u in _units(ctx)[:12]] + [t.CANCEL])]
    conversation.advance(flow, "month", unit_id=unit.id)
    return _ask_month(ctx, unit)


def _unit(ctx: Context, flow: Conversation) -> RiskUnit:
    return ctx.session.get(RiskUnit, flow.data["unit_id"])


def _take_month(ctx: Context, flow: Conversation) -> list[Message]:
    unit = _unit(ctx, flow)
    if not roles_of(ctx.session, ctx.sender).acts_for(unit):
        conversation.finish(ctx, flow)
        return [messages.text(t.NOT_THIS_UNIT.format(unit=unit.name))]
    chosen = next(((y, m) for label, y, m in _month_choices(ctx, unit) if label == ctx.text), None)
    if chosen is None:
        return _ask_month(ctx, unit, t.MONTH_NOT_OFFERED)
    figures = unit_figures(ctx.session, unit, *chosen)
    conversation.advance(flow, "note", year=chosen[0], month=chosen[1], figures=figures)
    body = t.REPORT_FIGURES.format(month=month_label(*chosen), unit=unit.name, figures=describe(figures))
    return [messages.text(body, [t.NONE, t.CANCEL])]


def _take_note(ctx: Context, flow: Conversation) -> list[Message]:
    text = ctx.text
    if not text:
        return [messages.text(t.ASK_REPORT_CONFIRM.split("\n")[0], [t.NONE, t.CANCEL])]
    conversation.advance(flow, "confirm", note=None if text == t.NONE else text[:1000])
    return [_confirmation(flow, _unit(ctx, flow))]


def _take_confirmation(ctx: Context, flow: Conversation) -> list[Message]:
    if ctx.text == t.CONFIRM:
        return _submit(ctx, flow, _unit(ctx, flow))
    return [_confirmation(flow, _unit(ctx, flow))]


def _confirmation(flow: Conversation, unit: RiskUnit) -> Message:
    data = flow.data
    body = t.ASK_REPORT_CONFIRM.format(
        month=month_label(data["year"], data["month"]),
        unit=unit.name,
        figures=describe(data["figures"]),
        note=data.get("note") or "-",
    )
    return messages.text(body, [t.CONFIRM, t.CANCEL])


def submit(
    session, unit: RiskUnit, year: int, month: int, *, at, by: str | None, figures: dict, note: str | None
) -> tuple[MonthlySubmission, bool]:
    """Record a unit's month report; a second one revises it (the first submission time is kept)."""
    row = session.scalar(
        select(MonthlySubmission).where(
            MonthlySubmission.unit_id == unit.id, MonthlySubmission.year == year, MonthlySubmission.month == month
        )
    )
    if row is None:
        row = MonthlySubmission(unit_id=unit.id, year=year, month=month, submitted_at=at, submitted_by=by)
        session.add(row)
        revised = False
    else:
        row.revised_at, revised = at, True
    row.figures, row.note = figures, note
    session.flush()
    return row, revised


def _submit(ctx: Context, flow: Conversation, unit: RiskUnit) -> list[Message]:
    data = flow.data
    row, revised = submit(
        ctx.session,
        unit,
        data["year"],
        data["month"],
        at=ctx.sent_at,
        by=ctx.actor_name,
        figures=data["figures"],
        note=data.get("note"),
    )
    conversation.finish(ctx, flow)
    label = month_label(data["year"], data["month"])
    if revised:
        return [
            messages.text(t.REPORT_REVISED.format(month=label, unit=unit.name, first=thai_datetime(row.submitted_at)))
        ]
    deadline = month_deadline(ctx.session, data["year"], data["month"])
    if on_time(row.submitted_at, deadline):
        timing = t.ON_TIME
    else:
        timing = t.LATE.format(due=thai_long_date(deadline), time=f"{to_bangkok(deadline):%H:%M}")
    return [messages.text(t.REPORT_SUBMITTED.format(month=label, unit=unit.name, timing=timing))]


def register(registry: Registry) -> None:
    """Add the month report command and flow."""
    registry.command(t.SUBMIT_REPORT, interrupts=True)(partial(start, registry=registry))
    registry.flow(
        FLOW,
        steps={"unit": _take_unit, "month": _take_month, "note": _take_note, "confirm": _take_confirmation},
    )
