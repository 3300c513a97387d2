"""The risk-point KPI's evidence (seed 004): patrol and camera logs, month reports; defects and letters elsewhere.

Seed 004 counts three parts (section 4): fixing the surroundings (defects, work orders, letters:
evidence_defects.py), watching the points (patrols twice a day, cameras once a day: one workbook per
month here) and the month reports (here); its evidence (section 9) is photos and the reports made to
superiors. Who checked in is not in the pack: points, days, rounds and times prove the part.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from models import (
    CameraCheck,
    MonthlySubmission,
    PatrolCheck,
    ReportVersion,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    UnitKind,
)
from models.deadlines import DeadlineRule, on_time
from models.office import office_profile
from models.periods import Period
from models.settings import get_setting
from models.timeutil import thai_date, thai_datetime, to_bangkok
from reports import evidence_defects
from reports import riskpoint_compliance as rc
from reports.evidence_base import Context, Pack, Section, Task, workbook, yes_no
from texts import evidence as t
from texts import riskpoints as rt

UNIT_KINDS = {UnitKind.PATROL: "หน่วยสายตรวจ", UnitKind.DEPARTMENT: "หน่วยงานแก้ไข"}
METHODS = {"on_site": rt.BY_ON_SITE, "centre": rt.BY_CENTRE}
CAMERA_STATUS = {"working": rt.CAMERA_WORKING, "broken": rt.CAMERA_BROKEN}
SOURCES = {"line": "LINE", "web": "บันทึกผ่านหน้าผู้ดูแล", "api": "ระบบอื่น (API)"}
MONTH_REPORT = "riskpoint-month"
VERSION_KINDS = {"riskpoint-month": "รายงานจุดเสี่ยงภัยประจำเดือน", "quarterly": "สรุปตัวชี้วัดรายไตรมาส"}


def percent(done: int, required: int) -> str:
    """'ร้อยละ 95.00 (228/240)', or a dash when nothing was required."""
    if not required:
        return "-"
    return f"ร้อยละ {100 * done / required:.2f} ({done:,}/{required:,})"


def months_of(period: Period) -> list[Period]:
    """The calendar months a span touches, in order."""
    months, month = [], Period.month_of(period.first)
    while month.first <= period.last:
        months.append(month)
        month = month.next()
    return months


def plan(ctx: Context, parts: dict[str, Section], office: rc.Compliance) -> list[Task]:
    """The tasks that fill folders 06-09, with their counts and what is missing."""
    parts["patrols"].result = (
        f"ตรวจตรา {percent(office.patrols_done, office.patrols_required)} · "
        f"ตรวจกล้อง {percent(office.cameras_done, office.cameras_required)}"
    )
    parts["defects"].result = f"แก้ไขสภาพแวดล้อมที่พบในช่วงนี้ {percent(office.defects_fixed, office.defects_opened)}"
    parts["monthly"].result = f"ส่งรายงานประจำเดือนทันกำหนด {percent(office.reports_on_time, office.reports_expected)}"
    return [
        *_patrols(ctx, parts["patrols"], office),
        *evidence_defects.defects(ctx, parts["defects"]),
        *evidence_defects.letters(ctx, parts["letters"]),
        *_monthly(ctx, parts["monthly"]),
    ]


def _in_service(month: Period):
    retired = or_(RiskPoint.retired_on.is_(None), RiskPoint.retired_on > month.first)
    return (RiskPoint.active_from <= month.last) & retired


def _patrols(ctx: Context, section: Section, office: rc.Compliance) -> list[Task]:
    session = ctx.session
    months = [m for m in months_of(ctx.period) if session.scalar(select(RiskPoint.id).where(_in_service(m)).limit(1))]
    points = session.scalar(select(RiskPoint.id).where(_in_service(ctx.period)).limit(1))
    section.count("เดือนที่มีจุดเสี่ยงภัยในความดูแล", len(months), "เดือน")
    section.count("ตรวจตราแล้ว / ต้องตรวจ", f"{office.patrols_done:,}/{office.patrols_required:,} ครั้ง")
    section.count("ตรวจกล้องแล้ว / ต้องตรวจ", f"{office.cameras_done:,}/{office.cameras_required:,} ตัว-วัน")
    if points is None:
        section.missing.append(t.NO_POINTS)
    return [_month_task(ctx, section, month) for month in months]


def _round_name(rounds: list, number: int) -> str:
    if number == 0:
        return rt.CHECKED_OUTSIDE_ROUND
    if isinstance(rounds, list) and 0 < number <= len(rounds) and isinstance(rounds[number - 1], dict):
        return str(rounds[number - 1].get("name") or f"รอบที่ {number}")
    return f"รอบที่ {number}"


def _month_task(ctx: Context, section: Section, month: Period) -> Task:
    def write(pack: Pack) -> None:
        session = ctx.session
        clipped = month.clipped(to_bangkok(ctx.now).date())
        per_point = rc.by_point(session, month, as_of=to_bangkok(ctx.now).date()) if clipped else {}
        points = {p.id: p for p in session.scalars(select(RiskPoint).order_by(RiskPoint.code))}
        summary = [
            [
                point.code,
                point.name,
                point.district,
                c.patrols_done,
                c.patrols_required,
                percent(c.patrols_done, c.patrols_required),
                c.cameras_done,
                c.cameras_required,
                percent(c.cameras_done, c.cameras_required),
            ]
            for pid, point in points.items()
            if (c := per_point.get(pid)) is not None and (c.patrols_required or c.cameras_required or c.patrols_done)
        ]
        rounds = get_setting(session, "riskpoints.rounds")
        patrols = [
            [
                thai_date(row.patrol_day),
                _round_name(rounds, row.round_no),
                row.code,
                row.name,
                row.district,
                thai_datetime(row.checked_at),
                round(row.distance_m) if row.distance_m is not None else "-",
                yes_no(row.photo_media_id is not None),
                SOURCES.get(row.source, "อื่น ๆ"),
            ]
            for row in session.execute(
                select(
                    PatrolCheck.patrol_day,
                    PatrolCheck.round_no,
                    PatrolCheck.checked_at,
                    PatrolCheck.distance_m,
                    PatrolCheck.photo_media_id,
                    PatrolCheck.source,
                    RiskPoint.code,
                    RiskPoint.name,
                    RiskPoint.district,
                )
                .join(RiskPoint, RiskPoint.id == PatrolCheck.point_id)
                .where(PatrolCheck.patrol_day.between(month.first, month.last))
                .order_by(PatrolCheck.patrol_day, PatrolCheck.round_no, RiskPoint.code, PatrolCheck.checked_at)
            )
        ]
        misses = [
            [
                thai_date(row.patrol_day),
                _round_name(rounds, row.round_no),
                row.code,
                row.name,
                rt.MISS_REASONS.get(row.reason, "ยังไม่แจ้งเหตุผล") if row.reason else "ยังไม่แจ้งเหตุผล",
            ]
            for row in session.execute(
                select(RoundMiss.patrol_day, RoundMiss.round_no, RoundMiss.reason, RiskPoint.code, RiskPoint.name)
                .join(RiskPoint, RiskPoint.id == RoundMiss.point_id)
                .where(RoundMiss.patrol_day.between(month.first, month.last))
                .order_by(RoundMiss.patrol_day, RoundMiss.round_no, RiskPoint.code)
            )
        ]
        cameras = [
            [
                thai_date(row.check_day),
                row.camera_code,
                row.code,
                CAMERA_STATUS.get(row.status.value, "-"),
                METHODS.get(row.method, "-"),
                thai_datetime(row.checked_at),
                row.note or "-",
            ]
            for row in session.execute(
                select(
                    CameraCheck.check_day,
                    CameraCheck.status,
                    CameraCheck.method,
                    CameraCheck.checked_at,
                    CameraCheck.note,
                    RiskCamera.code.label("camera_code"),
                    RiskPoint.code,
                )
                .join(RiskCamera, RiskCamera.id == CameraCheck.camera_id)
                .join(RiskPoint, RiskPoint.id == CameraCheck.point_id)
                .where(CameraCheck.check_day.between(month.first, month.last))
                .order_by(CameraCheck.check_day, RiskCamera.code, CameraCheck.checked_at)
            )
        ]
        summary_header = ["รหัสจุด", "ชื่อจุด", "เขต", "ตรวจตรา (ครั้ง)", "ต้องตรวจ (ครั้ง)", "ผลการตรวจตรา"]
        summary_header += ["ตรวจกล้อง (ตัว-วัน)", "ต้องตรวจกล้อง (ตัว-วัน)", "ผลการตรวจกล้อง"]
        patrol_header = ["วันที่", "รอบ", "รหัสจุด", "ชื่อจุด", "เขต", "เวลาเช็คอิน", "ระยะจากจุด (เมตร)", "มีรูปถ่าย"]
        camera_header = ["วันที่", "รหัสกล้อง", "รหัสจุด", "ผลตรวจ", "วิธีตรวจ", "เวลา", "หมายเหตุ"]
        data = workbook(
            [
                ("สรุปรายจุด", summary_header, summary),
                ("ตรวจตรา", [*patrol_header, "ช่องทาง"], patrols),
                ("รอบที่ไม่ได้ตรวจ", ["วันที่", "รอบ", "รหัสจุด", "ชื่อจุด", "เหตุผล"], misses),
                ("ตรวจกล้อง", camera_header, cameras),
            ]
        )
        label = month.label()
        proves = f"ตรวจตรา {len(patrols):,} ครั้ง ตรวจกล้อง {len(cameras):,} ครั้ง รอบที่ไม่ได้ตรวจ {len(misses):,} รอบ"
        order = (month.first.month - 10) % 12 + 1  # the month's place in the fiscal year, so names sort in order
        pack.add(section, f"{order:02d} {label} ตรวจตราและตรวจกล้อง.xlsx", data, f"{label}: {proves}")

    return write


def _monthly(ctx: Context, section: Section) -> list[Task]:
    session = ctx.session
    rule = DeadlineRule.load(session)
    months = [(y, m) for y, m in rc.months_ending_in(ctx.period) if rule.instant(y, m) <= ctx.now]  # due already
    units = list(
        session.scalars(
            select(RiskUnit)
            .where(RiskUnit.kind.in_((UnitKind.PATROL, UnitKind.DEPARTMENT)))
            .order_by(RiskUnit.kind, RiskUnit.name)
        )
    )
    active = [unit for unit in units if unit.is_active]
    frozen = _frozen_reports(ctx, section, months)
    if not active:
        section.missing.append(t.NO_UNITS)
        return frozen
    submissions = {
        (s.unit_id, s.year, s.month): s
        for s in session.scalars(
            select(MonthlySubmission).where(MonthlySubmission.year.in_({y for y, _ in months} or {-1}))
        )
    }
    expected = [(unit, y, m) for y, m in months for unit in active]
    sent = [(unit, y, m) for unit, y, m in expected if (unit.id, y, m) in submissions]
    timely = sum(1 for unit, y, m in sent if on_time(submissions[(unit.id, y, m)].submitted_at, rule.instant(y, m)))
    section.count("รายงานที่ต้องส่ง", len(expected), "ฉบับ")
    section.count("ส่งแล้ว (ทันกำหนด)", f"{len(sent):,} ({timely:,}) ฉบับ")
    if len(sent) < len(expected):
        section.missing.append(t.REPORTS_MISSING.format(count=len(expected) - len(sent)))

    def write(pack: Pack) -> None:
        rows = []
        for unit, y, m in expected:
            found = submissions.get((unit.id, y, m))
            deadline = rule.instant(y, m)
            rows.append(
                [
                    Period.of_month(y, m).label(),
                    unit.name,
                    UNIT_KINDS.get(unit.kind, "-"),
                    thai_datetime(deadline),
                    thai_datetime(found.submitted_at) if found else "ยังไม่ส่ง",
                    ("ทันกำหนด" if on_time(found.submitted_at, deadline) else "ล่าช้า") if found else "-",
                ]
            )
        keys = [Period.of_month(y, m).key for y, m in months]
        if ctx.quarter is not None:
            keys.append(ctx.period.key)
        else:
            keys += [Period.of_quarter(ctx.fiscal_year, q).key for q in (1, 2, 3, 4)]
        versions = [
            [
                VERSION_KINDS.get(v.kind, "รายงาน"),
                _period_label(v.period),
                v.version,
                thai_datetime(v.created_at),
                v.digest,
            ]
            for v in session.scalars(
                select(ReportVersion)
                .where(ReportVersion.period.in_(keys))
                .order_by(ReportVersion.period, ReportVersion.kind, ReportVersion.version)
            )
        ]
        header = ["เดือน", "หน่วย", "ประเภทหน่วย", "กำหนดส่ง", "ส่งเมื่อ", "ผล"]
        data = workbook(
            [
                ("การส่งรายงานประจำเดือน", header, rows),
                ("รายงานที่ตรึงไว้", ["รายงาน", "งวด", "ฉบับที่", "ตรึงเมื่อ", "ค่าตรวจสอบ (SHA-256)"], versions),
            ]
        )
        pack.add(
            section,
            "การส่งรายงานประจำเดือน.xlsx",
            data,
            "หน่วยที่ต้องส่งรายงานแต่ละเดือน วันที่ส่ง ทันกำหนดหรือไม่ และรายงานที่ตรึงเสนอผู้บังคับบัญชา",
        )

    return [write, *frozen]


def _frozen_reports(ctx: Context, section: Section, months: list[tuple[int, int]]) -> list[Task]:
    """Each month's newest frozen report (what day 7 sent to the supervisors), as its DOCX."""
    keys = {Period.of_month(y, m).key: Period.of_month(y, m) for y, m in months}
    newest: dict[str, ReportVersion] = {}
    for version in ctx.session.scalars(
        select(ReportVersion)
        .where(ReportVersion.kind == MONTH_REPORT, ReportVersion.period.in_(list(keys) or ["-"]))
        .order_by(ReportVersion.version)
    ):
        newest[version.period] = version
    section.count("รายงานประจำเดือนที่ตรึงเสนอผู้บังคับบัญชา", len(newest), "ฉบับ")
    in_service = [m for m in keys.values() if ctx.session.scalar(select(RiskPoint.id).where(_in_service(m)).limit(1))]
    unfrozen = [month.label() for month in in_service if month.key not in newest]  # a month with points to report
    if unfrozen:
        section.missing.append(t.NOT_FROZEN.format(months=", ".join(unfrozen)))
    return [_frozen_task(ctx, section, newest[key].id) for key in keys if key in newest]


def _frozen_task(ctx: Context, section: Section, version_id: int) -> Task:
    def write(pack: Pack) -> None:
        version = ctx.session.get(ReportVersion, version_id)
        label = _period_label(version.period)
        name = f"รายงานจุดเสี่ยงภัย {label} ฉบับที่ {version.version}.docx"
        pack.attempt(section, name, lambda: _month_document(ctx, version), f"รายงานประจำเดือน{label} ที่ตรึงและส่งแล้ว")

    return write


def _month_document(ctx: Context, version: ReportVersion) -> bytes:
    """The frozen month report as DOCX (reports/documents/month_report*.py, another part's documents)."""
    from reports.documents import month_report
    from reports.documents.month_report_docx import render_docx

    report = month_report.build(
        version.data,
        office=office_profile(ctx.session).name,
        version=version.version,
        frozen_at=version.created_at,
        actor=month_report.actor_name(ctx.session, version.created_by),
        digest=version.digest,
    )
    return render_docx(report)


def _period_label(key: str) -> str:
    try:
        return (Period.parse_quarter(key) if "-Q" in key else Period.parse_month(key)).label()
    except ValueError:
        return key
