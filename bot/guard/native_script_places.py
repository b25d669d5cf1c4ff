"""Where a person lives, comes from or moves to, written in Chinese, Japanese, Korean, Hindi,
Arabic or Thai.

"大阪出身で、今は福岡に住んでいます", "부산에서 서울로 이사했다", "他从深圳搬到了杭州", "लखनऊ से बेंगलुरु
शिफ्ट हुई", "انتقلت من الإسكندرية", "ย้ายไปเชียงใหม่": the NER model reads Latin and Cyrillic letters,
and the lists hold places as English text writes them. A place of the lists below is masked where
the words around it tie it to someone: a particle or verb of coming from, living in or moving to
("出身", "에 살고", "来自", "से", "من", "ย้ายไป"). In Arabic, Hindi, Korean and Japanese it is also
masked where it stands as a word of its own, as "Osaka" or "Cairo" is in an English sentence
("大阪支社", "부산에서 회의", "मुंबई ऑफिस", "تاريخ القاهرة"), but not where it starts a longer word
("부산국제영화제", "東京タワー") or is an everyday word too ("الخبر" the news, "대구" cod). Chinese
writes no word breaks and many of its place names start a firm's name ("上海银行"): a place there
is masked beside a preposition of place or motion ("在杭州", "发往成都"), before a possessive, a
side, an office, a team or a list's mark ("深圳的", "深圳那边", "重庆团队", "西安、南京"), or
where the words tie it to someone, as in Thai.

The lists were written for this project from general knowledge: each country's largest cities,
its provinces, prefectures or states, and the foreign cities people move to, as each script
writes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.script_ranges import ARABIC_LETTERS, DEVANAGARI_LETTERS


def _words(listed: str) -> list[str]:
    return listed.split()


_ZH_PLACES = _words(
    "北京 上海 广州 廣州 深圳 杭州 南京 苏州 蘇州 成都 重庆 重慶 武汉 武漢 西安 天津 长沙 長沙 郑州 鄭州 青岛 青島"
    " 大连 大連 厦门 廈門 福州 宁波 寧波 无锡 無錫 合肥 济南 濟南 沈阳 瀋陽 哈尔滨 哈爾濱 长春 長春 昆明 贵阳 貴陽"
    " 南宁 南寧 南昌 太原 石家庄 兰州 蘭州 乌鲁木齐 拉萨 海口 三亚 佛山 东莞 東莞 珠海 中山 惠州 汕头 绍兴 紹興"
    " 温州 溫州 嘉兴 台州 金华 烟台 徐州 常州 扬州 揚州 南通 洛阳 桂林 保定 唐山 潍坊 泉州 漳州 宜昌 襄阳 株洲"
    " 香港 澳门 澳門 台北 臺北 新北 台中 臺中 台南 臺南 高雄 新竹 桃园 桃園 基隆 嘉义 嘉義 花莲 花蓮 宜兰 宜蘭"
    " 广东 廣東 浙江 江苏 江蘇 四川 湖南 湖北 河南 河北 山东 山東 山西 陕西 陝西 福建 云南 雲南 贵州 貴州 安徽 江西"
    " 辽宁 遼寧 吉林 黑龙江 黑龍江 内蒙古 新疆 西藏 甘肃 海南 广西 廣西 宁夏 青海 东北 東北"
    " 伦敦 倫敦 巴黎 纽约 紐約 东京 東京 大阪 首尔 首爾 新加坡 悉尼 雪梨 墨尔本 多伦多 多倫多 温哥华 溫哥華 柏林"
    " 旧金山 舊金山 洛杉矶 洛杉磯 西雅图 波士顿 芝加哥 曼谷 吉隆坡 迪拜 杜拜"
)
_JA_PLACES = _words(
    "北海道 青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 東京 神奈川 新潟 富山 石川 福井 山梨 長野 岐阜"
    " 静岡 愛知 三重 滋賀 京都 大阪 兵庫 奈良 和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛 高知 福岡 佐賀 長崎"
    " 熊本 大分 宮崎 鹿児島 沖縄 札幌 仙台 横浜 川崎 相模原 名古屋 神戸 金沢 那覇 浜松 北九州 さいたま 姫路 松山"
    " 倉敷 函館 旭川 盛岡 郡山 宇都宮 前橋 高崎 船橋 柏 八王子 町田 藤沢 豊田 岐阜 大津 西宮 尼崎 高松 松江 下関"
    " 佐世保 別府 鎌倉 軽井沢 横須賀 渋谷 新宿 池袋 銀座 六本木 秋葉原 梅田 難波 心斎橋 天神 博多"
    " ロンドン パリ ニューヨーク ソウル 釜山 シンガポール シドニー トロント バンクーバー ベルリン 上海 北京 台北"
    " ホノルル ロサンゼルス サンフランシスコ シアトル バンコク"
)
_KO_PLACES = _words(
    "서울 부산 대구 인천 광주 대전 울산 세종 수원 성남 고양 용인 창원 청주 전주 천안 안산 안양 제주 포항 김해 구미"
    " 평택 의정부 파주 화성 남양주 춘천 원주 강릉 목포 여수 순천 경주 진주 군산 익산 거제 통영 속초"
    " 경기도 강원도 충청북도 충청남도 전라북도 전라남도 경상북도 경상남도 제주도 충북 충남 전북 전남 경북 경남"
    " 강남 강북 송파 마포 분당 일산 해운대 평창 양양 가평 홍대 잠실 판교 여의도 성수 이태원"
    " 런던 파리 뉴욕 도쿄 오사카 베이징 상하이 싱가포르 시드니 토론토 밴쿠버 베를린 로스앤젤레스 하노이 호치민"
)
_HI_PLACES = _words(
    "दिल्ली मुंबई बेंगलुरु बेंगलूरु बंगलौर बैंगलोर कोलकाता चेन्नई हैदराबाद पुणे अहमदाबाद जयपुर लखनऊ कानपुर नागपुर"
    " इंदौर भोपाल पटना वाराणसी बनारस आगरा सूरत वडोदरा चंडीगढ़ गुड़गांव गुरुग्राम नोएडा गाज़ियाबाद गाजियाबाद कोच्चि"
    " गोवा देहरादून रांची भुवनेश्वर मेरठ इलाहाबाद प्रयागराज अमृतसर लुधियाना जोधपुर उदयपुर कोटा ग्वालियर जबलपुर"
    " रायपुर नासिक औरंगाबाद मैसूर मंगलौर कोयंबटूर मदुरै विशाखापत्तनम विजयवाड़ा तिरुवनंतपुरम शिमला श्रीनगर जम्मू"
    " बिहार राजस्थान महाराष्ट्र गुजरात पंजाब केरल तमिलनाडु कर्नाटक हरियाणा असम ओडिशा झारखंड उत्तराखंड बंगाल"
    " दार्जिलिंग शिलांग गंगटोक मनाली ऋषिकेश हरिद्वार अजमेर बीकानेर अलीगढ़ बरेली मुरादाबाद गोरखपुर फरीदाबाद ठाणे"
    " अंधेरी बांद्रा पवई कोलाबा द्वारका सिकंदराबाद पुडुचेरी पांडिचेरी"
    " लंदन दुबई न्यूयॉर्क सिंगापुर टोरंटो सिडनी कनाडा अमेरिका"
)
_AR_PLACES = _words(
    "القاهرة الإسكندرية الاسكندرية الجيزة الأقصر أسوان المنصورة طنطا بورسعيد السويس الرياض جدة مكة المدينة الدمام"
    " الخبر الطائف أبها تبوك دبي أبوظبي أبو_ظبي الشارقة عجمان العين الدوحة الكويت المنامة مسقط صلالة عمّان عمان"
    " إربد الزرقاء بيروت طرابلس صيدا دمشق حلب حمص اللاذقية بغداد البصرة الموصل أربيل النجف تونس صفاقس سوسة الجزائر"
    " وهران قسنطينة الرباط الدار_البيضاء مراكش فاس طنجة أكادير مكناس الخرطوم صنعاء عدن بنغازي غزة رام_الله القدس"
    " نابلس الخليل جنين بيت_لحم أريحا زحلة جبيل المفرق الكرك السلط الفجيرة رأس_الخيمة أم_القيوين نزوى صحار"
    " الجبيل ينبع حائل القصيم بريدة نجران جازان الأحساء الهفوف المحرق"
    " لندن باريس برلين نيويورك إسطنبول اسطنبول تورنتو سيدني"
)
_TH_PLACES = _words(
    "กรุงเทพฯ กรุงเทพมหานคร กรุงเทพ เชียงใหม่ เชียงราย ภูเก็ต ขอนแก่น ชลบุรี พัทยา นครราชสีมา โคราช หาดใหญ่"
    " สงขลา อุดรธานี อุบลราชธานี นนทบุรี ปทุมธานี สมุทรปราการ ระยอง พิษณุโลก นครสวรรค์ สุราษฎร์ธานี กระบี่ หัวหิน"
    " ลำปาง ลำพูน น่าน แพร่ สุโขทัย อยุธยา นครปฐม ลพบุรี สกลนคร นครศรีธรรมราช"
    " ลอนดอน ปารีส โตเกียว โอซาก้า โซล สิงคโปร์ นิวยอร์ก ซิดนีย์"
)


def _alternation(places: Iterable[str]) -> str:
    # Longest first: "北九州" before "九州", "กรุงเทพมหานคร" before "กรุงเทพ".
    spellings = sorted({place.replace("_", " ") for place in places}, key=len, reverse=True)
    return "|".join(re.escape(spelling) for spelling in spellings)


# No word on that side of a place ties it to anyone in this script.
_NEVER = "(?!)"
# Each script: the places, an administrative suffix they may carry ("大阪府", "深圳市", "부산시"),
# the words before a place that tie it to someone, and those after it.
_ZH_PLACE_NAMES = _alternation(_ZH_PLACES)
_ZH = (
    _ZH_PLACE_NAMES,
    "[市省区區县縣]?",
    "(?:来自|來自|住在|住到|搬到了?|搬去|搬回|回到|老家(?:在|是)?|现居|現居|籍贯|籍貫|调到|調到|调去|出生[在于於]|生[于於]"
    "|定居在?|移居|从|從)",
    "(?:人(?![民工员員气氣才口])|出生|长大|長大|搬|来的|來的|老家|工作|上班|办公(?!室)|辦公(?!室)|生活|读书|讀書)",
)
_JA_PLACE_NAMES = _alternation(_JA_PLACES)
_KO_PLACE_NAMES = _alternation(_KO_PLACES)
_JA = (
    _JA_PLACE_NAMES,
    "[都道府県市区町村]?",
    _NEVER,
    "(?:出身|在住|生まれ|育ち|に住|に住ん|に引っ越|へ引っ越|に転居|へ転居|に転勤|へ転勤|に移|へ移|から引っ越|から転勤|から来|から上京"
    "|で生まれ|で育|で働|で勤務|の実家|に戻|へ戻|に帰|へ帰|から帰国|から出張"
    # "大阪から東京へ": the place someone moved from, before the one they moved to.
    f"|から(?:{_JA_PLACE_NAMES}))",
)
_KO = (
    _KO_PLACE_NAMES,
    "(?:특별시|광역시|시|도)?",
    "(?:고향(?:인|은|이)?|본가는)\\s",
    "(?:\\s?출신|\\s?토박이|에\\s?살|에서\\s?살|에\\s?거주|에서\\s?이사|으?로\\s?이사|으?로\\s?이주|으?로\\s?전근|에서\\s?태어|에서\\s?왔|에서\\s?올라"
    "|으?로\\s?돌아|으?로\\s?내려|으?로\\s?출퇴근|에서\\s?출퇴근|에서\\s?일|에서\\s?근무|에서\\s?자라|에서\\s?자랐"
    "|에서\\s?출생|에서\\s?온|\\s사람|\\s집에서|\\s본가"
    # "부산에서 서울로": the place someone moved from, before the one they moved to.
    f"|에서\\s(?:{_KO_PLACE_NAMES})(?:시|도)?으?로)",
)
_HI = (
    _alternation(_HI_PLACES),
    "",
    _NEVER,
    "(?:\\s(?:से|में\\sरह|में\\sबस|में\\sपैदा|में\\sकाम|का\\sरहने|की\\sरहने|के\\sरहने|की\\sहैं?|का\\sहै"
    "|का\\sहूँ|की\\sहूँ|के\\sहैं|शिफ्ट|जा\\sरह|आ\\sगए|आ\\sगई|आई|आया|वापस))",
)
_AR = (
    _alternation(_AR_PLACES),
    "",
    "(?:(?:^|\\s)(?:من|إلى|الى|مواليد|رأسه|رأسها"
    "|(?:يسكن|تسكن|يعيش|تعيش|يقيم|تقيم|يعمل|تعمل|مقيم|مقيمة|ولد|ولدت|نشأ|نشأت)(?:\\s\\S+)?\\s(?:في|ب))\\s)",
    _NEVER,
)
_TH = (
    _alternation(_TH_PLACES),
    "",
    "(?:มาจาก|จาก|ย้ายไป|ย้ายมา|ย้ายจาก|อยู่ที่|อาศัยอยู่ที่|เกิดที่|บ้านอยู่|ไปอยู่|ภูมิลำเนา|ทำงานที่|บ้านที่|กลับไป|กลับบ้าน)\\s?",
    _NEVER,
)


def _patterns(places: str, suffix: str, before: str, after: str) -> Iterator[re.Pattern[str]]:
    place = f"(?P<place>(?:{places}){suffix})"
    if before != _NEVER:
        yield re.compile(f"{before}{place}")
    if after != _NEVER:
        yield re.compile(f"{place}(?={after})")


_PATTERNS = tuple(pattern for script in (_ZH, _JA, _KO, _HI, _AR, _TH) for pattern in _patterns(*script))


def _everyday_left_out(places: Iterable[str]) -> str:
    return _alternation(place for place in places if place not in _ALSO_EVERYDAY)


# A listed place standing as a word of its own, as "Osaka" or "Jeddah" is masked in an English
# sentence: in a spaced script, between non-letters (Arabic may glue "and" and "in", "to" or "as"
# to it: "بدبي", "والرياض", "وبدبي"); in Korean, before a particle, a space or punctuation ("부산에서", not
# "부산물"); in Japanese, before a particle, punctuation or an administrative suffix ("大阪への",
# "福岡市"). Chinese writes no word breaks and many of its place names start a firm's name: see
# _ZH_STANDALONE below.
# Places whose name is also an everyday word standing alone: "the city" (المدينة), "the news"
# (الخبر), "the eye" (العين), chickpeas (حمص); "dark" (अंधेरी, Mumbai's Andheri); "last week"
# (전주), cod (대구), Mars (화성), a pearl (진주), a race (경주), a cat (고양이); "considerably" (大分),
# triple (三重), oak (柏). They keep the words that tie them to someone.
_ALSO_EVERYDAY = frozenset("المدينة الخبر العين حمص अंधेरी 전주 대구 화성 진주 경주 고양 大分 三重 柏".split())
_KO_PARTICLES = "에서|에게|에|으로|로|의|은|는|이|가|을|를|까지|부터|와|과|도|만|랑|행|시|도|역"
_JA_PARTICLES = (
    "の|に|へ|で|から|まで|は|が|を|と|や|も|都|道|府|県|市|区|駅|支店|支社|店|本社|工場|出身|在住|向け|産|方面"
    "|営業所|事務所|オフィス|店舗|周辺|エリア"
)
_STANDALONE = (
    re.compile(rf"(?<![{ARABIC_LETTERS}])[وف]?[بلك]?(?P<place>{_everyday_left_out(_AR_PLACES)})(?![{ARABIC_LETTERS}])"),
    re.compile(rf"(?<![{DEVANAGARI_LETTERS}])(?P<place>{_everyday_left_out(_HI_PLACES)})(?![{DEVANAGARI_LETTERS}])"),
    re.compile(
        rf"(?<![\uac00-\ud7af])(?P<place>{_everyday_left_out(_KO_PLACES)})"
        rf"(?=(?:{_KO_PARTICLES})?(?![\uac00-\ud7af]))"
    ),
    re.compile(
        rf"(?<![\u4e00-\u9fff\u30a0-\u30ff])(?P<place>{_everyday_left_out(_JA_PLACES)})"
        rf"(?=(?:{_JA_PARTICLES})|[^\u3040-\u30ff\u4e00-\u9fff]|$)"
    ),
)
# Chinese: a listed place where the characters beside it make it one, though not a person's: a
# preposition of place or motion before it ("在杭州", "寄到武汉", "发往成都"), or after it a
# possessive, a side, an office, a team, a fair or a station ("深圳的", "深圳那边", "重庆团队",
# "深圳展会"), or a list's mark ("西安、南京"). Not where it opens a firm's name ("上海银行",
# "北京文具城").
# "于" and "於" not as the end of "关于" ("about"), "对于", "由于" or "等于".
_ZH_PLACE_BEFORE = "(?:在|到|往|去|从|從|(?<![关關对對由等])[于於]|至|与|與|飞|飛|回|离开|離開|位于|位於|赴|抵达|抵達)"
_ZH_PLACE_AFTER = (
    "(?:的|那边|这边|那邊|這邊|一带|一帶|本地|当地|當地|市区|市區|地区|地區|周边|周邊|团队|團隊|分公司|办事处|辦事處"
    "|门店|門店|分店|总部|總部|仓库|倉庫|工厂|工廠|展会|展會|站|出差|、|。|[\uff0c\uff01\uff1f\uff09),]|$)"
)
_ZH_FIRMS = "(?!银行|銀行|大学|大學|证券|證券|航空|电视|電視|日报|日報|晚报|晚報|集团|集團|文具)"
_ZH_STANDALONE = (
    re.compile(rf"{_ZH_PLACE_BEFORE}(?P<place>(?:{_ZH_PLACE_NAMES})[市省]?){_ZH_FIRMS}"),
    re.compile(rf"(?P<place>(?:{_ZH_PLACE_NAMES})[市省]?)(?={_ZH_PLACE_AFTER})"),
)
# A character of one of these scripts: a prompt holding none is not read.
_NATIVE_SCRIPT = re.compile("[\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def native_script_places(text: str) -> Iterator[Span]:
    """(start, end) of each listed place the words beside it tie to a person."""
    if _NATIVE_SCRIPT.search(text) is None:
        return
    found = (
        match.span("place")
        for pattern in (*_PATTERNS, *_STANDALONE, *_ZH_STANDALONE)
        for match in pattern.finditer(text)
    )
    yield from longest_first_without_overlaps(found)


class NativeScriptPlaceRecognizer(SpanRecognizer):
    ENTITY = "LOCATION"
    SCORE = 0.85
    WHY = "A place in its own script where the words beside it say someone lives, comes from or moves"

    def spans(self, text: str) -> Iterable[Span]:
        return native_script_places(text)
