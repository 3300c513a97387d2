"""`flask --app bot emulator run`: the LINE emulator on its own port, posting webhooks to a bot."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

emulator_cli = AppGroup("emulator", help="The local LINE emulator (LINE's API, webhooks and a chat UI).")


@emulator_cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8081, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--webhook-url",
    default=None,
    help="Where to POST webhooks [default: PUBLIC_BASE_URL/callback].",
)
@click.option("--quota", default=None, type=int, help="Monthly push quota (default: unlimited).")
def run(host: str, port: int, webhook_url: str | None, quota: int | None) -> None:
    """Serve the emulator; point the bot's LINE_API_BASE_URL at http://HOST:PORT."""
    from bot.emulator.server import create_emulator_app, platform_for  # only when run: keeps the CLI light

    config = current_app.config
    url = webhook_url or config["PUBLIC_BASE_URL"].rstrip("/") + "/callback"
    platform = platform_for(config, webhook_url=url)
    platform.quota_limit = quota
    click.echo(f"LINE emulator: http://{host}:{port}/  (bot API base URL http://{host}:{port}, webhooks to {url})")
    try:
        run_simple(host, port, create_emulator_app(platform), threaded=True, use_reloader=False)
    finally:
        platform.close()
