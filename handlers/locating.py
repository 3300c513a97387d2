"""The first steps of every on-site check (patrol check-in, CCTV check): where the officer stands, at which point.

One ``Locating`` per flow; its ``start`` begins the flow and its ``take_location`` and ``take_pick`` are the
flow's "location" and "pick" steps. A location already used for a check-in is refused in every flow; one
outside the geofence is recorded as a refused attempt and ends the flow; several points in range are offered
to pick from; the chosen point goes to the flow's own next step (``on_point``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from linebot.v3.messaging import Message, TextMessage
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line.riskpoint_cards import point_pick
from models import CameraCheck, Conversation, PatrolCheck, RiskPoint
from models.timeutil import from_line_ms, to_bangkok, utcnow
from services.riskpoints.patrols import location_used, record_attempt
from services.riskpoints.points import (
    distance_m,
    in_range,
    nearby,
    nearest_anywhere,
    point_by_code,
    radius_of,
    show_distance,
)
from services.roles import Roles, roles_of
from texts import riskpoints as t

OnPoint = Callable[[Context, Conversation, RiskPoint, dict], list[Message]]


def ask_location(body: str) -> TextMessage:
    """A question answered with the location quick-reply button (or cancel)."""
    return messages.ask_place(body, [t.CANCEL], location_label=t.SEND_LOCATION)


def target_of(ctx: Context, command: str) -> tuple[RiskPoint | None, str | None]:
    """The point named after the command word (the QR's 'เช็คอิน RP-0012'), and the code typed."""
    rest = (ctx.text or "")[len(command) :].strip()
    if not rest:
        return None, None
    code = rest.split()[0]
    return point_by_code(ctx.session, code), code


def location_of(ctx: Context) -> dict | None:
    """The shared location as flow data (coordinates, LINE message id, LINE timestamp in ms)."""
    message = ctx.message
    if message.get("type") != "location":
        return None
    return {
        "lat": float(message["latitude"]),
        "lng": float(message["longitude"]),
        "mid": str(message.get("id") or "") or None,
        "ms": int(ctx.event.get("timestamp") or ctx.sent_at.timestamp() * 1000),
    }


def at_of(loc: dict) -> datetime:
    """When the location was sent (LINE's event timestamp)."""
    return from_line_ms(loc["ms"])


def _has_cameras(point: RiskPoint) -> bool:
    return any(c.retired_on is None for c in point.cameras)


def _may_check(point: RiskPoint, roles: Roles) -> bool:
    """An officer checks the points of their own patrol units, and points of no unit."""
    return point.patrol_unit_id is None or any(unit.id == point.patrol_unit_id for unit in roles.patrol_units)


def _other_unit(point: RiskPoint, roles: Roles) -> TextMessage:
    """The refusal for a point of another patrol unit, naming the unit it belongs to."""
    mine = ", ".join(unit.name for unit in roles.patrol_units)
    unit = point.patrol_unit.name if point.patrol_unit else "-"
    return messages.text(t.POINT_OF_OTHER_UNIT.format(code=point.code, name=point.name, unit=unit, mine=mine))


@dataclass(frozen=True)
class Locating:
    """How one on-site flow finds its point: its command word, its wording, and where the chosen point goes."""

    flow: str
    command: str  # the command word, also on the "try again" buttons
    ask: str  # the first question, with {target} and {button}
    too_far: str  # no point in range, with {code}, {name} and {distance} of the nearest
    on_point: OnPoint
    with_cameras: bool = False  # only points with working cameras count

    def start(self, ctx: Context, registry: Registry) -> list[Message]:
        """'<command>' or '<command> RP-0012': begin the flow, asking for the officer's current location.

        Only patrol officers (on a patrol unit's roster) start it, and only at their own units' points.
        """
        roles = roles_of(ctx.session, ctx.sender)
        if not roles.patrol:
            return [messages.text(t.NOT_PATROL.format(command=self.command), [t.NEWS, t.MY_SUMMARY])]
        point, code = target_of(ctx, self.command)
        if code and point is None:
            return [messages.text(t.UNKNOWN_POINT.format(code=code.upper()))]
        if point is not None and not _may_check(point, roles):
            return [_other_unit(point, roles)]
        registry.start_flow(ctx, self.flow, "location", {"target": point.id if point else None})
        target = f" {point.code} {point.name}" if point else ""
        return [ask_location(self.ask.format(target=target, button=t.SEND_LOCATION))]

    def take_location(self, ctx: Context, flow: Conversation) -> list[Message]:
        """The "location" step: refuse a reused or distant location, else find the point(s) in range."""
        loc = location_of(ctx)
        if loc is None:
            return [ask_location(t.ASK_LOCATION_AGAIN.format(button=t.SEND_LOCATION))]
        session, at = ctx.session, at_of(loc)
        common: dict[str, Any] = {
            "member": ctx.sender,
            "at": at,
            "lat": loc["lat"],
            "lng": loc["lng"],
            "message_id": loc["mid"],
        }
        if location_used(session, loc["mid"], loc["lat"], loc["lng"], at):
            record_attempt(session, point=None, reason="reused", distance=None, **common)
            return [ask_location(t.LOCATION_REUSED)]
        target = session.get(RiskPoint, flow.data["target"]) if flow.data.get("target") else None
        if target is not None:
            return self._at_target(ctx, flow, target, loc, common)
        roles = roles_of(session, ctx.sender)
        mine = [unit.id for unit in roles.patrol_units]
        found = nearby(session, loc["lat"], loc["lng"], with_cameras=self.with_cameras, units=mine)
        inside = [point for point, _ in in_range(session, found)]
        if not inside:
            conversation.finish(ctx, flow)
            others = in_range(session, nearby(session, loc["lat"], loc["lng"], with_cameras=self.with_cameras))
            if others:
                return [_other_unit(others[0][0], roles)]
            nearest = found[0] if found else self._nearest_anywhere(session, loc)
            if nearest is None:
                return [messages.text(t.NO_POINTS)]
            point, distance = nearest
            record_attempt(session, point=point, reason="outside", distance=distance, **common)
            body = self.too_far.format(code=point.code, name=point.name, distance=show_distance(distance))
            return [messages.text(body, [self.command])]
        if len(inside) == 1:
            return self.on_point(ctx, flow, inside[0], loc)
        conversation.advance(flow, "pick", loc=loc, candidates=[p.id for p in inside])
        return _pick_question(inside, loc=loc, with_cameras=self.with_cameras)

    def _nearest_anywhere(self, session, loc: dict) -> tuple[RiskPoint, float] | None:
        """The nearest point however far, for the refusal (none when only points with cameras count)."""
        return None if self.with_cameras else nearest_anywhere(session, loc["lat"], loc["lng"])

    def _at_target(
        self, ctx: Context, flow: Conversation, target: RiskPoint, loc: dict, common: dict[str, Any]
    ) -> list[Message]:
        session = ctx.session
        distance = distance_m(loc["lat"], loc["lng"], target.latitude, target.longitude)
        radius = radius_of(session, target)
        if distance > radius:
            record_attempt(session, point=target, reason="outside", distance=distance, **common)
            conversation.finish(ctx, flow)
            body = t.OUTSIDE_TARGET.format(
                code=target.code, name=target.name, distance=show_distance(distance), radius=f"{radius:,.0f}"
            )
            return [messages.text(body, [f"{self.command} {target.code}"])]
        if self.with_cameras and not _has_cameras(target):
            conversation.finish(ctx, flow)
            return [messages.text(self.too_far.format(code=target.code, name=target.name, distance=show_distance(0)))]
        return self.on_point(ctx, flow, target, loc)

    def take_pick(self, ctx: Context, flow: Conversation) -> list[Message]:
        """The "pick" step: the point chosen among those in range."""
        candidates = [p for p in (ctx.session.get(RiskPoint, pid) for pid in flow.data["candidates"]) if p]
        typed = (ctx.text or "").strip().upper()
        chosen = next((p for p in candidates if typed in (p.code, f"{p.code} {p.name}".upper())), None)
        if chosen is None:
            return _pick_question(candidates, t.PICK_AGAIN, loc=flow.data["loc"], with_cameras=self.with_cameras)
        return self.on_point(ctx, flow, chosen, flow.data["loc"])


def _pick_question(
    points: list[RiskPoint], body: str | None = None, *, loc: dict | None = None, with_cameras: bool = False
) -> list[Message]:
    """The points in range as a carousel: code, full name, distance from the officer, today's last check."""
    nearest_first = sorted(points, key=lambda p: _distance(p, loc))
    at = at_of(loc) if loc else utcnow()
    cards = [
        (p, _distance_line(p, loc), _last_check_line(object_session(p), p, at, with_cameras)) for p in nearest_first
    ]
    alt = t.PICK_ALT.format(count=len(points), codes=", ".join(p.code for p in nearest_first))
    return [messages.text(body or t.PICK_POINT.format(count=len(points))), point_pick(cards, alt)]


def _distance(point: RiskPoint, loc: dict | None) -> float:
    return distance_m(loc["lat"], loc["lng"], point.latitude, point.longitude) if loc else 0.0


def _distance_line(point: RiskPoint, loc: dict | None) -> str | None:
    return t.PICK_DISTANCE.format(distance=show_distance(_distance(point, loc))) if loc else None


def _last_check_line(session, point: RiskPoint, at: datetime, with_cameras: bool) -> str:
    """When the point was last checked on the Bangkok day of ``at`` (its cameras, for a camera check)."""
    day = to_bangkok(at).date()
    if with_cameras:
        query = select(func.max(CameraCheck.checked_at)).where(
            CameraCheck.point_id == point.id, CameraCheck.check_day == day
        )
    else:
        start = datetime.combine(day, time(0), tzinfo=to_bangkok(at).tzinfo)
        query = select(func.max(PatrolCheck.checked_at)).where(
            PatrolCheck.point_id == point.id, PatrolCheck.checked_at >= start, PatrolCheck.checked_at <= at
        )
    last = session.scalar(query) if session is not None else None
    if last is None:
        return t.PICK_NOT_CHECKED
    return t.PICK_LAST_CHECK.format(time=to_bangkok(last).strftime("%H:%M"))
