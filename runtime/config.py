"""Configuration read from the environment, with embedded defaults for demo use."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

ENVIRONMENT_KEYS = frozenset(
    {
        "FIELDLINE_MODE",
        "LINE_CHANNEL_SECRET",
        "LINE_CHANNEL_ACCESS_TOKEN",
        "DATABASE_URL",
        "LINE_API_BASE_URL",
        "MEDIA_DIR",
        "SPOOL_DIR",
        "SECRET_KEY",
        "PUBLIC_BASE_URL",
        "LINE_BOT_BASIC_ID",
    }
)
PRODUCTION = "production"
DEMO = "demo"
DEMO_BASIC_ID = "@fieldline"  # the emulator's bot (bot/emulator/api.py bot info): the demo's posters get QR codes


class ConfigError(RuntimeError):
    """The environment does not describe a runnable FieldLine."""


def normalise_database_url(url: str) -> str:
    """Accept Heroku's postgres:// form and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _demo_secrets(instance: Path) -> dict[str, str]:
    """Return throwaway demo credentials, shared by every process through a file."""
    path = instance / "demo-secrets.json"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return json.loads(path.read_text())
    values = {
        "LINE_CHANNEL_SECRET": secrets.token_hex(16),
        "LINE_CHANNEL_ACCESS_TOKEN": "demo-" + secrets.token_urlsafe(32),
        "SECRET_KEY": secrets.token_urlsafe(32),
    }
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def load_config(env: dict[str, str] | None = None, instance_path: str | Path = "instance") -> dict:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("FIELDLINE_INSTANCE_DIR", instance_path)).resolve()
    mode = env.get("FIELDLINE_MODE", PRODUCTION).strip().lower()
    if mode not in (PRODUCTION, DEMO):
        raise ConfigError(f"FIELDLINE_MODE must be 'production' or 'demo', not {mode!r}")
    port = env.get("PORT", "8000")
    config = {
        "FIELDLINE_MODE": mode,
        "INSTANCE_DIR": str(instance),
        "LINE_CHANNEL_SECRET": env.get("LINE_CHANNEL_SECRET", ""),
        "LINE_CHANNEL_ACCESS_TOKEN": env.get("LINE_CHANNEL_ACCESS_TOKEN", ""),
        "LINE_API_BASE_URL": env.get("LINE_API_BASE_URL", "").rstrip("/") or None,
        "DATABASE_URL": normalise_database_url(env.get("DATABASE_URL") or f"sqlite:///{instance / 'fieldline.db'}"),
        "MEDIA_DIR": str(Path(env.get("MEDIA_DIR", instance / "media")).resolve()),
        "SPOOL_DIR": str(Path(env.get("SPOOL_DIR", instance / "spool")).resolve()),
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        "LINE_BOT_BASIC_ID": env.get("LINE_BOT_BASIC_ID", "").strip() or None,
        "MAP_TILE_URL": env.get("MAP_TILE_URL", "").strip(),
        "MAP_TILE_ATTRIBUTION": env.get("MAP_TILE_ATTRIBUTION", "").strip(),
        "BACKGROUND_WORKER": env.get("FIELDLINE_BACKGROUND_WORKER", "1") != "0",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "DB_DEADLINE_SECONDS": float(env.get("FIELDLINE_DB_DEADLINE", "1.5")),
        "TRUSTED_PROXY_COUNT": int(env.get("FIELDLINE_TRUSTED_PROXIES", "0") or 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": mode == PRODUCTION,
    }
    if mode == DEMO:
        demo = _demo_secrets(instance)
        for key, value in demo.items():
            config[key] = config[key] or value
        config["LINE_API_BASE_URL"] = config["LINE_API_BASE_URL"] or f"http://127.0.0.1:{port}/emulator"
        config["LINE_BOT_BASIC_ID"] = config["LINE_BOT_BASIC_ID"] or DEMO_BASIC_ID
    missing = [k for k in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "SECRET_KEY") if not config[k]]
    if missing:
        raise ConfigError(
            "FieldLine refuses to start in production mode without "
            + ", ".join(missing)
            + " (set them, or FIELDLINE_MODE=demo for throwaway ones)"
        )
    return config
