"""Thai text of the PDPA pages: the data register (what is held, why, how long, who sees it) and a person's rights.

The periods come from the live settings (services.privacy.retention.Rules) and the roles from bot.auth's table, so
the register says what the code does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.admin.texts import ROLE_LABELS
from bot.auth import DISTRICT_SCOPED_ROLES, ROLE_PERMISSIONS, Permission
from models import Role
from services.privacy.retention import Rules

BASIS_PUBLIC_TASK = "การปฏิบัติหน้าที่ในการใช้อำนาจรัฐที่ได้มอบให้แก่สำนักงาน (มาตรา 24 (4))"
BASIS_CONSENT = "ความยินยอมของเจ้าของข้อมูลเมื่อลงทะเบียน (มาตรา 19) ประกอบการปฏิบัติหน้าที่ของรัฐ (มาตรา 24 (4))"
BASIS_SECURITY = "มาตรการรักษาความมั่นคงปลอดภัยของข้อมูลส่วนบุคคล (มาตรา 37 (1))"
NOBODY = "ไม่มีหน้าเว็บแสดงเนื้อหา (ระบบใช้ภายในเท่านั้น)"
DISTRICT_NOTE = "เฉพาะเขตที่รับผิดชอบ"


@dataclass(frozen=True)
class Seen:
    """Who sees one part of a kind of data: a label and the permission that grants it."""

    label: str
    permission: str  # a Permission name; a permission this build does not have is skipped


@dataclass(frozen=True)
class Entry:
    """One row of the data register."""

    title: str
    holds: str
    purpose: str
    basis: str
    kept: Callable[[Rules], str]
    seen: tuple[Seen, ...]


REGISTER: tuple[Entry, ...] = (
    Entry(
        "สมาชิกเครือข่ายข่าว (ผู้แจ้งข่าว)",
        "ชื่อ–นามสกุล เบอร์โทรศัพท์ ชื่อใน LINE รหัสผู้ใช้ LINE กลุ่มอาชีพ เขต สถานะสมาชิก และความยินยอม",
        "ลงทะเบียนและอนุมัติสมาชิก ติดต่อกลับเรื่องข่าวที่แจ้ง และจัดทำบัญชีรายชื่อเครือข่ายเป็นหลักฐานตัวชี้วัด",
        BASIS_CONSENT,
        lambda r: (
            "ตลอดเวลาที่เป็นสมาชิก เมื่อบล็อกบอท ถูกระงับ หรือไม่ได้รับอนุมัติ และไม่มีความเคลื่อนไหว "
            f"{r.departed_member_days:,} วัน ระบบจะทำให้ไม่สามารถระบุตัวตนได้ เหลือเพียงรหัสผู้แจ้ง กลุ่มอาชีพ เขต "
            "และวันที่ เพื่อให้ตัวเลขตัวชี้วัดคงเดิม"
        ),
        (Seen("ชื่อและเบอร์โทร", "VIEW_IDENTITIES"), Seen("รหัสผู้แจ้ง กลุ่มอาชีพ และเขต", "VIEW_MEMBERS")),
    ),
    Entry(
        "เนื้อหาข่าวที่แจ้ง",
        "ข้อความ สถานที่และพิกัด เวลาที่ส่ง และกลุ่ม LINE ที่ส่ง",
        "รับแจ้งข่าวความมั่นคงตลอด 24 ชั่วโมง เสนอที่ประชุมคณะทำงาน และส่งต่อหน่วยงานที่เกี่ยวข้อง",
        BASIS_PUBLIC_TASK,
        lambda r: (
            "ข่าวที่ยังไม่ได้ดำเนินการเก็บไว้จนกว่าจะดำเนินการ ข่าวที่ส่งต่อแล้ว ปิดแล้ว หรือผู้แจ้งยกเลิก "
            f"ลบข้อความและสถานที่เมื่อพ้น {r.closed_report_days:,} วันนับจากความเคลื่อนไหวล่าสุด "
            "(ข้อความล่าสุด การส่งต่อ หรือการประชุม) เลขที่ สถานะ และวันที่ยังเก็บไว้เพื่อนับตัวชี้วัด"
        ),
        (Seen("ข้อความ สถานที่ และรูปภาพ", "VIEW_REPORT_CONTENT"), Seen("เลขที่ หมวดหมู่ และเขต", "VIEW_NETWORK")),
    ),
    Entry(
        "รูปภาพและไฟล์ที่แนบมากับข่าว",
        "รูปภาพ วิดีโอ เสียง และไฟล์ (ไฟล์ต้นฉบับอาจมีพิกัด GPS ของผู้ถ่าย)",
        "ประกอบการพิจารณาข่าวและการส่งต่อหน่วยงาน",
        BASIS_PUBLIC_TASK,
        lambda r: (
            f"ลบเมื่อพ้น {r.effective_media_days:,} วันนับจากความเคลื่อนไหวล่าสุดของข่าวที่ดำเนินการเสร็จแล้ว "
            "(ไม่นานกว่าเนื้อหาข่าว) ข่าวที่ยังไม่ได้ดำเนินการเก็บไว้จนกว่าจะดำเนินการ"
        ),
        (Seen("สำเนาที่ลบข้อมูลแฝงแล้ว", "VIEW_REPORT_CONTENT"), Seen("ไฟล์ต้นฉบับ", "VIEW_ORIGINAL_MEDIA")),
    ),
    Entry(
        "ผลตรวจจุดเสี่ยง",
        "ผู้ตรวจ ตำแหน่งขณะเช็คอิน รูปถ่าย และเวลา ของการตรวจจุดเสี่ยงและกล้อง CCTV",
        "หลักฐานการตรวจตามตัวชี้วัดร้อยละ การสั่งแก้ไขสภาพแวดล้อม และหนังสือประสานหน่วยงาน",
        BASIS_PUBLIC_TASK,
        lambda r: (
            "เก็บเป็นหลักฐานการปฏิบัติราชการ ตำแหน่งและรูปถ่ายของผู้ตรวจที่ออกจากระบบแล้วถูกลบเมื่อพ้น "
            f"{r.departed_member_days:,} วัน โดยจำนวนการตรวจยังคงเดิม"
        ),
        (Seen("ผู้ตรวจและรูปถ่าย", "VIEW_PATROL_DETAIL"), Seen("จำนวนการตรวจ", "VIEW_RISKPOINTS")),
    ),
    Entry(
        "ข้อมูลดิบที่ LINE ส่งมา",
        "ทุกเหตุการณ์ตามที่ได้รับ ได้แก่ ข้อความ รหัสผู้ใช้ LINE และเวลา",
        "ประมวลผลข้อความ กันการรับซ้ำ และตรวจแก้เมื่อระบบขัดข้อง",
        BASIS_PUBLIC_TASK,
        lambda r: f"ลบเนื้อหาเมื่อพ้น {r.inbox_payload_days:,} วันหลังประมวลผลเสร็จ เหตุการณ์ที่ล้มเหลวหรือถูกพักไว้เก็บจนกว่าจะแก้ไข",
        (Seen("เนื้อหา", "VIEW_PAYLOAD"), Seen("ประเภทและเวลา", "VIEW_INBOX")),
    ),
    Entry(
        "ข้อมูลที่ถูกปฏิเสธ",
        "ข้อมูลที่มีลายเซ็นของ LINE ถูกต้องแต่อ่านไม่ได้ ซึ่งอาจมีข้อความของผู้แจ้ง",
        "ตรวจหาสาเหตุที่ระบบรับข้อมูลไม่ได้",
        BASIS_PUBLIC_TASK,
        lambda r: f"ลบเมื่อพ้น {r.rejected_body_days:,} วันนับจากวันที่ได้รับ",
        (Seen("เนื้อหา", "VIEW_REJECTED"),),
    ),
    Entry(
        "ข้อความที่บอทส่งออก",
        "ข้อความตอบกลับ แจ้งเตือน และสรุปผล พร้อมรหัสผู้ใช้ LINE หรือกลุ่มของผู้รับ",
        "ส่งข้อความให้ถึงผู้รับครั้งเดียว ไม่ซ้ำ และไม่สูญหาย",
        BASIS_PUBLIC_TASK,
        lambda r: f"ลบเนื้อหาเมื่อพ้น {r.outbox_message_days:,} วันนับจากวันที่เขียน (ส่งแล้วหรือส่งไม่สำเร็จ)",
        (Seen("ผู้รับ (เป็นรหัสผู้แจ้ง) และสาเหตุของข้อความที่ส่งไม่ถึง ไม่แสดงเนื้อหา", "VIEW_UNDELIVERED"),),
    ),
    Entry(
        "คณะทำงานและการส่งต่อหน่วยงาน",
        "ชื่อ ตำแหน่ง และช่องทางติดต่อของกรรมการ ชื่อผู้กดรับทราบในกลุ่ม LINE ของหน่วยงาน",
        "หลักฐานตัวชี้วัดระดับ 3–5 และการติดตามการรับทราบของหน่วยงาน",
        BASIS_PUBLIC_TASK,
        lambda r: "เก็บเป็นเอกสารราชการ ชื่อผู้กดรับทราบถูกแทนด้วยรหัสเมื่อผู้นั้นถูกลบข้อมูล",
        (Seen("รายละเอียด", "VIEW_WORKGROUP"),),
    ),
    Entry(
        "รายชื่อสมาชิกของหน่วย (สายตรวจ ฝ่ายต่าง ๆ)",
        "ชื่อใน LINE ของเจ้าหน้าที่ที่อยู่ในรายชื่อของหน่วย สถานะการตอบรับคำเชิญ และวันที่เชิญ ตอบรับ หรือนำออก",
        "กำหนดว่าใครเช็คอิน ตรวจกล้อง และส่งรายงานประจำเดือนแทนหน่วยได้ และแสดงเมนูตามหน้าที่ใน LINE",
        BASIS_PUBLIC_TASK,
        lambda r: "ตลอดเวลาที่อยู่ในหน่วย เมื่อนำออกแล้วเก็บประวัติไว้ตรวจสอบย้อนหลัง และนำออกทันทีเมื่อผู้นั้นถูกลบข้อมูล",
        (Seen("รายชื่อของหน่วย", "MANAGE_RISK_UNITS"),),
    ),
    Entry(
        "บัญชีเจ้าหน้าที่",
        "ชื่อผู้ใช้ ชื่อ–นามสกุล เขตที่รับผิดชอบ รหัสผ่าน (เก็บเฉพาะค่าแฮช) และบัญชี LINE ที่เชื่อมไว้",
        "เข้าสู่ระบบและจำกัดสิทธิ์ตามหน้าที่",
        BASIS_SECURITY,
        lambda r: "ตลอดเวลาที่มีบัญชี บัญชีที่ปิดใช้งานเก็บไว้เพื่อให้บันทึกการใช้งานตรวจสอบย้อนหลังได้",
        (Seen("บัญชีทั้งหมด", "MANAGE_STAFF"),),
    ),
    Entry(
        "บันทึกการใช้งาน",
        "ผู้ใช้ การกระทำ เวลา ที่อยู่ IP และรหัสของข้อมูลที่เปิดดูหรือแก้ไข (ไม่เก็บเนื้อหาของข้อมูล)",
        "ตรวจสอบย้อนหลังได้ว่าใครเข้าถึงหรือแก้ไขข้อมูลส่วนบุคคลเมื่อใด",
        BASIS_SECURITY,
        lambda r: "ไม่ลบ (เป็นหลักฐานการเข้าถึงข้อมูล)",
        (Seen("ทั้งหมด", "VIEW_AUDIT"),),
    ),
)


def roles_holding(permission_name: str) -> list[str]:
    """The Thai names of the roles holding a permission, district-scoped ones marked; [] if it does not exist."""
    permission = getattr(Permission, permission_name, None)
    if permission is None:
        return []
    names = []
    for role in Role:
        if permission in ROLE_PERMISSIONS[role]:
            name = ROLE_LABELS[role]
            names.append(f"{name} ({DISTRICT_NOTE})" if role in DISTRICT_SCOPED_ROLES else name)
    return names


@dataclass(frozen=True)
class RegisterRow:
    """One register row as the page shows it."""

    entry: Entry
    kept: str
    seen: list[tuple[str, list[str]]]


def register_rows(rules: Rules) -> list[RegisterRow]:
    """The register with the live retention periods and the roles of this build."""
    rows = []
    for entry in REGISTER:
        seen = [(part.label, roles_holding(part.permission)) for part in entry.seen]
        rows.append(RegisterRow(entry, entry.kept(rules), [(label, roles) for label, roles in seen if roles]))
    return rows


# A person's rights (bot/admin/privacy_views.py)
EXPORT_BUTTON = "ส่งออกข้อมูลทั้งหมดของบุคคลนี้ (ZIP)"
ERASE_BUTTON = "ลบข้อมูลส่วนบุคคลของบุคคลนี้…"
ERASE_CONFIRM_LABEL = "พิมพ์รหัสผู้แจ้ง {code} เพื่อยืนยัน"
ERASE_MISMATCH = "รหัสที่พิมพ์ไม่ตรงกับรหัสผู้แจ้ง {code} จึงยังไม่ได้ลบข้อมูล"
ERASED = "ลบข้อมูลส่วนบุคคลของ {code} แล้ว รหัสผู้ใช้ LINE ถูกแทนด้วยนามแฝง จำนวนที่ใช้คำนวณตัวชี้วัดยังเท่าเดิม"
ERASE_WAITING = (
    "ยังมีเหตุการณ์ {events} รายการและข้อความ {messages} รายการของบุคคลนี้ที่รอประมวลผลอยู่ กรุณากดลบอีกครั้งเมื่อระบบประมวลผลเสร็จ"
)
HELD_LABELS = {
    "news_reports": "ข่าวที่แจ้ง (เรื่อง)",
    "report_items": "ข้อความในข่าว",
    "media_files": "รูปภาพและไฟล์",
    "patrol_checks": "การตรวจจุดเสี่ยง",
    "check_attempts": "การเช็คอินที่ถูกปฏิเสธ",
    "camera_checks": "การตรวจกล้อง CCTV",
    "defects": "จุดบกพร่องที่แจ้ง",
    "inbox_events": "ข้อมูลดิบจาก LINE",
    "outbox_messages": "ข้อความที่บอทส่งถึง",
}
