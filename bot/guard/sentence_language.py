"""Which sentences of a prompt are written in another Latin-script language than English.

The packaged NER model learned English. German writes every noun with a capital, and French,
Spanish, Dutch or Polish headings and openers look to it like names too; a capitalised word no
list knows, shaped like a name, is evidence of a name in an English sentence ("Thirumurthi") and
of nothing in a German one ("Betriebsvereinbarung", "Geschäftsführung"). Function words tell the
languages apart cheaply: a sentence holding at least two of another language's, and more of them
than of English's, is foreign. Only words that are no English word or abbreviation are listed
("die", "den", "also", "ten", "con", "PO", "AUS", "com" are English too). Cyrillic text is left
as it was: its names are in no list, and read by the model they are found more often than its
sentence openers are masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from bot.guard.last_token_list import LastTokenList

FOREIGN_FUNCTION_WORDS = frozenset(
    """
    der das und ist nicht ein eine einen einem einer mit für auf dem des sich zu von vom zum zur
    bitte wir ihr sie auch dieser diese dieses nach bei oder wird werden sind wie über unter
    ich mir mich dich dir uns euch noch schon sehr seit habe haben wurde wurden keinen dass wenn weil
    aber unser unsere unseren unserem meine meinen meinem deine seine ihre ihren
    les et est une du pour avec dans sur pas vous nous cette qui que au aux très sont leur ou
    ces chez sans mais
    el los las es una por para del se al como pero muy su está están entre también
    il gli della delle dello che non sono alla alle nel nella questo questa anche molto
    dal dei degli sul nei quello quella
    uma das não pelo pela são mais também seu sua é você vocês quem isso isto dela dele eles elas nós
    è perché cosa
    het een en voor niet dat ik je wij zijn naar ook maar bij deze
    się nie jest że dla jak oraz przez od czy są już tylko
    och att är för inte det som og ikke på
    ve bir için ile bu çok olan
    """.split()
)
# Words that open or fill sentences of those languages and are also English words, abbreviations
# or someone's name ("La", "Si", "Lo", "Er", "Ma", "Una", "Como"): no evidence of a language, so
# not counted above, but no name or place in a sentence already known to be foreign ("La
# fotosíntesis es...", "Er heißt Herr Schulze", "Ma belle-mère Sylvie").
FOREIGN_SENTENCE_WORDS = frozenset(
    """
    la lo las los el un unos unas si no son era fue ser hay más menos porque cuando donde durante
    después antes desde hasta sobre según sin mi mis tu tus yo él ella ellos ellas nosotros usted
    ustedes me te le les nos este esta estos estas ese esa eso tengo tenemos puedo hoy ayer mañana
    además entonces luego así ya aún todavía cada todo toda todos todas otro otra vivo moro
    o os a as um uns umas eu ele nós eles elas você vocês meu minha meus minhas nosso nossa isso
    isto esse essa é era foi tem tenho depois até sem ainda já hoje ontem amanhã
    le je il elle on vous ils elles mon ma mes ton ta tes son sa ses notre votre ce cet ces quoi
    mais donc car ni oui non être avoir ai avons avez ont fait faire peut peux dois voici voilà
    aussi encore déjà toujours jamais hier demain chaque tout toute tous toutes
    lo i gli di da in con su per tra fra io lui lei noi voi loro mio mia miei mie tuo tua cosa
    come dove quando perché però se sì ho hai ha abbiamo avete hanno fai faccio posso ancora già
    sempre mai oggi ieri domani ogni tutto tutta tutti una uno
    die den ich du er es mein meine meinen meinem meiner dein deine sein seine unser unsere
    euer ihre jener welche was wo aber denn doch wenn weil dass ob als noch schon immer nie heute
    gestern morgen jeder jede jedes alle soll sollte sollen muss müssen kann können darf dürfen
    will wollen möchte hat habe haben war waren gibt hier dort da dann ja nein kein keine
    jij hij zij ze we jullie jouw haar ons onze wat wie waar wanneer waarom hoe want of als omdat
    dus nog al altijd nooit vandaag gisteren elk elke alle kan kun kunnen moet moeten wil willen
    mag heb hebt heeft hebben ben bent was waren wordt worden er daar nee geen
    els les jo ell nosaltres vosaltres ells meu meva teu teva seu seva aquest aquesta això què
    com on quan però perquè és tinc vull puc també encara avui ahir demà cada tot tota tots totes
    bana sana ona bize size ben sen biz siz onlar şu ama fakat çünkü eğer ne neden nasıl nerede
    kim hangi en daha az her hiç bugün dün yarın evet hayır değil var yok
    nola zein nor zer non noiz zergatik eta baina edo ni zu gu hau hori hura bat ez bai
    ja ty ona my wy oni mój moja moje twój twoja jego jej nasz nasza ten ta to te co kto gdzie
    kiedy dlaczego ale lub albo bo jeśli też także jeszcze zawsze nigdy dziś dzisiaj wczoraj tono
    jutro każdy wszystko tak mam masz ma mamy
    lunes martes miércoles jueves viernes sábado domingo enero febrero marzo abril mayo junio
    julio agosto septiembre octubre noviembre diciembre
    segunda terça quarta quinta sexta sábado domingo janeiro fevereiro março maio junho julho
    setembro outubro novembro dezembro
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin
    juillet août septembre octobre novembre décembre
    lunedì martedì mercoledì giovedì venerdì sabato domenica gennaio febbraio aprile maggio
    giugno luglio settembre ottobre dicembre
    montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz juni juli
    oktober dezember
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart mei juli
    augustus
    """.split()  # noqa: RUF001  # Turkish dotless i on purpose
)
# The verbs and question words that open requests in other languages ("Explica", "Erkläre",
# "Объясни", "Как", "Γράψε"): capitalised as any first word, never a name, and in no list. Words
# that are names or places too ("Como", "Donne") are left out. Cyrillic and Greek are covered
# here, though their sentences are otherwise read as English ones (see above): these openers are
# no one's name.
FOREIGN_OPENERS = frozenset(
    """
    explica explícame explicame escribe escríbeme dime dame haz hazme crea genera resume resúmeme
    traduce enumera menciona cuál cuáles qué cómo dónde cuándo cuánto cuántos cuántas quién
    hola podrías puedes quiero necesito sabes conoces ayúdame ayudame redacta elabora cuéntame
    explique escreva diga faça crie gere resuma traduza liste olá você quais qual onde quem
    pode poderia preciso quero
    spiega scrivi dimmi fammi riassumi traduci elenca ciao quale quali dove chi puoi potresti
    vorrei
    écris écrivez donnez fais faites crée créez génère résume traduis bonjour salut quel quelle
    quels quelles comment pourquoi où quand peux pouvez pourrais voudrais
    erkläre erklär schreibe schreib gib mach erstelle fasse übersetze nenne beschreibe hallo
    welche welcher welches warum wieso weshalb wann wer kannst könntest können würdest
    объясни объясните напиши напишите расскажи расскажите помоги помогите придумай придумайте
    сделай сделайте переведи переведите опиши опишите составь составьте создай создайте приведи
    приведите дай дайте скажи скажите покажи покажите назови назовите перечисли перечислите
    предложи предложите представь представьте сравни сравните найди найдите реши решите
    посоветуй посоветуйте подскажи подскажите ответь ответьте исправь исправьте перепиши
    перепишите продолжи продолжите выбери определи как что почему какой какая какие где когда
    кто зачем сколько можно можешь можете привет здравствуйте пожалуйста спасибо это
    raconte racontez dis soll sollte fai kun kunt nola zein zer bana sana nasıl neden nedir hangi
    liebe lieber liebes grazie buongiorno buonasera danke merci gracias obrigado obrigada saludos
    abraço abraços pozdrawiam atentamente cordialmente atenciosamente cordialement saygılarımla
    montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz oktober dezember
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart augustus
    lunedì martedì mercoledì giovedì venerdì gennaio febbraio giugno luglio ottobre dicembre
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier février juin juillet août
    septembre octobre décembre lunes miércoles jueves viernes enero febrero junio julio
    septiembre octubre noviembre diciembre pazartesi salı çarşamba perşembe cuma cumartesi ocak
    şubat haziran temmuz ağustos ekim kasım aralık
    trois tres três tre drei deux dois due zwei quatre quatro quattro vier cinq cinco cinque fünf
    nieuwe nowa nowy nowe nová nový nya yeni bir szkoda jaka jaki jakie
    beste freundliche herzliche gentile englische deutsche französische spanische italienische
    niederländische polnische türkische russische portugiesische chinesische japanische
    поясни розкажи допоможи зроби переклади як що чому який яка які де коли хто навіщо скільки
    привіт дякую
    γράψε γράψτε στείλε στείλτε ετοίμασε ετοιμάστε φτιάξε φτιάξτε δημιούργησε δημιουργήστε εξήγησε
    εξηγήστε μετάφρασε μεταφράστε συνόψισε συνοψίστε βοήθησε βοηθήστε πες πείτε δώσε δώστε κάνε
    κάντε οργάνωσε οργανώστε ενημέρωσε ενημερώστε σύνταξε συντάξτε πρότεινε προτείνετε περίγραψε
    περιγράψτε απάντησε απαντήστε διόρθωσε διορθώστε ξαναγράψε ξαναγράψτε συνέχισε συνεχίστε
    ανάλυσε αναλύστε σύγκρινε συγκρίνετε βρες βρείτε δείξε δείξτε παρουσίασε παρουσιάστε ευχαρίστησε
    ευχαριστήστε σχεδίασε σχεδιάστε έλεγξε ελέγξτε μετάτρεψε αναδιατύπωσε προετοίμασε κατάγραψε
    θέλω θέλουμε χρειάζομαι χρειαζόμαστε μπορείς μπορείτε τι ποιος ποια ποιο ποιοι ποιες πώς
    γιατί πού πότε πόσο πόσα γεια καλημέρα καλησπέρα χαίρετε παρακαλώ ευχαριστώ ευχαριστούμε
    """.split()  # noqa: RUF001  # Turkish dotless i on purpose
)
# Russian and Ukrainian pronouns, determiners and the forms of address a letter opens with,
# capitalised at the start of many sentences; some are names or places elsewhere once
# transliterated ("Наш", "Моя", "Шановна" as a patronymic; see gazetteer.py).
CYRILLIC_EVERYDAY_WORDS = frozenset(
    """
    наш наша наше наши ваш ваша ваше ваши мой моя моё мое мои твой твоя твоё твои свой своя своё свои
    этот эта это эти тот та то те весь вся всё все такой такая такое такие каждый каждая любой
    новый новая новое новые старый старая старое старые
    наші ваші мій моє мої твій твоє твої свій своє свої цей ця це ці той ті уся усі всі кожен кожна
    такий така таке такі новий нова нове нові старий стара старе старі
    уважаемый уважаемая уважаемые дорогой дорогая дорогие шановний шановна шановні дорогий дорога
    тема
    """.split()  # noqa: RUF001  # Cyrillic letters on purpose
)
# Greek articles, pronouns, conjunctions, adverbs, the forms of address a letter opens with, the
# headings of a summary, the days, months and feasts, each in the nominative (the gazetteer reads
# the other cases off their endings, see greek_words.py): capitalised at the start of sentences
# and, for the days and months, inside them too; some are names or places once transliterated or
# as a word of a longer place ("Νέα Σμύρνη", "Μέσα Γειτονικά", "Αλλά" as "Alla").
GREEK_EVERYDAY_WORDS = frozenset(
    """
    ο η το οι τα τον την του της των τους τις ένα ένας μία μια ενός μιας
    αυτός αυτή αυτό αυτοί αυτές αυτά αυτόν αυτήν αυτού αυτής αυτών εκείνος εκείνη εκείνο εκείνοι
    εγώ εσύ εμείς εσείς μου σου μας σας τους μαζί κάθε όλος όλη όλο όλοι όλες όλα κάποιος κάποια
    κάποιο κανείς κανένας καμία τίποτα κάτι άλλος άλλη άλλο άλλοι άλλες άλλα ίδιος ίδια ίδιο
    και αλλά ή όμως επίσης ακόμα ακόμη επειδή όταν αν εάν ενώ μετά πριν κατά για από με σε στο στη
    στην στον στα στους στις προς χωρίς μέχρι έως μέσα έξω πάνω κάτω εδώ εκεί τώρα σήμερα αύριο
    χθες χτες πάντα ποτέ ήδη μόνο πολύ λίγο ναι όχι δεν μην θα να ας ίσως λοιπόν έτσι οπότε επομένως
    συνεπώς τέλος αρχικά πρώτα πρώτον δεύτερον ειδικά συγκεκριμένα παρακάτω παραπάνω
    αγαπητός αγαπητή αγαπητοί αγαπητές κύριος κυρία κύριοι κυρίες φίλος φίλη φίλοι συνάδελφος
    συνάδελφοι νέος νέα νέο νέοι νέες καινούργιος καινούργια καινούργιο παλιός παλιά παλιό
    μεγάλος μεγάλη μεγάλο μικρός μικρή μικρό καλός καλή καλό καλά σημαντικό σημαντικά
    θέμα σημείωση σημειώσεις υπενθύμιση σύνοψη περίληψη ανακοίνωση πρόσκληση ενημέρωση ευχαριστίες
    συγχαρητήρια αποτελέσματα στόχος στόχοι πρόγραμμα ατζέντα πρακτικά συμπεράσματα ερωτήσεις
    απαντήσεις επόμενα βήματα ομάδα εταιρεία πελάτες πελάτης εβδομάδα μήνας χρόνος έτος
    δευτέρα τρίτη τετάρτη πέμπτη παρασκευή σάββατο κυριακή
    ιανουάριος φεβρουάριος μάρτιος απρίλιος μάιος ιούνιος ιούλιος αύγουστος σεπτέμβριος οκτώβριος
    νοέμβριος δεκέμβριος γενάρης φλεβάρης μάρτης απρίλης μάης ιούνης ιούλης σεπτέμβρης οκτώβρης
    νοέμβρης δεκέμβρης χριστούγεννα πάσχα πρωτοχρονιά αποκριές
    """.split()  # noqa: RUF001  # Greek letters on purpose
)
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    the and of to is are was were for with you your this that these those please our we it its
    be been have has had will would can could should on at by from as an or not but if about
    into what which who how all any each my me us they their them he she his her there here
    """.split()
)
_MIN_FOREIGN_WORDS = 2


class SentenceLanguages(NamedTuple):
    """Two readings of each token's sentence: ``decided``, foreign by its own function words;
    ``read_with_the_prompt``, the same, except that a sentence with too few function words of
    either language to tell ("¿Es seguro?", "Lieu : Domaine de la Brière") takes the prompt's
    language."""

    decided: list[bool]
    read_with_the_prompt: list[bool]


_foreign: LastTokenList[SentenceLanguages] = LastTokenList()


def foreign_sentences(texts: list[str], ends: Sequence[int]) -> SentenceLanguages:
    """For each token, whether its sentence is foreign (see the module docstring and
    ``SentenceLanguages``); ``ends`` are the indices of the tokens that end a sentence, in order,
    the last token's among them. Worked out once per token list (``LastTokenList``): the gate
    asks from many places."""
    return _foreign.get(texts, lambda: _flags(texts, ends))


# A word of both lists counts as another language's.
_ENGLISH_ONLY = ENGLISH_FUNCTION_WORDS - FOREIGN_FUNCTION_WORDS


def _flags(texts: list[str], ends: Sequence[int]) -> SentenceLanguages:
    return sentences_in_language(texts, ends, FOREIGN_FUNCTION_WORDS, _ENGLISH_ONLY)


def sentences_in_language(
    texts: list[str], ends: Sequence[int], own_words: frozenset[str], english_words: frozenset[str]
) -> SentenceLanguages:
    """``SentenceLanguages`` of a language known by ``own_words``, against English's
    ``english_words``: a sentence with at least two of its words, and more of them than of
    English's, is in it."""
    counts: list[tuple[int, int, int]] = []
    start = 0
    for last in ends:
        lowered = [text.lower() for text in texts[start : last + 1]]
        # Counted in C: a sum of booleans over the sentence, not a branch a token.
        foreign = sum(map(own_words.__contains__, lowered))
        english = sum(map(english_words.__contains__, lowered))
        counts.append((foreign, english, last + 1 - start))
        start = last + 1
    all_foreign = sum(foreign for foreign, _, _ in counts)
    all_english = sum(english for _, english, _ in counts)
    prompt_is_foreign = all_foreign >= _MIN_FOREIGN_WORDS and all_foreign > all_english
    decided: list[bool] = []
    with_the_prompt: list[bool] = []
    for foreign, english, length in counts:
        is_foreign = foreign >= _MIN_FOREIGN_WORDS and foreign > english
        undecided = foreign + english < _MIN_FOREIGN_WORDS
        decided.extend([is_foreign] * length)
        with_the_prompt.extend([prompt_is_foreign if undecided else is_foreign] * length)
    return SentenceLanguages(decided, with_the_prompt)
