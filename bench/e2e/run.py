"""`python -m bench.e2e`: FieldLine as deployed, timed from an event's delivery to its answer at LINE.

See bench/README.md ("bench/e2e") for what it does and measures.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
import traceback
from pathlib import Path

from sqlalchemy.orm import Session

from bench.databases import add_pg_url, save_results
from bench.e2e import phases
from bench.e2e.seed import seed
from bench.faults.deployment import Deployment, loopback_only
from bench.webhook.run import git_describe

LIFETIME = 4 * 3600.0  # the stand-in stops by itself after this long, whatever happens to this script
TARGET_P99_MS = 300.0  # at 100 events/s, every event answered by reply, p99 under this
TARGET_P50_MS = 50.0  # at 10 events/s
TARGET_BACKLOG = (30_000, 120.0)  # events drained within seconds (a smaller backlog: the same rate)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="postgres")
    parser.add_argument("--rates", default="10,30,100,300", help="steady rates, events a second (empty: none)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of each steady rate")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait for the answers after a phase")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections of the open loop")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (flask --app bot worker run)")
    parser.add_argument("--web-processes", type=int, default=1, help="gunicorn masters, each on its own port")
    parser.add_argument("--mixed", action="store_true", help="run the mixed phase and the single-kind phases")
    parser.add_argument("--mixed-seconds", type=float, default=30.0)
    parser.add_argument("--mixed-greetings", type=float, default=4.0, help="greetings a second in the mix")
    parser.add_argument("--mixed-reports", type=float, default=1.0, help="group news bursts started a second")
    parser.add_argument("--mixed-checkins", type=float, default=1.5, help="check-in dialogues started a second")
    parser.add_argument("--mixed-scale", type=float, default=1.0, help="multiplies the three rates above")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between two steps of a check-in")
    parser.add_argument("--kind-seconds", type=float, default=10.0, help="each single-kind phase (0: none)")
    parser.add_argument("--backlog", type=int, default=30_000, help="events of the backlog phase (0: none)")
    parser.add_argument("--backlog-per-body", type=int, default=10)
    parser.add_argument("--backlog-connections", type=int, default=8)
    parser.add_argument("--backlog-timeout", type=float, default=600.0)
    add_pg_url(parser, "a PostgreSQL server on 127.0.0.1 on which a fresh database is created (and dropped)")
    parser.add_argument(
        "--line-latency", type=float, default=0.0, help="ms the LINE stand-in takes to answer a reply or push"
    )
    parser.add_argument("--keep", action="store_true", help="keep the deployment's folder (logs) in /tmp")
    args = parser.parse_args(argv)
    args.rate_list = [float(r) for r in args.rates.split(",") if r.strip()]
    return args


def run_database(kind: str, args) -> dict:
    """Deploy on one database, run the phases asked for, tear down."""
    workdir = Path(tempfile.mkdtemp(prefix=f"fieldline-e2e-{kind}-"))
    deployment = Deployment(
        kind,
        workdir,
        args.pg_url,
        workers=args.workers,
        web_processes=args.web_processes,
        proxy=False,
        lifetime=LIFETIME,
    )
    report: dict = {"database": kind, "workers": args.workers, "web_processes": args.web_processes, "phases": []}
    try:
        deployment.start()
        deployment.line({"latency": args.line_latency / 1000})
        report["line_latency_ms"] = args.line_latency
        officers = phases.officers_needed(args)
        with Session(deployment.engine) as session, session.begin():
            world = seed(session, officers=officers, reporters=200)
        report["warm_up_max_ms"] = phases.warm_up(deployment, world, args)
        print(f"  warm-up (cold first events), slowest answer ms: {report['warm_up_max_ms']}", flush=True)
        for rate in args.rate_list:
            report["phases"].append(_announce(phases.steady(deployment, rate, args)))
        if args.mixed:
            for result in phases.mixed(deployment, world, args):
                report["phases"].append(_announce(result))
        if args.backlog:
            report["phases"].append(_announce(phases.backlog(deployment, args)))
        report["log_errors"] = deployment.log_errors()[:20]
    except Exception:  # noqa: BLE001 - report and go on with the next database
        report["error"] = traceback.format_exc()
        print(report["error"])
    finally:
        deployment.stop()
        if args.keep:
            report["workdir"] = str(workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report["targets"] = targets(report) if kind == "postgres" else []
    return report


def _announce(result: dict) -> dict:
    """Print one phase's headline as it ends."""
    answer = result.get("answer_ms") or {}
    if "drain_seconds" in result:
        line = f"drained in {result['drain_seconds']} s ({result['events_per_s']}/s)"
    else:
        line = f"answer p50 {answer.get('p50')} p99 {answer.get('p99')} ms, missing {result['missing']}"
    print(f"  {result['phase']}: {line}; load {result['load_before']} → {result['load_after']:.2f}", flush=True)
    return result


def targets(report: dict) -> list[dict]:
    """The PostgreSQL targets of the phases that ran: what was asked, what was measured, PASS or FAIL."""
    found = []
    for phase in report["phases"]:
        if phase.get("rate") == 100:
            p99 = (phase["answer_ms"] or {}).get("p99")
            ok = phase["by_push"] == 0 and phase["missing"] == 0 and p99 is not None and p99 < TARGET_P99_MS
            measured = f"reply {phase['by_reply']}, push {phase['by_push']}, missing {phase['missing']}, p99 {p99} ms"
            found.append({"target": "100/s: all by reply, p99 < 300 ms", "measured": measured, "ok": ok})
        if phase.get("rate") == 10:
            p50 = (phase["answer_ms"] or {}).get("p50")
            ok = p50 is not None and p50 < TARGET_P50_MS and phase["missing"] == 0
            found.append({"target": "10/s: p50 < 50 ms", "measured": f"p50 {p50} ms", "ok": ok})
        if "drain_seconds" in phase:
            events, seconds = TARGET_BACKLOG
            bound = seconds * phase["events"] / events
            ok = phase["drained"] and phase["drain_seconds"] < bound
            found.append(
                {
                    "target": f"backlog {phase['events']} drained < {bound:g} s ({events} in {seconds:g} s)",
                    "measured": f"{phase['drain_seconds']} s, {phase['events_per_s']}/s",
                    "ok": ok,
                }
            )
    if "error" in report:
        found.append({"target": "the run completes", "measured": "error", "ok": False})
    return found


def _ms(figures: dict | None, key: str) -> str:
    value = (figures or {}).get(key)
    return "" if value is None else f"{value:.1f}"


def print_table(reports: list[dict]) -> None:
    """One row per phase and database."""
    head = (
        "| database | workers | phase | events | webhook p50/p99 ms | answer p50/p99/max ms | reply/push/missing"
        " | CPU ms/event web/worker | load before→after |"
    )
    print()
    print(head)
    print("|" + "---|" * 9)
    for report in reports:
        for p in report["phases"]:
            cpu = p.get("cpu_ms_per_event", {})
            web = f"{_ms(p.get('webhook_ms'), 'p50')} / {_ms(p.get('webhook_ms'), 'p99')}"
            if "drain_seconds" in p:
                answer = (
                    f"drained {p['drain_seconds']} s = {p['events_per_s']}/s (first done after"
                    f" {p['first_processed_after_s']} s; post {p['post_seconds']} s)"
                )
                counts = f"not 200: {p['not_200']}"
                web = ""
            else:
                a = p.get("answer_ms")
                answer = f"{_ms(a, 'p50')} / {_ms(a, 'p99')} / {_ms(a, 'max')}"
                counts = f"{p['by_reply']}/{p['by_push']}/{p['missing']}"
            print(
                f"| {report['database']} | {report['workers']} | {p['phase']} | {p['events']} | {web} | {answer}"
                f" | {counts} | {cpu.get('web')} / {cpu.get('worker')} | {p['load_before']} → {p['load_after']:.2f} |"
            )
        for p in report["phases"]:
            for label, row in (p.get("by_step") or {}).items():
                a = row["answer_ms"]
                print(
                    f"    {report['database']} {p['phase']} {label}: n {row['n']}, answer p50/p99/max "
                    f"{_ms(a, 'p50')} / {_ms(a, 'p99')} / {_ms(a, 'max')} ms, push {row['by_push']},"
                    f" missing {row['missing']}"
                )
    for report in reports:
        for target in report["targets"]:
            verdict = "PASS" if target["ok"] else "FAIL"
            print(f"{verdict}  {report['database']}: {target['target']} — {target['measured']}")


def main(argv: list[str] | None = None) -> int:
    """Run on the chosen databases; 0 only when every PostgreSQL target of the phases run is met."""
    args = parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in kinds:
        loopback_only(args.pg_url)
    started = time.time()
    reports = []
    for kind in kinds:
        print(f"{kind}: {args.workers} worker process(es), {args.web_processes} web process(es)", flush=True)
        reports.append(run_database(kind, args))
    print_table(reports)
    meta = {
        "commit": git_describe(),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "started": started,
        "seconds": round(time.time() - started, 1),
        "args": {k: v for k, v in vars(args).items() if k != "pg_url"},
    }
    save_results("e2e", [{"meta": meta}, *reports])
    failed = [t for r in reports for t in r["targets"] if not t["ok"]]
    errors = [r for r in reports if "error" in r]
    return 1 if failed or errors else 0
