"""The printed numbers of the CCTV coordination letters (one home for the letter, its cards and the web)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import CoordinationLetter
from models.settings import get_setting


def doc_number(session: Session, letter: CoordinationLetter) -> str:
    """The letter's document number: the office's prefix and the fiscal year's running number, e.g. 'กท 5301/12'."""
    return f"{get_setting(session, 'riskpoints.letter_prefix')}/{letter.number}"
