"""The quarterly and year-end KPI summary: the network KPI and the risk-point compliance, frozen and sent.

quarterly-summary: after each fiscal quarter, the card to ``scheduler.recipients.secretariat`` and a short
text to ``scheduler.recipients.supervisors``; the fourth quarter adds the fiscal year's summary. Both link the
frozen summary as a document through a signed, expiring link (bot/admin/kpi_report_files.py serves it).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from line.messages import text
from line.report_cards import kpi_card, risk_line
from models import ReportVersion
from models.periods import Period
from reports import network_kpi as nk
from reports import riskpoint_compliance as rc
from reports.documents import pdf
from runtime.downloads import download_link
from scheduler.context import JobContext
from scheduler.versions import REPORT_PATH, freeze, json_ready
from services.kpi_reports import SUMMARY_LINK
from texts import scheduler as t

SUMMARY_LINK_TTL = timedelta(days=30)  # a quarter's card is read for weeks after it is sent


def network_kpi(session: Session, period: Period) -> nk.NetworkKpi:
    """The network KPI for a fiscal year, or as reached by the end of a quarter (cumulative from 1 October)."""
    if period.quarter is not None:
        return nk.network_kpi(session, Period.year_to_date(period.fiscal_year, period.quarter))
    return nk.network_kpi(session, period)


def risk_compliance(session: Session, period: Period) -> dict:
    """The risk-point KPI parts and percentages for a fiscal quarter or year."""
    if period.quarter is None:
        span = Period.of_fiscal_year(period.fiscal_year)
    else:
        span = Period.of_quarter(period.fiscal_year, period.quarter)
    return rc.compliance(session, span).as_dict()


def kpi_summary(session: Session, period: Period) -> dict:
    """Both KPIs for a fiscal quarter or year, JSON-ready (what the card and the document show)."""
    kpi = network_kpi(session, period)
    checklist = [
        {"label": item.label, "present": item.present, "detail": item.detail} for item in nk.evidence_checklist(kpi)
    ]
    return json_ready(
        {
            "period_label": period.label(),
            "fiscal_year": period.fiscal_year,
            "quarter": period.quarter,
            "network": {
                "level": kpi.level,
                "target": int(kpi.target),
                "as_of": kpi.period.label(),
                "checklist": checklist,
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
            "risk": risk_compliance(session, period),
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


def summary_link(ctx: JobContext, version: ReportVersion, made_for: str) -> str:
    """A signed, expiring link to the frozen summary as a document (PDF, or DOCX where no PDF can be made).

    Anyone in LINE can open it without a web login; nothing is public without the signature. A clock with no
    SECRET_KEY (a test runner) links the admin page instead, which asks for a login.
    """
    if not ctx.secret_key:
        return ctx.link(REPORT_PATH.format(id=version.id))
    fmt = "pdf" if pdf.available() else "docx"
    return download_link(
        ctx.base_url,
        ctx.secret_key,
        kind=SUMMARY_LINK,
        ref=str(version.id),
        fmt=fmt,
        made_for=made_for,
        ttl=SUMMARY_LINK_TTL,
        now=ctx.now,
    )


def quarterly_summary(ctx: JobContext, period: str) -> str:
    """After a fiscal quarter: the KPI card to the secretariat, a short text to supervisors; Q4 adds the year."""
    quarter = Period.parse_quarter(period)
    reports = [(quarter, "quarterly", period, False)]
    if quarter.quarter == 4:
        reports.append((Period.of_fiscal_year(quarter.fiscal_year), "year-end", str(quarter.fiscal_year), True))
    cards, texts = [], []
    with ctx.session() as session:
        for span, kind, key, year_end in reports:
            summary = kpi_summary(session, span)
            version = freeze(session, kind, key, summary, run_key=ctx.key, by="clock")
            cards.append(kpi_card(summary, summary_link(ctx, version, "line:secretariat"), year_end=year_end))
            link = summary_link(ctx, version, "line:supervisors")
            texts.append(text(_supervisor_text(summary, link, year_end)))
    ctx.send.to_all(ctx.recipients("secretariat"), cards)
    ctx.send.to_all(ctx.recipients("supervisors"), texts)
    return f"{len(cards)} summaries"
