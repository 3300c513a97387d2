"""Thai text of the admin web that is not in the templates: messages, labels and form errors."""

from __future__ import annotations

from models import InboxStatus, Role

APP_NAME = "FieldLine"
APP_SUBTITLE = "ระบบจัดการสำหรับเจ้าหน้าที่"

# Sign-in
LOGIN_FAILED = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
# The same words whichever lock applies (bot/admin/login_throttle.py), and whether or not the name exists.
LOCKED_OUT = "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป ระบบจึงระงับการเข้าสู่ระบบไว้ชั่วคราว ลองใหม่ได้หลังเวลา {time} น."
LOGGED_IN = "ยินดีต้อนรับ {name}"
LOGGED_OUT = "ออกจากระบบเรียบร้อยแล้ว"

# Inbox
RETRY_DONE = "ส่งเหตุการณ์ #{id} กลับเข้าคิวแล้ว ระบบจะประมวลผลใหม่อีกครั้ง"
RETRY_REFUSED = "ลองใหม่ได้เฉพาะเหตุการณ์ที่ล้มเหลวหรือถูกพักไว้เท่านั้น"

# Staff management
STAFF_CREATED = "สร้างบัญชี {username} แล้ว"
STAFF_UPDATED = "บันทึกการแก้ไขบัญชี {username} แล้ว"
STAFF_DEACTIVATED = "ปิดการใช้งานบัญชี {username} แล้ว (ออกจากระบบทุกเครื่องและโทเค็น API ใช้ไม่ได้อีก)"
STAFF_ACTIVATED = "เปิดการใช้งานบัญชี {username} อีกครั้งแล้ว"
CANNOT_CHANGE_SELF = "ไม่สามารถปิดการใช้งานหรือลดสิทธิ์บัญชีของตนเองได้ เพื่อไม่ให้ระบบขาดผู้ดูแล"
TOKEN_REVOKED = "ยกเลิกโทเค็น “{name}” แล้ว"  # noqa: S105 - a message, not a secret
TOKEN_ALREADY_REVOKED = "โทเค็นนี้ถูกยกเลิกไปแล้ว"  # noqa: S105 - a message
USERNAME_TAKEN = "มีชื่อผู้ใช้นี้อยู่แล้ว"
USERNAME_INVALID = "ชื่อผู้ใช้ต้องมี 3–80 ตัว ใช้ได้เฉพาะอักษรอังกฤษตัวเล็ก ตัวเลข จุด ขีดล่าง และขีดกลาง"
PASSWORD_TOO_SHORT = "รหัสผ่านต้องยาวอย่างน้อย {length} ตัวอักษร"  # noqa: S105 - a message
PASSWORDS_DIFFER = "รหัสผ่านทั้งสองช่องไม่ตรงกัน"
DISTRICTS_REQUIRED = "เจ้าหน้าที่สำนักงานเขตต้องมีเขตที่รับผิดชอบอย่างน้อยหนึ่งเขต"
DISTRICT_UNKNOWN = "ไม่รู้จักเขต: {names}"
FIELD_REQUIRED = "กรุณากรอกช่องนี้"

# Error pages
SERVER_ERROR_PLAIN = "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งในอีกสักครู่"
BAD_REQUEST = "ระบบอ่านคำขอนี้ไม่ได้ (ลิงก์อาจไม่ครบหรือข้อมูลในแบบฟอร์มไม่ถูกต้อง) กรุณากลับไปหน้าเดิมแล้วลองใหม่อีกครั้ง"
METHOD_NOT_ALLOWED = "หน้านี้เปิดด้วยวิธีนี้ไม่ได้ กรุณากลับไปหน้าเดิมแล้วกดปุ่มบนหน้านั้นอีกครั้ง"
CSRF_FAILED = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
TOO_LARGE = "ไฟล์ที่ส่งมาใหญ่เกินกำหนด (ไม่เกิน 1 MB) กรุณาแบ่งเป็นหลายไฟล์ หรือย่อขนาดไฟล์แล้วลองใหม่"

ROLE_LABELS = {
    Role.ADMIN: "ผู้ดูแลระบบ",
    Role.SECRETARIAT: "ฝ่ายเลขานุการ",
    Role.DISTRICT_OFFICER: "เจ้าหน้าที่สำนักงานเขต",
    Role.VIEWER: "ผู้ชม (อ่านอย่างเดียว)",
}

STATUS_LABELS = {
    InboxStatus.PENDING: "รอประมวลผล",
    InboxStatus.DONE: "เสร็จแล้ว",
    InboxStatus.FAILED: "ล้มเหลว (รอลองใหม่)",
    InboxStatus.PARKED: "พักไว้",
    InboxStatus.IGNORED: "ข้าม",
}

SOURCE_LABELS = {
    "user": "แชตส่วนตัว",
    "group": "กลุ่ม",
    "room": "ห้องแชตหลายคน",
}

EVENT_TYPE_LABELS = {
    "message": "ข้อความ",
    "postback": "กดปุ่ม",
    "follow": "เพิ่มเพื่อน",
    "unfollow": "บล็อกบอท",
    "join": "บอทเข้ากลุ่ม",
    "leave": "บอทออกจากกลุ่ม",
    "memberJoined": "สมาชิกเข้ากลุ่ม",
    "memberLeft": "สมาชิกออกจากกลุ่ม",
    "unsend": "ยกเลิกข้อความ",
    "videoPlayComplete": "ดูวิดีโอจบ",
    "beacon": "บีคอน",
    "accountLink": "เชื่อมบัญชี",
    "things": "อุปกรณ์ LINE Things",
    "membership": "สมาชิกแบบชำระเงิน",
    "activated": "เปิดใช้แชตโมดูล",
    "deactivated": "ปิดใช้แชตโมดูล",
    "botSuspended": "บอทถูกระงับ",
    "botResumed": "บอทกลับมาใช้งาน",
}

ACTION_LABELS = {
    "login.ok": "เข้าสู่ระบบ",
    "login.failed": "เข้าสู่ระบบไม่สำเร็จ",
    "login.locked": "ถูกระงับการเข้าสู่ระบบ",
    "logout": "ออกจากระบบ",
    "view.inbox_payload": "ดูข้อมูลดิบของเหตุการณ์",
    "view.members": "ดูรายชื่อสมาชิก",
    "view.rejected": "ดูข้อมูลที่ถูกปฏิเสธ",
    "view.audit": "ดูบันทึกการใช้งาน",
    "view.staff": "ดูบัญชีเจ้าหน้าที่",
    "inbox.retry": "สั่งประมวลผลเหตุการณ์ใหม่",
    "view.dead_letters": "ดูข้อมูลที่บันทึกไม่ได้ (ไฟล์สำรอง)",
    "dead_letter.requeue": "นำข้อมูลที่บันทึกไม่ได้กลับเข้าคิว",
    "dead_letter.discard": "ลบข้อมูลที่บันทึกไม่ได้",
    "staff.create": "สร้างบัญชีเจ้าหน้าที่",
    "staff.update": "แก้ไขบัญชีเจ้าหน้าที่",
    "staff.deactivate": "ปิดการใช้งานบัญชี",
    "staff.activate": "เปิดการใช้งานบัญชี",
    "token.create": "สร้างโทเค็น API",
    "token.revoke": "ยกเลิกโทเค็น API",
    "view.member": "ดูข้อมูลสมาชิกเครือข่าย",
    "view.identity": "ดูชื่อและเบอร์โทรของผู้แจ้งข่าว",
    "view.report": "ดูเนื้อหาข่าว",
    "view.report_media": "ดูรูปหรือไฟล์ของข่าว",
    "view.report_places": "ดูตำแหน่งของข่าวบนแผนที่",
    "view.network_roll": "ส่งออกบัญชีรายชื่อเครือข่ายข่าว",
    "member.decide": "อนุมัติ/ไม่อนุมัติ/ระงับสมาชิก",
    "member.update": "แก้ไขข้อมูลสมาชิก",
    "group_code.create": "สร้างรหัสลงทะเบียนกลุ่ม",
    "report.category": "เปลี่ยนหมวดหมู่ข่าว",
    "report.status_update": "แจ้งสถานะข่าวถึงผู้แจ้ง",
    "network.settings": "แก้ไขการตั้งค่าเครือข่ายข่าว",
    "network.list_update": "แก้ไขกลุ่มอาชีพหรือหมวดหมู่ข่าว",
    "retention.purge": "ลบข้อมูลส่วนบุคคลที่เกินระยะเวลาเก็บรักษา",
    "view.personal_data_export": "ส่งออกข้อมูลส่วนบุคคลทั้งหมดของผู้ใช้ LINE (สิทธิขอเข้าถึงข้อมูล)",
    "personal_data.erase": "ลบหรือทำให้ข้อมูลส่วนบุคคลของผู้ใช้ LINE ไม่สามารถระบุตัวตนได้",
    "riskpoint.roster_invite": "เชิญเข้าร่วมรายชื่อสมาชิกหน่วย",
    "riskpoint.roster_remove": "นำออกจากรายชื่อสมาชิกหน่วย",
    "evidence.group": "บันทึกกลุ่ม LINE ย้อนหลัง",
    "evidence.report": "บันทึกข่าวที่ได้รับย้อนหลัง",
    "evidence.forward": "บันทึกการส่งต่อหน่วยงานย้อนหลัง",
    "evidence.import": "นำเข้าหลักฐานย้อนหลังจากไฟล์ Excel",
}

# what an audit entry is about (AuditLog.object_type), as the audit log page names it
OBJECT_LABELS = {
    "action_item": "งานที่มอบหมาย",
    "agency": "หน่วยงาน",
    "api_token": "กุญแจ API",
    "audit_log": "บันทึกการใช้งาน",
    "camera": "กล้อง CCTV",
    "category": "หมวดหมู่ข่าว",
    "committee": "คำสั่งคณะทำงาน",
    "committee_member": "กรรมการ",
    "crime_stat": "สถิติคดี",
    "dead_letter": "ข้อมูลที่บันทึกไม่ได้",
    "defect": "สภาพเสี่ยง",
    "evidence": "ชุดหลักฐาน",
    "forward": "เรื่องที่ส่งต่อ",
    "forward_recipient": "หน่วยงานผู้รับเรื่อง",
    "group_code": "รหัสลงทะเบียนกลุ่ม",
    "inbox_event": "เหตุการณ์ขาเข้า",
    "kpi_report": "รายงานตัวชี้วัด",
    "letter": "หนังสือ",
    "measure": "มาตรการของหน่วยงาน",
    "media_file": "รูปหรือไฟล์",
    "meeting": "การประชุม",
    "member": "สมาชิก",
    "network_roll": "ทะเบียนเครือข่าย",
    "news_report": "ข่าว",
    "occupation": "กลุ่มอาชีพ",
    "office": "ข้อมูลสำนักงาน",
    "outgoing_message": "ข้อความขาออก",
    "patrol_check": "การตรวจจุด",
    "rejected_body": "ข้อมูลที่ถูกปฏิเสธ",
    "report_version": "รายงานฉบับตรึง",
    "retention": "การลบตามระยะเวลาเก็บรักษา",
    "risk_point": "จุดเสี่ยง",
    "setting": "การตั้งค่า",
    "staff_user": "บัญชีเจ้าหน้าที่",
    "unit": "หน่วยงานจุดเสี่ยง",
    "unit_membership": "สมาชิกของหน่วย",
    "wg_file": "เอกสารคณะทำงาน",
    "work_order": "ใบสั่งงาน",
}


def label(mapping: dict, key: object) -> str:
    """The Thai label of a code, or the code itself when it has none."""
    if key is None:
        return "–"
    return mapping.get(key, str(key))
