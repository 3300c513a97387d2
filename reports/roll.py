"""The network roll (บัญชีรายชื่อเครือข่ายข่าว) as an XLSX workbook."""

from __future__ import annotations

import io
from collections import Counter

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Chat, Member, MemberStatus, Occupation
from models.periods import Period
from models.timeutil import thai_date, utcnow
from texts.network import PURPOSE_NAMES

STATUS = {
    MemberStatus.PENDING: "รออนุมัติ",
    MemberStatus.APPROVED: "อนุมัติแล้ว",
    MemberStatus.REJECTED: "ไม่อนุมัติ",
    MemberStatus.SUSPENDED: "ระงับ",
}
PURPOSES = PURPOSE_NAMES
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    return sheet


def roll_workbook(session: Session, *, with_identities: bool, period: Period | None = None) -> bytes:
    """Build the roll: a summary, the members (pseudonymous unless identities are allowed), the groups."""
    names = dict(session.execute(select(Occupation.code, Occupation.name)).all())
    query = select(Member).where(Member.status != MemberStatus.UNREGISTERED).order_by(Member.registered_at)
    if period is not None:
        query = query.where(Member.registered_at < period.ends)
    members = session.scalars(query).all()
    group_query = select(Chat).where(Chat.purpose.is_not(None)).order_by(Chat.registered_at)
    if period is not None:  # the roll as it stood at the period's end
        group_query = group_query.where(Chat.registered_at < period.ends)
    groups = session.scalars(group_query).all()
    approved = [m for m in members if m.status == MemberStatus.APPROVED]
    book = Workbook()
    title = "บัญชีรายชื่อเครือข่ายข่าวความมั่นคง"
    summary = [[title, ""], ["ข้อมูล ณ วันที่", thai_date(utcnow())]]
    if period is not None:
        summary.append(["ช่วงเวลา", period.label()])
    summary += [["สมาชิกที่อนุมัติแล้ว (คน)", len(approved)], ["กลุ่ม LINE ที่ลงทะเบียน", len(groups)], ["", ""]]
    summary.append(["กลุ่มอาชีพ", "จำนวนสมาชิก (คน)"])
    summary += [[names.get(code, code), count] for code, count in Counter(m.occupation_code for m in approved).items()]
    summary += [["", ""], ["เขต", "จำนวนสมาชิก (คน)"]]
    summary += [[district, count] for district, count in sorted(Counter(m.district for m in approved).items())]
    _sheet(book, "สรุป", ["รายการ", "จำนวน"], summary, first=True)
    header = ["รหัสผู้แจ้ง", "กลุ่มอาชีพ", "เขต", "สถานะ", "วันที่ลงทะเบียน"]
    if with_identities:
        header[1:1] = ["ชื่อ–นามสกุล", "โทรศัพท์"]
    rows = []
    for member in members:
        row = [
            member.reporter_code,
            names.get(member.occupation_code, member.occupation_code),
            member.district,
            STATUS.get(member.status, member.status.value),
            thai_date(member.registered_at) if member.registered_at else "",
        ]
        if with_identities:
            row[1:1] = [member.full_name, member.phone]
        rows.append(row)
    _sheet(book, "สมาชิก", header, rows)
    group_rows = [
        [
            group.name,
            PURPOSES.get(group.purpose, group.purpose),
            names.get(group.occupation_code, group.occupation_code or ""),
            group.member_count,
            thai_date(group.registered_at) if group.registered_at else "",
            "อยู่ในกลุ่ม" if group.is_member else "บอทออกจากกลุ่มแล้ว",
        ]
        for group in groups
    ]
    _sheet(book, "กลุ่ม LINE", ["ชื่อกลุ่ม", "ประเภท", "กลุ่มอาชีพหลัก", "สมาชิก (คน)", "วันที่ลงทะเบียน", "สถานะ"], group_rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
