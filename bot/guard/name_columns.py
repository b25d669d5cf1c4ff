"""The people and places of a pasted table, told by its column headers.

A spreadsheet pasted as CSV or tab-separated lines, or a Markdown table, says what its cells are in
its first row: "姓名,城市,商品", "이름\t시간", "الاسم\tالساعات", "नाम | शहर", "Vorname;Nachname".
Under such a header a bare given name ("민수", "बबलू", "محمود") or a city ("西安") stands with no
word beside it that the other recognizers could read, and the name model reads none of those
scripts. A cell is masked when

- its column is headed by a word for a person's name or for a place, and
- it looks like one: a short run of letters, with no digit, address or mail sign, and, written
  in Latin, Greek or Cyrillic letters, its words capitalised.

A generic "name" header ("Name", "Nombre", "Nom") heads products and plans as often as people in
the languages the name model reads, so it counts there only for cells the model cannot read
("Name,City" over "민수,서울"); headers that can only mean a person ("Full name", "Vorname",
"Ad Soyad", "ФИО") count for any cell.
"""

# ruff: noqa: RUF001, RUF002  # headers and examples in their own scripts

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from presidio_analyzer import RecognizerResult

from bot.guard.findings import Span, SpanRecognizer
from bot.guard.native_script_places import NativeScriptPlaceRecognizer
from bot.guard.script_ranges import unread_by_the_name_model
from bot.guard.table_headers import delimited_tables
from bot.guard.titled_names import NAME_ENTITY, SCORE

# "Name" in the project's languages: a person's in a table of people, a thing's in a price list.
NAME_HEADERS = frozenset(
    """
    name names nombre nom nome naam imię имя ім'я ім’я isim ad
    名前 氏名 名 이름 성명 姓名 名字 الاسم اسم الإسم नाम ชื่อ
    """.split()
)
# Headers that can only head people, whatever script their cells are in.
PERSON_HEADERS = frozenset(
    h.strip().casefold()
    for h in """
    full name|first name|last name|surname|given name|family name|contact person|contact name|employee|
    employee name|staff|attendee|attendees|participant|participants|student|student name|guest|
    nombre completo|nombre y apellidos|apellidos|apellido|empleado|empleada|alumno|alumna|participante|invitado|
    nom complet|prénom|nom et prénom|prénom et nom|nom de famille|employé|employée|élève|invité|
    nome completo|nome e cognome|cognome|dipendente|partecipante|studente|
    vorname|nachname|vor- und nachname|mitarbeiter|mitarbeiterin|teilnehmer|teilnehmerin|ansprechpartner|
    volledige naam|voornaam|achternaam|medewerker|deelnemer|contactpersoon|
    sobrenome|funcionário|funcionária|
    imię i nazwisko|nazwisko|pracownik|uczestnik|
    фио|ф.и.о.|фамилия|имя и фамилия|фамилия и имя|сотрудник|участник|
    піб|прізвище|ім'я та прізвище|співробітник|учасник|
    ad soyad|adı soyadı|ad-soyad|soyad|soyadı|çalışan|katılımcı|personel|
    担当者|社員|従業員|参加者|出席者|お名前|フルネーム|
    담당자|직원|참석자|참가자|성함|
    联系人|聯絡人|负责人|負責人|员工|員工|参会人|参加人|参与人|
    الاسم الكامل|الموظف|المشارك|اسم الموظف|
    पूरा नाम|कर्मचारी|प्रतिभागी|कर्मचारी का नाम
    """.replace("\n", "").split("|")
)
PLACE_HEADERS = frozenset(
    h.strip().casefold()
    for h in """
    city|town|place|country|ciudad|localidad|país|ville|pays|città|paese|cidade|stad|plaats|land|
    stadt|ort|miasto|miejscowość|kraj|город|страна|місто|країна|şehir|il|ülke|
    都市|市区町村|都道府県|国|도시|지역|국가|城市|地区|國家|国家|省份|
    المدينة|مدينة|البلد|الدولة|शहर|देश|स्थान|जगह|เมือง|จังหวัด
    """.replace("\n", "").split("|")
)
# Headers of columns of products, brands and firms: a name the name model finds in one of their
# cells ("Tata Tea", "Fratelli Bertolli") names a thing.
THING_HEADERS = frozenset(
    h.strip().casefold()
    for h in """
    product|products|item|brand|company|supplier|vendor|producto|marca|empresa|proveedor|artículo|produit|marque|
    société|fournisseur|article|prodotto|azienda|fornitore|articolo|produto|fornecedor|produkt|marke|firma|
    lieferant|artikel|bedrijf|leverancier|dostawca|товар|продукт|бренд|компания|поставщик|виріб|компанія|
    постачальник|ürün|marka|şirket|tedarikçi|商品|製品|ブランド|会社|メーカー|상품|제품|브랜드|회사|产品|品牌|公司|
    供应商|商品名|منتج|المنتج|العلامة التجارية|الشركة|المورد|उत्पाद|ब्रांड|कंपनी
    """.replace("\n", "").split("|")
)
# Cells of a place column that name no place.
NOT_PLACES = frozenset("remote online hybrid virtual tbd tbc n/a none various other unknown all home office".split())
_MAX_CELL_CHARACTERS = 40
_MAX_WORDS = 4
_NOT_A_NAME = re.compile(r"[\d@/\\:=#%&*+<>()\[\]{}_~]|https?|www\.")
# A header row is words: one with a key's "=", an address or a link is a record's fields
# ("ATTENDEE;CN=Daan Bakker:mailto:...").
_NOT_A_HEADER = re.compile(r"[=@]|://|mailto:", re.IGNORECASE)
# A team or a department in a column of people ("人事部", "客服部", "영업팀", "Team Nord").
_GROUP_SUFFIX = re.compile(r"(?:部|科|課|课|组|組|室|班|处|處|团队|團隊|チーム|センター|中心|팀|부|과|실)$")
GROUP_WORDS = frozenset(
    """
    team department dept equipo departamento équipe service squadra reparto abteilung afdeling
    zespół dział команда отдел відділ ekip ekibi departmanı birim فريق قسم إدارة ادارة टीम विभाग
    """.split()
)
# Each word of a header, and the words of a text as a table's delimiters cut them: a text holding
# none of the first among the second holds no table this module reads (most prompts).
_HEADER_WORDS = frozenset(
    word for header in NAME_HEADERS | PERSON_HEADERS | PLACE_HEADERS | THING_HEADERS for word in header.split()
)
_CELL_WORD = re.compile(r"[^\s,;|\u060c\uff0c*_:\"]+")


@lru_cache(maxsize=4)
def column_cells(text: str) -> tuple[tuple[Span, ...], tuple[Span, ...], tuple[Span, ...]]:
    """(cells of person columns, of place columns, of product, brand and firm columns) of the
    tables of ``text``; only cells that look like names in the first two."""
    people: list[Span] = []
    places: list[Span] = []
    things: list[Span] = []
    if _HEADER_WORDS.isdisjoint(_CELL_WORD.findall(text.lower())):
        return (), (), ()
    for table in delimited_tables(text):
        header, *rows = table
        if any(_NOT_A_HEADER.search(text[start:end]) for start, end in header):
            continue
        for index, (start, end) in enumerate(header):
            key = _header_key(text[start:end])
            if key in THING_HEADERS:
                things.extend(row[index] for row in rows if index < len(row))
                continue
            kind = _kind_of_header(key)
            if kind is None:
                continue
            heads, any_script = kind
            found = people if heads == NAME_ENTITY else places
            for row in rows:
                if index < len(row) and _looks_like_a_name(text[slice(*row[index])], any_script, heads):
                    found.append(row[index])
    return tuple(people), tuple(places), tuple(things)


def outside_thing_columns(
    text: str, findings: list[RecognizerResult], entities: Collection[str]
) -> list[RecognizerResult]:
    """``findings`` less those of ``entities`` that lie inside a cell of a product, brand or firm
    column."""
    cells = column_cells(text)[2]
    if not cells:
        return findings
    return [
        finding
        for finding in findings
        if finding.entity_type not in entities
        or not any(start <= finding.start and finding.end <= end for start, end in cells)
    ]


def _header_key(header: str) -> str:
    """A header as the lists above write it: case folded, without Markdown's emphasis or a colon."""
    # Turkish "İl", "İsim": the dotted capital casefolds to "i" and a combining dot.
    return header.casefold().strip(" *_:").replace("\u0307", "")


def _kind_of_header(header: str) -> tuple[str, bool] | None:
    """(the entity its cells hold, whether cells of any script count) for a header key, or None."""
    if header in PERSON_HEADERS:
        return NAME_ENTITY, True
    if header in PLACE_HEADERS:
        return NativeScriptPlaceRecognizer.ENTITY, True
    if header in NAME_HEADERS:
        return NAME_ENTITY, False
    return None


def _looks_like_a_name(cell: str, any_script: bool, heads: str) -> bool:
    words = cell.split()
    if not 0 < len(words) <= _MAX_WORDS or len(cell) > _MAX_CELL_CHARACTERS or _NOT_A_NAME.search(cell):
        return False
    if _GROUP_SUFFIX.search(cell) or any(word.casefold() in GROUP_WORDS for word in words):
        return False
    if unread_by_the_name_model(cell):
        return True
    if not any_script or (heads != NAME_ENTITY and cell.casefold() in NOT_PLACES):
        return False
    return words[0][0].isupper() and words[-1][0].isupper()


class NameColumnRecognizer(SpanRecognizer):
    """The people listed in a pasted table's name columns."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A cell of a table column headed as a person's name"

    def spans(self, text: str) -> Iterable[Span]:
        return column_cells(text)[0]


class PlaceColumnRecognizer(SpanRecognizer):
    """The places listed in a pasted table's city or country columns."""

    ENTITY = NativeScriptPlaceRecognizer.ENTITY
    SCORE = NativeScriptPlaceRecognizer.SCORE
    WHY = "A cell of a table column headed as a city or a country"

    def spans(self, text: str) -> Iterable[Span]:
        return column_cells(text)[1]
