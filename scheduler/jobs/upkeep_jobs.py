"""The clock's upkeep: media downloads retried, LINE's push quota watched, personal data purged on time.

- media-retry, quota-watch: unclaimed, idempotent, run on every firing;
- quota-warning: ``scheduler.recipients.admins`` (urgent: it never waits for quota);
- retention-purge: nobody (it removes personal content past its retention period; counts go to the audit log).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from line.messages import text
from line.report_cards import percent
from models import MediaFile, MediaStatus
from models.periods import Period
from runtime import media, quota
from scheduler.context import JobContext
from scheduler.periods import split_step
from scheduler.policy import read
from services.privacy import retention
from texts import scheduler as t

REQUEUE_AFTER = timedelta(hours=6)
REQUEUE_TRIES = 3


def media_retry(ctx: JobContext, period: str) -> str:
    """Failed downloads of recent media get a few more tries (at most every six hours); then fetch what is due."""
    with ctx.session() as session:
        days = int(read(session, "scheduler.media_retry_days", 3))
        requeued = session.execute(
            update(MediaFile)
            .where(
                MediaFile.status == MediaStatus.FAILED,
                MediaFile.created_at >= ctx.now - timedelta(days=days),
                MediaFile.next_attempt_at <= ctx.now - REQUEUE_AFTER,
            )
            .values(status=MediaStatus.PENDING, attempts=media.MAX_ATTEMPTS - REQUEUE_TRIES, next_attempt_at=ctx.now)
            .execution_options(synchronize_session=False)
        ).rowcount
    stored = 0
    if ctx.media_store is not None:
        stored = media.fetch_due(ctx.sessions, ctx.messenger, ctx.media_store)
    return f"{requeued} requeued, {stored} stored"


def quota_watch(ctx: JobContext, period: str) -> str:
    """Read LINE's quota; warn the admins once a month at 80% and once at 100%."""
    quota.refresh_if_stale(ctx.sessions, ctx.messenger, now=ctx.now)
    with ctx.sessions() as session:
        state = quota.current_state(session, ctx.now)
    if state.ratio is None:
        return "no limit"
    month = Period.month_of(ctx.now).key
    for threshold in (80, 100):
        if state.ratio * 100 >= threshold:
            ctx.run_job("quota-warning", f"{month}:{threshold}")
    return f"{state.used}/{state.limit}"


def quota_warning(ctx: JobContext, period: str) -> str:
    """The admins' warning that the month's push quota is at 80% or spent (urgent: it never waits)."""
    base, threshold = split_step(period)
    with ctx.sessions() as session:
        state = quota.current_state(session, ctx.now)
        waiting = quota.waiting_for_quota(session)
    month = Period.parse_month(base).label()
    limit = state.limit or 0
    if threshold == "100":
        body = t.QUOTA_EXHAUSTED.format(month=month, used=state.used, limit=limit, waiting=waiting)
    else:
        shown = percent(100 * state.used / limit if limit else None).rstrip("%")
        body = t.QUOTA_WARNING.format(month=month, used=state.used, limit=limit, percent=shown)
    for recipient in ctx.recipients("admins"):
        ctx.send.to(recipient, [text(body)], urgent=True)
    return body.splitlines()[0][:80]


RETENTION_ACTOR = "clock"


def retention_purge(ctx: JobContext, period: str) -> str:
    """Daily: remove personal content past its retention period (services/privacy/retention.py), files included."""
    counts = retention.purge(ctx.sessions, ctx.now, actor=RETENTION_ACTOR, store=ctx.media_store).counts
    return (
        f"{counts.inbox_payloads} inbox payloads, {counts.rejected_bodies} rejected bodies,"
        f" {counts.outbox_messages} outbox messages, {counts.media_files} media,"
        f" {counts.report_contents} report contents, {counts.departed_members} departed members removed"
    )
