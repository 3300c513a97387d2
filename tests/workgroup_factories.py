"""Factories for the working group tests (this module holds no tests)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from line.workgroup_cards import forward_summary
from models import Chat, ReportStatus
from models.timeutil import BANGKOK
from models.workgroup import Agency, CommitteeRole, MeetingKind, MeetingStatus
from runtime.delivery import notifier
from services.workgroup.agencies import ensure_default_agencies
from services.workgroup.committees import add_member, create_committee
from services.workgroup.forwards import forward_reports
from services.workgroup.meetings import create_meeting
from tests.report_factories import news_report


def bkk(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant in Bangkok time."""
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def agencies(session) -> dict[str, Agency]:
    """The default agencies (with the district offices), by code."""
    ensure_default_agencies(session)
    return {agency.code: agency for agency in session.scalars(select(Agency))}


def committee(session, *, valid_from=date(2020, 10, 1), valid_until=None, outside="immigration", name="คณะทำงานทดสอบ"):
    """A committee chaired by the opr with one outside agency (None: BMA units only)."""
    found = agencies(session)
    made = create_committee(
        session,
        by="test",
        name=name,
        order_no="9/2564",
        order_date=valid_from,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    add_member(session, made.id, by="test", role=CommitteeRole.CHAIR, agency_id=found["opr"].id, position="ประธาน")
    add_member(session, made.id, by="test", role=CommitteeRole.MEMBER, agency_id=found["zone_north"].id)
    if outside:
        add_member(session, made.id, by="test", role=CommitteeRole.MEMBER, agency_id=found[outside].id)
    return made


def meeting(
    session, committee_id: int, when: datetime, *, status=MeetingStatus.HELD, exchanged=True, kind=MeetingKind.SUB
):
    """A meeting of a committee."""
    return create_meeting(
        session,
        committee_id=committee_id,
        kind=kind,
        title=f"ประชุม {when:%Y-%m-%d %H:%M}",
        starts_at=when,
        exchanged_information=exchanged,
        status=status,
        by="test",
    )


def report(session, when: datetime, *, number: int = 1, district: str = "คลองเตย", text="พบแรงงานต่างด้าว", chat=None):
    """A confirmed network report with one text item."""
    return news_report(
        session,
        when,
        text,
        ref_no=f"NR-2599-{number:06d}",
        channel="group" if chat else "direct",
        chat_id=chat.id if chat else None,
        sender_key=f"U{number}",
        category_code="illegal_worker",
        status=ReportStatus.NEW,
        district=district,
    )


def agency_group(session, agency: Agency, *, members: int = 12, line_id: str | None = None) -> Chat:
    """A registered agency LINE group the bot is in, linked to the agency."""
    chat = Chat(
        line_chat_id=line_id or f"C{agency.id:032d}",
        chat_type="group",
        name=f"กลุ่ม {agency.name}",
        purpose="agency",
        member_count=members,
        joined_at=bkk(2021, 1, 1),
        registered_at=bkk(2021, 1, 1),
        registered_by="test",
    )
    session.add(chat)
    session.flush()
    agency.chat_id = chat.id
    return chat


def forward(session, **options):
    """Forward reports to agencies as the web does: notices rendered and queued, the LINE summary card."""
    return forward_reports(session, notify=notifier(session, "forward"), summarise=forward_summary, **options)


def forward_one_report(session, code: str, reported: datetime, sent: datetime, *, members: int | None = 12, **options):
    """One report forwarded to the agency `code`, with its LINE group of `members` (None: no group)."""
    found = agencies(session)
    if members is not None:
        agency_group(session, found[code], members=members)
    made = report(session, reported)
    forwarded = forward(
        session, report_ids=[made.id], agency_ids=[found[code].id], subject="ส่งข่าว", by="test", now=sent, **options
    )
    return found[code], forwarded
