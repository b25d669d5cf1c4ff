"""What colleagues call each other in Chinese and Korean is masked ("小张", "老马", "阿强", "수빈
씨"); everyday words made the same way, kinship words and bots' names are not."""

from __future__ import annotations

import pytest

from bot.guard.familiar_names import familiar_names
from bot.guard.service import Guard


def _names(text: str) -> list[str]:
    return [text[start:end] for start, end in familiar_names(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("回复这条点评：'服务员小张特别热情，但排队等了很久。'", ["小张"]),
        ("总结: '小美，明天老马会把样品送到苏州。辛苦了，阿强'", ["小美", "老马", "阿强"]),
        ("发件人：林嘉欣。阿杰，发往杭州的货明天出。", ["阿杰"]),
        # 小周 is also "a short week", but called between punctuation it is a person.
        ("PS：小周，记得把新仓地址发给所有人", ["小周"]),
        ("요약해줘: '수빈 씨, 내일 동현 씨가 샘플을 수원으로 가져갑니다.'", ["수빈", "동현"]),
        ("최윤정 팀장: 수아 씨, 광고주 미팅 자료 부탁해요", ["수아"]),
    ],
)
def test_familiar_names_are_found(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "阿姨，你好！小姐，请稍等。",  # kinship and courtesy words
        "帮我开发一个小程序，小计，100元",  # 小程序 "mini program", 小计 "subtotal"
        "老马识途，老陈醋，小王子，大小王",  # idioms, vinegar, a book, "big and small"
        "生姜 5 片、小葱 3 根、桂皮 1 小块",  # a recipe's measures and spring onions
        "我们的AI助手“小智”今天上线了",  # a bot's name
        "오늘 날씨가 좋네요. 아저씨, 솜씨가 좋으세요.",  # 씨 written as part of a word
    ],
)
def test_everyday_words_kinship_and_bots_are_left(text: str) -> None:
    assert _names(text) == []


def test_the_guard_masks_familiar_names(guard: Guard) -> None:
    masked = guard.mask("Reply to this review: '服务员小张特别热情' and thank 수빈 씨 for the samples.")

    assert "小张" not in masked.text and "수빈" not in masked.text
    assert {"小张", "수빈"} <= set(masked.mapping.values())
