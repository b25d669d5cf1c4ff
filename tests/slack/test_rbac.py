"""Every sub-command for every role, checked on the server (the roles in `bot/commands/subcommands.py`): viewers read, editors also
generate and schedule, admins also set quotas, grant roles, set approvals and read the audit."""

from __future__ import annotations

import uuid

import pytest

from tests.support.slack import Service, audit_actions

ALLOWED: dict[str, set[str]] = {
    "help": {"admin", "editor", "viewer"},
    "text": {"admin", "editor"},
    "image": {"admin", "editor"},
    "schedule": {"admin", "editor"},
    "schedules": {"admin", "editor", "viewer"},
    # Anyone may ask; only the schedule's creator or an admin succeeds (the schedule service decides).
    "unschedule": {"admin", "editor", "viewer"},
    "quota": {"admin", "editor", "viewer"},
    "quota set": {"admin"},
    "quota money": {"admin"},
    "models": {"admin", "editor", "viewer"},
    "models allow": {"admin"},
    "models strategy": {"admin"},
    "role": {"admin"},
    "approvals": {"admin"},
    "audit": {"admin"},
}

COMMANDS: dict[str, str] = {
    "help": "help",
    "text": "text a haiku about tea",
    "image": "image a red fox in the snow",
    "schedule": 'schedule "0 9 * * 1" text morning news',
    "schedules": "schedules",
    "unschedule": "unschedule 3f2a9c10",
    "quota": "quota",
    "quota set": "quota set 3000000",
    "quota money": "quota money 250",
    "models": "models",
    "models allow": "models allow gemini-2.5-flash",
    "models strategy": "models strategy cheapest",
    "role": "role <@{bystander}|bea> editor",
    "approvals": "approvals on <#{approvals}|approvals>",
    "audit": "audit 5",
}

# What an allowed command answers, so "allowed" means it did its work, not merely "not refused".
ANSWERS: dict[str, str] = {
    "help": "Content Factory",
    "text": "Working on it — job `",
    "image": "Working on it — job `",
    "schedule": ":calendar: Scheduled `",
    "schedules": "No schedules yet",
    "unschedule": "No active schedule has the id `3f2a9c10`",
    "quota": "Token budget for",
    "quota set": "The monthly budget is now *3,000,000* tokens.",
    "quota money": "The monthly money budget is now *$250.00*.",
    "models": "*Models*",
    "models allow": "Model policy changed",
    "models strategy": "Model policy changed",
    "role": "is now an *editor*",
    "approvals": "Approvals are *on*",
    "audit": "audit events",
}


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize("subcommand", list(COMMANDS))
async def test_role_matrix(single: Service, org: uuid.UUID, subcommand: str, role: str) -> None:
    ws = single.workspace
    text = COMMANDS[subcommand].format(bystander=ws.bystander, approvals=ws.approvals)
    answer = await single.command(text, user=ws.user_for(role))
    assert answer.status == 200
    assert answer.ephemeral
    if role in ALLOWED[subcommand]:
        assert "needs the" not in answer.text
        assert ANSWERS[subcommand] in answer.text, answer.text
        assert "command.refused" not in await audit_actions(single.database, org)
    else:
        needed = "admin" if ALLOWED[subcommand] == {"admin"} else "editor"
        assert f"`{subcommand}` needs the {needed} role and you are" in answer.text
        assert (await audit_actions(single.database, org))[-1] == "command.refused"


async def test_granted_role_takes_effect_at_once(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    refused = await single.command("text hello", user=ws.bystander)
    assert "needs the editor role and you are a viewer" in refused.text
    granted = await single.command(f"role <@{ws.bystander}|bea> editor", user=ws.owner)
    assert "is now an *editor*" in granted.text
    accepted = await single.command("text hello", user=ws.bystander)
    assert "Working on it" in accepted.text


async def test_an_admin_cannot_demote_themselves(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    answer = await single.command(f"role <@{ws.owner}|olive> viewer", user=ws.owner)
    assert "can't take away your own admin role" in answer.text
    assert "Token budget" in (await single.command("quota", user=ws.owner)).text
    assert "audit events" in (await single.command("audit", user=ws.owner)).text


async def test_a_creator_demoted_to_viewer_can_still_cancel_their_schedule(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    created = await single.command('schedule "0 9 * * 1" text morning news', user=ws.editor)
    short = created.text.split("Scheduled `", 1)[1][:8]
    assert "is now a *viewer*" in (await single.command(f"role <@{ws.editor}|eddie> viewer", user=ws.owner)).text

    someone_else = await single.command(f"unschedule {short}", user=ws.viewer)
    assert f"Only <@{ws.editor}>" in someone_else.text
    cancelled = await single.command(f"unschedule {short}", user=ws.editor)
    assert f"Cancelled schedule `{short}`" in cancelled.text, cancelled.text
    assert "No schedules yet" in (await single.command("schedules", user=ws.editor)).text
