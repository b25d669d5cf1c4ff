"""The cells of a pasted table's name and city columns are masked when they look like names;
products, teams, numbers and a generic "name" over Latin cells are left to the other recognizers."""

from __future__ import annotations

import pytest

from bot.guard.name_columns import column_cells
from bot.guard.service import Guard
from bot.guard.table_headers import delimited_tables


def _people_and_places(text: str) -> tuple[list[str], list[str]]:
    people, places, _ = column_cells(text)
    return [text[start:end] for start, end in people], [text[start:end] for start, end in places]


@pytest.mark.parametrize(
    ("table", "people", "places"),
    [
        ("做成表格:\n姓名,城市,商品\n郑浩,西安,李宁运动鞋\n何静,南京,老干妈辣酱", ["郑浩", "何静"], ["西安", "南京"]),
        ("시간순 정렬:\n이름\t시간\n오태식\t40\n제니\t20", ["오태식", "제니"], []),
        ("رتب:\nالاسم\tالساعات\nلمى العلي\t40\nمحمود\t20", ["لمى العلي", "محمود"], []),
        ("नाम | शहर\nबबलू | लुधियाना\nहरप्रीत कौर | अमृतसर", ["बबलू", "हरप्रीत कौर"], ["लुधियाना", "अमृतसर"]),
        ("| 氏名 | 時間 |\n|---|---|\n| 井上 翼 | 40 |\n| アンナ | 20 |", ["井上 翼", "アンナ"], []),
        # Headers that can only mean a person count for Latin cells; a quoted cell is read inside its quotes.
        (
            'Vorname;Nachname;Ort\nJonas;Weber;Leipzig\n"Lea";"Schmitt";Remote',
            ["Jonas", "Lea", "Weber", "Schmitt"],
            ["Leipzig"],
        ),
        ("Ad Soyad,Şehir\nAyşe Kaya,İzmir", ["Ayşe Kaya"], ["İzmir"]),
        # A generic "Name" over Latin cells is a product as often as a person.
        ("Name,Price\nCappuccino,3.50\nFlat White,3.80", [], []),
        # Teams, departments, numbers, addresses and links are no names.
        ("负责人,任务\n人事部,校招\n小杨,直播\n영업팀,보고", ["小杨"], []),
        ("Full name,Contact\nsupport@example.com,x\nJane Doe,y\n12345,z", ["Jane Doe"], []),
        # A record's fields are no table header.
        ("ATTENDEE;CN=Daan Bakker:mailto:daan@example.nl\nATTENDEE;CN=Fleur Mulder:mailto:fleur@example.nl", [], []),
    ],
)
def test_name_and_city_columns(table: str, people: list[str], places: list[str]) -> None:
    found_people, found_places = _people_and_places(table)
    assert sorted(found_people) == sorted(people)
    assert found_places == places


def test_a_table_is_two_lines_split_alike_and_a_prose_line_ends_it() -> None:
    text = "姓名,城市\n郑浩,西安\n\n这是一句话，没有表格。\n另一句话，也没有。"

    tables = delimited_tables(text)

    assert [[text[start:end] for start, end in row] for row in tables[0]] == [["姓名", "城市"], ["郑浩", "西安"]]
    assert all("姓名" not in text[row[0][0] : row[0][1]] for table in tables[1:] for row in table)


def test_the_guard_masks_a_name_column_and_sends_none_of_it(guard: Guard) -> None:
    table = "Sort by hours:\nالاسم\tالساعات\nمحمود\t20\nबबलू\t32\n민수\t12"

    masked = guard.mask(table)

    assert all(name not in masked.text for name in ("محمود", "बबलू", "민수"))
    assert "الساعات" in masked.text


def test_a_name_in_a_product_brand_or_firm_column_is_left_as_written(guard: Guard) -> None:
    table = "Table बना दो:\nनाम,शहर,product\nकविता नायर,कोच्चि,Amul Butter\nरोहित पटेल,अहमदाबाद,Tata Tea"

    masked = guard.mask(table)

    assert "Tata Tea" in masked.text and "Amul Butter" in masked.text
    assert "कविता नायर" not in masked.text and "अहमदाबाद" not in masked.text
