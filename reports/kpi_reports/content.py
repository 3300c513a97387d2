"""A quarterly KPI report's content (the seeds' sections 1, 5, 6 and 9 and the annex rows), built from the models.

``build(session, kpi, fiscal_year, quarter)`` gives a ``KpiContent`` (reports/kpi_reports/tree.py): the
indicator's name, target and result by the end of the quarter (cumulative from 1 October), the results of
quarters 1 to 4 (those up to the asked one filled from the data, the later ones marked not yet due) and of the
year's end (filled for quarter 4), the evidence list marked present or absent, and the annex's rows for the
XLSX. The narrative sections (2, 3, 4, 7, 8 and a note per quarter) are not here: they are the KPI's
configuration as edited (services/kpi_reports.py). Strings are final Thai with Arabic digits.
The network's parts are here; the risk points' in riskpoint_content.py.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import Chat, NewsReport, Occupation, ReportCategory
from models.office import office_profile
from models.periods import Period
from models.timeutil import fiscal_quarter, thai_date, to_bangkok, utcnow
from reports import network_kpi as nk
from reports.kpi_reports.network_text import level_lines
from reports.kpi_reports.riskpoint_content import riskpoint_content
from reports.kpi_reports.tree import (
    EvidenceItem,
    Figure,
    KpiContent,
    LevelStatus,
    QuarterResult,
    Sheet,
    as_of_day,
    from_json,
    span_text,
    to_json,
)
from texts import kpi_reports as t
from texts import workgroup as wt

__all__ = [
    "EvidenceItem",
    "Figure",
    "KpiContent",
    "LevelStatus",
    "QuarterResult",
    "Sheet",
    "build",
    "from_json",
    "to_json",
]


def build(session: Session, kpi: str, fiscal_year: int, quarter: int, *, now: datetime | None = None) -> KpiContent:
    """The content of one KPI's report for a fiscal year up to the end of a quarter."""
    if kpi not in t.KPIS or not 1 <= quarter <= 4:
        raise ValueError(f"no such KPI report: {kpi} {fiscal_year} Q{quarter}")
    if kpi == t.NETWORK:
        return network_content(session, fiscal_year, quarter, now=now)
    return riskpoint_content(session, fiscal_year, quarter, now=now)


# --- the network ---------------------------------------------------------------------------------------------------


def _levels(kpi: nk.NetworkKpi) -> list[LevelStatus]:
    return [
        LevelStatus(r.level, r.title, r.achieved, r.reason, level_lines(r.level, nk_json(r.evidence)))
        for r in kpi.levels
    ]


def nk_json(evidence: dict) -> dict:
    """A level's evidence with every value JSON-ready (as the clock stores it)."""
    return json.loads(json.dumps(evidence, ensure_ascii=False, default=str))


def _network_quarter(number: int, span: Period, kpi: nk.NetworkKpi) -> QuarterResult:
    return QuarterResult(number, span_text(span), True, level=kpi.level, levels=_levels(kpi))


def network_content(session: Session, fiscal_year: int, quarter: int, *, now: datetime | None = None) -> KpiContent:
    """The network KPI's report: levels reached by the end of each quarter and what proves each."""
    now = now or utcnow()
    ytd = Period.year_to_date(fiscal_year, quarter)
    kpi = nk.network_kpi(session, ytd, now)
    quarters = []
    for number in (1, 2, 3, 4):
        span = Period.of_quarter(fiscal_year, number)
        if number > quarter:
            quarters.append(QuarterResult(number, span_text(span), False))
            continue
        reached = kpi if number == quarter else nk.network_kpi(session, Period.year_to_date(fiscal_year, number), now)
        quarters.append(_network_quarter(number, span, reached))
    year = Period.of_fiscal_year(fiscal_year)
    year_end = _network_quarter(5, year, kpi) if quarter == 4 else QuarterResult(5, span_text(year), False)
    evidence = [EvidenceItem(item.label, item.present, item.detail) for item in nk.evidence_checklist(kpi)]
    return KpiContent(
        kpi=t.NETWORK,
        fiscal_year=fiscal_year,
        quarter=quarter,
        office=office_profile(session).name,
        name=t.NAMES[t.NETWORK],
        unit=t.UNITS[t.NETWORK],
        target=float(kpi.target or 0),
        result=float(kpi.level),
        result_text=str(kpi.level),
        span=span_text(ytd),
        as_of=thai_date(as_of_day(ytd, now)),
        levels=_levels(kpi),
        quarters=quarters,
        year_end=year_end,
        evidence=evidence,
        annex=network_annex(session, ytd, kpi),
    )


def network_annex(session: Session, span: Period, kpi: nk.NetworkKpi) -> list[Sheet]:
    """The rows behind the network KPI: groups, reports received (no reporter), meetings, forwards, measures."""
    evidence = {result.level: nk_json(result.evidence) for result in kpi.levels}
    return [
        _groups_sheet(session, span),
        _reports_sheet(session, span),
        _meetings_sheet(evidence.get(4, {})),
        _forwards_sheet(evidence.get(5, {})),
        Sheet(
            t.SHEET_MEASURES,
            ["ที่", "ประเภท", "เรื่อง", "หน่วยงาน", "เขต", "แจ้งเมื่อ", "ส่งต่อเลขที่"],
            [
                [
                    n,
                    m.get("kind"),
                    m.get("title"),
                    m.get("agency"),
                    m.get("district") or "-",
                    m.get("reported_on"),
                    m.get("forward"),
                ]
                for n, m in enumerate(evidence.get(5, {}).get("measures") or [], start=1)
            ],
        ),
    ]


def _groups_sheet(session: Session, span: Period) -> Sheet:
    names = dict(session.execute(select(Occupation.code, Occupation.name)).all())
    groups = session.scalars(
        select(Chat)
        .where(Chat.purpose == "network", Chat.registered_at < span.ends)
        .where(or_(Chat.left_at.is_(None), Chat.left_at >= span.starts))
        .order_by(Chat.registered_at, Chat.id)
    )
    rows = [
        [
            number,
            group.name or "-",
            names.get(group.occupation_code, group.occupation_code or "-"),
            group.member_count,
            thai_date(group.registered_at) if group.registered_at else "-",
        ]
        for number, group in enumerate(groups, start=1)
    ]
    return Sheet(t.SHEET_GROUPS, ["ที่", "ชื่อกลุ่ม LINE", "กลุ่มอาชีพ", "จำนวนสมาชิก (คน)", "เริ่มใช้เมื่อ"], rows)


def _reports_sheet(session: Session, span: Period) -> Sheet:
    query = (
        select(NewsReport.ref_no, NewsReport.started_at, ReportCategory.name, NewsReport.district)
        .outerjoin(ReportCategory, ReportCategory.code == NewsReport.category_code)
        .where(NewsReport.status.in_(nk.COUNTED_REPORTS))
        .where(NewsReport.started_at >= span.starts, NewsReport.started_at < span.ends)
        .order_by(NewsReport.started_at, NewsReport.id)
    )
    rows = []
    for number, (ref, started, category, district) in enumerate(session.execute(query), start=1):
        day = to_bangkok(started).date()
        rows.append(
            [number, ref or "-", thai_date(day), fiscal_quarter(day), category or wt.UNCATEGORISED, district or "-"]
        )
    return Sheet(t.SHEET_REPORTS, ["ที่", "เลขที่ข่าว", "วันที่รับ", "ไตรมาส", "หมวดข่าว", "เขต"], rows)


def _meetings_sheet(evidence: dict) -> Sheet:
    rows = []
    counted = [(m, None) for m in evidence.get("meetings") or []]
    skipped = [(m, m.get("why_not")) for m in evidence.get("not_counted") or []]
    for number, (meeting, why) in enumerate(counted + skipped, start=1):
        rows.append(
            [
                number,
                meeting.get("date"),
                meeting.get("kind"),
                meeting.get("title"),
                meeting.get("committee"),
                t.YES if why is None else t.NO,
                why or "-",
                meeting.get("reports_considered"),
                t.YES if meeting.get("has_minutes") else t.NO,
            ]
        )
    header = ["ที่", "วันที่", "ประเภท", "เรื่อง", "คณะทำงาน", "นับเป็นผลงาน", "เหตุที่ไม่นับ", "ข่าวที่พิจารณา"]
    return Sheet(t.SHEET_MEETINGS, [*header, "มีรายงานการประชุม"], rows)


def _forwards_sheet(evidence: dict) -> Sheet:
    rows = [
        [
            number,
            forward.get("ref_no"),
            forward.get("date"),
            forward.get("subject"),
            forward.get("kind"),
            forward.get("agencies"),
            forward.get("acknowledged"),
            t.YES if forward.get("via_line") else t.NO,
        ]
        for number, forward in enumerate(evidence.get("forwards") or [], start=1)
    ]
    header = ["ที่", "เลขที่", "วันที่ส่ง", "เรื่อง", "สิ่งที่ส่ง", "หน่วยงาน", "รับทราบแล้ว", "ส่งทาง LINE"]
    return Sheet(t.SHEET_FORWARDS, header, rows)
