"""`python -m bench.faults`: run each fault scenario against FieldLine as deployed and account for every event."""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.databases import add_pg_url
from bench.faults import accounting, sender
from bench.faults.deployment import Deployment, loopback_only
from bench.faults.scenarios import SCENARIOS, SEND_SECONDS, run_timeline
from bench.webhook import servers
from bench.webhook.run import SECRET, git_describe

RESULTS = servers.ROOT / "bench" / "results"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--scenario", default="all", help="a name, a comma-separated list, or all: " + ", ".join(SCENARIOS)
    )
    parser.add_argument("--events", type=int, default=200, help="events per scenario (image senders send two each)")
    parser.add_argument("--drain-timeout", type=float, default=90.0, help="seconds to wait for the queues to drain")
    parser.add_argument(
        "--media-drain-timeout", type=float, default=150.0, help="the same, for scenarios whose photos must be stored"
    )
    add_pg_url(
        parser, "a PostgreSQL server on 127.0.0.1 on which a fresh database is created (and dropped) per scenario"
    )
    parser.add_argument("--keep", action="store_true", help="keep each scenario's folder (logs, spool) in /tmp")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    names = list(SCENARIOS) if args.scenario == "all" else [n.strip() for n in args.scenario.split(",")]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    args.names = names
    return args


def run_scenario(name: str, kind: str, args) -> dict:
    """Deploy, send the known events while the fault happens, restore, drain, account; tear down."""
    scenario, build = SCENARIOS[name]
    if kind in scenario.not_applicable:
        return {"scenario": name, "database": kind, "not_applicable": scenario.not_applicable[kind]}
    workdir = Path(tempfile.mkdtemp(prefix=f"fieldline-faults-{kind}-{name}-"))
    deployment = Deployment(kind, workdir, args.pg_url, tiny_media=scenario.tiny_media)
    tag = "".join(secrets.choice(CROCKFORD) for _ in range(6))
    text_events = args.events - 2 * scenario.image_users
    bodies = sender.make_bodies(tag, text_events, scenario.image_users)
    report: dict = {"scenario": name, "database": kind, "summary": scenario.summary, "timeline": []}
    started = time.monotonic()
    try:
        deployment.start()
        report["setup_seconds"] = round(time.monotonic() - started, 1)
        if scenario.before:
            scenario.before(deployment)
        timeline = run_timeline(deployment, build(deployment), report["timeline"])
        sender.run(deployment.web_port, SECRET, bodies, seconds=SEND_SECONDS)
        timeline.join(60)
        report["sending_seconds"] = round(time.monotonic() - started - report["setup_seconds"], 1)
        deployment.line({"fault": None})  # every fault over, if the timeline had not already restored it
        media = bool(scenario.image_users)
        bound = args.media_drain_timeout if media else args.drain_timeout
        report["end"] = accounting.drain(deployment.engine, deployment.spool_dir, bound, media=media)
        report["accounting"] = accounting.account(deployment.engine, bodies, deployment.deliveries())
        report["worker_starts"] = deployment.worker_starts
        report["log_errors"] = deployment.log_errors()[:20]
    except Exception as exc:  # noqa: BLE001 - one broken scenario is reported and the others still run
        report["error"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    finally:
        deployment.stop()
        if args.keep:
            report["workdir"] = str(workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        report["seconds"] = round(time.monotonic() - started, 1)
    return report


COLUMNS = (
    ("scenario", 19),
    ("db", 9),
    ("sent", 5),
    ("no 200", 7),
    ("stored", 7),
    ("once", 5),
    ("twice", 6),
    ("never", 6),
    ("reused", 7),
    ("spool", 6),
    ("dead", 5),
    ("media s/g/p/f", 14),
    ("drain s", 12),
)


def row(report: dict) -> list[str]:
    """One table row: a scenario on one database."""
    db = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[report["database"]]
    if "not_applicable" in report:
        return [report["scenario"], db, "n/a", "", "", "", "", "", "", "", "", "", report["not_applicable"]]
    if "accounting" not in report:
        return [report["scenario"], db, "error", report.get("error", "")]
    figures, end = report["accounting"], report["end"]
    media = end.get("media", {})
    media_cell = "/".join(str(media.get(s, 0)) for s in ("stored", "gone", "pending", "failed")) if media else "-"
    return [
        report["scenario"],
        db,
        str(figures["sent"]),
        str(figures["no_200"]),
        str(figures["stored"]),
        str(figures["answered_once"]),
        str(figures["answered_twice"]),
        str(figures["never"]),
        str(figures["reply_tokens_reused"] + figures["retry_keys_reused"]),
        str(end.get("spool", "?")),
        str(end.get("dead_letter", "?")),
        media_cell,
        f"{end['drain_seconds']}" + ("" if end.get("drained") else " (cut)"),
    ]


def print_table(reports: list[dict]) -> None:
    header = "".join(f"{title:>{width}}" if n > 1 else f"{title:<{width}}" for n, (title, width) in enumerate(COLUMNS))
    print(header)
    print("-" * len(header))
    for report in reports:
        cells = row(report)
        print(
            "".join(
                f"{cell:>{width}}" if n > 1 else f"{cell:<{width}}"
                for n, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=False))
            )
            + ("  " + " ".join(cells[len(COLUMNS) :]) if len(cells) > len(COLUMNS) else "")
        )


def print_details(report: dict) -> None:
    """What explains a row: the fault's timeline, unanswered events' state, errors logged."""
    if "accounting" not in report:
        return
    figures = report["accounting"]
    print(f"\n[{report['scenario']} / {report['database']}] {report['summary']}")
    for step in report["timeline"]:
        print(f"  {step['at']:>6.2f} s  {step['action']}: {step['outcome']}")
    print(
        f"  HTTP answers {figures['http_outcomes']}; redelivered {figures['redelivered']};"
        f" through the spool {figures['via_spool']}; lost {figures['lost']};"
        f" stored twice {figures['stored_twice']}; processed twice {figures['processed_twice']}"
    )
    print(
        f"  outbox methods {figures['methods']}; reply tokens reused {figures['reply_tokens_reused']},"
        f" retry keys reused {figures['retry_keys_reused']}; LINE stand-in answers {figures['line_answers']}"
    )
    if figures["other_reply_calls"] or figures["other_pushes"]:
        print(f"  calls for no event sent: replies {figures['other_reply_calls']}, pushes {figures['other_pushes']}")
    end = report["end"]
    print(f"  end state: inbox {end.get('inbox')} outbox {end.get('outbox')} media {end.get('media')}")
    for why, count in figures["unanswered_why"].items():
        print(f"  never answered ×{count}: {why}")
    if figures["twice_sample"]:
        print(f"  answered twice, e.g. {', '.join(figures['twice_sample'])}")
    if report["log_errors"]:
        print(f"  {len(report['log_errors'])} error lines in the logs, e.g. {report['log_errors'][0][:200]}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loopback_only(args.pg_url)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    started = time.monotonic()
    reports = []
    for kind in kinds:
        for name in args.names:
            print(f"... {name} on {kind}", flush=True)
            report = run_scenario(name, kind, args)
            reports.append(report)
            print_table([report])
    print(f"\n=== faults: {len(reports)} runs in {time.monotonic() - started:.0f} s ===")
    print_table(reports)
    for report in reports:
        print_details(report)
    document = {
        "benchmark": "faults",
        "started": stamp,
        "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "git": git_describe(),
        "reports": reports,
    }
    path = args.out / f"faults-{args.db}-{stamp}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str))
    print(f"\nresults: {path.relative_to(servers.ROOT) if path.is_relative_to(servers.ROOT) else path}")
    bad = [
        r
        for r in reports
        if "error" in r
        or "accounting" in r
        and (
            r["accounting"]["never"]
            or r["accounting"]["answered_twice"]
            or r["accounting"]["lost"]
            or r["end"]["spool"]
        )
    ]
    return 1 if bad else 0
