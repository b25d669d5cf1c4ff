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

from bot.guard.last_token_list import LastTokenList

FOREIGN_FUNCTION_WORDS = frozenset(
    """
    der das und ist nicht ein eine einen einem einer mit für auf dem des sich zu von vom zum zur
    bitte wir ihr sie auch dieser diese dieses nach bei oder wird werden sind wie über unter
    les et est une du pour avec dans sur pas vous nous cette qui que au aux très sont leur ou
    el los las es una por para del se al como pero muy su está están entre también
    il gli della delle dello che non sono alla alle nel nella questo questa anche molto
    uma das não pelo pela são mais também seu sua
    het een en voor niet dat ik je wij zijn naar ook maar bij deze
    się nie jest że dla jak oraz przez od czy są już tylko
    och att är för inte det som og ikke på
    ve bir için ile bu çok olan
    """.split()
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
    """.split()
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


_foreign: LastTokenList[list[bool]] = LastTokenList()


def foreign_sentences(texts: list[str], ends: Sequence[int]) -> list[bool]:
    """For each token, whether its sentence is foreign (see the module docstring); ``ends`` are
    the indices of the tokens that end a sentence, in order, the last token's among them. Worked
    out once per token list (``LastTokenList``): the gate asks from many places."""
    return _foreign.get(texts, lambda: _flags(texts, ends))


# A word of both lists counts as another language's.
_ENGLISH_ONLY = ENGLISH_FUNCTION_WORDS - FOREIGN_FUNCTION_WORDS


def _flags(texts: list[str], ends: Sequence[int]) -> list[bool]:
    flags: list[bool] = []
    start = 0
    for last in ends:
        lowered = [text.lower() for text in texts[start : last + 1]]
        # Counted in C: a sum of booleans over the sentence, not a branch a token.
        foreign = sum(map(FOREIGN_FUNCTION_WORDS.__contains__, lowered))
        english = sum(map(_ENGLISH_ONLY.__contains__, lowered))
        flags.extend([foreign >= _MIN_FOREIGN_WORDS and foreign > english] * (last + 1 - start))
        start = last + 1
    return flags
