"""Person names written in Thai, found by the title Thai writes before them.

Thai addresses a person with a title glued to the name ("คุณสมศักดิ์", "น้องปิยะดา", "พี่นุ่น") and
writes a formal full name after นาย, นาง or นางสาว, or after ชื่อ ("my name is"), with the family
name after a space ("นายธนากร ศรีสุข", "ดิฉันชื่อจันทร์เพ็ญ ศรีวงศ์"). Words are not spaced, so a name runs from its title to the next space or mark; a run
longer than a name is not one (the name ran on into the words after it, and where it ends cannot
be told without a dictionary). The same syllables start or end everyday words: ขอบคุณ (thank you),
คุณภาพ (quality), พี่น้อง (siblings), นายจ้าง (employer), นางฟ้า (angel); those are listed and left
as written. Only the name is masked, never the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps

# Titles, longest first so that นางสาว is not read as นาง.
_TITLES = ("นางสาว", "เด็กชาย", "เด็กหญิง", "อาจารย์", "ด.ช.", "ด.ญ.", "ดร.", "ชื่อ", "นาง", "นาย", "คุณ", "พี่", "น้อง")
# Titles before which a formal full name is written: the family name after a space is the name's.
_FULL_NAME_TITLES = frozenset({"นางสาว", "นาง", "นาย", "เด็กชาย", "เด็กหญิง", "ด.ช.", "ด.ญ.", "ชื่อ"})
# Everyday words a title syllable ends ("ขอบคุณ", "พี่น้อง", "เจ้านาย") or starts ("คุณภาพ").
_WORDS_ENDING_IN_A_TITLE = ("ขอบคุณ", "พี่น้อง", "ลูกน้อง", "เจ้านาย", "ท่านนาย", "ผู้หญิงนาง")
_WORDS_AFTER_A_TITLE = (
    "ภาพ", "สมบัติ", "ค่า", "ประโยชน์", "ธรรม", "แม่", "พ่อ", "ครู", "หมอ", "ลูกค้า", "ตา", "ยาย", "ป้า", "ลุง",
    "จ้าง", "ก", "หน้า", "ทุน", "ทหาร", "อำเภอ", "ฟ้า", "แบบ", "งาม", "พยาบาล", "ใหม่", "ๆ", "เลี้ยง", "สาว",
    "ชาย", "หญิง", "ทุกคน", "ทั้งหลาย", "ท่าน", "ผู้", "ที่", "ได้", "จะ", "ก็", "ครับ", "ค่ะ", "คะ", "นะ",
    # After คุณ as "you": "คุณคือ...", "คุณเป็น...", "คุณสามารถ...".
    "คือ", "เป็น", "ช่วย", "สามารถ", "ต้อง", "ควร", "อาจ", "มี", "ไม่", "เอง", "ทำ", "ชอบ", "รู้", "อยาก",
    # After ชื่อ ("name"): a reputation, a title, a firm's, a user's, a file's or a product's name.
    "เสียง", "เรื่อง", "บริษัท", "ผู้ใช้", "ไฟล์", "สินค้า", "ร้าน", "โครงการ", "อะไร", "ว่า", "เล่น",
)  # fmt: skip
_THAI_LETTERS = "\u0e01-\u0e4e"
# A Thai name is seldom longer; a longer run holds the words after the name too.
_MAX_NAME = 12
_MIN_NAME = 2
_TITLE_NAMES = "|".join(re.escape(title) for title in _TITLES)
# Overlapping, so that "ขอบคุณคุณสมศักดิ์" (thank you, Khun Somsak) finds the title after "ขอบคุณ".
_TITLE = re.compile(f"(?=({_TITLE_NAMES}))")
_TITLE_AT = re.compile(_TITLE_NAMES)
# Words that follow a name glued to it ("คุณวิชัยที่ส่ง...", "ปอบอกว่า", "พี่แอนจ๋า"): where one
# starts, past the name's first syllables, the name has ended. Not "มา" or "ไป": family names end
# so ("บุญมา").
_AFTER_A_NAME = re.compile("ที่|ว่า|กับ|และ|จะ|ได้|ให้|ก็|ครับ|ค่ะ|คะ|นะ|จ๋า|ฝาก|บอก|เช็ค|ลาพัก|ส่ง|ช่วย|เป็น|อยู่|แล้ว|ด้วย|ซึ่ง|ของ")
_RUN = re.compile(f"[{_THAI_LETTERS}]+")
_FAMILY_NAME = re.compile(f" ([{_THAI_LETTERS}]{{2,{_MAX_NAME}}})(?=[\\s,.:;!?)\"'“”]|$)")
_HOLDS_THAI = re.compile(f"[{_THAI_LETTERS}]")


def thai_names(text: str) -> Iterator[Span]:
    """(start, end) of each name written after a Thai title, the title left out."""
    if _HOLDS_THAI.search(text) is None:
        return
    found: list[Span] = []
    for title in _TITLE.finditer(text):
        span = _name_after(text, title.start(1), title.end(1))
        if span is not None:
            found.append(span)
    yield from longest_first_without_overlaps(found)


def _name_after(text: str, title_start: int, start: int) -> Span | None:
    if any(text.endswith(word, 0, start) for word in _WORDS_ENDING_IN_A_TITLE):
        return None
    run = _RUN.match(text, start)
    if run is None:
        return None
    name = run.group()
    if (glued := _AFTER_A_NAME.search(name, _MIN_NAME)) is not None:
        name = name[: glued.start()]
    if not _MIN_NAME <= len(name) <= _MAX_NAME or name.startswith(_WORDS_AFTER_A_TITLE) or _TITLE_AT.match(name):
        return None
    end = start + len(name)
    if text[title_start:start] in _FULL_NAME_TITLES and end == run.end():
        family = _FAMILY_NAME.match(text, end)
        if family is not None:
            end = family.end(1)
    return start, end


class ThaiNameRecognizer(SpanRecognizer):
    ENTITY = "PERSON"
    SCORE = 0.85
    WHY = "A name after a Thai title (คุณ, นาย, นางสาว, พี่, น้อง)"

    def spans(self, text: str) -> Iterable[Span]:
        return thai_names(text)
