"""Chinese, Japanese and Korean full names written without an honorific or a title.

"请帮我给王小明写一封生日祝福", "佐藤太郎の歓迎会の案内を書いて" and "김민준에게 보낼 감사 메일을 써 줘"
name a person with nothing beside the name to say so, and the NER model does not read these
scripts. A family name starts many everyday words (高质量, 马上, 周末, 金融; 小松菜, 大西洋; 이번에,
정보를, 신제품을), so a full name is taken only where two things agree:

- the given name reads as one: it is a common given name, or made of characters (syllables) that
  given names are made of, or ends the way Japanese given names end (子, 美, 太郎, 介...);
- the name stands where a word ends on both sides: Chinese writes no spaces, so the words around
  it must be ones that stand beside a person (给, 和, 感谢 before it; 的, 说, 负责, 加入 after it) or
  punctuation; Japanese closes a name with a particle (の, が, に, と...); Korean with a space or a
  particle (에게, 이/가, 은/는, 을/를, 의...).

A word of a common-word list that starts with a family name is never a name, even where both
agree ("高峰" is a peak more often than a person). The given-name lists were written from general
knowledge of each language's commonest names and the given names of Faker's zh_CN, ja_JP and
ko_KR person providers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.titled_names import (
    JA_FAMILY_NAMES,
    JA_NOT_GIVEN_NAME,
    JA_WORDS_LIKE_A_NAME,
    KO_COMPOUND_FAMILY_NAMES,
    KO_FAMILY_NAMES,
    KO_ROLE_WORDS,
    NAME_ENTITY,
    SCORE,
    ZH_FAMILY_NAMES,
    ZH_NOT_IN_NAME,
    ZH_WORDS_ENDING_IN_A_FAMILY_NAME,
    ZH_WORDS_STARTING_WITH_A_FAMILY_NAME,
    east_asian_spans,
)


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


# ---------------------------------------------------------------------------------------------
# Chinese
# ---------------------------------------------------------------------------------------------

# Characters that given names are made of. Everyday morphemes that names use too (中, 天, 大,
# 心, 子, 月, 和, 平安) are left out: each of them starts or ends too many words.
ZH_GIVEN_NAME_CHARACTERS = frozenset(
    "伟强磊洋勇军杰涛超明刚辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙欢佳阳亮峰晨瑞志兵雷东博彬坤岩楠芳娜敏静英丽"
    "艳娟霞秀兰燕玲萍丹梅莉婷珍晶颖雪慧倩琴畅云洁淑莹欣凤桂瑜璐晓涵怡萱轩梓睿泽昊宸嘉琪琳雯婧妍茜蕾薇菲娅"
    "姗媛琦瑶璇雅悦思雨诗梦彤馨蓉蓓露霖晴辰振德胜福远达义仁智忠康宏鸿鹤彪威毅锋钢荣耀炜烨焕煜晖昕昱昌晟曦"
    "皓翔翼航峻嵩岳澜润源澄渊沛淼森柏桦豪雄伦彦琛瑾璋珂琨玮珊琼岚虹霏冰凝芸芬茹莎菁萌翠婉娇妮俐聪贞娴莲荷"
    "菊杏莺鹃鸾珠娥春秋冬卫国建立坚顺成兴旺盛隆诚贤婕姝嫣璟瑄铭钰锦绮绫熙喆哲铮霆骏驰腾垚焱犇韵韶筠笛箫瑟"
    "梁栋桐楷榕樱槿柔柳杨枫林松竹小文武"
)
# Whole two-character given names that hold a character of the everyday kind left out above.
ZH_GIVEN_NAMES = _words(
    "建国 建平 建华 建军 国强 国庆 国华 志强 志刚 志明 红霞 红梅 小红 小明 小龙 小军 小燕 小丽 小芳"
    " 小雨 小东 小华 小伟 小平 子涵 子轩 子豪 一鸣 一凡 天宇 天佑 心怡 雨欣 欣怡 思雨 梓涵 诗涵 浩然"
    " 博文 文博 海燕 海涛 海峰 海洋 海波 春梅 冬梅 秋菊 玉兰 玉梅 玉珍 玉英 玉华 金凤 桂花 晓明 晓东"
    " 晓燕 晓红 晓丽 丽丽 婷婷 丹丹 明明 亮亮 大伟 大勇 大鹏 永强 永刚 德华 学友 家豪 家明 立新 立伟"
    " 平安 安琪 安娜 子怡 雨涵 一诺 依诺 梦琪 若曦"
)
# Everyday words that start with a family name's character and go on with a character of a
# given name: written beside a person's words they still are no name.
ZH_WORDS_LIKE_A_NAME = _words(
    "王国 王者 王牌 王朝 王冠 王子 黄金 黄昏 黄瓜 黄豆 黄河 黄山 黄色 黄桃 黄金周 高峰 高明"
    " 高兴 高超 高雅 高手 高速 高效 高涨 高昂 高贵 高达 高亮 高铁 高新 高端 高强 高温 高远"
    " 高质 高层 高级 高中 高考 高校 高管 高新区 马达 马云 马上 马路 马克 周年 周到 周刊 周岁"
    " 周全 周期 周末 周边 周一 周二 周三 周四 周五 周六 周日 金华 金秋 金额 金色 金融 金钱"
    " 金牌 金星 金鹰 金卡 金银 林荫 林立 林业 安静 安全 安康 安宁 安顺 安装 安心 安排 安稳"
    " 安慰 安徽 文明 文雅 文静 文华 文艺 文学 文章 文件 文字 文案 江山 江南 江湖 江西 江苏"
    " 江东 江北 白雪 白云 白银 白领 白兰 白菜 白天 白色 常青 常规 常态 常用 常年 常见 雷雨"
    " 雷锋 雷达 朱红 朱砂 向阳 向来 向往 向东 向西 向南 向北 于是 许多 许可 程度 程序 石林"
    " 石油 石头 石材 龙凤 龙舟 龙虾 龙头 万达 万千 万物 万一 钱财 钱包 严峻 严格 严明 严重"
    " 武功 武林 武汉 武侠 武器 康复 康乐 温馨 温暖 温和 温柔 温泉 温度 施工 施肥 牛奶 牛肉"
    " 牛仔 齐全 齐心 易燃 易于 庄严 庄园 章程 章节 岳阳 岳父 岳母 申请 申报 夏天 夏季 夏至"
    " 夏令 田园 田野 田地 宋体 宋朝 唐朝 唐人 韩国 韩剧 韩语 韩元 曹操 彭湃 曾经 董事 余额"
    " 余下 杜鹃 杜绝 叶子 叶片 苏州 苏宁 苏醒 丁香 任务 任意 任何 沈阳 钟点 钟声 陆续 陆地"
    " 汪洋 范围 方便 方向 方法 方面 方案 方式 方针 方圆 付款 付费 熊猫 秦朝 段落 史诗 陶瓷"
    " 贺卡 贺词 顾客 顾问 毛衣 毛巾 毛利 莫名 孔雀 汤圆 乔迁 庞大 颜色 鲁莽 殷勤 陈列 陈旧"
    " 张贴 张开 李子 刘海 杨柳 杨梅 徐徐 孙子 胡子 胡椒 何况 何时 何处 罗列 郑重 谢谢 肖像"
    " 洪水 洪峰 左右 包容 包装 房子 房东 关心 关于 车辆 车站 和平 和谐"
)
# Words and characters before a name that say a person follows ("给王伟", "感谢李娜", "同事何鹏").
_ZH_BEFORE_A_PERSON = re.compile(
    "(?:给|和|跟|与|同|请|让|叫|谢谢|感谢|祝|向|由|联系|替|帮|找|问|对|把|被|及|推荐|邀请|通知|提醒|告诉|恭喜"
    "|祝贺|欢迎|表扬|是|为|以|派|安排|认识|介绍|同事|员工|学生|客户|讲师|主讲|负责人|联系人|作者|主持人|嘉宾"
    "|新人|朋友|老板|领导|经理|总监|主管|记者|编辑|设计师|名叫|叫做|署名|致|抄送|转给|发给|交给|送给|写给"
    "|代表|等|人|位|@)$"
)
# Words and characters after a name that a person's name stands before ("李娜在", "陈静说",
# "杨帆负责", "周杰的生日").
_ZH_AFTER_A_PERSON = re.compile(
    "(?:的|说|讲|在|和|与|跟|及|把|将|会|要|也|都|已|是|给|对|从|去|来|写|发|做|等|请|帮|让|向|被|还|刚"
    "|负责|加入|离职|入职|参加|完成|获得|荣获|提交|表示|认为|提到|提出|告诉|回复|今天|明天|昨天|下周|上周"
    "|本周|下个|上个|下月|生日|婚礼|一起|带领|主持|分享|整理|准备|确认|需要|希望|正在|申请|担任|升任|退休"
    "|结婚|出差|休假|请假|同学|同事|老师|订|约|问|通过|发来|发的|写的|同意|批准|审核|签字|签名|转达|开始)"
)
_ZH_FAMILY_NAME_FIRST_CHARACTERS = frozenset(family[0] for family in ZH_FAMILY_NAMES)
_ZH_NUMBER_OR_DEMONSTRATIVE = frozenset("一二三四五六七八九十两几每这那哪整半")


def _chinese_names(text: str) -> Iterator[Span]:
    start = 0
    while start < len(text):
        end = _zh_name_end(text, start)
        if end is None:
            start += 1
        else:
            yield start, end
            start = end


def _zh_name_end(text: str, start: int) -> int | None:
    """Where the full name that starts at ``start`` ends, if one does."""
    if text[start] not in _ZH_FAMILY_NAME_FIRST_CHARACTERS or not _zh_stands_after(text, start):
        return None
    for family_length in (2, 1):
        family = text[start : start + family_length]
        if len(family) != family_length or family not in ZH_FAMILY_NAMES:
            continue
        for given_length in (2, 1):
            end = start + family_length + given_length
            given = text[start + family_length : end]
            if len(given) == given_length and _zh_given_name(given) and _zh_stands_before(text, end):
                if not _zh_everyday_word(text, start, end):
                    return end
        return None
    return None


def _zh_given_name(given: str) -> bool:
    if given in ZH_GIVEN_NAMES:
        return True
    return all(_is_han(c) and c not in ZH_NOT_IN_NAME and c in ZH_GIVEN_NAME_CHARACTERS for c in given)


def _zh_stands_after(text: str, start: int) -> bool:
    """Whether a name may start at ``start``: at the start, after punctuation or a space, or after
    a word that a person follows; never inside a word ("感谢", "一张")."""
    if start == 0 or not _is_han(text[start - 1]):
        return True
    if text[start - 1 : start + 1] in ZH_WORDS_ENDING_IN_A_FAMILY_NAME:
        return False
    if text[start - 1] in _ZH_NUMBER_OR_DEMONSTRATIVE:
        return False
    return _ZH_BEFORE_A_PERSON.search(text, max(start - 3, 0), start) is not None


def _zh_stands_before(text: str, end: int) -> bool:
    if end == len(text) or not _is_han(text[end]):
        return True
    return _ZH_AFTER_A_PERSON.match(text, end) is not None


def _zh_everyday_word(text: str, start: int, end: int) -> bool:
    return any(
        text[start:stop] in ZH_WORDS_LIKE_A_NAME or text[start:stop] in ZH_WORDS_STARTING_WITH_A_FAMILY_NAME
        for stop in range(start + 1, min(end + 1, len(text)) + 1)
    )


# ---------------------------------------------------------------------------------------------
# Japanese
# ---------------------------------------------------------------------------------------------

# Last characters of Japanese given names written in kanji ("由美子", "健太郎", "大輔", "美咲").
_JA_GIVEN_NAME_ENDINGS = frozenset(
    "子美香郎介輔助樹翔花太也哉斗真菜奈恵代江枝乃希佳里理絵衣夫男雄彦司治之亮誠隆実愛翼蓮陽仁聡浩"
    "健拓優涼葵結凛咲彩遥舞瞳萌栞紀則朗志史弘宏博勇蒼悠湊陸颯綾沙紗織穂華良昭茂勝康豊修徹純淳"
    "直敏智剛功晃篤稔充零幹春夏秋冬一二三"
)
# Given names written in hiragana ("伊藤さくら", "清水あかり").
JA_KANA_GIVEN_NAMES = _words(
    "さくら あかり ゆい ひかり みゆき まゆみ あやか はるか ともこ ゆうこ けいこ ようこ なおみ めぐみ"
    " あすか さゆり ひとみ かおり みき ゆき えみ りえ ちひろ みどり あおい ひなた ゆうき たろう まこと"
    " ひろし あきら かおる しのぶ つばさ はるき ゆうた みなみ ももこ ことね ゆな ひな りん めい のぞみ"
    " あずさ くるみ すみれ かえで もえ まりこ なつみ さとみ ゆかり しおり なな みお さき みく ゆみ まみ"
    " くみこ ちよ はなこ りか あや まどか かな ゆり さやか あゆみ なつき みほ しずか"
)
# What follows a name: a particle, a honorific or punctuation ("佐藤太郎の", "田中美咲に").
_JA_AFTER_A_NAME = re.compile(
    r"(?:[のがはにとをへもやで]|から|まで|より|さん|さま|様|くん|ちゃん|氏|[^\u3040-\u30FF\u4E00-\u9FFF々]|$)"
)
_JA_KANJI_RUN = re.compile(r"[\u4E00-\u9FFF々ヶ]+")
_JA_GIVEN_NAME_MAX = 3
# A title written after the family name in the same run of kanji ("中村部長"): the name before
# it is the title's to find.
_JA_TITLE_INSIDE = re.compile("長|先生|教授|博士|医師|取締役|主任|監督|選手|議員|知事")


def _japanese_names(text: str) -> Iterator[Span]:
    for run in _JA_KANJI_RUN.finditer(text):
        if run.start() > 0 and _JA_KANJI_RUN.match(text[run.start() - 1]):
            continue
        end = _ja_name_end(text, run.start(), run.end())
        if end is not None:
            yield run.start(), end


def _ja_name_end(text: str, start: int, run_end: int) -> int | None:
    run = text[start:run_end]
    for length in (3, 2):
        family = run[:length]
        if len(family) != length or family not in JA_FAMILY_NAMES:
            continue
        given = run[length:]
        if any(run.startswith(word) for word in JA_WORDS_LIKE_A_NAME):
            return None
        if not given:
            kana = _ja_kana_given_name(text, run_end)
            return run_end + len(kana) if kana else None
        if len(given) > _JA_GIVEN_NAME_MAX or JA_NOT_GIVEN_NAME.search(given) or _JA_TITLE_INSIDE.search(given):
            return None
        if given[-1] not in _JA_GIVEN_NAME_ENDINGS:
            return None
        return run_end if _JA_AFTER_A_NAME.match(text, run_end) else None
    return None


def _ja_kana_given_name(text: str, start: int) -> str:
    for length in range(5, 1, -1):
        kana = text[start : start + length]
        if kana in JA_KANA_GIVEN_NAMES and _JA_AFTER_A_NAME.match(text, start + length):
            return kana
    return ""


# ---------------------------------------------------------------------------------------------
# Korean
# ---------------------------------------------------------------------------------------------

KO_GIVEN_NAMES = _words(
    "건우 경수 광수 도윤 도현 동현 민석 민수 민재 민준 병철 상철 상현 상호 상훈 서준 성민 성수 성진 성현"
    " 성호 성훈 승민 승현 시우 영길 영수 영식 영일 영진 영철 영호 영환 예준 우진 재현 재호 정남 정수 정식"
    " 정웅 정호 정훈 종수 주원 준서 준영 준혁 준호 중수 지후 지훈 진우 진호 현우 현준 하준 지호 은우"
    " 유준 이준 선우 서진 연우 민호 태민 태현 동욱 동훈 재원 재민 준기 승우 길동 철수 영훈 대현 민혁"
    " 경숙 경자 경희 명숙 명자 미경 미숙 미영 미정 민서 민지 보람 서연 서영 서윤 서현 선영 수민 수빈"
    " 수진 숙자 순옥 순자 아름 영미 영숙 영순 영자 영희 예원 예은 예지 예진 옥순 옥자 유진 윤서 은경"
    " 은서 은영 은정 은주 은지 정숙 정순 정자 정희 지민 지아 지연 지영 지우 지원 지은 지현 지혜 채원"
    " 춘자 하윤 하은 현숙 현정 현주 현지 혜진 서아 예린 소희 수지 하린 지안 다은 채은 유나 나연 소연"
    " 다현 가은 민아 수아 예나 혜원 미나 보영 서희 지수 하나 소율 아린 윤아 다인 나은"
)
# Syllables that given names are made of; a given name of two of them reads as one.
_KO_GIVEN_NAME_SYLLABLES = frozenset(
    "민준서연지훈수빈우진현하은아호예린도윤석희영재성경혜미정승태동상용원유나채시규형철숙순옥"
    "자욱혁찬범건율주환택종병광길남웅식창국봉덕인소람름솔별슬빛"
)
# Last syllables of everyday nouns and verb stems ("주소지", "배우자", "지원서", "전환율",
# "성수동", "지하철", "공유용", "변경하는", "남아서"): a given name ending in one of them counts
# only when it is in the list.
_KO_WORD_ENDINGS = frozenset("지자서율동철하아용기리도원실장점품문회비료")
# A name's last syllable that, alone at the end of a three-syllable word, is more often a
# particle after a two-syllable noun ("정보는", "이번에").
_KO_PARTICLE_SYLLABLES = frozenset("은는이가을를의와과에도로만")
# What may follow a name in the same word: a particle, the copula, or 님 with a particle.
_KO_AFTER_A_NAME = _words(
    "에게 에게서 에게는 에게도 한테 한테서 께 께서 께는 께도 이 가 은 는 을 를 의 와 과 도 만 랑 이랑 하고"
    " 로 으로 과의 와의 입니다 이에요 예요 이고 이며 님 님께 님이 님은 님의 님을 님과 님도"
)
_KO_WORD = re.compile(r"[가-힣]+")
# Everyday words of three syllables that read as a family name and a given name.
KO_WORDS_LIKE_A_NAME = _words("강아지 도우미 최우수 이상은 정상은 이번주 이동은 장기간 조정은 신호등")


def _korean_names(text: str) -> Iterator[Span]:
    for word in _KO_WORD.finditer(text):
        length = _ko_name_length(word.group(0))
        if length:
            yield word.start(), word.start() + length


def _ko_name_length(word: str) -> int:
    """The length of the full name that ``word`` starts with, or 0."""
    for family_length in (2, 1):
        family = word[:family_length]
        if family not in (KO_COMPOUND_FAMILY_NAMES if family_length == 2 else KO_FAMILY_NAMES):
            continue
        name = word[: family_length + 2]
        given = name[family_length:]
        rest = word[len(name) :]
        if len(given) != 2 or (rest and rest not in _KO_AFTER_A_NAME):
            continue
        if name in KO_WORDS_LIKE_A_NAME or name in KO_ROLE_WORDS:
            return 0
        if given in KO_GIVEN_NAMES:
            return len(name)
        # Syllables alone are evidence enough only when the word cannot be a noun of two
        # syllables with a particle.
        if (
            all(syllable in _KO_GIVEN_NAME_SYLLABLES for syllable in given)
            and given[-1] not in _KO_WORD_ENDINGS
            and not (rest == "" and given[-1] in _KO_PARTICLE_SYLLABLES)
        ):
            return len(name)
    return 0


# ---------------------------------------------------------------------------------------------


def bare_cjk_names(text: str) -> list[Span]:
    """The spans of the Chinese, Japanese and Korean full names in ``text``, sorted, without
    repeats or overlaps."""
    if text.isascii():
        return []
    spans = east_asian_spans(text, japanese=_japanese_names, chinese=_chinese_names, korean=_korean_names)
    return longest_first_without_overlaps(spans)


class BareCjkNameRecognizer(SpanRecognizer):
    """Chinese, Japanese and Korean full names written with no honorific or title beside them."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A family name and a given name where a person's name stands"

    def spans(self, text: str) -> Iterable[Span]:
        return bare_cjk_names(text)
