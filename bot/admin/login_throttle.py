"""Sign-in lockout counted in the audit log, so every gunicorn worker and process sees the same count.

Five failed sign-ins for one username, or from one address, within 15 minutes lock that username (or
address) until 15 minutes after the last of them. A successful sign-in clears the username's count
(not the address's). Attempts refused during a lockout are logged as login.locked and do not extend it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.audit import Action
from models import AuditEntry

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def locked_until(session: Session, *, username: str, ip: str | None, now: datetime) -> datetime | None:
    """When the username or address may try again, or None when neither is locked out."""
    last_success = session.scalar(
        select(func.max(AuditEntry.at)).where(AuditEntry.actor == username, AuditEntry.action == Action.LOGIN_OK)
    )
    ends = [_lock_end(session, AuditEntry.actor == username, now, since=last_success)]
    if ip:
        ends.append(_lock_end(session, AuditEntry.ip == ip, now))
    ends = [end for end in ends if end is not None]
    return max(ends) if ends else None


def _lock_end(session: Session, who: ColumnElement[bool], now: datetime, since: datetime | None = None):
    """The end of the lockout the latest failures of one username or address impose, if any."""
    statement = (
        select(AuditEntry.at)
        .where(who, AuditEntry.action == Action.LOGIN_FAILED, AuditEntry.at > now - 2 * LOCKOUT)
        .order_by(AuditEntry.at.desc())
        .limit(MAX_FAILURES)
    )
    if since is not None:
        statement = statement.where(AuditEntry.at > since)
    failures = list(session.scalars(statement))
    if len(failures) < MAX_FAILURES or failures[0] - failures[-1] > LOCKOUT:
        return None
    end = failures[0] + LOCKOUT
    return end if end > now else None
