"""What "สรุปของฉัน" shows a volunteer (their reports and where each stands) and the secretariat (today's counts).

Queries only; the cards are line/summary_cards.py. "Today" is the Bangkok day of the moment given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Defect,
    DefectStatus,
    Member,
    NewsReport,
    OrderStatus,
    PatrolCheck,
    ReportCategory,
    WorkOrder,
)
from models.outbox import OutboxStatus, OutgoingMessage
from models.timeutil import BANGKOK, to_bangkok
from reports.riskpoint_month import month_label, units_expected, units_pending
from services.network.report_status import SHOWN_STATUSES, Step, histories, stage_of
from services.workgroup.meetings import waiting_reports_statement

PAGE_SIZE = 10
PHOTO_KINDS = ("image",)


@dataclass(frozen=True)
class ReportLine:
    """One of the volunteer's reports as the summary shows it."""

    report: NewsReport
    category: str | None
    stage: str
    steps: list[Step]


@dataclass(frozen=True)
class ReportPage:
    """One page of the volunteer's reports, newest first."""

    lines: list[ReportLine]
    page: int
    total: int

    @property
    def more(self) -> int:
        """How many reports come after this page."""
        return max(self.total - (self.page + 1) * PAGE_SIZE, 0)


def _own_reports(member: Member):
    return select(NewsReport).where(
        NewsReport.reporter_id == member.id, NewsReport.ref_no.is_not(None), NewsReport.status.in_(SHOWN_STATUSES)
    )


def report_count(session: Session, member: Member | None) -> int:
    """How many reports a person has sent (drafts and withdrawn ones not counted)."""
    if member is None or member.id is None:
        return 0
    query = select(func.count()).select_from(_own_reports(member).subquery())
    return session.scalar(query) or 0


def report_page(session: Session, member: Member, page: int = 0) -> ReportPage:
    """A page of a person's own reports, newest first, each with its stage and history."""
    page = max(page, 0)
    query = (
        _own_reports(member)
        .order_by(NewsReport.started_at.desc(), NewsReport.id.desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    reports = list(session.scalars(query))
    return ReportPage(_lines(session, reports), page, report_count(session, member))


def own_report(session: Session, member: Member | None, report_id: int) -> ReportLine | None:
    """One of the person's own reports with its history (None when it is not theirs)."""
    report = session.get(NewsReport, report_id)
    if member is None or report is None or report.reporter_id != member.id or report.status not in SHOWN_STATUSES:
        return None
    return _lines(session, [report])[0]


def _lines(session: Session, reports: list[NewsReport]) -> list[ReportLine]:
    names = dict(session.execute(select(ReportCategory.code, ReportCategory.name)).all())
    found = histories(session, reports)
    return [
        ReportLine(report, names.get(report.category_code), stage_of(found[report.id]), found[report.id])
        for report in reports
    ]


def report_text(report: NewsReport) -> str:
    """The text the sender wrote (messages they did not unsend), joined."""
    return "\n".join(i.text for i in report.items if i.kind == "text" and i.text and i.unsent_at is None)


def report_place(report: NewsReport) -> tuple[str | None, bool]:
    """The place named in a report (its text or a shared address), and whether a map location was sent."""
    located = [i for i in report.items if i.kind == "location" and i.unsent_at is None]
    named = report.place or next((i.address for i in located if i.address), None)
    return named, bool(located) or report.latitude is not None


def photo_count(report: NewsReport) -> int:
    """How many photos a report holds."""
    return sum(1 for item in report.items if item.kind in PHOTO_KINDS and item.unsent_at is None)


# --- the secretariat ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretariatCounts:
    """Today's figures and what waits for the secretariat."""

    day: date
    reports_today: int
    checks_today: int
    open_defects: int
    open_orders: int
    month: str
    month_missing: int
    month_expected: int
    waiting_reports: int
    undelivered: int


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start and end of a Bangkok day."""
    start = datetime.combine(day, time(0), BANGKOK)
    return start, start + timedelta(days=1)


def last_month(day: date) -> tuple[int, int]:
    """The month that ended last (the one whose month report is due)."""
    first = day.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def secretariat_counts(session: Session, now: datetime) -> SecretariatCounts:
    """The secretariat's counts for the Bangkok day of `now`."""
    day = to_bangkok(now).date()
    start, end = day_bounds(day)
    count = lambda query: session.scalar(query) or 0  # noqa: E731 - a local shorthand
    reports = select(func.count(NewsReport.id)).where(
        NewsReport.ref_no.is_not(None),
        NewsReport.status.in_(SHOWN_STATUSES),
        NewsReport.started_at >= start,
        NewsReport.started_at < end,
    )
    checks = select(func.count(PatrolCheck.id)).where(PatrolCheck.checked_at >= start, PatrolCheck.checked_at < end)
    defects = select(func.count(Defect.id)).where(Defect.status == DefectStatus.OPEN)
    orders = select(func.count(WorkOrder.id)).where(WorkOrder.status != OrderStatus.CLOSED)
    waiting = select(func.count()).select_from(waiting_reports_statement().order_by(None).subquery())
    undelivered = select(func.count(OutgoingMessage.id)).where(
        OutgoingMessage.status.in_((OutboxStatus.FAILED, OutboxStatus.PARKED))
    )
    year, month = last_month(day)
    return SecretariatCounts(
        day=day,
        reports_today=count(reports),
        checks_today=count(checks),
        open_defects=count(defects),
        open_orders=count(orders),
        month=month_label(year, month),
        month_missing=len(units_pending(session, year, month)),
        month_expected=len(units_expected(session)),
        waiting_reports=count(waiting),
        undelivered=count(undelivered),
    )
