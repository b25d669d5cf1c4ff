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
from dataclasses import dataclass
from functools import cache

from bot.guard.normalize import normalize

# Spellings are separated by "|"; each is matched as a substring of the normalized prompt, so
# a stem ("инструкци") covers its inflections.
CONCEPTS: dict[str, str] = {
    "ignore": (
        "ignore|disregard|forget|ignora|olvida|ignorez|oublie|ignoriere|vergiss|dimentica|esqueça|negeer|"
        "vergeet|zignoruj|zapomnij|игнорир|забудь|ігнор|yok say|unut|تجاهل|انس|अनदेखा|भूल जाओ|無視|忘れ|무시|잊|"
        "忽略|忘掉|忘记"
    ),
    "previous": (
        "previous|prior|earlier|above|anteriores|précédent|vorherig|bisherig|precedent|vorige|eerdere|"
        "poprzedni|предыдущ|прежн|попередн|önceki|السابقة|पिछले|これまで|以前|이전|之前"
    ),
    "instructions": (
        "instruction|instrucciones|consignes|anweisung|istruzion|instruções|instructies|instrukcj|"
        "инструкци|інструкці|указани|вказівк|talimat|yönerge|تعليمات|توجيهات|निर्देश|指示|지시|지침|指令"
    ),
    "rules": (
        "rules|guidelines|policy|policies|reglas|normas|règles|regeln|richtlinie|regole|regras|"
        "diretrizes|regels|richtlijn|zasad|правил|kural|القواعد|قواعد|नियम|ルール|規則|규칙|规则|准则|政策"
    ),
    "system_prompt": (
        "system prompt|system message|prompt de sistema|prompt système|systemprompt|prompt di sistema|"
        "systeemprompt|prompt systemow|системн|sistem istemi|موجه النظام|सिस्टम प्रॉम्प्ट|システムプロンプト|"
        "시스템 프롬프트|系统提示"
    ),
    "reveal": (
        "reveal|disclose|print|repeat|verbatim|revela|muéstrame|révèle|affiche|mot pour mot|verrate|zeig|"
        "wort für wort|rivela|mostra|parola per parola|revele|palavra por palavra|onthul|"
        "woord voor woord|ujawnij|pokaż|słowo w słowo|раскрой|покажи|дословно|розкрий|слово в слово|"
        "açıkla|kelimesi kelimesine|اكشف|اعرض|حرفي|शब्दशः|दिखाओ|明かし|そのまま|一字一句|공개|그대로|透露|逐字|显示"
    ),
    "secret": (
        "password|secret|confidential|hidden|contraseña|secreto|oculta|mot de passe|secrète|cachée|"
        "passwort|geheim|versteckt|segret|nascost|senha|ocult|wachtwoord|verborgen|hasło|tajn|ukryt|"
        "пароль|секрет|скрыт|таємн|прихован|şifre|gizli|كلمة المرور|كلمة مرور|السرية|المخفية|पासवर्ड|"
        "गुप्त|छिपे|パスワード|秘密|隠された|비밀번호|비밀|숨겨진|密码|隐藏"
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
        "режим розробника|geliştirici mod|وضع المطور|डेवलपर मोड|開発者モード|개발자 모드|开发者模式"
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
        "開発者|許可|관리자|소유자|개발자|권한|管理员|授权|开发者|允许"
    ),
    "disable": (
        "disable|turn off|switch off|deactivate|suspend|desactiva|apaga|désactive|deaktiviere|abschalten|"
        "schalte|disattiva|desative|desligue|uitschakelen|schakel|wyłącz|отключи|выключи|вимкни|відключи|"
        "devre dışı|kapat|تعطيل|عطّل|إيقاف|बंद कर|無効|解除|오프|비활성화|꺼|끄|关闭|关掉|禁用|解除"
    ),
}


# Scripts written without spaces between words: there a spelling may start anywhere.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD_START = re.compile(r"(?<!\w)\w")
_PREFIX_CHARS = 3


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


def concepts_in(normalized: str) -> list[str]:
    """``k:<concept>`` for each concept with a spelling in the normalized text, in CONCEPTS order.

    In spaced scripts a spelling must start a word (a stem such as "инструкци" still covers its
    endings); in Chinese, Japanese and Korean it may start anywhere.
    """
    index = _index()
    found: set[str] = set()
    for match in _WORD_START.finditer(normalized):
        start = match.start()
        for spelling, concept in index.by_prefix.get(normalized[start : start + _PREFIX_CHARS], ()):
            if concept not in found and normalized.startswith(spelling, start):
                found.add(concept)
    if not normalized.isascii() and _UNSPACED.search(normalized):
        found.update(concept for spelling, concept in index.unspaced if spelling in normalized)
    found.update(concept for spelling, concept in index.short if spelling in normalized)
    return [f"k:{concept}" for concept in CONCEPTS if concept in found]
