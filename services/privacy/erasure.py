"""The erasure: a person's personal content blanked and their LINE user id pseudonymised, every count kept.

Erasure keeps every row a KPI counts (members with their status, occupational group, district and
dates; news reports with their status, channel, group and times; risk-point checks with their point,
day and round; acknowledgements with their time) and blanks the personal content: name, phone, LINE
display name, the text, places and photos of their reports, the locations and photos of their checks,
the raw payloads of their events and the messages sent to them; their LINE user id becomes a stable
pseudonym (``anon:`` and their reporter code) wherever it was stored.

Every function takes a session and never commits; the files of the media it removes are deleted after the
commit (services.privacy.files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Text, cast, delete, select, update
from sqlalchemy.orm import Session

from models import (
    InboxEvent,
    InboxStatus,
    Invitation,
    MediaFile,
    MediaStatus,
    Member,
    NewsReport,
    OutboxStatus,
    OutgoingMessage,
    ReportItem,
    RosterStatus,
)
from models.retention import MESSAGES_PREFIX, PAYLOAD_PREFIX, erasure_messages_marker, erasure_payload_marker
from models.workgroup import StaffLineLink
from services.privacy.files import FILES_GONE
from services.privacy.holdings import Holdings, gather, inbox_events_from, measure_by
from services.privacy.person import PSEUDONYM_PREFIX, pseudonym

ERASED_ERROR = "ยกเลิกเพราะข้อมูลส่วนบุคคลของบุคคลนี้ถูกลบแล้ว (PDPA)"  # shown to staff as the reason
# Events still to process: an erasure stops them (ignored), as it stops messages not sent yet (failed).
ERASED_BY = "การลบข้อมูลส่วนบุคคล (PDPA)"  # who took a person off a unit's roster when they were erased
QUEUED_EVENTS = (InboxStatus.PENDING, InboxStatus.FAILED)


@dataclass
class Erasure:
    """What an erasure blanked or stopped, by kind (counts only)."""

    member_id: int
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, count: int) -> None:
        """Count some blanked rows of one kind."""
        if count:
            self.counts[key] = self.counts.get(key, 0) + count


def _update(session: Session, statement) -> int:
    """Run an UPDATE of some rows (the session's copies are refreshed) and return how many it changed."""
    return max(session.execute(statement.execution_options(synchronize_session="fetch")).rowcount, 0)


def remove_media(session: Session, media_ids: Iterable[int]) -> int:
    """Mark media removed (their file names go too); the files go with the next sweep after the commit."""
    ids = sorted({media_id for media_id in media_ids if media_id})
    if not ids:
        return 0
    removed = _update(
        session,
        update(MediaFile)
        .where(MediaFile.id.in_(ids), MediaFile.status.not_in(FILES_GONE))
        .values(status=MediaStatus.REMOVED, file_name=None, last_error=None),
    )
    # Unsent media (HIDDEN) keep their status but lose their file names too.
    _update(
        session,
        update(MediaFile).where(MediaFile.id.in_(ids), MediaFile.status == MediaStatus.HIDDEN).values(file_name=None),
    )
    return removed


def blank_report_content(session: Session, report_ids: list[int], now: datetime) -> tuple[int, int]:
    """Remove the messages, places, photos and sender id of some reports; return (reports, media) changed.

    The reports keep their reference, status, channel, group, category, district and times (the KPI);
    their items keep their kind and times; the sender's LINE id becomes the reporter's pseudonym.
    """
    if not report_ids:
        return 0, 0
    media_ids = session.scalars(
        select(ReportItem.media_id).where(ReportItem.report_id.in_(report_ids), ReportItem.media_id.is_not(None))
    ).all()
    _update(
        session,
        update(ReportItem)
        .where(ReportItem.report_id.in_(report_ids))
        .values(text=None, latitude=None, longitude=None, address=None),
    )
    reporter_code = select(Member.reporter_code).where(Member.id == NewsReport.reporter_id).scalar_subquery()
    _update(
        session,
        update(NewsReport)
        .where(NewsReport.id.in_(report_ids), NewsReport.reporter_id.is_not(None))
        .values(sender_key=PSEUDONYM_PREFIX + reporter_code),
    )
    changed = _update(
        session,
        update(NewsReport).where(NewsReport.id.in_(report_ids)).values(place=None, latitude=None, longitude=None),
    )
    _update(
        session,
        update(NewsReport)
        .where(NewsReport.id.in_(report_ids), NewsReport.content_removed_at.is_(None))
        .values(content_removed_at=now),
    )
    return changed, remove_media(session, media_ids)


def _erase_inbox(
    session: Session, events: list[InboxEvent], uid: str, alias: str, now: datetime, erasure: Erasure
) -> None:
    """Their events' payloads become the erasure marker, their one-to-one chat key the pseudonym.

    Events still queued (pending, failed) or parked are not processed any more: they are ignored. The
    changes are UPDATEs of the rows as they are now: on PostgreSQL an event the worker holds at this moment
    is updated once the worker has committed it.
    """
    marker = erasure_payload_marker(now)
    ids = [event.id for event in events]
    direct = [event.id for event in events if event.chat_key == uid]
    stopped = _update(
        session,
        update(InboxEvent)
        .where(InboxEvent.id.in_(ids), InboxEvent.status.in_((*QUEUED_EVENTS, InboxStatus.PARKED)))
        .values(status=InboxStatus.IGNORED, last_error=ERASED_ERROR),
    )
    erasure.add("inbox_stopped", stopped)
    erasure.add(
        "inbox_payloads",
        _update(
            session,
            update(InboxEvent)
            .where(InboxEvent.id.in_(ids), ~InboxEvent.payload.startswith(PAYLOAD_PREFIX, autoescape=True))
            .values(payload=marker),
        ),
    )
    _update(session, update(InboxEvent).where(InboxEvent.id.in_(direct)).values(chat_key=alias))


def _erase_outbox(session: Session, held: Holdings, alias: str, now: datetime, erasure: Erasure) -> None:
    """Messages to them become the erasure marker and their id the pseudonym; messages not sent yet are stopped.

    A multicast was not theirs alone: their id is replaced in the list (taken out of it while unsent).
    """
    uid = held.line_user_id
    own = [row.id for row in held.outbox_messages if row.recipient == uid]
    stopped = _update(
        session,
        update(OutgoingMessage)
        .where(OutgoingMessage.id.in_(own), OutgoingMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.PARKED)))
        .values(status=OutboxStatus.FAILED, last_error=ERASED_ERROR),
    )
    erasure.add("outbox_stopped", stopped)
    still_there = ~cast(OutgoingMessage.messages, Text).startswith(MESSAGES_PREFIX, autoescape=True)
    erasure.add(
        "outbox_messages",
        _update(
            session,
            update(OutgoingMessage)
            .where(OutgoingMessage.id.in_(own), still_there)
            .values(messages=erasure_messages_marker(now)),
        ),
    )
    _update(session, update(OutgoingMessage).where(OutgoingMessage.id.in_(own)).values(recipient=alias))
    for row in held.outbox_messages:
        if row.recipient != uid and row.recipient != alias:  # a multicast
            users = row.multicast_to or []
            if row.status == OutboxStatus.PENDING:
                row.multicast_to = [user for user in users if user != uid]
            else:
                row.multicast_to = [alias if user == uid else user for user in users]
            erasure.add("multicasts", 1)


def erase(session: Session, member: Member, now: datetime) -> Erasure:
    """Erase a member's personal data and keep every count (see the module docstring); the caller commits."""
    uid, alias, code = member.line_user_id, pseudonym(member), member.reporter_code
    erasure = Erasure(member.id)
    display_name = member.display_name
    # Their queued events are stopped first (after the worker, if it holds one), so that what the worker
    # made of an event is in place before the rest is gathered.
    events = inbox_events_from(session, uid)
    _erase_inbox(session, events, uid, alias, now, erasure)
    held = gather(session, member, inbox=False)
    held.inbox_events = events

    reports, report_media = blank_report_content(session, [report.id for report in held.reports], now)
    _update(session, update(NewsReport).where(NewsReport.sender_key == uid).values(sender_key=alias))  # no reporter
    erasure.add("news_reports", reports)
    erasure.add("report_items", len(held.report_items))
    check_media = [check.photo_media_id for check in held.patrol_checks + held.camera_checks]
    erasure.add(
        "media_files", report_media + remove_media(session, check_media + [p.media_id for p in held.defect_photos])
    )
    for check in held.patrol_checks:
        check.latitude = check.longitude = None
    for attempt in held.check_attempts:
        attempt.latitude = attempt.longitude = None
    erasure.add("patrol_checks", len(held.patrol_checks))
    erasure.add("check_attempts", len(held.check_attempts))
    erasure.add("camera_checks", len(held.camera_checks))

    for miss in held.round_misses:
        miss.reason_by = alias
    for order in held.awaited_orders:
        order.awaiting_photo_user = alias
    for event in held.order_events:
        event.actor = code
    for row in held.month_reports:
        row.submitted_by = code
    for row in held.acknowledgements:
        row.acknowledged_user_id, row.acknowledged_by = alias, code
    if display_name:
        for row in held.measures:
            row.recorded_by = measure_by(code)
    erasure.add(
        "named_records",
        len(held.round_misses + held.awaited_orders)
        + len(held.order_events)
        + len(held.month_reports)
        + len(held.acknowledgements)
        + len(held.measures),
    )

    _erase_outbox(session, held, alias, now, erasure)

    if held.conversation is not None:
        session.delete(held.conversation)
        erasure.add("conversation", 1)
    if held.invitation is not None and uid != alias:
        session.execute(
            update(Invitation).where(Invitation.line_user_id == uid).values(line_user_id=alias, detail=None)
        )
        erasure.add("invitation", 1)
    for row in held.rosters:
        if row.status in (RosterStatus.INVITED, RosterStatus.ACTIVE):
            row.status, row.removed_at, row.removed_by = RosterStatus.REMOVED, now, ERASED_BY
    erasure.add("unit_rosters", len(held.rosters))
    if held.staff_link is not None:
        session.execute(delete(StaffLineLink).where(StaffLineLink.line_user_id == uid))
        erasure.add("staff_link", 1)

    member.line_user_id = alias
    member.full_name = member.phone = member.display_name = None
    member.is_friend = False
    if member.erased_at is None:
        member.erased_at = now
    erasure.add("member", 1)
    session.flush()
    return erasure
