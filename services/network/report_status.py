"""Where a network report stands for its sender: received, considered at a meeting, forwarded, acted on.

One decision (``stage_of``) from one history (``histories``): the report's sending, the held meetings it was
linked to (MeetingReport), the forwards it went out in (ForwardReport) and the measures agencies recorded
against those forwards. The stage keys "received" and "forwarded" are those of texts.network.STATUS_UPDATES.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import NewsReport, ReportStatus
from models.workgroup import Forward, ForwardReport, Measure, Meeting, MeetingReport, MeetingStatus

STAGES = ("received", "considered", "forwarded", "acted")
RANK = {key: rank for rank, key in enumerate(STAGES)}
AT_LEAST = {ReportStatus.FORWARDED: "forwarded"}  # the secretariat told the sender by hand (no forward row)
EARLIEST = datetime.min.replace(tzinfo=UTC)
SHOWN_STATUSES = (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.FORWARDED, ReportStatus.CLOSED)


@dataclass(frozen=True)
class Step:
    """One step of a report's history: the stage reached and when (None: told by hand, date unknown)."""

    key: str
    at: datetime | None


def histories(session: Session, reports: Iterable[NewsReport]) -> dict[int, list[Step]]:
    """Each report's steps in time order, with three queries for any number of reports."""
    reports = list(reports)
    ids = [report.id for report in reports]
    steps: dict[int, list[Step]] = {report.id: [Step("received", report.started_at)] for report in reports}
    if not ids:
        return steps
    considered = session.execute(
        select(MeetingReport.report_id, Meeting.starts_at)
        .join(Meeting, Meeting.id == MeetingReport.meeting_id)
        .where(MeetingReport.report_id.in_(ids), Meeting.status == MeetingStatus.HELD)
    )
    for report_id, at in considered:
        steps[report_id].append(Step("considered", at))
    forwards = session.execute(
        select(ForwardReport.report_id, Forward.id, Forward.sent_at)
        .join(Forward, Forward.id == ForwardReport.forward_id)
        .where(ForwardReport.report_id.in_(ids))
    ).all()
    reports_of: dict[int, list[int]] = {}
    for report_id, forward_id, at in forwards:
        steps[report_id].append(Step("forwarded", at))
        reports_of.setdefault(forward_id, []).append(report_id)
    if reports_of:
        measures = session.execute(
            select(Measure.forward_id, Measure.recorded_at).where(Measure.forward_id.in_(list(reports_of)))
        )
        for forward_id, at in measures:
            for report_id in reports_of[forward_id]:
                steps[report_id].append(Step("acted", at))
    for report in reports:
        floor = AT_LEAST.get(report.status)
        if floor and all(RANK[step.key] < RANK[floor] for step in steps[report.id]):
            steps[report.id].append(Step(floor, None))
    return {report_id: _ordered(found) for report_id, found in steps.items()}


def _ordered(steps: list[Step]) -> list[Step]:
    """Time order; an undated step after the dated ones; the same stage on the same moment once."""
    unique = list(dict.fromkeys(steps))
    return sorted(unique, key=lambda step: (step.at is None, step.at or EARLIEST, RANK[step.key]))


def stage_of(steps: Iterable[Step]) -> str:
    """The furthest stage a report's history reached (the one function deciding a report's status)."""
    return max((step.key for step in steps), key=RANK.__getitem__, default="received")


def report_history(session: Session, report: NewsReport) -> list[Step]:
    """One report's history."""
    return histories(session, [report])[report.id]


def report_stage(session: Session, report: NewsReport) -> str:
    """One report's stage key (one of STAGES)."""
    return stage_of(report_history(session, report))
