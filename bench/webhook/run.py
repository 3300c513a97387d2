"""Orchestrates one benchmark run: databases, the LINE stub, gunicorn, load phases, accounting."""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.databases import add_pg_url, fresh_postgres
from bench.webhook import baseline, load, servers
from bot.migrate import upgrade
from runtime.config import normalise_database_url

RESULTS = servers.ROOT / "bench" / "results"
SECRET = "bench" + secrets.token_hex(14)
TOKEN = "bench-access-token"
P99_TARGET_MS = 250.0
RATIO_TARGET = 0.80


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook", description="FieldLine webhook benchmark")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--rate", type=float, default=500.0, help="sustained open-loop rate, bodies/s")
    parser.add_argument("--duration", type=float, default=60.0, help="sustained phase, seconds")
    parser.add_argument("--max-duration", type=float, default=15.0, help="each closed-loop phase, seconds")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients of the closed-loop phases")
    parser.add_argument("--connections", type=int, default=64, help="connections of the open-loop phase")
    parser.add_argument("--users", type=int, default=500, help="distinct LINE users the events come from")
    parser.add_argument("--events-per-body", type=int, default=1)
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: gunicorn.conf.py's)")
    parser.add_argument("--log-level", default=None, help="LOG_LEVEL of FieldLine (default: its own, INFO)")
    add_pg_url(parser, "a PostgreSQL server on which fresh databases are created and dropped")
    parser.add_argument("--baseline", dest="baseline", action="store_true", default=True)
    parser.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the baseline app")
    parser.add_argument("--no-max", dest="max", action="store_false", default=True, help="skip closed-loop phases")
    parser.add_argument("--no-sustained", dest="sustained", action="store_false", default=True)
    parser.add_argument("--drain-timeout", type=float, default=600.0, help="seconds to wait for the worker to drain")
    parser.add_argument(
        "--processing",
        choices=("procfile", "inline", "deferred"),
        default="procfile",
        help="procfile: the Procfile's web and worker processes (the worker, at nice 10, processes the events);"
        " inline: web only, each gunicorn worker's fallback thread processes them; deferred: the worker"
        " process starts only after the load (the webhook path alone under load, for diagnosis)",
    )
    parser.add_argument("--profile", action="store_true", help="record py-spy profiles of the workers (if installed)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


class Database:
    """A fresh database for one app: a SQLite file, or a PostgreSQL database created and dropped."""

    def __init__(self, kind: str, workdir: Path, name: str, pg_server: str):
        self.kind = kind
        self._drop = None
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / (name + '.db')}"
        else:
            self.url, self._drop = fresh_postgres(pg_server, f"fieldline_bench_{name}")

    def drop(self) -> None:
        """Drop the PostgreSQL database (a SQLite file goes with its folder)."""
        if self._drop is not None:
            self._drop()


def app_env(args, database_url: str, workdir: Path, stub_port: int) -> dict[str, str]:
    """The environment of a gunicorn under test: production mode, secrets, the stub as LINE."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDLINE_", "LINE_", "GUNICORN_"))}
    env.update(
        {
            "FIELDLINE_MODE": "production",
            "FIELDLINE_INSTANCE_DIR": str(workdir / "instance"),
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": database_url,
            "LINE_API_BASE_URL": f"http://127.0.0.1:{stub_port}",
            "SPOOL_DIR": str(workdir / "spool"),
            "MEDIA_DIR": str(workdir / "media"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    if args.log_level:
        env["LOG_LEVEL"] = args.log_level
    if args.processing == "deferred":
        env["FIELDLINE_BACKGROUND_WORKER"] = "0"  # nothing may process events until the load is over
    return env


def worker_process(env: dict[str, str], log_path: Path) -> servers.Process:
    """The Procfile's worker process (`flask --app bot worker run`)."""
    worker_env = {**env, "FIELDLINE_BACKGROUND_WORKER": "1"}
    argv = [sys.executable, "-m", "flask", "--app", "bot", "worker", "run"]
    return servers.Process("worker", argv, worker_env, log_path).start()


def fieldline_state(engine, spool_dir: Path) -> dict:
    """Inbox by status, pending outbox rows and spooled bodies."""
    with engine.connect() as connection:
        inbox = dict(connection.execute(text("SELECT status, count(*) FROM inbox_events GROUP BY status")).all())
        outbox = dict(connection.execute(text("SELECT status, count(*) FROM outgoing_messages GROUP BY status")).all())
    return {"inbox": inbox, "outbox": outbox, "spool": sum(1 for _ in spool_dir.glob("*.json"))}


def drain(engine, spool_dir: Path, timeout: float) -> dict:
    """Wait until nothing is pending in the inbox, the outbox or the spool; return the final state."""
    started = time.monotonic()
    state: dict = {}
    while time.monotonic() - started < timeout:
        state = fieldline_state(engine, spool_dir)
        waiting = (
            state["inbox"].get("pending", 0)
            + state["inbox"].get("failed", 0)
            + state["outbox"].get("pending", 0)
            + state["spool"]
        )
        if not waiting:
            state["drained"] = True
            state["drain_seconds"] = round(time.monotonic() - started, 1)
            return state
        time.sleep(0.5)
    state["drained"] = False
    state["drain_seconds"] = round(time.monotonic() - started, 1)
    return state


def account(engine, phases: dict[str, load.RunResult]) -> dict:
    """Compare the webhookEventIds acknowledged with 200 against the inbox and the outbox."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT webhook_event_id, status, attempts, via_spool FROM inbox_events")).all()
        answers = dict(
            connection.execute(
                text(
                    "SELECT i.webhook_event_id, count(o.id) FROM inbox_events i"
                    " JOIN outgoing_messages o ON o.inbox_event_id = i.id GROUP BY i.webhook_event_id"
                )
            ).all()
        )
    stored = Counter(row[0] for row in rows)
    by_id = {row[0]: row for row in rows}
    report = {}
    for name, result in phases.items():
        acknowledged = result.acknowledged()
        unacknowledged = result.unacknowledged()
        present = [i for i in acknowledged if i in by_id]
        report[name] = {
            "acknowledged": len(acknowledged),
            "lost": sum(1 for i in acknowledged if i not in by_id),
            "stored_twice": sum(1 for i in acknowledged if stored[i] > 1),
            "processed_twice": sum(1 for i in acknowledged if answers.get(i, 0) > 1),
            "not_answered": sum(1 for i in present if answers.get(i, 0) == 0),
            "not_done": sum(1 for i in present if by_id[i][1] not in ("done", "ignored")),
            "retried": sum(1 for i in present if by_id[i][2] > 1),
            "via_spool": sum(1 for i in present if by_id[i][3]),
            "unacknowledged": len(unacknowledged),
            "unacknowledged_but_stored": sum(1 for i in unacknowledged if i in by_id),
        }
    return report


def annotate(summary: dict, cpu_seconds: float, load_before: float, client_before: float) -> dict:
    """Add the server's and the load generator's CPU use and the machine's load average to a phase summary."""
    summary["load_generator_cpu_seconds"] = round(time.process_time() - client_before, 1)
    summary["server_cpu_seconds"] = round(cpu_seconds, 1)
    summary["server_cpu_ms_per_request"] = round(1000 * cpu_seconds / max(summary["ok"], 1), 2)
    summary["loadavg_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return summary


def closed(port: int, factory: load.BodyFactory, duration: float, clients: int) -> load.RunResult:
    return load.run_closed_loop(port, factory, duration=duration, connections=clients)


def py_spy(pids: list[int], seconds: float, out: Path) -> list[subprocess.Popen]:
    """Start py-spy record on each pid (when py-spy is installed); return the processes."""
    tool = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(tool).exists():
        print("py-spy is not installed; --profile ignored", file=sys.stderr)
        return []
    started = []
    for pid in pids:
        argv = [tool, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100", "-f", "raw"]
        argv += ["-o", str(out / f"profile-{pid}.txt"), "--gil"]  # where the Python CPU time goes
        started.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return started


def run_baseline(args, kind: str, workdir: Path, stub_port: int) -> dict:
    """Closed-loop maximum throughput of the baseline app on the same kind of database."""
    database = Database(kind, workdir, "baseline", args.pg_url)
    try:
        baseline.create_table(database.url)
        port = servers.free_port()
        env = app_env(args, database.url, workdir / "baseline", stub_port)
        app = servers.gunicorn("baseline", "bench.webhook.baseline:create_app()", port, env, workdir / "baseline.log")
        try:
            servers.wait_http(port, "/healthz", app)
            factory = load.BodyFactory(SECRET, users=args.users, events_per_body=args.events_per_body)
            closed(port, factory, 2.0, args.clients)  # warm-up: connections, JIT-free but caches and pools
            cpu_before, load_before, client_before = servers.tree_cpu(app.pid), os.getloadavg()[0], time.process_time()
            result = closed(port, factory, args.max_duration, args.clients)
            cpu = servers.tree_cpu(app.pid) - cpu_before
            memory = servers.tree_memory(app.pid)
        finally:
            app.stop()
        summary = annotate(result.summary(), cpu, load_before, client_before)
        summary["rows"] = baseline.count_rows(database.url)
        summary["memory_kib"] = memory
        return summary
    finally:
        database.drop()


def run_fieldline(args, kind: str, workdir: Path, stub_port: int) -> dict:
    """FieldLine under gunicorn: closed-loop maximum, then the sustained open-loop rate, then accounting."""
    database = Database(kind, workdir, "fieldline", args.pg_url)
    spool_dir = workdir / "fieldline" / "spool"
    report: dict = {"database": kind}
    phases: dict[str, load.RunResult] = {}
    try:
        upgrade(database.url)
        port = servers.free_port()
        env = app_env(args, database.url, workdir / "fieldline", stub_port)
        app = servers.gunicorn("fieldline", "bot:create_app()", port, env, workdir / "fieldline.log")
        engine = create_engine(normalise_database_url(database.url))
        worker = worker_process(env, workdir / "worker.log") if args.processing == "procfile" else None
        try:
            servers.wait_http(port, "/healthz", app)
            report["processes"] = servers.process_tree(app.pid)
            factory = load.BodyFactory(SECRET, users=args.users, events_per_body=args.events_per_body)
            phases["warmup"] = closed(port, factory, 2.0, args.clients)
            report["memory_after_start_kib"] = servers.tree_memory(app.pid)
            if args.max:
                cpu_before, load_before, client_before = (
                    servers.tree_cpu(app.pid),
                    os.getloadavg()[0],
                    time.process_time(),
                )
                worker_before = servers.cpu_seconds(worker.pid) if worker else 0.0
                phases["max"] = closed(port, factory, args.max_duration, args.clients)
                cpu = servers.tree_cpu(app.pid) - cpu_before
                report["max"] = annotate(phases["max"].summary(), cpu, load_before, client_before)
                report["max"]["worker_cpu_seconds"] = (
                    round(servers.cpu_seconds(worker.pid) - worker_before, 1) if worker else None
                )
                report["max"]["backlog_after"] = fieldline_state(engine, spool_dir)
                if args.processing != "deferred":
                    report["max_drain"] = drain(engine, spool_dir, args.drain_timeout)
            if args.sustained:
                profilers = []
                if args.profile:
                    profilers = py_spy(servers.children(app.pid), min(args.duration, 30), args.out)
                cpu_before, load_before, client_before = (
                    servers.tree_cpu(app.pid),
                    os.getloadavg()[0],
                    time.process_time(),
                )
                worker_before = servers.cpu_seconds(worker.pid) if worker else 0.0
                split_before = servers.worker_cpu(app.pid)
                phases["sustained"] = load.run_open_loop(
                    port, factory, rate=args.rate, duration=args.duration, connections=args.connections
                )
                cpu = servers.tree_cpu(app.pid) - cpu_before
                report["sustained"] = annotate(phases["sustained"].summary(), cpu, load_before, client_before)
                report["sustained"]["web_worker_cpu_seconds"] = {
                    str(pid): round(seconds - split_before.get(pid, 0.0), 1)
                    for pid, seconds in servers.worker_cpu(app.pid).items()
                }
                report["sustained"]["worker_cpu_seconds"] = (
                    round(servers.cpu_seconds(worker.pid) - worker_before, 1) if worker else None
                )
                report["sustained"]["backlog_after"] = fieldline_state(engine, spool_dir)
                report["memory_after_load_kib"] = servers.tree_memory(app.pid)
                for profiler in profilers:
                    profiler.wait(60)
            if args.processing == "deferred":
                worker = worker_process(env, workdir / "worker.log")
            report["sustained_drain" if args.sustained else "max_drain"] = drain(engine, spool_dir, args.drain_timeout)
            if worker is not None:
                report["worker_process"] = {"pid": worker.pid, "memory_kib": servers.memory(worker.pid)}
            report["memory_end_kib"] = servers.tree_memory(app.pid)
            report["accounting"] = account(engine, phases)
            report["line_stub"] = servers.get_json(stub_port, "/stats")
        finally:
            engine.dispose()
            app.stop()
            if worker is not None:
                worker.stop()
            report["server_log_tail"] = app.log_tail(1500)
        errors = [line for line in app.log_tail(10**7).splitlines() if " ERROR " in line or "Traceback" in line]
        report["server_log_errors"] = len(errors)
        report["server_log_error_sample"] = errors[:5]
        return report
    finally:
        database.drop()


def verdict(kind: str, base: dict | None, field: dict, args) -> dict:
    """Targets met or not, from one run's figures."""
    result: dict = {"database": kind}
    if base and "max" in field:
        result["ratio"] = round(field["max"]["requests_per_s"] / max(base["requests_per_s"], 1e-9), 3)
        result["ratio_ok"] = result["ratio"] >= RATIO_TARGET
        result["cpu_per_request_ratio"] = round(
            base["server_cpu_ms_per_request"] / max(field["max"]["server_cpu_ms_per_request"], 1e-9), 3
        )
    if "sustained" in field:
        sustained = field["sustained"]
        phase = field["accounting"]["sustained"]
        result["p99_ms"] = sustained["latency_ms"].get("p99")
        result["p99_ok"] = result["p99_ms"] is not None and result["p99_ms"] < P99_TARGET_MS
        result["rate_ok"] = sustained["requests_per_s"] >= 0.98 * args.rate
        lost = sum(p["lost"] for p in field["accounting"].values())
        doubled = sum(p["stored_twice"] + p["processed_twice"] for p in field["accounting"].values())
        doubled += field["line_stub"]["reply_tokens_used_twice"]
        result["lost"] = lost
        result["doubled"] = doubled
        result["not_sent"] = sustained["not_sent"]
        result["nothing_lost_or_doubled"] = lost == 0 and doubled == 0 and phase["unacknowledged"] == 0
    return result


def kib(value: int | None) -> str:
    return f"{value / 1024:.0f} MiB" if value else "-"


def print_table(kind: str, base: dict | None, field: dict, check: dict) -> None:
    """A short human summary."""
    print(f"\n=== {kind} ===")
    header = (
        f"{'phase':<26}{'req/s':>9}{'ok':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'cpu ms/req':>12}"
        f"{'client s':>10}{'worker s':>10}{'load':>12}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    if base:
        rows.append(("baseline max (closed)", base))
    if "max" in field:
        rows.append(("fieldline max (closed)", field["max"]))
    if "sustained" in field:
        rows.append((f"fieldline {field['sustained']['target_rate']:.0f}/s (open loop)", field["sustained"]))
    for name, figures in rows:
        latency = figures["latency_ms"]
        loadavg = "→".join(f"{v:.1f}" for v in figures["loadavg_1min_before_after"])
        print(
            f"{name:<26}{figures['requests_per_s']:>9.1f}{figures['ok']:>8}"
            f"{latency.get('p50', 0):>9.1f}{latency.get('p99', 0):>9.1f}{latency.get('max', 0):>9.1f}"
            f"{figures['server_cpu_ms_per_request']:>12.2f}{figures['load_generator_cpu_seconds']:>10.1f}"
            f"{figures.get('worker_cpu_seconds') or 0:>10.1f}{loadavg:>12}"
        )
    split = field.get("sustained", {}).get("web_worker_cpu_seconds")
    if split:
        print("sustained phase CPU seconds by web worker: " + ", ".join(f"{p} {s}" for p, s in split.items()))
    if "ratio" in check:
        mark = "ok" if check["ratio_ok"] else "MISSED"
        print(f"throughput ratio fieldline/baseline: {check['ratio']:.2f} (target >= {RATIO_TARGET:.2f}: {mark})")
        print(f"server CPU per request, baseline/fieldline: {check['cpu_per_request_ratio']:.2f}")
    if "p99_ms" in check:
        mark = "ok" if check["p99_ok"] else "MISSED"
        print(f"sustained p99: {check['p99_ms']} ms (target < {P99_TARGET_MS:.0f} ms: {mark})", end="")
        print(f"; {check['not_sent']} requests never sent (cut off)" if check["not_sent"] else "")
    for phase, figures in field.get("accounting", {}).items():
        print(
            f"  {phase:<10} acknowledged {figures['acknowledged']:>6}  lost {figures['lost']}"
            f"  stored twice {figures['stored_twice']}  processed twice {figures['processed_twice']}"
            f"  not done {figures['not_done']}  via spool {figures['via_spool']}"
            f"  no 200 {figures['unacknowledged']}"
        )
    if "line_stub" in field:
        stub = field["line_stub"]
        last_drain = field.get("sustained_drain") or field.get("max_drain") or {}
        print(
            f"  LINE stub: {stub['reply_calls']} replies ({stub['reply_tokens_used_twice']} tokens twice),"
            f" {stub['push_calls']} pushes; drain after the load: {last_drain.get('drain_seconds')} s"
        )
    memory = field.get("memory_after_load_kib") or field.get("memory_end_kib") or {}
    print("  resident memory (VmRSS / peak VmHWM):")
    for process, values in memory.items():
        print(f"    fieldline {process:<16} {kib(values.get('VmRSS')):>9} / {kib(values.get('VmHWM'))}")
    if field.get("worker_process"):
        values = field["worker_process"]["memory_kib"]
        process = f"worker-process {field['worker_process']['pid']}"
        print(f"    fieldline {process:<16} {kib(values.get('VmRSS')):>9} / {kib(values.get('VmHWM'))}")
    if base:
        for process, values in base["memory_kib"].items():
            print(f"    baseline  {process:<16} {kib(values.get('VmRSS')):>9} / {kib(values.get('VmHWM'))}")


def git_describe() -> dict:
    """The commit measured and whether the work tree had changes (read-only git calls)."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=servers.ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    all_ok = True
    for kind in kinds:
        workdir = Path(tempfile.mkdtemp(prefix=f"fieldline-bench-{kind}-"))
        stub_port = servers.free_port()
        stub = servers.Process(
            "line-stub",
            [sys.executable, "-m", "bench.webhook.line_stub", "--port", str(stub_port)],
            dict(os.environ),
            workdir / "line-stub.log",
        ).start()
        try:
            servers.wait_http(stub_port, "/stats", stub)
            base = run_baseline(args, kind, workdir, stub_port) if args.baseline and args.max else None
            field = run_fieldline(args, kind, workdir, stub_port)
        finally:
            stub.stop()
        check = verdict(kind, base, field, args)
        document = {
            "benchmark": "webhook",
            "started": stamp,
            "database": kind,
            "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "git": git_describe(),
            "baseline": base,
            "fieldline": field,
            "verdict": check,
        }
        path = args.out / f"webhook-{kind}-{stamp}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str))
        print_table(kind, base, field, check)
        print(f"  results: {path.relative_to(servers.ROOT) if path.is_relative_to(servers.ROOT) else path}")
        shutil.rmtree(workdir, ignore_errors=True)
        all_ok = all_ok and all(v for k, v in check.items() if k.endswith("_ok") or k == "nothing_lost_or_doubled")
    return 0 if all_ok else 1
