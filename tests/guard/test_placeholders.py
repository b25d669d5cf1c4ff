from __future__ import annotations

from bot.guard import Guard, apply_restore_policy, restore_placeholders


def test_same_value_twice_gets_the_same_placeholder(guard: Guard) -> None:
    masked = guard.mask("Email ana@example.com today, and cc ana@example.com on the reply.")

    assert masked.text == "Email <EMAIL_ADDRESS_1> today, and cc <EMAIL_ADDRESS_1> on the reply."
    assert masked.mapping == {"<EMAIL_ADDRESS_1>": "ana@example.com"}


def test_two_values_are_numbered_in_order_of_appearance(guard: Guard) -> None:
    masked = guard.mask("Invite ana@example.com and bo@example.org, then ana@example.com again.")

    assert masked.text == "Invite <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>, then <EMAIL_ADDRESS_1> again."
    assert masked.mapping == {"<EMAIL_ADDRESS_1>": "ana@example.com", "<EMAIL_ADDRESS_2>": "bo@example.org"}
    assert masked.entities == ("EMAIL_ADDRESS",)


def test_each_entity_type_counts_from_one(guard: Guard) -> None:
    masked = guard.mask("Reach ana@example.com or +1 415 555 0132.")

    assert masked.text == "Reach <EMAIL_ADDRESS_1> or <PHONE_NUMBER_1>."
    assert masked.entities == ("EMAIL_ADDRESS", "PHONE_NUMBER")


def test_restore_on_gives_back_the_users_values(guard: Guard) -> None:
    prompt = guard.check_prompt("Write a welcome note for ana@example.com and bo@example.org.")
    model_output = "Welcome aboard, <EMAIL_ADDRESS_1>! <EMAIL_ADDRESS_2> will show you around."

    posted = apply_restore_policy(model_output, prompt.mapping, restore=True)

    assert posted == "Welcome aboard, ana@example.com! bo@example.org will show you around."
    assert restore_placeholders(model_output, prompt.mapping) == posted


def test_restore_off_posts_placeholders_only(guard: Guard) -> None:
    prompt = guard.check_prompt("Write a welcome note for ana@example.com.")

    posted = apply_restore_policy("Welcome aboard, <EMAIL_ADDRESS_1>!", prompt.mapping, restore=False)

    assert posted == "Welcome aboard, <EMAIL_ADDRESS_1>!"
    assert "ana@example.com" not in posted


def test_restore_replaces_exact_placeholders_only() -> None:
    mapping = {"<EMAIL_ADDRESS_1>": "a@x.io", "<EMAIL_ADDRESS_10>": "b@x.io"}

    restored = restore_placeholders("<EMAIL_ADDRESS_10> <EMAIL_ADDRESS_1> EMAIL_ADDRESS_1 <email_address_1>", mapping)

    assert restored == "b@x.io a@x.io EMAIL_ADDRESS_1 <email_address_1>"


def test_restored_values_are_not_read_again() -> None:
    mapping = {"<PERSON_1>": "<PERSON_2>", "<PERSON_2>": "Ana"}

    assert restore_placeholders("<PERSON_1> and <PERSON_2>", mapping) == "<PERSON_2> and Ana"


def test_placeholder_typed_by_the_user_is_not_reused(guard: Guard) -> None:
    masked = guard.mask("Template uses <EMAIL_ADDRESS_1>; send it to ana@example.com.")

    assert masked.mapping == {"<EMAIL_ADDRESS_2>": "ana@example.com"}
    assert restore_placeholders(masked.text, masked.mapping) == (
        "Template uses <EMAIL_ADDRESS_1>; send it to ana@example.com."
    )


def test_new_entity_types_get_their_own_numbered_placeholders(guard: Guard) -> None:
    text = "Ship it to Margaret Okonkwo at 47 Harbour Lane, Brighton; call 0161 496 0000 or 0161 496 0999."

    masked = guard.mask(text)

    assert masked.mapping["<PHONE_NUMBER_1>"] == "0161 496 0000"
    assert masked.mapping["<PHONE_NUMBER_2>"] == "0161 496 0999"
    assert "Margaret Okonkwo" not in masked.text
    assert "47 Harbour Lane" not in masked.text
    assert "<ADDRESS_1>" in masked.text
    assert restore_placeholders(masked.text, masked.mapping) == text
