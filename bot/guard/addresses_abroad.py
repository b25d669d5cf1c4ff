"""Street addresses written as Japan, China, Korea, Russia and Ukraine, the Arab countries and
India write them.

The structure recognizer (addresses.py) follows Latin street lines, and the NER model reads Latin
and Cyrillic letters only, so "東京都千代田区丸の内1-2-3", "北京市朝阳区建国路88号",
"서울특별시 강남구 테헤란로 123", "ул. Тверская, д. 12, кв. 34", "شارع الملك فهد، حي العليا" and
"मकान नं. 45, गांधी नगर, जयपुर 302015" reached the model as typed (at best with the city masked).
Each format is followed from its country's postal convention:

- Japan: a prefecture (都道府県) or a municipality (市区町村郡), the town, and the block as
  3丁目1番3号 or 1-2-3; then a building with its floor or room, and the 〒 postcode before;
- China: province, city and district (省/市/区/县), a road (路/街/大道...) and its number (号),
  then the building, block, unit, floor and room (号楼/栋/座/单元/层/楼/室);
- Korea: province or metropolitan city (특별시/광역시/도), city, county or district (시/군/구),
  the road (로/길) and building number, then the floor and room (층/호) and postcode;
- Russia and Ukraine: the street by its type (ул., пр-т, пер., вул., бульвар...) with its name,
  the house (д./буд.), the flat or office (кв./оф.), the city (г./м.) and the 6- or 5-digit
  postcode;
- Arab countries: street or road (شارع/طريق) with its name, district (حي), building (مبنى/عمارة),
  flat and floor, city and postcode, between commas;
- India: house or flat number, road or locality (नगर/मार्ग/रोड, Nagar/Road/Colony/Sector...), city and
  the 6-digit PIN, between commas, in Devanagari or Latin letters.

The street part is masked whole with its numbers, building and room, as one placeholder that
wins over the city the NER model tagged inside it. A street or a district named without a
number ("長安街", "테헤란로 일대", "شارع الحمراء في بيروت"), a block number without a town
("第2丁目", "3号楼") or a city alone is no address here. Each finder runs only on a text holding
its script; an ASCII text is searched for a PIN code alone, so English prompts cost one search.
"""

# Letters of other scripts are what this module reads, not look-alikes of Latin ones.
# ruff: noqa: RUF001, RUF002, RUF003
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from bot.guard.addresses import ADDRESS_ENTITY
from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.script_ranges import INDIC_WORD_CHARACTERS

# As sure as the Latin address blocks, over the names and places the NER model tags inside.
SCORE = 0.9


# How far before and after its anchor (a block number, a road and its number) an address may
# reach: the full pattern is tried only there, since tried from every position of a long prompt
# the Chinese one cost milliseconds.
_REACH_BACK = 48
_REACH_FORWARD = 64


def _near_anchors(
    pattern: re.Pattern[str], anchor: re.Pattern[str], text: str, reach_back: int = _REACH_BACK
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` around each match of ``anchor``, left to right, without overlaps."""
    searched_to = 0
    for mark in anchor.finditer(text):
        if mark.end() <= searched_to:
            continue
        start = max(searched_to, mark.start() - reach_back)
        end = min(len(text), mark.end() + _REACH_FORWARD)
        while (match := pattern.search(text, start, end)) is not None:
            yield match
            start = searched_to = max(match.end(), start + 1)
            if match.end() >= mark.end():
                break
        searched_to = max(searched_to, mark.end())


_SPACE = r"[ \t\u3000]"
_ASCII_DIGIT = "0-9"
_FULL_WIDTH_DIGIT = "\uff10-\uff19"
_KANJI = "\u4e00-\u9fff\u3400-\u4dbf\u3005\u30f6"  # with 々 and ヶ
_HIRAGANA = "\u3041-\u3096"
_KATAKANA = "\u30a1-\u30fa\u30fc"
_FULL_WIDTH_LATIN = "\uff21-\uff3a\uff41-\uff5a"


# ---------------------------------------------------------------------------------------------
# Japan
# ---------------------------------------------------------------------------------------------

_JA_PREFECTURES = (
    "北海道 東京都 大阪府 京都府 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県"
    " 千葉県 神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 兵庫県"
    " 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県"
    " 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
_JA_DIGITS = f"[{_ASCII_DIGIT}{_FULL_WIDTH_DIGIT}]"
_JA_NUMBER = f"{_JA_DIGITS}{{1,4}}"
_JA_KANJI_NUMBER = "[一二三四五六七八九十]{1,3}"
# Addresses are typed with any of the dashes, and with the long-vowel mark of katakana.
_JA_DASH = "[-\uff0d\u2212\u2010\u2011\u2015\u30fc]"
# Municipalities are kanji names, and a few written in kana ("さいたま市").
_JA_MUNICIPALITY = rf"(?:[{_KANJI}]{{1,4}}|さいたま|つくば|いわき|ひたちなか|あきる野|南アルプス)[市区町村郡]"
_JA_PREFECTURE = f"(?:{'|'.join(_JA_PREFECTURES)})"
_JA_TOWN = rf"[{_KANJI}{_HIRAGANA}{_KATAKANA}]{{0,10}}?"
_JA_BLOCK = (
    rf"(?:(?:{_JA_NUMBER}|{_JA_KANJI_NUMBER})丁目(?:{_JA_NUMBER}(?:番地?|{_JA_DASH})?)?(?:{_JA_NUMBER}号?)?"
    rf"|{_JA_NUMBER}番地?(?:の?{_JA_NUMBER}号?)?"
    rf"|{_JA_NUMBER}{_JA_DASH}{_JA_NUMBER}(?:{_JA_DASH}{_JA_NUMBER})?)"
    rf"(?!{_JA_DIGITS})"
)
_JA_FLOOR_OR_ROOM = rf"(?:[Bb]?{_JA_NUMBER}(?:階|[FＦ]|号室|号)|{_JA_DASH}{_JA_NUMBER}(?:号室)?)"
_JA_BUILDING_NAME = rf"[{_KANJI}{_HIRAGANA}{_KATAKANA}A-Za-z{_FULL_WIDTH_LATIN}・&＆]{{1,20}}?"
_JA_BUILDING_WORD = r"(?:ビル|タワー|マンション|ハイツ|コーポ|アパート|レジデンス|ヒルズ|プラザ|会館|館|荘|棟)"
_JA_BUILDING = (
    rf"(?:(?:{_SPACE}|\n)*{_JA_BUILDING_NAME}{_SPACE}*{_JA_FLOOR_OR_ROOM}"
    rf"|(?:{_SPACE}|\n)*{_JA_BUILDING_NAME}{_JA_BUILDING_WORD}(?:{_SPACE}*{_JA_NUMBER})?"
    rf"|{_SPACE}*{_JA_FLOOR_OR_ROOM})"
)
_JA_POSTCODE = rf"〒{_SPACE}*{_JA_DIGITS}{{3}}{_JA_DASH}?{_JA_DIGITS}{{4}}(?:{_SPACE}|\n)*"
_JA_ADDRESS = re.compile(
    rf"(?:{_JA_POSTCODE})?"
    rf"(?:(?:{_JA_PREFECTURE}{_SPACE}*)(?:{_JA_MUNICIPALITY}{_SPACE}*){{0,3}}|(?:{_JA_MUNICIPALITY}{_SPACE}*){{1,3}})"
    rf"{_JA_TOWN}{_JA_BLOCK}(?:{_JA_BUILDING})?"
)


_JA_ANCHOR = re.compile(rf"{_JA_DIGITS}(?:丁目|番|{_JA_DASH}{_JA_DIGITS})|[一二三四五六七八九十]丁目")


def _japanese_addresses(text: str) -> Iterator[Span]:
    for match in _near_anchors(_JA_ADDRESS, _JA_ANCHOR, text):
        yield match.span()


# ---------------------------------------------------------------------------------------------
# China
# ---------------------------------------------------------------------------------------------

_ZH_PROVINCES = (
    "河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西"
    " 甘肃 青海 台湾 內蒙古 内蒙古 广西 西藏 宁夏 新疆"
).split()
# Characters that say a sentence goes on ("寄到", "改在", "地址是"), never part of a place's name:
# the name of an unlisted city or district starts after them.
_ZH_NOT_IN_NAMES = "的是在到寄往至于从给送发把请我你他她们这那与及或被就也要了着过址：:，,。、；"
_ZH_HAN_NAME = rf"(?:(?![{_ZH_NOT_IN_NAMES}])[{_KANJI}])"
_ZH_DIGITS = f"[{_ASCII_DIGIT}{_FULL_WIDTH_DIGIT}]"
_ZH_NUMBER = rf"{_ZH_DIGITS}{{1,5}}(?:[-之]{_ZH_DIGITS}{{1,4}})?"
_ZH_REGION = (
    rf"(?:(?:{'|'.join(_ZH_PROVINCES)})(?:省|自治区|壮族自治区|回族自治区|维吾尔自治区)?"
    rf"|{_ZH_HAN_NAME}{{2,3}}省|北京市?|上海市?|天津市?|重庆市?|香港|澳门)"
)
_ZH_CITY = rf"(?:{_ZH_HAN_NAME}{{1,5}}?(?:市|自治州|地区|盟))"
_ZH_DISTRICT = rf"(?:{_ZH_HAN_NAME}{{1,5}}?(?:新区|区|县|旗))"
_ZH_TOWNSHIP = rf"(?:{_ZH_HAN_NAME}{{1,5}}?(?:镇|乡|街道))"
_ZH_ROAD = (
    rf"{_ZH_HAN_NAME}{{1,8}}?(?P<road>大道|大街|路|街|道|巷|弄|胡同)"
    rf"(?:[东西南北中]?(?:{_ZH_DIGITS}{{1,2}}|[一二三四五六七八九十]{{1,3}})段)?"
    rf"(?:{_ZH_NUMBER}弄)?"
)
_ZH_UNIT = rf"(?:(?:{_ZH_DIGITS}{{1,5}}|[A-Za-z])(?:号楼|号院|栋|幢|座|单元|层|楼|室|号|[Ff])(?:-?{_ZH_DIGITS}{{1,5}}(?![号楼栋幢座单元层室]))?)"
_ZH_BUILDING_NAME = rf"(?:(?:{_ZH_HAN_NAME}|[A-Za-z]){{1,10}}?)"
_ZH_ADDRESS = re.compile(
    rf"(?P<admin>{_ZH_REGION}?{_ZH_CITY}?{_ZH_DISTRICT}?{_ZH_TOWNSHIP}?)"
    rf"{_ZH_ROAD}{_ZH_NUMBER}号(?![楼院])"
    rf"(?:{_SPACE}?{_ZH_BUILDING_NAME}?{_ZH_UNIT}(?:{_SPACE}?{_ZH_UNIT})*)?"
)
# A residential estate with its building and unit or room ("阳光花园5栋2单元301").
_ZH_ESTATE = re.compile(
    rf"(?P<admin>{_ZH_REGION}?{_ZH_CITY}?{_ZH_DISTRICT}?)"
    rf"{_ZH_HAN_NAME}{{1,8}}?(?:小区|花园|家园|新村|公寓|大厦|广场|苑)"
    rf"{_ZH_UNIT}(?:{_SPACE}?{_ZH_UNIT})+"
)
_ZH_POSTCODE = re.compile(rf"(?:邮编|邮政编码)[:：]?{_SPACE}*(?P<code>{_ZH_DIGITS}{{6}})(?!{_ZH_DIGITS})")


_ZH_ANCHOR = re.compile(rf"{_ZH_DIGITS}(?:号|栋|幢|座|单元)")


def _chinese_addresses(text: str) -> Iterator[Span]:
    for match in _near_anchors(_ZH_ADDRESS, _ZH_ANCHOR, text):
        # "道" ends words too ("知道", "频道"): a road of that kind needs its city or district.
        if match.group("road") == "道" and not match.group("admin"):
            continue
        yield match.span()
    for match in _near_anchors(_ZH_ESTATE, _ZH_ANCHOR, text):
        yield match.span()
    for match in _ZH_POSTCODE.finditer(text):
        yield match.span("code")


# ---------------------------------------------------------------------------------------------
# Korea
# ---------------------------------------------------------------------------------------------

_KO_PROVINCES = (
    "서울특별시 서울시 서울 부산광역시 부산시 부산 대구광역시 대구시 대구 인천광역시 인천시 인천 광주광역시"
    " 광주시 대전광역시 대전시 대전 울산광역시 울산시 울산 세종특별자치시 세종시 세종 경기도 경기"
    " 강원특별자치도 강원도 강원 충청북도 충북 충청남도 충남 전북특별자치도 전라북도 전북 전라남도 전남"
    " 경상북도 경북 경상남도 경남 제주특별자치도 제주도 제주"
).split()
# Words ending as a city, county or district does that are everyday words ("다시", "친구").
_KO_NOT_DISTRICTS = frozenset(
    "다시 혹시 역시 반드시 동시 즉시 당시 임시 항시 수시 잠시 평시 무시 표시 게시 제시 지시 실시 개시 감시"
    " 친구 연구 요구 도구 가구 입구 출구 창구 지구 부구 욕구 추구 탐구 완구 문구 기구 용구 구구 강구"
    " 자군 아군 적군 우군 군군".split()
)
_KO_PROVINCE = f"(?:{'|'.join(sorted(_KO_PROVINCES, key=len, reverse=True))})"
_KO_DISTRICT = r"[가-힣]{1,5}(?:시|군|구)"
_KO_ROAD = r"[가-힣A-Za-z0-9]{1,12}?(?:대로|로|길)(?:\s?\d{1,4}(?:번길|가길|길))?"
_KO_TOWN = r"[가-힣0-9]{1,6}(?:읍|면|동|리|가)"
_KO_NUMBER = r"\d{1,5}(?:-\d{1,4})?(?:번지)?"
_KO_DETAIL = (
    r"(?:,?\s?(?:[가-힣A-Za-z0-9]{1,15}\s)?(?:\d{1,4}|[A-Za-z])(?:동|층|호|F)(?:\s?\d{1,4}호)?"
    r"|\s?\([가-힣0-9]{1,10}(?:,\s?[가-힣A-Za-z0-9 ]{1,20})?\))"
)
_KO_ADDRESS = re.compile(
    rf"(?<![가-힣0-9])(?:(?P<postcode>\d{{5}})\s)?(?:(?P<province>{_KO_PROVINCE})\s)?(?P<districts>(?:{_KO_DISTRICT}\s){{0,2}})"
    rf"(?:(?P<town>{_KO_TOWN}\s)?(?P<road>{_KO_ROAD})\s?|(?P<lot>{_KO_TOWN})\s)"
    rf"{_KO_NUMBER}(?![0-9])(?!\s?(?:개|시|분|초|명|번|회|차|일|월|년|원|주|등|위|배|장|권|건|가지|%))"
    rf"(?P<detail>(?:{_KO_DETAIL})*)"
)


_KO_ANCHOR = re.compile(r"(?:로|길|[읍면동리가])\s?\d")


def _korean_addresses(text: str) -> Iterator[Span]:
    for match in _near_anchors(_KO_ADDRESS, _KO_ANCHOR, text):
        districts = match.group("districts").split()
        while districts and districts[0] in _KO_NOT_DISTRICTS:
            districts.pop(0)
        placed = match.group("province") or districts
        # A road alone ("메일로 3") is a noun and its particle; a numbered side road
        # ("판교역로146번길 20") or a floor or room after the number says an address is meant.
        numbered_side_road = re.search(r"\d(?:번길|가길|길)$", match.group("road") or "")
        if not (placed or numbered_side_road or match.group("detail")):
            continue
        start = match.start()
        if not match.group("province") and not match.group("postcode"):
            # A word the district pattern took that is no district stays outside.
            start = match.start("districts") + _dropped_length(match.group("districts"), districts)
        yield start, match.end()


def _dropped_length(written: str, kept: list[str]) -> int:
    if not kept:
        return len(written) if written.strip() else 0
    return written.index(kept[0])


# ---------------------------------------------------------------------------------------------
# Russia and Ukraine
# ---------------------------------------------------------------------------------------------

_CYRILLIC_CAPITAL = "А-ЯЁІЇЄҐ"
_CYRILLIC_LETTER = "А-Яа-яЁёІіЇїЄєҐґ"
_CY_NAME_WORD = rf"[{_CYRILLIC_CAPITAL}][{_CYRILLIC_LETTER}'’-]*"
# A street's name may start with a number before its words ("ул. 8 Марта", "1-я Тверская-Ямская").
_CY_NAME = rf"(?:\d{{1,3}}(?:-?[{_CYRILLIC_LETTER}]{{1,3}})?\s)?(?:{_CY_NAME_WORD}\s){{0,2}}{_CY_NAME_WORD}"
# Street types written before the name, in the forms a sentence gives them ("на улице", "по
# проспекту", "на вулиці").
_CY_TYPE_BEFORE = (
    r"(?:ул\.|улиц[аеуы]|пр-т\.?|пр-кт\.?|просп\.|проспект[аеу]?|пер\.|переул(?:ок|ке|ка|ку)|б-р\.?|бул\.|бульв\.|бульвар[аеу]?"
    r"|ш\.|шоссе|пл\.|площад(?:ь|и)|наб\.|набережн(?:ая|ой|ую)|туп\.|тупик[аеу]?|пр-д\.?|проезд[аеу]?|мкр\.?|микрорайон[аеу]?"
    r"|вул\.|вулиц[яіею]|провул(?:ок|ку|ка)|пров\.|площ[аіу]|майдан[іу]?|узвіз|мікрорайон[іу]?|м-н\.?)"
)
_CY_TYPE_AFTER = (
    r"(?:улица|улице|улицу|проспект[аеу]?|переулок|переулке|бульвар[аеу]?|шоссе|набережная|набережной"
    r"|вулиця|вулиці|провулок|провулку|узвіз)"
)
_CY_HOUSE = (
    rf"(?:(?:д\.|дом|буд\.|будинок|б\.)\s?)?\d{{1,4}}(?:[{_CYRILLIC_LETTER}](?![{_CYRILLIC_LETTER}]))?(?:/\d{{1,4}}[{_CYRILLIC_LETTER}]?)?"
    rf"(?:,?\s?(?:корп\.|корпус|к\.|стр\.|строение|літ\.|літера)\s?\d{{1,3}}[{_CYRILLIC_LETTER}]?)?"
)
_CY_ROOM = (
    r"(?:,?\s?(?:кв\.|квартира|кв|оф\.|офис|офіс|пом\.|помещение|кімн\.|каб\.|кабинет|эт\.|этаж|пов\.|поверх)\s?\d{1,4}"
    r"|,?\s?\d{1,3}(?:-?й)?\s(?:этаж|эт\.|поверх|пов\.))"
)
_CY_POSTCODE = r"\d{5,6}"
_CY_SETTLEMENT = rf"(?:г\.|город|м\.|місто|с\.|село|пос\.|пгт|смт)\s?[{_CYRILLIC_CAPITAL}][{_CYRILLIC_LETTER}-]+(?:\s[{_CYRILLIC_CAPITAL}][{_CYRILLIC_LETTER}-]+)?"
_CY_REGION = rf"[{_CYRILLIC_CAPITAL}][{_CYRILLIC_LETTER}-]+\s(?:обл\.|область|р-н|район|край)"
# A city named without "г." counts at the start of a line or after a colon or the postcode.
_CY_BARE_CITY = rf"(?:(?<=[:\n])|(?<=^)|(?<=:\s)|(?<=\d,\s))[{_CYRILLIC_CAPITAL}][{_CYRILLIC_LETTER}-]+(?:\s[{_CYRILLIC_CAPITAL}][{_CYRILLIC_LETTER}-]+)?"
_CY_BEFORE_STREET = rf"(?:(?:{_CY_POSTCODE},?\s?)?(?:(?:{_CY_REGION}|{_CY_SETTLEMENT}|{_CY_BARE_CITY}),\s?){{1,3}}|{_CY_POSTCODE},?\s?)?"
_CY_STREET = rf"(?:{_CY_TYPE_BEFORE}\s?{_CY_NAME}|{_CY_NAME}\s{_CY_TYPE_AFTER})"
_CY_ADDRESS = re.compile(
    rf"(?<![\w№-]){_CY_BEFORE_STREET}{_CY_STREET},?\s?{_CY_HOUSE}(?!\d)(?!\s?(?:года|год|году|г\.|марта|мая|руб|грн|м²|м2|кв\.\s?м|%))"
    rf"{_CY_ROOM}*"
    rf"(?:,\s?(?:{_CY_SETTLEMENT}|{_CY_POSTCODE}(?!\d)))*"
)


_CY_ANCHOR = re.compile(rf"(?<![\w-])(?:{_CY_TYPE_BEFORE}|{_CY_TYPE_AFTER})(?!\w)")


def _cyrillic_addresses(text: str) -> Iterator[Span]:
    for match in _near_anchors(_CY_ADDRESS, _CY_ANCHOR, text):
        yield match.span()


# ---------------------------------------------------------------------------------------------
# Arab countries
# ---------------------------------------------------------------------------------------------

_AR_LETTERS = "\u0621-\u063a\u0641-\u064a\u064b-\u065f\u0670-\u06d3"
_AR_DIGITS = "[0-9\u0660-\u0669\u06f0-\u06f9]"
# Words that end a street's or district's name: prepositions and conjunctions.
_AR_NOT_NAMES = (
    "في من إلى الى على عند مع يوم قرب بجانب خلف أمام بين حتى ثم أو عن لدى منذ خلال بعد قبل التي الذي"
).split()
_AR_WORD = rf"(?:(?!(?:{'|'.join(_AR_NOT_NAMES)})(?![{_AR_LETTERS}]))[{_AR_LETTERS}]+)"
_AR_NAME = rf"{_AR_WORD}(?:\s{_AR_WORD}){{0,3}}"
_AR_NUMBER = rf"{_AR_DIGITS}{{1,6}}"
_AR_ORDINALS = "الأول الاول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر الأرضي الارضي".split()
_AR_CITIES = (
    "الرياض جدة مكة المكرمة المدينة المنورة الدمام الخبر الظهران الطائف تبوك أبها بريدة القاهرة الجيزة"
    " الإسكندرية الاسكندرية المنصورة طنطا أسيوط الأقصر أسوان دبي أبوظبي أبو ظبي الشارقة عجمان العين الدوحة"
    " الكويت المنامة مسقط عمان عمّان إربد الزرقاء بيروت طرابلس صيدا دمشق حلب حمص بغداد البصرة الموصل أربيل"
    " الدار البيضاء الرباط مراكش فاس طنجة تونس صفاقس الجزائر وهران الخرطوم صنعاء عدن"
).split()
_AR_CITY = rf"(?:(?:مدينة|محافظة|إمارة)\s{_AR_WORD}(?:\s{_AR_WORD})?|{'|'.join(sorted(_AR_CITIES, key=len, reverse=True))})(?![{_AR_LETTERS}])"
_AR_STREET = rf"(?:{_AR_NUMBER}\s)?(?:شارع|طريق|ميدان|جادة|زقاق|ش\.)\s{_AR_NAME}(?:\s(?:رقم\s)?{_AR_NUMBER})?"
_AR_DISTRICT = rf"(?:حي|منطقة|ضاحية)\s{_AR_NAME}"
_AR_BUILDING = rf"(?:مبنى|المبنى|عمارة|العمارة|برج|بناية|البناية|فيلا|الفيلا)\s(?:رقم\s)?(?:{_AR_NUMBER}|{_AR_WORD})"
_AR_UNIT = rf"(?:الشقة|شقة|مكتب|المكتب|الطابق|طابق|الدور|دور)\s(?:رقم\s)?(?:{_AR_NUMBER}|{'|'.join(_AR_ORDINALS)})"
_AR_BOX = rf"(?:ص\.\s?ب\.?|صندوق\sبريد)\s?{_AR_NUMBER}"
_AR_POSTCODE = rf"(?:الرمز\sالبريدي:?\s)?{_AR_DIGITS}{{5}}(?!{_AR_DIGITS})"
_AR_MARKED = rf"(?:{_AR_STREET}|{_AR_DISTRICT}|{_AR_BUILDING}|{_AR_UNIT}|{_AR_BOX}|{_AR_CITY}(?:\s{_AR_POSTCODE})?|{_AR_POSTCODE})"
_AR_SEPARATOR = r"\s?[،,]\s?"
# A district or town written without its word ("المهندسين") counts between two marked parts.
_AR_PART = rf"(?:{_AR_MARKED}|{_AR_WORD}(?:\s{_AR_WORD})?(?={_AR_SEPARATOR}{_AR_MARKED}))"
_AR_ADDRESS = re.compile(rf"(?<![{_AR_LETTERS}]){_AR_MARKED}(?:{_AR_SEPARATOR}{_AR_PART}){{0,7}}")
_AR_STREET_WITH_NUMBER = re.compile(
    rf"^(?:{_AR_NUMBER}\s)?(?:شارع|طريق|ميدان|جادة|زقاق|ش\.)\s{_AR_NAME}\s(?:رقم\s)?{_AR_NUMBER}$|^{_AR_NUMBER}\s"
)
_AR_HAS_DIGIT = re.compile(_AR_DIGITS)


def _arabic_addresses(text: str) -> Iterator[Span]:
    for match in _AR_ADDRESS.finditer(text):
        parts = re.split(_AR_SEPARATOR, match.group(0))
        numbered = _AR_HAS_DIGIT.search(match.group(0)) is not None
        # A building or a street alone ("المبنى 3", "شارع الحمراء") is no address; a street with
        # its house number is, and so are parts that add up to one.
        if (len(parts) >= 2 and numbered) or len(parts) >= 3 or _AR_STREET_WITH_NUMBER.match(parts[0]):
            yield match.span()


# ---------------------------------------------------------------------------------------------
# India
# ---------------------------------------------------------------------------------------------

_HI_LETTERS = f"{INDIC_WORD_CHARACTERS}"
_HI_DIGITS = "[0-9\u0966-\u096f]"
# Postpositions and verbs that end a place's name ("पुणे में होगी").
_HI_NOT_NAMES = "को के की का ने से में पर और या है हैं था थी थे हो लिए तक भेजें भेजो भेजिए होगी होगा".split()
_HI_NAME_WORD = rf"(?:(?!(?:{'|'.join(_HI_NOT_NAMES)})(?![{_HI_LETTERS}]))[{_HI_LETTERS}]+\.?)"
_HI_NUMBER = rf"{_HI_DIGITS}{{1,4}}(?:[-/]{_HI_DIGITS}{{1,4}}){{0,3}}"
_HI_HOUSE = rf"(?:(?:मकान|म\.|फ्लैट|प्लॉट|दुकान|कमरा|हाउस)\s?(?:नं\.?|नंबर|संख्या|सं\.)?\s?|नं\.\s?)?(?:[A-Z]-?)?{_HI_NUMBER}"
_HI_LOCALITY_WORDS = (
    "नगर मार्ग रोड गली कॉलोनी कालोनी चौक बाज़ार बाजार विहार पुरम एन्क्लेव अपार्टमेंट अपार्टमेंट्स सोसाइटी सेक्टर ब्लॉक"
    " मोहल्ला बस्ती लेन पथ एक्सटेंशन फेज़ फेज टावर भवन निवास"
).split()
_HI_LOCALITY = (
    rf"(?:{_HI_NAME_WORD}\s){{0,3}}(?:{'|'.join(_HI_LOCALITY_WORDS)})(?![{_HI_LETTERS}])(?:\s(?:नं\.?\s?)?{_HI_NUMBER})?"
)
_HI_PIN = rf"(?:[-–]\s?|(?<![\w-]))[1-9\u0967-\u096f]{_HI_DIGITS}{{2}}\s?{_HI_DIGITS}{{3}}(?!{_HI_DIGITS})"
_HI_PLACE = rf"{_HI_NAME_WORD}(?:\s{_HI_NAME_WORD}){{0,2}}(?:\s{_HI_PIN})?"
_HI_PART = rf"(?:{_HI_LOCALITY}|{_HI_HOUSE}(?![{_HI_LETTERS}])|{_HI_PIN}|{_HI_PLACE})"
_HI_ADDRESS = re.compile(
    rf"(?<![{_HI_LETTERS}0-9])(?P<first>{_HI_HOUSE}(?![{_HI_LETTERS}\d])|{_HI_LOCALITY})(?:,\s?{_HI_PART}){{1,6}}"
)
_HI_LOCALITY_IN = re.compile(rf"(?:{'|'.join(_HI_LOCALITY_WORDS)})(?![{_HI_LETTERS}])")
_HI_PIN_AT_END = re.compile(rf"{_HI_PIN}$")
_HI_HOUSE_MARKER = re.compile(r"^(?:मकान|म\.|फ्लैट|प्लॉट|दुकान|कमरा|हाउस|नं\.)")

# In Latin letters: "H.No. 8-2-293, Road No. 12, Banjara Hills, Hyderabad - 500034".
_IN_LOCALITY_WORDS = (
    r"Road|Rd\.?|Marg|Nagar|Colony|Layout|Cross|Main|Street|Lane|Gali|Vihar|Enclave|Puram|Bagh|Ganj|Chowk"
    r"|Bazaar|Bazar|Market|Society|Apartments?|Complex|Towers?|Residency|Hills|Extension|Extn\.?|Block|Phase"
    r"|Sector|Stage|Mohalla|Galli|Peth|Wadi|Nivas|Bhavan|Sadan"
)
_IN_HOUSE = (
    r"(?:(?:H\.?\s?No\.?|House\s?No\.?|Flat(?:\s?No\.?)?|Plot(?:\s?No\.?)?|Door\s?No\.?|Shop\s?No\.?|No\.|#)\s?)?"
    r"[A-Z]?-?\d{1,4}(?:[-/]\d{1,4}){0,3}[A-Z]?"
)
_IN_WORD = r"[A-Z0-9][\w.'&-]*"
_IN_PART = rf"(?:{_IN_WORD}(?:\s{_IN_WORD}){{0,3}}|{_IN_HOUSE})"
_IN_PIN = r"[1-9]\d{2}\s?\d{3}(?!\d)"
_IN_CITY = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}"
_IN_ADDRESS = re.compile(
    rf"(?<![\w-])(?P<first>{_IN_HOUSE}|{_IN_PART})(?:,\s?{_IN_PART}){{0,5}},\s?{_IN_CITY}\s?(?:[-–]\s?)?{_IN_PIN}"
)
# Up to six parts before the PIN, of a few words each.
_IN_REACH_BACK = 160
_IN_HOUSE_ALONE = re.compile(rf"{_IN_HOUSE}$")
_IN_LOCALITY_IN = re.compile(rf"\b(?:{_IN_LOCALITY_WORDS})\b")
_PIN_ANYWHERE = re.compile(r"(?<!\d)[1-9]\d{2}\s?\d{3}(?!\d)")
# Without its lookbehind, the search an English prompt pays costs a third as much.
_PIN_OR_LONGER = re.compile(r"[1-9][0-9]{2} ?[0-9]{3}")


def _indian_addresses(text: str) -> Iterator[Span]:
    if _DEVANAGARI.search(text):
        for match in _HI_ADDRESS.finditer(text):
            value = match.group(0)
            localities = len(_HI_LOCALITY_IN.findall(value))
            house = _HI_HOUSE_MARKER.match(match.group("first")) or re.match(_HI_DIGITS, match.group("first"))
            # A road named alone or in a list of places is no address: a PIN, or a house and a
            # road together, say one is meant.
            if (_HI_PIN_AT_END.search(value.strip()) and (localities or house)) or (house and localities):
                yield match.start(), match.start() + len(value.rstrip(" ,"))
    if _PIN_ANYWHERE.search(text):
        for match in _near_anchors(_IN_ADDRESS, _PIN_ANYWHERE, text, _IN_REACH_BACK):
            # A road or a house number says the list of places before the PIN is an address.
            if _IN_LOCALITY_IN.search(match.group(0)) or _IN_HOUSE_ALONE.match(match.group("first")):
                yield match.span()


# ---------------------------------------------------------------------------------------------

_ANY_SCRIPT = re.compile(f"[{_KANJI}{_HIRAGANA}{_KATAKANA}\uac00-\ud7af{_CYRILLIC_LETTER}\u0600-\u06ff\u0900-\u097f]")
_KANA = re.compile(f"[{_HIRAGANA}{_KATAKANA}]")
_HAN = re.compile(f"[{_KANJI}]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CYRILLIC = re.compile(f"[{_CYRILLIC_LETTER}]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")

_FINDERS: tuple[tuple[re.Pattern[str], Callable[[str], Iterator[Span]]], ...] = (
    (_HANGUL, _korean_addresses),
    (_CYRILLIC, _cyrillic_addresses),
    (_ARABIC, _arabic_addresses),
)


def addresses_abroad(text: str) -> list[Span]:
    """The spans of the addresses in ``text`` written in these countries' formats, sorted,
    without overlaps (the longer of two overlapping spans is kept)."""
    spans: set[Span] = set()
    if text.isascii() or not _ANY_SCRIPT.search(text):
        if _PIN_OR_LONGER.search(text):
            spans.update(_indian_addresses(text))
    else:
        # A Japanese address may be all kanji ("東京都港区芝公園4丁目2番8号"): kana or not, the
        # prefectures' and wards' pattern decides, and the Chinese one needs its road and 号.
        if _HAN.search(text):
            spans.update(_japanese_addresses(text))
            if not _KANA.search(text) or "号" in text:
                spans.update(_chinese_addresses(text))
        for script, finder in _FINDERS:
            if script.search(text):
                spans.update(finder(text))
        spans.update(_indian_addresses(text))
    return longest_first_without_overlaps(spans)


class AddressAbroadRecognizer(SpanRecognizer):
    """Street addresses in the formats of Japan, China, Korea, Russia and Ukraine, the Arab
    countries and India."""

    ENTITY = ADDRESS_ENTITY
    SCORE = SCORE
    WHY = "Street, number and unit in a country's address format"

    def spans(self, text: str) -> Iterable[Span]:
        return addresses_abroad(text)
