"""One FieldLine as deployed, for one scenario: database, LINE stand-in, proxy, Procfile's web and worker.

Everything listens on and talks to 127.0.0.1 only. PostgreSQL is reached through the fault proxy
(bench/faults/proxy.py), so a scenario can black-hole or refuse it; the bench's own queries go
straight to the server. MEDIA_DIR is a 1 MiB tmpfs when the scenario fills the disk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.webhook import servers
from bench.webhook.run import Database, app_env
from bot.migrate import upgrade
from runtime.config import normalise_database_url
from runtime.db import make_engine

HOST = "127.0.0.1"
STUB_LIFETIME = 900.0  # the stand-in and the proxy stop by themselves after this many seconds
MEDIA_DISK_KIB = 1024  # room for the scenario's photos once the disk is freed again
RESTART_DELAY = 1.0  # a supervisor restarts a killed worker process after this long
TOKEN_LIFETIME = 60.0  # LINE's reply tokens work for about a minute


def loopback_only(url: str) -> None:
    """Refuse any database address but 127.0.0.1 / localhost."""
    host = make_url(normalise_database_url(url)).host
    if host not in (None, "", "127.0.0.1", "localhost"):
        raise SystemExit(f"bench/faults talks to 127.0.0.1 only, not {host}")


def http(port: int, path: str, payload: dict | None = None, timeout: float = 5.0) -> dict:
    """GET (or POST JSON to) a loopback control endpoint."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read() or b"{}")


class Deployment:
    """Start and stop the processes of one scenario; `engine` reads the database directly."""

    def __init__(
        self,
        kind: str,
        workdir: Path,
        pg_url: str,
        *,
        tiny_media: bool = False,
        workers: int = 1,
        web_processes: int = 1,
        proxy: bool = True,
        lifetime: float = STUB_LIFETIME,
    ):
        """`workers` worker processes, `web_processes` gunicorn masters (on web_ports), PostgreSQL via the
        fault proxy unless `proxy` is False; the stand-in and the proxy stop by themselves after `lifetime` s."""
        self.kind = kind
        self.workdir = workdir
        self.pg_url = pg_url
        self.tiny_media = tiny_media
        self.worker_count = workers
        self.use_proxy = proxy
        self.lifetime = lifetime
        self.database: Database | None = None
        self.processes: list[servers.Process] = []
        self.app: servers.Process | None = None  # the first web process (gunicorn master)
        self.apps: list[servers.Process] = []
        self.worker: servers.Process | None = None  # the worker process started last
        self.workers: list[servers.Process] = []  # the worker processes running now
        self.worker_starts = 0
        self.engine = None
        self.stub_port = servers.free_port()
        self.web_ports = [servers.free_port() for _ in range(web_processes)]
        self.web_port = self.web_ports[0]
        self.proxy_port = servers.free_port()
        self.proxy_control = servers.free_port()
        self.media_dir = workdir / "fieldline" / "media"
        self.spool_dir = workdir / "fieldline" / "spool"
        self.mounted = False

    @property
    def sqlite_path(self) -> Path:
        return Path(make_url(self.database.url).database)

    def start(self) -> None:
        """Database (migrated), LINE stand-in, proxy (PostgreSQL), web and worker; wait until they answer."""
        self.database = Database(self.kind, self.workdir, "faults", self.pg_url)
        upgrade(self.database.url)
        self.engine = make_engine(normalise_database_url(self.database.url))  # SQLite: the app's busy timeout
        app_url = self.database.url
        stub = self._spawn(
            "line-stub",
            ["bench.webhook.line_stub", "--port", str(self.stub_port), "--max-seconds", str(self.lifetime)]
            + ["--token-lifetime", str(TOKEN_LIFETIME)],
        )
        if self.kind == "postgres" and self.use_proxy:
            upstream = make_url(normalise_database_url(self.pg_url)).port or 5432
            argv = ["bench.faults.proxy", "--port", str(self.proxy_port), "--upstream-port", str(upstream)]
            argv += ["--control-port", str(self.proxy_control), "--max-seconds", str(self.lifetime)]
            self._spawn("db-proxy", argv)
            app_url = make_url(self.database.url).set(port=self.proxy_port).render_as_string(hide_password=False)
        if self.tiny_media:
            self.media_dir.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={MEDIA_DISK_KIB}k,mode=0700", "tmpfs", str(self.media_dir)],
                check=True,
            )
            self.mounted = True
        self.env = app_env(_Args(), app_url, self.workdir / "fieldline", self.stub_port)
        servers.wait_http(self.stub_port, "/stats", stub)
        if self.kind == "postgres" and self.use_proxy:
            self._wait_proxy()
        for n, port in enumerate(self.web_ports):
            name = "web" if n == 0 else f"web{n + 1}"
            app = servers.gunicorn(name, "bot:create_app()", port, self.env, self.workdir / f"{name}.log")
            self.apps.append(app)
            self.processes.append(app)
        self.app = self.apps[0]
        self.start_workers()
        for port, app in zip(self.web_ports, self.apps, strict=True):
            servers.wait_http(port, "/healthz", app, timeout=60)

    def _spawn(self, name: str, module_argv: list[str]) -> servers.Process:
        process = servers.Process(
            name, [sys.executable, "-m", *module_argv], dict(os.environ), self.workdir / f"{name}.log"
        ).start()
        self.processes.append(process)
        return process

    def _wait_proxy(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.proxy("state")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the database proxy did not start")

    def start_worker(self) -> None:
        """The Procfile's worker process (`flask --app bot worker run`), as its supervisor starts it."""
        worker_env = {**self.env, "FIELDLINE_BACKGROUND_WORKER": "1"}
        argv = [sys.executable, "-m", "flask", "--app", "bot", "worker", "run"]
        name = "worker" if not self.workers else f"worker{len(self.workers) + 1}"
        self.worker = servers.Process(name, argv, worker_env, self.workdir / f"{name}.log").start()
        self.processes.append(self.worker)
        self.workers.append(self.worker)
        self.worker_starts += 1

    def start_workers(self) -> None:
        """Start worker processes until `workers` of them run."""
        self.workers = [w for w in self.workers if w.alive()]
        while len(self.workers) < self.worker_count:
            self.start_worker()

    def stop_workers(self) -> None:
        """Stop every worker process cleanly (SIGTERM: each forgets its heartbeat on the way out)."""
        for worker in self.workers:
            worker.stop(timeout=15)
        self.workers = []

    def kill_worker(self) -> int:
        """kill -9 the worker process, then restart it after RESTART_DELAY; return the killed pid."""
        pid = self.worker.pid
        os.kill(pid, signal.SIGKILL)
        self.worker.popen.wait(5)
        self.workers = [w for w in self.workers if w is not self.worker]
        time.sleep(RESTART_DELAY)
        self.start_worker()
        return pid

    def kill_web_worker(self, index: int) -> int | None:
        """kill -9 one of gunicorn's workers (the master starts another); return its pid."""
        workers = servers.children(self.app.pid)
        if not workers:
            return None
        pid = workers[index % len(workers)]
        os.kill(pid, signal.SIGKILL)
        return pid

    def proxy(self, mode: str) -> dict:
        """Switch the database proxy to forward, blackhole or refuse (or read its state)."""
        return http(self.proxy_control, f"/{mode}")

    def line(self, settings: dict) -> dict:
        """Set the LINE stand-in's fault modes (see bench/webhook/line_stub.py)."""
        return http(self.stub_port, "/control", settings)

    def deliveries(self) -> dict:
        return http(self.stub_port, "/deliveries", timeout=20)

    def fill_media_disk(self) -> None:
        """Fill MEDIA_DIR's tmpfs to the last byte."""
        with open(self.media_dir / "filler", "wb", buffering=0) as handle:
            block = b"\0" * 4096
            for _ in range(MEDIA_DISK_KIB // 4 + 16):  # bounded: just past the tmpfs's size
                try:
                    handle.write(block)
                except OSError:
                    break

    def free_media_disk(self) -> None:
        (self.media_dir / "filler").unlink(missing_ok=True)

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL of its group), unmount, drop the database."""
        for process in reversed(self.processes):
            process.stop(timeout=15)
        if self.engine is not None:
            self.engine.dispose()
        if self.mounted:
            subprocess.run(["umount", str(self.media_dir)], check=False)
            self.mounted = False
        if self.database is not None:
            self.database.drop()

    def log_errors(self) -> list[str]:
        """Lines of the web and worker logs that report an error or a traceback."""
        found = []
        names = sorted({"web.log", "worker.log"} | {p.name for p in self.workdir.glob("w*.log")})
        for name in names:
            path = self.workdir / name
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()
                found += [f"{name}: {line}" for line in lines if " ERROR " in line or line.startswith("Traceback")]
        return found


class _Args:
    """The bench.webhook options app_env reads: gunicorn.conf.py's own defaults."""

    workers = None
    threads = None
    log_level = None
    processing = "procfile"
