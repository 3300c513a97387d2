"""What a rule tells someone, as data: the caller renders a notice into LINE messages and sends it.

A service that must tell a group or a person something takes a ``notify`` callback and calls it with
the recipient's LINE id and a notice; the LINE handlers pass their push, the web, CLI and clock an
outbox writer (``runtime.delivery.notifier``). The wording lives in ``line/notices.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from models import CoordinationLetter, Member, NewsReport, RoundMiss, UnitMembership, WorkOrder
from models.workgroup import Forward, ForwardRecipient


@dataclass(frozen=True)
class Notice:
    """The base of every notice."""

    @property
    def topic(self) -> str:
        """What the notice is about, added to the outbox purpose (e.g. a forward's reference); '' for nothing."""
        return ""


Notify = Callable[[str, Notice], None]


@dataclass(frozen=True)
class OrderSent(Notice):
    """A work order (new, or sent back by a patrol) for its department's group, with its status buttons."""

    order: WorkOrder


@dataclass(frozen=True)
class LetterIssued(Notice):
    """A broken camera's coordination letter was issued (told to the secretariat); method 'centre' or 'on_site'."""

    letter: CoordinationLetter
    method: str


@dataclass(frozen=True)
class RoundMissed(Notice):
    """A patrol unit's points left unvisited in a finished round of a patrol day."""

    day: date
    round_no: int
    misses: tuple[RoundMiss, ...]


@dataclass(frozen=True)
class ForwardSent(Notice):
    """A forward's summary for one agency group, with an acknowledgement button per agency in it."""

    forward: Forward
    recipients: tuple[ForwardRecipient, ...]

    @property
    def topic(self) -> str:
        """The forward's reference."""
        return self.forward.ref_no


@dataclass(frozen=True)
class ForwardReminder(ForwardSent):
    """A reminder to the agencies of one group that have not acknowledged a forward, with the buttons again."""


@dataclass(frozen=True)
class StatusUpdated(Notice):
    """Where a network report stands, told to its sender; key is one of texts.network.STATUS_UPDATES."""

    report: NewsReport
    key: str

    @property
    def topic(self) -> str:
        """The status told."""
        return self.key


@dataclass(frozen=True)
class RosterInvited(Notice):
    """An invitation onto a unit's roster, for the invited person, with accept and decline buttons."""

    membership: UnitMembership


@dataclass(frozen=True)
class MemberDecided(Notice):
    """The secretariat's decision on a member's registration (approved, rejected, suspended), told to them."""

    member: Member
    status: str

    @property
    def topic(self) -> str:
        """The decision told."""
        return self.status


@dataclass(frozen=True)
class OrderUndelivered(Notice):
    """A new work order that could not reach its department (no LINE group), told to the secretariat."""

    order: WorkOrder


@dataclass(frozen=True)
class KpiReportFinalised(Notice):
    """A finalised quarterly KPI report for one secretariat member, with signed, expiring download links."""

    name: str  # the KPI's short name, e.g. "เครือข่ายข่าวความมั่นคง"
    period: str  # e.g. "ปีงบประมาณ 2564 ไตรมาสที่ 4"
    version: int
    by: str  # who finalised it, as a person reads it
    finalised_at: datetime
    links: tuple[tuple[str, str], ...]  # (format, signed link): pdf, docx, xlsx
    expires_at: datetime
