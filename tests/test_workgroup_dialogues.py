"""The working group through the LINE emulator: an agency acknowledges a forward with its button and
reports a measure back; the secretariat links LINE and asks "ประชุม"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Chat, NewsReport, Role, StaffUser
from models.timeutil import utcnow
from models.workgroup import ForwardRecipient, Measure, MeetingKind, MeetingStatus
from runtime.delivery import notifier
from services.network.groups import create_group_code
from services.workgroup.acknowledgements import remind_unacknowledged
from services.workgroup.meetings import create_meeting
from services.workgroup.staff import create_link_code, secretariat_line_ids
from tests import workgroup_factories as make
from tests.test_admin_support import make_staff
from texts import network as nt
from texts import workgroup as t


def registered_group(line, name, members, purpose):
    """A LINE group the secretariat registered with a one-time code for a purpose."""
    group = line.group(name, members)
    with line.services.sessions.begin() as session:
        code = create_group_code(session, name=name, purpose=purpose, by="secretariat")
        typed = f"ลงทะเบียนกลุ่ม {code.code}"
    replies = members[0].in_group(group).says(typed)
    assert replies.texts == [
        nt.GROUP_REGISTERED.format(name=name, purpose=nt.GROUP_PURPOSES[purpose], does=nt.GROUP_DOES[purpose])
    ]
    return group


def agency_with_group(line, code, group):
    """Link the agency to its registered LINE group (what the agencies page does)."""
    with line.services.sessions.begin() as session:
        found = make.agencies(session)
        chat = session.scalar(select(Chat).where(Chat.line_chat_id == group.chat_id))
        found[code].chat_id = chat.id
        return found[code].id


def forward_three_reports(line, agency_id):
    with line.services.sessions.begin() as session:
        reports = [
            make.report(session, utcnow() - timedelta(days=n), number=n, text=f"พบแรงงานต่างด้าวกลุ่มที่ {n}")
            for n in (1, 2, 3)
        ]
        forward = make.forward(
            session,
            report_ids=[r.id for r in reports],
            agency_ids=[agency_id],
            subject="ส่งข่าวสารจากเครือข่ายข่าว",
            by="secretariat",
            now=utcnow(),
        )
        return forward.ref_no, [r.ref_no for r in reports]


def test_an_agency_acknowledges_a_forward_with_the_button_and_reports_back(line):
    officer, colleague = line.user("ร.ต.อ. สมศักดิ์ สตม."), line.user("ด.ต. วิชัย สตม.")
    group = registered_group(line, "กลุ่มประสานงาน สตม.", [officer, colleague], "agency")
    agency_id = agency_with_group(line, "immigration", group)
    ref, report_refs = forward_three_reports(line, agency_id)

    pushed = [d for d in line.process() if d.chat_id == group.chat_id]
    assert len(pushed) == 1 and pushed[0].method == "push"  # three reports, one message to the group
    summary, buttons = pushed[0].messages
    assert all(report_ref in summary["text"] for report_ref in report_refs)
    assert "พบแรงงานต่างด้าวกลุ่มที่ 2" in summary["text"] and "U2" not in summary["text"]
    assert buttons["type"] == "template" and buttons["template"]["actions"][0]["label"] == t.ACK_LABEL

    replies = colleague.in_group(group).chooses(t.ACK_LABEL)
    assert len(replies.texts) == 1 and replies.texts[0].startswith("ขอบคุณครับ บันทึกแล้วว่าสำนักงานตรวจคนเข้าเมือง")
    assert replies.methods == ["reply"]
    with line.services.sessions() as session:
        recipient = session.scalar(select(ForwardRecipient))
        assert recipient.acknowledged_by == "ด.ต. วิชัย สตม." and recipient.acknowledged_user_id == colleague.user_id
    again = officer.in_group(group).taps(buttons["template"]["actions"][0]["data"])  # the same button, later
    assert again.texts[0].startswith("สำนักงานตรวจคนเข้าเมืองรับทราบเรื่อง") and "ไว้แล้วเมื่อ" in again.texts[0]

    measure = officer.in_group(group).says(f"รายงานผล {ref} ตรวจสอบแคมป์คนงานร่วมกับเขตแล้ว พบผู้ไม่มีเอกสาร 4 คน")
    assert measure.texts == [t.MEASURE_RECORDED.format(agency="สำนักงานตรวจคนเข้าเมือง", ref=ref)]
    wrong = officer.in_group(group).says("รายงานผล FW-2500-9999 อะไรก็ได้")
    assert wrong.texts == [t.MEASURE_NOT_FOUND.format(ref="FW-2500-9999")]
    with line.services.sessions() as session:
        recorded = session.scalar(select(Measure))
        assert recorded.source == "line" and recorded.title.startswith("ตรวจสอบแคมป์คนงาน")
        assert session.scalar(select(NewsReport).where(NewsReport.ref_no == report_refs[0])).status.value == "forwarded"


def test_the_button_is_refused_outside_the_agency_group_and_reminders_go_once(line):
    officer, outsider = line.user("เจ้าหน้าที่ กรมการจัดหางาน"), line.user("คนอื่น")
    group = registered_group(line, "กลุ่มกรมการจัดหางาน", [officer], "agency")
    other = line.group("กลุ่มอื่น", [outsider])
    agency_id = agency_with_group(line, "employment", group)
    forward_three_reports(line, agency_id)
    line.process()
    with line.services.sessions() as session:
        recipient_id = session.scalar(select(ForwardRecipient.id))
    refused = outsider.in_group(other).taps(f"action=wg_ack&r={recipient_id}")
    assert refused.texts == [t.ACK_WRONG_CHAT]

    with line.services.sessions.begin() as session:
        assert (
            remind_unacknowledged(
                session, utcnow() + timedelta(days=4), notifier(session, "forward-reminder", urgent=False)
            )
            == 1
        )
    reminder = [d for d in line.process() if d.chat_id == group.chat_id]
    assert len(reminder) == 1 and "ขอติดตามเรื่อง" in reminder[0].texts[0]
    with line.services.sessions.begin() as session:
        assert (
            remind_unacknowledged(
                session, utcnow() + timedelta(days=10), notifier(session, "forward-reminder", urgent=False)
            )
            == 0
        )
    assert [d for d in line.process() if d.chat_id == group.chat_id] == []
    done = officer.in_group(group).chooses(t.ACK_LABEL)  # the reminder's own button works too
    assert done.texts[0].startswith("ขอบคุณครับ")


def test_measure_words_in_a_network_group_stay_news(line):
    member = line.user("อาสา สมหมาย")
    group = registered_group(line, "เครือข่ายข่าวทดสอบ", [member], "network")
    replies = member.in_group(group).says("รายงานผล วันนี้พบคนต่างด้าวเพิ่มที่ซอย 5")
    assert replies.texts == []  # quiet, as in any network group
    with line.services.sessions() as session:
        assert session.scalar(select(NewsReport).where(NewsReport.ref_no.is_not(None))) is not None


def test_the_secretariat_links_line_and_asks_for_the_next_meeting(line):
    make_staff(line.services, "secretariat1", Role.SECRETARIAT)
    make_staff(line.services, "viewer1", Role.VIEWER)
    secretary, viewer, stranger = line.user("เลขา สปท."), line.user("ผู้ชม"), line.user("ใครก็ไม่รู้")
    for person in (secretary, viewer, stranger):
        person.follow()  # each is asked to register as an informant first
    stranger.says("ยกเลิก")
    assert stranger.says("ประชุม").texts == [t.SECRETARIAT_ONLY]
    assert secretary.says("เชื่อมบัญชี ZZZZZZ").texts == [t.LINK_BAD_CODE]

    with line.services.sessions.begin() as session:
        staff = {u.username: u for u in session.scalars(select(StaffUser))}
        secretary_code = create_link_code(session, staff["secretariat1"].id, utcnow()).code
        viewer_code = create_link_code(session, staff["viewer1"].id, utcnow()).code
        committee = make.committee(session, valid_from=utcnow().date() - timedelta(days=30))
        create_meeting(
            session,
            committee_id=committee.id,
            kind=MeetingKind.FULL,
            title="ประชุมคณะทำงาน ครั้งที่ 2",
            starts_at=utcnow() + timedelta(days=7),
            place="ห้องประชุม สปท.",
            agenda="พิจารณาข่าวจากเครือข่าย",
            status=MeetingStatus.PLANNED,
            by="test",
        )
        for number in range(1, 13):
            make.report(session, utcnow() - timedelta(hours=number), number=number, district="ดินแดง")

    linked = secretary.says(f"เชื่อมบัญชี {secretary_code.lower()}")
    assert linked.texts == [t.LINK_OK.format(name="secretariat1")]
    assert secretary.says(f"เชื่อมบัญชี {secretary_code}").texts == [t.LINK_BAD_CODE]  # used once
    viewer.says(f"เชื่อมบัญชี {viewer_code}")
    assert viewer.says("ประชุม").texts == [t.SECRETARIAT_ONLY]  # linked, but not the secretariat

    meeting, waiting = secretary.says("ประชุม").texts
    assert meeting.startswith("การประชุมครั้งถัดไป\nประชุมคณะทำงาน ครั้งที่ 2\nคณะทำงานชุดใหญ่")
    assert "สถานที่: ห้องประชุม สปท." in meeting and "จากเกณฑ์อย่างน้อย 2 ครั้ง" in meeting
    assert waiting.startswith("ข่าวที่รอเสนอที่ประชุม 12 เรื่อง")
    assert waiting.count("เขตดินแดง") == 10 and "…และอีก 2 เรื่อง" in waiting
    with line.services.sessions() as session:
        assert secretariat_line_ids(session) == [secretary.user_id]

    assert secretary.says("ยกเลิกเชื่อมบัญชี").texts == [t.UNLINKED]
    assert secretary.says("ประชุม").texts == [t.SECRETARIAT_ONLY]
