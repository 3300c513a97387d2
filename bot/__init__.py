"""FieldLine's Flask side: the app factory."""

from __future__ import annotations

import os

from flask import Flask

from runtime.config import DEMO, ENVIRONMENT_KEYS, load_config
from runtime.logs import configure_logging


def create_app(config: dict | None = None) -> Flask:
    """Create the web app; config overrides what the environment says."""
    app = Flask(__name__, instance_path=os.path.abspath(os.environ.get("FIELDLINE_INSTANCE_DIR", "instance")))
    overrides = dict(config or {})
    env = {**os.environ, **{k: str(v) for k, v in overrides.items() if k in ENVIRONMENT_KEYS}}
    settings = load_config(env, instance_path=app.instance_path)
    settings.update(overrides)
    app.config.update(settings)
    configure_logging()

    from bot import cli, health, site, webhook
    from bot.services import Services

    services = Services.from_config(app.config)
    app.extensions["fieldline"] = services
    app.register_blueprint(health.bp)
    app.register_blueprint(site.bp)
    from bot import admin, api, auth, downloads

    auth.init_app(app)  # Flask-Login; CSRF on every form except /callback and /api/
    admin.init_app(app)
    api.init_app(app)
    app.register_blueprint(downloads.bp)
    cli.init_app(app)
    if app.config["FIELDLINE_MODE"] == DEMO and app.config.get("MOUNT_EMULATOR", True):
        from bot.emulator import mount

        mount(app)
    app.wsgi_app = webhook.CallbackEndpoint(app)  # POST /callback; everything else goes on to Flask
    return app
