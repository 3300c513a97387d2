"""A KPI report (or a frozen summary) as HTML and PDF: the Doc's blocks through templates/kpi_report.html.

Chromium prints it with the vendored Thai font (reports/documents/printing.py, pdf.py); ``body_html`` is the
same blocks without the page, for the admin web's preview when this machine cannot make PDFs.
"""

from __future__ import annotations

from reports.documents import printing
from reports.kpi_reports.blocks import Doc

TEMPLATE = "kpi_report.html"
BODY = "_kpi_report_body.html"


def render_html(doc: Doc) -> str:
    """The printable page as HTML (A4, the Thai font)."""
    return printing.render_html(TEMPLATE, doc=doc)


def body_html(doc: Doc) -> str:
    """Only the document's blocks as HTML (for a preview inside another page)."""
    return printing.render_html(BODY, doc=doc)


def render_pdf(doc: Doc) -> bytes:
    """The document as PDF bytes (raises reports.documents.pdf.PdfUnavailable without Chromium)."""
    return printing.render_pdf(TEMPLATE, doc=doc)
