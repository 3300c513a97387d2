"""A KPI report laid out as the seeds lay it out: sections 1 to 9 and the signature, as printable blocks.

``report_doc`` takes the content (from the data or a finalised version's JSON), the narrative (the KPI's
configuration as edited), the signatory the caller names and whether the office prints Thai digits, and gives
the ``Doc`` that docx.py and pdf.py print alike.
"""

from __future__ import annotations

from reports.kpi_reports.blocks import Block, Doc, Heading, Keep, Para, Signature, Table, lines_of
from reports.kpi_reports.tree import KpiContent, QuarterResult
from texts import kpi_reports as t


def number_text(value: float | None) -> str:
    """4.0 -> '4', 88.5 -> '88.5', None -> a dash."""
    if value is None:
        return t.DASH
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _narrative(text: str, indent: int = 1) -> list[Block]:
    return [Para(line, indent=indent) for line in lines_of(text)]


def _section_2(narrative: dict) -> list[Block]:
    return [
        Para(narrative.get("success_level", ""), label=t.S2),
        Para(t.S2_PLAN, bold=True),
        Para(narrative.get("plan_issue", ""), label=t.S2_ISSUE, indent=1),
        Para(narrative.get("plan_sub", ""), label=t.S2_SUB, indent=1),
        Para(narrative.get("plan_goal", ""), label=t.S2_GOAL, indent=1),
    ]


def _section_3(content: KpiContent, narrative: dict) -> list[Block]:
    blocks: list[Block] = [Heading(t.S3), *_narrative(narrative.get("definitions", ""))]
    if content.kpi == t.NETWORK:
        rows = tuple((str(n), text) for n, text in enumerate(t.CRITERIA, start=1))
        blocks += [Para(t.CRITERIA_INTRO, indent=1), Table(t.CRITERIA_HEADER, rows, (1.5, 14.5), (0,))]
    return blocks


def _section_5(content: KpiContent) -> list[Block]:
    blocks: list[Block] = [
        Para(t.S5_TARGET.format(target=number_text(content.target), unit=content.unit), label=t.S5),
        Para(t.S5_RESULT.format(result=content.result_text, unit=content.unit), indent=1),
        Para(t.S5_AS_OF.format(span=f" {content.span}"), indent=1),
    ]
    if content.levels:
        rows = tuple(
            (str(s.level), s.title, t.ACHIEVED if s.achieved else t.NOT_ACHIEVED, s.reason) for s in content.levels
        )
        blocks.append(Table(t.LEVELS_HEADER, rows, (1.5, 5.0, 2.0, 7.5), (0,)))
    if content.figures:
        rows = tuple((f.label, f.value) for f in content.figures)
        blocks.append(Table(t.FIGURES_HEADER, rows, (7.5, 8.5)))
    return blocks


def _network_result(result: QuarterResult, content: KpiContent, before: QuarterResult | None) -> list[Block]:
    """A quarter's levels; a quarter before the asked one tells only what was new in it (the seed's 6.1-6.3)."""
    target = number_text(content.target)
    quarter = 4 if result.number == 5 else result.number
    if result.level:
        head = t.LEVEL_REACHED.format(quarter=quarter, level=result.level, target=target)
    else:
        head = t.LEVEL_NONE.format(quarter=quarter, target=target)
    blocks: list[Block] = [Para(head, indent=1), Para(t.OFFICE_DOES.format(office=content.office), indent=1)]
    shown = {status.level: set(status.lines) for status in before.levels} if before is not None else {}
    for status in result.levels:
        lines = [line for line in status.lines if line not in shown.get(status.level, set())]
        if status.achieved and status.level <= (result.level or 0):
            blocks.append(Para(f"ระดับ {status.level} {status.title}", indent=1, bold=True))
            blocks += [Para(line, indent=2) for line in lines] or [Para(t.DONE_BEFORE, indent=2)]
        else:
            working = t.LEVEL_WORKING.format(level=status.level, title=status.title, reason=status.reason)
            blocks.append(Para(working, indent=1))
            blocks += [Para(line, indent=2) for line in lines if status.level >= 3]
            break
    return blocks


def _result(result: QuarterResult, content: KpiContent, note: str, before: QuarterResult | None) -> list[Block]:
    heading = t.S6_YEAR if result.number == 5 else t.S6_QUARTER.format(quarter=result.number)
    blocks: list[Block] = [Heading(heading, level=2), Para(f"({result.span})", indent=1)]
    if not result.filled:
        return [*blocks, Para(t.NOT_YET, indent=1)]
    if content.kpi == t.NETWORK:
        blocks += _network_result(result, content, before)
    else:
        blocks.append(Table(t.FIGURES_HEADER, tuple((f.label, f.value) for f in result.figures), (7.5, 8.5)))
    return blocks + _narrative(note)


def _section_9(content: KpiContent) -> list[Block]:
    rows = tuple(
        (str(n), item.label, t.PRESENT if item.present else t.ABSENT, item.detail)
        for n, item in enumerate(content.evidence, start=1)
    )
    return [Heading(t.S9), Table(t.EVIDENCE_HEADER, rows, (1.0, 6.5, 2.0, 6.5), (0,))]


def signature(name: str, position: str) -> Signature:
    """The seeds' closing with the signatory's name and position, or room to write them by hand."""
    return Signature(
        t.SIGN,
        t.SIGN_NAME.format(name=name) if name.strip() else t.SIGN_NAME_BLANK,
        t.SIGN_POSITION.format(position=position) if position.strip() else t.SIGN_POSITION_BLANK,
    )


def report_doc(
    content: KpiContent,
    narrative: dict,
    *,
    status: str,
    signatory_name: str = "",
    signatory_position: str = "",
    thai_digits: bool = False,
) -> Doc:
    """The whole report in the seeds' order, with the signature block at its end."""
    blocks: list[Block] = [Para(content.name, label=t.S1), *_section_2(narrative)]
    blocks += _section_3(content, narrative)
    blocks += [Heading(t.S4), *_narrative(narrative.get("method", ""))]
    blocks += _section_5(content)
    blocks.append(Heading(t.S6))
    before = None
    for result in content.quarters:
        summary_only = before if result.number < content.quarter else None  # the asked quarter tells everything
        blocks += _result(result, content, narrative.get(f"note_q{result.number}", ""), summary_only)
        before = result
    if content.year_end is not None:
        blocks += _result(content.year_end, content, narrative.get("note_year", ""), None)
    blocks += [Heading(t.S7), *_narrative(narrative.get("supports", ""))]
    blocks += [Heading(t.S8), *_narrative(narrative.get("obstacles", ""))]
    blocks.append(Keep((*_section_9(content), signature(signatory_name, signatory_position))))
    subtitle = t.DOC_SUBTITLE.format(office=content.office, year=content.fiscal_year, quarter=content.quarter)
    doc = Doc(title=t.DOC_TITLE, subtitle=subtitle, status=status, blocks=tuple(blocks))
    return doc.with_thai_digits(thai_digits)
