"""The clock's jobs: module-level functions of a context and a period key, and their registration.

APScheduler calls ``fire(job_id)``; it asks the runner what is due for that job and runs it (claimed,
exactly once). ``--run JOB --period P`` calls the runner directly. Who receives what:

- monthly-open, monthly-reminder: each patrol unit's and department's registered LINE group;
- monthly-compile, quarterly-summary: the setting ``scheduler.recipients.secretariat``;
- monthly-overdue, the quarterly short version: ``scheduler.recipients.supervisors``;
- quota-warning: ``scheduler.recipients.admins``;
- patrol-round-*, camera-day-end: the patrol units' groups;
- retention-purge: nobody (it removes personal content past its retention period; counts go to the audit log).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import update

from line.messages import text
from line.report_cards import kpi_card, month_card, percent, risk_line
from models import MediaFile, MediaStatus
from models.timeutil import BANGKOK, thai_date, to_bangkok
from reports.periods import Period
from runtime import media, quota
from scheduler import triggers, workgroup_jobs
from scheduler.periods import Month, parse_day, parse_quarter, parse_round, split_step
from scheduler.policy import Policy, read
from scheduler.runner import JobContext, JobSpec, Runner, json_ready
from scheduler.versions import freeze
from services.privacy import retention
from texts import scheduler as t

log = logging.getLogger("scheduler")

THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
MAX_LISTED = 30
MONTH_REPORT = "riskpoint-month"
REPORT_PATH = "/admin/scheduler/reports/{id}"


def long_day(day: date) -> str:
    """e.g. 'วันอังคารที่ 7 เมษายน 2569'."""
    return f"วัน{THAI_WEEKDAYS[day.weekday()]}ที่ {thai_date(day)}"


def _listed(items: list[str]) -> str:
    """Bullet lines, at most MAX_LISTED, then how many more."""
    lines = [f"• {item}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"• และอีก {len(items) - MAX_LISTED} รายการ")
    return "\n".join(lines)


def _deadline(month: Month, policy: Policy) -> datetime:
    """When the month's report is compiled (the deadline, moved by the holiday policy)."""
    return triggers.monthly_steps(month, policy)["monthly-compile"]


def _report_due(month: Month, policy: Policy) -> datetime:
    """The first instant after the nominal due day: reports in before it are on time."""
    return datetime.combine(month.next().day(policy.due_day) + timedelta(days=1), time.min, BANGKOK)


# --- the monthly cycle ---------------------------------------------------------------------------------


def monthly_open(ctx: JobContext, period: str) -> str:
    """Day 1: each unit's group learns what the month report needs, with its draft figures."""
    month = Month.parse(period)
    deadline = _deadline(month, ctx.policy)
    with ctx.session() as session:
        units = ctx.risk.reporting_units(session, month, drafts=True)
    by_group = defaultdict(list)
    for unit in units:
        if unit.line_id:
            body = t.MONTH_OPEN.format(
                month=month.label(),
                unit=unit.name,
                needs=t.KIND_NEEDS.get(unit.kind, t.KIND_NEEDS["department"]),
                draft=unit.draft or t.NO_DRAFT,
                deadline=long_day(to_bangkok(deadline).date()),
                time=f"{to_bangkok(deadline):%H:%M}",
            )
            by_group[unit.line_id].append(text(body))
    ctx.send.to_each(by_group)
    return f"{len(units)} units, {sum(1 for u in units if not u.line_id)} without a group"


def monthly_reminder(ctx: JobContext, period: str) -> str:
    """Day 5 and the deadline's morning: the units that have not submitted are reminded."""
    base, step = split_step(period)
    month = Month.parse(base)
    deadline = _deadline(month, ctx.policy)
    last_day = step == f"day{ctx.policy.due_day}"
    with ctx.session() as session:
        units = ctx.risk.reporting_units(session, month)
        submitted = ctx.risk.submitted(session, month)
    pending = [unit for unit in units if unit.id not in submitted and unit.line_id]
    template = t.REMINDER_LAST_DAY if last_day else t.REMINDER
    by_group = defaultdict(list)
    for unit in pending:
        body = template.format(
            month=month.label(),
            unit=unit.name,
            deadline=long_day(to_bangkok(deadline).date()),
            time=f"{to_bangkok(deadline):%H:%M}",
        )
        by_group[unit.line_id].append(text(body))
    ctx.send.to_each(by_group)
    return f"{len(pending)} of {len(units)} units reminded"


def monthly_compile(ctx: JobContext, period: str) -> str:
    """The deadline, 17:00: compile the month, freeze it as a numbered version, card to the secretariat."""
    month = Month.parse(period)
    with ctx.session() as session:
        data = json_ready(ctx.risk.compile_month(session, month))
        version = freeze(session, MONTH_REPORT, month.key, data, run_key=ctx.key, by="clock")
        version_id, number = version.id, version.version
    note = None
    if ctx.late and ctx.due_at is not None:
        note = t.LATE_NOTE.format(due=long_day(to_bangkok(ctx.due_at).date()))
    card = month_card(data, month.label(), number, ctx.link(REPORT_PATH.format(id=version_id)), note)
    ctx.send.to_all(ctx.recipients("secretariat"), [card])
    return f"version {number}"


def monthly_overdue(ctx: JobContext, period: str) -> str:
    """Day 8: supervisors get the units whose report is missing (and those that came late)."""
    month = Month.parse(period)
    due = _report_due(month, ctx.policy)
    with ctx.session() as session:
        units = ctx.risk.reporting_units(session, month)
        submitted = ctx.risk.submitted(session, month)
    missing = [unit.name for unit in units if unit.id not in submitted]
    late = [unit.name for unit in units if unit.id in submitted and submitted[unit.id] >= due]
    if not missing and not late:
        return "every unit submitted on time"
    body = t.OVERDUE.format(
        month=month.label(),
        deadline=long_day(month.next().day(ctx.policy.due_day)),
        count=len(missing),
        units=_listed(missing) or "• -",
    )
    if late:
        body += t.OVERDUE_LATE.format(count=len(late), units=_listed(late))
    ctx.send.to_all(ctx.recipients("supervisors"), [text(body)])
    return f"{len(missing)} missing, {len(late)} late"


# --- quarterly and year-end ----------------------------------------------------------------------------


def _network_kpi(session, period: Period):
    """The network KPI for a fiscal year, or as reached by the end of a quarter (cumulative from 1 October)."""
    from reports import network_kpi as nk

    year_to_date = getattr(nk, "YearToDate", None)
    if period.quarter is not None and year_to_date is not None:
        return nk.network_kpi(session, year_to_date(period.fiscal_year, period.quarter))
    return nk.network_kpi(session, period)


def _checklist(kpi) -> list[dict]:
    """Seed 000's evidence list (section 9) against the data, when the network KPI module offers it."""
    from reports import network_kpi as nk

    checklist = getattr(nk, "evidence_checklist", None)
    if checklist is None:
        return []
    return [{"label": item.label, "present": item.present, "detail": item.detail} for item in checklist(kpi)]


def kpi_summary(session, period: Period, risk) -> dict:
    """Both KPIs for a fiscal quarter or year, JSON-ready (what the card and the document show)."""
    kpi = _network_kpi(session, period)
    compliance = risk.compliance(session, period) if risk.available() else None
    target = getattr(kpi, "target", None)
    return json_ready(
        {
            "period_label": period.label(),
            "fiscal_year": period.fiscal_year,
            "quarter": period.quarter,
            "network": {
                "level": kpi.level,
                "target": int(target if target is not None else read(session, "network.kpi_target", 4)),
                "as_of": kpi.period.label(),
                "checklist": _checklist(kpi),
                "levels": [
                    {
                        "level": result.level,
                        "title": result.title,
                        "achieved": result.achieved,
                        "reason": result.reason,
                        "evidence": result.evidence,
                    }
                    for result in kpi.levels
                ],
            },
            "risk": compliance,
        }
    )


def _supervisor_text(summary: dict, link: str, year_end: bool) -> str:
    network = summary["network"]
    return t.SUPERVISOR_SHORT.format(
        title=t.YEAR_CARD_TITLE if year_end else t.QUARTER_CARD_TITLE,
        period=summary["period_label"],
        level=network["level"],
        target=network["target"],
        met=t.TARGET_MET if network["level"] >= network["target"] else t.TARGET_NOT_MET,
        risk=risk_line(summary.get("risk")),
        link=link,
    )


def quarterly_summary(ctx: JobContext, period: str) -> str:
    """After a fiscal quarter: the KPI card to the secretariat, a short text to supervisors; Q4 adds the year."""
    quarter = parse_quarter(period)
    reports = [(quarter, "quarterly", period, False)]
    if quarter.quarter == 4:
        reports.append((Period(quarter.fiscal_year), "year-end", str(quarter.fiscal_year), True))
    cards, texts = [], []
    with ctx.session() as session:
        for span, kind, key, year_end in reports:
            summary = kpi_summary(session, span, ctx.risk)
            version = freeze(session, kind, key, summary, run_key=ctx.key, by="clock")
            link = ctx.link(REPORT_PATH.format(id=version.id))
            cards.append(kpi_card(summary, link, year_end=year_end))
            texts.append(text(_supervisor_text(summary, link, year_end)))
    ctx.send.to_all(ctx.recipients("secretariat"), cards)
    ctx.send.to_all(ctx.recipients("supervisors"), texts)
    return f"{len(cards)} summaries"


# --- daily ---------------------------------------------------------------------------------------------


def _round_label(policy: Policy, number: int) -> str:
    name, start, end = policy.rounds[number - 1] if 0 < number <= len(policy.rounds) else (f"รอบที่ {number}", "", "")
    return f"{name} {start}–{end} น." if start else name


def patrol_round_warning(ctx: JobContext, period: str) -> str:
    """Before a round closes: each unit's group gets the points it still has to visit."""
    day, number = parse_round(period)
    with ctx.session() as session:
        pending = ctx.risk.unvisited(session, day, number)
    minutes = int(ctx.policy.round_warning.total_seconds() // 60)
    label = _round_label(ctx.policy, number)
    ctx.send.to_each(
        {
            line_id: [
                text(
                    t.ROUND_WARNING.format(
                        minutes=minutes,
                        round=label,
                        day=thai_date(day, short=True),
                        count=len(points),
                        points=_listed(points),
                    )
                )
            ]
            for line_id, points in pending.items()
        }
    )
    return f"{sum(len(p) for p in pending.values())} points in {len(pending)} groups"


def patrol_round_close(ctx: JobContext, period: str) -> str:
    """A round's end: its misses are recorded and each unit's group told, in one transaction."""
    day, number = parse_round(period)
    with ctx.session() as session:
        count = ctx.risk.close_round(
            session, day, number, ctx.now, lambda line_id, messages: ctx.send.to_in(session, line_id, messages)
        )
    return f"{count} misses recorded"


def camera_day_end(ctx: JobContext, period: str) -> str:
    """Before the day ends: each unit's group gets the cameras not yet checked today."""
    day = parse_day(period)
    with ctx.session() as session:
        missing = ctx.risk.missing_cameras(session, day)
    day_label = thai_date(day, short=True)
    ctx.send.to_each(
        {
            line_id: [text(t.CAMERAS_MISSING.format(day=day_label, count=len(cameras), cameras=_listed(cameras)))]
            for line_id, cameras in missing.items()
        }
    )
    return f"{sum(len(c) for c in missing.values())} cameras in {len(missing)} groups"


# --- maintenance -----------------------------------------------------------------------------------------

REQUEUE_AFTER = timedelta(hours=6)
REQUEUE_TRIES = 3


def media_retry(ctx: JobContext, period: str) -> str:
    """Failed downloads of recent media get a few more tries (at most every six hours); then fetch what is due."""
    runner = ctx.runner
    with ctx.session() as session:
        days = int(read(session, "scheduler.media_retry_days", 3))
        requeued = session.execute(
            update(MediaFile)
            .where(
                MediaFile.status == MediaStatus.FAILED,
                MediaFile.created_at >= ctx.now - timedelta(days=days),
                MediaFile.next_attempt_at <= ctx.now - REQUEUE_AFTER,
            )
            .values(status=MediaStatus.PENDING, attempts=media.MAX_ATTEMPTS - REQUEUE_TRIES, next_attempt_at=ctx.now)
            .execution_options(synchronize_session=False)
        ).rowcount
    stored = 0
    if runner.media_store is not None:
        stored = media.fetch_due(runner.sessions, runner.messenger, runner.media_store)
    return f"{requeued} requeued, {stored} stored"


def quota_watch(ctx: JobContext, period: str) -> str:
    """Read LINE's quota; warn the admins once a month at 80% and once at 100%."""
    runner = ctx.runner
    quota.refresh_if_stale(runner.sessions, runner.messenger, now=ctx.now)
    with runner.sessions() as session:
        state = quota.current_state(session, ctx.now)
    if state.ratio is None:
        return "no limit"
    month = Month.of(ctx.now).key
    for threshold in (80, 100):
        if state.ratio * 100 >= threshold:
            runner.run("quota-warning", f"{month}:{threshold}")
    return f"{state.used}/{state.limit}"


def quota_warning(ctx: JobContext, period: str) -> str:
    """The admins' warning that the month's push quota is at 80% or spent (urgent: it never waits)."""
    base, threshold = split_step(period)
    with ctx.runner.sessions() as session:
        state = quota.current_state(session, ctx.now)
        waiting = quota.waiting_for_quota(session)
    month = Month.parse(base).label()
    limit = state.limit or 0
    if threshold == "100":
        body = t.QUOTA_EXHAUSTED.format(month=month, used=state.used, limit=limit, waiting=waiting)
    else:
        shown = percent(100 * state.used / limit if limit else None).rstrip("%")
        body = t.QUOTA_WARNING.format(month=month, used=state.used, limit=limit, percent=shown)
    for recipient in ctx.recipients("admins"):
        ctx.send.to(recipient, [text(body)], urgent=True)
    return body.splitlines()[0][:80]


RETENTION_ACTOR = "clock"


def retention_purge(ctx: JobContext, period: str) -> str:
    """Daily: remove personal content past its retention period (services/privacy/retention.py), files included."""
    counts = retention.purge(ctx.runner.sessions, ctx.now, actor=RETENTION_ACTOR, store=ctx.runner.media_store).counts
    return (
        f"{counts.inbox_payloads} inbox payloads, {counts.rejected_bodies} rejected bodies,"
        f" {counts.outbox_messages} outbox messages, {counts.media_files} media,"
        f" {counts.report_contents} report contents, {counts.departed_members} departed members removed"
    )


JOBS: dict[str, JobSpec] = {
    spec.id: spec
    for spec in (
        JobSpec("monthly-open", monthly_open, stale_after=timedelta(days=4), needs="riskpoints"),
        JobSpec("monthly-reminder", monthly_reminder, stale_after=timedelta(hours=8), needs="riskpoints"),
        JobSpec("monthly-compile", monthly_compile, stale_after=timedelta(days=24), needs="riskpoints"),
        JobSpec("monthly-overdue", monthly_overdue, stale_after=timedelta(days=20), needs="riskpoints"),
        JobSpec("quarterly-summary", quarterly_summary, stale_after=timedelta(days=60)),
        JobSpec("patrol-round-warning", patrol_round_warning, stale_after=timedelta(minutes=50), needs="riskpoints"),
        JobSpec("patrol-round-close", patrol_round_close, stale_after=timedelta(days=2), needs="riskpoints"),
        JobSpec("camera-day-end", camera_day_end, stale_after=timedelta(hours=3), needs="riskpoints"),
        JobSpec("workgroup-meetings", workgroup_jobs.meetings_behind, stale_after=timedelta(days=5), needs="workgroup"),
        JobSpec("workgroup-actions", workgroup_jobs.action_items, stale_after=timedelta(hours=10), needs="workgroup"),
        JobSpec(
            "workgroup-forwards", workgroup_jobs.forward_reminders, stale_after=timedelta(days=2), needs="workgroup"
        ),
        JobSpec("retention-purge", retention_purge, stale_after=timedelta(hours=20)),
        JobSpec("media-retry", media_retry, claimed=False),
        JobSpec("quota-watch", quota_watch, claimed=False),
        JobSpec("quota-warning", quota_warning, scheduled=False),
    )
}


def _month_step(period: str) -> None:
    base, step = split_step(period)
    Month.parse(base)
    if step is not None and not re.fullmatch(r"day\d{1,2}", step):
        raise ValueError(f"not a monthly step (e.g. 2569-03:day5): {period!r}")


def _month_threshold(period: str) -> None:
    base, step = split_step(period)
    Month.parse(base)
    if step not in ("80", "100"):
        raise ValueError(f"not a quota warning period (e.g. 2569-03:80): {period!r}")


def _slot(period: str) -> None:
    day, _, clock = period.partition("T")
    parse_day(day)
    if not re.fullmatch(r"\d{2}:\d{2}", clock):
        raise ValueError(f"not a time slot (e.g. 2569-03-15T10:30): {period!r}")


PERIOD_CHECKS = {
    "monthly-open": Month.parse,
    "monthly-reminder": _month_step,
    "monthly-compile": Month.parse,
    "monthly-overdue": Month.parse,
    "quarterly-summary": parse_quarter,
    "patrol-round-warning": parse_round,
    "patrol-round-close": parse_round,
    "camera-day-end": parse_day,
    "workgroup-meetings": Month.parse,
    "workgroup-actions": parse_day,
    "workgroup-forwards": parse_day,
    "retention-purge": parse_day,
    "media-retry": _slot,
    "quota-watch": _slot,
    "quota-warning": _month_threshold,
}


def check_period(job: str, period: str) -> None:
    """Raise ValueError unless the period key has the shape the job takes."""
    if job not in JOBS:
        raise ValueError(f"no such job: {job}")
    PERIOD_CHECKS[job](period)


_RUNNER: Runner | None = None


def fire(job_id: str) -> None:
    """What APScheduler calls: run whatever of this job is due now (claimed jobs exactly once)."""
    runner = _RUNNER
    if runner is None:
        raise RuntimeError("register_jobs was not given a runner")
    spec = runner.jobs[job_id]
    if spec.claimed:
        runner.run_due(jobs=[job_id])
        return
    now = runner.clock()
    slot = triggers.occurrences(job_id, runner.policy(), now - timedelta(hours=1), now + timedelta(microseconds=1))
    if slot:
        runner.run(job_id, slot[-1].period)


def sweep() -> None:
    """Every few minutes: run anything due that a firing missed (a settings change, a failure to resume)."""
    runner = _RUNNER
    if runner is None:
        raise RuntimeError("register_jobs was not given a runner")
    runner.run_due()
    refresh_triggers(runner.scheduler)


SWEEP_MINUTES = 5


def register_jobs(scheduler: BaseScheduler, runner: Runner | None = None) -> int:
    """Add every scheduled job with an explicit id (replace_existing=True) and the sweep; return how many."""
    global _RUNNER
    if runner is not None:
        _RUNNER = runner
        runner.scheduler = scheduler
    try:
        policy = runner.policy() if runner is not None else Policy.load(None)
    except Exception as exc:  # the database is down: the defaults until the sweep re-times the jobs
        log.warning("settings unavailable (%s); jobs timed by the defaults", type(exc).__name__)
        policy = Policy.load(None)
    count = 0
    for spec in JOBS.values():
        if not spec.scheduled:
            continue
        scheduler.add_job(
            fire,
            trigger=triggers.PolicyTrigger(spec.id, policy),
            args=[spec.id],
            id=spec.id,
            name=t.JOB_TITLES.get(spec.id, spec.id),
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
        )
        count += 1
    scheduler.add_job(
        sweep,
        trigger="interval",
        minutes=SWEEP_MINUTES,
        id="sweep",
        name="ตรวจงานที่ค้าง (catch-up)",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    return count


def refresh_triggers(scheduler: BaseScheduler | None) -> None:
    """Re-time the jobs when the settings changed since they were registered."""
    runner = _RUNNER
    if scheduler is None or runner is None:
        return
    policy = runner.policy()
    for spec in JOBS.values():
        job = scheduler.get_job(spec.id)
        if job is not None and isinstance(job.trigger, triggers.PolicyTrigger) and job.trigger.policy != policy:
            scheduler.reschedule_job(spec.id, trigger=triggers.PolicyTrigger(spec.id, policy))
