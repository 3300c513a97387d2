"""What the bot says about risk points: patrol check-ins, camera checks, work orders and month reports."""

CHECKIN = "เช็คอิน"
CAMERA = "ตรวจกล้อง"
SUBMIT_REPORT = "ส่งรายงาน"
SEND_LOCATION = "ส่งตำแหน่งปัจจุบัน"
CANCEL = "ยกเลิก"
NO_PHOTO = "ไม่มีรูป"
DONE = "เสร็จ"
ALL_NORMAL = "ปกติ ไม่มีเหตุ"
CONFIRM = "ยืนยันส่ง"
NONE = "ไม่มี"
RETRY_CHECKIN = "เช็คอินอีกครั้ง"

# Check-in
ASK_LOCATION = (
    "เช็คอินจุดเสี่ยง{target}\nกดปุ่ม “{button}” ด้านล่าง ระบบจะตรวจว่าท่านอยู่ในรัศมีของจุดหรือไม่\n(ต้องเป็นตำแหน่งจริงจากโทรศัพท์ ณ ขณะนี้)"
)
ASK_LOCATION_AGAIN = "กรุณาส่งตำแหน่งปัจจุบันด้วยปุ่ม “{button}” หรือพิมพ์ “ยกเลิก”"
UNKNOWN_POINT = "ไม่พบจุดเสี่ยงรหัส {code} ที่ยังใช้งานอยู่ครับ ตรวจรหัสบนป้ายอีกครั้ง หรือพิมพ์ “เช็คอิน” เพื่อค้นหาจากตำแหน่ง"
OUTSIDE_TARGET = (
    "ยังเช็คอินไม่ได้ครับ ท่านอยู่ห่างจาก {code} {name} ประมาณ {distance} (ต้องอยู่ในรัศมี {radius} ม.)\n"
    "ระบบบันทึกความพยายามครั้งนี้ไว้แล้ว กรุณาเข้าใกล้จุดแล้วเช็คอินอีกครั้ง"
)
OUTSIDE_ALL = (
    "ยังเช็คอินไม่ได้ครับ ไม่มีจุดเสี่ยงในรัศมีจากตำแหน่งนี้ จุดที่ใกล้ที่สุดคือ {code} {name} ห่างประมาณ {distance}\n"
    "ระบบบันทึกความพยายามครั้งนี้ไว้แล้ว"
)
NO_POINTS = "ยังไม่มีจุดเสี่ยงที่ลงทะเบียนไว้ในระบบครับ"
LOCATION_REUSED = "ตำแหน่งนี้ถูกใช้เช็คอินไปแล้วครับ ใช้ซ้ำไม่ได้ กรุณากดส่งตำแหน่งปัจจุบันใหม่"
PICK_POINT = "พบจุดเสี่ยง {count} จุดในรัศมี ท่านกำลังตรวจจุดใดครับ"
PICK_AGAIN = "กรุณาเลือกจุดจากปุ่มด้านล่างครับ"
ASK_PHOTO_REQUIRED = "ถ่ายรูป {code} {name} ตอนนี้แล้วส่งมาเลยครับ (จุดนี้ต้องมีรูปยืนยันการตรวจ)"
ASK_PHOTO_OPTIONAL = "ถ่ายรูป {code} {name} ตอนนี้แล้วส่งมาได้เลยครับ หรือกด “ไม่มีรูป”"
PHOTO_NEEDED = "จุดนี้ต้องมีรูปถ่ายยืนยันการตรวจครับ กรุณาถ่ายรูปแล้วส่งมา หรือพิมพ์ “ยกเลิก”"
PHOTO_OLDER = "รูปนี้ส่งก่อนเวลาเช็คอินจึงใช้ยืนยันไม่ได้ครับ กรุณาถ่ายรูปใหม่ ณ ขณะนี้แล้วส่งมา"
PHOTO_TOO_LATE = "ส่งรูปช้ากว่าเวลาเช็คอินเกิน {minutes} นาที จึงใช้ยืนยันไม่ได้ครับ กรุณาเช็คอินใหม่อีกครั้ง"
CHECKED = "บันทึกการตรวจ {code} {name} แล้ว ✅\n{round}\nวันนี้ตรวจแล้ว {done}/{required} รอบ{extra}"
CHECKED_AGAIN_ROUND = "\n(รอบนี้เคยตรวจแล้ว ครั้งนี้บันทึกเพิ่มเติม)"
CHECKED_OUTSIDE_ROUND = "นอกช่วงเวลารอบตรวจ"
ASK_CONDITIONS = "พบสภาพที่เสี่ยงต่อการเกิดเหตุไหมครับ เลือกได้ทีละเรื่อง หรือกด “ปกติ ไม่มีเหตุ”"
CONDITIONS = {
    "lighting": "ไฟส่องสว่างดับ",
    "trees": "ต้นไม้รก",
    "cctv": "กล้อง CCTV ชำรุด",
    "vehicle": "รถถูกทิ้ง",
    "other": "อื่น ๆ",
}
ASK_CONDITION_DETAIL = "เรื่อง “{kind}” ส่งรูปสภาพที่พบ และพิมพ์รายละเอียดสั้น ๆ ได้ เสร็จแล้วกด “เสร็จ”"
CONDITION_PHOTO = "ได้รับรูปแล้ว ({count}) ส่งเพิ่มได้ หรือกด “เสร็จ”"
CONDITION_NOTED = "บันทึกรายละเอียดแล้ว ส่งรูปได้ หรือกด “เสร็จ”"
DEFECT_OPENED = "แจ้งเรื่อง “{kind}” แล้ว เลขที่งาน {ref} ส่งถึง{unit}แล้ว\nมีเรื่องอื่นอีกไหมครับ"
DEFECT_NO_UNIT = "แจ้งเรื่อง “{kind}” แล้ว เลขที่งาน {ref} (ยังไม่ได้กำหนดหน่วยงานรับผิดชอบ ฝ่ายเลขานุการจะส่งต่อ)\nมีเรื่องอื่นอีกไหมครับ"
CHECK_FINISHED = "ขอบคุณครับ บันทึกการตรวจเรียบร้อยแล้ว"
VERIFY_ORDER = "{unit}แจ้งว่าแก้ไข “{kind}” ที่จุดนี้เสร็จแล้ว (งาน {ref}) ท่านตรวจดูแล้วเป็นอย่างไรครับ"
VERIFY_OK = "เรียบร้อยแล้ว"
VERIFY_BAD = "ยังไม่เรียบร้อย"
VERIFIED = "ยืนยันงาน {ref} เรียบร้อย ปิดงานแล้วครับ"
REOPENED = "ส่งงาน {ref} กลับให้{unit}แก้ไขใหม่แล้วครับ"
VERIFY_NOT_ALLOWED = "ยืนยันผลงานได้เฉพาะสายตรวจที่เช็คอินที่จุดนี้หลังหน่วยงานแจ้งเสร็จครับ"

# Camera checks
ASK_CAMERA_LOCATION = "ตรวจกล้อง CCTV ประจำวัน{target}\nกดปุ่ม “{button}” เพื่อยืนยันว่าท่านอยู่ที่จุด"
NO_CAMERAS_HERE = "ไม่มีจุดที่ติดตั้งกล้องในรัศมีจากตำแหน่งนี้ครับ จุดที่ใกล้ที่สุด {code} ห่างประมาณ {distance}"
PICK_CAMERA = "จุด {code} {name} มีกล้อง {count} ตัว ตรวจตัวใดครับ"
ASK_CAMERA_STATUS = "กล้อง {camera} ที่ {code} ใช้งานได้หรือไม่ครับ"
CAMERA_WORKING = "ใช้งานได้"
CAMERA_BROKEN = "ชำรุด"
ASK_BROKEN_PHOTO = "กรุณาถ่ายรูปกล้อง {camera} ที่ชำรุดแล้วส่งมาครับ (ใช้แนบหนังสือประสานหน่วยงาน)"
CAMERA_RECORDED = "บันทึกผลตรวจกล้อง {camera}: {status} แล้ว ✅\nวันนี้ตรวจกล้องที่ {code} แล้ว {done}/{total} ตัว"
CAMERA_CLOSED_DEFECT = "\nกล้องกลับมาใช้งานได้ ปิดเรื่องชำรุดที่แจ้งไว้แล้ว"
CAMERA_LETTER = "\nเปิดเรื่องชำรุดและออกหนังสือประสาน{agency} เลขที่ {doc} แล้ว"
CAMERA_ALREADY_OPEN = "\nกล้องตัวนี้มีเรื่องชำรุดเปิดอยู่แล้ว (หนังสือเลขที่ {doc})"
SECRETARIAT_LETTER = (
    "กล้อง CCTV ชำรุด: {camera} ที่ {code} {name} ({district})\nพบเมื่อ {found} โดย{by}\n"
    "ออกหนังสือประสาน{agency} เลขที่ {doc} ลงวันที่ {date} แล้ว ดาวน์โหลดได้ที่หน้าผู้ดูแล เมนูจุดเสี่ยง"
)
BY_ON_SITE = "สายตรวจ ณ จุด"
BY_CENTRE = "ศูนย์ควบคุมกล้อง"

# Work orders (department groups)
ORDER_TITLE = "งานแก้ไข {ref}"
ORDER_BODY = "จุด {code} {name}\nเขต{district}\nเรื่อง: {kind}{note}\nแจ้งเมื่อ {opened}"
ORDER_REOPENED_NOTE = "\nสายตรวจตรวจแล้วยังไม่เรียบร้อย (ส่งกลับครั้งที่ {count})"
ORDER_STATUS = {
    "new": "รอรับงาน",
    "accepted": "รับงานแล้ว",
    "in_progress": "กำลังดำเนินการ",
    "done": "แก้ไขเสร็จ รอสายตรวจยืนยัน",
    "reopened": "ส่งกลับแก้ไขใหม่",
    "closed": "ปิดงานแล้ว",
}
ACCEPT = "รับงาน"
IN_PROGRESS = "กำลังดำเนินการ"
FINISHED = "เสร็จแล้ว"
ORDER_MOVED = "งาน {ref}: {status} (โดย {actor})"
ORDER_ASK_AFTER_PHOTO = "งาน {ref}: กรุณาส่งรูปหลังแก้ไขในกลุ่มนี้ภายใน {minutes} นาที จึงจะปิดเป็น “เสร็จแล้ว” ได้"
ORDER_DONE = "งาน {ref}: แก้ไขเสร็จแล้ว ได้รับรูปหลังแก้ไข ขอบคุณครับ สายตรวจรอบถัดไปจะตรวจยืนยัน"
ORDER_NOT_HERE = "งานนี้ไม่ได้อยู่ในความรับผิดชอบของกลุ่มนี้ครับ"
ORDER_CLOSED_ALREADY = "งาน {ref} ปิดไปแล้วครับ"
ORDER_CCTV_NOTE = "\n(เรื่องกล้องจะปิดเมื่อการตรวจกล้องประจำวันพบว่าใช้งานได้)"
SOMEONE = "สมาชิกกลุ่ม"

# Missed rounds (patrol unit groups)
ROUND_MISSED = "สิ้นสุด{round} วันที่ {day}\nจุดที่ยังไม่ได้ตรวจ {count} จุด:\n{points}\nแจ้งเหตุผลได้ที่ปุ่มด้านล่าง"
ROUND_ALL_DONE = "สิ้นสุด{round} วันที่ {day} ตรวจครบทุกจุดแล้ว ขอบคุณครับ"
MISS_REASON_FOR = "เหตุผล {code}"
ASK_MISS_REASON = "{code} {name} ไม่ได้ตรวจใน{round} เพราะอะไรครับ"
MISS_REASONS = {
    "flood": "น้ำท่วม",
    "road_closed": "ถนนปิด",
    "incident": "ติดภารกิจระงับเหตุ",
    "other": "อื่น ๆ",
}
MISS_RECORDED = "บันทึกเหตุผล {code}: {reason} แล้วครับ"

# Month reports (departments and patrol units)
ASK_UNIT = "ส่งรายงานประจำเดือนในนามหน่วยใดครับ"
NO_UNITS = "ยังไม่มีหน่วยงานหรือหน่วยสายตรวจที่ลงทะเบียนในระบบครับ"
REPORT_STARTED_IN_GROUP = "เริ่มส่งรายงานประจำเดือนของ{unit}แล้ว กรุณาตอบต่อในแชตส่วนตัวกับบอทครับ"
REPORT_NEED_FRIEND = "กรุณาเพิ่มบอทเป็นเพื่อนก่อน แล้วพิมพ์ “ส่งรายงาน” อีกครั้งครับ"
ASK_MONTH = "รายงานของเดือนใดครับ"
REPORT_FIGURES = "รายงานประจำเดือน{month} ของ{unit}\n{figures}\n\nพิมพ์ผลการดำเนินงานหรือปัญหาอุปสรรคสั้น ๆ หรือกด “ไม่มี”"
ASK_REPORT_CONFIRM = "สรุปรายงาน{month} ของ{unit}\n{figures}\nหมายเหตุ: {note}\n\nยืนยันส่งรายงานหรือไม่"
REPORT_SUBMITTED = "ส่งรายงานประจำเดือน{month} ของ{unit} แล้วครับ ({timing})"
REPORT_REVISED = "แก้ไขรายงานประจำเดือน{month} ของ{unit} แล้วครับ (ส่งครั้งแรก {first})"
ON_TIME = "ทันกำหนด"
LATE = "เกินกำหนดวันที่ {due}"
FIG_PATROLS = "• ตรวจจุดเสี่ยง {done}/{required} ครั้ง ({percent})"
FIG_CAMERAS = "• ตรวจกล้อง {done}/{required} ครั้ง ({percent})"
FIG_ORDERS = "• งานแก้ไขที่ได้รับ {received} งาน เสร็จ {done} งาน ค้าง {pending} งาน"
FIG_MISSES = "• รอบที่ไม่ได้ตรวจและแจ้งเหตุผลแล้ว {explained}/{missed}"

# Kinds of risk point (code -> Thai), shown in the admin web, on posters and accepted in imported files
POINT_KINDS = {
    "dark_spot": "จุดมืด ไฟส่องสว่างไม่เพียงพอ",
    "alley": "ตรอก ซอยเปลี่ยว",
    "abandoned_building": "อาคารร้าง",
    "vacant_lot": "ที่ดินรกร้าง",
    "bus_stop": "ป้ายรถประจำทาง",
    "underpass": "ทางลอด สะพานลอย",
    "park": "สวนสาธารณะ",
    "other": "อื่น ๆ",
}
