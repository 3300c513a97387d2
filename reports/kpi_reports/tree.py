"""The typed tree of a quarterly KPI report's content, and its JSON form (what a finalised version stores).

Plain dataclasses: ``to_json`` gives a dict a JSON column stores, ``from_json`` reads it back into the same
tree, so a finalised version's documents are printed from its stored JSON alone.
"""

from __future__ import annotations

import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date, datetime

from models.periods import Period
from models.timeutil import thai_date, to_bangkok
from texts import kpi_reports as t

FORMAT = 1  # the shape of the stored JSON


@dataclass
class Figure:
    """One labelled figure (risk points: a part of the KPI with its counts)."""

    label: str
    value: str


@dataclass
class LevelStatus:
    """One level of the network ladder: whether it holds, why, and what proves it (sentences)."""

    level: int
    title: str
    achieved: bool
    reason: str
    lines: list[str] = field(default_factory=list)


@dataclass
class QuarterResult:
    """Section 6.1-6.4 (number 1-4) or 6.5 (number 5): filled from the data once the period is reported."""

    number: int
    span: str
    filled: bool
    level: int | None = None
    levels: list[LevelStatus] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    percent: float | None = None


@dataclass
class EvidenceItem:
    """Section 9: one item of the seed's evidence list, and whether the data holds it."""

    label: str
    present: bool
    detail: str


@dataclass
class Sheet:
    """One sheet of the annex: its title, column headings and rows of plain values."""

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass
class KpiContent:
    """Everything of a KPI report that comes from the data, for one fiscal year up to the end of one quarter."""

    kpi: str
    fiscal_year: int
    quarter: int
    office: str
    name: str
    unit: str
    target: float
    result: float | None
    result_text: str
    span: str
    as_of: str
    levels: list[LevelStatus] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quarters: list[QuarterResult] = field(default_factory=list)
    year_end: QuarterResult | None = None
    evidence: list[EvidenceItem] = field(default_factory=list)
    annex: list[Sheet] = field(default_factory=list)
    format: int = FORMAT

    @property
    def period_label(self) -> str:
        """e.g. 'ปีงบประมาณ 2564 ไตรมาสที่ 4'."""
        return t.PERIOD.format(year=self.fiscal_year, quarter=self.quarter)

    @property
    def period_key(self) -> str:
        """The version's period, e.g. '2564-Q4'."""
        return f"{self.fiscal_year}-Q{self.quarter}"


def to_json(content: KpiContent) -> dict:
    """The content as a JSON-ready dict."""
    return asdict(content)


def _load(kind, value):
    """A value of a (dataclass, list, optional) type read back from JSON."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        wanted = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _load(wanted[0], value) if len(wanted) == 1 else value
    if origin is list:
        (item,) = typing.get_args(kind) or (typing.Any,)
        return [_load(item, entry) for entry in value]
    if is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _load(hints[f.name], value[f.name]) for f in fields(kind) if f.name in value})
    return value


def from_json(data: dict) -> KpiContent:
    """A stored content read back."""
    return _load(KpiContent, data)


def span_text(period: Period) -> str:
    """'1 ก.ค. 2564 – 30 ก.ย. 2564'."""
    return f"{thai_date(period.first, short=True)} – {thai_date(period.last, short=True)}"


def as_of_day(period: Period, now: datetime) -> date:
    """The last day counted: the period's end, or today while the period runs."""
    return min(period.last, to_bangkok(now).date())
