"""Places in Chinese, Japanese, Korean, Hindi, Arabic and Thai are masked where the words beside
them tie them to a person, and left as written where they are a topic, an office or a landmark
(native_script_places.py)."""

from __future__ import annotations

import pytest

from bot.guard.native_script_places import native_script_places
from bot.guard.service import Guard


def _places(text: str) -> list[str]:
    return [text[start:end] for start, end in native_script_places(text)]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("新しい同僚の紹介文を書いて。札幌出身で、今は横浜に住んでいます。", ["札幌", "横浜"]),
        ("田中さんは来月、名古屋から神戸へ引っ越します。", ["名古屋", "神戸"]),
        ("이지은 님이 대구에서 수원으로 이사했다고 공지해 줘.", ["대구", "수원"]),
        ("팀 공지: 정우성 님은 광주 출신입니다.", ["광주"]),
        ("写一段欢迎词，王磊来自成都，现在住在苏州。", ["成都", "苏州"]),
        ("寫個公告：她下週起改在台南上班。", ["台南"]),
        ("स्वागत संदेश लिखो: नेहा जयपुर से है और अब पुणे में रहती है।", ["जयपुर", "पुणे"]),
        ("اكتب ترحيباً: زميلنا يوسف انتقل من عمّان إلى دبي.", ["عمّان", "دبي"]),
        ("ช่วยเขียนข้อความ คุณวิไลย้ายไปขอนแก่นแล้ว", ["ขอนแก่น"]),
    ],
)
def test_a_place_tied_to_a_person_is_found(text: str, places: list[str]) -> None:
    assert _places(text) == places


@pytest.mark.parametrize(
    "text",
    [
        # Chinese writes no word breaks: a place there needs a preposition, an office or a list's
        # mark beside it, or the words that tie it to someone; a firm's name is not one.
        "写一篇关于成都美食的旅游攻略。",
        "比较两家报价：北京文具城 1.2万元含运费。",
        "在上海银行开户的流程写一下。",
        "把都柏林办公室的欢迎指南翻译成英文。",
        "上海银行的新广告语帮我想三个。",
        # The start of a longer word, and places that are everyday words standing alone.
        "東京タワーの写真を選んで。",
        "부산국제영화제 홍보 문구를 써 줘.",
        "부산물 처리 일정을 정리해 줘.",
        "고양이 사진에 어울리는 문구를 써 줘.",
        "大分良くなったと伝えて。",
        "وصل الخبر اليوم في المدينة الكبيرة.",
        "वेब सीरीज़ ‘अंधेरी रात’ की स्क्रिप्ट लिखो।",  # "dark night", not Mumbai's Andheri
        "Write a travel guide for our blog.",
    ],
)
def test_a_place_that_starts_a_word_or_is_an_everyday_word_is_left_alone(text: str) -> None:
    assert _places(text) == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # As "our Kyoto office" or "the history of Cairo" is masked in English.
        ("京都向けの荷物と北海道産の小豆、渋谷の店舗。", ["京都", "北海道", "渋谷"]),
        ("강남역 쪽 사고, 평창에서 감자", ["강남", "평창"]),
        ("京都支社の忘年会のお知らせを書いて。", ["京都"]),
        ("大阪への発送が遅れます。", ["大阪"]),
        ("부산에서 내일 회의가 있어요.", ["부산"]),
        ("पुणे ऑफिस की छुट्टी की सूचना लिखो।", ["पुणे"]),
        ("गोवा में होने वाली टीम आउटिंग का निमंत्रण लिखो।", ["गोवा"]),
        ("اكتب مقالاً عن تاريخ القاهرة.", ["القاهرة"]),
        ("الشحنة في طريقها إلى الرياض وبدبي غداً.", ["الرياض", "دبي"]),
        # Chinese: a preposition of place or motion before, an office, a side or a list's mark after.
        (
            "整理会议纪要: 决定: 在杭州开新店; 发往成都的货; 深圳那边; 重点城市：西安、南京。",
            ["杭州", "成都", "深圳", "西安", "南京"],
        ),
        ("写一条领英动态: 欢迎杨帆加入我们的重庆团队。", ["重庆"]),
        ("زيت زيتون من مزرعة في نابلس، ودار ضيافة في ऋषिकेश", ["نابلس", "ऋषिकेश"]),
        # The Arabic comma and the danda end a word as a full stop does.
        ("حملة توزيع في عمّان، منسقة الحملة", ["عمّان"]),
        ("पता: 45, MG Road, इंदौर। धन्यवाद", ["इंदौर"]),
    ],
)
def test_a_place_standing_as_a_word_of_its_own_is_found(text: str, places: list[str]) -> None:
    assert _places(text) == places


def test_the_guard_masks_the_places_as_locations(guard: Guard) -> None:
    checked = guard.check_prompt("写一段欢迎词，新同事来自深圳，现在住在杭州。")

    assert set(checked.mapping.values()) >= {"深圳", "杭州"}
    assert all(key.startswith("<LOCATION") for key, value in checked.mapping.items() if value in {"深圳", "杭州"})
