"""What a meeting decided and the tasks it gave agencies, with due dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from models.workgroup import ActionItem, Agency
from services.workgroup.errors import WorkgroupError, get_or_refuse
from services.workgroup.meetings import get_meeting


def add_action_item(
    session: Session,
    meeting_id: int,
    *,
    text: str,
    is_decision: bool = False,
    agency_id: int | None = None,
    due_on: date | None = None,
) -> ActionItem:
    """Record a decision of a meeting, or a task with the agency responsible and its due date."""
    get_meeting(session, meeting_id)
    if not text.strip():
        raise WorkgroupError("กรุณาระบุมติหรืองานที่มอบหมาย")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise WorkgroupError("ไม่พบหน่วยงานผู้รับผิดชอบ")
    item = ActionItem(meeting_id=meeting_id, text=text.strip(), is_decision=is_decision, agency_id=agency_id)
    item.due_on = None if is_decision else due_on
    session.add(item)
    session.flush()
    return item


def complete_action_item(session: Session, item_id: int, now: datetime) -> ActionItem:
    """Mark a task done (no more reminders)."""
    item = get_or_refuse(session, ActionItem, item_id, "ไม่พบงานนี้")
    item.done_at = item.done_at or now
    return item
