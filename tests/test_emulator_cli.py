"""`flask --app bot emulator run`: the emulator on its own port, posting webhooks to a running bot."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import SECRET, TOKEN
from tests.line_fixtures import ServerThread, build_bot_app, close_bot_app

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def poll(get, timeout: float = 60.0):
    """Call get() until it returns something truthy (exceptions count as not yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = get()
        except requests.RequestException:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("gave up waiting")


def test_the_command_is_registered(app):
    result = app.test_cli_runner().invoke(args=["emulator", "run", "--help"])
    assert result.exit_code == 0
    assert "--webhook-url" in result.output and "--port" in result.output


def test_standalone_emulator_talks_to_a_running_bot(database_url, tmp_path, monkeypatch):
    port = free_port()
    emulator_url = f"http://127.0.0.1:{port}"
    holder = {}
    bot_server = ServerThread(lambda environ, start: holder["app"](environ, start))
    application = build_bot_app(database_url, tmp_path, monkeypatch, LINE_API_BASE_URL=emulator_url)
    holder["app"] = application
    services = application.extensions["fieldline"]
    services.worker.interval = 0.2
    services.worker.start()
    env = {
        **os.environ,
        "FIELDLINE_INSTANCE_DIR": str(tmp_path / "cli-instance"),
        "FIELDLINE_MODE": "production",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "SECRET_KEY": "cli-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    command = [sys.executable, "-m", "flask", "--app", "bot", "emulator", "run", "--port", str(port)]
    command += ["--webhook-url", bot_server.url + "/callback"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        home = poll(lambda: requests.get(emulator_url + "/", timeout=2))  # the app takes seconds to import
        assert "อาสาสมัครเครือข่ายข่าว" in home.text
        sent = requests.post(
            emulator_url + "/ui/act",
            json={"persona": "volunteer", "chat": "bot", "kind": "text", "text": "ช่วยเหลือ"},
            headers={"X-Emulator": "1"},
            timeout=5,
        )
        assert sent.status_code == 202

        def bot_answered():
            state = requests.get(emulator_url + "/ui/state?persona=volunteer&chat=bot", timeout=2).json()
            return [entry for entry in state["entries"] if entry["side"] == "bot"]

        [answer] = poll(bot_answered)
        assert "สิ่งที่ทำได้ใน FieldLine" in answer["html"] and answer["method"] == "reply"
    finally:
        process.terminate()
        process.wait(10)
        services.worker.stop()
        bot_server.stop()
        close_bot_app(application)
