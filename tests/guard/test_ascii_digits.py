"""Digits and digit-group separators of other scripts are written in ASCII one for one, the
text around them untouched."""

from __future__ import annotations

from bot.guard.script_ranges import NATIVE_ZEROS, as_ascii_digits


def test_every_script_s_digits_read_as_ascii() -> None:
    for zero in NATIVE_ZEROS:
        digits = "".join(chr(zero + value) for value in range(10))

        assert as_ascii_digits(f"رقم {digits}.") == "رقم 0123456789."


def test_separators_read_as_ascii_and_offsets_hold() -> None:
    text = "電話\uff0803\uff09\u30fc1234\u2013567\u00a08\uff0b\uff0e\uff0f 090ー1234"

    ascii_text = as_ascii_digits(text)

    assert ascii_text == "電話(03)-1234-567 8+./ 090-1234"
    assert len(ascii_text) == len(text)


def test_text_with_nothing_to_rewrite_is_returned_as_is() -> None:
    for text in ("Call 555-0134 today", "Позвоните по номеру 8 912 345-67-89", ""):
        assert as_ascii_digits(text) == text
