"""Fixing the surroundings (seed 004, part 1): defects and work orders with their photos, and the coordination letters.

Photos go in as the media store's metadata-free copies (``shown_path``: no GPS, no EXIF); a photo whose
copy is not on disk (not downloaded yet, or removed after its retention period) is counted as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from models import CoordinationLetter, Defect, DefectStatus, MediaFile, OutgoingLetter, RiskPhoto, WorkOrder
from models.office import letter_number, office_profile
from models.timeutil import thai_date, thai_datetime
from reports.documents import coordination_letter
from reports.documents.numbers import doc_number
from reports.evidence_base import Context, Pack, Section, Task, safe_name, workbook
from texts import evidence as t
from texts import riskpoints as rt

LETTER_KINDS = {"coordination": "หนังสือประสาน (กล้องชำรุด)", "forward": "หนังสือส่งต่อข่าวสาร/ผลการประชุม"}
ROLES = {"before": "ก่อนแก้ไข", "after": "หลังแก้ไข"}
PHOTO_FOLDER = "ภาพถ่าย"


@dataclass(frozen=True)
class Photo:
    """One photo of a defect or its work order, and its name in the pack."""

    defect_id: int
    role: str
    name: str
    shown_path: str


def defect_ref(defect: Defect) -> str:
    """The work order's reference, or the defect's own number when no order was made."""
    return defect.order.ref if defect.order is not None else f"จุดบกพร่องที่ {defect.id}"


def _photos(ctx: Context, defects: list[Defect]) -> tuple[list[Photo], int]:
    """The photos to include, named by reference and role, and how many are not on disk."""
    by_order = {d.order.id: d for d in defects if d.order is not None}
    by_defect = {d.id: d for d in defects}
    rows = ctx.session.execute(
        select(RiskPhoto.defect_id, RiskPhoto.order_id, RiskPhoto.role, MediaFile.shown_path)
        .join(MediaFile, MediaFile.id == RiskPhoto.media_id)
        .where(or_(RiskPhoto.defect_id.in_(list(by_defect) or [-1]), RiskPhoto.order_id.in_(list(by_order) or [-1])))
        .order_by(RiskPhoto.sent_at, RiskPhoto.id)
    ).all()
    photos, missing, numbers = [], 0, {}
    for defect_id, order_id, role, shown in rows:
        defect = by_defect.get(defect_id) or by_order.get(order_id)
        on_disk = shown and ctx.media_root is not None and (ctx.media_root / shown).is_file()
        if defect is None or not on_disk:
            missing += 1
            continue
        key = (defect.id, role)
        numbers[key] = numbers.get(key, 0) + 1
        suffix = PurePath(shown).suffix or ".jpg"
        name = f"{PHOTO_FOLDER}/{defect_ref(defect)} {ROLES.get(role, 'ภาพ')} {numbers[key]}{suffix}"
        photos.append(Photo(defect.id, role, name, shown))
    return photos, missing


def defects(ctx: Context, section: Section) -> list[Task]:
    """Folder 07: the defects open at some time in the span, their work orders, and their photos."""
    period = ctx.period
    found = list(
        ctx.session.scalars(
            select(Defect)
            .where(Defect.opened_at < period.ends)
            .where(or_(Defect.closed_at.is_(None), Defect.closed_at >= period.starts))
            .options(selectinload(Defect.point), selectinload(Defect.camera), selectinload(Defect.order))
            .order_by(Defect.opened_at, Defect.id)
        )
    )
    photos, missing = _photos(ctx, found)
    still_open = sum(1 for d in found if d.closed_at is None or d.closed_at >= period.ends)
    section.count("สภาพที่ต้องแก้ไข", len(found), "เรื่อง")
    section.count("แก้ไขเสร็จภายในช่วงนี้", len(found) - still_open, "เรื่อง")
    section.count("ใบสั่งงานถึงหน่วยงาน", sum(1 for d in found if d.order is not None), "งาน")
    section.count("ภาพถ่าย (ก่อนและหลังแก้ไข)", len(photos), "ภาพ")
    if not found:
        section.missing.append(t.NO_DEFECTS)
    if still_open:
        section.missing.append(t.DEFECTS_OPEN.format(count=still_open))
    if missing:
        section.missing.append(t.PHOTOS_MISSING.format(count=missing))
    if not found:
        return []
    tasks: list[Task] = [_defects_sheet(ctx, section, [d.id for d in found], photos)]
    by_defect: dict[int, list[Photo]] = {}
    for photo in photos:
        by_defect.setdefault(photo.defect_id, []).append(photo)
    tasks += [_photo_task(section, group) for group in by_defect.values()]
    return tasks


def _days(defect: Defect) -> str:
    if defect.closed_at is None:
        return "-"
    return f"{(defect.closed_at - defect.opened_at).total_seconds() / 86400:.1f}"


def _defects_sheet(ctx: Context, section: Section, defect_ids: list[int], photos: list[Photo]) -> Task:
    def write(pack: Pack) -> None:
        session = ctx.session
        names: dict[tuple[int, str], list[str]] = {}
        for photo in photos:
            names.setdefault((photo.defect_id, photo.role), []).append(PurePath(photo.name).name)
        rows, steps = [], []
        for defect_id in defect_ids:
            defect = session.get(Defect, defect_id)
            order: WorkOrder | None = defect.order
            point = defect.point
            rows.append(
                [
                    defect_ref(defect),
                    point.code,
                    point.name,
                    point.district,
                    rt.CONDITIONS.get(defect.kind, defect.kind),
                    defect.camera.code if defect.camera else "-",
                    defect.note or "-",
                    thai_datetime(defect.opened_at),
                    "แก้ไขแล้ว" if defect.status == DefectStatus.CLOSED else "ยังไม่เสร็จ",
                    thai_datetime(defect.closed_at) if defect.closed_at else "-",
                    _days(defect),
                    (order.unit.name if order.unit else rt.NO_UNIT_NAME) if order else "-",
                    rt.ORDER_STATUS.get(order.status.value, "-") if order else "-",
                    order.reopened_count if order else 0,
                    ", ".join(names.get((defect.id, "before"), [])) or "-",
                    ", ".join(names.get((defect.id, "after"), [])) or "-",
                ]
            )
            if order is not None:
                steps += [[order.ref, thai_datetime(e.at), rt.ORDER_STATUS.get(e.status, "-")] for e in order.events]
        header = ["เลขที่งาน", "รหัสจุด", "ชื่อจุด", "เขต", "เรื่อง", "กล้อง", "รายละเอียด", "พบเมื่อ", "สถานะ"]
        header += ["แก้ไขเสร็จเมื่อ", "จำนวนวันที่ใช้แก้ไข", "หน่วยงานรับผิดชอบ", "สถานะใบสั่งงาน", "ส่งกลับแก้ไข (ครั้ง)"]
        header += ["ภาพก่อนแก้ไข", "ภาพหลังแก้ไข"]
        data = workbook(
            [
                ("จุดบกพร่องและใบสั่งงาน", header, rows),
                ("ขั้นตอนใบสั่งงาน", ["เลขที่งาน", "เมื่อ", "สถานะ"], steps),
            ]
        )
        pack.add(
            section,
            "จุดบกพร่องและใบสั่งงาน.xlsx",
            data,
            "สภาพที่พบ หน่วยงานที่แก้ไข วันที่แก้ไขเสร็จ จำนวนวัน และชื่อไฟล์ภาพถ่ายในโฟลเดอร์ภาพถ่าย",
        )

    return write


def _photo_task(section: Section, photos: list[Photo]) -> Task:
    def write(pack: Pack) -> None:
        for photo in photos:
            proves = f"ภาพถ่าย{ROLES.get(photo.role, '')} (ลบข้อมูลตำแหน่งและข้อมูลแฝงแล้ว)"
            if pack.add_stored(section, photo.name, photo.shown_path, proves) is None:
                section.missing.append(t.PHOTOS_MISSING.format(count=1))

    return write


def letters(ctx: Context, section: Section) -> list[Task]:
    """Folder 08: the coordination letters issued in the span, each as its DOCX (with the camera's photo)."""
    period = ctx.period
    ids = list(
        ctx.session.scalars(
            select(CoordinationLetter.id)
            .where(CoordinationLetter.issued_at >= period.starts, CoordinationLetter.issued_at < period.ends)
            .order_by(CoordinationLetter.fiscal_year, CoordinationLetter.number)
        )
    )
    section.count("หนังสือประสานหน่วยงาน", len(ids), "ฉบับ")
    if not ids:
        section.missing.append(t.NO_LETTERS)
    return [_register_task(ctx, section), *(_letter_task(ctx, section, letter_id) for letter_id in ids)]


def _register_task(ctx: Context, section: Section) -> Task:
    """The register of every letter sent in the span (coordination and forwarding letters share its numbers)."""

    def write(pack: Pack) -> None:
        period, profile = ctx.period, office_profile(ctx.session)
        letters = ctx.session.scalars(
            select(OutgoingLetter)
            .where(OutgoingLetter.issued_at >= period.starts, OutgoingLetter.issued_at < period.ends)
            .order_by(OutgoingLetter.book, OutgoingLetter.fiscal_year, OutgoingLetter.number)
        ).all()
        if not letters:
            return
        rows = [
            [
                letter.book,
                letter_number(ctx.session, letter.number, profile),
                thai_date(letter.issued_at),
                LETTER_KINDS.get(letter.kind.value, "-"),
                letter.subject,
                letter.addressee,
            ]
            for letter in letters
        ]
        header = ["ทะเบียน", "เลขที่", "ลงวันที่", "ประเภท", "เรื่อง", "ถึง"]
        data = workbook([("ทะเบียนหนังสือส่ง", header, rows)])
        pack.add(section, "ทะเบียนหนังสือส่ง.xlsx", data, f"หนังสือที่ส่งในช่วงนี้ทั้งหมด {len(rows):,} ฉบับ เลขที่ไม่ซ้ำกัน")

    return write


def _letter_task(ctx: Context, section: Section, letter_id: int) -> Task:
    def write(pack: Pack) -> None:
        letter = ctx.session.get(CoordinationLetter, letter_id)
        number = doc_number(ctx.session, letter)
        pack.attempt(
            section,
            f"หนังสือประสาน {safe_name(number)} กล้อง {safe_name(letter.camera.code)}.docx",
            lambda: coordination_letter.render_letter(ctx.session, letter, ctx.media_root),
            f"หนังสือที่ {number} ลงวันที่ {thai_date(letter.issued_at)} ถึง{letter.agency}",
        )

    return write
