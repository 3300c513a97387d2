"""What the clock tells the secretariat: meetings behind the year's target, tasks coming due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.periods import Period
from models.settings import get_setting
from models.timeutil import BANGKOK, thai_date, thai_datetime
from models.workgroup import ActionItem, Meeting, MeetingStatus
from reports.network_kpi import counted_meetings
from texts import workgroup as t


@dataclass(frozen=True)
class MeetingsWarning:
    """The fiscal year is past its half with fewer counted meetings than level 4 needs."""

    fiscal_year: int
    held: int
    required: int
    planned: int
    next_planned_at: datetime | None
    days_left: int

    def text(self) -> str:
        """The warning in Thai, for the secretariat's LINE."""
        year_end = Period.of_fiscal_year(self.fiscal_year).last
        body = t.MEETINGS_BEHIND.format(
            fiscal_year=self.fiscal_year,
            held=self.held,
            required=self.required,
            days_left=self.days_left,
            year_end=thai_date(year_end),
        )
        if self.next_planned_at is not None:
            return body + "\n" + t.MEETINGS_PLANNED.format(count=self.planned, when=thai_datetime(self.next_planned_at))
        return body + "\n" + t.MEETINGS_NONE_PLANNED


def meetings_behind(session: Session, fiscal_year: int, today: date) -> MeetingsWarning | None:
    """A warning when today is past the fiscal year's half (from 1 April) and meetings are behind, else None."""
    year = Period.of_fiscal_year(fiscal_year)
    first, last = year.first, year.last
    half = date(last.year, 4, 1)
    if not (half <= today <= last):
        return None
    required = int(get_setting(session, "workgroup.min_meetings"))
    year_starts = datetime.combine(first, time.min, BANGKOK)
    tomorrow = datetime.combine(today + timedelta(days=1), time.min, BANGKOK)
    held = len(counted_meetings(session, year_starts, tomorrow))
    if held >= required:
        return None
    year_ends = datetime.combine(last + timedelta(days=1), time.min, BANGKOK)
    today_starts = datetime.combine(today, time.min, BANGKOK)
    planned = list(
        session.scalars(
            select(Meeting.starts_at)
            .where(Meeting.status == MeetingStatus.PLANNED)
            .where(Meeting.starts_at >= today_starts, Meeting.starts_at < year_ends)
            .order_by(Meeting.starts_at)
        )
    )
    return MeetingsWarning(
        fiscal_year=fiscal_year,
        held=held,
        required=required,
        planned=len(planned),
        next_planned_at=planned[0] if planned else None,
        days_left=(last - today).days,
    )


@dataclass(frozen=True)
class DueActionItem:
    """An open task from a meeting whose due date is near."""

    item_id: int
    meeting_id: int
    text: str
    agency: str | None
    due_on: date
    days_left: int


def action_items_due(session: Session, today: date, days_ahead: int) -> list[DueActionItem]:
    """Open tasks due from today to days_ahead days later (Bangkok dates), soonest first."""
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.done_at.is_(None), ActionItem.is_decision.is_(False))
        .where(ActionItem.due_on.is_not(None), ActionItem.due_on >= today)
        .where(ActionItem.due_on <= today + timedelta(days=days_ahead))
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    return [
        DueActionItem(
            item_id=item.id,
            meeting_id=item.meeting_id,
            text=item.text,
            agency=item.agency.name if item.agency else None,
            due_on=item.due_on,
            days_left=(item.due_on - today).days,
        )
        for item in items
    ]
