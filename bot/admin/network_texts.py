"""Thai text of the intelligence network's admin pages: labels, hints and messages."""

from __future__ import annotations

from texts import network as t

REPORT_STATUS = {
    "new": "ใหม่",
    "received": "รับเรื่องแล้ว",
    "forwarded": "ส่งต่อแล้ว",
    "closed": "ปิดเรื่อง",
    "draft": "ฉบับร่าง (ยังไม่ยืนยัน)",
    "withdrawn": "ผู้แจ้งยกเลิก",
}
STATUS_FILTER_ACTIVE = "ที่ยืนยันแล้ว (ไม่รวมฉบับร่าง/ยกเลิก)"
STATUS_FILTER_ALL = "ทั้งหมด (รวมฉบับร่าง/ยกเลิก)"
CHANNELS = {"group": "กลุ่ม LINE", "direct": "แชตส่วนตัว"}
MEMBER_STATUS = t.MEMBER_STATUS
PURPOSES = t.PURPOSE_NAMES
CHAT_TYPES = {"group": "กลุ่ม", "room": "ห้องแชตหลายคน"}
ITEM_KINDS = {
    "text": "ข้อความ",
    "image": "รูปภาพ",
    "video": "วิดีโอ",
    "audio": "เสียง",
    "file": "ไฟล์",
    "location": "ตำแหน่ง",
    "sticker": "สติกเกอร์",
}
MEDIA_STATUS = {
    "pending": "กำลังดาวน์โหลดจาก LINE",
    "stored": "เก็บแล้ว",
    "gone": "LINE ลบไฟล์แล้ว (410)",
    "missing": "ไม่พบไฟล์ที่ LINE (404)",
    "failed": "ดาวน์โหลดไม่สำเร็จ",
    "hidden": "ผู้ส่งยกเลิกข้อความนี้แล้ว",
    "removed": "ลบแล้วตามระยะเวลาเก็บรักษาหรือคำขอของเจ้าของข้อมูล (PDPA)",
}
CONTENT_REMOVED = (
    "ข้อความ สถานที่ และรูปภาพของข่าวนี้ถูกลบแล้วเมื่อ {when} ตามระยะเวลาเก็บรักษาหรือคำขอของเจ้าของข้อมูล (PDPA) "
    "เลขที่ สถานะ และวันเวลายังเก็บไว้เพื่อนับตัวชี้วัด"
)
UNSENT = t.UNSENT_NOTE
NO_CATEGORY = "ยังไม่ระบุหมวดหมู่"
DIRECT_CHAT = "แชตส่วนตัวกับบอท"
PC_SENDER = "ไม่ทราบผู้ส่ง (LINE บนคอมพิวเตอร์ ไม่ส่งรหัสผู้ใช้)"
UNKNOWN_SENDER = "ผู้ส่งยังไม่ลงทะเบียน"

STATUS_UPDATE_BUTTONS = {
    "received": "แจ้งว่า “ได้รับข่าวแล้ว”",
    "forwarded": "แจ้งว่า “ส่งต่อหน่วยงานแล้ว”",
    "thanks": "ส่งคำขอบคุณ",
}
STATUS_UPDATE_TEXTS = t.STATUS_UPDATES
STATUS_UPDATE_SENT = "ส่งข้อความแจ้งสถานะข่าว {ref} ถึงผู้แจ้งแล้ว (ส่งแบบ push นับรวมในโควตาข้อความของเดือนนี้)"
STATUS_UPDATE_UNREACHABLE = (
    "บันทึกสถานะข่าว {ref} แล้ว แต่ส่งข้อความถึงผู้แจ้งไม่ได้ เพราะผู้แจ้งไม่ได้เป็นเพื่อนกับบอท หรือส่งจาก LINE บนคอมพิวเตอร์ที่ไม่ระบุตัวตน"
)
CATEGORY_CHANGED = "เปลี่ยนหมวดหมู่ข่าว {ref} เป็น “{name}” แล้ว"
MEMBER_DECIDED = {
    "approved": "อนุมัติสมาชิก {code} แล้ว",
    "rejected": "ไม่อนุมัติสมาชิก {code} แล้ว",
    "suspended": "ระงับสมาชิก {code} แล้ว",
}
MEMBER_DECISIONS = {"approve": "approved", "reject": "rejected", "suspend": "suspended"}
DECISION_KEYS = {status: key for key, status in MEMBER_DECISIONS.items()}
DECISION_LABELS = {"approved": "อนุมัติ", "rejected": "ไม่อนุมัติ", "suspended": "ระงับ"}
MEMBER_UPDATED = "บันทึกการแก้ไขข้อมูลสมาชิก {code} แล้ว"
MEMBER_UNCHANGED = "ไม่มีข้อมูลที่เปลี่ยนแปลง"
GROUP_CODE_CREATED = "สร้างรหัสลงทะเบียนกลุ่มแล้ว: {code}"
SETTINGS_SAVED = "บันทึกการตั้งค่าแล้ว ({count} รายการ)"
SETTINGS_UNCHANGED = "ไม่มีการตั้งค่าที่เปลี่ยนแปลง"
SETTINGS_INVALID = "ยังไม่ได้บันทึก: กรุณาแก้ไขค่าที่ไม่ถูกต้อง"
LIST_SAVED = "บันทึก “{name}” แล้ว"
LIST_ADDED = "เพิ่ม “{name}” แล้ว"
DATE_INVALID = "วันที่ “{value}” ไม่ถูกต้อง กรุณาพิมพ์แบบ วว/ดด/ปปปป (พ.ศ.) เช่น 31/01/2569"
DATE_HINT = "วว/ดด/ปปปป (พ.ศ.)"
HOURS_INVALID = "ช่วงเวลา “{value}” ไม่ถูกต้อง กรุณาระบุจำนวนชั่วโมงเป็นตัวเลข 1 ถึง {most:,} (เช่น 24)"
HOURS_CHIP = "ได้รับใน {hours} ชั่วโมงที่ผ่านมา"

SETTING_LABELS = {
    "network.burst_minutes": (
        "รวมข้อความเป็นข่าวเดียวภายใน (นาที)",
        "ข้อความ รูป และตำแหน่งจากผู้ส่งคนเดียวกันในกลุ่มที่ห่างกันไม่เกินเวลานี้ รวมเป็นข่าวเดียว",
    ),
    "network.new_report_tags": ("คำที่ขึ้นต้นข่าวใหม่", "บรรทัดละหนึ่งคำ ข้อความที่ขึ้นต้นด้วยคำเหล่านี้เริ่มข่าวใหม่เสมอ เช่น #ข่าว"),
    "network.auto_approve_members": ("อนุมัติสมาชิกใหม่โดยอัตโนมัติ", "ถ้าเลือก ผู้ลงทะเบียนใหม่จะได้รับอนุมัติทันทีโดยไม่ต้องรอฝ่ายเลขานุการ"),
    "network.duplicate_radius_m": (
        "ระยะห่างที่ถือว่าอาจเป็นข่าวซ้ำ (เมตร)",
        "ข่าวที่มีตำแหน่งห่างกันไม่เกินระยะนี้จะถูกเชื่อมเป็น “อาจเป็นข่าวเดียวกัน”",
    ),
    "network.duplicate_hours": ("ช่วงเวลาที่ถือว่าอาจเป็นข่าวซ้ำ (ชั่วโมง)", "และเกิดห่างกันไม่เกินจำนวนชั่วโมงนี้"),
    "network.level1_min_occupations": ("ตัวชี้วัดระดับ 1: จำนวนกลุ่มอาชีพขั้นต่ำ", "สมาชิกที่อนุมัติแล้วต้องมาจากกลุ่มอาชีพอย่างน้อยเท่านี้"),
    "network.consent_version": ("ฉบับของประกาศความยินยอม (PDPA)", "บันทึกไว้กับผู้ลงทะเบียนแต่ละคน เปลี่ยนเมื่อแก้ไขข้อความประกาศ"),
    "network.kpi_target": ("ค่าเป้าหมายตัวชี้วัดเครือข่าย (ระดับ)", "ระดับที่ต้องการให้ถึงภายในปีงบประมาณ (1–5)"),
}
