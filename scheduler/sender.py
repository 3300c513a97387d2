"""The clock's one way to send: once per recipient per run, through the outbox (retry keys, quota gate).

Each recipient's outbox row and its job_sends row are written in one transaction, so a run that
stops part-way and is resumed skips whoever was already served, and the outbox's retry key keeps
LINE from delivering a retried push twice. Messages for one recipient are merged into at most five
message objects (one push, one quota unit per member); the same messages to many users go by
multicast in batches of 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from linebot.v3.messaging import Message, TextMessage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from line.messages import MAX_MESSAGES_PER_CALL
from models import Chat, JobSend, RiskUnit, UnitKind
from runtime import delivery
from scheduler import claims
from services.riskpoints.units import unit_chat

log = logging.getLogger(__name__)

LINE_ID = re.compile(r"^[CRU][0-9a-f]{32}$")
MULTICAST_MAX = 500


@dataclass(frozen=True)
class Recipient:
    """A LINE user, group or room the clock sends to, with a name for lists (never logged)."""

    line_id: str
    name: str | None = None

    @property
    def is_user(self) -> bool:
        """Whether this is a user (multicast-able) rather than a group or room."""
        return self.line_id.startswith("U")


def resolve(session: Session, entries: Iterable[str]) -> list[Recipient]:
    """Recipients named by a setting: LINE ids as they are, other words as purposes of registered groups.

    A purpose matches registered groups the bot is still in (chats.purpose) and the LINE groups of
    the risk-point units of that kind (e.g. "secretariat").
    """
    found: dict[str, Recipient] = {}
    for entry in entries:
        entry = str(entry).strip()
        if LINE_ID.match(entry):
            name = session.scalar(select(Chat.name).where(Chat.line_chat_id == entry))
            found.setdefault(entry, Recipient(entry, name))
            continue
        for line_id, name in session.execute(
            select(Chat.line_chat_id, Chat.name)
            .where(Chat.purpose == entry, Chat.registered_at.is_not(None), Chat.is_member.is_(True))
            .order_by(Chat.id)
        ):
            found.setdefault(line_id, Recipient(line_id, name))
        for recipient in _unit_chats_of_kind(session, entry):
            found.setdefault(recipient.line_id, recipient)
    return list(found.values())


def _unit_chats_of_kind(session: Session, kind: str) -> list[Recipient]:
    """The LINE groups of the active risk-point units of a kind (e.g. secretariat); none for other words."""
    if kind not in {member.value for member in UnitKind}:
        return []
    units = session.scalars(select(RiskUnit).where(RiskUnit.kind == UnitKind(kind), RiskUnit.is_active))
    return [Recipient(line_id, unit.name) for unit in units if (line_id := unit_chat(session, unit))]


def compact(messages: list[Message]) -> list[Message]:
    """Merge adjacent plain texts until the messages fit one push (five objects), when they can."""
    merged = list(messages)
    while len(merged) > MAX_MESSAGES_PER_CALL:
        for index in range(len(merged) - 1):
            first, second = merged[index], merged[index + 1]
            if isinstance(first, TextMessage) and isinstance(second, TextMessage) and not first.quick_reply:
                merged[index : index + 2] = [
                    TextMessage(text=f"{first.text}\n\n{second.text}", quick_reply=second.quick_reply)
                ]
                break
        else:
            break
    return merged


class RunSender:
    """Sends for one claimed run; every call is its own transaction."""

    def __init__(self, sessions: sessionmaker[Session], run_id: int, job: str, now: datetime, *, urgent=False):
        """Send for run `run_id` of `job`; outbox rows get purpose=job (the admin web's usage by job)."""
        self.sessions = sessions
        self.run_id = run_id
        self.job = job
        self.now = now
        self.urgent = urgent
        self.count = 0

    def to(self, recipient: Recipient | str, messages: list[Message], *, urgent: bool | None = None) -> bool:
        """Send to one recipient unless this run already did; return whether it was queued now."""
        line_id = recipient.line_id if isinstance(recipient, Recipient) else recipient
        if not messages:
            return False
        try:
            with self.sessions.begin() as session:
                if self._already(session, [line_id]):
                    return False
                rows = delivery.enqueue(
                    session,
                    line_id,
                    compact(messages),
                    purpose=self.job,
                    urgent=self.urgent if urgent is None else urgent,
                )
                session.add(JobSend(run_id=self.run_id, recipient=line_id, outbox_id=rows[0].id, created_at=self.now))
                claims.extend(session, self.run_id, self.now)
        except IntegrityError:  # another owner of this run sent it at the same moment
            return False
        self.count += 1
        return True

    def to_each(self, batches: dict[str, list[Message]], *, size: int = 100) -> int:
        """Send each recipient its own messages, `size` recipients per transaction; return how many were queued."""
        queued = 0
        items = list(batches.items())
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            try:
                with self.sessions.begin() as session:
                    done = self._already(session, [line_id for line_id, _ in chunk])
                    fresh = [(line_id, messages) for line_id, messages in chunk if line_id not in done and messages]
                    for line_id, messages in fresh:
                        rows = delivery.enqueue(
                            session, line_id, compact(messages), purpose=self.job, urgent=self.urgent
                        )
                        session.add(
                            JobSend(run_id=self.run_id, recipient=line_id, outbox_id=rows[0].id, created_at=self.now)
                        )
                    claims.extend(session, self.run_id, self.now)
                self.count += len(fresh)
                queued += len(fresh)
            except IntegrityError:  # another owner of this run is sending the same batch: one by one then
                queued += sum(self.to(line_id, messages) for line_id, messages in chunk)
        return queued

    def to_in(self, session: Session, recipient: Recipient | str, messages: list[Message]) -> bool:
        """Send to one recipient inside the caller's transaction (with the change that caused it)."""
        line_id = recipient.line_id if isinstance(recipient, Recipient) else recipient
        if not messages or self._already(session, [line_id]):
            return False
        rows = delivery.enqueue(session, line_id, compact(messages), purpose=self.job, urgent=self.urgent)
        session.add(JobSend(run_id=self.run_id, recipient=line_id, outbox_id=rows[0].id, created_at=self.now))
        claims.extend(session, self.run_id, self.now)
        session.flush()
        self.count += 1
        return True

    def to_all(self, recipients: Iterable[Recipient], messages: list[Message]) -> int:
        """Send the same messages to each recipient: groups one by one, users by multicast (500 a call)."""
        recipients = list(recipients)
        users = [r.line_id for r in recipients if r.is_user]
        sent = self.to_each({r.line_id: messages for r in recipients if not r.is_user})
        for start in range(0, len(users), MULTICAST_MAX):
            sent += self._multicast(users[start : start + MULTICAST_MAX], messages)
        return sent

    def _multicast(self, user_ids: list[str], messages: list[Message]) -> int:
        try:
            with self.sessions.begin() as session:
                done = self._already(session, user_ids)
                todo = [uid for uid in user_ids if uid not in done]
                if not todo:
                    return 0
                if len(todo) == 1:
                    rows = delivery.enqueue(session, todo[0], compact(messages), purpose=self.job, urgent=self.urgent)
                else:
                    rows = delivery.enqueue(
                        session, "multicast", compact(messages), purpose=self.job, urgent=self.urgent, multicast_to=todo
                    )
                session.add_all(
                    JobSend(run_id=self.run_id, recipient=uid, outbox_id=rows[0].id, created_at=self.now)
                    for uid in todo
                )
                claims.extend(session, self.run_id, self.now)
        except IntegrityError:
            return 0
        self.count += len(todo)
        return len(todo)

    def _already(self, session: Session, line_ids: list[str]) -> set[str]:
        return set(
            session.scalars(
                select(JobSend.recipient).where(JobSend.run_id == self.run_id, JobSend.recipient.in_(line_ids))
            )
        )
