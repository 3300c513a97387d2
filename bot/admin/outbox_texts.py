"""Thai wording of the undelivered-messages page: what a message was, and why LINE did not take it."""

from __future__ import annotations

from models import OutboxStatus, OutgoingMessage
from runtime import delivery, quota
from texts.scheduler import JOB_TITLES

TITLE = "ข้อความที่ส่งไม่ถึง"
RETRY_DONE = "นำข้อความ #{id} กลับเข้าคิวแล้ว ระบบจะส่งอีกครั้งภายในไม่กี่วินาที (ใช้รหัสกันส่งซ้ำเดิม)"
RETRY_REFUSED = "ส่งใหม่ได้เฉพาะข้อความที่ส่งไม่สำเร็จหรือถูกพักไว้ และยังไม่ถูกลบเนื้อหาตามระยะเวลาเก็บรักษา"

KIND_LABELS = {
    "failed": "ส่งไม่สำเร็จ",
    "retrying": "กำลังลองส่งใหม่",
    "unknown": "ไม่ทราบผล / อาจได้รับซ้ำ",
}
KIND_HELP = {
    "failed": "LINE ไม่รับข้อความเหล่านี้ หรือระบบลองส่งครบจำนวนครั้งแล้วยังไม่สำเร็จ ผู้รับยังไม่ได้รับข้อความ เมื่อแก้ไขสาเหตุแล้วกด “ส่งใหม่” ได้",
    "retrying": "ระบบยังลองส่งเองตามลำดับเวลา ไม่ต้องทำอะไร หากลองครบแล้วยังไม่สำเร็จ ข้อความจะย้ายไปอยู่ในแท็บ “ส่งไม่สำเร็จ”",
    "unknown": "ข้อความที่ LINE ขัดข้องระหว่างส่ง จึงไม่ทราบแน่ชัดว่าผู้รับได้รับหรือไม่ หรืออาจได้รับสองครั้ง ตรวจสอบกับผู้รับได้หากเป็นเรื่องสำคัญ",
}

STATUS_LABELS = {
    OutboxStatus.PENDING: "รอส่ง",
    OutboxStatus.SENT: "ส่งแล้ว",
    OutboxStatus.FAILED: "ส่งไม่สำเร็จ",
    OutboxStatus.PARKED: "พักไว้",
}
STATUS_BADGES = {  # the admin stylesheet's badge colours
    OutboxStatus.PENDING: "pending",
    OutboxStatus.SENT: "done",
    OutboxStatus.FAILED: "failed",
    OutboxStatus.PARKED: "parked",
}

PURPOSES = {
    "reply": "คำตอบของบอทต่อข้อความของผู้ใช้",
    "push": "ข้อความแจ้งเพิ่มเติมจากบอท",
    "status-update": "แจ้งความคืบหน้าของข่าวถึงผู้แจ้ง",
    "forward": "ส่งต่อเรื่องถึงหน่วยงาน",
    "forward-reminder": "เตือนหน่วยงานให้รับทราบเรื่องที่ส่งต่อ",
    "riskpoints:camera": "แจ้งกล้อง CCTV ชำรุด",
    "riskpoints:order": "ใบสั่งงานแก้ไขสภาพแวดล้อมถึงหน่วยงาน",
    "riskpoints:round": "แจ้งจุดที่ไม่ได้ตรวจเมื่อปิดรอบตรวจ",
    "member-decision": "แจ้งผลการอนุมัติการลงทะเบียนถึงสมาชิก",
}
OTHER_PURPOSE = "ข้อความอื่นจากบอท"

RECIPIENT_MEMBER = "สมาชิก {code}"
RECIPIENT_STAFF = "เจ้าหน้าที่ {name}"
RECIPIENT_GROUP = "กลุ่ม {name}"
RECIPIENT_UNNAMED_GROUP = "กลุ่ม LINE ที่ยังไม่ได้ตั้งชื่อ"
RECIPIENT_ROOM = "ห้องแชตหลายคน"
RECIPIENT_UNKNOWN_USER = "ผู้ใช้ LINE ที่ไม่ได้อยู่ในระบบ"
RECIPIENT_MANY = "ส่งพร้อมกันถึง {count} คน"

# Why: by LINE's answer (the status is the first word of outgoing_messages.last_error).
REASON_SERVER = "LINE ขัดข้อง (รหัส {status})"
REASON_TIMEOUT = "LINE ไม่ตอบภายในเวลาที่กำหนด"
REASON_UNREACHABLE = "เชื่อมต่อ LINE ไม่ได้"
REASON_RATE = "ส่งถี่เกินกว่าที่ LINE กำหนด"
REASON_QUOTA = "โควตาข้อความของเดือนนี้หมดแล้ว"
REASON_NOT_REACHABLE = "ส่งไม่ได้: บอทไม่อยู่ในกลุ่มนี้แล้ว หรือผู้รับไม่ได้เป็นเพื่อนกับบอท"
REASON_BAD_REQUEST = "LINE ปฏิเสธข้อความ (รูปแบบข้อความไม่ถูกต้อง)"
REASON_AUTH = "LINE ไม่ยอมรับสิทธิ์ของบอท (โทเค็นของช่องทาง LINE หมดอายุหรือไม่ถูกต้อง)"
REASON_FORBIDDEN = "ผู้รับบล็อกบอท หรือบอทไม่อยู่ในกลุ่ม"
REASON_NOT_FOUND = "ไม่พบผู้รับใน LINE"
REASON_OTHER = "LINE ตอบกลับด้วยข้อผิดพลาด (รหัส {status})"
REASON_INTERRUPTED = "ระบบหยุดทำงานระหว่างส่งคำตอบ"
REASON_WAITING_QUOTA = "รอโควตาของเดือนถัดไป"

# What is known of a reply whose outcome LINE never told.
REPLY_MAY_HAVE_ARRIVED = "คำตอบที่ส่งไปก่อนหน้าอาจถึงผู้รับแล้ว (LINE ไม่ได้ยืนยัน)"
MAY_BE_TWICE = "ไม่ทราบผลการตอบกลับ จึงส่งอีกครั้งแบบ push: ผู้รับอาจได้รับข้อความนี้สองครั้ง"
MAY_BE_MISSING = "ส่งคำตอบแล้วแต่ LINE ไม่ได้ยืนยัน และระบบรุ่นก่อนไม่ได้ส่งซ้ำ: ผู้รับอาจไม่ได้รับข้อความนี้"


def purpose_label(purpose: str) -> str:
    """What a message was, in Thai, from its outbox purpose (a job id, 'reply', 'forward:FW-2564-0001' ...)."""
    if purpose in PURPOSES:
        return PURPOSES[purpose]
    if purpose in JOB_TITLES:
        return JOB_TITLES[purpose]
    kind, _, reference = purpose.partition(":")
    if kind in PURPOSES:
        return f"{PURPOSES[kind]} {reference}" if kind.startswith("forward") else PURPOSES[kind]
    return OTHER_PURPOSE


def line_reason(last_error: str | None) -> str:
    """LINE's answer to the last try, in Thai ('500 {...}' → 'LINE ขัดข้อง (รหัส 500)')."""
    if not last_error:
        return ""
    if last_error == quota.DEFERRED:
        return REASON_WAITING_QUOTA
    if last_error == delivery.INTERRUPTED:
        return REASON_INTERRUPTED
    head, _, body = last_error.partition(" ")
    try:
        status = int(head)
    except ValueError:
        return REASON_OTHER.format(status=head[:20])
    lowered = body.lower()
    if status == 0:
        return REASON_TIMEOUT if "timeout" in lowered else REASON_UNREACHABLE
    if status >= 500:
        return REASON_SERVER.format(status=status)
    if status == 429:
        return REASON_QUOTA if "monthly limit" in lowered else REASON_RATE
    if status == 400:
        return REASON_NOT_REACHABLE if "failed to send messages" in lowered else REASON_BAD_REQUEST
    return {401: REASON_AUTH, 403: REASON_FORBIDDEN, 404: REASON_NOT_FOUND}.get(
        status, REASON_OTHER.format(status=status)
    )


def outcome_note(row: OutgoingMessage) -> str:
    """What is known of a reply of unknown outcome, for the secretariat (empty when nothing is in doubt)."""
    if row.method == delivery.PUSH_AFTER_REPLY:
        return MAY_BE_TWICE
    if row.method == delivery.LEGACY_UNCONFIRMED:
        return MAY_BE_MISSING
    if row.method == delivery.REPLY_UNKNOWN:
        return REPLY_MAY_HAVE_ARRIVED
    return ""
