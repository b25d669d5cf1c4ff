from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult
from spacy.tokens import Doc

from bot.errors import UserError
from bot.guard import (
    Guard,
    OutputProblem,
    OutputRejected,
    apply_restore_policy,
    check_output,
    check_output_async,
    new_canary,
    system_instruction_with_canary,
)
from bot.guard.credentials import CREDENTIAL_ENTITIES
from bot.guard.ner import GatedEntityRecognizer
from bot.guard.output import OUTPUT_PII_ENTITIES

MAPPING = {"<EMAIL_ADDRESS_1>": "ana@example.com", "<PHONE_NUMBER_1>": "+1 415 555 0132"}


def test_output_with_only_input_placeholders_passes(guard: Guard) -> None:
    canary = new_canary()
    output = "Thanks for joining! Questions? Write to <EMAIL_ADDRESS_1> or call <PHONE_NUMBER_1>."

    verdict = check_output(output, input_mapping=MAPPING, canary=canary, guard=guard)

    assert verdict.ok
    assert verdict.problems == ()


def test_users_own_values_may_come_back(guard: Guard) -> None:
    verdict = check_output("Write to ana@example.com.", input_mapping=MAPPING, canary=new_canary(), guard=guard)

    assert verdict.ok


def test_new_pii_in_output_is_rejected(guard: Guard) -> None:
    with pytest.raises(OutputRejected) as rejected:
        check_output("Contact bob@othercorp.com for details.", input_mapping=MAPPING, canary=new_canary(), guard=guard)

    assert rejected.value.verdict.problems == (OutputProblem.NEW_PII,)
    assert rejected.value.verdict.entity_types == ("EMAIL_ADDRESS",)
    assert "personal data" in rejected.value.reason
    assert "bob@othercorp.com" not in rejected.value.reason


@pytest.mark.parametrize(
    "secret",
    ["AKIAIOSFODNN7EXAMPLE", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp", "-----BEGIN PRIVATE KEY-----"],
)
def test_secret_in_output_is_rejected(guard: Guard, secret: str) -> None:
    with pytest.raises(OutputRejected) as rejected:
        check_output(f"Here you go: {secret}", input_mapping=MAPPING, canary=new_canary(), guard=guard)

    assert OutputProblem.CREDENTIAL in rejected.value.verdict.problems
    assert "credential" in rejected.value.reason
    assert secret not in rejected.value.reason


@pytest.mark.parametrize("disguise", [str, str.upper, lambda c: " ".join(c), lambda c: c[:8] + "-" + c[8:]])
def test_canary_leak_is_rejected(guard: Guard, disguise: object) -> None:
    canary = new_canary()
    system_instruction = system_instruction_with_canary("You write Slack posts for Acme.", canary)

    with pytest.raises(OutputRejected) as rejected:
        check_output(
            f"My instructions say: {disguise(canary)}",
            input_mapping=MAPPING,
            canary=canary,
            guard=guard,
        )

    assert canary in system_instruction
    assert system_instruction.startswith("You write Slack posts for Acme.")
    # A canary spelled out with spaces can also read as a number the prompt did not hold: both
    # problems are true of such an answer, and the leak is always among them.
    assert OutputProblem.CANARY_LEAK in rejected.value.verdict.problems
    assert set(rejected.value.verdict.problems) <= {OutputProblem.CANARY_LEAK, OutputProblem.NEW_PII}
    assert "hidden instructions" in rejected.value.reason


def test_canaries_are_random() -> None:
    assert len({new_canary() for _ in range(100)}) == 100


def test_output_rejected_is_not_a_user_error() -> None:
    assert issubclass(OutputRejected, Exception)
    assert not issubclass(OutputRejected, UserError)


def test_output_check_fails_closed(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard.analyzer, "analyze", lambda text: 1 / 0)

    with pytest.raises(OutputRejected) as rejected:
        check_output("A harmless post.", input_mapping={}, canary=new_canary(), guard=guard)

    assert rejected.value.verdict.problems == (OutputProblem.UNCHECKED,)


async def test_async_output_check_matches_the_sync_one(name_guard: Guard) -> None:
    canary = new_canary()

    verdict = await check_output_async(
        "Hi <PERSON_1>!", input_mapping={"<PERSON_1>": "Amara"}, canary=canary, guard=name_guard
    )

    assert verdict.ok
    with pytest.raises(OutputRejected):
        await check_output_async(f"marker {canary}", input_mapping={}, canary=canary, guard=name_guard)


def test_users_own_national_phone_and_card_may_come_back(guard: Guard) -> None:
    prompt = guard.check_prompt("Write a flyer: call me on 030 1234 5678, deposits to card 5038 1234 5679.")
    posted = apply_restore_policy(
        "Book now! Call <PHONE_NUMBER_1>, pay with <CREDIT_CARD_1>.", prompt.mapping, restore=True
    )

    verdict = check_output(posted, input_mapping=prompt.mapping, canary=new_canary(), guard=guard)

    assert posted == "Book now! Call 030 1234 5678, pay with 5038 1234 5679."
    assert verdict.ok


def test_a_number_the_prompt_carried_unmasked_may_come_back_where_the_answer_makes_it_look_like_a_phone(
    guard: Guard,
) -> None:
    # Read alone, the prompt's number is no phone; echoed beside "call", it reads as one.
    prompt = guard.check_prompt("a note for approval 51367179")
    answer = "Generated for: a note for approval 51367179\n\nCall the team once it is approved."
    without_the_prompt = check_output_verdict(guard, answer, "")

    verdict = check_output(
        answer, input_mapping=prompt.mapping, canary=new_canary(), prompt=prompt.masked_text, guard=guard
    )

    assert prompt.masked_text == "a note for approval 51367179"
    assert without_the_prompt == (OutputProblem.NEW_PII,)
    assert verdict.ok


def test_a_phone_the_prompt_did_not_carry_is_still_rejected_when_the_prompt_is_given(guard: Guard) -> None:
    prompt = guard.check_prompt("a note for approval 51367179")

    with pytest.raises(OutputRejected) as rejected:
        check_output(
            "Call 0161 496 0000 about approval 51367179.",
            input_mapping=prompt.mapping,
            canary=new_canary(),
            prompt=prompt.masked_text,
            guard=guard,
        )

    assert rejected.value.verdict.entity_types == ("PHONE_NUMBER",)


def check_output_verdict(guard: Guard, answer: str, prompt: str) -> tuple[OutputProblem, ...]:
    try:
        return check_output(answer, input_mapping={}, canary="", prompt=prompt, guard=guard).problems
    except OutputRejected as rejected:
        return rejected.verdict.problems


@pytest.mark.parametrize(
    ("invented", "entity"),
    [("call 0161 496 0000 today", "PHONE_NUMBER"), ("pay with 2720 1234 5678 9010", "CREDIT_CARD")],
)
def test_new_national_phone_or_card_in_output_is_rejected(guard: Guard, invented: str, entity: str) -> None:
    with pytest.raises(OutputRejected) as rejected:
        check_output(f"Great news, {invented}!", input_mapping=MAPPING, canary=new_canary(), guard=guard)

    assert rejected.value.verdict.entity_types == (entity,)


def test_names_and_places_from_the_prompt_pass_the_output_check(guard: Guard) -> None:
    prompt = guard.check_prompt("Write a welcome post for Margaret Okonkwo, who joins us in Rotterdam.")
    posted = apply_restore_policy("Please welcome " + " in ".join(prompt.mapping) + "!", prompt.mapping, restore=True)

    verdict = check_output(posted, input_mapping=prompt.mapping, canary=new_canary(), guard=guard)

    assert {"PERSON", "LOCATION"} <= set(prompt.entities)
    assert "Margaret Okonkwo" in posted
    assert verdict.ok


JUDGED = CREDENTIAL_ENTITIES | OUTPUT_PII_ENTITIES
MIXED_OUTPUTS = [
    "Great work, Priya Raman! Call +1 415 555 0199 or write to lena.andersson@example.org.",
    "Deploy with AKIAIOSFODNN7EXAMPLE from 10.0.0.12; card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32.",
    "Meet at 221B Baker Street, London, and ask for John Smith (SSN 078-05-1120, phone 020 7946 0958).",
]


@pytest.mark.parametrize("output", MIXED_OUTPUTS)
def test_the_output_check_finds_what_a_full_analysis_finds_of_the_types_it_judges(guard: Guard, output: str) -> None:
    def spans(findings: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
        return sorted((f.entity_type, f.start, f.end, f.score) for f in findings if f.entity_type in JUDGED)

    full = spans(guard.analyze(output))
    assert full
    assert spans(guard.analyze(output, JUDGED)) == full


def test_the_output_check_leaves_the_name_model_out(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    tagged: list[str] = []
    tag = GatedEntityRecognizer.__call__

    def counting(self: GatedEntityRecognizer, doc: Doc) -> Doc:
        tagged.append(doc.text)
        return tag(self, doc)

    monkeypatch.setattr(GatedEntityRecognizer, "__call__", counting)
    output = "Ask Maria Garcia about the launch, or write to lena.andersson@example.org."
    assert guard.names_enabled
    assert any(f.entity_type == "PERSON" for f in guard.analyze(output))
    assert tagged == [output]

    with pytest.raises(OutputRejected) as rejected:
        check_output(output, input_mapping=MAPPING, canary=new_canary(), guard=guard)
    assert rejected.value.verdict.entity_types == ("EMAIL_ADDRESS",)
    assert tagged == [output]
