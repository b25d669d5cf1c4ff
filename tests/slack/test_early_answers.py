"""Telling a slash command from an interaction by its raw form body, as the server does before bolt."""

from __future__ import annotations

import json

from bot.slack.early_answers import is_slash_command
from sandbox.say import build_slash_command, encode_form


def test_a_slash_command_is_told_from_an_interaction_and_from_text_that_names_one() -> None:
    command = build_slash_command(
        "text write &command=/x and payload=y",
        team_id="T1",
        user_id="U1",
        channel_id="C1",
        user_name="u",
        response_url="https://x",
    )
    interaction = encode_form({"payload": json.dumps({"type": "block_actions", "text": "&command=/content"})})

    assert is_slash_command(encode_form(command))
    assert not is_slash_command(interaction)
    assert is_slash_command(b"command=%2Fcontent&text=")
    assert not is_slash_command(b"")
