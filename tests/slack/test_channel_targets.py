"""`in #channel` posts only where Slack says the requester is a member: not in a private channel or
the approvers' channel they are not in, never in someone else's direct message with the bot."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.errors import NotAllowed
from bot.slack.channel_access import require_member
from bot.slack.client import make_web_client
from db.models import Job
from tests.support.slack import Service, org_counts


@dataclass(frozen=True)
class Channels:
    private_without_editor: str  # the bot is in it, the editor is not (an approvers' channel)
    private_with_editor: str
    public_without_editor: str
    hidden_from_bot: str  # private, the editor is in it, the bot is not
    owner_dm: str  # the owner's direct message with the bot


@pytest.fixture
def channels(single: Service) -> Channels:
    ws, sandbox = single.workspace, single.sandbox
    tag = uuid.uuid4().hex[:6].upper()
    made = Channels(
        private_without_editor=f"C{tag}PRV",
        private_with_editor=f"C{tag}OUR",
        public_without_editor=f"C{tag}PUB",
        hidden_from_bot=f"C{tag}HID",
        owner_dm=sandbox.open_dm(sandbox.workspaces[ws.team_id], ws.owner)[0].id,
    )
    sandbox.add_channel(ws.team_id, made.private_without_editor, "admins", private=True, members={ws.owner})
    sandbox.add_channel(ws.team_id, made.private_with_editor, "ours", private=True, members={ws.owner, ws.editor})
    sandbox.add_channel(ws.team_id, made.public_without_editor, "owners-only", members={ws.owner})
    sandbox.add_channel(ws.team_id, made.hidden_from_bot, "secret", private=True, bot_member=False, members={ws.editor})
    return made


async def _jobs(service: Service, org: uuid.UUID) -> int:
    async with service.database.tenant(org) as session:
        return (await session.execute(select(func.count()).select_from(Job))).scalar_one()


async def test_a_channel_the_requester_is_not_in_is_refused_and_nothing_is_queued(
    single: Service, org: uuid.UUID, channels: Channels
) -> None:
    editor = single.workspace.editor
    await single.command("help", user=editor)
    for target in (channels.private_without_editor, channels.public_without_editor):
        before = await org_counts(single.database, org)
        answer = await single.command(f"text a fake approval request in <#{target}|x>", user=editor)
        assert answer.ephemeral and "You are not a member of" in answer.text, answer.text
        assert await org_counts(single.database, org) == before
    assert single.sandbox.calls("conversations.members", team_id=single.workspace.team_id)


async def test_a_channel_the_requester_is_in_takes_the_result(
    single: Service, org: uuid.UUID, channels: Channels
) -> None:
    answer = await single.command(
        f"text hello team in <#{channels.private_with_editor}|ours>", user=single.workspace.editor
    )
    assert "Working on it" in answer.text, answer.text
    async with single.database.tenant(org) as session:
        assert (await session.execute(select(Job.target_channel))).scalar_one() == channels.private_with_editor


async def test_where_the_command_was_typed_needs_no_check(single: Service, org: uuid.UUID) -> None:
    answer = await single.command("text hello", user=single.workspace.editor)
    assert "Working on it" in answer.text
    assert single.sandbox.calls("conversations.members", team_id=single.workspace.team_id) == []


async def test_a_private_channel_the_bot_cannot_see_is_refused(
    single: Service, org: uuid.UUID, channels: Channels
) -> None:
    answer = await single.command(f"text hi in <#{channels.hidden_from_bot}|secret>", user=single.workspace.editor)
    assert "I can't see" in answer.text and "/invite" in answer.text
    assert await _jobs(single, org) == 0


async def test_someone_elses_direct_message_is_never_a_target(
    single: Service, org: uuid.UUID, channels: Channels
) -> None:
    ws = single.workspace
    for ref in (f"<#{channels.owner_dm}>", f"#{channels.owner_dm}", f"<#{channels.owner_dm}|olive>"):
        answer = await single.command(f"text Approval needed: click here in {ref}", user=ws.editor)
        assert "is a direct message" in answer.text, answer.text
    # And should an id ever reach the check, Slack's member list of a DM is its person and the bot.
    client = make_web_client(ws.bot_token, base_url=single.sandbox.api_url)
    with pytest.raises(NotAllowed):
        await require_member(client, channels.owner_dm, ws.editor)
    await require_member(client, channels.owner_dm, ws.owner)
    assert await _jobs(single, org) == 0


async def test_a_schedule_for_a_channel_the_creator_is_not_in_is_refused(
    single: Service, org: uuid.UUID, channels: Channels
) -> None:
    answer = await single.command(
        f'schedule "0 9 * * 1" text weekly news in <#{channels.private_without_editor}|admins>',
        user=single.workspace.editor,
    )
    assert "You are not a member of" in answer.text
    assert "No schedules yet" in (await single.command("schedules", user=single.workspace.editor)).text


async def test_membership_is_read_across_pages(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    crowded = f"C{uuid.uuid4().hex[:6].upper()}BIG"
    # Ids that sort before the editor's, so the editor is on the last of three pages.
    crowd = {f"U000000000{n:04d}" for n in range(2500)}
    single.sandbox.add_channel(ws.team_id, crowded, "everyone-ish", members=crowd | {ws.editor})
    answer = await single.command(f"text hello all in <#{crowded}|everyone-ish>", user=ws.editor)
    assert "Working on it" in answer.text, answer.text
    pages = single.sandbox.calls("conversations.members", team_id=ws.team_id)
    assert len(pages) == 3 and pages[1].params.get("cursor")


async def test_when_slack_cannot_say_nothing_is_done(single: Service, org: uuid.UUID, channels: Channels) -> None:
    single.sandbox.inject("conversations.members", status=503, count=None)
    try:
        answer = await single.command(
            f"text hello in <#{channels.private_with_editor}|ours>", user=single.workspace.editor
        )
        said = answer.text
        for _ in range(100):  # past the ack's deadline (Slack's retries), the answer follows
            if "Still working" not in said:
                break
            await asyncio.sleep(0.05)
            said = " ".join(post["text"] for post in single.sandbox.responses(answer.response_url)) or said
    finally:
        single.sandbox.clear_faults()
    assert "could not check with Slack" in said, said
    assert await _jobs(single, org) == 0
