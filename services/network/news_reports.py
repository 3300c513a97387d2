"""Rules on a network report: its category, telling the sender where it stands, and reports near it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, NewsReport, ReportCategory, ReportLink, ReportStatus
from models.settings import get_setting
from services.geo import distance_m
from services.network.errors import NetworkError
from services.notices import Notify, StatusUpdated
from texts import network as t


def set_category(session: Session, report_id: int, code: str, *, by: str) -> NewsReport:
    """The secretariat's category for a report (it replaces the suggestion)."""
    report = session.get(NewsReport, report_id)
    if report is None or session.get(ReportCategory, code) is None:
        raise NetworkError("ไม่พบข่าวหรือหมวดหมู่นี้")
    report.category_code, report.category_set_by = code, by
    return report


def send_status_update(session: Session, report_id: int, key: str, notify: Notify, *, by: str) -> bool:
    """Tell a report's sender where it stands (a push: counts against the quota); False if unreachable."""
    report = session.get(NewsReport, report_id)
    if report is None or key not in t.STATUS_UPDATES:
        raise NetworkError("ไม่พบข่าวหรือข้อความสถานะนี้")
    if key == "received" and report.status == ReportStatus.NEW:
        report.status = ReportStatus.RECEIVED
    if key == "forwarded":
        report.status = ReportStatus.FORWARDED
    return tell_reporter(session, report, key, notify)


def tell_reporter(session: Session, report: NewsReport, key: str, notify: Notify) -> bool:
    """Push a report's new status to its sender if they are still a friend of the bot; False if not."""
    reporter = session.get(Member, report.reporter_id) if report.reporter_id else None
    if reporter is None or not reporter.is_friend:
        return False
    notify(reporter.line_user_id, StatusUpdated(report, key))
    return True


def link_as_duplicates(session: Session, report_ids: list[int]) -> tuple[NewsReport, int]:
    """Link reports the secretariat judged the same news: each to the earliest of them (the rule of
    ReportLink: the lower id first, one link per pair). Returns the earliest report and the links added."""
    reports = [session.get(NewsReport, report_id) for report_id in dict.fromkeys(report_ids)]
    if len(reports) < 2 or any(report is None or report.ref_no is None for report in reports):
        raise NetworkError("กรุณาเลือกข่าวที่ยืนยันแล้วอย่างน้อย 2 ข่าวเพื่อเชื่อมเป็นข่าวเดียวกัน")
    first = min(reports, key=lambda report: (report.started_at, report.id))
    added = 0
    for other in reports:
        if other.id == first.id:
            continue
        low, high = sorted((first.id, other.id))
        exists = session.scalar(select(ReportLink).where(ReportLink.report_id == low, ReportLink.other_id == high))
        if exists is None:
            distance = None
            if None not in (first.latitude, first.longitude, other.latitude, other.longitude):
                distance = distance_m(first.latitude, first.longitude, other.latitude, other.longitude)
            minutes = abs((other.started_at - first.started_at).total_seconds()) / 60
            session.add(ReportLink(report_id=low, other_id=high, distance_m=distance, minutes_apart=minutes))
            added += 1
    session.flush()
    return first, added


def link_duplicates(session: Session, report: NewsReport) -> None:
    """Link reports near this one in place and time as possible duplicates."""
    if report.latitude is None or report.longitude is None or report.ref_no is None:
        return
    radius = float(get_setting(session, "network.duplicate_radius_m"))
    hours = float(get_setting(session, "network.duplicate_hours"))
    window = timedelta(hours=hours)
    others = session.scalars(
        select(NewsReport).where(
            NewsReport.id != report.id,
            NewsReport.latitude.is_not(None),
            NewsReport.ref_no.is_not(None),
            NewsReport.started_at.between(report.started_at - window, report.started_at + window),
        )
    )
    for other in others:
        distance = distance_m(report.latitude, report.longitude, other.latitude, other.longitude)
        if distance > radius:
            continue
        first, second = sorted((report.id, other.id))
        exists = session.scalar(select(ReportLink).where(ReportLink.report_id == first, ReportLink.other_id == second))
        if exists is None:
            minutes = abs((report.started_at - other.started_at).total_seconds()) / 60
            session.add(ReportLink(report_id=first, other_id=second, distance_m=distance, minutes_apart=minutes))
