"""An official letter as PDF: the same ``Letter`` the DOCX prints, laid out by templates/letter.html."""

from __future__ import annotations

from reports.documents import printing
from reports.documents.official_letter import GARUDA_CM, Letter
from texts import letters as t


def to_html(letter: Letter, *, title: str = "") -> str:
    """The letter as printable HTML (A4, the Garuda, the signature block kept together)."""
    return printing.render_html("letter.html", letter=letter, t=t, title=title or letter.subject, garuda_cm=GARUDA_CM)


def to_pdf(letter: Letter, *, title: str = "") -> bytes:
    """The letter as PDF bytes (raises reports.documents.pdf.PdfUnavailable without Chromium)."""
    return printing.render_pdf("letter.html", letter=letter, t=t, title=title or letter.subject, garuda_cm=GARUDA_CM)
