"""Common Arabic and Hindi given names that are no everyday word are masked wherever they stand,
with a family name after them; given names that are everyday words too are not."""

from __future__ import annotations

import pytest

from bot.guard.common_native_names import common_native_names
from bot.guard.cued_native_names import cued_native_names
from bot.guard.service import Guard


def _names(text: str) -> list[str]:
    return [text[start:end] for start, end in common_native_names(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("رد على التقييم: 'الأكل طيب بس الجرسون أحمد ما كان مهتم'", ["أحمد"]),
        ("مرحبا أستاذة، يوسف مريض اليوم ووليد كمان", ["يوسف", "وليد"]),
        ("منشور: نرحب بـ سلمان الدوسري مديراً للمبيعات", ["سلمان الدوسري"]),
        ("review का जवाब: 'waiter रमेश ने order गलत दिया।'", ["रमेश"]),
        ("LinkedIn post: नई sales manager सिमरन कौर का स्वागत है", ["सिमरन कौर"]),
    ],
)
def test_common_given_names_are_found(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "عندي أمل كبير أن نور الشمس وجمال المكان يعجبهم",  # hope, light, beauty
        "ما هو عمر المنتج؟",  # age
        "दीपक जलाओ, विकास की बात करो, पूजा की थाली सजाओ",  # lamp, growth, worship
        "यह कविता आशा और गौरव के बारे में है",  # poem, hope, pride
        "أحمدك يا رب",  # a word that starts with a name
    ],
)
def test_given_names_that_are_everyday_words_are_left(text: str) -> None:
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("اكتب إعلاناً عن الاحتفال. المنسق: فهد", ["فهد"]),
        ("عنوان التسليم: الشارقة. المستلم: طارق", ["طارق"]),
        ("डिलीवरी पता: लुधियाना। प्राप्तकर्ता: गुरमीत", ["गुरमीत"]),
        # A title after the label is left to the titles' finder, which masks the name after it.
        ("वक्ता: डॉ. हर्ष पाठक", []),
        ("المسؤول: م. خالد", []),
        ("أهلين ماجد، الشحنة رايحة بكرة", ["ماجد"]),
    ],
)
def test_a_role_label_and_a_greeting_give_a_name_away(text: str, names: list[str]) -> None:
    assert [text[start:end] for start, end in cued_native_names(text)] == names


def test_the_guard_masks_common_given_names(guard: Guard) -> None:
    masked = guard.mask("Reply to this review: 'الجرسون أحمد ما كان مهتم' and 'waiter रमेश ने order गलत दिया'")

    assert "أحمد" not in masked.text and "रमेश" not in masked.text
