"""`flask --app bot evidence ...`: evidence recorded later (groups, reports, forwards from before FieldLine)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from line.workgroup_cards import forward_summary
from services.earlier_evidence import recorder
from services.earlier_evidence_import import FORWARD, GROUP, REPORT, import_evidence, template_workbook
from texts import earlier_evidence as t

evidence_cli = AppGroup("evidence", help="Evidence recorded later with its real date (the XLSX import).")


@evidence_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and print the result; save nothing.")
@click.option("--by", "by", default="cli", show_default=True, help="Who is recording (the audit log's actor).")
def import_command(path: str, dry_run: bool, by: str) -> None:
    """Import groups, reports and forwards from a workbook: all rows, or none when one has an error."""
    with open(path, "rb") as handle:
        data = handle.read()
    with current_app.extensions["fieldline"].sessions.begin() as session:
        outcome = import_evidence(session, data, recorder(by, via="cli"), forward_summary, save=not dry_run)
    for problem in outcome.file_errors:
        click.echo(problem, err=True)
    for row in outcome.rows:
        status = {"new": t.STATUS_NEW, "existing": t.STATUS_EXISTING}.get(row.status, t.STATUS_ERROR)
        line = f"{row.sheet} แถว {row.row}: {row.label} · {status}"
        click.echo(f"{line}: {row.message}" if row.message else line, err=row.status == "error")
    if outcome.file_errors or outcome.errors:
        raise click.ClickException(t.IMPORT_REFUSED.format(count=len(outcome.errors) or len(outcome.file_errors)))
    counts = {kind: outcome.count(kind) for kind in (GROUP, REPORT, FORWARD)}
    done = t.IMPORT_DONE.format(
        groups=counts[GROUP], reports=counts[REPORT], forwards=counts[FORWARD], skipped=outcome.skipped
    )
    click.echo(f"ตรวจแล้ว ยังไม่ได้บันทึก (--dry-run) · {done.removeprefix('นำเข้าแล้ว: ')}" if dry_run else done)


@evidence_cli.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def template_command(path: str) -> None:
    """Write the workbook to fill in (one sheet each for groups, reports and forwards, Thai headers)."""
    with current_app.extensions["fieldline"].sessions() as session:
        data = template_workbook(session)
    with open(path, "wb") as handle:
        handle.write(data)
    click.echo(path)
