"""What FieldLine holds about one person: every row found by their member id, LINE user id or names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    CameraCheck,
    CheckAttempt,
    Conversation,
    Defect,
    InboxEvent,
    Invitation,
    MediaFile,
    Member,
    MonthlySubmission,
    NewsReport,
    OrderEvent,
    OutgoingMessage,
    PatrolCheck,
    ReportItem,
    RiskPhoto,
    RoundMiss,
    UnitMembership,
    WorkOrder,
)
from models.workgroup import ForwardRecipient, Measure, StaffLineLink
from services.audit import Action
from services.privacy.person import names_of


@dataclass
class Holdings:
    """Every row that holds one person's data, found by their member id, LINE user id or names."""

    member: Member
    line_user_id: str
    conversation: Conversation | None = None
    invitation: Invitation | None = None
    reports: list[NewsReport] = field(default_factory=list)
    patrol_checks: list[PatrolCheck] = field(default_factory=list)
    check_attempts: list[CheckAttempt] = field(default_factory=list)
    camera_checks: list[CameraCheck] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    defect_photos: list[RiskPhoto] = field(default_factory=list)
    round_misses: list[RoundMiss] = field(default_factory=list)
    awaited_orders: list[WorkOrder] = field(default_factory=list)
    order_events: list[OrderEvent] = field(default_factory=list)
    month_reports: list[MonthlySubmission] = field(default_factory=list)
    acknowledgements: list[ForwardRecipient] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    staff_link: StaffLineLink | None = None
    rosters: list[UnitMembership] = field(default_factory=list)  # the units' rosters they are or were on
    inbox_events: list[InboxEvent] = field(default_factory=list)
    outbox_messages: list[OutgoingMessage] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)  # report media, check photos, their defects' photos

    @property
    def report_items(self) -> list[ReportItem]:
        """Every message of every report of theirs."""
        return [item for report in self.reports for item in report.items]


def _source_user(payload: str) -> str | None:
    """The userId of a raw event's source, or None (a marker, or not JSON)."""
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    source = event.get("source") if isinstance(event, dict) else None
    user = source.get("userId") if isinstance(source, dict) else None
    return user if isinstance(user, str) else None


def inbox_events_from(session: Session, line_user_id: str) -> list[InboxEvent]:
    """Inbox events whose source is the person: their one-to-one chat, and what they said in groups."""
    direct = list(session.scalars(select(InboxEvent).where(InboxEvent.chat_key == line_user_id)))
    in_groups = session.scalars(
        select(InboxEvent).where(
            InboxEvent.chat_key != line_user_id,
            InboxEvent.payload.contains(line_user_id, autoescape=True),
        )
    )
    found = direct + [event for event in in_groups if _source_user(event.payload) == line_user_id]
    return sorted(found, key=lambda event: event.id)


def outbox_messages_to(session: Session, line_user_id: str) -> list[OutgoingMessage]:
    """Outbox rows addressed to the person, alone or in a multicast."""
    rows = session.scalars(
        select(OutgoingMessage)
        .where(
            or_(
                OutgoingMessage.recipient == line_user_id,
                cast(OutgoingMessage.multicast_to, Text).contains(line_user_id, autoescape=True),
            )
        )
        .order_by(OutgoingMessage.id)
    )
    return [row for row in rows if row.recipient == line_user_id or line_user_id in (row.multicast_to or [])]


def gather(session: Session, member: Member, *, inbox: bool = True) -> Holdings:
    """Find every row that holds the member's data (inbox=False: without the inbox, a scan of its payloads)."""
    uid = member.line_user_id
    names = sorted(names_of(member))
    held = Holdings(member=member, line_user_id=uid)
    held.conversation = session.scalar(select(Conversation).where(Conversation.line_user_id == uid))
    held.invitation = session.get(Invitation, uid)
    held.reports = list(
        session.scalars(
            select(NewsReport)
            .where(or_(NewsReport.reporter_id == member.id, NewsReport.sender_key == uid))
            .order_by(NewsReport.started_at, NewsReport.id)
        )
    )
    by_member = {
        "patrol_checks": select(PatrolCheck).where(PatrolCheck.member_id == member.id).order_by(PatrolCheck.id),
        "check_attempts": select(CheckAttempt).where(CheckAttempt.member_id == member.id).order_by(CheckAttempt.id),
        "camera_checks": select(CameraCheck).where(CameraCheck.member_id == member.id).order_by(CameraCheck.id),
        "defects": select(Defect).where(Defect.reported_by == member.id).order_by(Defect.id),
    }
    for name, statement in by_member.items():
        setattr(held, name, list(session.scalars(statement)))
    defect_ids = [defect.id for defect in held.defects]
    if defect_ids:
        held.defect_photos = list(
            session.scalars(
                select(RiskPhoto)
                .where(RiskPhoto.defect_id.in_(defect_ids), RiskPhoto.role == "before")
                .order_by(RiskPhoto.id)
            )
        )
    held.round_misses = list(session.scalars(select(RoundMiss).where(RoundMiss.reason_by == uid)))
    held.awaited_orders = list(session.scalars(select(WorkOrder).where(WorkOrder.awaiting_photo_user == uid)))
    if names:
        held.order_events = list(
            session.scalars(select(OrderEvent).where(OrderEvent.actor.in_(names)).order_by(OrderEvent.id))
        )
        held.month_reports = list(
            session.scalars(
                select(MonthlySubmission)
                .where(MonthlySubmission.submitted_by.in_(names))
                .order_by(MonthlySubmission.id)
            )
        )
    held.acknowledgements = list(
        session.scalars(select(ForwardRecipient).where(ForwardRecipient.acknowledged_user_id == uid))
    )
    if member.display_name:
        held.measures = list(
            session.scalars(
                select(Measure).where(Measure.source == "line", Measure.recorded_by == measure_by(member.display_name))
            )
        )
    held.staff_link = session.scalar(select(StaffLineLink).where(StaffLineLink.line_user_id == uid))
    held.rosters = list(
        session.scalars(select(UnitMembership).where(UnitMembership.member_id == member.id).order_by(UnitMembership.id))
    )
    if inbox:
        held.inbox_events = inbox_events_from(session, uid)
    held.outbox_messages = outbox_messages_to(session, uid)
    media_ids = {item.media_id for item in held.report_items if item.media_id}
    media_ids |= {check.photo_media_id for check in held.patrol_checks + held.camera_checks if check.photo_media_id}
    media_ids |= {photo.media_id for photo in held.defect_photos}
    if media_ids:
        held.media = list(
            session.scalars(select(MediaFile).where(MediaFile.id.in_(sorted(media_ids))).order_by(MediaFile.id))
        )
    return held


def measure_by(name: str) -> str:
    """How a measure reported from LINE names who reported it (handlers/workgroup.py)."""
    return f"LINE: {name}"[:80]


def audit_entries_about(session: Session, held: Holdings) -> list[AuditEntry]:
    """Audit entries about the person: their member record, their reports and their media."""
    member_id = held.member.id
    report_ids = [str(report.id) for report in held.reports]
    media_ids = [str(media.id) for media in held.media]
    conditions = [(AuditEntry.object_type == "member") & (AuditEntry.object_id == str(member_id))]
    if report_ids:
        conditions.append((AuditEntry.object_type == "news_report") & AuditEntry.object_id.in_(report_ids))
    if media_ids:
        conditions.append((AuditEntry.object_type == "media_file") & AuditEntry.object_id.in_(media_ids))
    about = list(session.scalars(select(AuditEntry).where(or_(*conditions))))
    # A list page's identity view names several members in its detail, not in object_id.
    listed = session.scalars(
        select(AuditEntry).where(AuditEntry.action == Action.VIEW_IDENTITY, AuditEntry.object_id.is_(None))
    )
    about += [entry for entry in listed if member_id in (entry.detail or {}).get("ids", [])]
    return sorted({entry.id: entry for entry in about}.values(), key=lambda entry: entry.id)
