"""Sign-in lockout counted in the audit log, so every gunicorn worker and process sees the same count.

Three keys, so that one person mistyping behind an office's shared address (NAT) never locks out the
colleagues behind the same address:
- a username from one address: PAIR_FAILURES (5) failures within WINDOW lock that pair; a successful
  sign-in of the pair clears its count;
- a username from any address: ACCOUNT_FAILURES (20) failures within WINDOW lock the username everywhere
  (credential stuffing from many addresses);
- an address for any username: ADDRESS_FAILURES (30) failures within WINDOW on at least ADDRESS_USERNAMES
  (5) different usernames lock the address (password spraying).
A lock lasts until LOCKOUT after the last failure that set it. Attempts refused during a lockout are
logged as login.locked and do not extend it. Whether a username exists changes nothing here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from models import AuditEntry
from services.audit import Action

PAIR_FAILURES = 5
ACCOUNT_FAILURES = 20
ADDRESS_FAILURES = 30
ADDRESS_USERNAMES = 5
WINDOW = timedelta(minutes=15)  # the failures that count must fall within this span
LOCKOUT = timedelta(minutes=15)


def locked_until(session: Session, *, username: str, ip: str | None, now: datetime) -> datetime | None:
    """When this username may try again from this address, or None when no lock applies."""
    pair = and_(AuditEntry.actor == username, AuditEntry.ip == ip if ip else AuditEntry.ip.is_(None))
    last_success = session.scalar(select(func.max(AuditEntry.at)).where(pair, AuditEntry.action == Action.LOGIN_OK))
    ends = [
        _lock_end(session, pair, now, PAIR_FAILURES, since=last_success),
        _lock_end(session, AuditEntry.actor == username, now, ACCOUNT_FAILURES),
    ]
    if ip:
        ends.append(_lock_end(session, AuditEntry.ip == ip, now, ADDRESS_FAILURES, usernames=ADDRESS_USERNAMES))
    found = [end for end in ends if end is not None]
    return max(found) if found else None


def _lock_end(
    session: Session,
    who: ColumnElement[bool],
    now: datetime,
    failures: int,
    *,
    since: datetime | None = None,
    usernames: int = 1,
) -> datetime | None:
    """The end of the lock the latest `failures` failures of one key impose (on enough usernames), if any."""
    statement = (
        select(AuditEntry.at, AuditEntry.actor)
        .where(who, AuditEntry.action == Action.LOGIN_FAILED, AuditEntry.at > now - WINDOW - LOCKOUT)
        .order_by(AuditEntry.at.desc())
        .limit(failures)
    )
    if since is not None:
        statement = statement.where(AuditEntry.at > since)
    rows = session.execute(statement).all()
    if len(rows) < failures or rows[0].at - rows[-1].at > WINDOW:
        return None
    if len({row.actor for row in rows}) < usernames:
        return None
    end = rows[0].at + LOCKOUT
    return end if end > now else None
