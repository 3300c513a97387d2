"""Seed 000's FY 2564 replayed as data: level 5 with target 4 met, quarter by quarter as the seed tells it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.seed_fy2564 import PILOT_DISTRICTS, load_fy2564
from models import OutgoingMessage
from models.periods import Period
from models.workgroup import Forward, Measure
from reports.network_kpi import evidence_checklist, kpi_by_quarter, network_kpi


@pytest.fixture
def seeded(services):
    with services.sessions.begin() as session:
        result = load_fy2564(session)
    return result


def test_fy2564_reaches_level_5_and_meets_target_4(services, seeded):
    with services.sessions() as session:
        kpi = network_kpi(session, Period.of_fiscal_year(2564))
    assert [result.achieved for result in kpi.levels] == [True] * 5
    assert kpi.level == 5
    assert kpi.target == 4 and kpi.target_met
    one, two, three, four, five = (result.evidence for result in kpi.levels)
    assert [g["members"] for g in one["network_groups"]] == [42, 88, 115]
    assert one["people_in_groups"] == 245
    assert len(one["occupations_covered"]) >= 3
    assert two["reports_total"] == 10
    committee = three["committees"][0]
    assert "1/2564" in committee["order"] and committee["qualifies"]
    assert committee["chair"].startswith("รองผู้อำนวยการรักษาความมั่นคงภายใน")
    assert "สำนักงานตรวจคนเข้าเมือง" in committee["immigration_agencies"]
    assert "กลุ่มเขตกรุงเทพกลาง" in committee["bma_units"] and "สำนักงานปกครองและทะเบียน" in committee["bma_units"]
    assert len([unit for unit in committee["bma_units"] if unit.startswith("กลุ่มเขต")]) == 6
    kinds = sorted(meeting["kind"] for meeting in four["meetings"])
    assert kinds == ["คณะทำงานชุดย่อย", "คณะทำงานชุดย่อย", "คณะทำงานชุดใหญ่"]
    assert "2 กรกฎาคม 2564" in [meeting["date"] for meeting in four["meetings"]]
    assert sorted(four["meetings"][1]["target_districts"]) == sorted(PILOT_DISTRICTS)
    plans = [m for m in five["measures"] if m["title"].startswith("แผนตำบลมั่นคง มั่งคั่ง ยั่งยืน")]
    assert sorted(plan["district"] for plan in plans) == sorted(PILOT_DISTRICTS)


def test_quarter_by_quarter_follows_the_seed_narrative(services, seeded):
    with services.sessions() as session:
        quarters = kpi_by_quarter(session, 2564)
    # Q1: establishing the network (one group, one occupation); Q2-Q3: the working group arranges
    # meetings (order 1/2564 in January, one meeting by June); Q4: meetings, forwards and plans done.
    assert [kpi.level for kpi in quarters] == [0, 3, 3, 5]
    q1, q2, q3, q4 = quarters
    assert q1.levels[0].achieved is False and q1.levels[1].achieved is True  # reports came in, network not yet
    assert q2.levels[2].achieved and not q2.levels[3].achieved
    assert len(q3.levels[3].evidence["meetings"]) == 1  # the full committee in May
    assert not q3.levels[4].achieved  # forwarded to outside agencies in June, no measure yet
    assert q4.target_met and not q3.target_met
    assert q4.period.kind == "ytd" and q4.period.label().startswith("ปีงบประมาณ 2564 ถึงสิ้นไตรมาสที่ 4")


def test_evidence_checklist_matches_the_seeds_list(services, seeded):
    with services.sessions() as session:
        items = evidence_checklist(network_kpi(session, Period.of_fiscal_year(2564)))
    assert [item.label for item in items][:4] == [
        "บัญชีรายชื่อเครือข่ายข่าว",
        "รายงานข่าวสารผ่านกลุ่มไลน์",
        "คำสั่งแต่งตั้งคณะทำงาน",
        "สำเนารายงานการประชุมคณะทำงาน",
    ]
    assert "แผนตำบลมั่นคง มั่งคั่ง ยั่งยืน" in items[4].label
    assert all(item.present for item in items)
    assert "ยังไม่ได้แนบไฟล์คำสั่ง" in items[2].detail  # the seed has no scanned order attached


def test_replay_is_idempotent_and_sends_nothing_to_line(services, seeded):
    with services.sessions.begin() as session:
        again = load_fy2564(session)
        assert again.created is False and again.committee_id == seeded.committee_id
        assert session.scalar(select(func.count()).select_from(Forward)) == 2
        assert session.scalar(select(func.count()).select_from(Measure)) == 10
        assert session.scalar(select(func.count()).select_from(OutgoingMessage)) == 0


def test_next_fiscal_year_starts_from_nothing_for_the_working_group(services, seeded):
    with services.sessions() as session:
        kpi = network_kpi(session, Period.of_fiscal_year(2565))
    # the committee's order has no end date, so level 3 still holds; no meetings yet in 2565
    assert kpi.levels[2].achieved is True
    assert kpi.levels[3].achieved is False and kpi.levels[4].achieved is False
