"""Network KPI levels 1 and 2 from the data, with seed 000's FY 2564 facts."""

from __future__ import annotations

from datetime import UTC, datetime

from models import Chat, Member, MemberStatus, NewsReport, ReportStatus
from models.periods import Period
from reports.network_kpi import network_kpi

SEED_GROUPS = (
    ("กลุ่ม Line กอ.รมน.กทม. (ปี 64)", 42, "official"),
    ("กลุ่มไลน์ อบรมเครือข่ายข่าว", 88, "volunteer"),
    ("กลุ่มไลน์เครือข่ายข่าว อปพร.กทม.", 115, "civil_defence"),
)


def at(year, month, day, hour=3):
    return datetime(year, month, day, hour, tzinfo=UTC)


def load_fy2564(session, *, groups=SEED_GROUPS, report_days=None):
    chats = []
    for number, (name, members, occupation) in enumerate(groups):
        chat = Chat(
            line_chat_id=f"C{number:032d}",
            chat_type="group",
            name=name,
            purpose="network",
            occupation_code=occupation,
            member_count=members,
            joined_at=at(2020, 12, 1),
            registered_at=at(2020, 12, 1 + number),
            registered_by="seed",
        )
        session.add(chat)
        chats.append(chat)
    session.flush()
    days = report_days or [at(2020, 12, 20, 14), at(2021, 2, 3, 23), at(2021, 5, 9, 2), at(2021, 7, 2, 9)]
    for number, day in enumerate(days):
        session.add(
            NewsReport(
                ref_no=f"NR-2564-{number + 1:06d}",
                channel="group",
                chat_id=chats[number % len(chats)].id,
                sender_key=f"U{number}",
                status=ReportStatus.NEW,
                started_at=day,
                last_item_at=day,
            )
        )
    session.flush()


def test_seed_fy2564_reaches_level_2_for_the_fiscal_year(services):
    with services.sessions.begin() as session:
        load_fy2564(session)
        result = network_kpi(session, Period.of_fiscal_year(2564))
    assert result.level >= 2  # levels 3-5 need the working group (tests/test_network_kpi_*.py)
    level1, level2 = result.levels[:2]
    assert level1.evidence["people_in_groups"] == 245
    assert len(level1.evidence["occupations_covered"]) == 3
    assert level2.evidence["reports_total"] == 4
    assert sum(level2.evidence["reports_by_channel"].values()) == 4


def test_each_quarter_has_reports_from_the_groups(services):
    with services.sessions.begin() as session:
        load_fy2564(session)
        results = [network_kpi(session, Period.of_quarter(2564, quarter)) for quarter in (1, 2, 3, 4)]
    assert [all(level.achieved for level in result.levels[:2]) for result in results] == [True] * 4


def test_two_occupations_are_not_a_network_and_the_ladder_stops_at_zero(services):
    with services.sessions.begin() as session:
        load_fy2564(session, groups=SEED_GROUPS[:2])
        result = network_kpi(session, Period.of_fiscal_year(2564))
    assert [level.achieved for level in result.levels[:2]] == [False, True]
    assert result.level == 0


def test_registered_members_count_toward_occupations_only_when_approved(services):
    with services.sessions.begin() as session:
        load_fy2564(session, groups=SEED_GROUPS[:2])
        for number, status in enumerate([MemberStatus.PENDING, MemberStatus.APPROVED]):
            session.add(
                Member(
                    line_user_id=f"U{number:032d}",
                    status=status,
                    occupation_code="motorcycle_taxi" if status == MemberStatus.PENDING else "community_leader",
                    registered_at=at(2021, 1, 5),
                )
            )
        session.flush()
        result = network_kpi(session, Period.of_fiscal_year(2564))
        before = network_kpi(session, Period.of_quarter(2564, 1))
    assert result.level >= 2
    assert "ผู้นำชุมชน" in result.levels[0].evidence["occupations_covered"]
    assert "วินรถจักรยานยนต์รับจ้าง" not in result.levels[0].evidence["occupations_covered"]
    assert before.levels[0].achieved is False  # the member registered after quarter 1


def test_a_quarter_without_reports_misses_level_2_and_reports_are_timed_in_bangkok(services):
    with services.sessions.begin() as session:
        # 30 Sep 2021 18:00 UTC is 1 Oct 2021 01:00 in Bangkok: fiscal year 2565, not 2564
        load_fy2564(session, report_days=[at(2020, 12, 20), at(2021, 9, 30, 18)])
        q4 = network_kpi(session, Period.of_quarter(2564, 4))
        next_year = network_kpi(session, Period.of_quarter(2565, 1))
    assert q4.levels[1].achieved is False and q4.level == 1
    assert next_year.levels[1].evidence["reports_total"] == 1
    assert next_year.levels[1].evidence["reports_by_hour"] == {"01:00": 1}
