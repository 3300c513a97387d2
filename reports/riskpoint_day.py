"""Each risk point's day: rounds and camera checks done against required, and its open defects.

One day of the KPI (reports/riskpoint_compliance.py's ``by_point`` over a one-day span: the same rule, the
same aggregate queries), put as what a map or a board shows for a point: done and required, and a status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from models.periods import Period
from reports import riskpoint_compliance as rc

# A point's status for the day, worst first (the order legends list them in).
MISSED = "missed"  # nothing done of what was required
PARTIAL = "partial"  # some of the rounds or camera checks done
COMPLETE = "complete"  # every round and camera check required that day done
NOT_REQUIRED = "not_required"  # nothing required (not in service that day, or a day not yet begun)
STATUSES = (MISSED, PARTIAL, COMPLETE, NOT_REQUIRED)


@dataclass(frozen=True)
class PointDay:
    """One point's rounds and camera checks of a day against what was required, and defects open at its end."""

    point_id: int
    rounds_done: int
    rounds_required: int
    cameras_done: int
    cameras_required: int
    open_defects: int

    @property
    def status(self) -> str:
        """MISSED, PARTIAL, COMPLETE or NOT_REQUIRED."""
        required = self.rounds_required + self.cameras_required
        done = self.rounds_done + self.cameras_done
        if not required:
            return NOT_REQUIRED
        if done >= required:
            return COMPLETE
        return PARTIAL if done else MISSED


def point_days(
    session: Session, day: date, *, districts: Iterable[str] | None = None, as_of: date | None = None
) -> dict[int, PointDay]:
    """Each point's day (by point id), for the given districts (None: every district); as_of clips days to come."""
    span = Period.of_day(day)
    found: dict[int, rc.Compliance] = {}
    for district in [None] if districts is None else sorted(set(districts)):
        found |= rc.by_point(session, span, district=district, as_of=as_of)
    return {
        point_id: PointDay(
            point_id=point_id,
            rounds_done=entry.patrols_done,
            rounds_required=entry.patrols_required,
            cameras_done=entry.cameras_done,
            cameras_required=entry.cameras_required,
            open_defects=entry.open_at_end,
        )
        for point_id, entry in found.items()
    }
