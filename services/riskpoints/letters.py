"""Coordination letters to a broken camera's owner agency: numbered in the office's one letter register.

The DOCX and PDF are rendered on demand (reports/documents/coordination_letter.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CoordinationLetter, Defect, LetterKind, MediaFile, RiskCamera
from services.letters import issue_number
from texts import letters as t


def issue_letter(
    session: Session,
    defect: Defect,
    camera: RiskCamera,
    at: datetime,
    photo: MediaFile | None,
    *,
    by: str | None = None,
) -> CoordinationLetter:
    """Take the register's next number for a broken camera's letter (the documents are rendered on demand)."""
    addressee = t.COORDINATION_ADDRESSEE.format(agency=camera.owner_agency)
    entry = issue_number(session, LetterKind.COORDINATION, t.COORDINATION_SUBJECT, addressee, by, at)
    letter = CoordinationLetter(
        letter_id=entry.id,
        fiscal_year=entry.fiscal_year,
        number=entry.number,
        defect_id=defect.id,
        camera_id=camera.id,
        agency=camera.owner_agency,
        issued_at=at,
        found_at=at,
        photo_media_id=photo.id if photo else None,
    )
    session.add(letter)
    session.flush()
    return letter


def letter_for(session: Session, defect_id: int) -> CoordinationLetter | None:
    """The letter issued for a defect."""
    return session.scalar(select(CoordinationLetter).where(CoordinationLetter.defect_id == defect_id))
