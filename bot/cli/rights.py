"""`flask --app bot rights export|erase LINE_USER_ID`: a person's PDPA rights from the command line (audited)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from models.timeutil import utcnow
from services.audit import Action, record
from services.media_store import MediaStore
from services.privacy import retention
from services.privacy.erasure import erase as erase_person
from services.privacy.export import write_export
from services.privacy.person import PersonalDataError, find_member, member_or_error, pseudonym

CLI_ACTOR = "cli"
EXPORTED = "ส่งออกข้อมูลของ {code} แล้ว: {path} (ข่าว {reports} เรื่อง, รูปและไฟล์ {files} ไฟล์)"
MISSING_FILES = "หมายเหตุ: ไม่พบไฟล์ในโฟลเดอร์สื่อ {count} ไฟล์ (ระบุไว้ใน personal-data.json)"
CONFIRM = (
    "ลบข้อมูลส่วนบุคคลของ {code} (ชื่อ เบอร์โทร ชื่อใน LINE ข้อความ สถานที่ รูปและไฟล์ ข้อมูลดิบ "
    "และข้อความที่ส่งถึง) และแทนรหัสผู้ใช้ LINE ด้วยนามแฝง {alias} ทำย้อนกลับไม่ได้ ยืนยันหรือไม่"
)
ERASED = "ลบข้อมูลส่วนบุคคลของ {code} แล้ว ({summary}); จำนวนที่ใช้คำนวณตัวชี้วัดยังเท่าเดิม"

rights_cli = AppGroup("rights", help="A person's rights under the PDPA: export or erase one LINE user (audited).")


def _summary(counts: dict[str, int]) -> str:
    """Counts as 'key n, key n' (English keys, as in the audit log)."""
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "nothing held"


@rights_cli.command("export")
@click.argument("line_user_id")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export(line_user_id: str, out: Path) -> None:
    """Write a ZIP of everything held about one LINE user (JSON and their photos and files); audited."""
    fieldline = current_app.extensions["fieldline"]
    store = MediaStore(current_app.config["MEDIA_DIR"])
    now = utcnow()
    with fieldline.sessions.begin() as session:
        try:
            member = member_or_error(session, line_user_id)
        except PersonalDataError as problem:
            raise click.ClickException(str(problem)) from None
        with open(out, "wb") as target:
            summary = write_export(session, member, target, now, store)
        out.chmod(0o600)
        record(
            session,
            CLI_ACTOR,
            Action.VIEW_PERSONAL_DATA_EXPORT,
            object_type="member",
            object_id=member.id,
            detail={**summary.counts, "files": summary.files, "via": "cli"},
        )
        code = member.reporter_code
    click.echo(EXPORTED.format(code=code, path=out, reports=summary.counts["news_reports"], files=summary.files))
    if summary.missing_files:
        click.echo(MISSING_FILES.format(count=summary.missing_files))


@rights_cli.command("erase")
@click.argument("line_user_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(line_user_id: str, yes: bool) -> None:
    """Erase one LINE user's personal data, keeping every KPI count true; audited, cannot be undone."""
    fieldline = current_app.extensions["fieldline"]
    with fieldline.sessions() as session:
        member = find_member(session, line_user_id)
        if member is None:
            raise click.ClickException("ไม่พบผู้ใช้ LINE รายนี้ในระบบ")
        code, alias = member.reporter_code, pseudonym(member)
    if not yes:
        click.confirm(CONFIRM.format(code=code, alias=alias), abort=True)
    with fieldline.sessions.begin() as session:
        member = member_or_error(session, line_user_id)
        erasure = erase_person(session, member, utcnow())
        record(
            session,
            CLI_ACTOR,
            Action.PERSONAL_DATA_ERASE,
            object_type="member",
            object_id=member.id,
            detail={**erasure.counts, "via": "cli"},
        )
    retention.sweep_files(fieldline.sessions, MediaStore(current_app.config["MEDIA_DIR"]))
    click.echo(ERASED.format(code=code, summary=_summary(erasure.counts)))
