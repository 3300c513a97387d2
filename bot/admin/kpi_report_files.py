"""The quarterly KPI reports' files: drafts and finalised versions as DOCX, PDF and XLSX, page images, signed links.

Documents of a finalised version are printed from its stored JSON only (services/kpi_reports.py); a draft
from the data as it stands. Both are signed by the office profile's signatory and use its choice of digits.
A PDF made for a preview is kept a little while (by the report's hash) so each page image does not print it
again. The signed links (bot/downloads.py) serve ``kpi-report`` (a finalised version, for the secretariat's
LINE card) and ``kpi-summary`` (the clock's frozen quarterly or year-end summary, for its LINE card).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from bot import downloads
from models import ReportVersion
from models.office import office_profile
from models.timeutil import thai_datetime
from reports.documents import pdf as pdf_engine
from reports.documents.month_report import actor_name
from reports.kpi_reports import docx as kdocx
from reports.kpi_reports import pdf as kpdf
from reports.kpi_reports.summary import summary_doc, summary_view
from services import kpi_reports as reports
from texts import kpi_reports as t

REPORT_KIND = reports.REPORT_LINK
SUMMARY_KIND = reports.SUMMARY_LINK
SUMMARY_KINDS = ("quarterly", "year-end")
LINK_TTL = timedelta(days=7)
PREVIEW_WIDTH = 900
_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_SIZE = 6
_LOCK = threading.Lock()


def _cached_pdf(key: tuple, make) -> bytes:
    """A PDF made once per key (the few newest kept), for page images."""
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    made = make()
    with _LOCK:
        _CACHE[key] = made
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return made


def draft_document(session: Session, snapshot: reports.Snapshot, fmt: str) -> downloads.File:
    """A draft's document from the data as it stands (raises PdfUnavailable for a PDF without Chromium)."""
    profile = office_profile(session)
    content = snapshot.content

    def make() -> bytes:
        """Print the draft."""
        return reports.render(
            content,
            snapshot.narrative,
            fmt,
            status=reports.status_line(content, None),
            signatory_name=profile.signatory_name,
            signatory_position=profile.signatory_position,
            thai_digits=profile.thai_digits,
        )

    data = _cached_pdf(_draft_key(session, snapshot.digest), make) if fmt == "pdf" else make()
    return downloads.File(reports.filename(content, fmt, None), data)


def _draft_key(session: Session, digest: str) -> tuple:
    profile = office_profile(session)
    return ("draft", digest, profile.signatory_name, profile.signatory_position, profile.thai_digits)


def cached_draft_pdf(session: Session, digest: str) -> bytes | None:
    """The draft PDF made for a report of this hash, if still kept (the page images ask with the hash)."""
    key = _draft_key(session, digest)
    with _LOCK:
        return _CACHE.get(key)


def version_document(session: Session, version: ReportVersion, fmt: str) -> downloads.File:
    """A finalised version's document, from its stored JSON only."""
    profile = office_profile(session)
    content, _ = reports.frozen(version)

    def make() -> bytes:
        """Print the version from its JSON."""
        return reports.version_file(session, version, fmt)[1]

    if fmt == "pdf":
        key = (
            "version",
            version.id,
            version.digest,
            profile.signatory_name,
            profile.signatory_position,
            profile.thai_digits,
        )
        data = _cached_pdf(key, make)
    else:
        data = make()
    return downloads.File(reports.filename(content, fmt, version.version), data)


def page_images(pdf: bytes, first: int, count: int = 1) -> list[bytes]:
    """PNG images of some pages of a PDF."""
    return pdf_engine.page_images(pdf, width_px=PREVIEW_WIDTH, first=first, count=count)


def link_for(version: ReportVersion, made_for: str) -> dict[str, str]:
    """Signed, expiring links to a finalised version's documents (PDF only where PDFs can be made)."""
    formats = [fmt for fmt in reports.FORMATS if fmt != "pdf" or pdf_engine.available()]
    return {
        fmt: downloads.signed_link(kind=REPORT_KIND, ref=version.id, fmt=fmt, made_for=made_for, ttl=LINK_TTL)
        for fmt in formats
    }


@downloads.producer(REPORT_KIND)
def kpi_report_file(session: Session, wanted) -> downloads.File | None:
    """The finalised version a signed link names, in the format it names (None when it is not there)."""
    version = _version(session, wanted.ref)
    if version is None or reports.kpi_of(version) is None or wanted.fmt not in reports.FORMATS:
        return None
    try:
        return version_document(session, version, wanted.fmt)
    except pdf_engine.PdfUnavailable:
        current_app.logger.warning("kpi report %s: no PDF can be made here", version.id)
        return None


def summary_document(session: Session, version: ReportVersion, fmt: str) -> downloads.File:
    """The clock's frozen quarterly or year-end summary as a PDF or DOCX, from its stored JSON."""
    profile = office_profile(session)
    view = summary_view(version.kind, version.period, version.data or {})
    status = t.SUMMARY_FROZEN.format(
        version=version.version, at=thai_datetime(version.created_at), actor=actor_name(session, version.created_by)
    )
    doc = summary_doc(view, status, office=profile.name, thai_digits=profile.thai_digits)
    data = kpdf.render_pdf(doc) if fmt == "pdf" else kdocx.render_docx(doc)
    name = t.SUMMARY_FILENAME.format(title=view.title, period=view.period, version=version.version, ext=fmt)
    return downloads.File(name, data)


@downloads.producer(SUMMARY_KIND)
def kpi_summary_file(session: Session, wanted) -> downloads.File | None:
    """The frozen summary a signed link names (the clock's quarterly LINE card)."""
    version = _version(session, wanted.ref)
    if version is None or version.kind not in SUMMARY_KINDS or wanted.fmt not in ("pdf", "docx"):
        return None
    try:
        return summary_document(session, version, wanted.fmt)
    except pdf_engine.PdfUnavailable:  # the clock links the DOCX where no PDF can be made
        current_app.logger.warning("kpi summary %s: no PDF can be made here", version.id)
        return None


def _version(session: Session, ref: str) -> ReportVersion | None:
    try:
        return session.get(ReportVersion, int(ref))
    except (TypeError, ValueError):
        return None
