"""The `flask --app bot` commands that are not part of a feature's own module."""

from __future__ import annotations

import logging
import os
import signal

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from bot import demo, migrate
from bot.cli.admin import admin_cli
from bot.cli.evidence import evidence_cli
from bot.cli.network import network_cli
from bot.cli.retention import retention_cli
from bot.cli.rights import rights_cli
from bot.cli.riskpoints import riskpoints_cli
from bot.cli.workgroup import workgroup_cli
from bot.emulator.cli import emulator_cli
from models.timeutil import thai_datetime
from runtime.config import DEMO

log = logging.getLogger(__name__)

WORKER_NICENESS = 19  # the lowest priority: the worker gets the CPU the web processes leave

db_cli = AppGroup("db", help="Database schema.")
spool_cli = AppGroup("spool", help="The local spool of webhook bodies the database missed.")
worker_cli = AppGroup("worker", help="Event processing beside the web processes.")
richmenu_cli = AppGroup("richmenu", help="The one-to-one chat's rich menus, one per role.")
demo_cli = AppGroup("demo", help="Demo data (demo mode only).")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration (the Procfile's release step)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("ฐานข้อมูลเป็นปัจจุบันแล้ว (database schema is up to date)")


@spool_cli.command("replay")
def spool_replay() -> None:
    """Move spooled webhook bodies into the inbox now."""
    fieldline = current_app.extensions["fieldline"]
    count = fieldline.intake.replay_spool()
    click.echo(f"นำเข้าจาก spool แล้ว {count} รายการ; เหลือ {fieldline.intake.spool.count()} (replayed {count})")


@spool_cli.command("status")
def spool_status() -> None:
    """Print how many bodies wait in the spool."""
    click.echo(current_app.extensions["fieldline"].intake.spool.count())


@spool_cli.command("dead-letters")
@click.option("--requeue", "requeue", metavar="NAME", help="Put this dead letter back in the spool to be replayed.")
def spool_dead_letters(requeue: str | None) -> None:
    """List the bodies the spool could not replay, with their reasons (or put one back)."""
    spool = current_app.extensions["fieldline"].intake.spool
    if requeue:
        if not spool.requeue(requeue):
            raise click.ClickException(f"ไม่พบรายการ {requeue} หรืออ่านไม่ได้")
        click.echo(f"นำ {requeue} กลับเข้าคิวแล้ว")
        return
    letters = spool.dead_letters()
    for letter in letters:
        click.echo(f"{letter.name}\t{thai_datetime(letter.failed_at) if letter.failed_at else '-'}\t{letter.reason}")
    click.echo(f"ข้อมูลที่บันทึกไม่ได้ {len(letters)} รายการ")


@worker_cli.command("run")
@click.option("--once", is_flag=True, help="Process what is due, then exit.")
def worker_run(once: bool) -> None:
    """Process inbox events and deliver messages: the Procfile's worker process.

    It runs at the lowest CPU priority (nice 19), so under a burst the webhook
    keeps answering LINE at once and the events are processed as soon as the CPU is free.
    """
    from bot.worker import Worker

    fieldline = current_app.extensions["fieldline"]
    worker = Worker(fieldline.intake, fieldline.processor, dedicated=True)
    if once:
        click.echo(f"processed {worker.run_once()} event(s)")
        worker.stop()
        return
    os.nice(WORKER_NICENESS)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    worker.start()
    stop_listening = fieldline.doorbell.listen(worker.wake)  # the web rings: start at once, not at the next look
    click.echo("worker running; Ctrl+C to stop")
    try:
        worker.join()
    except KeyboardInterrupt:
        pass
    finally:
        stop_listening()
        worker.stop()


@richmenu_cli.command("deploy")
def richmenu_deploy() -> None:
    """Create every role's rich menu with its image, make the newcomer's the default, relink members."""
    from bot import richmenu  # Pillow and the SDK's models load only for this command

    fieldline = current_app.extensions["fieldline"]
    deployed = richmenu.deploy(fieldline.messenger, fieldline.sessions)
    for name, menu_id in deployed.items():
        click.echo(f"ติดตั้งริชเมนู {name}: {menu_id}")
    click.echo("สมาชิกจะได้รับเมนูตามบทบาทเมื่อ worker ทำงานรอบถัดไป")


@richmenu_cli.command("image")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--menu", "menu", default="newcomer", show_default=True, help="newcomer, volunteer, patrol, clerk or secretariat"
)
def richmenu_image(path: str, menu: str) -> None:
    """Write a rich menu's image to a file, to look at it before deploying."""
    from bot import richmenu
    from services.roles import Menu

    with open(path, "wb") as handle:
        handle.write(richmenu.menu_image(Menu(menu)))
    click.echo(path)


@demo_cli.command("load")
def demo_load() -> None:
    """Load demo data: staff admin/secretariat (password fieldline-demo), units, risk points, FY 2564."""
    if current_app.config["FIELDLINE_MODE"] != DEMO:
        raise click.ClickException("demo data is loaded only with FIELDLINE_MODE=demo")
    with current_app.extensions["fieldline"].sessions.begin() as session:
        created = demo.load(session)
    click.echo(f"ข้อมูลทดลองพร้อมแล้ว (created: {', '.join(created) or 'nothing new'}); รหัสผ่าน {demo.DEMO_PASSWORD}")


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    for group in (db_cli, spool_cli, worker_cli, richmenu_cli, demo_cli, admin_cli, network_cli, emulator_cli):
        app.cli.add_command(group)
    app.cli.add_command(riskpoints_cli)
    app.cli.add_command(workgroup_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(rights_cli)
    app.cli.add_command(evidence_cli)
