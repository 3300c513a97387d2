"""The risk-point KPI's report content: percentages with their counts per quarter, the evidence and the annex.

The KPI and its parts come from reports/riskpoint_compliance.py (done and required over the same days, only
the days passed while a quarter runs); beside them each quarter tells the points and cameras in service,
defects fixed and how long they took, coordination letters sent, month reports on time and the police
stations' crime figures. The annex lists, for the asked quarter, each point's patrols and camera checks done
against required, the defects, the letters, the crime figures and the units' month reports.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    CameraCheck,
    CoordinationLetter,
    CrimeStat,
    Defect,
    MonthlySubmission,
    PatrolCheck,
    ReportVersion,
    RiskCamera,
    RiskPhoto,
    RiskPoint,
    RiskUnit,
    UnitKind,
)
from models.deadlines import DeadlineRule, on_time
from models.office import office_profile
from models.periods import Period
from models.timeutil import THAI_MONTHS, thai_date, thai_datetime, to_bangkok, to_be, utcnow
from reports import riskpoint_compliance as rc
from reports import riskpoint_month_details as details
from reports.kpi_reports.tree import EvidenceItem, Figure, KpiContent, QuarterResult, Sheet, as_of_day, span_text
from texts import kpi_reports as t

MONTH_REPORT = "riskpoint-month"  # the day-7 compilation's frozen versions (scheduler/versions.py)


def percent_text(value: float | None) -> str:
    """'95.83', or a dash."""
    return t.DASH if value is None else f"{value:.2f}"


def part(value: float | None, done: int, required: int) -> str:
    """'ร้อยละ 95.83 (115/120)', or that nothing was required."""
    if not required:
        return t.NOTHING_REQUIRED
    return t.PERCENT_OF.format(percent=percent_text(value), done=done, required=required)


def _months(span: Period) -> list[tuple[int, int]]:
    """The (CE year, month) pairs the span touches."""
    months, year, month = [], span.first.year, span.first.month
    while date(year, month, 1) <= span.last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_name(year: int, month: int) -> str:
    """'พฤศจิกายน 2569'."""
    return f"{THAI_MONTHS[month - 1]} {to_be(year)}"


def _in_service(first_col, retired_col, span: Period):
    return [first_col <= span.last, retired_col.is_(None) | (retired_col > span.first)]


def _crime(session: Session, span: Period) -> tuple[int, str]:
    months = _months(span)
    totals: Counter[str] = Counter()
    for year, month in months:
        rows = session.execute(
            select(CrimeStat.crime_type, func.sum(CrimeStat.cases))
            .where(CrimeStat.year == year, CrimeStat.month == month)
            .group_by(CrimeStat.crime_type)
        )
        for kind, cases in rows:
            totals[kind] += int(cases or 0)
    total = sum(totals.values())
    detail = " (" + ", ".join(f"{kind} {cases:,}" for kind, cases in sorted(totals.items())) + ")" if totals else ""
    return total, detail


def _letters(session: Session, span: Period) -> int:
    query = select(func.count()).where(
        CoordinationLetter.issued_at >= span.starts, CoordinationLetter.issued_at < span.ends
    )
    return int(session.scalar(query) or 0)


def figures(session: Session, span: Period, office: rc.Compliance) -> list[Figure]:
    """A span's figures: points and cameras, each part of the KPI with its counts, fixes, letters, reports, crime."""
    points = session.scalar(
        select(func.count())
        .select_from(RiskPoint)
        .where(*_in_service(RiskPoint.active_from, RiskPoint.retired_on, span))
    )
    cameras = session.scalar(
        select(func.count())
        .select_from(RiskCamera)
        .join(RiskPoint, RiskPoint.id == RiskCamera.point_id)
        .where(*_in_service(RiskCamera.active_from, RiskCamera.retired_on, span))
        .where(*_in_service(RiskPoint.active_from, RiskPoint.retired_on, span))
    )
    crime, crime_detail = _crime(session, span)
    avg = office.avg_days_to_fix
    return [
        Figure(t.RISK_POINTS, t.RISK_POINTS_VALUE.format(points=int(points or 0), cameras=int(cameras or 0))),
        Figure(t.RISK_PATROLS, part(office.patrol_percent, office.patrols_done, office.patrols_required)),
        Figure(t.RISK_CAMERAS, part(office.camera_percent, office.cameras_done, office.cameras_required)),
        Figure(t.RISK_DEFECTS, part(office.defect_percent, office.defects_fixed, office.defects_opened)),
        Figure(
            t.RISK_FIXED,
            t.RISK_FIXED_VALUE.format(
                count=office.fixed_in_span, days=t.DASH if avg is None else f"{avg:.1f}", open=office.open_at_end
            ),
        ),
        Figure(t.RISK_LETTERS, t.RISK_LETTERS_VALUE.format(count=_letters(session, span))),
        Figure(t.RISK_REPORTS, part(office.report_percent, office.reports_on_time, office.reports_expected)),
        Figure(t.RISK_CRIME, t.RISK_CRIME_VALUE.format(cases=crime, detail=crime_detail)),
        Figure(t.RISK_OVERALL, percent_text(office.overall_percent)),
    ]


def _quarter(session: Session, number: int, span: Period, today: date) -> QuarterResult:
    office = rc.compliance(session, span, as_of=today)
    return QuarterResult(
        number, span_text(span), True, figures=figures(session, span, office), percent=office.overall_percent
    )


def riskpoint_content(session: Session, fiscal_year: int, quarter: int, *, now: datetime | None = None) -> KpiContent:
    """The risk-point KPI's report: the percentage by the quarter's end, each quarter's figures, evidence, annex."""
    now = now or utcnow()
    today = to_bangkok(now).date()
    ytd = Period.year_to_date(fiscal_year, quarter)
    office = rc.compliance(session, ytd, as_of=today)
    quarters = []
    for number in (1, 2, 3, 4):
        span = Period.of_quarter(fiscal_year, number)
        if number > quarter:
            quarters.append(QuarterResult(number, span_text(span), False))
        else:
            quarters.append(_quarter(session, number, span, today))
    year = Period.of_fiscal_year(fiscal_year)
    year_end = _quarter(session, 5, year, today) if quarter == 4 else QuarterResult(5, span_text(year), False)
    return KpiContent(
        kpi=t.RISKPOINTS,
        fiscal_year=fiscal_year,
        quarter=quarter,
        office=office_profile(session).name,
        name=t.NAMES[t.RISKPOINTS],
        unit=t.UNITS[t.RISKPOINTS],
        target=100.0,
        result=office.overall_percent,
        result_text=percent_text(office.overall_percent),
        span=span_text(ytd),
        as_of=thai_date(as_of_day(ytd, now)),
        figures=figures(session, ytd, office),
        quarters=quarters,
        year_end=year_end,
        evidence=evidence(session, ytd, office, today),
        annex=annex(session, Period.of_quarter(fiscal_year, quarter), today),
    )


def evidence(session: Session, span: Period, office: rc.Compliance, today: date) -> list[EvidenceItem]:
    """Seed 004's evidence (photos, reports to superiors) and the logs and letters behind them, present or not."""
    photos = sum(
        int(session.scalar(query) or 0)
        for query in (
            select(func.count()).where(
                PatrolCheck.photo_media_id.is_not(None), PatrolCheck.patrol_day.between(span.first, span.last)
            ),
            select(func.count()).where(
                CameraCheck.photo_media_id.is_not(None), CameraCheck.check_day.between(span.first, span.last)
            ),
            select(func.count()).where(RiskPhoto.sent_at >= span.starts, RiskPhoto.sent_at < span.ends),
        )
    )
    months = [(y, m) for y, m in rc.months_ending_in(span) if Period.of_month(y, m).last < today]
    keys = [Period.of_month(y, m).key for y, m in months]
    frozen = set(
        session.scalars(
            select(ReportVersion.period).where(
                ReportVersion.kind == MONTH_REPORT, ReportVersion.period.in_(keys or ["-"])
            )
        )
    )
    letters = _letters(session, span)
    broken = int(
        session.scalar(
            select(func.count()).where(
                Defect.kind == "cctv", Defect.opened_at >= span.starts, Defect.opened_at < span.ends
            )
        )
        or 0
    )
    labels = t.RISK_EVIDENCE
    return [
        EvidenceItem(labels[0], photos > 0, f"{photos:,} ภาพ"),
        EvidenceItem(
            labels[1], bool(months) and len(frozen) == len(months), f"ตรึงแล้ว {len(frozen)}/{len(months)} เดือน"
        ),
        EvidenceItem(
            labels[2],
            office.patrols_done + office.cameras_done > 0,
            f"ตรวจตรา {office.patrols_done:,} ครั้ง ตรวจกล้อง {office.cameras_done:,} ครั้ง",
        ),
        EvidenceItem(
            labels[3],
            letters > 0 or broken == 0,
            f"{letters:,} ฉบับ (พบกล้องชำรุด {broken:,} ครั้ง)" if broken else "ไม่พบกล้องชำรุดที่ต้องประสาน",
        ),
    ]


def _when(value: str | None) -> str:
    return thai_datetime(datetime.fromisoformat(value)) if value else "-"


def annex(session: Session, span: Period, today: date) -> list[Sheet]:
    """The asked quarter's rows: per point, defects, letters, crime figures and the units' month reports."""
    where = details.places(session)
    by_point = rc.by_point(session, span, as_of=today)
    letters = details.letters(session, span, where)
    per_point = Counter(row["code"] for row in letters)
    point_rows = []
    for number, (point_id, entry) in enumerate(sorted(by_point.items(), key=lambda i: where[i[0]].code), start=1):
        place = where[point_id]
        point_rows.append(
            [
                number, place.code, place.name, place.district,
                entry.patrols_done, entry.patrols_required, entry.patrol_percent,
                entry.cameras_done, entry.cameras_required, entry.camera_percent,
                entry.defects_opened, entry.defects_fixed, per_point.get(place.code, 0),
            ]
        )  # fmt: skip
    point_header = ["ที่", "รหัสจุด", "ชื่อจุด", "เขต", "ตรวจตรา (ครั้ง)", "ต้องตรวจ (ครั้ง)", "ร้อยละตรวจตรา"]
    point_header += ["ตรวจกล้อง (ครั้ง)", "ต้องตรวจกล้อง (ครั้ง)", "ร้อยละตรวจกล้อง", "สภาพเสี่ยงที่พบ", "แก้ไขแล้ว"]
    defect_rows = [
        [n, r["code"], r["name"], r["district"], r["kind"], _when(r["opened_at"]), _when(r["fixed_at"]),
         r["days_to_fix"], r["order"] or "-", r["department"] or "-"]
        for n, r in enumerate(details.defects(session, span, where), start=1)
    ]  # fmt: skip
    letter_rows = [
        [n, r["number"], _when(r["issued_at"]), r["camera"], r["code"], r["name"], r["district"], r["agency"]]
        for n, r in enumerate(letters, start=1)
    ]
    crime_rows = []
    for year, month in _months(span):
        for r in details.crime(session, year, month, where):
            crime_rows.append(
                [
                    month_name(year, month),
                    r["place"],
                    r["district"] or "-",
                    r["crime_type"],
                    r["cases"],
                    r["station"] or "-",
                ]
            )
    return [
        Sheet(t.SHEET_POINTS, [*point_header, "หนังสือประสาน (ฉบับ)"], point_rows),
        Sheet(t.SHEET_DEFECTS, DEFECT_HEADER, defect_rows),
        Sheet(t.SHEET_LETTERS, ["ที่", "เลขที่หนังสือ", "ลงวันที่", "กล้อง", "รหัสจุด", "ชื่อจุด", "เขต", "ถึงหน่วยงาน"], letter_rows),
        Sheet(t.SHEET_CRIME, ["เดือน", "จุด/พื้นที่", "เขต", "ประเภทคดี", "จำนวนคดี", "สถานีตำรวจ"], crime_rows),
        _submissions(session, span, today),
    ]  # fmt: skip


DEFECT_HEADER = ["ที่", "รหัสจุด", "ชื่อจุด", "เขต", "สภาพที่พบ", "พบเมื่อ", "แก้ไขเสร็จเมื่อ", "ใช้เวลา (วัน)"]
DEFECT_HEADER += ["ใบสั่งงาน", "หน่วยที่แก้ไข"]


def _submissions(session: Session, span: Period, today: date) -> Sheet:
    rule = DeadlineRule.load(session)
    months = [(y, m) for y, m in rc.months_ending_in(span) if to_bangkok(rule.instant(y, m)).date() < today]
    units = list(
        session.scalars(
            select(RiskUnit)
            .where(RiskUnit.is_active, RiskUnit.kind.in_((UnitKind.PATROL, UnitKind.DEPARTMENT)))
            .order_by(RiskUnit.kind, RiskUnit.name)
        )
    )
    rows = []
    for year, month in months:
        submitted = dict(
            session.execute(
                select(MonthlySubmission.unit_id, MonthlySubmission.submitted_at).where(
                    MonthlySubmission.year == year, MonthlySubmission.month == month
                )
            ).all()
        )
        deadline = rule.instant(year, month)
        for unit in units:
            when = submitted.get(unit.id)
            verdict = "ยังไม่ส่ง" if when is None else ("ทันกำหนด" if on_time(when, deadline) else "หลังกำหนด")
            rows.append(
                [
                    month_name(year, month),
                    unit.name,
                    unit.district or "-",
                    thai_datetime(when) if when else "-",
                    verdict,
                ]
            )
    return Sheet(t.SHEET_SUBMISSIONS, ["เดือน", "หน่วย", "เขต", "ส่งเมื่อ", "ผล"], rows)
