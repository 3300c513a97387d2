"""Forwards: quota-aware LINE pushes, numbering per fiscal year, the summary's limits, bad requests."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from line.messages import MAX_TEXT_UTF16, utf16_length
from line.workgroup_cards import forward_summary
from models import OutgoingMessage
from runtime.delivery import notifier
from services.workgroup.errors import WorkgroupError
from services.workgroup.forwards import forward_reports, quota_estimate
from tests import workgroup_factories as make


def test_agencies_sharing_a_group_get_one_push_with_a_button_each(services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        shared = make.agency_group(session, found["immigration"], members=40, line_id="C" + "a" * 32)
        found["metro_police"].chat_id = shared.id
        make.agency_group(session, found["nia"], members=7, line_id="C" + "b" * 32)
        ids = [found[code].id for code in ("immigration", "metro_police", "nia", "msdhs")]
        estimate = quota_estimate(session, ids)
        reported = make.report(session, make.bkk(2021, 5, 1))
        forward = make.forward(
            session,
            report_ids=[reported.id],
            agency_ids=ids,
            subject="ส่งข่าว",
            by="t",
            now=make.bkk(2021, 5, 2),
        )
        rows = session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.recipient)).all()
        costs = sorted(r.line_cost or 0 for r in forward.recipients)
        letters = [r.letter_no for r in forward.recipients if r.letter_no]
    assert (estimate.pushes, estimate.messages) == (2, 47)
    assert estimate.unreachable == ["กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"]
    assert [row.recipient for row in rows] == ["C" + "a" * 32, "C" + "b" * 32]
    shared_buttons = rows[0].messages[1]["template"]["actions"]
    assert [action["label"] for action in shared_buttons] == ["รับทราบ: สตม.", "รับทราบ: บช.น."]
    assert all(row.urgent for row in rows)
    assert costs == [0, 0, 7, 40] and letters == ["กท/1"]


def test_reference_and_letter_numbers_run_per_fiscal_year_in_bangkok_time(services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        reported = make.report(session, make.bkk(2021, 9, 1))
        refs = []
        for when in (make.bkk(2021, 9, 30, 23, 30), make.bkk(2021, 10, 1, 0, 30), make.bkk(2021, 10, 2)):
            forward = make.forward(
                session,
                report_ids=[reported.id],
                agency_ids=[found["nia"].id],
                subject="ส่งข่าว",
                by="t",
                now=when,
                via_line=False,
                via_letter=True,
            )
            refs.append((forward.ref_no, forward.fiscal_year, forward.recipients[0].letter_no))
    assert refs == [("FW-2564-0001", 2564, "กท/1"), ("FW-2565-0001", 2565, "กท/1"), ("FW-2565-0002", 2565, "กท/2")]


def test_a_summary_of_many_reports_stays_one_message(services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        make.agency_group(session, found["immigration"])
        reports = [make.report(session, make.bkk(2021, 5, 1), number=n, text="ข่าว " * 400) for n in range(1, 26)]
        forward = make.forward(
            session,
            report_ids=[r.id for r in reports],
            agency_ids=[found["immigration"].id],
            subject="ส่งข่าวชุดใหญ่",
            by="t",
            now=make.bkk(2021, 5, 2),
        )
        rows = session.scalars(select(OutgoingMessage)).all()
    more = int(re.search(r"…และอีก (\d+) เรื่อง", forward.summary).group(1))
    shown = 25 - more
    assert more >= 5  # at most 20 reports (the setting), fewer when LINE's 5,000 characters are reached
    assert f"NR-2599-{shown:06d}" in forward.summary and f"NR-2599-{shown + 1:06d}" not in forward.summary
    assert utf16_length(forward.summary) <= MAX_TEXT_UTF16 and forward.summary.endswith("ในกลุ่มนี้)")
    assert len(rows) == 1 and len(rows[0].messages) == 2


def test_recording_only_sends_nothing(services):
    with services.sessions.begin() as session:
        make.forward_one_report(session, "immigration", make.bkk(2021, 5, 1), make.bkk(2021, 5, 2), deliver=False)
        assert session.scalars(select(OutgoingMessage)).all() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agency_ids": []}, "กรุณาเลือกหน่วยงาน"),
        ({"report_ids": []}, "กรุณาเลือกข่าว"),
        ({"via_line": False, "via_letter": False}, "กรุณาเลือกช่องทาง"),
        ({"subject": "  "}, "กรุณาระบุเรื่อง"),
    ],
)
def test_bad_forwards_are_refused_in_thai(services, change, message):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        reported = make.report(session, make.bkk(2021, 5, 1))
        request = {
            "report_ids": [reported.id],
            "agency_ids": [found["nia"].id],
            "subject": "ส่งข่าว",
            "by": "t",
            "now": make.bkk(2021, 5, 2),
            **change,
        }
        with pytest.raises(WorkgroupError, match=message):
            forward_reports(session, notify=notifier(session, "forward"), summarise=forward_summary, **request)
