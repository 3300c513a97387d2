"""The printed numbers of the CCTV coordination letters (one home for the letter, its cards and the web)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import CoordinationLetter
from models.office import letter_number


def doc_number(session: Session, letter: CoordinationLetter) -> str:
    """The letter's document number: the office's code and the register's running number, e.g. 'กท 5301/12'."""
    return letter_number(session, letter.number)
