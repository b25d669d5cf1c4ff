"""Thai names after the titles Thai writes before them, and the everyday words those titles'
syllables start or end (thai_names.py)."""

from __future__ import annotations

import pytest

from bot.guard.service import Guard
from bot.guard.thai_names import thai_names


def _names(text: str) -> list[str]:
    return [text[start:end] for start, end in thai_names(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("ช่วยเขียนข้อความต้อนรับคุณสมศักดิ์ เข้าทีมขาย", ["สมศักดิ์"]),
        ("บันทึก HR: นายธีรวัฒน์ ศรีประเสริฐ ขอลาพักร้อน", ["ธีรวัฒน์ ศรีประเสริฐ"]),
        ("ช่วยร่างอีเมลถึงนางสาวพิมพ์ชนก ใจงาม เรื่องเอกสาร", ["พิมพ์ชนก ใจงาม"]),
        ("ดิฉันชื่อวรรณา สุขใจ ค่ะ", ["วรรณา สุขใจ"]),
        ("ฝากบอกพี่แนน ด้วยว่าประชุมเลื่อน", ["แนน"]),
        # After "ขอบคุณ" (thank you), and glued to the words after it.
        ("ช่วยเขียนอีเมลขอบคุณคุณวิไลวรรณที่ช่วยงาน", ["วิไลวรรณ"]),
    ],
)
def test_a_name_after_a_thai_title_is_found_without_the_title(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "ขอบคุณ ทุกคนที่มาร่วมงาน",
        "ช่วยเขียนโพสต์เรื่องคุณภาพ สินค้าใหม่",
        "สรุปคุณสมบัติ ของผู้สมัครตำแหน่งนี้",
        "เขียนการ์ดวันแม่ให้คุณแม่ ทุกคน",
        "ต้อนรับน้องใหม่ ทุกคนเข้าสู่บริษัท",
        "ร่างประกาศถึงพี่น้อง พนักงานทุกคน",
        "ร่างจดหมายถึงนายจ้าง เรื่องวันหยุด",
        # คุณ as "you".
        "เขียนโพสต์ว่าคุณคือคนสำคัญ ของทีม",
    ],
)
def test_everyday_words_with_a_title_syllable_are_left_alone(text: str) -> None:
    assert _names(text) == []


def test_the_guard_masks_the_name_and_keeps_the_title(guard: Guard) -> None:
    checked = guard.check_prompt("ช่วยเขียนคำอวยพรวันเกิดให้คุณมาลัย ด้วยนะ")

    assert "มาลัย" in checked.mapping.values()
    assert "คุณ<PERSON" in checked.masked_text
