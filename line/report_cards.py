"""The clock's Flex cards (line-bot-sdk models): the day-7 month report and the quarterly/year-end KPI summary.

Each card is built from the frozen report's JSON, so a card can be rebuilt from any stored version.
altText is kept within LINE's 1,500 characters.
"""

from __future__ import annotations

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexSeparator,
    FlexText,
    URIAction,
)

from texts import scheduler as t

MAX_ALT_TEXT = 1500
ACCENT = "#1F4E79"
MUTED = "#666666"


def percent(value: float | None) -> str:
    """A percentage as shown on cards, e.g. '95.5%', or a dash."""
    return t.NO_FIGURE if value is None else f"{value:.1f}%"


def fraction(value: float | None, done: int | None, required: int | None) -> str:
    """'95.5% (1,234/1,300)' or a dash when nothing was required."""
    if not required:
        return t.NO_FIGURE
    return t.FRACTION.format(percent=percent(value), done=done or 0, required=required)


def alt_text(text: str) -> str:
    """Cut an altText to LINE's limit."""
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


def _row(label: str, value: str) -> FlexBox:
    return FlexBox(
        layout="horizontal",
        spacing="sm",
        contents=[
            FlexText(text=label, size="sm", color=MUTED, flex=5, wrap=True),
            FlexText(text=value, size="sm", align="end", flex=4, weight="bold", wrap=True),
        ],
    )


def _bubble(title: str, subtitle: str, rows: list, link: str, note: str | None) -> FlexBubble:
    body = list(rows)
    if note:
        body += [FlexSeparator(margin="md"), FlexText(text=note, size="xs", color="#B00020", wrap=True, margin="md")]
    return FlexBubble(
        header=FlexBox(
            layout="vertical",
            contents=[
                FlexText(text=title, weight="bold", size="lg", color=ACCENT, wrap=True),
                FlexText(text=subtitle, size="sm", color=MUTED, wrap=True),
            ],
        ),
        body=FlexBox(layout="vertical", spacing="sm", contents=body),
        footer=FlexBox(
            layout="vertical",
            contents=[FlexButton(style="primary", color=ACCENT, action=URIAction(label=t.OPEN_DOCUMENT, uri=link))],
        ),
    )


def month_rows(data: dict) -> list[tuple[str, str]]:
    """The day-7 card's figures from a compiled month report."""
    office = data.get("office") or {}
    defects = data.get("defects") or {}
    orders = data.get("work_orders") or {}
    crime = data.get("crime") or []
    submissions = data.get("submissions") or []
    on_time = sum(1 for row in submissions if row.get("on_time"))
    done_orders = sum(count for status, count in orders.items() if status in ("done", "closed"))
    rows = [
        (
            t.ROW_PATROLS,
            fraction(office.get("patrol_percent"), office.get("patrols_done"), office.get("patrols_required")),
        ),
        (
            t.ROW_CAMERAS,
            fraction(office.get("camera_percent"), office.get("cameras_done"), office.get("cameras_required")),
        ),
        (t.ROW_DEFECTS, fraction(office.get("defect_percent"), defects.get("fixed"), defects.get("opened"))),
        (t.ROW_ORDERS, t.ORDERS_VALUE.format(total=sum(orders.values()), done=done_orders)),
        (t.ROW_LETTERS, t.LETTERS_VALUE.format(count=int(data.get("letters") or 0))),
        (t.ROW_CRIME, t.CASES_VALUE.format(cases=sum(int(row.get("cases") or 0) for row in crime))),
        (t.ROW_REPORTS, f"{on_time}/{len(submissions)}" if submissions else t.NO_FIGURE),
        (t.ROW_OVERALL, percent(office.get("overall_percent"))),
    ]
    return rows


def month_card(data: dict, month_label: str, version: int, link: str, note: str | None = None) -> FlexMessage:
    """The day-7 summary card for the secretariat, linking to the frozen report."""
    rows = month_rows(data)
    summary = " · ".join(f"{label} {value}" for label, value in rows)
    bubble = _bubble(
        t.MONTH_CARD_TITLE,
        t.MONTH_CARD_SUBTITLE.format(month=month_label, version=version),
        [_row(label, value) for label, value in rows],
        link,
        note,
    )
    alt = t.MONTH_CARD_ALT.format(month=month_label, version=version, summary=summary)
    return FlexMessage(alt_text=alt_text(alt), contents=bubble)


def risk_line(risk: dict | None) -> str:
    """'จุดเสี่ยงภัย: ร้อยละ 96.3 (เป้าหมาย 100)' or that there is no data yet."""
    if not risk or risk.get("overall_percent") is None:
        return t.RISK_MISSING
    return t.RISK_HEADING.format(percent=f"{risk['overall_percent']:.1f}")


def kpi_card(summary: dict, link: str, *, year_end: bool = False, note: str | None = None) -> FlexMessage:
    """The quarterly (or year-end) card: the network level ladder and the risk-point percentages."""
    network = summary["network"]
    risk = summary.get("risk")
    title = t.YEAR_CARD_TITLE if year_end else t.QUARTER_CARD_TITLE
    rows: list = [
        FlexText(
            text=t.NETWORK_HEADING.format(level=network["level"], target=network["target"]),
            weight="bold",
            size="sm",
            wrap=True,
        )
    ]
    for level in network["levels"]:
        mark = "✅" if level["achieved"] else "⬜"
        rows.append(
            FlexText(
                text=t.LEVEL_LINE.format(mark=mark, level=level["level"], title=level["title"]), size="xs", wrap=True
            )
        )
    rows += [
        FlexSeparator(margin="md"),
        FlexText(text=risk_line(risk), weight="bold", size="sm", wrap=True, margin="md"),
    ]
    if risk:
        rows += [
            _row(label, fraction(risk.get(share), risk.get(done), risk.get(total)))
            for label, share, done, total in (
                (t.ROW_PATROLS, "patrol_percent", "patrols_done", "patrols_required"),
                (t.ROW_CAMERAS, "camera_percent", "cameras_done", "cameras_required"),
                (t.ROW_DEFECTS, "defect_percent", "defects_fixed", "defects_opened"),
                (t.ROW_REPORTS, "report_percent", "reports_on_time", "reports_expected"),
            )
        ]
    bubble = _bubble(title, summary["period_label"], rows, link, note)
    risk_alt = (
        t.RISK_ALT.format(percent=f"{risk['overall_percent']:.1f}")
        if risk and risk.get("overall_percent") is not None
        else t.RISK_ALT_MISSING
    )
    alt = t.QUARTER_ALT.format(
        title=title, period=summary["period_label"], level=network["level"], target=network["target"], risk=risk_alt
    )
    return FlexMessage(alt_text=alt_text(alt), contents=bubble)
