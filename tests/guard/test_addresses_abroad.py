"""Addresses written in the formats of Japan, China, Korea, Russia and Ukraine, the Arab countries
and India are masked whole, street, numbers, building and room in one placeholder; a street, a
block number or a city named alone is not."""

from __future__ import annotations

import pytest

from bot.guard.addresses_abroad import addresses_abroad
from bot.guard.placeholders import apply_restore_policy
from bot.guard.service import Guard


@pytest.mark.parametrize(
    ("sentence", "address"),
    [
        ("請求書の送付先は東京都千代田区丸の内1-2-3 丸の内ビル5階です。", "東京都千代田区丸の内1-2-3 丸の内ビル5階"),
        ("荷物を大阪府大阪市北区梅田2丁目4番9号に送ってください。", "大阪府大阪市北区梅田2丁目4番9号"),
        (
            "配送先\n〒060-0042\n北海道札幌市中央区大通西4丁目1\nさくらマンション302号室",
            "〒060-0042\n北海道札幌市中央区大通西4丁目1\nさくらマンション302号室",
        ),
        ("请把样品寄到北京市朝阳区建国路88号SOHO现代城3号楼1205室。", "北京市朝阳区建国路88号SOHO现代城3号楼1205室"),
        ("收货地址：广东省深圳市南山区科技园南路15号。", "广东省深圳市南山区科技园南路15号"),
        ("会议地点改在成都市武侯区人民南路四段12号3单元502。", "成都市武侯区人民南路四段12号3单元502"),
        ("배송지는 서울특별시 강남구 테헤란로 123, 4층입니다.", "서울특별시 강남구 테헤란로 123, 4층"),
        ("주소: 경기도 성남시 분당구 판교역로146번길 20 3층", "경기도 성남시 분당구 판교역로146번길 20 3층"),
        (
            "Отправьте договор по адресу: г. Москва, ул. Тверская, д. 12, кв. 34.",
            "г. Москва, ул. Тверская, д. 12, кв. 34",
        ),
        (
            "Счёт направить: 190000, Санкт-Петербург, Невский проспект, д. 28, оф. 310.",
            "190000, Санкт-Петербург, Невский проспект, д. 28, оф. 310",
        ),
        (
            "Надішліть зразки: м. Київ, вул. Хрещатик, буд. 22, кв. 7, 01001.",
            "м. Київ, вул. Хрещатик, буд. 22, кв. 7, 01001",
        ),
        ("أرسل الفاتورة إلى شارع الملك فهد، حي العليا، الرياض 12211.", "شارع الملك فهد، حي العليا، الرياض 12211"),
        (
            "يرجى التوصيل إلى 25 شارع مصطفى النحاس، مدينة نصر، القاهرة، الشقة 12.",
            "25 شارع مصطفى النحاس، مدينة نصر، القاهرة، الشقة 12",
        ),
        ("कृपया पैकेज 221, एमजी रोड, बेंगलुरु 560001 पर भेजें।", "221, एमजी रोड, बेंगलुरु 560001"),
        ("कृपया पैकेज मकान नं. 45, गांधी नगर, जयपुर 302015 पर भेजें।", "मकान नं. 45, गांधी नगर, जयपुर 302015"),
        (
            "Courier address: H.No. 8-2-293, Road No. 12, Banjara Hills, Hyderabad - 500034",
            "H.No. 8-2-293, Road No. 12, Banjara Hills, Hyderabad - 500034",
        ),
        ("Invitation: venue B-42, Sector 18, Noida 201301, lunch at 1 pm.", "B-42, Sector 18, Noida 201301"),
    ],
)
def test_an_address_is_masked_whole(guard: Guard, sentence: str, address: str) -> None:
    checked = guard.check_prompt(sentence)

    assert list(checked.mapping.values()) == [address]
    assert checked.masked_text == sentence.replace(address, "<ADDRESS_1>")


@pytest.mark.parametrize(
    "sentence",
    [
        "小説の一節：彼は第2丁目の角を曲がり、古い商店街へ消えていった。",
        "新製品の型番はAB-1023-5で、発売日は2024年3月15日です。",
        "新闻：长安街今天下午将实施临时交通管制，请市民绕行。",
        "施工计划：3号楼和5号楼的外墙保温工程将于下月开始。",
        "订单号A2023-0815的产品型号是XJ-200，请在3月5号前发货。",
        "테헤란로 일대 교통 체증이 심각하다는 기사 요약해 줘.",
        "혹시 메일로 3개 보내 줄 수 있어?",
        "2층 회의실 예약을 3시로 바꿔 줘.",
        "На Тверской улице сегодня прошёл праздничный парад.",
        "Загальна площа 56 м², житлова 32 м².",
        "Совещание перенесли на 12 марта, кабинет 305, артикул товара КР-1024.",
        "شهد شارع الحمراء في بيروت ازدحاماً كبيراً خلال عطلة العيد.",
        "اجتماع المبنى 3 في الطابق الثاني يوم 15 مارس لمناقشة خطة الصيانة.",
        "खबर: एमजी रोड पर आज भारी ट्रैफिक जाम रहा।",
        "ऑर्डर नंबर 560001234 की डिलीवरी 12 मार्च तक होगी।",
        "Orders BC-2024-118734, BC-2024-118790 and BC-2024-119002 are stuck at the hub.",
    ],
)
def test_look_alikes_are_no_addresses(sentence: str) -> None:
    assert addresses_abroad(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Ship it to 221B Baker Street, London NW1 6XE by Friday.",
        "Write a haiku about tea for our 560 customers, 001 of them new.",
        "Café crème at 9:30, ask jane.doe@example.com or call +1 415 555 0132.",
    ],
)
def test_english_text_is_left_to_the_other_recognizers(guard: Guard, sentence: str) -> None:
    assert addresses_abroad(sentence) == []
    assert all(f.recognition_metadata["recognizer_name"] != "AddressAbroadRecognizer" for f in guard.analyze(sentence))


def test_a_masked_address_comes_back_when_the_policy_restores(guard: Guard) -> None:
    checked = guard.check_prompt("請求書の送付先は東京都千代田区丸の内1-2-3 丸の内ビル5階です。")
    answer = "承知しました。<ADDRESS_1>宛に請求書をお送りします。"

    assert apply_restore_policy(answer, checked.mapping, restore=True) == (
        "承知しました。東京都千代田区丸の内1-2-3 丸の内ビル5階宛に請求書をお送りします。"
    )
    assert apply_restore_policy(answer, checked.mapping, restore=False) == answer


def test_the_city_the_name_model_tagged_is_inside_the_address(guard: Guard) -> None:
    checked = guard.check_prompt("Отправьте договор: 119019, г. Москва, ул. Новый Арбат, д. 15, кв. 42.")

    assert checked.entities == ("ADDRESS",)
    assert checked.masked_text == "Отправьте договор: <ADDRESS_1>."
