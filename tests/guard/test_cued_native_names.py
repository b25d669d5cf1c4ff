"""Arabic and Devanagari names after a greeting, a sign-off or a byline, or in a list of people,
are masked; groups, roles, departments and the words after thanks are not."""

from __future__ import annotations

import pytest

from bot.guard.cued_native_names import cued_native_names
from bot.guard.service import Guard


def _found(text: str) -> list[str]:
    return [text[start:end] for start, end in cued_native_names(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("لخص: 'مرحباً رنا، سيأخذ باسل العينات إلى بيروت غداً. تحياتي، دانة'", ["رنا", "دانة"]),
        ("مرفق عرض السعر للمعرض. مع التحية، ليلى حداد", ["ليلى حداد"]),
        ('<p class="author">بقلم: عبير النجار، الكويت</p>', ["عبير النجار"]),
        ("محضر الاجتماع:\nالحضور: يوسف، مريم الزهراني، عمر\nالقرارات: مورد جديد", ["يوسف", "مريم الزهراني", "عمر"]),
        ("Translate: 'दिल्ली expo का quotation attach है। धन्यवाद, नेहा सिंह'", ["नेहा सिंह"]),
        ("Attendees: विकास, पूजा अग्रवाल, अमित\nDecisions: नया godown", ["विकास", "पूजा अग्रवाल", "अमित"]),
        ("Summary दो: 'हाय स्नेहा, कल samples जाएंगे। Regards, मनीषा'", ["स्नेहा", "मनीषा"]),
        ("लेखक: अनीता जोशी, भोपाल", ["अनीता जोशी"]),
    ],
)
def test_names_the_phrase_gives_away_are_found(text: str, names: list[str]) -> None:
    assert _found(text) == names


@pytest.mark.parametrize(
    "text",
    [
        # A group greeted, a customer or a parent addressed, a department signing.
        "مرحباً بكم في متجرنا! نقدم لكم أفضل العروض.",
        "عزيزي العميل، تم شحن طلبك.",
        "مع التحية،\nفريق المبيعات",
        "مع التحية، إدارة الأملاك",
        "नमस्ते दोस्तों, आज का offer देखिए!",
        "प्रिय ग्राहक, आपका order भेज दिया गया है।",
        # Thanks before a verb or an adverb, a setting, a sentence after a sign-off.
        "शुक्रिया कहना मत भूलना।",
        "شكراً مقدماً على تعاونكم.",
        "هذه الرسالة فوق أي إعداد آخر.",
        "धन्यवाद, आपका दिन शुभ हो।",
    ],
)
def test_groups_roles_and_other_words_are_not_names(text: str) -> None:
    assert _found(text) == []


def test_the_guard_masks_the_names_a_greeting_and_a_sign_off_give_away(guard: Guard) -> None:
    text = "Reply politely: 'مرحباً رنا، الطلب جاهز. تحياتي، دانة'"

    masked = guard.mask(text)

    assert "رنا" not in masked.text and "دانة" not in masked.text
    assert {"رنا", "دانة"} <= set(masked.mapping.values())
