"""The working group's LINE messages: forward summaries with acknowledgement buttons, reminders to the secretariat.

Quota: a push to a group counts one message per member, and up to five message objects in one push count once,
so a forward's summary and its buttons go together in one notice (services/workgroup/forwards.py).
"""

from __future__ import annotations

from linebot.v3.messaging import ButtonsTemplate, Message, PostbackAction, TemplateMessage
from sqlalchemy.orm import Session

from line.messages import MAX_TEXT_UTF16, text, utf16_length
from models import NewsReport, ReportCategory
from models.office import office_profile
from models.settings import get_setting
from models.timeutil import thai_date
from models.workgroup import Agency, Forward, ForwardRecipient, Meeting
from reports.network_kpi import MEETING_KINDS
from reports.news_text import report_text
from services.notices import ForwardReminder, ForwardSent
from services.workgroup.reminders import DueActionItem, MeetingsWarning
from texts import workgroup as t

ACK_ACTION = "wg_ack"
BUTTONS_PER_TEMPLATE = 4
SUMMARY_LIMIT = MAX_TEXT_UTF16 - 200
GIST_LENGTH = 150


# --- what the agencies read ----------------------------------------------------------------------


def _category(session: Session, report: NewsReport) -> str:
    category = session.get(ReportCategory, report.category_code) if report.category_code else None
    return category.name if category else t.UNCATEGORISED


def _gist(report: NewsReport) -> str:
    words = " ".join(report_text(report).split())
    if report.place:
        words = f"{words} (สถานที่: {' '.join(report.place.split())[:80]})".strip()
    return words[:GIST_LENGTH] + ("…" if len(words) > GIST_LENGTH else "")


def forward_summary(session: Session, forward: Forward, reports: list[NewsReport], meeting: Meeting | None) -> str:
    """The one message every agency of a forward reads (never the reporters' identities), within LINE's limit."""
    office = office_profile(session).name
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


def forward_sent(session: Session, notice: ForwardSent) -> list[Message]:
    """A forward for one agency group: the summary and the acknowledgement buttons (one push)."""
    return [text(notice.forward.summary), *ack_templates(list(notice.recipients), notice.forward.ref_no)]


def forward_reminder(session: Session, notice: ForwardReminder) -> list[Message]:
    """A reminder for the agencies of one group that have not acknowledged, with the buttons again."""
    forward = notice.forward
    body = "\n\n".join(
        t.REMINDER.format(
            agency=r.agency.name, ref=forward.ref_no, subject=forward.subject, date=thai_date(forward.sent_at)
        )
        for r in notice.recipients
    )
    return [text(body), *ack_templates(list(notice.recipients), forward.ref_no)]


# --- to the secretariat --------------------------------------------------------------------------


def meetings_warning_messages(warning: MeetingsWarning) -> list[Message]:
    """One LINE message to push to each secretariat member."""
    return [text(warning.text())]


def action_items_messages(items: list[DueActionItem]) -> list[Message]:
    """One summary message for every task due (one push per recipient, however many tasks)."""
    if not items:
        return []
    lines = [t.ACTIONS_DUE_HEADER.format(count=len(items))]
    for item in items:
        when = t.DUE_TODAY if item.days_left == 0 else t.DUE_IN_DAYS.format(days=item.days_left)
        lines.append(
            t.ACTION_DUE_LINE.format(
                text=item.text[:200], agency=item.agency or t.NO_AGENCY, due=thai_date(item.due_on), when=when
            )
        )
    return [text("\n".join(lines))]
