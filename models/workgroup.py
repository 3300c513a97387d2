"""The working group: agencies, committees, meetings, forwards to agencies and the measures they report.

KPI levels 3 to 5 of the intelligence network are computed from these tables (reports/network_kpi.py).
Calendar facts (an order's date, a due date) are Bangkok dates; instants are aware UTC datetimes.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from models.base import Base, enum_column
from models.letters import OutgoingLetter
from models.office import letter_number
from models.settings import DEFAULTS
from models.timeutil import utcnow


class AgencyKind(enum.StrEnum):
    """Whether an agency is a unit of the Bangkok Metropolitan Administration or from outside it."""

    BMA = "bma"
    OUTSIDE = "outside"


class CommitteeRole(enum.StrEnum):
    """A member's role on a committee."""

    CHAIR = "chair"
    MEMBER = "member"
    SECRETARY = "secretary"
    ASSISTANT_SECRETARY = "assistant_secretary"


class MeetingKind(enum.StrEnum):
    """A meeting of the full committee or of a sub-committee."""

    FULL = "full"
    SUB = "sub"


class MeetingStatus(enum.StrEnum):
    """Whether a meeting is planned, was held, or was called off."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class ForwardKind(enum.StrEnum):
    """What a forward passes on: network reports, or a meeting's results."""

    REPORTS = "reports"
    MEETING = "meeting"


class MeasureKind(enum.StrEnum):
    """What an agency reported back: a measure, a policy, a plan or an action taken."""

    MEASURE = "measure"
    POLICY = "policy"
    PLAN = "plan"
    ACTION = "action"


class StoredFile(Base):
    """An uploaded document (appointing order, minutes, a district's plan) kept under MEDIA_DIR."""

    __tablename__ = "wg_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # order | minutes | measure
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Agency(Base):
    """A BMA unit or an outside agency that sits on committees and receives forwards (configurable)."""

    __tablename__ = "wg_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[AgencyKind] = mapped_column(enum_column(AgencyKind, 10))
    immigration_authority: Mapped[bool] = mapped_column(default=False)
    district: Mapped[str | None] = mapped_column(String(60))  # a district office's district
    addressee: Mapped[str | None] = mapped_column(String(200))  # whom a letter is addressed to ("เรียน ...")
    contact: Mapped[str | None] = mapped_column(Text)
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))  # its registered LINE group (agency)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Committee(Base):
    """A working group appointed by an order, in force from one date to another."""

    __tablename__ = "wg_committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    order_no: Mapped[str] = mapped_column(String(40))  # e.g. 1/2564
    order_issuer: Mapped[str | None] = mapped_column(String(300))
    order_date: Mapped[date]
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]  # None: until replaced
    order_file_id: Mapped[int | None] = mapped_column(ForeignKey("wg_files.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="committee", order_by="CommitteeMember.sort_order, CommitteeMember.id"
    )
    changes: Mapped[list[CommitteeChange]] = relationship(order_by="CommitteeChange.id")
    order_file: Mapped[StoredFile | None] = relationship()

    def in_force_on(self, day: date) -> bool:
        """Whether the appointing order is in force on a Bangkok date."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class CommitteeMember(Base):
    """A seat on a committee: a person (or a post) representing an agency, in a role."""

    __tablename__ = "wg_committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("wg_committees.id"))
    role: Mapped[CommitteeRole] = mapped_column(enum_column(CommitteeRole))
    agency_id: Mapped[int] = mapped_column(ForeignKey("wg_agencies.id"))
    full_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    joined_on: Mapped[date | None]  # None: since the order took effect
    left_on: Mapped[date | None]
    sort_order: Mapped[int] = mapped_column(default=0)

    committee: Mapped[Committee] = relationship(back_populates="members")
    agency: Mapped[Agency] = relationship()

    def seated_between(self, first: date, last: date) -> bool:
        """Whether the member sat on the committee at some time between two dates (inclusive)."""
        return (self.joined_on is None or self.joined_on <= last) and (self.left_on is None or self.left_on >= first)


class CommitteeChange(Base):
    """One change to a committee or its roll, with what it was before and after."""

    __tablename__ = "wg_committee_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("wg_committees.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("wg_committee_members.id"))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    """A meeting of a committee: agenda, attendees, reports considered, minutes and decisions."""

    __tablename__ = "wg_meetings"
    __table_args__ = (Index("ix_wg_meetings_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("wg_committees.id"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, 10))
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus, 12), default=MeetingStatus.PLANNED)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text)
    exchanged_information: Mapped[bool] = mapped_column(default=False)  # network information on the agenda
    target_districts: Mapped[list] = mapped_column(JSON, default=list)
    minutes_text: Mapped[str | None] = mapped_column(Text)
    minutes_file_id: Mapped[int | None] = mapped_column(ForeignKey("wg_files.id"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    committee: Mapped[Committee] = relationship()
    attendees: Mapped[list[MeetingAttendee]] = relationship(order_by="MeetingAttendee.id")
    report_links: Mapped[list[MeetingReport]] = relationship(order_by="MeetingReport.id")
    items: Mapped[list[ActionItem]] = relationship(order_by="ActionItem.id")
    minutes_file: Mapped[StoredFile | None] = relationship()


class MeetingAttendee(Base):
    """Someone at a meeting: a committee member, or a person from an agency."""

    __tablename__ = "wg_meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("wg_meetings.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("wg_committee_members.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("wg_agencies.id"))
    name: Mapped[str | None] = mapped_column(String(200))

    member: Mapped[CommitteeMember | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class MeetingReport(Base):
    """A network report put before a meeting (considered, once the meeting is held)."""

    __tablename__ = "wg_meeting_reports"
    __table_args__ = (UniqueConstraint("meeting_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("wg_meetings.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("news_reports.id"))
    note: Mapped[str | None] = mapped_column(Text)


class ActionItem(Base):
    """A decision of a meeting, or an action item with the agency responsible and a due date."""

    __tablename__ = "wg_action_items"
    __table_args__ = (Index("ix_wg_action_items_due", "done_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("wg_meetings.id"))
    is_decision: Mapped[bool] = mapped_column(default=False)  # a decision (มติ) rather than a task
    text: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("wg_agencies.id"))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()
    meeting: Mapped[Meeting] = relationship(back_populates="items")


class Forward(Base):
    """Reports or a meeting's results passed to agencies, by LINE and/or letter (numbered per fiscal year)."""

    __tablename__ = "wg_forwards"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_no: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. FW-2564-0001
    fiscal_year: Mapped[int]
    kind: Mapped[ForwardKind] = mapped_column(enum_column(ForwardKind, 10))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("wg_meetings.id"))
    subject: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)  # the text the agencies were sent
    via_line: Mapped[bool] = mapped_column(default=True)
    via_letter: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    # Sent before FieldLine (or outside it) and entered afterwards with its real date as sent_at
    # (services/earlier_evidence.py): nothing went to LINE; recorded_at is when it was entered.
    recorded_later: Mapped[bool] = mapped_column(default=False, server_default=false())
    recorded_at: Mapped[datetime | None]
    recorded_by: Mapped[str | None] = mapped_column(String(80))

    meeting: Mapped[Meeting | None] = relationship()
    report_links: Mapped[list[ForwardReport]] = relationship(order_by="ForwardReport.id")
    recipients: Mapped[list[ForwardRecipient]] = relationship(back_populates="forward", order_by="ForwardRecipient.id")
    measures: Mapped[list[Measure]] = relationship(back_populates="forward", order_by="Measure.id")


class ForwardReport(Base):
    """A network report included in a forward."""

    __tablename__ = "wg_forward_reports"
    __table_args__ = (UniqueConstraint("forward_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forward_id: Mapped[int] = mapped_column(ForeignKey("wg_forwards.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("news_reports.id"))


class ForwardRecipient(Base):
    """One agency a forward went to: its LINE message, its letter, its acknowledgement and reminder."""

    __tablename__ = "wg_forward_recipients"
    __table_args__ = (
        UniqueConstraint("forward_id", "agency_id"),
        Index("ix_wg_forward_recipients_pending", "acknowledged_at", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forward_id: Mapped[int] = mapped_column(ForeignKey("wg_forwards.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("wg_agencies.id"))
    line_chat_id: Mapped[str | None] = mapped_column(String(64))  # the agency group it was pushed to
    line_cost: Mapped[int | None]  # messages counted against the quota (one per group member)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), unique=True)  # a letter was sent
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))  # the display name of who tapped
    acknowledged_user_id: Mapped[str | None] = mapped_column(String(64))
    reminded_at: Mapped[datetime | None]

    forward: Mapped[Forward] = relationship(back_populates="recipients")
    agency: Mapped[Agency] = relationship()
    letter: Mapped[OutgoingLetter | None] = relationship()

    @property
    def letter_no(self) -> str | None:
        """The printed number of the letter sent to this agency (e.g. 'กท ๕๓๐๑/15'), or None when none was."""
        if self.letter is None:
            return None
        session = object_session(self)
        if session is None:  # detached: the default code
            return f"{DEFAULTS['office.letter_prefix']}/{self.letter.number}"
        return letter_number(session, self.letter.number)


class Measure(Base):
    """A measure, policy or plan an agency reported back on a forward (e.g. a district's plan)."""

    __tablename__ = "wg_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    forward_id: Mapped[int] = mapped_column(ForeignKey("wg_forwards.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("wg_agencies.id"))
    kind: Mapped[MeasureKind] = mapped_column(enum_column(MeasureKind, 10))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(60))
    reported_on: Mapped[date]
    file_id: Mapped[int | None] = mapped_column(ForeignKey("wg_files.id"))
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | line | api
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    forward: Mapped[Forward] = relationship(back_populates="measures")
    agency: Mapped[Agency] = relationship()
    file: Mapped[StoredFile | None] = relationship()


class StaffLineLink(Base):
    """A staff account's LINE user id, so secretariat members can use staff commands from LINE."""

    __tablename__ = "staff_line_links"

    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffLinkCode(Base):
    """A one-time code a staff member types to the bot ('เชื่อมบัญชี CODE') to link their LINE account."""

    __tablename__ = "staff_link_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
