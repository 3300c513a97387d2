"""`flask --app bot network ...`: the network's group codes, roll and KPI from the command line."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from models.periods import Period
from reports.network_kpi import network_kpi
from services.audit import record
from services.network.groups import PURPOSES, create_group_code

network_cli = AppGroup("network", help="The intelligence network.")


@network_cli.command("group-code")
@click.argument("name")
@click.option("--purpose", type=click.Choice(PURPOSES), default="network", show_default=True)
@click.option("--occupation", default=None, help="The group's main occupational group code (e.g. civil_defence).")
@click.option("--days", default=7, show_default=True, help="Days the code stays valid.")
def group_code(name: str, purpose: str, occupation: str | None, days: int) -> None:
    """Create a one-time code to register a LINE group: type 'ลงทะเบียนกลุ่ม CODE' in the group."""
    with current_app.extensions["fieldline"].sessions.begin() as session:
        code = create_group_code(session, name=name, purpose=purpose, occupation=occupation, by="cli", days=days)
        click.echo(f"ลงทะเบียนกลุ่ม {code.code}")


@network_cli.command("roll")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--identities", is_flag=True, help="Include names and phone numbers (audited).")
def roll(path: str, identities: bool) -> None:
    """Export the network roll (บัญชีรายชื่อเครือข่ายข่าว) to an XLSX file."""
    from reports.roll import roll_workbook  # openpyxl loads only for this command

    with current_app.extensions["fieldline"].sessions.begin() as session:
        data = roll_workbook(session, with_identities=identities)
        record(session, actor="cli", action="export.roll", detail={"identities": identities})
    with open(path, "wb") as handle:
        handle.write(data)
    click.echo(path)


@network_cli.command("kpi")
@click.argument("fiscal_year", type=int)
@click.option("--quarter", type=click.IntRange(1, 4), default=None)
def kpi(fiscal_year: int, quarter: int | None) -> None:
    """Print the network KPI level and its evidence for a fiscal year (BE), or one of its quarters."""
    with current_app.extensions["fieldline"].sessions() as session:
        result = network_kpi(session, Period.of_quarter(fiscal_year, quarter))
    click.echo(f"{result.period.label()}: ระดับ {result.level}")
    for level in result.levels:
        mark = "✓" if level.achieved else "✗"
        click.echo(f"  {mark} ระดับ {level.level} {level.title}: {level.reason}")
        click.echo("    " + json.dumps(level.evidence, ensure_ascii=False))
