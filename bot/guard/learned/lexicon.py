"""Words that carry an injection's intent, in the languages the project serves, as concepts.

Character n-grams only generalise within a script and a language: a model that learnt "ignore
all previous instructions" from English has no n-gram in common with "忽略之前的所有指令". Each
concept below lists how the languages say it; a prompt containing any of those spellings gets the
concept as one more feature ("k:ignore"), so weight learnt from one language carries to the
others. The model decides what a concept is worth next to everything else in the prompt: these
are features, not rules, and "ignore the typos" also says "k:ignore".
"""

# Turkish spellings use the dotless i (U+0131) on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from bot.guard.normalize import normalize

# Spellings are separated by "|"; each is matched as a substring of the normalized prompt, so
# a stem ("инструкци") covers its inflections.
CONCEPTS: dict[str, str] = {
    "ignore": (
        "ignore|disregard|forget|ignora|olvida|ignorez|oublie|ignoriere|vergiss|dimentica|esqueça|negeer|"
        "vergeet|zignoruj|zapomnij|игнорир|забудь|ігнор|yok say|unut|تجاهل|انس|अनदेखा|भूल जाओ|無視|忘れ|무시|잊|"
        "忽略|忘掉|忘记|"
        "overlook|set aside|discard|pass over|no hagas caso|haz caso omiso|descarta|omite|ne tiens pas compte|fais abstraction|laisse de côté|missachte|beachte nicht|lass beiseite|non tenere conto|trascura|metti da parte|desconsidere|não ligue|deixe de lado|pomiń|nie zważaj|odrzuć|не обращай внимания|пренебреги|отбрось|не зважай|знехтуй|відкинь|görmezden gel|dikkate alma|aldırma|boşver|أهمل|لا تلتفت|تغاضى|नज़रअंदाज़|नजरअंदाज|उपेक्षा|अनदेखी|気にしない|放棄|신경 쓰지|무시하|忽视|无视|不要理会|别管"
    ),
    "previous": (
        "previous|prior|earlier|above|anteriores|précédent|vorherig|bisherig|precedent|vorige|eerdere|"
        "poprzedni|предыдущ|прежн|попередн|önceki|السابقة|पिछले|これまで|以前|이전|之前|"
        "given to you|you were told|you were given|zuvor|vorher|finora|até agora|daarvoor|ранее|до этого|раніше|daha önce|先前|此前|原来"
    ),
    "instructions": (
        "instruction|instrucciones|consignes|anweisung|istruzion|instruções|instructies|instrukcj|"
        "инструкци|інструкці|указани|вказівк|talimat|yönerge|تعليمات|توجيهات|निर्देश|指示|지시|지침|指令|"
        "directives|orders|commands|órdenes|indicaciones|directivas|ordres|befehle|vorgaben|anordnung|ordini|direttive|ordens|diretivas|opdrachten|polecenia|wytyczn|команд|приказ|директив|вказівк|emirler|direktif|الأوامر|أوامر|आदेश|निर्देशों|命令|명령|指示|指令"
    ),
    "rules": (
        "rules|guidelines|policy|policies|reglas|normas|règles|regeln|richtlinie|regole|regras|"
        "diretrizes|regels|richtlijn|zasad|правил|kural|القواعد|قواعد|नियम|ルール|規則|규칙|规则|准则|政策"
    ),
    "system_prompt": (
        "system prompt|system message|prompt de sistema|prompt système|systemprompt|prompt di sistema|"
        "systeemprompt|prompt systemow|системн|sistem istemi|موجه النظام|सिस्टम प्रॉम्प्ट|システムプロンプト|"
        "시스템 프롬프트|系统提示|"
        "system instructions|initial prompt|pre-prompt|hidden prompt|instrucciones del sistema|instructions système|systemanweisung|istruzioni di sistema|instruções do sistema|systeeminstructies|instrukcje systemowe|системные инструкции|системний промпт|системні інструкції|sistem talimat|تعليمات النظام|सिस्टम निर्देश|システム指示|시스템 지시|系统指令|系统提示词"
    ),
    "reveal": (
        "reveal|disclose|print|repeat|verbatim|revela|muéstrame|révèle|affiche|mot pour mot|verrate|zeig|"
        "wort für wort|rivela|mostra|parola per parola|revele|palavra por palavra|onthul|"
        "woord voor woord|ujawnij|pokaż|słowo w słowo|раскрой|покажи|дословно|розкрий|слово в слово|"
        "açıkla|kelimesi kelimesine|اكشف|اعرض|حرفي|शब्दशः|दिखाओ|明かし|そのまま|一字一句|공개|그대로|透露|逐字|显示|"
        "dump|zitiere|citeer|zacytuj|процитируй|процитуй|alıntıla|wypisz|выведи|виведи|出力|출력|输出|列出"
    ),
    "secret": (
        "password|secret|confidential|hidden|contraseña|secreto|oculta|mot de passe|secrète|cachée|"
        "passwort|geheim|versteckt|segret|nascost|senha|ocult|wachtwoord|verborgen|hasło|tajn|ukryt|"
        "пароль|секрет|скрыт|таємн|прихован|şifre|gizli|كلمة المرور|كلمة مرور|السرية|المخفية|पासवर्ड|"
        "गुप्त|छिपे|パスワード|秘密|隠された|비밀번호|비밀|숨겨진|密码|隐藏|"
        "secret key|api key|credentials|private key|clave|clé|schlüssel|chiave|chave|sleutel|klucz|ключ|anahtar|مفتاح|कुंजी|キー|鍵|비밀 키|密钥|凭证"
    ),
    "no_limits": (
        "no restrictions|without restrictions|no limits|unrestricted|unfiltered|no rules|without any|"
        "sin restricciones|sin límites|sin filtros|sans restriction|sans limite|aucune restriction|"
        "ohne einschränkung|ohne grenzen|keine grenzen|senza restrizion|senza limiti|nessun limite|"
        "sem restrições|sem limites|nenhuma regra|zonder beperking|zonder grenzen|bez ograniczeń|"
        "bez żadnych|без ограничен|без правил|без обмежень|без жодних|kısıtlama olmadan|sınırsız|"
        "دون أي قيود|بلا قيود|دون قيود|बिना किसी|制限なし|制約|제한 없이|제약|不受任何限制|没有任何限制|没有任何约束"
    ),
    "developer_mode": (
        "developer mode|dev mode|god mode|sudo mode|modo desarrollador|mode développeur|entwicklermodus|"
        "modalità sviluppatore|modo desenvolvedor|ontwikkelaarsmodus|tryb dewelopera|режим разработчика|"
        "режим розробника|geliştirici mod|وضع المطور|डेवलपर मोड|開発者モード|개발자 모드|开发者模式|"
        "maintenance mode|root mode|admin mode|unrestricted mode|modo mantenimiento|modo de mantenimiento|"
        "mode maintenance|wartungsmodus|modalità manutenzione|modo de manutenção|onderhoudsmodus|tryb konserwacji|"
        "режим обслуживания|режим обслуговування|bakım modu|وضع الصيانة|मेंटेनेंस मोड|メンテナンスモード|유지보수 모드|维护模式"
    ),
    "you_are_now": (
        "you are now|from now on you|you're now|ahora eres|a partir de ahora eres|desde ahora eres|"
        "tu es maintenant|désormais tu|tu n'es plus|du bist jetzt|du bist ab sofort|ab sofort bist du|"
        "ora sei|d'ora in poi sei|da adesso sei|agora você é|você é o|vanaf nu ben je|je bent nu|"
        "od teraz jesteś|теперь ты|отныне ты|відтепер ти|тепер ти|artık sen|من الآن أنت|أنت الآن|"
        "अब से तुम|今からあなたは|あなたは今|지금부터 너는|이제부터 너는|从现在起你|从现在开始你|你现在是"
    ),
    "obey": (
        "obey|comply|only follow|my orders|my commands|obedece|obéis|befolge|gehorche|obbedisci|obedeça|"
        "gehoorzaam|wykonuj|выполняй|подчиняйся|виконуй|emirlerime uy|أوامري|आदेश|命令|명령|听从"
    ),
    "authority": (
        "administrator|admin|owner|operator|developer|authoriz|authoris|clearance|administrador|autorizo|"
        "propietario|administrateur|autorise|propriétaire|betreiber|entwickler|autorisiere|amministratore|"
        "proprietario|sviluppatore|dono|desenvolvedor|beheerder|eigenaar|toestemming|właściciel|upoważniam|"
        "администратор|владелец|разработчик|разрешаю|адміністратор|власник|розробник|дозволяю|yönetici|"
        "sahibi|geliştirici|yetki|المسؤول|مالك|مطور|أسمح|أمنحك|एडमिन|मालिक|डेवलपर|अनुमति|管理者|所有者|"
        "開発者|許可|관리자|소유자|개발자|권한|管理员|授权|开发者|允许|"
        "creator|maker|lead engineer|security team|management|superuser|root access|audit|creador|auditoría|créateur|schöpfer|creatore|criador|auditoria|maker|twórc|audyt|создател|творец|аудит|творець|yaratıcı|denetim|منشئ|صانع|تدقيق|निर्माता|ऑडिट|作成者|製作者|監査|제작자|만든 사람|감사 중|创造者|创建者|审计"
    ),
    "disable": (
        "disable|turn off|switch off|deactivate|suspend|desactiva|apaga|désactive|deaktiviere|abschalten|"
        "schalte|disattiva|desative|desligue|uitschakelen|schakel|wyłącz|отключи|выключи|вимкни|відключи|"
        "devre dışı|kapat|تعطيل|عطّل|إيقاف|बंद कर|無効|解除|오프|비활성화|꺼|끄|关闭|关掉|禁用|解除"
    ),
    "pretend": (
        "pretend|act as|roleplay|role-play|role play|imagine you are|simulate|play the role|finge|actúa como|haz de cuenta|juega el papel|fais semblant|agis comme|joue le rôle|incarne|stell dir vor du bist|tu so als|spiele die rolle|verhalte dich wie|fingi|fai finta|agisci come|interpreta il ruolo|finja|aja como|faça de conta|interprete o papel|doe alsof|gedraag je als|speel de rol|udawaj|wciel się|zachowuj się jak|zagraj rolę|притворись|представь, что ты|веди себя как|сыграй роль|играй роль|прикинься|уяви, що ти|вдавай|поводься як|зіграй роль|rol yap|gibi davran|rolüne gir|taklit et|تظاهر|تصرف ك|العب دور|مثل دور|नाटक करो|की तरह व्यवहार|का किरदार|की भूमिका|ふりをして|なりきって|として振る舞|演じて|척해|척하|역할을|처럼 행동|假装|扮演|充当|角色扮演"
    ),
    "no_longer": (
        "no longer|not anymore|ya no|ya no eres|n'es plus|nicht mehr|non sei più|non più|não é mais|não mais|niet meer|już nie|больше не|більше не|artık değil|artık yok|لم تعد|لم يعد|अब नहीं|अब और नहीं|もはや|더 이상|不再|再也不"
    ),
    "unshackled": (
        "jailbreak|jailbroken|unshackled|unchained|uncensored|broke free|break free|freed from|liberado|libre de|sin censura|libéré|sans censure|befreit|entfesselt|unzensiert|liberato|libero da|senza censura|libertado|livre de|sem censura|bevrijd|ongecensureerd|uwolnion|bez cenzury|освобод|без цензуры|звільн|без цензури|özgür|serbest|sansürsüz|متحرر|تحرر|بلا رقابة|आज़ाद|मुक्त|बिना सेंसर|解放された|脱獄|検閲なし|탈옥|해방|검열 없|越狱|解放|无审查|不受审查"
    ),
    "configuration": (
        "configuration|config|setup|settings|configuración|ajustes|paramètres|konfiguration|einstellungen|configurazione|impostazioni|configuração|configurações|configuratie|instellingen|konfiguracj|ustawienia|конфигурац|настройк|конфігурац|налаштуван|yapılandırma|ayarlar|التكوين|الإعدادات|إعدادات|कॉन्फ़िगरेशन|सेटिंग|設定|構成|구성|설정|配置|设置"
    ),
    "initial": (
        "initial|original|iniciales|originales|inicial|initiales|originales|ursprünglich|anfangs|iniziali|originali|iniciais|originais|oorspronkelijk|początkow|oryginaln|изначальн|исходн|первоначальн|начальн|початков|вихідн|başlangıç|orijinal|الأصلية|الأولية|الأولى|प्रारंभिक|शुरुआती|元の|初期|초기|원래|原始|初始"
    ),
    "answer_ref": (
        "your answer|your response|your reply|your summary|your output|your translation|respond with|reply with|reply only|tu respuesta|tu resumen|responde solo|ta réponse|ton résumé|réponds seulement|deine antwort|deine zusammenfassung|antworte nur|la tua risposta|il tuo riassunto|rispondi solo|sua resposta|seu resumo|responda apenas|je antwoord|je samenvatting|antwoord alleen|twoja odpowied|twoje podsumowanie|odpowiedz tylko|твой ответ|свой ответ|ответь только|твоя відповідь|свою відповідь|відповідай лише|cevabın|yanıtın|özetin|sadece yanıtla|إجابتك|ردك|ملخصك|أجب فقط|अपने जवाब|आपका उत्तर|अपने उत्तर|केवल जवाब|回答に|返答に|要約に|だけ答え|답변에|대답에|요약에|만 답|你的回答|回复中|回答中|摘要中|只回复"
    ),
    "ai_addressee": (
        "note to the ai|note for the ai|to the assistant|hey assistant|dear ai|ai model|language model|chatbot|nota para la ia|nota para el asistente|note pour l'ia|note à l'assistant|hinweis an die ki|an den assistenten|nota per l'ia|all'assistente|nota para a ia|para o assistente|notitie voor de ai|aan de assistent|uwaga dla ai|do asystenta|для ии|ассистенту|для ші|асистенту|yapay zekaya|asistana|إلى المساعد|للذكاء الاصطناعي|नोट एआई|सहायक के लिए|एआई के लिए|AIへ|アシスタントへ|AI에게|어시스턴트에게|给AI|致AI|给助手|致助手"
    ),
    "filters": (
        "filter|censor|safety|moderation|content policy|guardrail|filtro|censura|seguridad|moderación|filtre|censure|sécurité|modération|zensur|sicherheit|moderation|filtri|sicurezza|moderazione|segurança|moderação|beveiliging|moderatie|filtr|cenzur|bezpieczeń|moderacj|фильтр|цензур|безопасност|модерац|фільтр|безпек|модерац|sansür|güvenlik|moderasyon|مرشح|فلتر|الرقابة|الأمان|فلاتر|फ़िल्टर|फिल्टर|सेंसर|सुरक्षा|フィルター|検閲|安全|필터|검열|안전|过滤|审查|安全"
    ),
    "bypass": (
        "bypass|circumvent|override|get around|work around|eludir|saltarte|contourne|outrepasse|umgehe|aggira|eludi|contorne|burle|omzeil|omzeilen|obejdź|omiń|обойди|обход|обійди|обхід|etrafından dolan|تجاوز|تخطى|बायपास|दरकिनार|回避|迂回|すり抜け|우회|무력화|绕过|规避"
    ),
    "two_answers": (
        "two answers|two responses|two replies|two different responses|answer twice|dual response|dos respuestas|"
        "deux réponses|zwei antworten|due risposte|duas respostas|twee antwoorden|dwie odpowiedzi|два ответа|"
        "дві відповіді|iki cevap|إجابتين|ردين|दो जवाब|二つの答え|2つの回答|두 개의 답|답을 두 개|两个回答|两种回答"
    ),
    "in_character": (
        "stay in character|break character|out of character|stay in role|no salgas del personaje|"
        "no rompas el personaje|reste dans ce rôle|ne sors pas du personnage|bleib in der rolle|"
        "fall nicht aus der rolle|resta nel personaggio|non uscire dal personaggio|não saia do personagem|"
        "blijf in je rol|nie wychodź z roli|не выходи из роли|не виходь із ролі|rolden çıkma|ابق في الدور|"
        "لا تخرج من الدور|किरदार मत छोड़|役を崩さ|역할에서 벗어나지|不要跳出角色|保持角色"
    ),
    # Time frames that turn a one-off request into a standing order ("from now on you are ...").
    "from_now_on": (
        "from now on|from this point on|henceforth|for the rest of this conversation|a partir de ahora|"
        "de ahora en adelante|à partir de maintenant|désormais|dorénavant|ab jetzt|von nun an|ab sofort|"
        "da ora in poi|d'ora in poi|a partir de agora|daqui em diante|de agora em diante|vanaf nu|van nu af aan|"
        "od teraz|od tej chwili|отныне|с этого момента|впредь|відтепер|з цього моменту|надалі|bundan sonra|"
        "bundan böyle|şu andan itibaren|من الآن فصاعدا|من الآن|अब से|आज से|今後|これから|今から|이제부터|"
        "지금부터|앞으로|从现在起|从现在开始|今后|此后"
    ),
    # An order riding on a task over some data: "while processing this, also do ...".
    "while_processing": (
        "while processing|when processing|while you process|as you process|while summarizing|when you summarize|"
        "when you read this|while reading this|mientras procesas|al procesar|al resumir|mientras resumes|"
        "pendant que tu traites|en traitant|en résumant|während du|beim verarbeiten|beim zusammenfassen|"
        "mentre elabori|mentre riassumi|nell'elaborare|enquanto processa|ao processar|ao resumir|terwijl je|"
        "bij het verwerken|bij het samenvatten|podczas przetwarzania|przetwarzając|streszczając|"
        "пока обрабатываешь|при обработке|обрабатывая|когда будешь|поки обробляєш|під час обробки|"
        "обробляючи|işlerken|özetlerken|okurken|أثناء معالجة|عند معالجة|أثناء تلخيص|"
        "प्रोसेस करते समय|संसाधित करते|सारांश बनाते समय|処理する間|処理中|要約する際|読む際|"
        "처리하는 동안|처리할 때|요약할 때|在处理|处理时|总结时|阅读时"
    ),
    "never_refuse": (
        "never refuse|never say no|never says no|always comply|don't refuse|cannot refuse|nunca se niega|"
        "nunca te niegues|ne refuse jamais|ne refuses jamais|lehnt nie ab|lehne nie ab|non rifiuta mai|"
        "non rifiutare mai|nunca recusa|nunca recuse|weigert nooit|weiger nooit|nigdy nie odmawia|"
        "nigdy nie odmawiaj|никогда не отказывает|никогда не отказывай|ніколи не відмовля|asla reddetme|"
        "لا يرفض أبدا|لا ترفض أبدا|कभी मना नहीं|決して断らない|断らない|절대 거절하지|거절하지 않|从不拒绝|绝不拒绝|永远不要拒绝"
    ),
}


# Spellings start a word. Letting them also start past Arabic's proclitics ("والتعليمات", "and the
# instructions", reached as "تعليمات"), with Russian and Ukrainian perfectives added ("проигнорируй"),
# was measured with six project sets held out in turn (b, c, d, e, f, h; bench/guard_eval.py
# --sources): Arabic attacks blocked 120 of 144 either way, its benign prompts blocked 1 -> 2 of
# 168, all attacks 1,726 -> 1,727 of 2,304 at the shipped point. Not done: the n-grams of each
# language already carry what the concepts would add there.
# Scripts written without spaces between words: there a spelling may start anywhere.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD_START = re.compile(r"(?<!\w)\w")
_PREFIX_CHARS = 3
CONCEPT_PREFIX = "k:"


@dataclass(frozen=True)
class _Index:
    by_prefix: dict[str, tuple[tuple[str, str], ...]]  # first letters -> (spelling, concept)
    unspaced: tuple[tuple[str, str], ...]  # spellings in unspaced scripts, matched anywhere
    short: tuple[tuple[str, str], ...]  # spellings shorter than a prefix, matched anywhere


@cache
def _index() -> _Index:
    """Spellings as ``normalize`` leaves them, keyed by their first letters."""
    by_prefix: dict[str, list[tuple[str, str]]] = {}
    unspaced: list[tuple[str, str]] = []
    short: list[tuple[str, str]] = []
    for concept, spellings in CONCEPTS.items():
        for spelling in dict.fromkeys(normalize(raw) for raw in spellings.split("|")):
            if _UNSPACED.search(spelling):
                unspaced.append((spelling, concept))
            elif len(spelling) < _PREFIX_CHARS:
                short.append((spelling, concept))
            else:
                by_prefix.setdefault(spelling[:_PREFIX_CHARS], []).append((spelling, concept))
    return _Index({prefix: tuple(entries) for prefix, entries in by_prefix.items()}, tuple(unspaced), tuple(short))


def concept_positions(normalized: str) -> dict[str, int]:
    """Each concept with a spelling in the normalized text, and where its first spelling starts.

    In spaced scripts a spelling must start a word (a stem such as "инструкци" still covers its
    endings); in Chinese, Japanese and Korean it may start anywhere.
    """
    found: dict[str, int] = {}
    for start, concept in concept_occurrences(normalized):
        if start < found.get(concept, len(normalized)):
            found[concept] = start
    return found


def concept_occurrences(normalized: str) -> list[tuple[int, str]]:
    """(start, concept) of every spelling of every concept in the normalized text; ``concept_positions``
    keeps each concept's first, and a text's sentences share one pass over it (planted.py)."""
    index = _index()
    found: list[tuple[int, str]] = []
    for match in _WORD_START.finditer(normalized):
        start = match.start()
        for spelling, concept in index.by_prefix.get(normalized[start : start + _PREFIX_CHARS], ()):
            if normalized.startswith(spelling, start):
                found.append((start, concept))
    if not normalized.isascii() and _UNSPACED.search(normalized):
        found.extend(
            (match.start(), concept) for spelling, concept in index.unspaced for match in _all(spelling, normalized)
        )
    found.extend((match.start(), concept) for spelling, concept in index.short for match in _all(spelling, normalized))
    return found


def _all(spelling: str, text: str) -> Iterator[re.Match[str]]:
    return re.finditer(re.escape(spelling), text) if spelling in text else iter(())


def concept_pairs(concepts: Collection[str]) -> list[str]:
    """``concept_features`` of a text naming ``concepts`` (bare names, any order)."""
    found = [CONCEPT_PREFIX + concept for concept in CONCEPTS if concept in concepts]
    return found + [f"{first}+{second[len(CONCEPT_PREFIX) :]}" for first, second in combinations(found, 2)]


def concepts_in(normalized: str) -> list[str]:
    """``k:<concept>`` for each concept with a spelling in the normalized text, in CONCEPTS order."""
    found = concept_positions(normalized)
    return [CONCEPT_PREFIX + concept for concept in CONCEPTS if concept in found]


def concept_features(normalized: str) -> list[str]:
    """The concepts in the text and every pair of them ("k:ignore+instructions").

    One concept is weak evidence ("ignore the typos", "print a poster"); an attack names several
    at once, in whatever language, and a pair is what carries that across languages.
    """
    found = concepts_in(normalized)
    pairs = [f"{first}+{second[len(CONCEPT_PREFIX) :]}" for first, second in combinations(found, 2)]
    return found + pairs
