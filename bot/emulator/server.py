"""The emulator as a Flask app: mounted under /emulator of the bot in demo mode, or on its own."""

from __future__ import annotations

import logging
import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bot.emulator import personas, webhooks
from bot.emulator.clock import Clock
from bot.emulator.platform import Platform

log = logging.getLogger(__name__)

MOUNT_PATH = "/emulator"
EXTENSION = "line_emulator"
MAX_UPLOAD_BYTES = 12 * 1024 * 1024  # the browser's photos; the API itself refuses bodies over 2 MB


def create_emulator_app(platform: Platform, *, ui: bool = True) -> Flask:
    """A Flask app serving LINE's API paths (and the browser UI) for one platform."""
    from bot.emulator import api

    app = Flask("bot.emulator", static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES
    app.json.ensure_ascii = False
    app.extensions[EXTENSION] = platform
    app.register_blueprint(api.bp)
    if ui:
        from bot.emulator import ui as browser

        app.register_blueprint(browser.bp)
    return app


def platform_for(config, *, webhook_url: str, clock: Clock | None = None, background: bool = True) -> Platform:
    """A platform using the bot config's channel secret and token, sending webhooks over HTTP."""
    platform = Platform(
        config["LINE_CHANNEL_SECRET"],
        config["LINE_CHANNEL_ACCESS_TOKEN"],
        clock=clock,
        sender=webhooks.HttpSender(webhook_url),
        background=background,
    )
    personas.seed(platform)
    return platform


def mount(app: Flask) -> Platform:
    """Serve the emulator under /emulator of the bot app (demo mode); webhooks go to the bot's /callback."""
    if int(os.environ.get("WEB_CONCURRENCY", "1")) > 1:
        log.warning("the LINE emulator keeps its state per process: run demo mode with WEB_CONCURRENCY=1")
    platform = platform_for(app.config, webhook_url=app.config["PUBLIC_BASE_URL"].rstrip("/") + "/callback")
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {MOUNT_PATH: create_emulator_app(platform)})
    app.extensions[EXTENSION] = platform
    return platform
