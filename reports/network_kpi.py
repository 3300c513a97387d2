"""The intelligence network KPI, levels 1 and 2, with the evidence behind each level."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Chat, Member, MemberStatus, NewsReport, Occupation, ReportStatus
from models.settings import get_setting
from models.timeutil import to_bangkok
from reports.periods import Period

COUNTED_REPORTS = (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.FORWARDED, ReportStatus.CLOSED)
DIRECT_CHANNEL = "แชตส่วนตัวกับบอท (LINE 1:1)"


@dataclass
class LevelResult:
    """Whether one level holds, why, and its evidence."""

    level: int
    title: str
    achieved: bool
    reason: str
    evidence: dict = field(default_factory=dict)


@dataclass
class NetworkKpi:
    """The network KPI for a period: the highest level reached on the ladder and each level's result."""

    period: Period
    levels: list[LevelResult]

    @property
    def level(self) -> int:
        """The highest level whose own and lower levels all hold (0 if none)."""
        reached = 0
        for result in self.levels:
            if not result.achieved:
                break
            reached = result.level
        return reached


def level_1(session: Session, period: Period) -> LevelResult:
    """Level 1: a network whose active members cover at least N occupational groups by the period's end."""
    minimum = int(get_setting(session, "network.level1_min_occupations"))
    names = dict(session.execute(select(Occupation.code, Occupation.name)).all())
    members = session.execute(
        select(Member.occupation_code, func.count())
        .where(
            Member.status == MemberStatus.APPROVED,
            Member.registered_at < period.ends,
            Member.occupation_code.is_not(None),
        )
        .group_by(Member.occupation_code)
    ).all()
    groups = session.scalars(
        select(Chat)
        .where(Chat.purpose == "network", Chat.registered_at < period.ends)
        .where(or_(Chat.left_at.is_(None), Chat.left_at >= period.starts))
        .order_by(Chat.registered_at)
    ).all()
    by_occupation: Counter[str] = Counter({code: count for code, count in members})
    covered = set(by_occupation)
    covered |= {group.occupation_code for group in groups if group.occupation_code}
    evidence = {
        "registered_members_by_occupation": {names.get(code, code): count for code, count in by_occupation.items()},
        "network_groups": [
            {
                "name": group.name,
                "occupation": names.get(group.occupation_code, group.occupation_code),
                "members": group.member_count,
            }
            for group in groups
        ],
        "occupations_covered": sorted(names.get(code, code) for code in covered),
        "people_in_groups": sum(group.member_count or 0 for group in groups),
        "minimum_occupations": minimum,
    }
    achieved = len(covered) >= minimum
    reason = f"ครอบคลุม {len(covered)} กลุ่มอาชีพ (เกณฑ์อย่างน้อย {minimum})"
    return LevelResult(1, "จัดตั้งเครือข่ายข่าวความมั่นคง", achieved, reason, evidence)


def level_2(session: Session, period: Period) -> LevelResult:
    """Level 2: at least one 24-hour channel received reports in the period."""
    rows = session.execute(
        select(NewsReport.channel, Chat.name, NewsReport.started_at)
        .outerjoin(Chat, Chat.id == NewsReport.chat_id)
        .where(
            NewsReport.status.in_(COUNTED_REPORTS),
            NewsReport.started_at >= period.starts,
            NewsReport.started_at < period.ends,
        )
    ).all()
    per_channel: Counter[str] = Counter()
    per_hour: Counter[int] = Counter()
    for channel, chat_name, started in rows:
        per_channel[DIRECT_CHANNEL if channel == "direct" else (chat_name or "กลุ่ม LINE")] += 1
        per_hour[to_bangkok(started).hour] += 1
    evidence = {
        "reports_by_channel": dict(per_channel.most_common()),
        "reports_by_hour": {f"{hour:02d}:00": per_hour[hour] for hour in range(24) if per_hour[hour]},
        "reports_total": len(rows),
        "channels_always_open": [DIRECT_CHANNEL, *(name for name in per_channel if name != DIRECT_CHANNEL)],
    }
    achieved = len(per_channel) >= 1
    reason = f"{len(per_channel)} ช่องทางได้รับข่าว {len(rows)} เรื่องในช่วงนี้ (เปิดรับ 24 ชั่วโมง)"
    return LevelResult(2, "ช่องทางรายงานข่าวตลอด 24 ชั่วโมง", achieved, reason, evidence)


LEVELS = (level_1, level_2)


def network_kpi(session: Session, period: Period) -> NetworkKpi:
    """Compute every implemented level of the network KPI for a period."""
    return NetworkKpi(period, [level(session, period) for level in LEVELS])
