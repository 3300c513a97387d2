"""`flask --app bot admin ...`: staff accounts and API tokens from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from bot.admin.staff_accounts import StaffAccountError, create_staff_user, find_staff
from bot.api.tokens import issue_token
from models import Role
from services.audit import Action, record

admin_cli = AppGroup("admin", help="Staff accounts of the admin web and API tokens.")

CLI_ACTOR = "cli"


@admin_cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]), help="The account's role.")
@click.option(
    "--password",
    envvar="FIELDLINE_NEW_PASSWORD",
    help="The password (else FIELDLINE_NEW_PASSWORD, else asked for without echo).",
)
@click.option("--full-name", default="", help="The person's name, shown in the admin web.")
@click.option("--district", "districts", multiple=True, help="A district (เขต) of a district officer; repeatable.")
def create_user(username: str, role: str, password: str | None, full_name: str, districts: tuple[str, ...]) -> None:
    """Create a staff account that can sign in to /admin."""
    if not password:
        password = click.prompt("รหัสผ่าน (password)", hide_input=True, confirmation_prompt=True)
    with current_app.extensions["fieldline"].sessions.begin() as session:
        try:
            user = create_staff_user(
                session, username=username, password=password, role=role, full_name=full_name, districts=districts
            )
        except StaffAccountError as error:
            raise click.ClickException(str(error)) from None
        record(session, CLI_ACTOR, Action.STAFF_CREATE, object_type="staff_user", object_id=user.id)
        name, role_value = user.username, user.role.value
    click.echo(f"สร้างบัญชี {name} ({role_value}) แล้ว")


@admin_cli.command("create-token")
@click.argument("username")
@click.argument("name")
def create_token(username: str, name: str) -> None:
    """Issue an API token for a staff account and print it once (only its hash is kept)."""
    with current_app.extensions["fieldline"].sessions.begin() as session:
        user = find_staff(session, username)
        if user is None or not user.is_active:
            raise click.ClickException(f"ไม่พบบัญชีที่ใช้งานอยู่ชื่อ {username}")
        token, plain = issue_token(session, user, name)
        record(session, CLI_ACTOR, Action.TOKEN_CREATE, object_type="api_token", object_id=token.id)
    click.echo("โทเค็นนี้จะแสดงเพียงครั้งเดียว เก็บไว้ในที่ปลอดภัย (shown once; store it safely):", err=True)
    click.echo(plain)
