"""Names written in Japanese, Chinese, Korean, Arabic and Devanagari are masked by the honorific
or title beside them; the honorific stays, and look-alikes without a person are left alone."""

from __future__ import annotations

import pytest

from bot.guard.service import Guard
from bot.guard.titled_names import titled_names


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("田中さんに来週の会議の議事録を送るメールを書いてください。", ["田中"]),
        ("山本部長へのお礼状を作成して。", ["山本"]),
        ("高橋美咲様へ、見積書送付のお礼メールを書いて。", ["高橋美咲"]),
        ("マリアさんに会議のリマインドを書いて。", ["マリア"]),
        ("請求書は井上が確認します。", ["井上"]),
        ("请帮我给王伟先生写一封感谢信。", ["王伟"]),
        ("给李娜女士的邮件，提醒她周五提交报告。", ["李娜"]),
        ("给周总发一条消息，汇报销售情况。", ["周"]),
        ("김민수 씨에게 회의 일정 변경 메일을 써 주세요.", ["김민수"]),
        ("박지영 팀장님께 보낼 감사 인사를 작성해 줘.", ["박지영"]),
        ("박 과장님께 감사 메시지를 써 줘.", ["박"]),
        ("اكتب رسالة شكر إلى السيد أحمد الخطيب على مساعدته.", ["أحمد الخطيب"]),
        ("اكتب دعوة للأستاذ يوسف حداد لحضور الورشة.", ["يوسف حداد"]),
        ("لخص ملاحظات الاجتماع التي قدمتها ليلى حسن أمس.", ["ليلى حسن"]),
        ("श्री राहुल शर्मा को धन्यवाद पत्र लिखो।", ["राहुल शर्मा"]),
        ("प्रिया जी को मीटिंग की याद दिलाने वाला संदेश लिखो।", ["प्रिया"]),
        ("डॉ. अनिल मेहता के लिए धन्यवाद पत्र तैयार करो।", ["अनिल मेहता"]),
        # A Japanese given name after the family name and a space joins it; a title, a greeting or
        # a word after the space does not.
        ("議事録を要約して：出席者：町長 小林 誠、総務課長 渡辺 恵子。", ["小林 誠", "渡辺 恵子"]),
        ("出席者: 伊藤、中村 さくら、小林", ["伊藤", "中村 さくら", "小林"]),
        ("渡辺 部長に連絡して、高橋 はい、と返事が来た。", ["渡辺", "高橋"]),
    ],
)
def test_a_name_beside_an_honorific_or_title_is_masked_and_the_honorific_kept(
    guard: Guard, sentence: str, names: list[str]
) -> None:
    checked = guard.check_prompt(sentence)

    assert sorted(checked.mapping.values()) == sorted(names)
    for name in names:
        assert name not in checked.masked_text


def test_the_honorific_stays_outside_the_placeholder(guard: Guard) -> None:
    assert guard.check_prompt("田中さんにメールを書いて。").masked_text == "<PERSON_1>さんにメールを書いて。"
    assert guard.check_prompt("请给王伟先生写信。").masked_text == "请给<PERSON_1>先生写信。"
    assert guard.check_prompt("김민수 씨에게 써 줘.").masked_text == "<PERSON_1> 씨에게 써 줘."


@pytest.mark.parametrize(
    "sentence",
    [
        # 先生 and 老师 meaning "teacher", 先生 meaning "husband", a title with no name.
        "先生に提出するレポートの書き出しを考えてください。",
        "请写一篇文章感谢所有老师的辛勤付出。",
        "给我先生写一段结婚纪念日的祝福语。",
        "新社長就任のお知らせを全社員向けに書いてください。",
        "营业部长和历史老师都会参加。",
        "선생님께 드릴 감사 카드 문구를 추천해 줘.",
        "이번 주 팀장님 회의 요약을 작성해 줘.",
        "اكتب رسالة شكر إلى السيد المدير على دعمه.",
        "मैनेजर को छुट्टी के लिए आवेदन पत्र लिखो।",
        "गुरु जी के आशीर्वाद पर एक कविता लिखो।",
        # A family name's character or syllable that starts an everyday word, a firm or a place.
        "김치찌개 레시피를 블로그 글로 정리해 줘.",
        "田中商事との契約更新についての社内報告をまとめて。",
        "松本市の観光名所を紹介するブログ記事を書いて。",
        "请介绍一下黄山的旅游路线。",
        "制作会社アオバさんにお願いしています。",
        "ご苦労様でした。お客様と皆様へのお知らせです。",
        "지하 주차장 이용 안내문을 써 줘.",
        # A deity honoured like a person.
        "श्री गणेश चतुर्थी की शुभकामनाएं संदेश लिखो।",
        "لدينا أمل كبير في نجاح المشروع، اكتب رسالة للفريق.",
    ],
)
def test_a_title_or_a_look_alike_without_a_person_is_not_masked(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).mapping == {}


@pytest.mark.parametrize(
    "text",
    [
        "Write a thank-you note to Mr Tanaka for the meeting notes.",
        "Summarise the Q3 report for Dr. Wang and Ms. Kim.",
        "Café crème at 9:30 — naïve façade, résumé attached.",
        "",
    ],
)
def test_text_in_none_of_these_scripts_gives_no_finding(text: str) -> None:
    assert titled_names(text) == []


def test_an_english_prompt_is_masked_as_before(guard: Guard) -> None:
    checked = guard.check_prompt("Send jane.doe@example.com the agenda, and thank Priya Sharma.")

    assert "<EMAIL_ADDRESS_1>" in checked.masked_text
    assert all(recognized in ("EMAIL_ADDRESS", "PERSON") for recognized in checked.entities)


def test_the_same_name_twice_is_one_placeholder_that_restores(guard: Guard) -> None:
    checked = guard.check_prompt("佐藤さんと佐藤さんの上司に送って。")

    assert checked.masked_text == "<PERSON_1>さんと<PERSON_1>さんの上司に送って。"
    assert checked.mapping == {"<PERSON_1>": "佐藤"}


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        # "For" glued to the name, and the vocative calling a person by name.
        ("اكتب رسالة شكر لمريم الحسيني على جهودها", "مريم الحسيني"),
        ("محادثة: يا طارق، متى يصل الطلب؟", "طارق"),
        ("يا هبة منصور، الاجتماع تأجل", "هبة منصور"),
    ],
)
def test_an_arabic_name_after_a_glued_for_or_a_vocative_is_masked(guard: Guard, sentence: str, name: str) -> None:
    assert name in guard.check_prompt(sentence).mapping.values()


@pytest.mark.parametrize("sentence", ["يا جماعة، الاجتماع غداً في العاشرة", "لعل الأمر بسيط، اكتب رداً قصيراً"])
def test_a_vocative_or_a_glued_for_without_a_name_is_left_alone(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).mapping == {}
