"""Wording of "สรุปของฉัน": each role's summary, the details behind it and the newcomer's explanation."""

SUMMARY_WORDS = ("สรุปของฉัน", "ข่าวของฉัน", "งานของฉัน")
SUMMARY = SUMMARY_WORDS[0]
REGISTER = "ลงทะเบียน"
REPORT = "แจ้งข่าว"
MEETING = "ประชุม"

# --- where a report stands (keys "received" and "forwarded" as in texts.network.STATUS_UPDATES) ------
REPORT_STAGES = {
    "received": "ได้รับแล้ว",
    "considered": "ที่ประชุมพิจารณาแล้ว",
    "forwarded": "ส่งต่อหน่วยงานแล้ว",
    "acted": "หน่วยงานดำเนินการแล้ว",
}
STAGE_COLOURS = {"received": "#666666", "considered": "#1F4E79", "forwarded": "#B36B00", "acted": "#1B7F3B"}

# --- the newcomer and the volunteer -------------------------------------------------------------
NEWCOMER = (
    "ตอนนี้ท่านยังไม่มีข่าวหรืองานที่จะสรุปครับ\n"
    "• กด “แจ้งข่าว” เพื่อส่งข่าวหรือเบาะแสให้ฝ่ายเลขานุการ แล้วกลับมาดูความคืบหน้าได้ที่ “สรุปของฉัน”\n"
    "• กด “ลงทะเบียน” เพื่อเป็นสมาชิกเครือข่ายแจ้งข่าวของสำนักงานเขต\n"
    "เจ้าหน้าที่สายตรวจหรือฝ่ายที่รับงาน: เมื่อหัวหน้าเพิ่มท่านในรายชื่อหน่วยแล้ว งานของหน่วยจะแสดงที่นี่"
)
NO_REPORTS_YET = "ท่านลงทะเบียนแล้ว แต่ยังไม่เคยแจ้งข่าวครับ กด “แจ้งข่าว” เพื่อส่งข่าวหรือเบาะแสได้ตลอด 24 ชั่วโมง"
REPORTS_ALT = "ข่าวที่ท่านแจ้ง {total} เรื่อง (หน้า {page})"
REPORT_DATE = "วันที่แจ้ง"
REPORT_CATEGORY = "หมวด"
REPORT_STATUS = "สถานะ"
NO_CATEGORY = "ยังไม่ระบุหมวด"
SEE_DETAIL = "ดูรายละเอียด"
ADD_MORE = "เพิ่มข้อมูล"
SEE_MORE = "ดูเพิ่มเติม"
MORE_TITLE = "ยังมีข่าวอีก {more} เรื่อง"
MORE_BODY = "กด “ดูเพิ่มเติม” เพื่อดูข่าวที่แจ้งก่อนหน้านี้"
ADD_COMMAND = "เพิ่มข่าว {ref}"
NO_MORE_REPORTS = "ไม่มีข่าวเพิ่มเติมแล้วครับ"
REPORT_NOT_YOURS = "ไม่พบข่าวนี้ในรายการข่าวของท่านครับ"

REPORT_DETAIL = "ข่าว {ref}\nแจ้งเมื่อ {when}\nหมวด: {category}\nสถานะ: {status}"
DETAIL_TEXT = "ข้อความ: {text}"
DETAIL_NO_TEXT = "ข้อความ: -"
DETAIL_PLACE = "สถานที่: {place}"
DETAIL_PLACE_MAP = "สถานที่: ส่งตำแหน่งบนแผนที่แล้ว"
DETAIL_NO_PLACE = "สถานที่: ไม่ได้ระบุ"
DETAIL_DISTRICT = "เขต{district}"
DETAIL_PHOTOS = "รูปภาพ: {count} รูป"
DETAIL_REMOVED = "ข้อความ สถานที่ และรูปภาพของข่าวนี้ถูกลบแล้วตามระยะเวลาเก็บรักษาข้อมูล"
DETAIL_HISTORY = "ความคืบหน้า"
DETAIL_STEP = "• {day} {stage}"
DETAIL_STEP_UNDATED = "• {stage}"
EXCERPT_CHARS = 300

# --- the patrol officer -------------------------------------------------------------------------
PATROL_ALT = "สรุปงานสายตรวจวันนี้"
UNIT_TITLE = "{unit}"
UNIT_DAY = "วันที่ {day}"
UNIT_ROUND = "{round}: ตรวจแล้ว {done}/{total} จุด"
UNIT_NO_ROUND = "ตอนนี้อยู่นอกช่วงรอบตรวจ"
UNIT_TODAY = "ทั้งวัน: ตรวจแล้ว {done}/{required} ครั้ง"
UNIT_NO_POINTS = "หน่วยนี้ยังไม่มีจุดเสี่ยงที่ต้องตรวจวันนี้"
UNIT_POINTS = "ดูจุดที่ยังไม่ครบ"
UNIT_DETAIL = "{unit} วันที่ {day}\nจุดที่ยังตรวจไม่ครบ:"
UNIT_DETAIL_LINE = "• {code} {name} ({done}/{required})"
UNIT_DETAIL_ALL_DONE = "{unit} วันที่ {day}\nตรวจครบทุกจุดแล้วครับ ขอบคุณครับ"
CHECKS_TITLE = "เช็คอินของฉันวันนี้"
CHECKS_NONE = "วันนี้ท่านยังไม่ได้เช็คอินครับ"
CHECK_LINE = "{time} {code} {name}"
CHECK_LABEL = "{code} {time}"
CHECK_DETAIL = "เช็คอิน {code} {name}\nเวลา {when}\n{round}\nรูปถ่าย: {photo}"
CHECK_DISTANCE = "ห่างจากจุด {distance}"
PHOTO_YES = "มี"
PHOTO_NO = "ไม่มี"
DEFECTS_TITLE = "เรื่องที่ฉันแจ้งและยังไม่ปิด"
DEFECTS_NONE = "ไม่มีเรื่องที่ท่านแจ้งค้างอยู่ครับ"
DEFECT_LINE = "{kind} ที่ {code} · {age} · {status}"
NO_ORDER = "ไม่มีใบสั่งงาน"
DEFECT_LABEL = "เรื่องชำรุด {code}"
ASK_DETAIL = "ขอดูรายละเอียด {label}"  # what the person seems to say when they tap a line of a list
DEFECT_DETAIL = "เรื่อง “{kind}” ที่ {code} {name}\nแจ้งเมื่อ {when} ({age})"
DEFECT_NOTE = "รายละเอียด: {note}"
TAP_HINT = "แตะรายการเพื่อดูรายละเอียด"
MORE_ITEMS = "…และอีก {more} รายการ"
CHECKIN = "เช็คอิน"

# --- the department clerk -----------------------------------------------------------------------
CLERK_ALT = "ใบงานที่ยังไม่ปิดของหน่วย"
ORDERS_TITLE = "ใบงานที่ยังไม่ปิด"
ORDERS_NONE = "ไม่มีใบงานค้างครับ"
ORDER_LINE = "{ref} · {age} · {status}"
ORDER_POINT = "{code} {name}"
ORDER_DETAIL = "ใบงาน {ref}\n{kind} ที่ {code} {name} เขต{district}\nสถานะ: {status} ({age})"
ORDER_TIMELINE = "ลำดับเหตุการณ์"
ORDER_STEP = "• {when} {status}"
ORDER_STEP_BY = "• {when} {status} โดย {actor}"
ITEM_NOT_YOURS = "ไม่พบรายการนี้ในงานของท่านครับ"

# --- the secretariat ----------------------------------------------------------------------------
SECRETARIAT_ALT = "สรุปงานฝ่ายเลขานุการวันนี้"
SECRETARIAT_TITLE = "ฝ่ายเลขานุการ วันที่ {day}"
COUNT_REPORTS = "ข่าวที่ได้รับวันนี้"
COUNT_CHECKS = "เช็คอินวันนี้"
COUNT_DEFECTS = "เรื่องชำรุดที่ยังไม่ปิด"
COUNT_ORDERS = "ใบงานที่ยังไม่ปิด"
COUNT_MONTH = "รายงาน{month} ยังไม่ส่ง"
COUNT_WAITING = "ข่าวที่รอเสนอที่ประชุม"
COUNT_UNDELIVERED = "ข้อความที่ส่งไม่สำเร็จ"
WAITING_TITLE = "รอท่านดำเนินการ"
AMOUNT = "{count:,}"
MONTH_AMOUNT = "{missing}/{expected} หน่วย"

# --- ages ---------------------------------------------------------------------------------------
AGE_TODAY = "วันนี้"
AGE_DAYS = "{days} วัน"
