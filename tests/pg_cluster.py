"""A private, throwaway PostgreSQL cluster that a test may stop and start at will.

The machine's main cluster is shared with other tests and must never be stopped, so tests of
a real database outage initdb their own cluster in a temporary folder, on a free loopback port,
with its unix socket in that folder. As root, the server runs as the `postgres` OS user
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres live, or None when PostgreSQL is not installed."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        directory = Path(candidate)
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _version_key(path: str) -> int:
    """Sort /usr/lib/postgresql/<major>/bin by major version."""
    major = Path(path).parent.name
    return int(major) if major.isdigit() else 0


def why_unavailable() -> str | None:
    """A reason no private cluster can be started here, or None when one can."""
    if find_bindir() is None:
        return "PostgreSQL binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` OS user to run the server"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PgCluster:
    """One private cluster: initdb once, then start and stop (immediate) as often as a test needs."""

    def __init__(self, bindir: Path | None = None):
        """Initialise a cluster in a new temporary folder (not started yet)."""
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL binaries not found")
        # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="fieldline-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        try:
            if self._owner is not None:
                os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)
            self._initdb()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _initdb(self) -> None:
        """Create the cluster's files: trust authentication, user postgres, no fsync while creating."""
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )

    def _run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run one PostgreSQL tool, as the postgres user when we are root."""
        command = [str(self.bindir / tool), *args]
        if self._owner is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}\n{self.server_log()}")
        return result

    def start(self, timeout: int = 30) -> None:
        """Start the server on its port and wait until it accepts connections."""
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.root}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",  # crash safety of a throwaway cluster is not under test
                "-c full_page_writes=off",
                "-c shared_buffers=16MB",
                "-c max_connections=60",
            ]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", str(timeout), "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server at once (by default without a clean shutdown, as in a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        """Whether the server is up."""
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"]
        if self._owner is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, timeout=30, check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for one of the cluster's databases, over TCP on loopback."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def server_log(self) -> str:
        """The tail of the server's log, for failure messages."""
        try:
            return self.log.read_text()[-3000:]
        except OSError:
            return ""

    def destroy(self) -> None:
        """Stop the server if it runs and delete every file of the cluster."""
        try:
            if self.running():
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
