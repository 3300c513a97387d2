"""The working group's reminders, computed by services/workgroup/, sent by the clock.

- workgroup-meetings (the 1st of April to September, 08:30): the fiscal year is past its half and fewer
  meetings than required are recorded;
- workgroup-actions (daily 08:30): meeting action items due within ``workgroup.action_reminder_days``;
- workgroup-forwards (daily 09:30): each agency group that has not acknowledged a forward, reminded once.

The first two go to the staff who linked their LINE account (``services.workgroup.ops.secretariat_line_ids``),
or, when none has, to ``scheduler.recipients.secretariat``.
"""

from __future__ import annotations

import importlib.util

from models.timeutil import fiscal_year, to_bangkok
from scheduler.periods import Month, parse_day
from scheduler.policy import read
from scheduler.runner import JobContext
from scheduler.sender import Recipient

MODULES = ("services.workgroup.committees", "services.workgroup.forwards", "services.workgroup.ops")


def available() -> bool:
    """Whether the working group's modules are installed."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in MODULES)
    except ModuleNotFoundError:
        return False


def _secretariat(ctx: JobContext) -> list[Recipient]:
    from services.workgroup.ops import secretariat_line_ids

    with ctx.session() as session:
        linked = [Recipient(line_id) for line_id in secretariat_line_ids(session)]
    return linked or ctx.recipients("secretariat")


def meetings_behind(ctx: JobContext, period: str) -> str:
    """Past the fiscal year's half with too few meetings: one warning to the secretariat."""
    from services.workgroup.committees import meetings_behind as behind

    day = Month.parse(period).day(1)
    with ctx.session() as session:
        warning = behind(session, fiscal_year(day), day)
    if warning is None:
        return "enough meetings"
    ctx.send.to_all(_secretariat(ctx), warning.messages())
    return f"{warning.held}/{warning.required} meetings"


def action_items(ctx: JobContext, period: str) -> str:
    """Action items due soon: one summary to the secretariat."""
    from services.workgroup.committees import action_items_due, action_items_messages

    day = parse_day(period)
    with ctx.session() as session:
        items = action_items_due(session, day, int(read(session, "workgroup.action_reminder_days", 3)))
    if items:
        ctx.send.to_all(_secretariat(ctx), action_items_messages(items))
    return f"{len(items)} items due"


def forward_reminders(ctx: JobContext, period: str) -> str:
    """Unacknowledged forwards: each agency group reminded once (queued with the change that records it)."""
    from services.workgroup.forwards import remind_unacknowledged

    with ctx.session() as session:
        pushes = remind_unacknowledged(session, ctx.now)
    return f"{pushes} reminders queued ({to_bangkok(ctx.now):%H:%M})"
