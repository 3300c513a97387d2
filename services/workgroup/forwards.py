"""Forwarding reports or a meeting's results to agencies, their acknowledgements, reminders and measures.

Quota: a push to a group counts one message per member, and up to five message objects in one
push count once. So each agency group gets ONE push per forward (the summary of every report and
the acknowledgement button together), agencies sharing a group share it, and reminders go once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from linebot.v3.messaging import ButtonsTemplate, Message, PostbackAction, TemplateMessage
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handlers.news_reports import report_text
from handlers.workgroup import ACK_ACTION
from line.messages import MAX_TEXT_UTF16, text, utf16_length
from models import Chat, NewsReport, ReportCategory, ReportStatus
from models.counters import next_number
from models.settings import get_setting
from models.timeutil import fiscal_year, thai_date
from models.workgroup import (
    Agency,
    Forward,
    ForwardKind,
    ForwardRecipient,
    ForwardReport,
    Meeting,
)
from reports.network_kpi import MEETING_KINDS
from runtime import delivery
from services.workgroup.committees import bangkok_day, get_meeting
from services.workgroup.ops import WorkgroupError
from texts import workgroup as t

BUTTONS_PER_TEMPLATE = 4
SUMMARY_LIMIT = MAX_TEXT_UTF16 - 200
GIST_LENGTH = 150


# --- creating a forward --------------------------------------------------------------------------


def forward_reports(
    session: Session,
    *,
    report_ids: list[int],
    agency_ids: list[int],
    subject: str,
    by: str,
    now: datetime,
    note: str | None = None,
    via_line: bool = True,
    via_letter: bool = False,
    deliver: bool = True,
) -> Forward:
    """Pass one or several network reports to one or several agencies (deliver=False: record only)."""
    reports = [session.get(NewsReport, report_id) for report_id in dict.fromkeys(report_ids)]
    if not reports or any(report is None or report.ref_no is None for report in reports):
        raise WorkgroupError("กรุณาเลือกข่าวที่จะส่งต่อ")
    channels = (via_line, via_letter, deliver)
    return _create(session, ForwardKind.REPORTS, reports, None, agency_ids, subject, note, channels, by, now)


def forward_meeting(
    session: Session,
    *,
    meeting_id: int,
    agency_ids: list[int],
    by: str,
    now: datetime,
    subject: str | None = None,
    note: str | None = None,
    via_line: bool = True,
    via_letter: bool = False,
    deliver: bool = True,
) -> Forward:
    """Pass a meeting's decisions, tasks and target districts to agencies (deliver=False: record only)."""
    meeting = get_meeting(session, meeting_id)
    reports = [session.get(NewsReport, link.report_id) for link in meeting.report_links]
    subject = subject or meeting_subject(meeting)
    channels = (via_line, via_letter, deliver)
    return _create(session, ForwardKind.MEETING, reports, meeting, agency_ids, subject, note, channels, by, now)


def meeting_subject(meeting: Meeting) -> str:
    """The default subject of a meeting's results, e.g. 'แจ้งผลการประชุมคณะทำงานชุดย่อย ครั้งที่ 1'."""
    if meeting.title.startswith("ประชุม"):
        return f"แจ้งผลการ{meeting.title}"
    return f"แจ้งผลการประชุม{MEETING_KINDS[meeting.kind]} {meeting.title}"


def _create(
    session: Session,
    kind: ForwardKind,
    reports: list[NewsReport],
    meeting: Meeting | None,
    agency_ids: list[int],
    subject: str,
    note: str | None,
    channels: tuple[bool, bool, bool],
    by: str,
    now: datetime,
) -> Forward:
    via_line, via_letter, deliver = channels
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
    forward.summary = summary_text(session, forward, reports, meeting)
    for agency in agencies:
        group = agency_group(session, agency) if via_line else None
        recipient = ForwardRecipient(forward_id=forward.id, agency_id=agency.id)
        recipient.line_chat_id = group.line_chat_id if group else None
        if via_letter or group is None:  # an agency LINE cannot reach gets a letter instead
            recipient.letter_no = next_letter_no(session, year)
        session.add(recipient)
    session.flush()
    session.refresh(forward, ["recipients", "report_links"])
    if via_line:
        reached = [r for r in forward.recipients if r.line_chat_id]
        _push_to_groups(session, forward, reached, reminder=False, deliver=deliver)
    return forward


def next_letter_no(session: Session, year: int) -> str:
    """The next letter number of a fiscal year, e.g. 'กท/15' (the prefix is a setting)."""
    prefix = str(get_setting(session, "workgroup.letter_prefix")).strip()
    return f"{prefix}/{next_number(session, 'WG-LETTER', year)}"


def agency_group(session: Session, agency: Agency) -> Chat | None:
    """The agency's registered LINE group the bot is still in, or None."""
    chat = session.get(Chat, agency.chat_id) if agency.chat_id else None
    if chat is None or not chat.is_registered or not chat.is_member or chat.purpose != "agency":
        return None
    return chat


# --- what the agencies read ----------------------------------------------------------------------


def _category(session: Session, report: NewsReport) -> str:
    category = session.get(ReportCategory, report.category_code) if report.category_code else None
    return category.name if category else t.UNCATEGORISED


def _gist(report: NewsReport) -> str:
    words = " ".join(report_text(report).split())
    if report.place:
        words = f"{words} (สถานที่: {' '.join(report.place.split())[:80]})".strip()
    return words[:GIST_LENGTH] + ("…" if len(words) > GIST_LENGTH else "")


def summary_text(session: Session, forward: Forward, reports: list[NewsReport], meeting: Meeting | None) -> str:
    """The one message every agency of a forward reads (never the reporters' identities), within LINE's limit."""
    office = get_setting(session, "workgroup.office_name")
    date = thai_date(forward.sent_at)
    head = [t.FORWARD_HEADER.format(subject=forward.subject, ref=forward.ref_no, date=date, office=office), ""]
    tail = ["", t.FORWARD_NOTE.format(note=forward.note)] if forward.note else []
    tail += ["", t.FORWARD_REQUEST.format(ref=forward.ref_no)]
    if meeting is not None:
        middle = meeting_lines(meeting)
    else:
        middle = _report_lines(session, reports, SUMMARY_LIMIT - utf16_length("\n".join(head + tail)))
    body = "\n".join(head + middle)
    room = SUMMARY_LIMIT - utf16_length("\n".join(["", *tail]))
    if utf16_length(body) > room:  # a meeting with very many tasks: cut, the letter has them all
        body = body[: max(room - 1, 0)].rstrip() + "…"
    return "\n".join([body, *tail])


def _report_lines(session: Session, reports: list[NewsReport], room: int) -> list[str]:
    """Each report in two lines, as many as the setting and the room allow, then how many more."""
    limit = int(get_setting(session, "workgroup.forward_max_reports"))
    lines = [t.FORWARD_REPORTS_INTRO.format(count=len(reports))]
    used = utf16_length(lines[0]) + 1
    shown = 0
    for number, report in enumerate(reports[:limit], start=1):
        district = f" · เขต{report.district}" if report.district else ""
        entry = [
            t.FORWARD_REPORT_LINE.format(
                number=number,
                ref=report.ref_no,
                date=thai_date(report.started_at, short=True),
                category=_category(session, report),
                district=district,
            )
        ]
        gist = _gist(report)
        if gist:
            entry.append(t.FORWARD_REPORT_GIST.format(gist=gist))
        size = utf16_length("\n".join(entry)) + 1
        more_line = utf16_length(t.FORWARD_REPORTS_MORE.format(more=len(reports))) + 1
        if used + size + more_line > room:
            break
        lines += entry
        used += size
        shown += 1
    if shown < len(reports):
        lines.append(t.FORWARD_REPORTS_MORE.format(more=len(reports) - shown))
    return lines


def meeting_lines(meeting: Meeting) -> list[str]:
    """A meeting's results as lines: decisions, tasks with agency and due date, target districts."""
    lines = [
        t.FORWARD_MEETING_INTRO.format(
            kind=MEETING_KINDS[meeting.kind], title=meeting.title, date=thai_date(meeting.starts_at)
        )
    ]
    decisions = [item for item in meeting.items if item.is_decision]
    tasks = [item for item in meeting.items if not item.is_decision]
    if decisions:
        lines.append(t.FORWARD_DECISIONS)
        lines += [f"{number}) {item.text}" for number, item in enumerate(decisions, start=1)]
    if tasks:
        lines.append(t.FORWARD_ACTIONS)
        for item in tasks:
            due = t.FORWARD_DUE.format(date=thai_date(item.due_on)) if item.due_on else ""
            agency = item.agency.name if item.agency else t.NO_AGENCY
            lines.append(t.FORWARD_ACTION_LINE.format(text=item.text, agency=agency, due=due))
    if meeting.target_districts:
        lines.append(t.FORWARD_TARGETS.format(districts=" ".join(f"เขต{name}" for name in meeting.target_districts)))
    return lines


def ack_templates(recipients: list[ForwardRecipient], ref: str) -> list[TemplateMessage]:
    """Buttons to acknowledge: one per agency in the group, four to a template."""
    templates = []
    for start in range(0, len(recipients), BUTTONS_PER_TEMPLATE):
        chunk = recipients[start : start + BUTTONS_PER_TEMPLATE]
        actions = [
            PostbackAction(
                label=(t.ACK_LABEL if len(recipients) == 1 else t.ACK_LABEL_FOR.format(agency=_short(r.agency)))[:20],
                data=f"action={ACK_ACTION}&r={r.id}",
                display_text=t.ACK_DISPLAY.format(ref=ref),
            )
            for r in chunk
        ]
        templates.append(
            TemplateMessage(
                alt_text=t.ACK_ALT.format(ref=ref),
                template=ButtonsTemplate(text=t.ACK_PROMPT.format(ref=ref)[:160], actions=actions),
            )
        )
    return templates


def _short(agency: Agency) -> str:
    return agency.short_name or agency.name


def _push_to_groups(
    session: Session, forward: Forward, recipients: list[ForwardRecipient], *, reminder: bool, deliver: bool = True
) -> int:
    """One push per agency group: the summary (or reminder) with the acknowledgement buttons."""
    pushes = 0
    ordered = sorted(recipients, key=lambda r: (r.line_chat_id or "", r.id))
    for chat_id, members in groupby(ordered, key=lambda r: r.line_chat_id):
        group = list(members)
        if reminder:
            body = "\n\n".join(
                t.REMINDER.format(
                    agency=r.agency.name, ref=forward.ref_no, subject=forward.subject, date=thai_date(forward.sent_at)
                )
                for r in group
            )
        else:
            body = forward.summary
        messages: list[Message] = [text(body), *ack_templates(group, forward.ref_no)]
        purpose = f"{'forward-reminder' if reminder else 'forward'}:{forward.ref_no}"
        if deliver:  # a reminder may wait for next month's quota; the forward itself may not
            delivery.enqueue(session, chat_id, messages, purpose=purpose, urgent=not reminder)
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


# --- acknowledgements and reminders --------------------------------------------------------------


def acknowledge_by_staff(session: Session, recipient_id: int, *, by: str, now: datetime) -> ForwardRecipient:
    """Record an acknowledgement received another way (a letter, a phone call)."""
    recipient = session.get(ForwardRecipient, recipient_id)
    if recipient is None:
        raise WorkgroupError("ไม่พบผู้รับเรื่องนี้")
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at, recipient.acknowledged_by = now, f"บันทึกโดย {by}"
    return recipient


def unacknowledged_statement():
    """Recipients that have not acknowledged, oldest forward first (a select, for paging)."""
    return (
        select(ForwardRecipient)
        .join(Forward, Forward.id == ForwardRecipient.forward_id)
        .where(ForwardRecipient.acknowledged_at.is_(None))
        .options(selectinload(ForwardRecipient.forward), selectinload(ForwardRecipient.agency))
        .order_by(Forward.sent_at, ForwardRecipient.id)
    )


def unacknowledged(session: Session) -> list[ForwardRecipient]:
    """Every recipient still to acknowledge."""
    return list(session.scalars(unacknowledged_statement()))


def remind_unacknowledged(
    session: Session, now: datetime, *, after_days: float | None = None, forward_id: int | None = None
) -> int:
    """Remind, once, each agency group that has not acknowledged after some days; return the pushes queued.

    The scheduler calls it daily; the admin web calls it for one forward with after_days=0.
    """
    days = float(get_setting(session, "workgroup.ack_reminder_days") if after_days is None else after_days)
    statement = (
        unacknowledged_statement()
        .where(ForwardRecipient.reminded_at.is_(None), ForwardRecipient.line_chat_id.is_not(None))
        .where(Forward.sent_at <= now - timedelta(days=days))
    )
    if forward_id is not None:
        statement = statement.where(Forward.id == forward_id)
    due = list(session.scalars(statement))
    pushes = 0
    for _, recipients in groupby(due, key=lambda r: r.forward_id):
        group = list(recipients)
        pushes += _push_to_groups(session, group[0].forward, group, reminder=True)
        for recipient in group:
            recipient.reminded_at = now
    return pushes


def forwards_statement(fiscal_year: int | None = None):
    """Forwards, newest first, optionally of one fiscal year (a select, for paging)."""
    statement = select(Forward).order_by(Forward.sent_at.desc(), Forward.id.desc())
    if fiscal_year is not None:
        statement = statement.where(Forward.fiscal_year == fiscal_year)
    return statement
