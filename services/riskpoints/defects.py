"""Defects found at risk points and their work orders: opened, sent to the department, moved, verified, closed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    CameraCheck,
    Defect,
    DefectStatus,
    Member,
    OrderEvent,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    WorkOrder,
)
from models.counters import next_number
from models.timeutil import be_year, to_bangkok
from services.notices import Notify, OrderSent, OrderUndelivered
from services.riskpoints.photos import add_photos
from services.riskpoints.units import department_for, secretariat_chats, unit_chat


def open_defect(
    session: Session,
    point: RiskPoint,
    kind: str,
    at: datetime,
    notify: Notify,
    *,
    member: Member | None = None,
    note: str | None = None,
    check: PatrolCheck | None = None,
    camera: RiskCamera | None = None,
    camera_check: CameraCheck | None = None,
    photos: list[tuple[int, datetime]] = (),
) -> Defect:
    """Open a defect at a point and its work order for the responsible department (told in its group).

    Whether the order reached the department's group: ``order_delivered(session, defect.order)``; when it did
    not, the secretariat's groups were told instead (OrderUndelivered).
    """
    defect = Defect(
        point_id=point.id,
        kind=kind,
        camera_id=camera.id if camera else None,
        note=(note or None) and note[:2000],
        opened_at=at,
        reported_by=member.id if member else None,
        patrol_check_id=check.id if check else None,
        camera_check_id=camera_check.id if camera_check else None,
    )
    session.add(defect)
    session.flush()
    add_photos(session, list(photos), role="before", defect=defect)
    create_order(session, defect, at, notify)
    return defect


def create_order(session: Session, defect: Defect, at: datetime, notify: Notify) -> WorkOrder:
    """A work order for a defect, numbered WO-<BE year>-<n>, sent to the department's group."""
    year = be_year(to_bangkok(at).date())
    unit = department_for(session, defect.kind)
    order = WorkOrder(
        ref=f"WO-{year}-{next_number(session, 'WO', year):04d}",
        defect_id=defect.id,
        unit_id=unit.id if unit else None,
        created_at=at,
    )
    session.add(order)
    session.flush()
    session.add(OrderEvent(order_id=order.id, at=at, status=OrderStatus.NEW.value, actor=None))
    session.flush()
    session.refresh(order)
    if not send_order(session, order, notify):
        for chat in secretariat_chats(session):
            notify(chat, OrderUndelivered(order))
    return order


def send_order(session: Session, order: WorkOrder, notify: Notify) -> bool:
    """Send a work order's card with its buttons to its department's group; False if it has none."""
    chat = unit_chat(session, order.unit)
    if chat is None:
        return False
    notify(chat, OrderSent(order))
    return True


def order_delivered(session: Session, order: WorkOrder | None) -> bool:
    """Whether a work order's department has a LINE group the bot is in, so its card reached the group."""
    return order is not None and unit_chat(session, order.unit) is not None


def move_order(
    session: Session, order: WorkOrder, status: OrderStatus, at: datetime, *, actor: str | None, note: str | None = None
) -> None:
    """Change a work order's status and add the step to its timeline."""
    order.status = status
    if status == OrderStatus.ACCEPTED and order.accepted_at is None:
        order.accepted_at = at
    if status == OrderStatus.DONE:
        order.done_at = at
    if status == OrderStatus.CLOSED:
        order.closed_at = at
    session.add(OrderEvent(order_id=order.id, at=at, status=status.value, actor=actor, note=note))


def close_defect(
    session: Session, defect: Defect, at: datetime, *, actor: str | None, check: CameraCheck | None = None
) -> None:
    """Close a defect and its work order."""
    defect.status = DefectStatus.CLOSED
    defect.closed_at = at
    if check is not None:
        defect.closed_by_check_id = check.id
    if defect.order is not None and defect.order.status != OrderStatus.CLOSED:
        move_order(session, defect.order, OrderStatus.CLOSED, at, actor=actor)


def orders_to_verify(session: Session, point: RiskPoint) -> list[WorkOrder]:
    """Work orders at a point that their department marked done, awaiting a patrol's word (not CCTV)."""
    return list(
        session.scalars(
            select(WorkOrder)
            .join(Defect, Defect.id == WorkOrder.defect_id)
            .where(Defect.point_id == point.id, WorkOrder.status == OrderStatus.DONE, Defect.kind != "cctv")
            .order_by(WorkOrder.done_at)
        )
    )


def verify_order(session: Session, order: WorkOrder, ok: bool, at: datetime, actor: str | None, notify: Notify) -> None:
    """A patrol at the point confirms a finished order (closing its defect) or sends it back."""
    if ok:
        close_defect(session, order.defect, at, actor=actor)
        return
    order.reopened_count += 1
    move_order(session, order, OrderStatus.REOPENED, at, actor=actor, note="สายตรวจตรวจแล้วยังไม่เรียบร้อย")
    session.flush()
    send_order(session, order, notify)
