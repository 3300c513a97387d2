"""`python -m scheduler`: the Procfile's clock process."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

from bot.logs import configure_logging
from models.timeutil import BANGKOK
from scheduler.jobs import register_jobs

log = logging.getLogger("scheduler")


def main(argv: list[str]) -> int:
    """Start the blocking scheduler with every registered job (or list them)."""
    configure_logging()
    scheduler = BlockingScheduler(timezone=BANGKOK)
    count = register_jobs(scheduler)
    if "--list" in argv:
        for job in scheduler.get_jobs():
            print(job.id, job.trigger)
        if not count:
            print("ยังไม่มีงานตามกำหนดเวลา (no jobs are registered yet)")
        return 0
    if not count:
        log.info("no jobs are registered yet; the clock idles until the scheduler issue lands")
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
