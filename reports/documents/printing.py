"""Printed documents as HTML: one Jinja environment, one A4 base (the Thai font, the margins), Thai filters.

Every PDF of FieldLine is an HTML page rendered here from ``reports/documents/templates/`` and printed
by ``reports.documents.pdf.html_to_pdf``; the same HTML can be shown in the admin web as a preview.
Templates extend ``print_base.html`` and fill ``{% block body %}``; ``digits`` turns Arabic digits into
Thai digits when the office prints them so (``thai`` true).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from models.timeutil import thai_date, thai_datetime, to_bangkok
from reports.documents import pdf
from reports.documents.official_letter import thai_digits

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _thai_date(value: date | datetime | None, short: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = to_bangkok(value).date()
    return thai_date(value, short=short)


def _thai_datetime(value: datetime | None, short: bool = True) -> str:
    return "-" if value is None else thai_datetime(value, short=short)


def _number(value: int | float | None, places: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{places}f}"


@cache
def environment() -> Environment:
    """The Jinja environment of printed documents (autoescaped HTML)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True)
    env.filters["thai_date"] = _thai_date
    env.filters["thai_datetime"] = _thai_datetime
    env.filters["number"] = _number
    env.filters["thai_digits"] = thai_digits
    env.globals["FONT_FACES"] = pdf.FONT_FACES
    env.globals["FONT_FAMILY"] = pdf.FONT_FAMILY
    env.globals["GARUDA_URI"] = pdf.GARUDA.as_uri()
    return env


def render_html(template: str, **context) -> str:
    """One printed document as HTML (``thai``: print digits as Thai digits)."""
    html = environment().get_template(template).render(**context)
    return thai_digits(html) if context.get("thai_digits_everywhere") else html


def render_pdf(template: str, **context) -> bytes:
    """One printed document as PDF bytes (raises pdf.PdfUnavailable without Chromium)."""
    return pdf.html_to_pdf(render_html(template, **context))
