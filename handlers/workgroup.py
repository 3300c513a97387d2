"""The working group in LINE: 'ประชุม' for the secretariat, linking staff accounts, agencies acknowledging
forwards with a button and reporting back their measures."""

from __future__ import annotations

from urllib.parse import parse_qs

from linebot.v3.messaging import Message
from sqlalchemy import func, select

from handlers import conversation, registration
from handlers.context import Context
from handlers.groups import network_chat
from handlers.news_reports import listen_in_group
from handlers.registry import Registry
from line import messages
from line.workgroup_cards import ACK_ACTION
from models import NewsReport, ReportCategory
from models.periods import Period
from models.settings import get_setting
from models.timeutil import fiscal_year, thai_date, thai_datetime, to_bangkok
from models.workgroup import Meeting, MeetingReport
from reports.network_kpi import MEETING_KINDS, counted_meetings
from services.roles import refresh_menu_of, roles_of
from services.workgroup.acknowledgements import acknowledge, recipient_in_chat, unacknowledged_count
from services.workgroup.errors import WorkgroupError
from services.workgroup.measures import record_measure
from services.workgroup.meetings import next_meeting, waiting_reports_statement
from services.workgroup.staff import unlink_line, use_link_code
from texts import workgroup as t

WAITING_SHOWN = 10


# --- 'ประชุม': the next meeting and the reports waiting ------------------------------------------


def meeting_summary(ctx: Context) -> list[Message]:
    """'ประชุม' from a linked secretariat member: the next meeting, the year's count, the reports waiting."""
    if not roles_of(ctx.session, ctx.sender).secretariat:
        return [messages.text(t.SECRETARIAT_ONLY)]
    return [messages.text(_next_meeting_text(ctx)), messages.text(_waiting_text(ctx), list(t.MEETING_NEXT_BUTTONS))]


def _next_meeting_text(ctx: Context) -> str:
    meeting = next_meeting(ctx.session, ctx.now)
    year = fiscal_year(to_bangkok(ctx.now).date())
    period = Period.of_fiscal_year(year)
    held = len(counted_meetings(ctx.session, period.starts, ctx.now, ctx.now))  # a meeting ahead never counts
    required = int(get_setting(ctx.session, "workgroup.min_meetings"))
    count = t.MEETINGS_SO_FAR.format(fiscal_year=year, held=held, required=required)
    if meeting is None:
        return f"{t.NO_NEXT_MEETING}\n{count}"
    lines = [
        t.NEXT_MEETING.format(
            title=meeting.title,
            kind=MEETING_KINDS[meeting.kind],
            committee=meeting.committee.name,
            when=thai_datetime(meeting.starts_at),
            place=meeting.place or t.PLACE_UNKNOWN,
        )
    ]
    if meeting.agenda:
        lines.append(t.NEXT_MEETING_AGENDA.format(agenda=meeting.agenda[:500]))
    lines.append(t.NEXT_MEETING_REPORTS.format(count=_linked_count(ctx, meeting)))
    lines.append(count)
    unacknowledged = unacknowledged_count(ctx.session)
    if unacknowledged:
        lines.append(t.UNACKNOWLEDGED.format(count=unacknowledged))
    return "\n".join(lines)


def _linked_count(ctx: Context, meeting: Meeting) -> int:
    query = select(func.count()).select_from(MeetingReport).where(MeetingReport.meeting_id == meeting.id)
    return ctx.session.scalar(query) or 0


def _waiting_text(ctx: Context) -> str:
    statement = waiting_reports_statement()
    total = ctx.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    if not total:
        return t.NO_WAITING
    names = dict(ctx.session.execute(select(ReportCategory.code, ReportCategory.name)).all())
    lines = [t.WAITING_HEADER.format(count=total)]
    report: NewsReport
    for report in ctx.session.scalars(statement.limit(WAITING_SHOWN)):
        fields = {
            "ref": report.ref_no,
            "date": thai_date(report.started_at, short=True),
            "category": names.get(report.category_code, t.UNCATEGORISED),
        }
        if report.district:
            lines.append(t.WAITING_LINE.format(district=report.district, **fields))
        else:
            lines.append(t.WAITING_LINE_NO_DISTRICT.format(**fields))
    if total > WAITING_SHOWN:
        lines.append(t.WAITING_MORE.format(more=total - WAITING_SHOWN))
    return "\n".join(lines)


# --- linking a staff account ---------------------------------------------------------------------


def link_account(ctx: Context) -> list[Message]:
    """'เชื่อมบัญชี CODE' in a one-to-one chat: link this LINE user to the code's staff account."""
    words = (ctx.text or "").split()
    if len(words) < 2 or ctx.user_id is None:
        return [messages.text(t.LINK_USAGE)]
    try:
        user = use_link_code(ctx.session, words[-1], ctx.user_id, ctx.now)
    except WorkgroupError:
        return [messages.text(t.LINK_TAKEN, list(t.UNLINK_WORDS))]
    if user is None:
        return [messages.text(t.LINK_BAD_CODE)]
    flow = conversation.current(ctx)
    if flow is not None and flow.flow == registration.FLOW:
        conversation.finish(ctx, flow)  # a staff member who just added the bot need not register as an informant
    refresh_menu_of(ctx.session, ctx.user_id)
    return [messages.text(t.LINK_OK.format(name=user.full_name or user.username), [t.MEETING_WORDS[0]])]


def unlink_account(ctx: Context) -> list[Message]:
    """'ยกเลิกเชื่อมบัญชี': remove this LINE user's link to a staff account."""
    done = unlink_line(ctx.session, line_user_id=ctx.user_id) if ctx.user_id else False
    if done:
        refresh_menu_of(ctx.session, ctx.user_id)
    return [messages.text(t.UNLINKED if done else t.NOT_LINKED)]


# --- agencies: the acknowledgement button and measures reported back -----------------------------


def on_acknowledge(ctx: Context) -> list[Message]:
    """The 'รับทราบ' button under a forward, tapped in the agency's group."""
    data = parse_qs(ctx.postback_data or "")
    raw = (data.get("r") or [""])[0]
    if not raw.isdigit():
        return [messages.text(t.ACK_UNKNOWN)]
    name = ctx.sender.display_name if ctx.sender is not None else None
    if name is None and ctx.line is not None and ctx.user_id:
        name = _display_name(ctx)
    status, recipient = acknowledge(
        ctx.session, int(raw), chat_id=ctx.chat_id, user_id=ctx.user_id, name=name, now=ctx.now
    )
    if status == "unknown":
        return [messages.text(t.ACK_UNKNOWN)]
    if status == "wrong_chat":
        return [messages.text(t.ACK_WRONG_CHAT)]
    facts = {
        "agency": recipient.agency.name,
        "ref": recipient.forward.ref_no,
        "when": thai_datetime(recipient.acknowledged_at),
    }
    return [messages.text((t.ACK_DONE if status == "ok" else t.ACK_ALREADY).format(**facts))]


def _display_name(ctx: Context) -> str | None:
    try:
        return ctx.line.display_name(ctx.user_id, ctx.chat_id if ctx.chat_type != "user" else None)
    except Exception:  # the name is a courtesy; the acknowledgement stands without it
        return None


def report_measure(ctx: Context) -> list[Message]:
    """'รายงานผล FW-2564-0001 <what was done>' in an agency group: record it against the forward."""
    chat = network_chat(ctx)
    if chat is None or chat.purpose != "agency":
        return listen_in_group(ctx) or []  # not an agency group: the words are news like any other
    words = (ctx.text or "").split(maxsplit=2)
    if len(words) < 3 or ctx.chat_id is None:
        return [messages.text(t.MEASURE_USAGE)]
    ref, detail = words[1].upper(), words[2].strip()
    recipient = recipient_in_chat(ctx.session, ref, ctx.chat_id)
    if recipient is None:
        return [messages.text(t.MEASURE_NOT_FOUND.format(ref=ref))]
    by = (ctx.sender.display_name if ctx.sender else None) or "LINE"
    record_measure(
        ctx.session,
        forward_id=recipient.forward_id,
        agency_id=recipient.agency_id,
        title=detail[:300],
        detail=detail if len(detail) > 300 else None,
        by=f"LINE: {by}"[:80],
        reported_on=to_bangkok(ctx.now).date(),
        source="line",
        now=ctx.now,
    )
    return [messages.text(t.MEASURE_RECORDED.format(agency=recipient.agency.name, ref=ref))]


def register(registry: Registry) -> None:
    """Add the working group's handlers to the registry."""
    registry.command(*t.MEETING_WORDS, chat_types={"user"}, interrupts=True)(meeting_summary)
    registry.command(*t.UNLINK_WORDS, chat_types={"user"})(unlink_account)
    registry.command(*t.LINK_WORDS, chat_types={"user"}, interrupts=True)(link_account)
    registry.command(*t.MEASURE_WORDS, chat_types={"group", "room"})(report_measure)
    registry.postback(ACK_ACTION)(on_acknowledge)
