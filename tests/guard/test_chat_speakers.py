"""The speakers of a chat log written in scripts the name model cannot read are masked, with their
names elsewhere in the log; roles, bots and a form's fields are not."""

from __future__ import annotations

import pytest

from bot.guard.chat_speakers import chat_speakers
from bot.guard.service import Guard


def _found(text: str) -> list[str]:
    return [text[start:end] for start, end in chat_speakers(text)]


@pytest.mark.parametrize(
    ("log", "names"),
    [
        # A time opens each line: a chat or messenger export.
        (
            "このチャットを要約して:\n[09:30] 佐藤 美咲: 発送が遅れます。\n[09:32] 田中: 了解です。",
            ["佐藤 美咲", "田中"],
        ),
        ("[10:02] 민수: 내일 회의 몇 시예요?\n[10:03] 지은: 세 시요. 민수 씨 자료 부탁해요", ["민수", "지은", "민수"]),
        ("22/04/2024, 06:15 - राहुल: ठीक है, कल भेज दूंगा", ["राहुल"]),
        ("[lun 09:22] خالد: تمام، سأرسلها غدا\n[lun 09:25] @خالد شكرا", ["خالد", "خالد"]),
        ("【2024-05-03 9:14】王芳（市场部）：海报今天能定稿吗？", ["王芳（市场部）"]),
        # No times, but speakers who each open two lines or more.
        ("小美: 今天的会改到三点\n老马: 好的\n小美: 记得带样品\n老马: 收到", ["小美", "老马", "小美", "老马"]),
        # Messenger stamps with the half of the day: Arabic after the time, Korean before it.
        ("[10/03/2024, 8:05 ص] نورة: صباح الخير\n[10/03/2024, 8:06 م] فهد: تمام", ["نورة", "فهد"]),
        ("[2024. 3. 4. 오전 8:05] 지훈: 좋은 아침요\n[2024. 3. 4. 오전 8:06] 서연: 네", ["지훈", "서연"]),
        ("10:05 محمد: تمام", ["محمد"]),
        # A team chat copied from its window: speaker and time on a line, the message under it.
        ("강동현 오전 9:30\n인천 거래처에서 연락 왔어요?\n수빈 오전 9:31\n아직요", ["강동현", "수빈"]),
        ("عمر الحسيني 9:30\nرد العميل؟\nسارة 9:32\nلسا، بتصل فيه العصر", ["عمر الحسيني", "سارة"]),
    ],
)
def test_the_speakers_of_a_log_are_found(log: str, names: list[str]) -> None:
    assert _found(log) == names


@pytest.mark.parametrize(
    "text",
    [
        # Roles, a bot by its name, the fields of a form or a forwarded mail.
        "[10:06] 客服: 您好，请问有什么可以帮您？\n[10:07] 顾客: 我的订单还没到。",
        "社内ボット「ハル」とのチャット:\n[10:00] ハル: こんにちは!\n[10:01] ハル: 何をお手伝いしましょうか?",
        "[15:00] 누리봇: 안녕하세요!\n[15:01] 고객: 배송 조회 부탁해요",
        "姓名: 王小明\n电话: 138 0013 8000\n地址: 北京市朝阳区\n备注: 无",
        "件名: 見積もり\n差出人: 営業部\n本文: 添付をご確認ください\n件名: 再送\n差出人: 営業部",
        # A line's label that opens one line only, and Latin speakers (the name model's).
        "ملاحظة: الاجتماع غدا\nالمكان: القاعة الكبرى",
        "[09:14] Customer: Hi, my meter stopped.\n[09:15] Agent: Sorry to hear that!",
        # A schedule: one time after another with no message between; one speaker heading alone.
        "日程:\n签到 9:00\n开幕 9:30\n午餐 12:00\n散会 17:00",
        "郑伟 09:30\n深圳那边客户回复了吗？",
    ],
)
def test_roles_bots_fields_and_latin_speakers_are_left(text: str) -> None:
    assert _found(text) == []


def test_the_guard_masks_a_logs_speakers_and_sends_none_of_them(guard: Guard) -> None:
    log = "Summarise this chat:\n[10:05] خالد: تمام\n[10:06] नेहा: ठीक है\n[10:07] 민수: 네"

    masked = guard.mask(log)

    assert all(name not in masked.text for name in ("خالد", "नेहा", "민수"))
    assert {"خالد", "नेहा", "민수"} <= set(masked.mapping.values())
