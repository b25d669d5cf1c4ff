"""What colleagues call each other in Chinese and Korean: "小张", "老马", "阿强", "수빈 씨".

The full names of bare_cjk_names.py and the honorifics of titled_names.py miss the names people
use at work most: a Chinese family name after 小 ("little") or 老 ("old"), a given name after 阿
or 小 as one calls or signs off to a person, and a Korean given name before 씨.

- 小 or 老 and a family name of the list below: "服务员小张特别热情", "明天老马会把样品送到". The
  list leaves out family names that also make everyday words after 小 or 老 (小钱 "small change",
  小龙虾 "crayfish", 老汤 "old broth", 小马 "pony", 小黄车 "shared bikes", 老黄历 "almanac"), and
  a word that goes on after the name (小张子, 老李家) is none;
- 阿 or 小 and one more character between punctuation, where one calls a person or signs a
  message ("阿杰，发往杭州的货", "辛苦了，阿强", "小美，明天"), unless it is a kinship word or an
  everyday one (阿姨, 阿哥, 小姐, 小时, 小计, 小编);
- a Korean word of two or three syllables, a space, then 씨 and a particle or a word's end ("수빈
  씨,", "동현 씨가"): written apart, 씨 follows only a name (날씨 "weather", 솜씨 "skill" and
  아저씨 "mister" are written as one word).

A name just after a word for a bot or an assistant is the bot's ("AI助手“小智”").
"""

# ruff: noqa: RUF001, RUF002  # Chinese punctuation on purpose

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.chat_speakers import after_bot_words
from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.titled_names import NAME_ENTITY, SCORE

# Common family names, simplified and traditional, that make no everyday word after 小 or 老.
FAMILIAR_FAMILY_NAMES = frozenset(
    "李 王 张 張 刘 劉 陈 陳 杨 楊 赵 趙 吴 吳 徐 孙 孫 郑 鄭 冯 馮 蒋 蔣 沈 韩 韓 曹 许 許 邓 鄧 彭 吕 呂 卢 盧 魏"
    " 潘 袁 崔 谭 譚 陆 陸 汪 姚 廖 邹 鄒 秦 顾 顧 侯 邵 孟 贺 賀 赖 賴 龚 龔 郭 何 罗 羅 梁 谢 謝 唐 宋 韦 韋 傅 董"
    " 萧 蕭 杜 戴 夏 薛 闫 閆 余 郝 施 严 嚴 葛 欧 歐".split()
)
# Family names that make everyday words after 小 (小马 "pony", 小黄车, 小周末, 小高峰, 小胡子) but
# not after 老, but for the words that go on after them (老马识途, 老黄历, 老林子).
FAMILIAR_AFTER_LAO_ONLY = frozenset("马 馬 黄 黃 周 高 林 胡 朱".split())
# Characters after 阿 or 小 that make a kinship or an everyday word, not a name.
NOT_AFTER_A_OR_XIAO = frozenset(
    "姨 婆 公 伯 叔 哥 妹 嫂 爸 妈 媽 爷 爺 奶 姐 弟 舅 里 裡 拉 Q 时 時 心 孩 伙 二 编 編 号 號 票 费 費 计 計 组 組"
    " 区 區 店 学 學 事 说 說 吃 菜 样 樣 型 朋 便 米 红 紅 屋 院 镇 鎮 字 葱 蔥 蒜 块 塊 片 包 盒 瓶 袋 杯 碗 勺 匙 份"
    " 条 條 鱼 魚 虾 蝦 狗 猫 貓 鸟 鳥 熊 兔 猪 豬 羊 鸡 雞 鸭 鴨 龙 龍 食".split()
)
_HAN = "\u4e00-\u9fff"
_HANGUL = "\uac00-\ud7a3"
# What stands around a name one calls or signs with: punctuation, a quote, a space, the text's ends.
_OPEN = r"(?:(?<=[\s,，、。!！?？:：;；'\"“”‘’「」（(])|^)"
_CLOSE = r"(?=[\s,，、。!！?？;；'\"“”‘’「」）)]|$)"
_FAMILIAR = re.compile(
    rf"(?<![大从從最很较較缩縮变變小老])(?P<name>小(?:{'|'.join(sorted(FAMILIAR_FAMILY_NAMES))})"
    rf"|老(?:{'|'.join(sorted(FAMILIAR_FAMILY_NAMES | FAMILIAR_AFTER_LAO_ONLY))}))(?![子识識历曆牛醋])"
)
_CALLED = re.compile(rf"{_OPEN}(?P<name>[阿小][{_HAN}]){_CLOSE}", re.MULTILINE)
_KO_PARTICLES = "가|는|를|에게|한테|께|도|의|랑|와|과|이|만|요"
_KO_GIVEN_NAME = re.compile(rf"(?<![{_HANGUL}])(?P<name>[{_HANGUL}]{{2,3}}) 씨(?=(?:{_KO_PARTICLES})?(?![{_HANGUL}]))")
# A character of the two scripts: a prompt holding none is not read.
_EITHER_SCRIPT = re.compile(f"[{_HAN}{_HANGUL}]")


def familiar_names(text: str) -> Iterator[Span]:
    """(start, end) of each familiar name in ``text``."""
    if _EITHER_SCRIPT.search(text) is None:
        return
    found = [match.span("name") for match in _FAMILIAR.finditer(text)]
    found.extend(
        match.span("name") for match in _CALLED.finditer(text) if match.group("name")[1] not in NOT_AFTER_A_OR_XIAO
    )
    found.extend(match.span("name") for match in _KO_GIVEN_NAME.finditer(text))
    if found:
        # A name just after a word for a bot is the bot's ("AI助手“小智”", "客服机器人“小帆”").
        stretches = after_bot_words(text)
        found = [(start, end) for start, end in found if not any(text[start:end] in stretch for stretch in stretches)]
    yield from longest_first_without_overlaps(found)


class FamiliarNameRecognizer(SpanRecognizer):
    """Names colleagues call each other by in Chinese and Korean."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A name as colleagues call each other: 小张, 老马, 阿强, 수빈 씨"

    def spans(self, text: str) -> Iterable[Span]:
        return familiar_names(text)
