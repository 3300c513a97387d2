"""What the clock says: the monthly cycle, the day-7 and quarterly cards, daily rounds and quota warnings."""

JOB_TITLES = {
    "monthly-open": "วันที่ 1: แจ้งตัวเลขที่ต้องรายงานและเปิดร่างรายงานประจำเดือน",
    "monthly-reminder": "เตือนหน่วยที่ยังไม่ส่งรายงานประจำเดือน (วันที่ 5 และเช้าวันครบกำหนด)",
    "monthly-compile": "วันครบกำหนด 17:00 น.: รวบรวมรายงานจุดเสี่ยงภัย ตรึงเป็นฉบับมีเลขที่ และส่งสรุปให้ฝ่ายเลขานุการ",
    "monthly-overdue": "วันที่ 8: รายชื่อหน่วยที่ส่งรายงานไม่ทันกำหนด ส่งถึงผู้บังคับบัญชา",
    "quarterly-summary": "สรุปตัวชี้วัดรายไตรมาส (และสรุปปลายปีงบประมาณหลังไตรมาสที่ 4)",
    "patrol-round-warning": "ก่อนปิดรอบตรวจ: แจ้งจุดที่ยังไม่ได้ตรวจให้กลุ่มหน่วยสายตรวจ",
    "patrol-round-close": "ปิดรอบตรวจ: บันทึกจุดที่ไม่ได้ตรวจและแจ้งหน่วย",
    "camera-day-end": "ก่อนสิ้นวัน: กล้อง CCTV ที่ยังไม่ได้ตรวจประจำวัน",
    "workgroup-meetings": "ครึ่งหลังของปีงบประมาณ: เตือนฝ่ายเลขานุการเมื่อประชุมคณะทำงานยังไม่ครบตามเกณฑ์",
    "workgroup-actions": "เตือนงานที่ได้รับมอบหมายจากการประชุมซึ่งใกล้ครบกำหนด",
    "workgroup-forwards": "เตือนหน่วยงานที่ยังไม่กดรับทราบเรื่องที่ส่งต่อ (ครั้งเดียว)",
    "retention-purge": "ลบข้อมูลส่วนบุคคลที่เกินระยะเวลาเก็บรักษาตาม PDPA (ข้อมูลดิบของเหตุการณ์ ข้อมูลที่ถูกปฏิเสธ เนื้อหาข้อความที่ส่งแล้ว)",
    "media-retry": "ดาวน์โหลดรูปและไฟล์ที่ค้างหรือไม่สำเร็จอีกครั้ง",
    "quota-watch": "ตรวจโควตาข้อความ LINE และเตือนผู้ดูแลเมื่อใช้ถึง 80% และ 100%",
    "quota-warning": "คำเตือนโควตาข้อความ LINE",
    "evidence-packs": "จัดทำชุดหลักฐานตัวชี้วัดที่สั่งจากหน้าผู้ดูแล (ตรวจคิวทุก 5 วินาที)",
}

# Short names of the clock's jobs for lists of runs (the admin's scheduler page); JOB_TITLES says what each does.
JOB_NAMES = {
    "monthly-open": "เปิดรายงานประจำเดือน",
    "monthly-reminder": "เตือนส่งรายงานประจำเดือน",
    "monthly-compile": "รวบรวมรายงานประจำเดือน",
    "monthly-overdue": "แจ้งหน่วยที่ส่งรายงานไม่ทัน",
    "quarterly-summary": "สรุปตัวชี้วัดรายไตรมาส",
    "patrol-round-warning": "เตือนก่อนปิดรอบตรวจ",
    "patrol-round-close": "ปิดรอบตรวจ",
    "camera-day-end": "เตือนตรวจกล้องก่อนสิ้นวัน",
    "workgroup-meetings": "เตือนจำนวนการประชุมคณะทำงาน",
    "workgroup-actions": "เตือนงานที่ได้รับมอบหมาย",
    "workgroup-forwards": "เตือนหน่วยงานรับทราบเรื่องที่ส่งต่อ",
    "retention-purge": "ลบข้อมูลที่เกินระยะเวลาเก็บรักษา",
    "media-retry": "ดาวน์โหลดรูปและไฟล์ที่ค้าง",
    "quota-watch": "ตรวจโควตาข้อความ LINE",
    "quota-warning": "เตือนโควตาข้อความ LINE",
    "evidence-packs": "จัดทำชุดหลักฐานตัวชี้วัด",
}
OTHER_JOB = "งานอื่นของระบบ"

KIND_NEEDS = {
    "patrol": (
        "• การตรวจตราจุดเสี่ยง 2 ครั้ง/วัน/จุด และเหตุผลของรอบที่ไม่ได้ตรวจ\n"
        "• ผลตรวจกล้อง CCTV 1 ครั้ง/วัน/จุด (กล้องชำรุดและหนังสือประสาน)\n"
        "• สภาพที่เสี่ยงต่อการเกิดเหตุที่พบระหว่างตรวจ"
    ),
    "department": ("• งานแก้ไขสภาพแวดล้อมที่ได้รับและทำเสร็จ (ตัดต้นไม้ ติดตั้ง/ซ่อมไฟฟ้า ซ่อมกล้อง CCTV)\n• งานที่ยังค้าง พร้อมเหตุผล"),
}

MONTH_OPEN = (
    "📋 รายงานผลการดำเนินงานจุดเสี่ยงภัย ประจำเดือน{month}\n"
    "ถึง {unit}\n\n"
    "สิ่งที่ต้องรายงาน:\n{needs}\n\n"
    "ร่างรายงาน (ตัวเลขที่ระบบรวบรวมไว้ถึงสิ้นเดือน):\n{draft}\n\n"
    "ตรวจสอบแล้วกดปุ่ม “ส่งรายงาน” ในกลุ่มนี้ ภายใน{deadline} เวลา {time} น."
)
NO_DRAFT = "• ยังไม่มีข้อมูลในระบบ"

REMINDER = (
    "⏰ เตือนส่งรายงานประจำเดือน{month}\n"
    "{unit} ยังไม่ได้ส่งรายงาน กำหนดส่งภายใน{deadline} เวลา {time} น.\n"
    "กดปุ่ม “ส่งรายงาน” ด้านล่างเพื่อส่งได้เลยครับ"
)
REMINDER_LAST_DAY = (
    "⏰ วันนี้ ({deadline}) เป็นวันสุดท้ายของการส่งรายงานประจำเดือน{month}\n"
    "{unit} ยังไม่ได้ส่งรายงาน กรุณากดปุ่ม “ส่งรายงาน” ก่อนเวลา {time} น. ครับ"
)
SUBMIT_REPORT = "ส่งรายงาน"

OVERDUE = "📌 รายงานประจำเดือน{month} (กำหนดส่ง{deadline} เวลา {time} น.)\nยังไม่ส่ง {count} หน่วย:\n{units}"
OVERDUE_LATE = "\n\nส่งหลังกำหนด {count} หน่วย:\n{units}"
OVERDUE_FOOTER = "\n\nดูรายละเอียด: {link}"

MONTH_CARD_TITLE = "รายงานจุดเสี่ยงภัย"
MONTH_CARD_SUBTITLE = "ประจำเดือน{month} · ฉบับที่ {version}"
MONTH_CARD_ALT = "รายงานจุดเสี่ยงภัย ประจำเดือน{month} ฉบับที่ {version}: {summary}"
LATE_NOTE = "ส่งล่าช้ากว่ากำหนด ({due}) เนื่องจากระบบตั้งเวลาหยุดทำงาน"
OPEN_DOCUMENT = "เปิดรายงานฉบับเต็ม"
ROW_PATROLS = "ตรวจตราจุดเสี่ยง"
ROW_CAMERAS = "ตรวจกล้อง CCTV"
ROW_DEFECTS = "แก้ไขจุดบกพร่อง"
ROW_ORDERS = "ใบสั่งงานแก้ไข"
ROW_LETTERS = "หนังสือประสานหน่วยงาน"
ROW_CRIME = "คดีอาชญากรรมใกล้จุด"
ROW_REPORTS = "หน่วยส่งรายงานทันกำหนด"
ROW_OVERALL = "ผลรวมตัวชี้วัด (เป้าหมาย 100)"
FRACTION = "{percent} ({done:,}/{required:,})"
ORDERS_VALUE = "{total:,} งาน เสร็จ {done:,}"
CASES_VALUE = "{cases:,} คดี"
LETTERS_VALUE = "{count:,} ฉบับ"
NO_FIGURE = "–"

QUARTER_CARD_TITLE = "สรุปผลตัวชี้วัดรายไตรมาส"
YEAR_CARD_TITLE = "สรุปผลการดำเนินงาน (ปลายปีงบประมาณ)"
NETWORK_HEADING = "เครือข่ายข่าวความมั่นคง: ระดับ {level} (เป้าหมาย {target})"
RISK_HEADING = "จุดเสี่ยงภัย: ร้อยละ {percent} (เป้าหมาย 100)"
RISK_MISSING = "จุดเสี่ยงภัย: ยังไม่มีข้อมูล"
LEVEL_LINE = "{mark} ระดับ {level} {title}"
QUARTER_ALT = "{title} {period}: เครือข่ายข่าว ระดับ {level} (เป้าหมาย {target}) · {risk}"
RISK_ALT = "จุดเสี่ยงภัย ร้อยละ {percent}"
RISK_ALT_MISSING = "จุดเสี่ยงภัย ยังไม่มีข้อมูล"
SUPERVISOR_SHORT = (
    "📊 {title} {period}\n• เครือข่ายข่าวความมั่นคง ระดับ {level} (เป้าหมาย {target}) {met}\n• {risk}\nรายละเอียด: {link}"
)
TARGET_MET = "✅ ถึงเป้าหมาย"
TARGET_NOT_MET = "ยังไม่ถึงเป้าหมาย"

ROUND_WARNING = (
    "⏳ อีก {minutes} นาทีจะปิด{round} ({day})\nจุดที่ยังไม่ได้ตรวจ {count} จุด:\n{points}\n"
    "เมื่อถึงจุด กดปุ่ม “เช็คอิน” ในเมนูแชตส่วนตัวกับบอท"
)
CAMERAS_MISSING = (
    "📷 กล้อง CCTV ที่ยังไม่ได้ตรวจวันนี้ ({day}) {count} ตัว:\n{cameras}\nเมื่อถึงจุด กดปุ่ม “ตรวจกล้อง” ในเมนูแชตส่วนตัวกับบอท"
)

QUOTA_WARNING = (
    "⚠️ โควตาข้อความ LINE เดือน{month} ใช้ไปแล้ว {used:,} จาก {limit:,} ข้อความ ({percent}%)\n"
    "เมื่อครบ 100% ข้อความที่ไม่เร่งด่วน (การเตือนและสรุปตามกำหนดเวลา) จะเลื่อนไปส่งต้นเดือนถัดไป"
)
QUOTA_EXHAUSTED = (
    "⛔ โควตาข้อความ LINE เดือน{month} หมดแล้ว ({used:,} จาก {limit:,} ข้อความ)\n"
    "ข้อความที่ไม่เร่งด่วน {waiting:,} รายการจะส่งเมื่อเริ่มเดือนถัดไป การตอบกลับผู้ใช้ยังทำงานตามปกติ"
)

# --list and --run
LIST_HEADER = "งานตามกำหนดเวลาของ FieldLine (เวลากรุงเทพฯ ปี พ.ศ.)"
LIST_NEXT = "    ครั้งถัดไป: {when}  [{period}]"
LIST_NONE = "    ยังไม่มีกำหนด (ไม่มีรอบตรวจแบบช่วงเวลา หรือเป็นงานที่เรียกจากงานอื่น)"
RUN_DONE = "ทำงาน {key} แล้ว: ส่งถึง {sent} ผู้รับ"
RUN_SKIPPED = "ไม่ได้ทำงาน {key}: {why}"
WHY_CLAIMED = "เคยทำไปแล้ว หรือกำลังทำอยู่ที่อื่น (ทำครั้งเดียวเท่านั้น)"
WHY_FAILED = "ล้มเหลว จะทำต่อจากที่ค้างในรอบถัดไป"

# The admin web's frozen-report page: labels of the evidence and KPI figures (other keys show as they are).
FIGURE_LABELS = {
    "registered_members_by_occupation": "สมาชิกที่ลงทะเบียนแยกตามกลุ่มอาชีพ",
    "network_groups": "กลุ่ม LINE เครือข่าย (ชื่อ · กลุ่มอาชีพ · สมาชิก)",
    "occupations_covered": "กลุ่มอาชีพที่ครอบคลุม",
    "people_in_groups": "จำนวนคนในกลุ่มเครือข่าย",
    "minimum_occupations": "เกณฑ์จำนวนกลุ่มอาชีพขั้นต่ำ",
    "reports_by_channel": "ข่าวแยกตามช่องทาง",
    "reports_by_hour": "ข่าวแยกตามชั่วโมงที่แจ้ง",
    "reports_total": "ข่าวทั้งหมด",
    "channels_always_open": "ช่องทางที่เปิดรับตลอด 24 ชั่วโมง",
    "patrols_done": "ตรวจตราแล้ว (ครั้ง)",
    "patrols_required": "ตรวจตราที่ต้องทำ (ครั้ง)",
    "patrol_percent": "ร้อยละการตรวจตรา",
    "cameras_done": "ตรวจกล้องแล้ว (ครั้ง)",
    "cameras_required": "ตรวจกล้องที่ต้องทำ (ครั้ง)",
    "camera_percent": "ร้อยละการตรวจกล้อง",
    "defects_opened": "สภาพเสี่ยงที่พบ",
    "defects_fixed": "สภาพเสี่ยงที่แก้ไขแล้ว",
    "defect_percent": "ร้อยละการแก้ไข",
    "fixed_in_span": "แก้ไขเสร็จในช่วงนี้",
    "open_at_end": "ยังค้างเมื่อสิ้นช่วง",
    "avg_days_to_fix": "ระยะเวลาแก้ไขเฉลี่ย (วัน)",
    "max_days_to_fix": "ระยะเวลาแก้ไขนานที่สุด (วัน)",
    "reports_expected": "รายงานประจำเดือนที่ต้องส่ง",
    "reports_on_time": "ส่งทันกำหนด",
    "reports_late": "ส่งหลังกำหนด",
    "report_percent": "ร้อยละการส่งรายงานทันกำหนด",
    "overall_percent": "ผลรวมตัวชี้วัด (ร้อยละ)",
}
