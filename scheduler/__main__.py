"""`python -m scheduler`: the Procfile's clock process (never inside the web workers).

python -m scheduler                      catch up on missed periods, then run the jobs on time
python -m scheduler --list               every job and its next run times (Bangkok, Buddhist Era)
python -m scheduler --run JOB --period P run one period by hand (still exactly once)
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

from line.messenger import Messenger
from models.timeutil import BANGKOK, thai_datetime, utcnow
from runtime.config import ConfigError, load_config
from runtime.db import make_engine, make_session_factory
from runtime.logs import configure_logging
from scheduler import triggers
from scheduler.jobs.registry import JOBS, check_period
from scheduler.policy import Policy
from scheduler.registration import register_jobs
from scheduler.runner import Runner
from services.media_store import MediaStore
from texts import scheduler as t

log = logging.getLogger("scheduler")


def build_runner(config: dict) -> Runner:
    """The clock's runner: a session factory, the LINE messenger and the media store, nothing of the web."""
    return Runner(
        make_session_factory(make_engine(config["DATABASE_URL"])),
        Messenger(config["LINE_CHANNEL_ACCESS_TOKEN"], config.get("LINE_API_BASE_URL")),
        base_url=config["PUBLIC_BASE_URL"],
        media_store=MediaStore(config["MEDIA_DIR"]),
        instance_dir=config["INSTANCE_DIR"],
        secret_key=config["SECRET_KEY"],
    )


def list_jobs(policy: Policy, out=print) -> None:
    """Print every job with its next three run times in Thai local time."""
    now = utcnow()
    out(t.LIST_HEADER)
    for spec in JOBS.values():
        out(f"{spec.id}: {t.JOB_TITLES.get(spec.id, spec.id)}")
        upcoming = triggers.upcoming(spec.id, policy, now, 3) if spec.scheduled else []
        if not upcoming:
            out(t.LIST_NONE)
        for occurrence in upcoming:
            out(t.LIST_NEXT.format(when=thai_datetime(occurrence.due_at), period=occurrence.period))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description="FieldLine's clock process")
    parser.add_argument("--list", action="store_true", help="print every job and its next run times")
    parser.add_argument("--run", metavar="JOB", choices=sorted(JOBS), help="run one job for one period by hand")
    parser.add_argument("--period", metavar="P", help="the period for --run, e.g. 2569-03, 2569-03:day5, 2569-Q2")
    return parser


def main(argv: list[str], runner: Runner | None = None) -> int:
    """Start the blocking scheduler with every job, or list them, or run one by hand."""
    args = _parser().parse_args(argv)
    configure_logging()
    if args.run and not args.period:
        print("--run needs --period", file=sys.stderr)
        return 2
    if runner is None:
        try:
            runner = build_runner(load_config())
        except ConfigError as exc:
            if not args.list:
                print(exc, file=sys.stderr)
                return 2
            list_jobs(Policy.load(None))
            return 0
    if args.list:
        try:
            policy = runner.policy()
        except Exception as exc:  # the database may be down: the defaults still tell the rhythm
            log.warning("settings unavailable (%s); listing with the defaults", type(exc).__name__)
            policy = Policy.load(None)
        list_jobs(policy)
        return 0
    if args.run:
        try:
            check_period(args.run, args.period)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        outcome = runner.run(args.run, args.period, by_hand=True)
        if outcome.status == "done":
            print(t.RUN_DONE.format(key=outcome.key, sent=outcome.sent))
            return 0
        why = t.WHY_CLAIMED if outcome.status == "skipped" else t.WHY_FAILED
        print(t.RUN_SKIPPED.format(key=outcome.key, why=why))
        return 0 if outcome.status == "skipped" else 1
    return serve(runner)


def serve(runner: Runner) -> int:
    """Catch up on what was missed, then run the jobs on time until stopped."""
    try:
        outcomes = runner.run_due()
        log.info("catch-up: %s run(s), %s late", len(outcomes), sum(1 for o in outcomes if o.late))
    except Exception as exc:  # the database may be down; the sweep tries again in a few minutes
        log.warning("catch-up postponed: %s", type(exc).__name__)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # the runner logs each run itself
    scheduler = BlockingScheduler(timezone=BANGKOK)
    count = register_jobs(scheduler, runner)
    log.info("clock started with %s jobs", count)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
