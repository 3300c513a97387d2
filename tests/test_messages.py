"""LINE's message limits: 5,000 UTF-16 units a text, 5 messages a call, 13 quick replies."""

from linebot.v3.messaging import TextMessage

from line.messages import split_text, text, utf16_length, within_limits


def test_utf16_counts_emoji_as_two_units():
    assert utf16_length("ก") == 1
    assert utf16_length("😀") == 2


def test_long_thai_text_is_split_at_line_breaks_within_the_limit():
    line = "รายงานข่าว" * 40  # 400 units
    body = "\n".join([line] * 30)  # about 12,000 units
    parts = split_text(body)
    assert len(parts) == 3
    assert all(utf16_length(part) <= 5000 for part in parts)
    assert "".join(parts).replace("\n", "") == body.replace("\n", "")
    assert all(not part.startswith("\n") for part in parts)


def test_split_never_cuts_a_surrogate_pair():
    body = "😀" * 2600  # 5,200 units
    parts = split_text(body)
    assert [utf16_length(p) for p in parts] == [5000, 200]
    assert "".join(parts) == body


def test_batches_of_five_keep_order_and_quick_reply_on_the_last_piece():
    messages = [text(f"ข้อความ {n}") for n in range(6)] + [text("ก" * 5001, ["ช่วยเหลือ"])]
    batches = within_limits(messages)
    assert [len(batch) for batch in batches] == [5, 3]
    flat = [m for batch in batches for m in batch]
    assert [m.text for m in flat[:6]] == [f"ข้อความ {n}" for n in range(6)]
    assert isinstance(flat[-1], TextMessage) and flat[-1].quick_reply is not None
    assert flat[-2].quick_reply is None


def test_quick_replies_are_capped_at_thirteen():
    message = text("เลือก", [f"ตัวเลือก {n}" for n in range(20)])
    assert len(message.quick_reply.items) == 13


def test_long_quick_reply_labels_are_shortened_but_send_the_whole_text():
    message = text("เลือก", ["แรงงานต่างด้าวผิดกฎหมาย", "ยาเสพติด"])
    first, second = (item.action for item in message.quick_reply.items)
    assert first.label == "แรงงานต่างด้าวผิดกฎ…" and len(first.label) == 20
    assert first.text == "แรงงานต่างด้าวผิดกฎหมาย"
    assert second.label == second.text == "ยาเสพติด"
