"""The coordination letter for a broken camera: a Thai official letter (หนังสือภายนอก) as DOCX.

Rendered on demand from the CoordinationLetter row (its number and dates never change), so the photo,
downloaded by the worker after the check, is included as soon as it is stored. Built on the shared
skeleton of official letters (official_letter.py).
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from sqlalchemy.orm import Session

from models import CoordinationLetter, MediaFile
from models.settings import get_setting
from models.timeutil import thai_date, to_bangkok
from reports.documents import official_letter as official
from reports.documents.numbers import doc_number
from reports.documents.official_letter import thai_digits

SUBJECT = "ขอให้ตรวจสอบและซ่อมแซมกล้องโทรทัศน์วงจรปิด (CCTV) ที่ชำรุด"


def render_letter(session: Session, letter: CoordinationLetter, media_root: str | Path | None) -> bytes:
    """The letter as DOCX bytes: header, number, BE date, subject, addressee, body, signature, photo."""

    def setting(key: str) -> str:
        return str(get_setting(session, f"riskpoints.{key}"))

    camera, point = letter.camera, letter.camera.point
    defect = letter.defect
    office = setting("office_name")
    found = to_bangkok(letter.found_at)
    document = official.new_letter()
    official.heading(
        document,
        number=thai_digits(doc_number(session, letter)),
        office=office,
        address=setting("office_address"),
        dated=thai_digits(thai_date(to_bangkok(letter.issued_at).date())),
        subject=SUBJECT,
        addressee=f"ผู้อำนวยการ{letter.agency}",
        enclosure="ภาพถ่ายกล้องที่ชำรุด จำนวน ๑ ภาพ" if letter.photo_media_id else "-",
    )
    place = f"{point.code} {point.name}"
    area = " ".join(filter(None, [f"แขวง{point.subdistrict}" if point.subdistrict else None, f"เขต{point.district}"]))
    official.body(
        document,
        [
            f"ตามที่{office} ดำเนินการเฝ้าระวังและตรวจตราจุดเสี่ยงต่อการเกิดอาชญากรรม "
            "โดยตรวจสอบประสิทธิภาพการทำงานของกล้องโทรทัศน์วงจรปิด (CCTV) ที่ติดตั้ง ณ จุดเสี่ยงภัยวันละ ๑ ครั้ง นั้น",
            f"{office}ขอเรียนว่า จากการตรวจสอบเมื่อวันที่ {thai_digits(thai_date(found.date()))} "
            f"เวลา {thai_digits(f'{found:%H.%M}')} น. "
            f"พบว่ากล้องโทรทัศน์วงจรปิด รหัส {camera.code} ซึ่งติดตั้ง ณ จุดเสี่ยง {place} {area} "
            f"(พิกัด {point.latitude:.5f}, {point.longitude:.5f}) อยู่ในสภาพชำรุด ใช้งานไม่ได้"
            + (f" ({defect.note})" if defect.note else "")
            + " ซึ่งอยู่ในความรับผิดชอบของหน่วยงานท่าน",
            f"จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการตรวจสอบและซ่อมแซมให้ใช้งานได้ตามปกติ และแจ้งผลให้{office}ทราบด้วย จะขอบคุณยิ่ง",
        ],
    )
    official.closing(
        document,
        signatory=setting("letter_signatory"),
        unit=setting("office_unit"),
        phone=thai_digits(setting("office_phone")),
    )
    _photo(session, document, letter, media_root)
    return official.to_bytes(document)


def _photo_file(session: Session, media_id: int | None, media_root: str | Path | None) -> Path | None:
    """The stored, metadata-free copy of a photo under the media root (None until it is downloaded)."""
    media = session.get(MediaFile, media_id) if media_id else None
    relative = (media.shown_path or media.path) if media is not None else None
    return Path(media_root) / relative if media_root and relative else None


def _photo(session: Session, document: DocxDocument, letter: CoordinationLetter, media_root) -> None:
    """The enclosure: the photo of the broken camera on a page of its own (or a note until it is stored)."""
    if not letter.photo_media_id:
        return
    official.new_page(document)
    official.paragraph(document, "สิ่งที่ส่งมาด้วย: ภาพถ่ายกล้องที่ชำรุด", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    path = _photo_file(session, letter.photo_media_id, media_root)
    if path is not None and path.exists():
        document.add_picture(str(path), width=Cm(14))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        official.paragraph(document, "(ภาพถ่ายยังดาวน์โหลดจาก LINE ไม่เสร็จ กรุณาดาวน์โหลดหนังสือนี้ใหม่อีกครั้ง)")
    when = thai_digits(thai_date(letter.found_at))
    caption = f"กล้อง {letter.camera.code} ณ จุด {letter.camera.point.code} ถ่ายเมื่อ {when}"
    official.paragraph(document, caption, align=WD_ALIGN_PARAGRAPH.CENTER)


def filename(letter: CoordinationLetter) -> str:
    """The download name, e.g. letter-2569-0012.docx."""
    return f"letter-{letter.fiscal_year}-{letter.number:04d}.docx"
