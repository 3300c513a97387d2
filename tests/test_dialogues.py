"""Whole dialogues with the bot through the LINE emulator, asserted on replies and transcripts."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from handlers.basics import help_text
from models import InboxEvent, InboxStatus, Member, OutboxStatus, OutgoingMessage
from services.roles import Menu
from texts import common as t


def test_help_reads_like_a_chat(line):
    alice = line.user("อาสา สมชาย")
    replies = alice.says("ช่วยเหลือ")
    assert replies.texts == [help_text(Menu.NEWCOMER)]
    assert replies.methods == ["reply"]
    assert replies.quick_replies == ["ลงทะเบียน", "แจ้งข่าว", "สรุปของฉัน"]
    assert line.transcript(alice) == "\n".join(
        [
            "อาสา สมชาย: ช่วยเหลือ",
            "FieldLine: สิ่งที่ทำได้ใน FieldLine (กดปุ่มในเมนูด้านล่างได้เลย)",
            "    • ลงทะเบียน — สมัครเป็นสมาชิกเครือข่ายข่าว",
            "    • แจ้งข่าว — ส่งข่าวสารหรือเบาะแสให้ฝ่ายเลขานุการ ได้ตลอด 24 ชั่วโมง",
            "    • สรุปของฉัน — ดูสรุปงานและข่าวที่ท่านแจ้ง พร้อมสถานะ",
            "    • ยกเลิก — ยกเลิกขั้นตอนที่ทำค้างอยู่",
            "    [ลงทะเบียน] [แจ้งข่าว] [สรุปของฉัน]",
        ]
    )


def test_help_follows_the_role(line):
    from models import RosterStatus, UnitKind, UnitMembership
    from services.riskpoints.units import create_unit

    officer = line.user("ส.ต.ต. สมชาย")
    officer.follow()
    with line.services.sessions.begin() as session:
        unit = create_unit(session, code="patrol-1", name="สายตรวจ 1", kind=UnitKind.PATROL)
        member = session.scalar(select(Member).where(Member.line_user_id == officer.user_id))
        session.add(UnitMembership(unit_id=unit.id, member_id=member.id, status=RosterStatus.ACTIVE))
    replies = officer.says("ช่วยเหลือ")
    assert replies.texts == [help_text(Menu.PATROL)]
    assert "• เช็คอิน" in replies.texts[0] and "• ประชุม" not in replies.texts[0]
    assert replies.quick_replies[:2] == ["เช็คอิน", "ตรวจกล้อง"]


def test_follow_is_greeted_by_reply_with_the_profile_name(line):
    alice = line.user("อาสา สมชาย")
    greeting = alice.follow()
    assert greeting.methods == ["reply"]
    assert greeting.texts[0] == t.WELCOME
    operations = [c.operation_id for c in line.platform.calls]
    assert operations.index("getProfile") < operations.index("replyMessage")
    assert line.transcript(alice).splitlines()[:2] == [
        "อาสา สมชาย: [follow]",
        f"FieldLine: {t.WELCOME.splitlines()[0]}",
    ]


def test_a_quick_reply_is_tapped_by_its_label(line):
    alice = line.user("อาสา สมชาย")
    alice.says("ช่วยเหลือ")
    answer = alice.chooses(t.QUICK_REPORT)
    assert answer.methods == ["reply"]
    assert "อาสา สมชาย: แจ้งข่าว" in line.transcript(alice)


def test_a_late_reply_falls_back_to_one_push(line):
    alice = line.user("อาสา สมชาย")
    nothing_yet = alice.says("ช่วยเหลือ", process=False)
    assert nothing_yet == []
    line.clock.advance(seconds=61)  # the reply token dies before the worker gets to it

    delivered = line.process()

    assert [(d.chat_id, d.method) for d in delivered] == [(alice.user_id, "push")]
    assert uuid.UUID(delivered[0].retry_key)
    assert delivered[0].texts == [help_text(Menu.NEWCOMER)]
    refused = [c for c in line.platform.calls if c.operation_id == "replyMessage"]
    assert [(c.status, c.outcome, c.message) for c in refused] == [(400, "refused", "Invalid reply token")]
    assert line.process() == []  # running the worker again sends nothing more
    assert len(line.deliveries(alice)) == 1
    with line.services.sessions() as session:
        row = session.scalar(select(OutgoingMessage))
        assert (row.status, row.method, row.retry_key) == (OutboxStatus.SENT, "push", delivered[0].retry_key)
    assert "FieldLine (push): สิ่งที่ทำได้ใน FieldLine" in line.transcript(alice)


def test_a_pc_sender_in_a_group_has_no_user_id(line):
    alice = line.user("อาสา สมชาย")
    aunt = line.user("ป้า สมศรี", pc=True)
    group = line.group("กลุ่มข่าว", members=[alice, aunt])
    aunt.in_group(group).says("ช่วยเหลือ")
    alice.in_group(group).says("ช่วยเหลือ")
    sources = [e.event["source"] for e in line.platform.entries(group.chat_id) if e.event and e.event.get("message")]
    assert sources == [
        {"type": "group", "groupId": group.chat_id},
        {"type": "group", "groupId": group.chat_id, "userId": alice.user_id},
    ]
    with line.services.sessions() as session:
        statuses = session.scalars(select(InboxEvent.status).order_by(InboxEvent.id)).all()
    assert statuses == [InboxStatus.DONE] * 3  # join, then both messages
    transcript = line.transcript(group)
    assert transcript.splitlines()[:2] == ["LINE: [join]", "ป้า สมศรี: ช่วยเหลือ"]
    assert line.failures == []


def test_a_photo_is_downloaded_from_the_content_endpoint(line):
    alice = line.user("อาสา สมชาย")
    alice.says(t.QUICK_REPORT)
    alice.chooses("ไม่แน่ใจ")
    alice.sends_image(b"\xff\xd8\xff\xe0 a small jpeg")
    downloads = [c for c in line.platform.calls if c.operation_id == "getMessageContent"]
    assert [(c.status, c.path) for c in downloads] == [
        (200, f"/v2/bot/message/{alice.last_event['message']['id']}/content")
    ]
    assert "อาสา สมชาย: [image]" in line.transcript(alice)


def test_a_transcript_spanning_chats_labels_each_line(line):
    alice = line.user("อาสา สมชาย")
    group = line.group("กลุ่มข่าว", members=[alice])
    alice.says("ช่วยเหลือ")
    lines = line.transcript().splitlines()
    assert lines[0] == "กลุ่มข่าว | LINE: [join]"
    assert lines[1] == "อาสา สมชาย | อาสา สมชาย: ช่วยเหลือ"
    assert group.name == "กลุ่มข่าว"
