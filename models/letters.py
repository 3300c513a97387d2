"""The register of outgoing letters (ทะเบียนหนังสือส่ง): one running number per letter book and fiscal year.

Every numbered letter the office sends takes its number here, whatever its kind (a coordination letter for a
broken camera, a letter forwarding network reports or a meeting's results), so no two letters of a book and
year share a number. The number is taken by ``services.letters.issue_number``; the printed number adds the
office's code (``models.office.letter_number``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column

DEFAULT_BOOK = "ทั่วไป"  # one book per office unless a caller names another
LEGACY_FORWARD_BOOK = "ส่งต่อ (ก่อนรวมทะเบียน)"  # forward letters numbered before the one register (0012)


class LetterKind(enum.StrEnum):
    """What a letter is for."""

    COORDINATION = "coordination"  # asks an agency to repair a camera found broken
    FORWARD = "forward"  # forwards network reports or a meeting's results to an agency


class OutgoingLetter(Base):
    """One numbered letter in the register: its book, fiscal year and number, kind, subject and addressee."""

    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("book", "fiscal_year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    book: Mapped[str] = mapped_column(String(40), default=DEFAULT_BOOK)
    fiscal_year: Mapped[int]  # Buddhist Era fiscal year
    number: Mapped[int]
    kind: Mapped[LetterKind] = mapped_column(enum_column(LetterKind))
    subject: Mapped[str] = mapped_column(String(300))
    addressee: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[datetime]
    issued_by: Mapped[str | None] = mapped_column(String(80))
