"""Chinese, Japanese and Korean full names written with no honorific are masked where a person's
name stands; everyday words that start with a family name are left alone."""

from __future__ import annotations

import pytest

from bot.guard.bare_cjk_names import bare_cjk_names
from bot.guard.service import Guard


def _found(text: str) -> list[str]:
    return [text[start:end] for start, end in bare_cjk_names(text)]


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("请帮我给王小明写一封生日祝福，语气轻松一点。", ["王小明"]),
        ("感谢李娜在项目上线期间的辛苦付出，写一段表扬的话。", ["李娜"]),
        ("陈静说客户明天来访，帮我准备一份接待流程。", ["陈静"]),
        ("马俊和朱婷下个月结婚，帮我写一段祝福语。", ["马俊", "朱婷"]),
        ("给欧阳娜娜写一封感谢信。", ["欧阳娜娜"]),
        ("佐藤太郎の歓迎会の案内を書いて。", ["佐藤太郎"]),
        ("高橋由美子の送別会の挨拶文を考えて。", ["高橋由美子"]),
        ("伊藤さくらが作成した報告書を英訳してください。", ["伊藤さくら"]),
        ("清水あかりへのお祝いメッセージを書いて。", ["清水あかり"]),
        ("김민준에게 보낼 감사 메일을 써 줘.", ["김민준"]),
        ("장민호, 임지은 두 사람에게 감사 인사를 전하고 싶어요.", ["장민호", "임지은"]),
        ("문서의 작성자를 홍길동으로 바꿔 줘.", ["홍길동"]),
    ],
)
def test_a_full_name_written_bare_is_found(sentence: str, names: list[str]) -> None:
    assert _found(sentence) == names


@pytest.mark.parametrize(
    "sentence",
    [
        "我们要提供高质量的服务，写一段品牌宣言。",
        "黄金周期间门店营业时间调整，写一条通知。",
        "马上就要到周末了，帮我写一条提醒大家提交周报的消息。",
        "金融行业的客户对数据安全要求很高，写一段产品介绍。",
        "韩国市场的推广方案需要重新调整，写一份提纲。",
        "写一张贺卡给客户。",
        "小松菜と豚肉の炒め物のレシピを書いて。",
        "大西洋を横断するクルーズ旅行の広告文を作って。",
        "石川県の観光地を紹介するブログ記事を書いて。",
        "上野動物園への遠足のお知らせを作成してください。",
        "이번에 출시한 제품의 홍보 문구를 써 주세요.",
        "정보를 정리해서 표로 만들어 줘.",
        "신제품을 소개하는 인스타그램 게시물을 써 줘.",
        "택배 주소지 불일치 안내 문자를 써 줘.",
        "배우자 출산 휴가 지침을 요약해 줘.",
        "지시하는 법을 알려 줘.",
    ],
)
def test_an_everyday_word_that_starts_with_a_family_name_is_no_name(sentence: str) -> None:
    assert _found(sentence) == []


def test_a_title_after_the_family_name_stays_outside_the_name(guard: Guard) -> None:
    checked = guard.check_prompt("出席者は中村部長と山本です。")

    assert checked.masked_text == "出席者は<PERSON_1>部長と<PERSON_2>です。"


def test_the_guard_masks_a_bare_name_and_restores_it(guard: Guard) -> None:
    checked = guard.check_prompt("김민준에게 보낼 감사 메일을 써 줘.")

    assert checked.masked_text == "<PERSON_1>에게 보낼 감사 메일을 써 줘."
    assert checked.mapping == {"<PERSON_1>": "김민준"}
