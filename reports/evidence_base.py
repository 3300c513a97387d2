"""What the evidence pack's parts share: its folders, the ZIP being written, the span, workbooks and documents.

A *section* is one Thai folder of the ZIP (ordered like the seeds' evidence lists, texts/evidence.py):
what it proves for which KPI level or part, its files, its counts and what is missing. Planning a section
queries ids only and returns *tasks* (one document, one month's log, one defect's photos ...), so the
builder knows the total before it writes anything and reports progress task by task.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy.orm import Session

from models.periods import Period
from reports.documents import official_letter as official
from texts import evidence as t

log = logging.getLogger(__name__)

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
DOTS_BEFORE_SUFFIX = re.compile(r"\.+(\.[A-Za-z0-9]{1,5})$")
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".mp4", ".m4a", ".zip", ".docx", ".xlsx", ".pdf")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDTH_SAMPLE = 200


def safe_name(text: str, limit: int = 120) -> str:
    """A file or folder name from Thai text: no slashes or characters Windows refuses, not too long."""
    name = DOTS_BEFORE_SUFFIX.sub(r"\1", UNSAFE.sub("-", text).strip(" -"))
    return name.rstrip(" .")[:limit] or "ไฟล์"


@dataclass
class Entry:
    """One file of the pack: its path inside its folder, what it proves and its size in bytes."""

    name: str
    proves: str
    size: int


@dataclass
class Section:
    """One folder of the pack."""

    key: str
    number: int
    title: str
    kpi: str
    proves: str
    entries: list[Entry] = field(default_factory=list)
    counts: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    result: str | None = None  # how the KPI judged this level or part over the span

    @property
    def short(self) -> str:
        """The KPI level or part in a few words, for the index's contents."""
        return t.SHORT.get(self.key, self.kpi)

    @property
    def folder(self) -> str:
        """The folder's name in the ZIP, e.g. '01 บัญชีรายชื่อเครือข่ายข่าว'."""
        return f"{self.number:02d} {self.title}"

    def count(self, label: str, value: int | str, unit: str = "") -> None:
        """Add a figure shown under the folder in the index."""
        shown = f"{value:,}" if isinstance(value, int) else value
        self.counts.append((label, f"{shown} {unit}".strip()))


def sections() -> dict[str, Section]:
    """Every folder of the pack, empty, in the seeds' order."""
    return {key: Section(key, number, title, kpi, proves) for key, (number, title, kpi, proves) in t.SECTIONS.items()}


@dataclass
class Context:
    """What every part of the pack reads: the session, the span, where media lie, the office's digits."""

    session: Session
    fiscal_year: int
    quarter: int | None
    period: Period  # the pack's span: a fiscal quarter or year
    kpi_period: Period  # what the KPI result is judged over: the year, or the year to the quarter's end
    media_root: Path | None
    thai_digits: bool
    now: datetime

    def digits(self, text: str) -> str:
        """Digits as the office prints them in documents."""
        return official.thai_digits(text) if self.thai_digits else text


class Pack:
    """The ZIP being written: files go in their section's folder, each name once; media come from disk."""

    def __init__(self, archive: zipfile.ZipFile, media_root: Path | None):
        """Write into an open ZIP; stored media are read under media_root."""
        self.archive = archive
        self.media_root = media_root
        self.used: set[str] = set()

    def _arcname(self, section: Section, name: str) -> str:
        parts = [safe_name(part) for part in name.split("/")]
        stem = "/".join(parts)
        candidate, number = f"{section.folder}/{stem}", 2
        while candidate in self.used:
            base, dot, suffix = stem.rpartition(".")
            candidate = f"{section.folder}/{base} ({number}).{suffix}" if dot else f"{section.folder}/{stem} ({number})"
            number += 1
        self.used.add(candidate)
        return candidate

    @staticmethod
    def _compression(name: str) -> int:
        return zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED

    def add(self, section: Section, name: str, data: bytes, proves: str) -> str:
        """Add a made file; return its path in the ZIP."""
        arcname = self._arcname(section, name)
        self.archive.writestr(arcname, data, compress_type=self._compression(arcname))
        section.entries.append(Entry(arcname.partition("/")[2], proves, len(data)))
        return arcname

    def add_stored(self, section: Section, name: str, relative: str | None, proves: str) -> str | None:
        """Add a file kept under the media root (streamed from disk); None when it is not there."""
        if not relative or self.media_root is None:
            return None
        path = self.media_root / relative
        if not path.is_file():
            return None
        arcname = self._arcname(section, name)
        self.archive.write(path, arcname, compress_type=self._compression(arcname))
        section.entries.append(Entry(arcname.partition("/")[2], proves, path.stat().st_size))
        return arcname

    def attempt(self, section: Section, name: str, make: Callable[[], bytes], proves: str) -> str | None:
        """Add a document made by ``make``; a document that cannot be made is listed as missing, not fatal."""
        try:
            data = make()
        except Exception as error:  # one broken document must not lose the whole pack
            log.warning("evidence pack: %s not made (%s)", section.key, type(error).__name__)
            section.missing.append(t.DOCUMENT_FAILED.format(name=name))
            return None
        return self.add(section, name, data, proves)


Task = Callable[[Pack], None]
Sheet = tuple[str, list[str], Iterable[list]]


def workbook(sheets: list[Sheet]) -> bytes:
    """An XLSX of a few sheets (title, header, rows), streamed (write-only), header bold, widths from the rows."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        rows = list(rows)
        sheet = book.create_sheet(title=safe_name(title, 31))
        for index, heading in enumerate(header):
            sample = [heading, *(row[index] for row in rows[:WIDTH_SAMPLE])]
            width = max(len(str(value or "")) for value in sample)
            letter = _column_letter(index)
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        cells = []
        for heading in header:
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font, cell.fill, cell.alignment = Font(bold=True), HEADER_FILL, Alignment(vertical="center")
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def yes_no(value: bool) -> str:
    """ใช่ or ไม่ใช่, for a workbook cell."""
    return "ใช่" if value else "ไม่ใช่"


def document_title(document, lines: list[str]) -> None:
    """Centred bold title lines at the top of a document."""
    for line in lines:
        official.paragraph(document, line, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    official.paragraph(document)


def document_table(document, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    """A bordered table with fixed column widths and 14 pt text."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for number, values in enumerate([header, *rows]):
        cells = table.rows[0].cells if number == 0 else table.add_row().cells
        for cell, text, width in zip(cells, values, widths, strict=True):
            cell.width = Cm(width)
            run = cell.paragraphs[0].add_run(str(text))
            run.bold = number == 0
            run.font.size = Pt(14)
