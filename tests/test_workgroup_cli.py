"""`flask --app bot workgroup ...`: the KPI in Thai, reminders, agencies and LINE link codes."""

from __future__ import annotations

from bot.seed_fy2564 import load_fy2564
from models import Role
from tests import workgroup_factories as make
from tests.test_admin_support import make_staff


def test_kpi_prints_the_ladder_quarters_and_checklist(app, services):
    with services.sessions.begin() as session:
        load_fy2564(session)
    result = app.test_cli_runner().invoke(args=["workgroup", "kpi", "2564"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "ปีงบประมาณ 2564 (1 ต.ค. 2563 – 30 ก.ย. 2564): ระดับ 5 (เป้าหมาย 4, บรรลุเป้าหมาย)"
    assert "ไตรมาส 1 ระดับ 0, ไตรมาส 2 ระดับ 3, ไตรมาส 3 ระดับ 3, ไตรมาส 4 ระดับ 5" in result.output
    assert "✓ คำสั่งแต่งตั้งคณะทำงาน" in result.output


def test_agencies_remind_and_link_code(app, services):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["workgroup", "agencies", "--no-districts"])
    assert added.output.strip() == "เพิ่มหน่วยงาน 13 หน่วยงาน"
    assert runner.invoke(args=["workgroup", "agencies"]).output.strip() == "เพิ่มหน่วยงาน 50 หน่วยงาน"
    with services.sessions.begin() as session:
        make.forward_one_report(session, "nia", make.bkk(2021, 5, 1), make.bkk(2021, 5, 2))
    first = runner.invoke(args=["workgroup", "remind"])
    assert first.output.strip() == "ส่งข้อความเตือน 1 กลุ่ม; ยังไม่ตอบรับทั้งหมด 1 หน่วยงาน"
    assert runner.invoke(args=["workgroup", "remind"]).output.startswith("ส่งข้อความเตือน 0 กลุ่ม")
    make_staff(services, "lek", Role.SECRETARIAT)
    code = runner.invoke(args=["workgroup", "link-code", "lek"])
    assert code.exit_code == 0 and code.output.startswith("เชื่อมบัญชี ") and len(code.output.split()[1]) == 6
    missing = runner.invoke(args=["workgroup", "link-code", "nobody"])
    assert missing.exit_code != 0 and "ไม่พบบัญชี" in missing.output
