"""`flask --app bot riskpoints ...`: the risk-point programme from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from models import CoordinationLetter, RiskPoint
from models.office import office_profile
from models.periods import Period
from models.point_days import rebuild_point_days
from models.timeutil import utcnow
from reports import riskpoint_compliance as rc
from reports.documents import coordination_letter, posters
from reports.documents.pdf import PdfUnavailable
from reports.riskpoint_month import compile_month
from runtime.delivery import notifier
from services.riskpoints import importing, patrols, units

riskpoints_cli = AppGroup("riskpoints", help="Crime risk points: registry, posters, rounds, letters, KPI.")


def _sessions():
    return current_app.extensions["fieldline"].sessions


@riskpoints_cli.command("units-init")
def units_init() -> None:
    """Create the default departments and secretariat (cleaning, public works, municipal, secretariat)."""
    with _sessions().begin() as session:
        created = units.ensure_default_units(session)
        click.echo(f"เพิ่มหน่วยตั้งต้น {len(created)} หน่วย: {', '.join(u.code for u in created) or '-'}")


@riskpoints_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_points(path: str) -> None:
    """Import points from a CSV or XLSX file (all rows or none; errors listed by row)."""
    with _sessions().begin() as session:
        result = importing.import_points(session, Path(path).read_bytes(), path)
        if not result.ok:
            for error in result.errors:
                click.echo(f"แถวที่ {error.row} [{error.column}]: {error.message}", err=True)
            session.rollback()
            raise click.ClickException(f"ไม่ได้นำเข้า: พบข้อผิดพลาด {len(result.errors)} รายการ")
    click.echo(f"นำเข้าแล้ว: เพิ่ม {len(result.created)} จุด แก้ไข {len(result.updated)} จุด")


@riskpoints_cli.command("posters")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--district", help="Every active point of a district, as QR sheets.")
@click.option("--code", "codes", multiple=True, help="One A4 poster per point code (repeatable).")
def make_posters(out: str, district: str | None, codes: tuple[str, ...]) -> None:
    """Write printable PDF posters (LINE_BOT_BASIC_ID must be set)."""
    basic_id = current_app.config.get("LINE_BOT_BASIC_ID")
    with _sessions()() as session:
        office = office_profile(session).name
        try:
            if district:
                points = session.scalars(
                    select(RiskPoint)
                    .where(RiskPoint.district == district, RiskPoint.retired_on.is_(None))
                    .order_by(RiskPoint.code)
                ).all()
                data = posters.sheet_pdf(list(points), basic_id=basic_id, office=office, district=district)
            else:
                points = session.scalars(select(RiskPoint).where(RiskPoint.code.in_([c.upper() for c in codes]))).all()
                data = posters.poster_pdf(list(points), basic_id=basic_id, office=office)
        except posters.PosterError as exc:
            raise click.ClickException(str(exc)) from exc
    Path(out).write_bytes(data)
    click.echo(out)


@riskpoints_cli.command("close-round")
@click.option("--day", "day_text", required=True, help="The patrol day, YYYY-MM-DD (Bangkok).")
@click.option("--round", "round_no", required=True, type=int, help="The round number (1 = the first window).")
def close_round(day_text: str, round_no: int) -> None:
    """Record a finished round's misses and tell each patrol unit's group (once per round)."""
    with _sessions().begin() as session:
        misses = patrols.close_round(
            session, date.fromisoformat(day_text), round_no, utcnow(), notifier(session, "riskpoints:round")
        )
        click.echo(f"จุดที่ไม่ได้ตรวจ {len(misses)} จุด")
    current_app.extensions["fieldline"].worker.wake()


@riskpoints_cli.command("compliance")
@click.option("--month", help="e.g. 2569-11 (BE or CE year).")
@click.option("--quarter", help="Fiscal year and quarter, e.g. 2569-1.")
@click.option("--year", "fiscal", type=int, help="A fiscal year, e.g. 2569.")
@click.option("--district", help="One district instead of the whole office.")
def compliance(month: str | None, quarter: str | None, fiscal: int | None, district: str | None) -> None:
    """Print the KPI figures of a month, quarter or fiscal year as JSON."""
    if quarter:
        span = Period.of_quarter(*(int(x) for x in quarter.split("-")))
    elif fiscal:
        span = Period.of_fiscal_year(fiscal)
    elif month:
        span = Period.of_month(*(int(x) for x in month.split("-")))
    else:
        raise click.UsageError("give --month, --quarter or --year")
    with _sessions()() as session:
        figures = rc.compliance(session, span, district=district).as_dict()
    click.echo(
        json.dumps({"first_day": str(span.first), "last_day": str(span.last), **figures}, ensure_ascii=False, indent=2)
    )


@riskpoints_cli.command("rebuild-days")
@click.option("--quarter", help="Only a fiscal quarter, e.g. 2569-1 (default: every day).")
@click.option("--year", "fiscal", type=int, help="Only a fiscal year, e.g. 2569.")
def rebuild_days(quarter: str | None, fiscal: int | None) -> None:
    """Recompute the points' daily figures (rp_point_days) from the raw checks, after a bulk load or to verify."""
    span = None
    if quarter:
        span = Period.of_quarter(*(int(x) for x in quarter.split("-")))
    elif fiscal:
        span = Period.of_fiscal_year(fiscal)
    with _sessions().begin() as session:
        written = rebuild_point_days(session, span)
    click.echo(f"คำนวณสรุปรายวันของจุดเสี่ยงใหม่แล้ว {written:,} แถว")


@riskpoints_cli.command("month")
@click.argument("year", type=int)
@click.argument("month", type=int)
def month_report(year: int, month: int) -> None:
    """Print a month's compiled risk-point report (what the day-7 job sends) as JSON."""
    with _sessions()() as session:
        click.echo(json.dumps(compile_month(session, year, month), ensure_ascii=False, indent=2))


@riskpoints_cli.command("letter")
@click.argument("letter_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def letter(letter_id: int, out: str) -> None:
    """Write a coordination letter as DOCX, or as PDF when OUT ends in .pdf."""
    with _sessions()() as session:
        row = session.get(CoordinationLetter, letter_id)
        if row is None:
            raise click.ClickException(f"ไม่พบหนังสือ {letter_id}")
        render = coordination_letter.render_pdf if out.lower().endswith(".pdf") else coordination_letter.render_letter
        try:
            Path(out).write_bytes(render(session, row, current_app.config["MEDIA_DIR"]))
        except PdfUnavailable as error:
            raise click.ClickException(f"สร้าง PDF ไม่ได้ ({error})") from error
    click.echo(out)
