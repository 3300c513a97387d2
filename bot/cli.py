"""The `flask --app bot` commands that are not part of a feature's own module."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from bot import migrate

log = logging.getLogger(__name__)

db_cli = AppGroup("db", help="Database schema.")
spool_cli = AppGroup("spool", help="The local spool of webhook bodies the database missed.")
worker_cli = AppGroup("worker", help="Event processing outside the web process.")


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


@worker_cli.command("run")
@click.option("--once", is_flag=True, help="Process what is due, then exit.")
def worker_run(once: bool) -> None:
    """Process inbox events and deliver messages (an extra worker beside the web processes)."""
    worker = current_app.extensions["fieldline"].worker
    if once:
        click.echo(f"processed {worker.run_once()} event(s)")
        return
    worker.start()
    click.echo("worker running; Ctrl+C to stop")
    try:
        worker._thread.join()
    except KeyboardInterrupt:
        worker.stop()


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    for group in (db_cli, spool_cli, worker_cli):
        app.cli.add_command(group)
