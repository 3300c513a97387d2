"""A printable document as a list of blocks, printed alike as DOCX (docx.py) and as HTML for the PDF (pdf.py).

Every string is final: dates in Thai with BE years, and Thai digits already applied when the office prints
them (``Doc.with_thai_digits``), so the DOCX and the PDF say exactly the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace

from models.office import THAI_DIGITS


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1: the numbered sections; level 2: 6.1 ... 6.5)."""

    text: str
    level: int = 1
    kind: str = "heading"


@dataclass(frozen=True)
class Para:
    """A paragraph: ``indent`` steps of 1 cm from the left; ``label`` printed bold before the text."""

    text: str
    indent: int = 0
    label: str = ""
    bold: bool = False
    center: bool = False
    kind: str = "para"


@dataclass(frozen=True)
class Table:
    """A bordered table: its header, rows of strings, relative column widths and the right-aligned columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    numeric: tuple[int, ...] = ()
    kind: str = "table"


@dataclass(frozen=True)
class Signature:
    """The seeds' closing: ลงชื่อ … (ผู้รับผิดชอบโครงการ) and ตำแหน่ง, kept together."""

    sign_line: str
    name_line: str
    position_line: str
    kind: str = "signature"


@dataclass(frozen=True)
class Keep:
    """Blocks printed on one page together (the last section with the signature: never a signature alone)."""

    blocks: tuple
    kind: str = "keep"


Block = Heading | Para | Table | Signature | Keep


@dataclass(frozen=True)
class Doc:
    """A whole document: its title lines, a status line and the blocks in order."""

    title: str
    subtitle: str
    status: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def with_thai_digits(self, wanted: bool) -> Doc:
        """The same document with Arabic digits printed as Thai digits (when the office prints them so)."""
        return _translated(self) if wanted else self


def _translated(value):
    """A deep copy of a block tree with every string's digits in Thai."""
    if isinstance(value, str):
        return value.translate(THAI_DIGITS)
    if isinstance(value, tuple):
        return tuple(_translated(item) for item in value)
    if is_dataclass(value):
        changes = {f.name: _translated(getattr(value, f.name)) for f in fields(value) if f.name != "kind"}
        return replace(value, **changes)
    return value


def lines_of(text: str) -> list[str]:
    """A narrative text's non-empty lines, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
