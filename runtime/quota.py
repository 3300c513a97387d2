"""The monthly push quota: what a push costs, what LINE says is used, and whether a push may go now.

Replies are free. A push costs one message per recipient: one for a user, the member count for a
group or room, the number of users for a multicast. LINE's limit and consumption are read with
``Messenger.quota()`` at most every ``CACHE_TTL`` and kept in ``quota_snapshots`` (one row per Bangkok
calendar month, shared by every process); pushes delivered since the snapshot are added from the
outbox's ``quota_cost`` column, so the estimate stays current between reads. When a push would go past
the limit, a non-urgent outbox row waits for the first instant of next month instead of failing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Chat, OutboxStatus, OutgoingMessage, QuotaSnapshot
from models.timeutil import BANGKOK, to_bangkok, utcnow

log = logging.getLogger(__name__)

CACHE_TTL = timedelta(minutes=10)
RETRY_UNKNOWN = timedelta(minutes=2)
WARN_RATIO = 0.8
DEFERRED = "quota: waiting for next month"


def quota_month(moment: datetime) -> str:
    """The Bangkok calendar month a moment falls in, e.g. '2026-03'."""
    return f"{to_bangkok(moment):%Y-%m}"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of a month ('2026-03') and of the next one, in Bangkok time."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=BANGKOK)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=BANGKOK)
    return start, following


def next_month_start(moment: datetime) -> datetime:
    """The first instant of the Bangkok month after the one a moment falls in."""
    local = to_bangkok(moment).date().replace(day=1)
    following = local.replace(year=local.year + local.month // 12, month=local.month % 12 + 1)
    return datetime.combine(following, time.min, BANGKOK)


def recipient_cost(session: Session, recipient: str) -> int:
    """Messages one push to this recipient uses: 1 for a user, the member count for a group or room."""
    if recipient.startswith("U"):
        return 1
    count = session.scalar(select(Chat.member_count).where(Chat.line_chat_id == recipient))
    return max(int(count or 1), 1)


def row_cost(session: Session, row: OutgoingMessage) -> int:
    """Messages pushing this outbox row uses (a multicast costs one per user)."""
    if row.multicast_to:
        return len(row.multicast_to)
    return recipient_cost(session, row.recipient)


@dataclass(frozen=True)
class QuotaState:
    """The month's limit (None: unlimited or unknown) and the estimated use so far."""

    month: str
    limit: int | None
    used: int
    known: bool
    fetched_at: datetime | None = None

    @property
    def ratio(self) -> float | None:
        """Used over limit, or None when there is no limit."""
        return None if not self.limit else self.used / self.limit

    def allows(self, cost: int) -> bool:
        """Whether a push of this cost fits in what is left."""
        return self.limit is None or self.used + cost <= self.limit


def refresh_if_stale(sessions: sessionmaker[Session], messenger, *, now: datetime | None = None, force=False) -> None:
    """Ask LINE for the quota when the month's snapshot is missing or old (outside any transaction)."""
    now = now or utcnow()
    month = quota_month(now)
    read = getattr(messenger, "quota", None)
    if read is None:
        return
    with sessions() as session:
        snapshot = session.get(QuotaSnapshot, month)
        if snapshot is not None and not force:
            answered = snapshot.known and snapshot.checked_at == snapshot.fetched_at
            if now - snapshot.checked_at < (CACHE_TTL if answered else RETRY_UNKNOWN):
                return
    try:
        limit, used = read()
        known = True
    except Exception as exc:  # LINE unreachable: send anyway, ask again soon
        log.info("push quota unknown: %s", type(exc).__name__)
        limit, used, known = None, 0, False
    _store(sessions, month, limit, used, known, now)


def _store(sessions: sessionmaker[Session], month: str, limit, used: int, known: bool, now: datetime) -> None:
    """Write the month's snapshot; another process writing it at the same moment is fine."""
    for _ in range(2):
        try:
            with sessions.begin() as session:
                snapshot = session.get(QuotaSnapshot, month, with_for_update=True)
                if snapshot is None:
                    snapshot = QuotaSnapshot(month=month, quota_limit=limit, used=used, known=known, fetched_at=now)
                    session.add(snapshot)
                elif known or not snapshot.known:  # an unknown answer keeps the last good figures
                    snapshot.quota_limit, snapshot.used, snapshot.known, snapshot.fetched_at = limit, used, known, now
                snapshot.checked_at = now
            return
        except IntegrityError:
            continue


def current_state(session: Session, now: datetime | None = None) -> QuotaState:
    """The month's quota as last read, plus what was pushed since (no call to LINE)."""
    now = now or utcnow()
    month = quota_month(now)
    snapshot = session.get(QuotaSnapshot, month)
    start, _ = month_bounds(month)
    since = snapshot.fetched_at if snapshot is not None and snapshot.known else start
    pushed = session.scalar(
        select(func.coalesce(func.sum(OutgoingMessage.quota_cost), 0)).where(
            OutgoingMessage.status == OutboxStatus.SENT,
            OutgoingMessage.quota_cost.is_not(None),
            OutgoingMessage.sent_at >= max(since, start),
        )
    )
    if snapshot is None or not snapshot.known:
        return QuotaState(month, None, int(pushed or 0), False, snapshot.fetched_at if snapshot else None)
    return QuotaState(month, snapshot.quota_limit, snapshot.used + int(pushed or 0), True, snapshot.fetched_at)


def admit(session: Session, row: OutgoingMessage, cost: int, now: datetime) -> bool:
    """Whether a push may go now; a non-urgent row that does not fit is moved to next month instead."""
    if row.urgent:
        return True
    state = current_state(session, now)
    if state.allows(cost):
        return True
    row.next_attempt_at = next_month_start(now)
    row.last_error = DEFERRED
    log.info("outbox row %s waits for next month's quota (%s of %s used)", row.id, state.used, state.limit)
    return False


def usage_by_purpose(session: Session, month: str) -> dict[str, int]:
    """Quota used in a month by each outbox purpose (a scheduler job id, 'push', ...), largest first."""
    start, end = month_bounds(month)
    rows = session.execute(
        select(OutgoingMessage.purpose, func.sum(OutgoingMessage.quota_cost))
        .where(
            OutgoingMessage.quota_cost.is_not(None),
            OutgoingMessage.sent_at >= start,
            OutgoingMessage.sent_at < end,
        )
        .group_by(OutgoingMessage.purpose)
    ).all()
    return dict(sorted(((purpose, int(total or 0)) for purpose, total in rows), key=lambda item: -item[1]))


def waiting_for_quota(session: Session) -> int:
    """How many outbox rows wait for next month's quota."""
    return session.scalar(
        select(func.count()).where(
            OutgoingMessage.status == OutboxStatus.PENDING, OutgoingMessage.last_error == DEFERRED
        )
    )
