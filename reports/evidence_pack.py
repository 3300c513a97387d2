"""The evidence pack: one ZIP for a fiscal year or a quarter with what the seeds list as evidence, and its index.

Pure: reads the session, writes the ZIP to the path given (the caller writes to a temporary name and
renames), calls ``progress(done, total)`` from 0 to total. Folders are Thai and ordered like the seeds'
evidence lists (texts/evidence.py): the network KPI's five items (seed 000, section 9), then the
risk-point KPI's parts (seed 004), then the finalised KPI reports. ``index.html`` (and ``index.pdf`` when
Chromium is there) lists every file with what it proves, the counts, and what is missing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.orm import Session

from models.office import office_profile
from models.periods import Period
from models.timeutil import thai_datetime, to_bangkok, utcnow
from reports import evidence_network, evidence_riskpoints
from reports import riskpoint_compliance as rc
from reports.documents import pdf, printing
from reports.evidence_base import Context, Pack, Section, Task, sections
from reports.network_kpi import NetworkKpi, network_kpi
from texts import evidence as t

Progress = Callable[[int, int], None]
KpiFiles = Callable[[], list[tuple[str, bytes]]]


@dataclass(frozen=True)
class Built:
    """What went into a pack: its files (index included), the lines of what is missing, and the steps."""

    files: int
    missing: int
    steps: int
    pdf: bool


def pack_period(fiscal_year: int, quarter: int | None) -> Period:
    """The span a pack covers: a fiscal quarter, or the whole fiscal year."""
    return Period.of_fiscal_year(fiscal_year) if quarter is None else Period.of_quarter(fiscal_year, quarter)


def pack_label(fiscal_year: int, quarter: int | None) -> str:
    """e.g. 'ปีงบประมาณ 2564 ไตรมาสที่ 4' or 'ปีงบประมาณ 2564 (ทั้งปีงบประมาณ)'."""
    if quarter is None:
        return f"ปีงบประมาณ {fiscal_year} ({t.WHOLE_YEAR})"
    return f"ปีงบประมาณ {fiscal_year} {t.QUARTER.format(quarter=quarter)}"


def zip_name(fiscal_year: int, quarter: int | None) -> str:
    """The download name, e.g. 'ชุดหลักฐาน ปีงบประมาณ 2564 ไตรมาสที่ 4.zip'."""
    span = "" if quarter is None else " " + t.QUARTER.format(quarter=quarter)
    return t.ZIP_NAME.format(year=fiscal_year, quarter=span)


def build_pack(
    session: Session,
    target: Path,
    *,
    fiscal_year: int,
    quarter: int | None = None,
    media_root: str | Path | None = None,
    progress: Progress | None = None,
    kpi_files: KpiFiles | None = None,
    now: datetime | None = None,
    with_pdf: bool = True,
) -> Built:
    """Write the pack's ZIP to ``target``; ``kpi_files`` gives the finalised KPI reports (None: not available)."""
    now = now or utcnow()
    report = progress or (lambda done, total: None)
    period = pack_period(fiscal_year, quarter)
    kpi_span = Period.of_fiscal_year(fiscal_year) if quarter is None else Period.year_to_date(fiscal_year, quarter)
    ctx = Context(
        session=session,
        fiscal_year=fiscal_year,
        quarter=quarter,
        period=period,
        kpi_period=kpi_span,
        media_root=Path(media_root) if media_root else None,
        thai_digits=office_profile(session).thai_digits,
        now=now,
    )
    parts = sections()
    kpi = network_kpi(session, kpi_span, now)
    office = rc.compliance(session, period, as_of=to_bangkok(now).date())
    tasks = [
        *evidence_network.plan(ctx, parts, kpi),
        *evidence_riskpoints.plan(ctx, parts, office),
        *_kpi_reports(parts["kpi"], kpi_files),
    ]
    total = len(tasks) + 1
    report(0, total)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in parts.values():  # every folder of the list, even one with nothing to hold
            archive.writestr(zipfile.ZipInfo(f"{section.folder}/"), b"")
        pack = Pack(archive, ctx.media_root)
        for done, task in enumerate(tasks, start=1):
            task(pack)
            report(done, total)
        made_pdf = _index(ctx, archive, parts, kpi, office, with_pdf)
    report(total, total)
    files = sum(len(section.entries) for section in parts.values()) + 1 + made_pdf
    return Built(files, sum(len(section.missing) for section in parts.values()), total, made_pdf)


def _kpi_reports(section: Section, kpi_files: KpiFiles | None) -> list[Task]:
    if kpi_files is None:
        section.missing.append(t.NO_KPI_MODULE)
        return []

    def write(pack: Pack) -> None:
        try:
            files = kpi_files()
        except Exception:  # the reports' own module failed: the rest of the pack still stands
            section.missing.append(t.KPI_FAILED)
            return
        for name, data in files:
            pack.add(section, name, data, "รายงานตัวชี้วัดฉบับยืนยัน")
        if not files:
            section.missing.append(t.NO_KPI_FILES)

    return [write]


def size_label(size: int) -> str:
    """A file size in Thai units."""
    if size < 1024:
        return f"{size:,} ไบต์"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} กิโลไบต์"
    return f"{size / 1024 / 1024:,.1f} เมกะไบต์"


def _network_summary(kpi: NetworkKpi) -> list[str]:
    return [evidence_network.result_line(kpi, result.level) for result in kpi.levels]


def _risk_summary(office: rc.Compliance) -> list[str]:
    percent = evidence_riskpoints.percent
    return [
        f"ส่วนที่ 1 การแก้ไขหรือการปรับสภาพแวดล้อม: {percent(office.defects_fixed, office.defects_opened)}",
        f"ส่วนที่ 2 การตรวจตราจุดเสี่ยง: {percent(office.patrols_done, office.patrols_required)}",
        f"ส่วนที่ 2 การตรวจกล้อง CCTV: {percent(office.cameras_done, office.cameras_required)}",
        f"ส่วนที่ 3 การรายงานประจำเดือน: {percent(office.reports_on_time, office.reports_expected)}",
    ]


def _index(
    ctx: Context, archive: zipfile.ZipFile, parts: dict[str, Section], kpi: NetworkKpi, office, with_pdf: bool
) -> bool:
    """Write index.pdf (when Chromium can print it) and index.html; return whether the PDF was made."""
    overall = office.overall_percent
    context = {
        "title": f"{t.PACK_TITLE} {pack_label(ctx.fiscal_year, ctx.quarter)}",
        "office": office_profile(ctx.session).name,
        "span": ctx.period.label(),
        "kpi_span": ctx.kpi_period.label(),
        "made_at": thai_datetime(ctx.now),
        "network_kpi": t.NETWORK_KPI,
        "risk_kpi": t.RISK_KPI,
        "network_level": kpi.level,
        "network_target": kpi.target,
        "network_lines": _network_summary(kpi),
        "risk_overall": "-" if overall is None else f"ร้อยละ {overall:.2f}",
        "risk_lines": _risk_summary(office),
        "sections": list(parts.values()),
        "missing": [(section.folder, line) for section in parts.values() for line in section.missing],
        "files": sum(len(section.entries) for section in parts.values()),
        "size": size_label(sum(entry.size for section in parts.values() for entry in section.entries)),
        "size_label": size_label,
        "href": lambda section, entry: quote(f"{section.folder}/{entry.name}"),
    }
    made_pdf = False
    if with_pdf and pdf.available():
        try:
            archive.writestr("index.pdf", printing.render_pdf("evidence_index.html", **context))
            made_pdf = True
        except pdf.PdfUnavailable:
            made_pdf = False
    context["no_pdf"] = None if made_pdf else t.NO_PDF
    archive.writestr("index.html", printing.render_html("evidence_index_screen.html", **context))
    return made_pdf
