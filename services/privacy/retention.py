"""PDPA retention: remove personal content the bot no longer needs, in bounded batches, and audit it.

The periods are settings (models/settings.py, in days):

- ``retention.inbox_payload_days`` (90): the raw payload of an inbox event that is done or ignored,
  counted from when it was received. The row stays (its unique key keeps deduplicating LINE's
  redeliveries, and the counts stay); the payload becomes a marker saying when it was removed
  (models/retention.py).
- ``retention.rejected_body_days`` (30): rejected webhook bodies are deleted.
- ``retention.outbox_message_days`` (90): the message contents of outbox rows that were sent or failed,
  counted from when they were written, become the same marker.

The business records keep their rows (the KPIs count them) and lose their personal content
(services/privacy/):

- ``retention.media_days`` (180): photos and files of finished news reports (forwarded, closed, withdrawn,
  or drafts never confirmed), counted from the report's last activity: its last message, or the last
  forward or meeting that took it up. Never longer than the report's own period.
- ``retention.closed_report_days`` (730): the messages, places and sender id of those reports.
- ``retention.departed_member_days`` (365): members who left (blocked the bot, or were suspended or
  rejected) are anonymised like an erasure once that long has passed since their last sign of life (their
  record, a report, a risk-point check, a one-to-one event, an acknowledgement). Staff with a linked LINE
  account are not.

Never touched: pending, failed and parked inbox events (the secretariat must see them), pending and
parked outbox rows, news reports still to handle (new, received), approved members who still follow
the bot, risk-point records other than a departed member's, and the audit log. Each batch is its own
short transaction; the files of removed media are deleted after their commit. Each run writes one
audit entry with counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Text, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import (
    CameraCheck,
    CheckAttempt,
    InboxEvent,
    InboxStatus,
    MediaFile,
    MediaStatus,
    Member,
    MemberStatus,
    NewsReport,
    OutboxStatus,
    OutgoingMessage,
    PatrolCheck,
    RejectedBody,
    ReportItem,
    ReportStatus,
)
from models.retention import MESSAGES_PREFIX, PAYLOAD_PREFIX, messages_marker, payload_marker
from models.settings import DEFAULTS, get_setting
from models.workgroup import Forward, ForwardRecipient, ForwardReport, Meeting, MeetingReport, StaffLineLink
from services.audit import Action, record
from services.media_store import MediaStore
from services.privacy.erasure import blank_report_content, erase
from services.privacy.files import FILES_GONE, sweep_removed_files

log = logging.getLogger(__name__)

BATCH_SIZE = 500
INBOX_DAYS = "retention.inbox_payload_days"
REJECTED_DAYS = "retention.rejected_body_days"
OUTBOX_DAYS = "retention.outbox_message_days"
MEDIA_DAYS = "retention.media_days"
REPORT_DAYS = "retention.closed_report_days"
DEPARTED_DAYS = "retention.departed_member_days"
FINISHED_EVENTS = (InboxStatus.DONE, InboxStatus.IGNORED)
FINISHED_MESSAGES = (OutboxStatus.SENT, OutboxStatus.FAILED)
# News reports the secretariat is done with; new and received ones are still to handle and never purged.
FINISHED_REPORTS = (ReportStatus.FORWARDED, ReportStatus.CLOSED, ReportStatus.WITHDRAWN, ReportStatus.DRAFT)
# Members who left: they blocked the bot (is_friend false), or the secretariat suspended or rejected them.
DEPARTED_STATUSES = (MemberStatus.SUSPENDED, MemberStatus.REJECTED)
MEMBER_BATCH = 50  # an anonymisation touches several tables per member


def retention_days(session: Session, key: str) -> int:
    """A retention period in days; a setting that is not a positive whole number falls back to its default."""
    value = get_setting(session, key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    log.warning("retention setting %s is not a positive number of days; using %s", key, DEFAULTS[key])
    return DEFAULTS[key]


@dataclass(frozen=True)
class Rules:
    """The retention periods, in days."""

    inbox_payload_days: int
    rejected_body_days: int
    outbox_message_days: int
    media_days: int = DEFAULTS[MEDIA_DAYS]
    closed_report_days: int = DEFAULTS[REPORT_DAYS]
    departed_member_days: int = DEFAULTS[DEPARTED_DAYS]

    @classmethod
    def load(cls, session: Session) -> Rules:
        """Read the periods from the settings."""
        return cls(
            retention_days(session, INBOX_DAYS),
            retention_days(session, REJECTED_DAYS),
            retention_days(session, OUTBOX_DAYS),
            retention_days(session, MEDIA_DAYS),
            retention_days(session, REPORT_DAYS),
            retention_days(session, DEPARTED_DAYS),
        )

    @property
    def effective_media_days(self) -> int:
        """Photos never outlive their report's messages."""
        return min(self.media_days, self.closed_report_days)


@dataclass(frozen=True)
class Counts:
    """How many rows a run purged (or, in a dry run, would purge)."""

    inbox_payloads: int = 0
    rejected_bodies: int = 0
    outbox_messages: int = 0
    media_files: int = 0
    report_contents: int = 0
    departed_members: int = 0


@dataclass(frozen=True)
class Outcome:
    """A run's rules, counts and whether it was a dry run."""

    rules: Rules
    counts: Counts
    dry_run: bool = False


# --- which rows are due ----------------------------------------------------------------------------------


def inbox_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Inbox events finished and received before the cutoff whose payload is still there."""
    return (
        InboxEvent.status.in_(FINISHED_EVENTS),
        InboxEvent.received_at < cutoff,
        ~InboxEvent.payload.startswith(PAYLOAD_PREFIX, autoescape=True),
    )


def rejected_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Rejected bodies received before the cutoff."""
    return (RejectedBody.received_at < cutoff,)


def outbox_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Outbox rows sent or failed, written before the cutoff, whose messages are still there."""
    return (
        OutgoingMessage.status.in_(FINISHED_MESSAGES),
        OutgoingMessage.created_at < cutoff,
        ~cast(OutgoingMessage.messages, Text).startswith(MESSAGES_PREFIX, autoescape=True),
    )


def report_finished_before(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """News reports the secretariat is done with and that nothing took up since the cutoff."""
    forwarded_since = exists().where(
        ForwardReport.report_id == NewsReport.id, Forward.id == ForwardReport.forward_id, Forward.sent_at >= cutoff
    )
    met_since = exists().where(
        MeetingReport.report_id == NewsReport.id, Meeting.id == MeetingReport.meeting_id, Meeting.starts_at >= cutoff
    )
    return (
        NewsReport.status.in_(FINISHED_REPORTS),
        NewsReport.last_item_at < cutoff,
        ~forwarded_since,
        ~met_since,
    )


def media_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Photos and files of finished reports last active before the cutoff, not removed yet."""
    finished = (
        select(ReportItem.media_id)
        .join(NewsReport, NewsReport.id == ReportItem.report_id)
        .where(ReportItem.media_id.is_not(None), *report_finished_before(cutoff))
    )
    return (MediaFile.status.not_in(FILES_GONE), MediaFile.id.in_(finished))


def report_content_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Finished reports last active before the cutoff whose content is still there."""
    return (*report_finished_before(cutoff), NewsReport.content_removed_at.is_(None))


def departed_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Members who left and showed no sign of life since the cutoff, not anonymised yet."""
    mine = Member.id
    return (
        Member.erased_at.is_(None),
        or_(Member.status.in_(DEPARTED_STATUSES), Member.is_friend.is_(False)),
        Member.first_seen_at < cutoff,
        Member.updated_at < cutoff,
        or_(Member.decided_at.is_(None), Member.decided_at < cutoff),
        ~exists().where(NewsReport.reporter_id == mine, NewsReport.last_item_at >= cutoff),
        ~exists().where(PatrolCheck.member_id == mine, PatrolCheck.checked_at >= cutoff),
        ~exists().where(CameraCheck.member_id == mine, CameraCheck.checked_at >= cutoff),
        ~exists().where(CheckAttempt.member_id == mine, CheckAttempt.attempted_at >= cutoff),
        ~exists().where(InboxEvent.chat_key == Member.line_user_id, InboxEvent.received_at >= cutoff),
        ~exists().where(
            ForwardRecipient.acknowledged_user_id == Member.line_user_id, ForwardRecipient.acknowledged_at >= cutoff
        ),
        ~exists().where(StaffLineLink.line_user_id == Member.line_user_id),
    )


def count_due(session: Session, rules: Rules, now: datetime) -> Counts:
    """How many rows a run at `now` would purge (the dry run)."""

    def count(model, conditions) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0

    return Counts(
        inbox_payloads=count(InboxEvent, inbox_due(now - timedelta(days=rules.inbox_payload_days))),
        rejected_bodies=count(RejectedBody, rejected_due(now - timedelta(days=rules.rejected_body_days))),
        outbox_messages=count(OutgoingMessage, outbox_due(now - timedelta(days=rules.outbox_message_days))),
        media_files=count(MediaFile, media_due(now - timedelta(days=rules.effective_media_days))),
        report_contents=count(NewsReport, report_content_due(now - timedelta(days=rules.closed_report_days))),
        departed_members=count(Member, departed_due(now - timedelta(days=rules.departed_member_days))),
    )


# --- one batch each (the caller commits) -------------------------------------------------------------------

Batch = tuple[int, int | None]  # rows purged, the last id looked at (None: nothing left)


def _purge_batch(session: Session, model, conditions, change, after_id: int, limit: int) -> Batch:
    """Apply `change` (an UPDATE or DELETE of model) to up to `limit` due rows with ids above `after_id`."""
    ids = session.scalars(
        select(model.id).where(model.id > after_id, *conditions).order_by(model.id).limit(limit)
    ).all()
    if not ids:
        return 0, None
    # The conditions are checked again: a row may have changed since it was selected.
    statement = change.where(model.id.in_(ids), *conditions).execution_options(synchronize_session=False)
    result = session.execute(statement)
    return max(result.rowcount, 0), ids[-1]


def purge_inbox_batch(session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE) -> Batch:
    """Replace the payloads of up to `limit` due inbox events with ids above `after_id` by the marker."""
    due = inbox_due(now - timedelta(days=days))
    change = update(InboxEvent).values(payload=payload_marker(now, days))
    return _purge_batch(session, InboxEvent, due, change, after_id, limit)


def purge_rejected_batch(
    session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE
) -> Batch:
    """Delete up to `limit` due rejected bodies with ids above `after_id`."""
    due = rejected_due(now - timedelta(days=days))
    return _purge_batch(session, RejectedBody, due, delete(RejectedBody), after_id, limit)


def purge_outbox_batch(session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE) -> Batch:
    """Replace the messages of up to `limit` due outbox rows with ids above `after_id` by the marker."""
    due = outbox_due(now - timedelta(days=days))
    change = update(OutgoingMessage).values(messages=messages_marker(now, days))
    return _purge_batch(session, OutgoingMessage, due, change, after_id, limit)


def purge_media_batch(session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE) -> Batch:
    """Mark up to `limit` due media with ids above `after_id` removed (their files go after the commit)."""
    due = media_due(now - timedelta(days=days))
    change = update(MediaFile).values(status=MediaStatus.REMOVED, file_name=None)
    return _purge_batch(session, MediaFile, due, change, after_id, limit)


def purge_report_contents_batch(
    session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE
) -> Batch:
    """Remove the messages, places and sender ids of up to `limit` due reports with ids above `after_id`."""
    due = report_content_due(now - timedelta(days=days))
    ids = session.scalars(
        select(NewsReport.id).where(NewsReport.id > after_id, *due).order_by(NewsReport.id).limit(limit)
    ).all()
    if not ids:
        return 0, None
    changed, _media = blank_report_content(session, list(ids), now)
    return changed, ids[-1]


def anonymise_departed_batch(
    session: Session, now: datetime, days: int, after_id: int = 0, limit: int = MEMBER_BATCH
) -> Batch:
    """Anonymise up to `limit` departed members with ids above `after_id` (services.privacy.erasure.erase)."""
    due = departed_due(now - timedelta(days=days))
    members = session.scalars(select(Member).where(Member.id > after_id, *due).order_by(Member.id).limit(limit)).all()
    if not members:
        return 0, None
    last_id = members[-1].id
    for member in members:
        erase(session, member, now)
    return len(members), last_id


def sweep_files(sessions: sessionmaker[Session], store: MediaStore, batch_size: int = BATCH_SIZE) -> int:
    """Delete the files of removed media, batch by batch, after the transactions that removed them."""
    total = 0
    while True:
        with sessions.begin() as session:
            swept = sweep_removed_files(session, store, limit=batch_size)
        total += swept
        if swept < batch_size:
            return total


# --- a whole run ------------------------------------------------------------------------------------------


def _in_batches(sessions: sessionmaker[Session], batch: Callable[[Session, int], Batch]) -> int:
    """Run a batch function, each call in its own transaction, until nothing is left; return the total."""
    total, after_id = 0, 0
    while True:
        with sessions.begin() as session:
            purged, last_id = batch(session, after_id)
        total += purged
        if last_id is None:
            return total
        after_id = last_id


def purge(
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    actor: str,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    store: MediaStore | None = None,
) -> Outcome:
    """Purge everything past its retention period at `now`, batch by batch, and audit the counts.

    With a store, the files of removed media are deleted too (otherwise by the next run that has one).
    """
    with sessions() as session:
        rules = Rules.load(session)
        if dry_run:
            return Outcome(rules, count_due(session, rules, now), dry_run=True)
    counts = Counts(
        inbox_payloads=_in_batches(
            sessions, lambda s, after: purge_inbox_batch(s, now, rules.inbox_payload_days, after, batch_size)
        ),
        rejected_bodies=_in_batches(
            sessions, lambda s, after: purge_rejected_batch(s, now, rules.rejected_body_days, after, batch_size)
        ),
        outbox_messages=_in_batches(
            sessions, lambda s, after: purge_outbox_batch(s, now, rules.outbox_message_days, after, batch_size)
        ),
        media_files=_in_batches(
            sessions, lambda s, after: purge_media_batch(s, now, rules.effective_media_days, after, batch_size)
        ),
        report_contents=_in_batches(
            sessions,
            lambda s, after: purge_report_contents_batch(s, now, rules.closed_report_days, after, batch_size),
        ),
        departed_members=_in_batches(
            sessions,
            lambda s, after: anonymise_departed_batch(
                s, now, rules.departed_member_days, after, min(batch_size, MEMBER_BATCH)
            ),
        ),
    )
    files = sweep_files(sessions, store, batch_size) if store is not None else 0
    with sessions.begin() as session:
        record(
            session,
            actor,
            Action.RETENTION_PURGE,
            object_type="retention",
            detail={**asdict(counts), **asdict(rules), "files_deleted": files},  # numbers only: never ids or content
        )
    log.info(
        "retention: %s inbox payloads, %s rejected bodies, %s outbox messages, %s media (%s files), "
        "%s report contents, %s departed members removed",
        counts.inbox_payloads,
        counts.rejected_bodies,
        counts.outbox_messages,
        counts.media_files,
        files,
        counts.report_contents,
        counts.departed_members,
    )
    return Outcome(rules, counts)
