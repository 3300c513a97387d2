"""The quarterly KPI reports' rules: the narrative drafts, finalising a numbered version, and its documents.

A report is one KPI (texts/kpi_reports.py KPIS: the intelligence network, the risk points) for a fiscal year
up to the end of a quarter. Its content comes from the data (reports/kpi_reports/content.py); its narrative
(sections 2, 3, 4, 7, 8 and a note per quarter) is the KPI's configuration as the secretariat edited it for
that quarter (``KpiReportDraft``), starting from the previous quarter's narrative or the seeds' wording.

Finalising stores content and narrative as a numbered ``ReportVersion`` of kind ``kpi-network`` or
``kpi-riskpoints`` (period ``2564-Q4``) with a SHA-256 of its JSON, frozen as the clock freezes its reports
(models/report_versions.py): unchanged data reuses the newest version, changed data makes version n+1, and a
version is never altered. Its documents are printed from that JSON alone, so later data changes never change
what was sent; ``status`` says when the live draft differs from the newest version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ReportVersion, StaffUser
from models.kpi_reports import KpiReportDraft
from models.office import office_profile
from models.report_versions import digest, freeze
from models.timeutil import thai_datetime, utcnow
from models.workgroup import StaffLineLink
from reports.documents import pdf as pdf_engine
from reports.kpi_reports import content as kc
from reports.kpi_reports.docx import render_docx
from reports.kpi_reports.pdf import render_pdf
from reports.kpi_reports.view import report_doc
from reports.kpi_reports.xlsx import render_xlsx
from services.notices import KpiReportFinalised, Notify
from services.workgroup.staff import SECRETARIAT_ROLES
from texts import kpi_reports as t

KINDS = {t.NETWORK: "kpi-network", t.RISKPOINTS: "kpi-riskpoints"}
FORMATS = ("pdf", "docx", "xlsx")
REPORT_LINK = "kpi-report"  # a signed link's kind for a finalised version's documents (bot/admin/kpi_report_files.py)
SUMMARY_LINK = "kpi-summary"  # ... for the clock's frozen quarterly or year-end summary (its LINE card)
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx"}


class KpiReportError(ValueError):
    """A report or an edit that cannot be: the message is Thai, for the page."""


@dataclass(frozen=True)
class Snapshot:
    """A report as it would be finalised now: content from the data, the narrative, their JSON and its hash."""

    content: kc.KpiContent
    narrative: dict
    data: dict
    digest: str


@dataclass(frozen=True)
class Status:
    """Where a report stands: its newest finalised version (if any) and whether the live draft differs."""

    kpi: str
    fiscal_year: int
    quarter: int
    newest: ReportVersion | None
    differs: bool | None  # None: not compared (the list page), or nothing finalised yet

    @property
    def label(self) -> str:
        """'ร่าง' or 'ส่งแล้ว ฉบับที่ n'."""
        return t.STATUS_SENT.format(version=self.newest.version) if self.newest else t.STATUS_DRAFT


def check(kpi: str, fiscal_year: int, quarter: int) -> None:
    """Refuse a KPI, year or quarter that is no report."""
    if kpi not in t.KPIS or not 1 <= quarter <= 4 or not 2500 <= fiscal_year <= 2700:
        raise KpiReportError("ไม่พบรายงานตัวชี้วัดที่ขอ")


def period_key(fiscal_year: int, quarter: int) -> str:
    """A version's period, e.g. '2564-Q4'."""
    return f"{fiscal_year}-Q{quarter}"


def kpi_of(version: ReportVersion) -> str | None:
    """Which KPI a version reports (None for another kind of version)."""
    return next((kpi for kpi, kind in KINDS.items() if kind == version.kind), None)


def _draft(session: Session, kpi: str, fiscal_year: int, quarter: int) -> KpiReportDraft | None:
    return session.scalar(
        select(KpiReportDraft).where(
            KpiReportDraft.kpi == kpi, KpiReportDraft.fiscal_year == fiscal_year, KpiReportDraft.quarter == quarter
        )
    )


def narrative(session: Session, kpi: str, fiscal_year: int, quarter: int) -> dict:
    """The narrative of a report: the seeds' wording, then the earlier quarters' edits, then this quarter's."""
    check(kpi, fiscal_year, quarter)
    values = dict(t.DEFAULTS[kpi])
    for number in range(1, quarter + 1):
        draft = _draft(session, kpi, fiscal_year, number)
        if draft is not None:
            values.update({key: str(value) for key, value in draft.sections.items() if key in values})
    return values


def save_narrative(session: Session, kpi: str, fiscal_year: int, quarter: int, values: dict, by: str) -> list[str]:
    """Store a report's edited narrative (raises KpiReportError in Thai); return the sections changed."""
    current = narrative(session, kpi, fiscal_year, quarter)
    labels = {key: label for key, _, label in t.FIELDS}
    cleaned = {}
    for key in t.FIELD_KEYS:
        text = str(values.get(key, current[key]) or "").replace("\r\n", "\n").strip()
        if len(text) > t.MAX_FIELD:
            raise KpiReportError(t.TOO_LONG.format(label=labels[key], limit=t.MAX_FIELD))
        cleaned[key] = text
    changed = [key for key in t.FIELD_KEYS if cleaned[key] != current[key]]
    if not changed:
        return []
    draft = _draft(session, kpi, fiscal_year, quarter)
    if draft is None:
        draft = KpiReportDraft(kpi=kpi, fiscal_year=fiscal_year, quarter=quarter, sections={}, updated_by=by)
        session.add(draft)
    draft.sections = {**draft.sections, **{key: cleaned[key] for key in changed}}
    draft.updated_at, draft.updated_by = utcnow(), by
    session.flush()
    return changed


def snapshot(session: Session, kpi: str, fiscal_year: int, quarter: int, *, now: datetime | None = None) -> Snapshot:
    """The report as it stands now (what finalising would store)."""
    check(kpi, fiscal_year, quarter)
    content = kc.build(session, kpi, fiscal_year, quarter, now=now)
    story = narrative(session, kpi, fiscal_year, quarter)
    data = {"content": kc.to_json(content), "narrative": story}
    return Snapshot(content, story, data, digest(data))


def versions(session: Session, kpi: str, fiscal_year: int, quarter: int) -> list[ReportVersion]:
    """The report's finalised versions, oldest first."""
    query = select(ReportVersion).where(
        ReportVersion.kind == KINDS[kpi], ReportVersion.period == period_key(fiscal_year, quarter)
    )
    return list(session.scalars(query.order_by(ReportVersion.version)))


def newest(session: Session, kpi: str, fiscal_year: int, quarter: int) -> ReportVersion | None:
    """The report's newest finalised version."""
    found = versions(session, kpi, fiscal_year, quarter)
    return found[-1] if found else None


def status(session: Session, kpi: str, fiscal_year: int, quarter: int, *, live: Snapshot | None = None) -> Status:
    """The report's newest version and, given the live snapshot, whether the draft differs from it."""
    last = newest(session, kpi, fiscal_year, quarter)
    differs = None if live is None or last is None else live.digest != last.digest
    return Status(kpi, fiscal_year, quarter, last, differs)


def finalise(
    session: Session, kpi: str, fiscal_year: int, quarter: int, *, by: str, now: datetime | None = None
) -> tuple[ReportVersion, bool]:
    """Store the report as its next numbered version; unchanged data returns the newest one (created False)."""
    live = snapshot(session, kpi, fiscal_year, quarter, now=now)
    last = newest(session, kpi, fiscal_year, quarter)
    version = freeze(session, KINDS[kpi], period_key(fiscal_year, quarter), live.data, run_key=None, by=by)
    created = last is None or version.id != last.id
    if created and now is not None:
        version.created_at = now
    return version, created


def frozen(version: ReportVersion) -> tuple[kc.KpiContent, dict]:
    """A finalised version's content and narrative, read from its stored JSON only."""
    return kc.from_json(version.data["content"]), dict(version.data.get("narrative") or {})


def status_line(content: kc.KpiContent, version: ReportVersion | None) -> str:
    """What the document says it is: a draft with the day its data runs to, or version n with its time and hash."""
    if version is None:
        return t.DRAFT_MARK.format(as_of=content.as_of)
    return t.FINAL_MARK.format(
        version=version.version, at=thai_datetime(version.created_at), digest=version.digest[:12]
    )


def render(
    content: kc.KpiContent,
    story: dict,
    fmt: str,
    *,
    status: str,
    signatory_name: str = "",
    signatory_position: str = "",
    thai_digits: bool = False,
) -> bytes:
    """One document of a report: PDF or DOCX (the seeds' form), or the XLSX annex."""
    if fmt == "xlsx":
        return render_xlsx(content, status)
    doc = report_doc(
        content,
        story,
        status=status,
        signatory_name=signatory_name,
        signatory_position=signatory_position,
        thai_digits=thai_digits,
    )
    if fmt == "docx":
        return render_docx(doc)
    if fmt == "pdf":
        return render_pdf(doc)
    raise KpiReportError("ไม่รู้จักรูปแบบเอกสารที่ขอ")


def filename(content: kc.KpiContent, fmt: str, version: int | None) -> str:
    """The document's Thai file name, e.g. 'รายงานตัวชี้วัด เครือข่ายข่าวความมั่นคง ปีงบประมาณ 2564 ไตรมาสที่ 4 ฉบับที่ 1.pdf'."""
    mark = t.FILENAME_VERSION.format(version=version) if version else t.FILENAME_DRAFT
    if fmt == "xlsx":
        mark += t.ANNEX_SUFFIX
    return t.FILENAME.format(
        name=t.SHORT_NAMES[content.kpi],
        year=content.fiscal_year,
        quarter=content.quarter,
        version=mark,
        ext=EXTENSIONS[fmt],
    )


def version_file(
    session: Session, version: ReportVersion, fmt: str, *, thai_digits: bool | None = None
) -> tuple[str, bytes]:
    """One document of a finalised version (its Thai name and bytes), signed by the office profile's signatory."""
    content, story = frozen(version)
    profile = office_profile(session)
    data = render(
        content,
        story,
        fmt,
        status=status_line(content, version),
        signatory_name=profile.signatory_name,
        signatory_position=profile.signatory_position,
        thai_digits=profile.thai_digits if thai_digits is None else thai_digits,
    )
    return filename(content, fmt, version.version), data


def finalised_files(
    session: Session, fiscal_year: int, quarter: int | None, *, thai_digits: bool
) -> list[tuple[str, bytes]]:
    """The newest finalised version of each KPI for a quarter (or every quarter of the year): DOCX, PDF, XLSX."""
    formats = [fmt for fmt in ("docx", "pdf", "xlsx") if fmt != "pdf" or pdf_engine.available()]
    files = []
    for number in [quarter] if quarter is not None else [1, 2, 3, 4]:
        for kpi in t.KPIS:
            version = newest(session, kpi, fiscal_year, number)
            if version is None:
                continue
            for fmt in formats:
                try:
                    files.append(version_file(session, version, fmt, thai_digits=thai_digits))
                except pdf_engine.PdfUnavailable:
                    continue
    return files


def secretariat_accounts(session: Session) -> list[tuple[str, str]]:
    """(username, LINE user id) of the active admin and secretariat accounts linked to LINE."""
    rows = session.execute(
        select(StaffUser.username, StaffLineLink.line_user_id)
        .join(StaffLineLink, StaffLineLink.staff_user_id == StaffUser.id)
        .where(StaffUser.is_active, StaffUser.role.in_(SECRETARIAT_ROLES))
        .order_by(StaffUser.id)
    )
    return [(username, line_id) for username, line_id in rows]


def person(session: Session, username: str) -> str:
    """A staff member as people read them: their full name, or their username."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    return (user.full_name or user.username) if user is not None else username


def tell_secretariat(
    session: Session,
    version: ReportVersion,
    notify: Notify,
    links: Callable[[ReportVersion, str], dict[str, str]],
    *,
    expires_at: datetime,
) -> int:
    """Send each linked secretariat member a card of the finalised version with their own signed links."""
    kpi = kpi_of(version)
    if kpi is None:
        return 0
    fiscal_year, quarter = (int(part) for part in version.period.split("-Q"))
    sent = 0
    for username, line_id in secretariat_accounts(session):
        made = links(version, f"line:{username}")
        notice = KpiReportFinalised(
            name=t.SHORT_NAMES[kpi],
            period=t.PERIOD.format(year=fiscal_year, quarter=quarter),
            version=version.version,
            by=person(session, version.created_by),
            finalised_at=version.created_at,
            links=tuple((fmt, made[fmt]) for fmt in FORMATS if fmt in made),
            expires_at=expires_at,
        )
        notify(line_id, notice)
        sent += 1
    return sent
