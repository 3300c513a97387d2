"""The rich menus' words: the chat bar, and each tile's label and hint, menu by menu."""

CHAT_BAR_TEXT = "เมนู FieldLine"  # at most 14 characters

MY_SUMMARY = "สรุปของฉัน"  # the command a "สรุปของฉัน" tile sends

# (label, hint) of each tile; the label is also the tile's action label (at most 20 characters)
REGISTER = ("ลงทะเบียน", "สมาชิกเครือข่ายข่าว")
REPORT = ("แจ้งข่าว", "ส่งข่าวได้ 24 ชั่วโมง")
HELP = ("ช่วยเหลือ", "วิธีใช้งาน")
CHECKIN = ("เช็คอิน", "ตรวจจุดเสี่ยง")
CAMERA = ("ตรวจกล้อง", "CCTV ประจำวัน")
MONTH_REPORT = ("ส่งรายงาน", "รายงานประจำเดือน")
MEETING = ("ประชุม", "การประชุมคณะทำงาน")
SUMMARY_NEWCOMER = ("สรุปของฉัน", "ข่าวที่ท่านแจ้ง")
SUMMARY_VOLUNTEER = ("สรุปของฉัน", "ข่าวที่ท่านแจ้ง")
SUMMARY_PATROL = ("สรุปของฉัน", "การตรวจของฉัน")
SUMMARY_CLERK = ("สรุปของฉัน", "ใบสั่งงานของหน่วย")
SUMMARY_SECRETARIAT = ("สรุปของฉัน", "งานที่รอดำเนินการ")
