"""Numbering outgoing letters: one running number per letter book and fiscal year, whatever the letter's kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.counters import next_number, raise_counter
from models.letters import DEFAULT_BOOK, LetterKind, OutgoingLetter
from models.timeutil import fiscal_year, to_bangkok


def counter_name(book: str) -> str:
    """The name of a book's running-number counter (models.counters), e.g. 'LETTER:ทั่วไป'."""
    return f"LETTER:{book}"[:40]


def issue_number(
    session: Session,
    kind: LetterKind | str,
    subject: str,
    addressee: str,
    by: str | None,
    now: datetime,
    *,
    book: str = DEFAULT_BOOK,
    number: int | None = None,
) -> OutgoingLetter:
    """Enter a letter in the register with the next number of its book and fiscal year (Bangkok date of now).

    ``number``: a letter sent before FieldLine, entered later with the number it was given (the caller checks
    that the number is free: services/earlier_evidence.py); the running number then continues after it.
    """
    year = fiscal_year(to_bangkok(now).date())
    if number is not None:
        raise_counter(session, counter_name(book), year, number)
    letter = OutgoingLetter(
        book=book,
        fiscal_year=year,
        number=number if number is not None else next_number(session, counter_name(book), year),
        kind=LetterKind(kind),
        subject=" ".join(subject.split())[:300],
        addressee=" ".join(addressee.split())[:300],
        issued_at=now,
        issued_by=(by or None) and by[:80],
    )
    session.add(letter)
    session.flush()
    return letter


def register(session: Session, year: int, *, book: str = DEFAULT_BOOK, limit: int = 200) -> list[OutgoingLetter]:
    """The letters of a book and fiscal year, newest number first."""
    query = (
        select(OutgoingLetter)
        .where(OutgoingLetter.book == book, OutgoingLetter.fiscal_year == year)
        .order_by(OutgoingLetter.number.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
