"""The coordination letter for a broken camera: a Thai official letter (หนังสือภายนอก) as DOCX or PDF.

Rendered on demand from the CoordinationLetter row (its number and dates never change) and the office
profile, so the photo, downloaded by the worker after the check, is included as soon as it is stored, and
the office's name, address and signatory are the profile's. The contact is the unit responsible: the
department the defect's work order went to, else the point's patrol unit, else the office's secretariat unit.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from models import CoordinationLetter, MediaFile
from models.office import OfficeProfile, office_profile
from models.timeutil import thai_date, to_bangkok
from reports.documents import letter_pdf, letter_templates
from reports.documents import official_letter as official
from reports.documents.numbers import doc_number
from texts import letters as t


def contact_unit(letter: CoordinationLetter, profile: OfficeProfile) -> str:
    """The unit answering for the letter: the defect's department, else the point's patrol unit, else the office's."""
    order = letter.defect.order
    if order is not None and order.unit is not None:
        return order.unit.name
    patrol = letter.camera.point.patrol_unit
    return patrol.name if patrol is not None else profile.secretariat_unit


def body_values(letter: CoordinationLetter, profile: OfficeProfile) -> dict[str, str]:
    """What the body's placeholders stand for in this letter (dates and times in the office's digits)."""
    camera, point = letter.camera, letter.camera.point
    found = to_bangkok(letter.found_at)
    area = " ".join(filter(None, [f"แขวง{point.subdistrict}" if point.subdistrict else None, f"เขต{point.district}"]))
    note = " ".join((letter.defect.note or "").split())
    return {
        "office": profile.name,
        "district": profile.district,
        "agency": letter.agency,
        "camera": camera.code,
        "place": f"{point.code} {point.name}",
        "area": area,
        "coordinates": f"{point.latitude:.5f}, {point.longitude:.5f}",
        "found_date": profile.digits(thai_date(found.date())),
        "found_time": profile.digits(f"{found:%H.%M}"),
        "condition": f" ({note})" if note else "",
        "unit": contact_unit(letter, profile),
    }


def _photo_file(session: Session, media_id: int | None, media_root: str | Path | None) -> Path | None:
    """The stored, metadata-free copy of a photo under the media root (None until it is downloaded)."""
    media = session.get(MediaFile, media_id) if media_id else None
    relative = (media.shown_path or media.path) if media is not None else None
    return Path(media_root) / relative if media_root and relative else None


def _annex(
    session: Session, letter: CoordinationLetter, media_root, profile: OfficeProfile
) -> tuple[official.Block, ...]:
    """The enclosure: the photo of the broken camera on a page of its own (or a note until it is stored)."""
    if not letter.photo_media_id:
        return ()
    when = profile.digits(thai_date(letter.found_at))  # the codes keep their digits
    caption = t.COORDINATION_CAPTION.format(camera=letter.camera.code, point=letter.camera.point.code, when=when)
    return (
        official.Text(t.COORDINATION_ANNEX, bold=True, center=True),
        official.Image(_photo_file(session, letter.photo_media_id, media_root), t.PHOTO_PENDING),
        official.Text(caption, center=True),
    )


def build(session: Session, letter: CoordinationLetter, media_root: str | Path | None) -> official.Letter:
    """The letter's content: the office profile's heading, the body from the template, the unit responsible."""
    profile = office_profile(session)
    digits = profile.digits
    register = letter.register
    body = letter_templates.paragraphs(session, "coordination", body_values(letter, profile), digits)
    return official.Letter(
        number=digits(doc_number(session, letter)),
        office=profile.name,
        address=digits(profile.address),
        dated=digits(thai_date(to_bangkok(letter.issued_at).date())),
        subject=register.subject if register is not None else t.COORDINATION_SUBJECT,
        addressee=register.addressee if register is not None else t.COORDINATION_ADDRESSEE.format(agency=letter.agency),
        body=tuple(body),
        signatory_name=profile.signatory_name,
        signatory_position=profile.signatory_position,
        contact_unit=contact_unit(letter, profile),
        contact_phone=digits(profile.phone),
        enclosures=(digits(t.COORDINATION_ENCLOSURE.format(count=1)),) if letter.photo_media_id else (),
        annex=_annex(session, letter, media_root, profile),
    )


def render_letter(session: Session, letter: CoordinationLetter, media_root: str | Path | None) -> bytes:
    """The letter as DOCX bytes: Garuda, number, office, BE date, subject, addressee, body, signature, photo."""
    return official.to_docx(build(session, letter, media_root))


def render_pdf(session: Session, letter: CoordinationLetter, media_root: str | Path | None) -> bytes:
    """The same letter as PDF bytes (raises reports.documents.pdf.PdfUnavailable without Chromium)."""
    return letter_pdf.to_pdf(build(session, letter, media_root), title=filename(letter, "pdf"))


def filename(letter: CoordinationLetter, extension: str = "docx") -> str:
    """The download name, e.g. letter-2569-0012.docx."""
    return f"letter-{letter.fiscal_year}-{letter.number:04d}.{extension}"
