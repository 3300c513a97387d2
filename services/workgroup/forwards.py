"""Forwarding reports or a meeting's results to agencies by LINE or by letter.

Quota: a push to a group counts one message per member, and up to five message objects in one
push count once. So each agency group gets ONE notice per forward (the summary of every report and
the acknowledgement buttons together, see line/workgroup_cards.py), agencies sharing a group share it,
and reminders go once. The summary agencies read is written by the caller's ``summarise`` (it measures
LINE's limits) and kept on the forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Chat, LetterKind, NewsReport, OutgoingLetter, ReportStatus
from models.counters import next_number
from models.timeutil import fiscal_year
from models.workgroup import Agency, Forward, ForwardKind, ForwardRecipient, ForwardReport, Meeting
from reports.documents.forward_letter import addressee
from reports.network_kpi import MEETING_KINDS
from services.letters import issue_number
from services.network.news_reports import tell_reporter
from services.notices import ForwardReminder, ForwardSent, Notify
from services.workgroup.errors import WorkgroupError
from services.workgroup.meetings import bangkok_day, get_meeting

# (session, forward, its reports, its meeting or None) -> the text every agency of the forward reads
Summarise = Callable[[Session, Forward, list[NewsReport], Meeting | None], str]


# --- creating a forward --------------------------------------------------------------------------


def forward_reports(
    session: Session,
    *,
    report_ids: list[int],
    agency_ids: list[int],
    subject: str,
    by: str,
    now: datetime,
    notify: Notify,
    summarise: Summarise,
    note: str | None = None,
    via_line: bool = True,
    via_letter: bool = False,
    deliver: bool = True,
    letter_numbers: dict[int, int] | None = None,
) -> Forward:
    """Pass one or several network reports to one or several agencies (deliver=False: record only).

    ``letter_numbers``: agency id -> the number its letter was given before FieldLine (recorded later).
    """
    reports = [session.get(NewsReport, report_id) for report_id in dict.fromkeys(report_ids)]
    if not reports or any(report is None or report.ref_no is None for report in reports):
        raise WorkgroupError("กรุณาเลือกข่าวที่จะส่งต่อ")
    sending = _Sending(via_line, via_letter, deliver, notify, summarise, letter_numbers or {})
    return _create(session, ForwardKind.REPORTS, reports, None, agency_ids, subject, note, sending, by, now)


def forward_meeting(
    session: Session,
    *,
    meeting_id: int,
    agency_ids: list[int],
    by: str,
    now: datetime,
    notify: Notify,
    summarise: Summarise,
    subject: str | None = None,
    note: str | None = None,
    via_line: bool = True,
    via_letter: bool = False,
    deliver: bool = True,
    letter_numbers: dict[int, int] | None = None,
) -> Forward:
    """Pass a meeting's decisions, tasks and target districts to agencies (deliver=False: record only)."""
    meeting = get_meeting(session, meeting_id)
    reports = [session.get(NewsReport, link.report_id) for link in meeting.report_links]
    subject = subject or meeting_subject(meeting)
    sending = _Sending(via_line, via_letter, deliver, notify, summarise, letter_numbers or {})
    return _create(session, ForwardKind.MEETING, reports, meeting, agency_ids, subject, note, sending, by, now)


def meeting_subject(meeting: Meeting) -> str:
    """The default subject of a meeting's results, e.g. 'แจ้งผลการประชุมคณะทำงานชุดย่อย ครั้งที่ 1'."""
    if meeting.title.startswith("ประชุม"):
        return f"แจ้งผลการ{meeting.title}"
    return f"แจ้งผลการประชุม{MEETING_KINDS[meeting.kind]} {meeting.title}"


@dataclass(frozen=True)
class _Sending:
    """How a forward goes: by LINE and/or letter, sent or only recorded, and the caller's notify and summarise."""

    via_line: bool
    via_letter: bool
    deliver: bool
    notify: Notify
    summarise: Summarise
    letter_numbers: dict[int, int]  # agency id -> a number given by hand (letters sent before FieldLine)


def _create(
    session: Session,
    kind: ForwardKind,
    reports: list[NewsReport],
    meeting: Meeting | None,
    agency_ids: list[int],
    subject: str,
    note: str | None,
    sending: _Sending,
    by: str,
    now: datetime,
) -> Forward:
    via_line, via_letter = sending.via_line, sending.via_letter
    agencies = [session.get(Agency, agency_id) for agency_id in dict.fromkeys(agency_ids)]
    if not agencies or any(agency is None for agency in agencies):
        raise WorkgroupError("กรุณาเลือกหน่วยงานที่จะส่งถึง")
    if not via_line and not via_letter:
        raise WorkgroupError("กรุณาเลือกช่องทางส่ง: LINE หรือหนังสือ")
    if not subject.strip():
        raise WorkgroupError("กรุณาระบุเรื่อง")
    year = fiscal_year(bangkok_day(now))
    forward = Forward(
        ref_no=f"FW-{year}-{next_number(session, 'FW', year):04d}",
        fiscal_year=year,
        kind=kind,
        meeting_id=meeting.id if meeting else None,
        subject=subject.strip()[:300],
        note=(note or "").strip() or None,
        summary="",
        via_line=via_line,
        via_letter=via_letter,
        sent_at=now,
        created_by=by,
    )
    session.add(forward)
    session.flush()
    for report in reports:
        session.add(ForwardReport(forward_id=forward.id, report_id=report.id))
        if report.status in (ReportStatus.NEW, ReportStatus.RECEIVED):
            report.status = ReportStatus.FORWARDED
            if sending.deliver:  # the sender hears it, as they would from a ticket system (not when backdated)
                tell_reporter(session, report, "forwarded", sending.notify)
    forward.summary = sending.summarise(session, forward, reports, meeting)
    for agency in agencies:
        group = agency_group(session, agency) if via_line else None
        recipient = ForwardRecipient(forward_id=forward.id, agency_id=agency.id)
        recipient.line_chat_id = group.line_chat_id if group else None
        if via_letter or group is None:  # an agency LINE cannot reach gets a letter instead
            number = sending.letter_numbers.get(agency.id)
            recipient.letter_id = issue_letter(session, forward, agency, by, now, number=number).id
        session.add(recipient)
    session.flush()
    session.refresh(forward, ["recipients", "report_links"])
    if via_line:
        reached = [r for r in forward.recipients if r.line_chat_id]
        notify_groups(session, forward, reached, sending.notify, reminder=False, deliver=sending.deliver)
    return forward


def issue_letter(
    session: Session, forward: Forward, agency: Agency, by: str, now: datetime, *, number: int | None = None
) -> OutgoingLetter:
    """Enter the letter to one agency in the office's register (the number every kind of letter shares)."""
    return issue_number(session, LetterKind.FORWARD, forward.subject, addressee(agency), by, now, number=number)


def agency_group(session: Session, agency: Agency) -> Chat | None:
    """The agency's registered LINE group the bot is still in, or None."""
    chat = session.get(Chat, agency.chat_id) if agency.chat_id else None
    if chat is None or not chat.is_registered or not chat.is_member or chat.purpose != "agency":
        return None
    return chat


def notify_groups(
    session: Session,
    forward: Forward,
    recipients: list[ForwardRecipient],
    notify: Notify,
    *,
    reminder: bool,
    deliver: bool = True,
) -> int:
    """One notice per agency group: the summary (or reminder) with the acknowledgement buttons."""
    pushes = 0
    ordered = sorted(recipients, key=lambda r: (r.line_chat_id or "", r.id))
    for chat_id, members in groupby(ordered, key=lambda r: r.line_chat_id):
        group = tuple(members)
        if deliver:  # deliver=False records only; whether it may wait for next month's quota is the notifier's
            notify(chat_id, ForwardReminder(forward, group) if reminder else ForwardSent(forward, group))
        chat = session.scalar(select(Chat).where(Chat.line_chat_id == chat_id))
        if not reminder:
            group[0].line_cost = (chat.member_count if chat and chat.member_count else 1) if chat else 1
        pushes += 1
    return pushes


@dataclass(frozen=True)
class QuotaEstimate:
    """What a forward by LINE would cost: pushes, messages counted, and agencies LINE cannot reach."""

    pushes: int
    messages: int
    unreachable: list[str]


def quota_estimate(session: Session, agency_ids: list[int]) -> QuotaEstimate:
    """Messages a forward would count against the month's quota (one per member of each group, once)."""
    groups: dict[int, int] = {}
    unreachable = []
    for agency_id in dict.fromkeys(agency_ids):
        agency = session.get(Agency, agency_id)
        if agency is None:
            continue
        chat = agency_group(session, agency)
        if chat is None:
            unreachable.append(agency.name)
        else:
            groups[chat.id] = chat.member_count or 1
    return QuotaEstimate(len(groups), sum(groups.values()), unreachable)


def forwards_statement(fiscal_year: int | None = None):
    """Forwards, newest first, optionally of one fiscal year (a select, for paging)."""
    statement = select(Forward).order_by(Forward.sent_at.desc(), Forward.id.desc())
    if fiscal_year is not None:
        statement = statement.where(Forward.fiscal_year == fiscal_year)
    return statement
