"""The working group's reminders, computed by services/workgroup/, sent by the clock.

- workgroup-meetings (the 1st of April to September, 08:30): the fiscal year is past its half and fewer
  meetings than required are recorded;
- workgroup-actions (daily 08:30): meeting action items due within ``workgroup.action_reminder_days``;
- workgroup-forwards (daily 09:30): each agency group that has not acknowledged a forward, reminded once.

The first two go to the staff who linked their LINE account (``services.workgroup.staff.secretariat_line_ids``),
or, when none has, to ``scheduler.recipients.secretariat``.
"""

from __future__ import annotations

from line.workgroup_cards import action_items_messages, meetings_warning_messages
from models.periods import Period
from models.timeutil import fiscal_year, to_bangkok
from runtime.delivery import notifier
from scheduler.context import JobContext
from scheduler.periods import parse_day
from scheduler.policy import read
from scheduler.sender import Recipient
from services.workgroup.acknowledgements import remind_unacknowledged
from services.workgroup.reminders import action_items_due
from services.workgroup.reminders import meetings_behind as behind
from services.workgroup.staff import secretariat_line_ids


def _secretariat(ctx: JobContext) -> list[Recipient]:
    with ctx.session() as session:
        linked = [Recipient(line_id) for line_id in secretariat_line_ids(session)]
    return linked or ctx.recipients("secretariat")


def meetings_behind(ctx: JobContext, period: str) -> str:
    """Past the fiscal year's half with too few meetings: one warning to the secretariat."""
    day = Period.parse_month(period).day(1)
    with ctx.session() as session:
        warning = behind(session, fiscal_year(day), day)
    if warning is None:
        return "enough meetings"
    ctx.send.to_all(_secretariat(ctx), meetings_warning_messages(warning))
    return f"{warning.held}/{warning.required} meetings"


def action_items(ctx: JobContext, period: str) -> str:
    """Action items due soon: one summary to the secretariat."""
    day = parse_day(period)
    with ctx.session() as session:
        items = action_items_due(session, day, int(read(session, "workgroup.action_reminder_days", 3)))
    if items:
        ctx.send.to_all(_secretariat(ctx), action_items_messages(items))
    return f"{len(items)} items due"


def forward_reminders(ctx: JobContext, period: str) -> str:
    """Unacknowledged forwards: each agency group reminded once (queued with the change that records it)."""
    with ctx.session() as session:
        pushes = remind_unacknowledged(session, ctx.now, notifier(session, "forward-reminder", urgent=False))
    return f"{pushes} reminders queued ({to_bangkok(ctx.now):%H:%M})"
