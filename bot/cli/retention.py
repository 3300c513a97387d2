"""`flask --app bot retention run [--dry-run]`: the PDPA retention purge by hand (the clock runs it daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from models.timeutil import utcnow
from services.media_store import MediaStore
from services.privacy import retention

CLI_ACTOR = "cli"
DONE = "ลบข้อมูลที่เกินระยะเวลาเก็บรักษาแล้ว (retention purge done):"
DRY_RUN = "ทดลองเท่านั้น ยังไม่ได้ลบข้อมูลใด ๆ จะลบ (dry run, nothing removed; would remove):"
INBOX_LINE = "• ข้อมูลดิบของเหตุการณ์ที่ประมวลผลเสร็จแล้ว (เกิน {days} วัน): {count:,} รายการ"
REJECTED_LINE = "• ข้อมูลที่ถูกปฏิเสธ (เกิน {days} วัน): {count:,} รายการ"
OUTBOX_LINE = "• เนื้อหาข้อความที่ส่งแล้วหรือส่งไม่สำเร็จ (เกิน {days} วัน): {count:,} รายการ"
MEDIA_LINE = "• รูปภาพและไฟล์ของข่าวที่ดำเนินการเสร็จแล้ว (เกิน {days} วัน): {count:,} รายการ"
REPORT_LINE = "• ข้อความและสถานที่ของข่าวที่ดำเนินการเสร็จแล้ว (เกิน {days} วัน): {count:,} เรื่อง"
DEPARTED_LINE = "• สมาชิกที่ออกจากเครือข่ายแล้ว ทำให้ไม่สามารถระบุตัวตนได้ (เกิน {days} วัน): {count:,} คน"

retention_cli = AppGroup(
    "retention",
    help="PDPA retention: raw payloads, rejected bodies, sent messages, report media and contents, members who left.",
)


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
def run(dry_run: bool) -> None:
    """Remove personal content past its retention period now (audited), or count it with --dry-run."""
    sessions = current_app.extensions["fieldline"].sessions
    store = MediaStore(current_app.config["MEDIA_DIR"])
    outcome = retention.purge(sessions, utcnow(), actor=CLI_ACTOR, dry_run=dry_run, store=store)
    rules, counts = outcome.rules, outcome.counts
    click.echo(DRY_RUN if dry_run else DONE)
    click.echo(INBOX_LINE.format(days=rules.inbox_payload_days, count=counts.inbox_payloads))
    click.echo(REJECTED_LINE.format(days=rules.rejected_body_days, count=counts.rejected_bodies))
    click.echo(OUTBOX_LINE.format(days=rules.outbox_message_days, count=counts.outbox_messages))
    click.echo(MEDIA_LINE.format(days=rules.effective_media_days, count=counts.media_files))
    click.echo(REPORT_LINE.format(days=rules.closed_report_days, count=counts.report_contents))
    click.echo(DEPARTED_LINE.format(days=rules.departed_member_days, count=counts.departed_members))
