from __future__ import annotations

from bot.guard.last_token_list import LastTokenList


def test_a_fact_is_worked_out_once_per_list_and_again_for_another_list_key_or_length() -> None:
    worked: list[str] = []
    memo: LastTokenList[list[str]] = LastTokenList()

    def work_out(name: str) -> list[str]:
        worked.append(name)
        return [name]

    texts, other = ["Hello", "Ana"], ["Hello", "Ana"]
    first = memo.get(texts, lambda: work_out("first"))
    assert memo.get(texts, lambda: work_out("again")) is first
    memo.get(other, lambda: work_out("an equal list, another object"))
    memo.get(other, lambda: work_out("another key"), key="gazetteer")
    other.append(".")
    memo.get(other, lambda: work_out("the list grew"), key="gazetteer")

    assert worked == ["first", "an equal list, another object", "another key", "the list grew"]
