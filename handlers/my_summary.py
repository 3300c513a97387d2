"""'สรุปของฉัน' (the rich menu tile; also 'ข่าวของฉัน', 'งานของฉัน'): a summary for each role the person has,
in the order secretariat, patrol officer, department clerk, volunteer; the postbacks behind its buttons page
through the volunteer's reports and open the details of a report, a unit's day, a check-in, a defect or a
work order. Everything answers only what the person may see."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

from linebot.v3.messaging import Message

from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line import summary_cards as cards
from line import summary_duty_cards as duty
from models import Defect, PatrolCheck, RiskUnit, WorkOrder
from services.riskpoints.summaries import checks_today, open_defects_by, open_orders, unit_progress
from services.roles import Roles, roles_of
from services.summaries import own_report, report_count, report_page, secretariat_counts
from texts import summary as t


def summary(ctx: Context) -> list[Message]:
    """Every role's summary, or the newcomer's explanation when the person has none."""
    roles = roles_of(ctx.session, ctx.sender)
    answer = [message for section in SECTIONS for message in section(ctx, roles)]
    return answer or cards.newcomer()


def _secretariat(ctx: Context, roles: Roles) -> list[Message]:
    if not roles.secretariat:
        return []
    return duty.secretariat_summary(secretariat_counts(ctx.session, ctx.sent_at))


def _patrol(ctx: Context, roles: Roles) -> list[Message]:
    if not roles.patrol:
        return []
    progresses = [unit_progress(ctx.session, unit, ctx.sent_at) for unit in roles.patrol_units]
    checks = checks_today(ctx.session, ctx.sender, ctx.sent_at)
    return duty.patrol_summary(progresses, checks, open_defects_by(ctx.session, ctx.sender), ctx.sent_at)


def _clerk(ctx: Context, roles: Roles) -> list[Message]:
    if not roles.clerk:
        return []
    by_unit = [(unit, open_orders(ctx.session, [unit])) for unit in roles.departments]
    return duty.clerk_summary(by_unit, ctx.sent_at)


def _volunteer(ctx: Context, roles: Roles) -> list[Message]:
    if report_count(ctx.session, ctx.sender):
        return cards.report_carousel(report_page(ctx.session, ctx.sender))
    return cards.no_reports_yet() if roles.volunteer else []


SECTIONS: tuple[Callable[[Context, Roles], list[Message]], ...] = (_secretariat, _patrol, _clerk, _volunteer)


# --- the postbacks behind the summary's buttons ------------------------------------------------------


LARGEST = 2**31 - 1  # ids and pages beyond an integer column are nobody's


def _number(ctx: Context, key: str) -> int:
    """An integer field of the postback data (0 when absent or not a number)."""
    value = (parse_qs(ctx.postback_data or "").get(key) or ["0"])[0]
    return min(int(value), LARGEST) if value.isdecimal() and len(value) < 12 else 0


def next_page(ctx: Context) -> list[Message]:
    """'ดูเพิ่มเติม': the next page of the volunteer's reports."""
    if ctx.sender is None:
        return cards.newcomer()
    return cards.report_carousel(report_page(ctx.session, ctx.sender, _number(ctx, "page")))


def report_detail(ctx: Context) -> list[Message]:
    """'ดูรายละเอียด' on one of the volunteer's reports."""
    line = own_report(ctx.session, ctx.sender, _number(ctx, "id"))
    return cards.report_detail(line) if line else [messages.text(t.REPORT_NOT_YOURS, [t.SUMMARY])]


def _may_see_unit(roles: Roles, unit: RiskUnit) -> bool:
    return roles.secretariat or roles.acts_for(unit)


def unit_detail(ctx: Context, roles: Roles) -> list[Message] | None:
    """A patrol unit's points still short of their visits today."""
    unit = ctx.session.get(RiskUnit, _number(ctx, "id"))
    if unit is None or not _may_see_unit(roles, unit):
        return None
    return duty.unit_detail(unit_progress(ctx.session, unit, ctx.sent_at))


def check_detail(ctx: Context, roles: Roles) -> list[Message] | None:
    """One of the officer's check-ins."""
    check = ctx.session.get(PatrolCheck, _number(ctx, "id"))
    if check is None or ctx.sender is None or check.member_id != ctx.sender.id:
        return None
    return duty.check_detail(ctx.session, check)


def defect_detail(ctx: Context, roles: Roles) -> list[Message] | None:
    """A defect the officer reported (or any, for the secretariat), with its work order's timeline."""
    defect = ctx.session.get(Defect, _number(ctx, "id"))
    if defect is None or ctx.sender is None or not (roles.secretariat or defect.reported_by == ctx.sender.id):
        return None
    return duty.defect_detail(defect, ctx.sent_at)


def order_detail(ctx: Context, roles: Roles) -> list[Message] | None:
    """A work order of the clerk's department (or one the officer's defect opened), with its timeline."""
    order = ctx.session.get(WorkOrder, _number(ctx, "id"))
    if order is None or ctx.sender is None:
        return None
    own_defect = order.defect.reported_by == ctx.sender.id
    if not (own_defect or (order.unit is not None and _may_see_unit(roles, order.unit))):
        return None
    return duty.order_detail(order, ctx.sent_at)


def _guarded(detail: Callable[[Context, Roles], list[Message] | None]) -> Callable[[Context], list[Message]]:
    """A detail postback answered only to someone allowed to see the item."""

    def answer(ctx: Context) -> list[Message]:
        roles = roles_of(ctx.session, ctx.sender)
        return detail(ctx, roles) or [messages.text(t.ITEM_NOT_YOURS, [t.SUMMARY])]

    answer.__doc__ = detail.__doc__
    return answer


DETAILS = {
    cards.UNIT_ACTION: unit_detail,
    cards.CHECK_ACTION: check_detail,
    cards.DEFECT_ACTION: defect_detail,
    cards.ORDER_ACTION: order_detail,
}


def register(registry: Registry) -> None:
    """Add 'สรุปของฉัน' and the postbacks of its cards."""
    registry.command(*t.SUMMARY_WORDS, chat_types={"user"}, interrupts=True)(summary)  # read-only: a flow stays
    registry.postback(cards.NEWS_ACTION)(next_page)
    registry.postback(cards.NEWS_DETAIL_ACTION)(report_detail)
    for action, detail in DETAILS.items():
        registry.postback(action)(_guarded(detail))
