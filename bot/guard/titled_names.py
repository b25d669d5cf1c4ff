"""Person names written in Japanese, Chinese, Korean, Arabic and Devanagari, found by the way
these languages address a person.

The NER model reads Latin and Cyrillic letters only, so "田中さん", "王伟先生", "김민수 씨",
"السيد أحمد الخطيب" and "श्री राहुल शर्मा" reached the model as typed. Each of these languages
marks a person by an honorific or a title written beside the name, and most of its names start
with one of a few hundred family names:

- Japanese: a name before さん, 様, 氏, くん, ちゃん (any kanji or katakana name), or before 先生,
  部長, 社長 and the other titles (a family name of the list below); a listed family name of two
  kanji or more on its own;
- Chinese (text without kana): a common family name and at most two more characters before
  先生, 女士, 经理, 老师, 总 and the other titles;
- Korean: a word of two to four syllables starting with a common family name before 씨, 님
  or a title (팀장님, 교수님), and a family name alone before a title ("박 과장님");
- Arabic: one to three words after السيد, الدكتورة, المهندس and the other titles, and a
  common first name followed by a word that reads as a family name;
- Hindi: words after श्री, श्रीमती, डॉ., and a name before जी, साहब.

Only the name is masked, never the honorific: "<PERSON_1>さん" still reads as a sentence. The
family-name and first-name lists were written from general knowledge of each language's
commonest names (no third-party list was copied). A prompt in none of these scripts costs one
check that it is ASCII, or one character-class search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps

NAME_ENTITY = "PERSON"
# As sure as the NER model's names: the honorific or title says a person is meant.
SCORE = 0.85


_ANY_SCRIPT = re.compile(r"[\u0600-\u06FF\u0900-\u097F\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]")
_KANA = re.compile(r"[\u3040-\u30FF]")


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# ---------------------------------------------------------------------------------------------
# Japanese
# ---------------------------------------------------------------------------------------------

# The commonest Japanese family names, in the order of the usual national frequency rankings.
JA_FAMILY_NAMES = _words(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 渡邊 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 斉藤"
    " 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤"
    " 青木 坂本 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田"
    " 石田 森田 上田 原 柴田 酒井 工藤 横山 宮崎 宮本 内田 高木 安藤 島田 谷口 大野 丸山 今井 高田"
    " 藤本 武田 村田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎 桜井 木下 野口 松尾 菊地"
    " 野村 新井 渡部 佐野 杉本 古川 小島 水野 桑原 山内 河野 菅野 吉川 市川 荒木 熊谷 服部 樋口 大西"
    " 北村 西田 中西 石原 永井 小松 関 堀 東 西 北 岡 南 浅野 大橋 松岡 川口 辻 星野 片山 本田 内藤"
)
# Family names that are also a prefecture, a city, a district or an everyday word ("大橋" a
# large bridge, "高木" a tall tree): masked only beside an honorific or a title, or with a
# given name after them.
JA_ALSO_PLACES_OR_WORDS = _words(
    "山口 石川 宮崎 千葉 上野 清水 平野 中山 小川 中野 上田 太田 池田 長野 岡山 福島 福岡 秋田 山形 富山"
    " 新潟 広島 熊本 長崎 宮城 岡本 金子 原田 藤原 本田 西田 北村 東 西 北 南 関 堀 林 森 原 岡 辻 市川"
    " 大橋 高木 小島 杉山 小山 山下 木下 石原"
)
# Everyday words that start with a listed family name and go on with a kanji or two that a
# given name could be ("小松菜" is a leaf vegetable, "大西洋" the Atlantic).
JA_WORDS_LIKE_A_NAME = _words("小松菜 大西洋 中山間 藤原京")
# Honorifics that follow a person's name of any spelling (kanji or katakana).
_JA_PERSONAL = ("さん", "さま", "くん", "ちゃん", "様", "氏", "君", "殿", "先輩")
# Titles that also follow a role or a department ("営業部長", "新社長", "校長先生"): a name
# before them must start with a listed family name.
_JA_TITLES = (
    "先生",
    "教授",
    "准教授",
    "博士",
    "医師",
    "弁護士",
    "部長",
    "課長",
    "係長",
    "次長",
    "社長",
    "副社長",
    "会長",
    "専務",
    "常務",
    "取締役",
    "室長",
    "所長",
    "店長",
    "主任",
    "監督",
    "選手",
    "議員",
    "知事",
    "市長",
    "理事長",
    "院長",
    "校長",
)
_JA_KANJI_RUN = re.compile(r"[\u4E00-\u9FFF々ヶ]+")
# Longest first: "副社長" before "社長".
_JA_HONORIFICS = tuple(sorted((*_JA_PERSONAL, *_JA_TITLES), key=len, reverse=True))
# Written in kana, an honorific also starts words: ちゃんと ("properly"), さまざま ("various"),
# さんま (a fish), さんか ("taking part").
_JA_HONORIFIC = re.compile(
    "|".join(_JA_HONORIFICS)
    .replace("ちゃん", "ちゃん(?!と)")
    .replace("さま", "さま(?!ざま)")
    .replace("さん", "さん(?![まかぽ])")
)
_JA_KANJI_HONORIFIC = re.compile("|".join(title for title in _JA_HONORIFICS if _JA_KANJI_RUN.fullmatch(title)))
# "制作会社アオバさん": a firm is addressed with さん too.
_JA_ORGANISATION_BEFORE = re.compile(r"(?:会社|社|店|協会|事務所|チーム|ブランド)$")
_JA_AFTER_KATAKANA_NAME = re.compile("|".join((*_JA_PERSONAL, "先生")))
_JA_KATAKANA_RUN = re.compile(r"[\u30A1-\u30FA\u30FC\u30FB]{2,}")
# Words before さん or 様 that are people by role, trade or kin, or set phrases ("ご苦労様").
JA_ROLE_WORDS = _words(
    "担当 担当者 大家 大工 新人 本人 主人 恋人 友人 知人 職人 住人 老人 婦人 夫人 個人 管理人 代理人"
    " 得意 苦労 馳走 世話 愁傷 天道 観音 大仏 閻魔 王子 姫君 主君 貴社 御社 弊社 当社 先方 各位 皆様 神様"
    " 学生 生徒 店員 社員 会員 職員 役員 係員 駅員 運転手 看護師 医者 歯医者 業者 利用者 購入者 患者"
    " 取引先 家族 親御 父兄 保護者 校長 教頭 担任 院長 園長 部長 課長 社長 会長 先生 先輩 後輩 同僚 上司 部下"
    " 営業 総務 人事 経理 開発 技術 企画 広報 財務 法務 代表 新 前 元 現 副 次期 初代 歴代 各 同"
    " 店主 仲居 女将 大将 板長 料理長 駅長 車掌 刑事 巡査 師匠 親方 旦那 息子 叔父 叔母 伯父 伯母 祖父 祖母"
    " 一人 二人 三人 皆"
)
# What ends a company, a shop, a place or a role rather than a given name ("田中商事",
# "松本市", "中村屋").
JA_NOT_GIVEN_NAME = re.compile(
    r"(?:商事|商店|工業|産業|建設|銀行|電機|電気|製作所|物産|興業|証券|保険|不動産|製薬|病院|医院|大学|学校"
    r"|高校|事務所|株式会社|会社|公園|神社|[市県町村区郡駅城寺宮川山島湖橋港線道通店屋社会組院館園校堂者員師士官生客様方先部課室家族手])$"
)
JA_KATAKANA_WORDS = _words(
    "ユーザー ゲスト メンバー スタッフ オーナー パート バイト アルバイト ママ パパ ドライバー サンタ キャスト"
    " ファン カスタマー クライアント ベンダー パートナー リーダー マネージャー エンジニア デザイナー メーカー"
    " ベテラン プロ シェフ コーチ ナース ホスト オペレーター サポーター ボランティア アーティスト タレント"
    " アイドル ライター カメラマン モデル ショップ チーム サロン ホテル クリニック センター"
    " トヨタ ソニー パナソニック ホンダ ニトリ ユニクロ ローソン ファミマ セブン ヤマト"
)
_JA_GIVEN_NAME_MAX = 3


# A given name written after the family name and a space ("渡辺 恵子", "中村 さくら"): one to three
# kanji, or a word of hiragana or katakana, then punctuation, a space, a particle or an honorific.
_JA_GIVEN_NAME_AFTER_A_SPACE = re.compile(
    r"[ \u3000](?P<given>[\u4E00-\u9FFF々]{1,3}|[\u3041-\u3096]{2,4}|[\u30A1-\u30FA\u30FC]{2,6})"
    r"(?=[\s、。,.!\uff01?\uff1f)\uff09」』\]:\uff1a・/<]|が|は|の|に|と|を|も|へ|さん|様|氏|くん|ちゃん|$)"
)


# Words a chat line or a note puts after a name and a space ("高橋 はい、", "佐藤 了解。").
JA_WORDS_AFTER_A_NAME = _words(
    "はい いいえ うん ええ まだ もう また あと いま です ます よろしく ありがとう おはよう こんにちは すみません"
    " 了解 承知 確認 本日 明日 今日 昨日 来週 今週 先週 以上 宛 殿 拝 より 記"
)


def _japanese_names(text: str) -> Iterator[Span]:
    for start, end in _japanese_family_and_honorific_names(text):
        yield start, _ja_given_name_after_a_space(text, start, end)


def _ja_given_name_after_a_space(text: str, start: int, end: int) -> int:
    """Where a name found as ``text[start:end]`` ends once a given name written after a space
    joins it, when the name found is a listed family name."""
    if text[start:end] not in JA_FAMILY_NAMES:
        return end
    given = _JA_GIVEN_NAME_AFTER_A_SPACE.match(text, end)
    if given is None:
        return end
    word = given.group("given")
    if (
        word in JA_ROLE_WORDS
        or word in JA_WORDS_AFTER_A_NAME
        or _JA_KANJI_HONORIFIC.fullmatch(word)
        or JA_NOT_GIVEN_NAME.search(word)
    ):
        return end
    return given.end()


def _japanese_family_and_honorific_names(text: str) -> Iterator[Span]:
    for run in _JA_KANJI_RUN.finditer(text):
        name = _ja_name_in_run(run.group(0), _JA_HONORIFIC.match(text, run.end()))
        if name is not None:
            yield run.start() + name[0], run.start() + name[1]
    for run in _JA_KATAKANA_RUN.finditer(text):
        word = run.group(0).strip("・")
        if (
            len(word) >= 2
            and word not in JA_KATAKANA_WORDS
            and _JA_AFTER_KATAKANA_NAME.match(text, run.end())
            and not _JA_ORGANISATION_BEFORE.search(text[max(run.start() - 4, 0) : run.start()])
        ):
            yield run.start(), run.start() + len(word)


def _ja_name_in_run(run: str, honorific_after: re.Match[str] | None) -> Span | None:
    """The name in a run of kanji: before the kana honorific that follows the run, before a
    title written in kanji inside it ("鈴木部長宛"), or a listed family name alone."""
    if honorific_after is not None:
        name = _ja_name_before(run, honorific_after.group(0))
        if name is not None:
            return name
    for title in _JA_KANJI_HONORIFIC.finditer(run, 1):
        name = _ja_name_before(run[: title.start()], title.group(0))
        if name is not None:
            return name
    return _ja_family_name_alone(run)


def _ja_name_before(before: str, honorific: str) -> Span | None:
    """The name that ``before`` (a run of kanji) ends in, given the honorific after it."""
    if not before:
        return None
    for start in range(len(before)):
        rest = before[start:]
        # A one-kanji family name counts only alone: in "吉岡" it is the end of another name.
        for length in (3, 2, 1) if len(before) > 1 else (1,):
            family = rest[:length]
            if len(family) == length and family in JA_FAMILY_NAMES and (length > 1 or len(before) == 1):
                given = rest[length:]
                if len(given) <= _JA_GIVEN_NAME_MAX and not (given and JA_NOT_GIVEN_NAME.search(given)):
                    return start, len(before)
    if honorific not in _JA_PERSONAL:
        return None
    if not 2 <= len(before) <= 4 or before in JA_ROLE_WORDS or JA_NOT_GIVEN_NAME.search(before):
        return None
    if before.endswith("人") and len(before) == 2 and before[0] in "新本主恋友知職住老個犯大":
        return None
    return 0, len(before)


def _ja_family_name_alone(run: str) -> Span | None:
    """A listed family name of two kanji or more that stands as its own word, with at most a
    given name of one or two kanji after it."""
    if any(run.startswith(word) for word in JA_WORDS_LIKE_A_NAME):
        return None
    for length in (3, 2):
        family = run[:length]
        if len(family) == length and family in JA_FAMILY_NAMES and family not in JA_ALSO_PLACES_OR_WORDS:
            given = run[length:]
            if len(given) <= 2 and not (given and JA_NOT_GIVEN_NAME.search(given)):
                return 0, len(run)
    return None


# ---------------------------------------------------------------------------------------------
# Chinese
# ---------------------------------------------------------------------------------------------

# The commonest family names of the Hundred Family Surnames, by today's frequency, with the
# traditional spelling of those that differ and the commonest two-character ones.
ZH_FAMILY_NAMES = _words(
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田"
    " 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白"
    " 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常"
    " 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申"
    " 張 陳 劉 楊 黃 趙 吳 孫 鄭 謝 許 韓 馮 鄧 蕭 葉 蘇 呂 盧 鍾 譚 陸 賈 韋 鄒 龔 錢 嚴 顏 龐 聶 莊 魯"
    " 欧阳 司马 上官 诸葛 东方 皇甫 慕容 令狐 夏侯 歐陽 司馬 諸葛"
)
_ZH_TITLES = (
    "先生",
    "女士",
    "小姐",
    "太太",
    "夫人",
    "老师",
    "老師",
    "经理",
    "經理",
    "总经理",
    "總經理",
    "副总",
    "副總",
    "总监",
    "總監",
    "总裁",
    "總裁",
    "董事长",
    "董事長",
    "教授",
    "副教授",
    "博士",
    "医生",
    "醫生",
    "大夫",
    "护士",
    "律师",
    "律師",
    "工程师",
    "工程師",
    "同学",
    "同學",
    "主任",
    "主管",
    "部长",
    "部長",
    "处长",
    "處長",
    "局长",
    "局長",
    "院长",
    "院長",
    "校长",
    "校長",
    "科长",
    "科長",
    "组长",
    "組長",
    "书记",
    "書記",
    "主席",
    "秘书",
    "秘書",
    "师傅",
    "師傅",
    "阿姨",
    "教练",
    "教練",
    "讲师",
    "講師",
    # "王总", but not 总是 / 总共 / 总结 ("always", "in all", "sum up") or 总部 ("headquarters").
    "总(?![是共结結体體之部数數额額计計算的会會要有能让讓得觉覺在和归歸而统統理])",
    "總(?![是共结結体體之部数數额額计計算的会會要有能让讓得觉覺在和归歸而统統理])",
)
_ZH_TITLE = re.compile("|".join(sorted(_ZH_TITLES, key=len, reverse=True)))
# Characters that are no part of a given name: particles, pronouns, numbers, prepositions.
ZH_NOT_IN_NAME = frozenset(
    "的了是在和与與跟给給对對把被让讓请請帮幫我你他她它们們这這那个個位各每所有一二三四五六七八九十百千"
    "两兩几幾些新老小大副前本该該此其都也就还還说說告诉訴及或等为為以从從到去来來上下中里裡名当當做看找问問"
    "叫由将將并並而且但之者么麼吗嗎呢吧啊着著过過得地再又很最更非好向谢謝感"
)
# Words that end in a family name's character ("感谢", "上周", "历史老师", "英文老师"): the
# character belongs to the word before, not to a name.
ZH_WORDS_ENDING_IN_A_FAMILY_NAME = _words(
    "感谢 多谢 致谢 答谢 允许 也许 或许 些许 期许 对方 双方 各方 地方 官方 甲方 乙方 买方 卖方 我方 贵方"
    " 经常 非常 正常 日常 异常 通常 容易 贸易 交易 明白 空白 坦白 责任 信任 担任 主任 上任 前任 历任 现任"
    " 新任 继任 历史 由于 对于 等于 至于 属于 终于 位于 处于 基于 用于 关于 提高 最高 健康 资金 奖金 现金"
    " 黄金 基金 国王 女王 紧张 主张 扩张 一周 每周 上周 下周 本周 这周 两周 上马 森林 树林 园林 工程 课程"
    " 过程 流程 日程 进程 议程 行程 教程 远程 中文 英文 语文 论文 原文 全文 课文 作文 日文 法文 德文 本文"
    " 人文 平安 公安 治安 保安 千万 百万 其余 业余 多余 如何 任何 为何 实施 措施 设施 文章 规章 气温 方向"
    " 面向 一向 阶段 手段 片段 价钱 曾 支付 交付 队伍 尊严 庄严 同事"
)
# Words that start with a family name's character and would pass for a name before a title
# ("高级工程师", "韩国老师", "安全主任").
ZH_WORDS_STARTING_WITH_A_FAMILY_NAME = _words(
    "高中 高级 高层 高管 高校 高端 文学 文科 文化 任课 常务 方面 金牌 金融 安全 安保 程序 石油 武术 史学"
    " 龙头 白班 康复 周末 周边 黄金 王牌 韩国 韩语 董事 顾问 顾客 严格 施工 安排 马上 江湖 孔子"
)
_ZH_GIVEN_NAME_MAX = 2


def _chinese_names(text: str) -> Iterator[Span]:
    for title in _ZH_TITLE.finditer(text):
        end = title.start()
        for start in range(max(end - 2 - _ZH_GIVEN_NAME_MAX, 0), end):
            if _zh_name(text, start, end):
                yield start, end
                break


def _zh_name(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a family name and up to two characters of a given name."""
    for length in (2, 1):
        family = text[start : start + length]
        if len(family) != length or family not in ZH_FAMILY_NAMES:
            continue
        given = text[start + length : end]
        if len(given) > _ZH_GIVEN_NAME_MAX or any(not _is_han(c) or c in ZH_NOT_IN_NAME for c in given):
            continue
        if start > 0 and text[start - 1 : start + 1] in ZH_WORDS_ENDING_IN_A_FAMILY_NAME:
            return False
        if text[start:end] in ZH_WORDS_STARTING_WITH_A_FAMILY_NAME:
            return False
        return True
    return False


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


# ---------------------------------------------------------------------------------------------
# Korean
# ---------------------------------------------------------------------------------------------

KO_FAMILY_NAMES = _words(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 심 노 하"
    " 곽 성 차 주 우 구 민 진 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명"
    " 기 반 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉"
)
KO_COMPOUND_FAMILY_NAMES = _words("남궁 황보 선우 제갈 독고 사공 서문")
# Family names that, alone before a title, are an everyday word: 이 ("this"), 전 ("former"),
# 현 ("current"), 주 ("week"), 한 ("one"), 안 ("not"), 신 ("new"), 고 ("the late").
_KO_AMBIGUOUS_ALONE = _words("이 전 현 주 한 안 신 고 오 우 유 도 기 지 어 예 제 모 은 여 마 구 소 선 성")
_KO_TITLES = (
    "팀장",
    "과장",
    "부장",
    "대리",
    "차장",
    "사장",
    "이사",
    "상무",
    "전무",
    "실장",
    "본부장",
    "선생",
    "교수",
    "박사",
    "대표",
    "원장",
    "주임",
    "매니저",
    "책임",
    "선임",
    "수석",
    "회장",
    "소장",
    "국장",
    "의원",
    "변호사",
    "기자",
    "작가",
    "감독",
    "코치",
    "선배",
    "연구원",
)
_KO_TITLE = "|".join(sorted(_KO_TITLES, key=len, reverse=True))
_KO_FAMILY = "|".join(sorted(KO_COMPOUND_FAMILY_NAMES | KO_FAMILY_NAMES, key=len, reverse=True))
# A full name (family name and one to three syllables) before 씨, 님 or a title; 씨름 is
# wrestling, 씨앗 a seed.
_KO_NAME_BEFORE_HONORIFIC = re.compile(
    rf"(?<![가-힣])((?:{_KO_FAMILY})[가-힣]{{0,3}}?)(\s?)(?:씨(?!름|앗)|(?:{_KO_TITLE})님?|님)"
)
_KO_FAMILY_ALONE = re.compile(rf"(?<![가-힣])([가-힣])\s(?:{_KO_TITLE})")
# People by role or group, and departments, before 님 or a title ("고객님", "담당자님",
# "인사 팀장님", "우리 팀장님").
KO_ROLE_WORDS = _words(
    "선생 고객 손님 기사 원장 부장 팀장 사장 과장 이사 회장 소장 국장 실장 교수 반장 조장 주임 신부 목사"
    " 주부 신입 신임 전임 후임 차기 우리 마음 담당자 관리자 운영자 사용자 구독자 시청자 사회자 발표자"
    " 참석자 신청자 지원자 작성자 보호자 수강생 방문객 변호사 간호사 세무사 인사 기획 홍보 구매 경영 전략"
    " 연구 기술 정보 정책 전산 안전 서비스 제품 설계 조달 노무 국내 국제 모바일 마케팅 디자인 고객사"
    " 하나 하느 부모 형 누 아버 어머 할머 할아버 사모 스승 선배 후배 주인 임금 왕자 공주 도지사 구청장"
    " 시장 대표 위원 의원 기자 작가 감독 코치 연구원 매니저 동료 상사 부하 직원 사원 회원 학생 학부모"
    " 지원 조직 채용 방송 여행 소설 선임 수석 책임 경제 정치 문화 연예 경찰 소방 임원 진행 명예 원로 현직 전직"
    " 신규 기존 우수 최고 공동 임시 한국 서울 연구소 이제 이미 이번 이전 지금 오늘 모든 전체 우선 정말 진짜 현재"
    " 추가 공식 정식 원래 오직 여러 각각"
)
# A final syllable that ends a department or a role, not a given name ("홍보팀", "영업부").
# A particle closes a noun, not a name ("정보는 대표이사 직인").
_KO_NOT_A_NAME_END = frozenset("팀부과실처단객생사소는를을의에와로")


def _korean_names(text: str) -> Iterator[Span]:
    for match in _KO_NAME_BEFORE_HONORIFIC.finditer(text):
        name = match.group(1)
        honorific = text[match.end(2) : match.end()]
        if name in KO_ROLE_WORDS or name[-1] in _KO_NOT_A_NAME_END:
            continue
        # A family name alone counts attached to a title ("박과장님"); spaced, _KO_FAMILY_ALONE
        # decides, and before 씨 or 님 it is a word of its own ("손님").
        # Attached, only with 님 after the title: "주차장" is a car park.
        if name in KO_FAMILY_NAMES or name in KO_COMPOUND_FAMILY_NAMES:
            if match.group(2) or not honorific.endswith("님") or honorific == "님":
                continue
        # Before a bare 님, two syllables are a role as often as a name ("손님", "기사님").
        if honorific == "님" and len(name) < 3:
            continue
        yield match.start(1), match.end(1)
    for match in _KO_FAMILY_ALONE.finditer(text):
        family = match.group(1)
        if family in KO_FAMILY_NAMES and family not in _KO_AMBIGUOUS_ALONE:
            yield match.start(1), match.end(1)


# ---------------------------------------------------------------------------------------------
# Arabic
# ---------------------------------------------------------------------------------------------

_AR_WORD = re.compile(r"[\u0621-\u063A\u0641-\u064A\u064B-\u065F\u0670-\u06D3]+")
# Titles, with the article's alif dropped after the preposition لِ ("للسيد", "للدكتورة").
AR_TITLES = _words(
    "السيد السيدة الأستاذ الأستاذة الاستاذ الاستاذة الدكتور الدكتورة المهندس المهندسة الشيخ الشيخة الحاج"
    " الحاجة الآنسة الانسة الأخ الأخت عزيزي عزيزتي"
)
_AR_ABBREVIATED_TITLE = re.compile(r"(?<![\u0600-\u06FF])(?:أ\.\s?)?د\.\s?")
_AR_PROCLITICS = ("و", "ف", "ب", "ك")
_AR_VOCATIVE = "يا"
# Roles, courtesy words and everyday words that follow a title instead of a name ("السيد
# المدير", "الأستاذ الدكتور", "السيد رئيس مجلس الإدارة").
AR_NOT_NAMES = _words(
    "على علي_ في من إلى الى عن مع عند لدى حول بعد قبل منذ حتى أو او ثم الذي التي الذين هو هي هم هذا هذه ذلك"
    " تلك كل بخصوص بشأن بسبب نحو ضد دون بين رئيس رئيسة مدير مديرة نائب وزير وزيرة عميد سفير مسؤول مسؤولة"
    " المدير المديرة الرئيس الرئيسة العام العامة المحترم المحترمة الكريم الكريمة الفاضل الفاضلة المسؤول"
    " المسؤولة الموظف الموظفة الجديد الجديدة المشرف المشرفة النائب الوزير الوزيرة السفير المدرس المدرسة"
    " المعلم المعلمة الطبيب الطبيبة المحامي المحامية المستشار المستشارة القادم القادمة الماضي الماضية"
    " العزيز العزيزة الأول الأولى الثاني الثانية المذكور المذكورة نفسه نفسها جميع جميعا"
    " التقرير الرسالة البريد الملف العرض الاجتماع المشروع الفريق العمل الشركة الموضوع الخطة الميزانية"
    " الملخص الجدول النتائج التفاصيل الوثيقة الطلب العقد الفاتورة الدعوة"
)
# Common first names that are no everyday word (كريم "generous", أمل "hope", نور "light",
# باسم "in the name of" and أسماء "names" are names too, but count only after a title).
AR_FIRST_NAMES = _words(
    "محمد أحمد محمود مصطفى علي عمر خالد يوسف إبراهيم ابراهيم عبدالله عبدالرحمن عبدالعزيز حسين طارق ياسر"
    " وليد هشام ماجد فيصل سلطان ناصر فهد سعود بندر تركي زياد رامي سامي هاني عماد أيمن ايمن أنس معاذ"
    " حمزة بلال إسماعيل اسماعيل مراد عثمان سليمان زكريا يحيى نادر مازن غسان جمال كمال عادل حسام إياد"
    " فاطمة عائشة مريم خديجة زينب سارة ساره ليلى نورة نورا ريم رنا دينا هبة منى سلمى هالة لينا رشا نادية"
    " سميرة شيماء آمنة رقية هند لمى جنى ميار روان"
)
# Family names that are no first name of the list and carry no article.
AR_FAMILY_NAMES = _words(
    "حسن منصور حداد خوري نصر صالح عيسى عباس داود موسى جابر عبيد شاهين عواد سعيد بكر خليل عودة عوض سالم"
    " حمدان زيدان قاسم ناصر رزق شحادة درويش فرحات حجازي مصري عيد غانم سلامة يونس"
)
_AR_CONNECTORS = _words("بن ابن بنت أبو ابو أبي آل عبد")
_AR_NAME_WORDS_MAX = 3


def _arabic_names(text: str) -> Iterator[Span]:
    words = list(_AR_WORD.finditer(text))
    titled_until = -1
    for index, word in enumerate(words):
        value = word.group(0)
        if _ar_is_title(value):
            span = _ar_name_after(text, words, index + 1, titled=True)
            if span is not None:
                titled_until = span[1]
                yield span
            continue
        if word.start() < titled_until:
            continue
        if value == _AR_VOCATIVE and index + 1 < len(words) and _ar_adjacent(text, word, words[index + 1]):
            # "يا خالد": the vocative calls a person by name, with or without a family name after it.
            if words[index + 1].group(0) in AR_FIRST_NAMES:
                span = _ar_name_after(text, words, index + 1, titled=False)
                if span is not None:
                    titled_until = span[1]
                    yield span
            continue
        bare = value
        # "لسارة المنصوري": "for" glued to the name, as "and" and "with" are.
        if value not in AR_FIRST_NAMES and value[:1] in (*_AR_PROCLITICS, "ل") and value[1:] in AR_FIRST_NAMES:
            bare = value[1:]
        if bare in AR_FIRST_NAMES and index + 1 < len(words) and _ar_adjacent(text, word, words[index + 1]):
            if _ar_family_like(words[index + 1].group(0)):
                start = word.end() - len(bare)
                span = _ar_name_after(text, words, index, titled=False)
                if span is not None:
                    titled_until = span[1]
                    yield start, span[1]
    word_at = {word.start(): index for index, word in enumerate(words)}
    for abbreviation in _AR_ABBREVIATED_TITLE.finditer(text):
        if abbreviation.end() in word_at:
            span = _ar_name_after(text, words, word_at[abbreviation.end()], titled=True)
            if span is not None:
                yield span


def _ar_is_title(word: str) -> bool:
    if word in AR_TITLES:
        return True
    # "للسيد" is لِ + "السيد"; "والسيد", "بالسيد" carry a conjunction or a preposition.
    if word.startswith("لل") and "ال" + word[2:] in AR_TITLES:
        return True
    return word[:1] in (*_AR_PROCLITICS, "ل") and word[1:] in AR_TITLES


def _ar_adjacent(text: str, word: re.Match[str], following: re.Match[str]) -> bool:
    return text[word.end() : following.start()].strip(" ") == ""


def _ar_family_like(word: str) -> bool:
    if word in AR_NOT_NAMES or _ar_is_title(word):
        return False
    return (
        (word.startswith("ال") and len(word) > 3)
        or word in AR_FIRST_NAMES
        or word in AR_FAMILY_NAMES
        or word in _AR_CONNECTORS
    )


def _ar_name_after(text: str, words: list[re.Match[str]], first: int, *, titled: bool) -> Span | None:
    """One to three words of a name from ``words[first]`` on: the first word after a title is
    the name whatever it is, unless it is a role or a particle; each next word must read as a
    family name or a link in a chain of names (بن, أبو, عبد)."""
    index = first
    while index < len(words) and _ar_is_title(words[index].group(0)) and titled:
        index += 1
    if index >= len(words):
        return None
    head = words[index]
    value = head.group(0)
    if value in AR_NOT_NAMES or (value.startswith("ال") and value not in AR_FIRST_NAMES):
        return None
    if index > first and not _ar_adjacent(text, words[index - 1], head):
        return None
    last = index
    while last + 1 < len(words) and last + 1 - index < _AR_NAME_WORDS_MAX:
        following = words[last + 1]
        if not _ar_adjacent(text, words[last], following):
            break
        if not (words[last].group(0) in _AR_CONNECTORS or _ar_family_like(following.group(0))):
            break
        last += 1
    # A chain cut short after its link ("بن" with no name after it) ends before the link.
    if last > index and words[last].group(0) in _AR_CONNECTORS:
        last -= 1
    return head.start(), words[last].end()


# ---------------------------------------------------------------------------------------------
# Hindi
# ---------------------------------------------------------------------------------------------

_HI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097F]+\.?")
HI_TITLES = _words("श्री श्रीमती सुश्री कुमारी श्रीमान डॉ. डॉ डॉक्टर प्रो. प्रोफेसर मिस्टर मिसेज मिसेज़")
# Honorifics written after a name.
HI_AFTER_NAME = _words("जी साहब साहिबा सर मैडम")
# Postpositions and particles: a name ends before them.
HI_POSTPOSITIONS = _words("को के की का ने से में पर और या तथा एवं भी ही तो है हैं था थी थे हो लिए द्वारा साथ तक वाले वाला वाली")
# Words before जी that are kin, teachers, deities, greetings or answers ("गुरु जी", "हाँ जी").
HI_NOT_NAMES = _words(
    "गुरु पिता माता पिताजी माताजी दादा दादी नाना नानी चाचा चाची मामा मामी भाई भैया बहन दीदी बाबा बापू पंडित"
    " स्वामी महाराज सर मैडम हाँ हां हा नहीं अच्छा ठीक नमस्ते नमस्कार प्रणाम धन्यवाद शुक्रिया आप मास्टर डॉक्टर"
    " भगवान माँ मां बाबू नेता साहब मंत्री प्रधानमंत्री मुख्यमंत्री मुनि संत पुजारी आचार्य मैनेजर बॉस टीचर"
    " सबको सभी आपको उन्हें उनको इन्हें यह वह ये वो मैं हम तुम आंटी अंकल एजेंट"
)
# Deities, whom श्री and जी honour as they honour people ("श्री गणेश चतुर्थी", "हनुमान जी").
HI_DEITIES = _words(
    "गणेश राम कृष्ण हनुमान शिव विष्णु लक्ष्मी सरस्वती दुर्गा साईं जगन्नाथ बालाजी गणपति भोलेनाथ महादेव"
    " कृष्णा राधा सीता पार्वती काली गुरुनानक नानक"
)
HI_FAMILY_NAMES = _words(
    "शर्मा वर्मा गुप्ता सिंह कुमार कुमारी मेहता पटेल जैन अग्रवाल यादव मिश्रा मिश्र तिवारी पांडे पाण्डेय पांडेय"
    " चौधरी खान श्रीवास्तव सक्सेना जोशी रेड्डी राव नायर अय्यर मल्होत्रा कपूर खन्ना चोपड़ा भाटिया बंसल गोयल"
    " मित्तल सिन्हा दास बोस चटर्जी मुखर्जी बनर्जी घोष शाह देसाई कुलकर्णी पाटिल ठाकुर राठौर चौहान त्रिपाठी"
    " द्विवेदी दुबे शुक्ला पाठक भट्ट नेगी रावत बिष्ट कौर गिल सेठी अरोड़ा आहूजा शास्त्री प्रसाद"
)
# Family names that are no everyday word (सिंह "lion", कुमार "boy", दास "servant", खान "mine",
# कपूर "camphor", पाठक "reader" are): after a given name they mark a person without a title.
HI_UNMISTAKABLE_FAMILY_NAMES = HI_FAMILY_NAMES - _words(
    "सिंह कुमार कुमारी दास शाह खान राव कौर गिल जैन कपूर पाठक घोष प्रसाद बोस"
)
_HI_NAME_WORDS_MAX = 3


def _hindi_names(text: str) -> Iterator[Span]:
    words = list(_HI_WORD.finditer(text))
    values = [word.group(0) for word in words]
    for index, value in enumerate(values):
        if value in HI_TITLES or value.rstrip(".") in HI_TITLES:
            span = _hi_name_after(words, values, index + 1)
            if span is not None:
                yield span
        elif value in HI_AFTER_NAME and index > 0 and _hi_adjacent(text, words[index - 1], words[index]):
            span = _hi_name_before(text, words, values, index)
            if span is not None:
                yield span
        elif (
            value in HI_UNMISTAKABLE_FAMILY_NAMES
            and index > 0
            and _hi_may_be_a_name(values[index - 1])
            and _hi_adjacent(text, words[index - 1], words[index])
        ):
            yield words[index - 1].start(), words[index].end()


def _hi_name_after(words: list[re.Match[str]], values: list[str], first: int) -> Span | None:
    if first >= len(values):
        return None
    head = values[first]
    if head in HI_POSTPOSITIONS or head in HI_NOT_NAMES or head in HI_TITLES:
        return None
    following = values[first + 1] if first + 1 < len(values) else ""
    if head in HI_DEITIES and following not in HI_FAMILY_NAMES:
        return None
    last = first
    while last + 1 < len(values) and last + 1 - first < _HI_NAME_WORDS_MAX:
        candidate = values[last + 1]
        after = values[last + 2] if last + 2 < len(values) else ""
        if candidate in HI_POSTPOSITIONS or candidate in HI_AFTER_NAME or candidate in HI_NOT_NAMES:
            break
        # A second word is a family name, or the last word before a postposition ("श्री अनुराग
        # कश्यप ने"); otherwise the sentence goes on ("श्री राजेश आज आएंगे").
        if candidate in HI_FAMILY_NAMES or after in HI_POSTPOSITIONS or after in HI_AFTER_NAME:
            last += 1
            continue
        break
    return words[first].start(), words[last].end()


def _hi_adjacent(text: str, word: re.Match[str], following: re.Match[str]) -> bool:
    """Only spaces between: a colon, a dash or a line break ends the name."""
    return text[word.end() : following.start()].strip(" ") == ""


def _hi_may_be_a_name(word: str) -> bool:
    return len(word) >= 2 and not (
        word in HI_NOT_NAMES or word in HI_POSTPOSITIONS or word in HI_TITLES or word in HI_DEITIES
    )


def _hi_name_before(text: str, words: list[re.Match[str]], values: list[str], honorific: int) -> Span | None:
    last = honorific - 1
    name = values[last]
    if not _hi_may_be_a_name(name):
        return None
    first = last
    if (
        name in HI_FAMILY_NAMES
        and last > 0
        and _hi_may_be_a_name(values[last - 1])
        and _hi_adjacent(text, words[last - 1], words[last])
    ):
        first = last - 1
    return words[first].start(), words[last].end()


# ---------------------------------------------------------------------------------------------

# Each finder runs only on a text that holds its script: the Korean pattern alone, tried at
# every position of a 2,000-character Arabic prompt, cost 0.4 ms.
_HAN = re.compile(r"[\u4E00-\u9FFF]")
_HANGUL = re.compile(r"[\uAC00-\uD7AF]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")


SpanFinder = Callable[[str], Iterable[Span]]


def east_asian_spans(text: str, *, japanese: SpanFinder, chinese: SpanFinder, korean: SpanFinder) -> set[Span]:
    """What ``japanese`` finds in a text with kana, or else ``chinese`` in one with Han characters
    (kana are what tell Japanese text from Chinese), and ``korean`` in one with Hangul."""
    spans: set[Span] = set()
    if _KANA.search(text):
        spans.update(japanese(text))
    elif _HAN.search(text):
        spans.update(chinese(text))
    if _HANGUL.search(text):
        spans.update(korean(text))
    return spans


def titled_names(text: str) -> list[Span]:
    """The spans of the person names in ``text``, sorted, without repeats or overlaps."""
    if text.isascii() or not _ANY_SCRIPT.search(text):
        return []
    spans = east_asian_spans(text, japanese=_japanese_names, chinese=_chinese_names, korean=_korean_names)
    for script, finder in ((_ARABIC, _arabic_names), (_DEVANAGARI, _hindi_names)):
        if script.search(text):
            spans.update(finder(text))
    return longest_first_without_overlaps(spans)


class TitledNameRecognizer(SpanRecognizer):
    """Person names in the scripts the NER model cannot read, found beside honorifics and titles."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A name beside an honorific or a title, or a common family name"

    def spans(self, text: str) -> Iterable[Span]:
        return titled_names(text)
