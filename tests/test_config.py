"""Configuration from the environment."""

import json

import pytest

from runtime.config import ConfigError, load_config, normalise_database_url


def test_heroku_postgres_url_is_accepted():
    assert normalise_database_url("postgres://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config({}, instance_path=tmp_path)
    assert "LINE_CHANNEL_SECRET" in str(error.value)
    assert "LINE_CHANNEL_ACCESS_TOKEN" in str(error.value)


def test_production_with_secrets_uses_sqlite_under_instance_by_default(tmp_path):
    env = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "SECRET_KEY": "k"}
    config = load_config(env, instance_path=tmp_path)
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'fieldline.db'}"
    assert config["LINE_API_BASE_URL"] is None
    assert config["SESSION_COOKIE_SECURE"] is True


def test_demo_generates_throwaway_secrets_shared_by_every_process(tmp_path):
    first = load_config({"FIELDLINE_MODE": "demo"}, instance_path=tmp_path)
    second = load_config({"FIELDLINE_MODE": "demo"}, instance_path=tmp_path)
    assert first["LINE_CHANNEL_SECRET"] == second["LINE_CHANNEL_SECRET"]
    assert len(first["LINE_CHANNEL_SECRET"]) == 32
    assert first["LINE_API_BASE_URL"] == "http://127.0.0.1:8000/emulator"
    assert json.loads((tmp_path / "demo-secrets.json").read_text())["SECRET_KEY"] == first["SECRET_KEY"]


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config({"FIELDLINE_MODE": "staging"}, instance_path=tmp_path)
