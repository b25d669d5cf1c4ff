"""The speakers of a pasted chat log, written in a script the name model does not read.

"[09:30] 佐藤 美咲: おはようございます", "[10:02] 민수: 내일 회의 몇 시예요?", "10:05 - خالد: تمام",
"राहुल: ठीक है" ... "राहुल: कल भेज दूंगा": a chat export names its people at the start of their
lines, and the name model, which reads Latin, Greek and Cyrillic letters, cannot tell them. A
line's opening words before a colon name a speaker when

- a time opens the line (a chat or messenger export: "[09:30]", "22/04/2024, 06:15 -"), or
- the log repeats them: at least two different openings each start two lines or more. A form's
  fields ("姓名:", "电话:", "地址:") each open one line and are left alone;
- two or more of them head their messages on lines of their own, with the time ("수빈 오전 9:31",
  "سارة 9:32"), as a team chat copied from its window reads.

What a role rather than a person says ("客服:", "고객:", "العميل:", "ग्राहक:") is left as written.
Once a speaker is known, the same name elsewhere in the log, standing as a word of its own ("민수
씨", "@خالد"), is that person too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.script_ranges import unread_by_the_name_model
from bot.guard.titled_names import NAME_ENTITY, SCORE

# A time, with its half of the day after it in English or Arabic ("8:05 am", "8:05 ص").
_TIME = r"\d{1,2}[:\uff1a]\d{2}(?:[:\uff1a]\d{2})?(?:[ \t]?(?:[APap]\.?[Mm]\.?|[\u0635\u0645](?!\w)))?"
# The half of the day before the time, as Korean, Japanese and Chinese write it ("오전 8:05").
_HALF_OF_DAY = r"(?:(?:\uc624\uc804|\uc624\ud6c4|\u5348\u524d|\u5348\u5f8c|\u4e0a\u5348|\u4e0b\u5348)[ \t]*)?"
# Korean writes a space after each dot of a date ("2024. 3. 4.").
_DATE = r"\d{1,4}[./-][ \t]?\d{1,2}(?:[./-][ \t]?\d{1,4})?\.?"
# A time, after an optional weekday and date, in optional brackets: "[09:30]", "(lun 09:22)",
# "22/04/2024, 06:15 -", "【2024-05-03 9:14】".
_STAMP = (
    rf"[\[(\uff08\u3010]?(?:[^\W\d_]{{1,10}}\.?[ \t]+)?(?:{_DATE}[,\u3001]?[ \t]+)?{_HALF_OF_DAY}{_TIME}"
    r"[\])\uff09\u3011]?[ \t]*(?:[-\u2013\u2014][ \t]*)?"
)
# The speaker: a letter, then up to four words and 16 characters with no colon, bracket or digit,
# before a colon.
_SPEAKER = r"(?P<speaker>[^\W\d_][^\d:\uff1a\n\[\]()<>]{0,15}?)[ \t]*[:\uff1a]"
_TIMED_LINE = re.compile(rf"^[ \t]*{_STAMP}{_SPEAKER}", re.MULTILINE)
_PLAIN_LINE = re.compile(rf"^[ \t]*(?:[-*\u2022>][ \t]*)?{_SPEAKER}", re.MULTILINE)
# A team chat copied from its window: the speaker and the time on a line of their own, the message
# on the lines under it ("강동현 오전 9:30", "سارة 9:32").
_HEADING_LINE = re.compile(
    rf"^[ \t]*(?P<speaker>[^\W\d_][^\d:\uff1a\n\[\]()<>]{{0,15}}?)[ \t]+{_HALF_OF_DAY}{_TIME}[ \t]*$", re.MULTILINE
)
_MAX_WORDS = 4
# Lines an untimed speaker must open, and how many different speakers, to make a log.
_MIN_LINES_EACH = 2
_MIN_SPEAKERS = 2

# Who speaks in a support or team log without being anyone in particular: customers, agents,
# systems, bots, "me". General knowledge of each script's words for them.
ROLES = frozenset(
    """
    客服 顾客 顧客 客户 客戶 用户 用戶 系统 系統 机器人 機器人 助手 小助手 管理员 管理員 我 主持人 老师 老師 经理 經理
    店长 店長 群主 访客 訪客 买家 賣家 卖家 買家
    お客様 客 システム ボット 担当者 店員 管理者 司会 私 オペレーター 先生 店長 スタッフ 自分
    고객 상담원 상담사 시스템 봇 관리자 직원 사회자 나 선생님 점장 매니저 손님 운영자
    العميل الموظف النظام المساعد الروبوت الإدارة المشرف أنا الزبون الوكيل المدير الدعم
    ग्राहक एजेंट सिस्टम बॉट सहायक मैं प्रबंधक एडमिन मैनेजर
    ลูกค้า พนักงาน ระบบ บอท แอดมิน
    ユーザー アシスタント インタビュアー 司会者 大将 受访者 访谈者 采访者 用户名 진행자 사용자 사장님 팀장님
    부장님 대표님 알 수 없음 نحن المستخدم المحاور उपयोगकर्ता
    """.split()
)
# The fields of a forwarded mail or a form, which open several lines of a thread: "件名:",
# "差出人:", "보낸 사람:", "发件人:", "الموضوع:", "विषय:".
FIELDS = frozenset(
    """
    件名 差出人 宛先 日時 場所 名前 氏名 住所 電話 日付 送信者 受信者 本文 備考
    제목 보낸 사람 받는 사람 일시 장소 대상 날짜 이름 주소 내용 참조
    主题 主題 发件人 寄件者 收件人 收件者 时间 時間 地点 地點 日期 姓名 地址 电话 電話 备注 備註 内容 內容
    الموضوع من إلى التاريخ الاسم العنوان الهاتف المكان الوقت ملاحظة
    विषय से प्रति दिनांक नाम पता फोन स्थान समय
    """.split()
)
# A letter of any script: a name elsewhere in the log must not run into one.
_LETTER = r"[^\W\d_]"
# Words for a bot or an assistant: a speaker named just after one is the bot ("社内ボット「ハル」",
# "사내 봇 '루나'", "机器人'小智'", "روبوت الشركة 'سند'").
_BOT_WORDS = (
    "bot",
    "assistant",
    "ai",
    "ナビ",
    "ボット",
    "アシスタント",
    "봇",
    "챗봇",
    "어시스턴트",
    "机器人",
    "機器人",
    "助手",
    "روبوت",
    "بوت",
    "المساعد",
    "बॉट",
    "असिस्टेंट",
    "บอท",
)
# How far after a bot word its name may stand ("روبوت الشركة 'سند'").
_BOT_NAME_REACH = 16


_BOT_WORD = re.compile("|".join(re.escape(word) for word in _BOT_WORDS))


def after_bot_words(text: str) -> list[str]:
    """The stretches of ``text`` (lower case) just after each word for a bot, where its name stands."""
    lower = text.lower()
    return [lower[match.end() : match.end() + _BOT_NAME_REACH] for match in _BOT_WORD.finditer(lower)]


def _is_a_speaker(speaker: str) -> bool:
    words = speaker.split()
    lower = speaker.lower()
    return (
        0 < len(words) <= _MAX_WORDS
        and unread_by_the_name_model(speaker)
        and speaker not in ROLES
        and speaker not in FIELDS
        and words[-1] not in ROLES
        and not any(word in lower for word in _BOT_WORDS)
    )


def _speakers(text: str) -> Iterator[tuple[int, int]]:
    timed = [match for match in _TIMED_LINE.finditer(text) if _is_a_speaker(match.group("speaker"))]
    yield from (match.span("speaker") for match in timed)
    plain = [match for match in _PLAIN_LINE.finditer(text) if _is_a_speaker(match.group("speaker"))]
    lines = Counter(match.group("speaker") for match in plain)
    repeated = {speaker for speaker, count in lines.items() if count >= _MIN_LINES_EACH}
    if len(repeated) >= _MIN_SPEAKERS:
        yield from (match.span("speaker") for match in plain if match.group("speaker") in repeated)
    yield from _headed_speakers(text)


def _headed_speakers(text: str) -> Iterator[tuple[int, int]]:
    """Speakers heading their messages on lines of their own, when two or more do: a schedule's
    lines ("점심 12:00") follow one another with no message between."""
    headings = [
        match
        for match in _HEADING_LINE.finditer(text)
        if _is_a_speaker(match.group("speaker")) and _a_message_follows(text, match.end())
    ]
    if len({match.group("speaker") for match in headings}) >= _MIN_SPEAKERS:
        yield from (match.span("speaker") for match in headings)


def _a_message_follows(text: str, line_end: int) -> bool:
    next_end = text.find("\n", line_end + 1)
    following = text[line_end + 1 : len(text) if next_end < 0 else next_end]
    return bool(following.strip()) and _HEADING_LINE.match(following) is None


def chat_speakers(text: str) -> list[Span]:
    """Spans of the speakers of the chat log in ``text`` and of their names elsewhere in it."""
    if ":" not in text and "\uff1a" not in text:
        return []
    spans = list(_speakers(text))
    names = {text[start:end] for start, end in spans}
    stretches = after_bot_words(text) if names else []
    bots = {name for name in names if any(name in stretch for stretch in stretches)}
    spans = [(start, end) for start, end in spans if text[start:end] not in bots]
    names -= bots
    for name in names:
        spans.extend(match.span() for match in re.finditer(rf"(?<!{_LETTER}){re.escape(name)}(?!{_LETTER})", text))
    return longest_first_without_overlaps(spans)


class ChatSpeakerRecognizer(SpanRecognizer):
    """The people of a chat log whose names the name model cannot read."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A speaker of a pasted chat log"

    def spans(self, text: str) -> Iterable[Span]:
        return chat_speakers(text)
