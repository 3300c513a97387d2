"""The clock's frozen quarterly and year-end KPI summaries (scheduler/jobs/network_jobs.py) read back in Thai.

A summary version stores the network KPI's levels with their evidence as dicts and the risk points' parts as
numbers; ``summary_view`` turns it into sentences and rows a person reads (no dicts, no True/False/None, no
English keys), for the admin page; ``summary_doc`` lays the same out as a printable Doc (PDF, DOCX) for the
signed link on the clock's LINE card. Versions frozen before a part existed show that part as absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.kpi_reports.blocks import Block, Doc, Heading, Para, Table
from reports.kpi_reports.network_text import level_lines
from texts import kpi_reports as t


@dataclass(frozen=True)
class LevelView:
    """One level of the ladder: whether it holds, why, and what proves it."""

    level: int
    title: str
    verdict: str
    achieved: bool
    reason: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SummaryView:
    """A frozen summary as people read it."""

    title: str
    period: str
    network: str
    as_of: str
    levels: list[LevelView]
    evidence: list[tuple[str, str, str]]  # label, present or not, detail
    risk: str
    risk_rows: list[tuple[str, str]]
    fiscal_year: int
    quarter: int | None


def _percent_of(value, done, required) -> str:
    if not required:
        return t.NOTHING_REQUIRED
    percent = t.DASH if value is None else f"{float(value):.2f}"
    return t.PERCENT_OF.format(percent=percent, done=int(done or 0), required=int(required))


def risk_rows(risk: dict | None) -> list[tuple[str, str]]:
    """The risk-point parts with their counts, the fixes and the overall percentage."""
    if not risk or risk.get("overall_percent") is None:  # nothing was required: nothing to show
        return []
    rows = [(label, _percent_of(risk.get(p), risk.get(d), risk.get(r))) for label, p, d, r in t.SUMMARY_ROWS]
    avg = risk.get("avg_days_to_fix")
    fixed = t.RISK_FIXED_VALUE.format(
        count=int(risk.get("fixed_in_span") or 0),
        days=t.DASH if avg is None else f"{float(avg):.1f}",
        open=int(risk.get("open_at_end") or 0),
    )
    overall = risk.get("overall_percent")
    rows += [(t.SUMMARY_FIXED, fixed), (t.SUMMARY_OVERALL, t.DASH if overall is None else f"{float(overall):.2f}")]
    return rows


def period_label(kind: str, period: str, data: dict) -> tuple[str, int, int | None]:
    """The summary's period in Thai, its fiscal year and quarter (None for a year-end summary)."""
    if kind == "year-end":
        year = int(data.get("fiscal_year") or period)
        return t.SUMMARY_PERIOD_YEAR.format(year=year), year, None
    year_text, _, quarter_text = period.partition("-Q")
    year, quarter = int(data.get("fiscal_year") or year_text), int(data.get("quarter") or quarter_text)
    return t.SUMMARY_PERIOD_QUARTER.format(year=year, quarter=quarter), year, quarter


def summary_view(kind: str, period: str, data: dict) -> SummaryView:
    """A frozen quarterly or year-end summary in Thai sentences and rows."""
    network = data.get("network") or {}
    level, target = int(network.get("level") or 0), int(network.get("target") or 0)
    met = t.SUMMARY_MET if level >= target else t.SUMMARY_NOT_MET
    levels = [
        LevelView(
            level=int(row.get("level") or 0),
            title=str(row.get("title") or ""),
            verdict=t.ACHIEVED if row.get("achieved") else t.NOT_ACHIEVED,
            achieved=bool(row.get("achieved")),
            reason=str(row.get("reason") or ""),
            lines=level_lines(int(row.get("level") or 0), row.get("evidence") or {}),
        )
        for row in network.get("levels") or []
    ]
    evidence = [
        (str(item.get("label") or ""), t.PRESENT if item.get("present") else t.ABSENT, str(item.get("detail") or ""))
        for item in network.get("checklist") or []
    ]
    risk = data.get("risk")
    overall = (risk or {}).get("overall_percent")
    label, year, quarter = period_label(kind, period, data)
    return SummaryView(
        title=t.SUMMARY_TITLES.get(kind, t.PAGE_TITLE),
        period=label,
        network=t.SUMMARY_NETWORK.format(level=level, target=target, met=met),
        as_of=t.SUMMARY_AS_OF.format(span=network.get("as_of") or data.get("period_label") or label),
        levels=levels,
        evidence=evidence,
        risk=t.SUMMARY_RISK_NONE if overall is None else t.SUMMARY_RISK.format(percent=f"{float(overall):.2f}"),
        risk_rows=risk_rows(risk),
        fiscal_year=year,
        quarter=quarter,
    )


def summary_doc(view: SummaryView, status: str, *, office: str, thai_digits: bool = False) -> Doc:
    """The same summary as a printable Doc (for the PDF or DOCX the clock's card links to)."""
    blocks: list[Block] = [Heading(view.network), Para(view.as_of, indent=1)]
    rows = tuple((str(level.level), level.title, level.verdict, level.reason) for level in view.levels)
    blocks.append(Table(t.LEVELS_HEADER, rows, (1.5, 5.0, 2.0, 7.5), (0,)))
    blocks.append(Heading(t.SUMMARY_LEVELS))
    for level in view.levels:
        blocks.append(Para(f"ระดับ {level.level} {level.title} ({level.verdict})", indent=1, bold=True))
        blocks += [Para(line, indent=2) for line in level.lines]
    if view.evidence:
        rows = tuple((str(n), label, present, detail) for n, (label, present, detail) in enumerate(view.evidence, 1))
        blocks += [Heading(t.SUMMARY_EVIDENCE), Table(t.EVIDENCE_HEADER, rows, (1.0, 6.5, 2.0, 6.5), (0,))]
    blocks.append(Heading(view.risk))
    if view.risk_rows:
        blocks.append(Table(t.FIGURES_HEADER, tuple(view.risk_rows), (8.0, 8.0)))
    doc = Doc(title=view.title, subtitle=f"{office} · {view.period}", status=status, blocks=tuple(blocks))
    return doc.with_thai_digits(thai_digits)
