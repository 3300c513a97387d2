"""`flask --app bot workgroup ...`: the working group's KPI, reminders, agencies and LINE links."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from bot.admin.staff_accounts import find_staff
from models.periods import Period
from models.timeutil import utcnow
from reports.network_kpi import evidence_checklist, kpi_by_quarter, network_kpi
from runtime.delivery import notifier
from services.audit import record
from services.workgroup.acknowledgements import remind_unacknowledged, unacknowledged
from services.workgroup.agencies import ensure_default_agencies
from services.workgroup.staff import create_link_code

workgroup_cli = AppGroup("workgroup", help="The working group: committees, meetings, forwards and the network KPI.")

CLI_ACTOR = "cli"


@workgroup_cli.command("kpi")
@click.argument("fiscal_year", type=int)
def kpi(fiscal_year: int) -> None:
    """Print the network KPI (levels 1-5) of a fiscal year, by quarter's end, and the evidence list."""
    with current_app.extensions["fieldline"].sessions() as session:
        result = network_kpi(session, Period.of_fiscal_year(fiscal_year))
        quarters = kpi_by_quarter(session, fiscal_year)
        checklist = evidence_checklist(result)
    met = "บรรลุเป้าหมาย" if result.target_met else "ยังไม่บรรลุเป้าหมาย"
    click.echo(f"{result.period.label()}: ระดับ {result.level} (เป้าหมาย {result.target}, {met})")
    for level in result.levels:
        click.echo(f"  {'✓' if level.achieved else '✗'} ระดับ {level.level} {level.title}: {level.reason}")
    click.echo("ณ สิ้นไตรมาส: " + ", ".join(f"ไตรมาส {q.period.quarter} ระดับ {q.level}" for q in quarters))
    click.echo("หลักฐานอ้างอิง:")
    for item in checklist:
        click.echo(f"  {'✓' if item.present else '✗'} {item.label} ({item.detail})")


@workgroup_cli.command("remind")
@click.option("--days", type=float, default=None, help="Days after sending (default: the setting, 3).")
def remind(days: float | None) -> None:
    """Remind, once, the agency groups that have not acknowledged a forward (one push per group)."""
    with current_app.extensions["fieldline"].sessions.begin() as session:
        pushes = remind_unacknowledged(
            session, utcnow(), notifier(session, "forward-reminder", urgent=False), after_days=days
        )
        pending = len(unacknowledged(session))
    click.echo(f"ส่งข้อความเตือน {pushes} กลุ่ม; ยังไม่ตอบรับทั้งหมด {pending} หน่วยงาน")


@workgroup_cli.command("agencies")
@click.option("--no-districts", is_flag=True, help="Leave out the 50 district offices.")
def agencies(no_districts: bool) -> None:
    """Add the default agencies (and the 50 district offices) that are missing."""
    with current_app.extensions["fieldline"].sessions.begin() as session:
        added = ensure_default_agencies(session, with_districts=not no_districts)
        record(session, CLI_ACTOR, "workgroup.agency_defaults", object_type="agency", detail={"count": len(added)})
        count = len(added)
    click.echo(f"เพิ่มหน่วยงาน {count} หน่วยงาน")


@workgroup_cli.command("link-code")
@click.argument("username")
def link_code(username: str) -> None:
    """Issue a one-time code for a staff account to type to the bot: 'เชื่อมบัญชี CODE' (30 minutes)."""
    with current_app.extensions["fieldline"].sessions.begin() as session:
        user = find_staff(session, username)
        if user is None or not user.is_active:
            raise click.ClickException(f"ไม่พบบัญชีที่ใช้งานอยู่ชื่อ {username}")
        code = create_link_code(session, user.id, utcnow())
        record(session, CLI_ACTOR, "workgroup.link_code", object_type="staff_user", object_id=user.id)
        typed = f"เชื่อมบัญชี {code.code}"
    click.echo(typed)
