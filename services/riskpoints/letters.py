"""Coordination letters to a broken camera's owner agency: numbered per fiscal year (the DOCX is rendered on demand)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CoordinationLetter, Defect, MediaFile, RiskCamera
from models.counters import next_number
from models.timeutil import fiscal_year, to_bangkok


def issue_letter(
    session: Session, defect: Defect, camera: RiskCamera, at: datetime, photo: MediaFile | None
) -> CoordinationLetter:
    """Take the fiscal year's next letter number for a broken camera (the DOCX is rendered on demand)."""
    year = fiscal_year(to_bangkok(at).date())
    letter = CoordinationLetter(
        fiscal_year=year,
        number=next_number(session, "RP-LETTER", year),
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
