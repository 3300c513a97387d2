"""Starting, watching and stopping the processes under test (gunicorn, the LINE stub)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A child process in its own session, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.popen = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM this process (gunicorn's master then stops its workers); SIGKILL its group if it hangs."""
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group this script created for it
            self.popen.wait(5)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def gunicorn(name: str, app: str, port: int, env: dict[str, str], log_path: Path) -> Process:
    """Gunicorn as the Procfile starts it (the repository's gunicorn.conf.py), bound to loopback."""
    argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}", app]
    return Process(name, argv, env, log_path).start()


def wait_http(port: int, path: str, process: Process, timeout: float = 30.0) -> None:
    """Wait until GET path answers 200 (or fail with the process's log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{process.name} did not answer {path} within {timeout} s:\n{process.log_tail()}")


def get_json(port: int, path: str) -> dict:
    """GET a JSON document from a local server."""
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    data = json.loads(connection.getresponse().read())
    connection.close()
    return data


def children(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory(pid: int) -> dict[str, int]:
    """Resident memory now and at its peak, in KiB (VmRSS, VmHWM from /proc/PID/status)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0])
    except OSError:
        pass
    return values


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(master: int) -> dict[str, int | list[int]]:
    """The gunicorn master and its workers."""
    return {"master": master, "workers": children(master)}


def tree_memory(master: int) -> dict[str, dict[str, int]]:
    """VmRSS/VmHWM of the master and of each worker."""
    tree = process_tree(master)
    result = {f"master {master}": memory(master)}
    for worker in tree["workers"]:
        result[f"worker {worker}"] = memory(worker)
    return result


def worker_cpu(master: int) -> dict[int, float]:
    """CPU seconds used so far by each worker (how evenly the kernel spread the connections)."""
    return {worker: cpu_seconds(worker) for worker in children(master)}


def tree_cpu(master: int) -> float:
    """CPU seconds used by the master and its workers."""
    return cpu_seconds(master) + sum(cpu_seconds(w) for w in children(master))
