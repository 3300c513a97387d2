"""What the bot says about the working group: meetings, forwards to agencies, acknowledgements, reminders."""

# Commands
MEETING_WORDS = ("ประชุม", "การประชุม")
LINK_WORDS = ("เชื่อมบัญชี",)
UNLINK_WORDS = ("ยกเลิกเชื่อมบัญชี",)
MEASURE_WORDS = ("รายงานผล",)

# Linking a staff account to LINE
LINK_OK = "เชื่อมบัญชี LINE นี้กับบัญชีเจ้าหน้าที่ “{name}” เรียบร้อยแล้วครับ\nกดปุ่ม “ประชุม” เพื่อดูการประชุมครั้งถัดไปและข่าวที่รอเสนอที่ประชุม"
LINK_BAD_CODE = "รหัสเชื่อมบัญชีไม่ถูกต้องหรือหมดอายุแล้วครับ กรุณาขอรหัสใหม่จากหน้าเว็บผู้ดูแล เมนู “คณะทำงาน”"
LINK_USAGE = "พิมพ์ “เชื่อมบัญชี” ตามด้วยรหัสที่ได้จากหน้าเว็บผู้ดูแล เช่น เชื่อมบัญชี K7Q2MX"
LINK_TAKEN = "บัญชี LINE นี้เชื่อมกับบัญชีเจ้าหน้าที่อื่นอยู่แล้วครับ หากต้องการเปลี่ยน กดปุ่ม “ยกเลิกเชื่อมบัญชี” ก่อน"
UNLINKED = "ยกเลิกการเชื่อมบัญชี LINE นี้กับบัญชีเจ้าหน้าที่แล้วครับ"
NOT_LINKED = "บัญชี LINE นี้ยังไม่ได้เชื่อมกับบัญชีเจ้าหน้าที่ครับ"

# "ประชุม" for the secretariat
SECRETARIAT_ONLY = (
    "คำสั่ง “ประชุม” ใช้ได้เฉพาะฝ่ายเลขานุการที่เชื่อมบัญชี LINE กับบัญชีเจ้าหน้าที่แล้วครับ\n"
    "ขอรหัสได้ที่หน้าเว็บผู้ดูแล เมนู “คณะทำงาน” แล้วพิมพ์ “เชื่อมบัญชี รหัส” ในแชตนี้"
)
NEXT_MEETING = "การประชุมครั้งถัดไป\n{title}\n{kind} · {committee}\nวันที่ {when}\nสถานที่: {place}"
NEXT_MEETING_AGENDA = "วาระ: {agenda}"
NEXT_MEETING_REPORTS = "ข่าวที่บรรจุเข้าวาระแล้ว {count} เรื่อง"
NO_NEXT_MEETING = "ยังไม่มีการประชุมที่นัดไว้ครับ"
MEETINGS_SO_FAR = "ปีงบประมาณ {fiscal_year}: ประชุมที่พิจารณาข่าวสารจากเครือข่ายแล้ว {held} จากเกณฑ์อย่างน้อย {required} ครั้ง"
WAITING_HEADER = "ข่าวที่รอเสนอที่ประชุม {count} เรื่อง"
WAITING_LINE = "• {ref} ({date}) {category} เขต{district}"
WAITING_LINE_NO_DISTRICT = "• {ref} ({date}) {category}"
WAITING_MORE = "…และอีก {more} เรื่อง ดูทั้งหมดได้ในหน้าเว็บ"
NO_WAITING = "ไม่มีข่าวค้างรอเสนอที่ประชุมครับ"
UNACKNOWLEDGED = "เรื่องที่ส่งต่อแล้วหน่วยงานยังไม่ตอบรับ {count} หน่วยงาน"
PLACE_UNKNOWN = "ยังไม่ระบุ"
UNCATEGORISED = "ยังไม่จัดหมวด"

# Forwards to agencies
FORWARD_HEADER = "เรื่อง {subject}\nเลขที่ {ref} วันที่ {date}\nจาก {office} (ฝ่ายเลขานุการคณะทำงาน)"
FORWARD_REPORTS_INTRO = "ข่าวสารจากเครือข่ายข่าวความมั่นคง {count} เรื่อง"
FORWARD_REPORT_LINE = "{number}) {ref} · {date} · {category}{district}"
FORWARD_REPORT_GIST = "   {gist}"
FORWARD_REPORTS_MORE = "…และอีก {more} เรื่อง (รายละเอียดตามหนังสือที่ส่งถึงหน่วยงาน)"
FORWARD_MEETING_INTRO = "ผลการประชุม{kind} “{title}” เมื่อ {date}"
FORWARD_DECISIONS = "มติที่ประชุม"
FORWARD_ACTIONS = "งานที่มอบหมาย"
FORWARD_ACTION_LINE = "- {text} (ผู้รับผิดชอบ: {agency}{due})"
FORWARD_DUE = " ภายใน {date}"
FORWARD_TARGETS = "พื้นที่เป้าหมาย: {districts}"
FORWARD_NOTE = "หมายเหตุ: {note}"
FORWARD_REQUEST = (
    "จึงเรียนมาเพื่อโปรดทราบ และพิจารณาวางมาตรการ กำหนดนโยบาย หรือดำเนินการในส่วนที่เกี่ยวข้องตามอำนาจหน้าที่ "
    "แล้วแจ้งผลกลับฝ่ายเลขานุการ (พิมพ์ “รายงานผล {ref} ตามด้วยรายละเอียด” ในกลุ่มนี้)"
)
ACK_PROMPT = "กรุณากดปุ่มด้านล่างเพื่อยืนยันว่าหน่วยงานได้รับเรื่อง {ref} แล้ว"
ACK_ALT = "เรื่อง {ref}: กรุณากด “รับทราบ” เพื่อยืนยันว่าได้รับเรื่องแล้ว"
ACK_LABEL = "รับทราบ"
ACK_LABEL_FOR = "รับทราบ: {agency}"
ACK_DISPLAY = "รับทราบเรื่อง {ref}"
ACK_DONE = (
    "ขอบคุณครับ บันทึกแล้วว่า{agency}รับทราบเรื่อง {ref} เมื่อ {when}\n"
    "เมื่อมีมาตรการหรือผลการดำเนินการ แจ้งกลับได้โดยพิมพ์ “รายงานผล {ref} ตามด้วยรายละเอียด”"
)
ACK_ALREADY = "{agency}รับทราบเรื่อง {ref} ไว้แล้วเมื่อ {when} ครับ"
ACK_WRONG_CHAT = "ปุ่มนี้ใช้ได้เฉพาะในกลุ่มของหน่วยงานที่ได้รับเรื่องครับ"
ACK_UNKNOWN = "ไม่พบเรื่องที่ต้องการตอบรับครับ อาจถูกยกเลิกไปแล้ว กรุณาติดต่อฝ่ายเลขานุการ"
REMINDER = (
    "เรียน {agency}\nขอติดตามเรื่อง {ref} “{subject}” ที่ส่งถึงหน่วยงานเมื่อ {date} ซึ่งยังไม่ได้รับการตอบรับ\n"
    "กรุณากดปุ่ม “รับทราบ” ด้านล่าง ขอบคุณครับ"
)

# Measures reported back from an agency group
MEASURE_RECORDED = "บันทึกผลการดำเนินการของ{agency}ต่อเรื่อง {ref} แล้วครับ ขอบคุณครับ"
MEASURE_USAGE = "พิมพ์ “รายงานผล เลขที่เรื่อง รายละเอียด” เช่น\nรายงานผล FW-2564-0001 เขตจัดทำแผนตำบลมั่นคง มั่งคั่ง ยั่งยืนแล้ว"
MEASURE_NOT_FOUND = "ไม่พบเรื่อง {ref} ที่ส่งถึงหน่วยงานในกลุ่มนี้ครับ ตรวจสอบเลขที่เรื่องอีกครั้ง"

# For the scheduler: warnings and reminders to the secretariat
MEETINGS_BEHIND = (
    "แจ้งเตือนตัวชี้วัดเครือข่ายข่าว ระดับ 4\n"
    "ปีงบประมาณ {fiscal_year} ผ่านครึ่งปีแล้ว แต่มีการประชุมคณะทำงานที่พิจารณาข่าวสารจากเครือข่ายเพียง {held} ครั้ง "
    "จากเกณฑ์อย่างน้อย {required} ครั้ง เหลือเวลาอีก {days_left} วัน (ถึง {year_end})"
)
MEETINGS_PLANNED = "นัดประชุมไว้แล้ว {count} ครั้ง ครั้งถัดไป {when}"
MEETINGS_NONE_PLANNED = "ยังไม่มีการนัดประชุม กรุณานัดประชุมคณะทำงานและบันทึกในระบบ"
ACTIONS_DUE_HEADER = "งานตามมติที่ประชุมที่ใกล้ครบกำหนด {count} รายการ"
ACTION_DUE_LINE = "• {text} ({agency}) ครบกำหนด {due}{when}"
DUE_TODAY = " วันนี้"
DUE_IN_DAYS = " อีก {days} วัน"
NO_AGENCY = "ยังไม่ระบุหน่วยงาน"

MEETING_NEXT_BUTTONS = ("สรุปของฉัน", "แจ้งข่าว")  # after the meeting summary: what the secretariat may do next

# KPI guards (issue 14): a meeting not yet held, an order without members
MEETING_NOT_YET_HELD = (
    "การประชุมนี้นัดไว้วันที่ {when} ซึ่งยังมาไม่ถึง จึงบันทึกเป็น “นัดไว้” ก่อน เมื่อประชุมแล้วให้เปลี่ยนสถานะเป็น “ประชุมแล้ว” ในวันประชุมหรือหลังจากนั้น"
)
VERDICT_NOT_YET_HELD = "ยังไม่ถึงวันประชุม"
COMMITTEE_DRAFT = "ร่าง (ยังไม่มีกรรมการ)"
COMMITTEE_DRAFT_SAVED = "บันทึกคำสั่งเป็นร่าง (ยังไม่มีกรรมการ) แล้ว เพิ่มกรรมการได้ด้านล่าง คำสั่งจะนับเป็นตัวชี้วัดระดับ 3 เมื่อมีกรรมการครบ"
LEVEL_3_ONLY_DRAFTS = "มีคำสั่งแต่งตั้งคณะทำงานที่ยังเป็นร่าง (ยังไม่มีกรรมการ) จึงยังไม่นับเป็นระดับ 3"
